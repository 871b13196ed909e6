"""How likely each sentence of the passages is to answer the question: features any article has,
and a model that turns them into a probability.

The model is a small gradient-boosted tree ensemble (scikit-learn, fitted on development
questions only) shipped as ONNX (rag/models/answer_scorer.onnx) and run with onnxruntime, which
the embedding model already needs; the probability below which the answerer declines, the
share of the best sentence's probability a further sentence needs and the most sentences an
answer holds ship beside it (rag/models/answer_scorer.json). `python benchmarks/train_answerer.py`
refits them all and reports figures on held-out folds.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from ..fitted import load_fitted
from ..index.embeddings import embed_cached
from ..index.lexical import rarest, tokenize
from ..indexing.quotes import name_tokens, same_person
from ..indexing.sentences import points_back
from ..types import Passage
from .evidence import Sentence
from .injection import looks_like_instruction
from .mentions import mentioned
from .question import DATE, FIGURE, MONEY, NUMBER, PROPER, YEAR, Question

# What describes a sentence, in the order of the model's weights.
FEATURES = (
    "coverage",  # idf-weighted share of the question's topic words it holds (with the sentence it points back to)
    "meaning",  # cosine of its embedding to the question's
    "coverage_x_meaning",
    "coverage_gap",  # how far below the best sentence of the passages it is, on each
    "meaning_gap",
    "best_coverage",  # the best sentence's: how well the passages answer at all
    "best_meaning",
    "said_by",  # the question asks about someone, and this is their statement
    "speaker_unquoted",  # asks what a person said, and the passages quote nothing of theirs
    "form_missing",  # the question wants a number / sum / date / name and the sentence has none
    "form_present",
    "new_names",  # log(1 + names in the sentence the question does not hold)
    "names_here",  # share of the question's names in the sentence
    "names_in_article",  # its article names all of them
    "names_missing",  # share of the question's names no passage mentions
    "figures_here",  # share of the numbers the question names ("in 2021") in the sentence
    "figures_in_article",  # ... in its article
    "figures_missing",  # ... in no passage
    "passage_score",  # its passage's probability of holding the answer (the passage model, not the ranker)
    "passage_rank",  # 1 / its passage number
    "title_coverage",  # share of the topic words in its article's title
    "direct",  # a direct quotation
    "points_back",  # "It also said ...": read with the sentence before it
    "length",  # log(1 + words)
    "typed",  # the question asks for a kind of entity (who: a person or body; when: a date; which company ...)
    "kind_here",  # the sentence names one of that kind the question does not (rag/language.py readings)
    "kind_anywhere",  # some candidate sentence does
    "verbs_here",  # share of the question's content verbs that are the sentence's (as lemmas or stems)
    "years_dated",  # share of the years the question names that are the sentence's or its article's date
)


@dataclass(frozen=True)
class Described:
    """The sentences that could answer (usable ones, in passage order) and what describes them."""

    candidates: list[Sentence]
    x: np.ndarray  # one row of FEATURES per candidate
    tokens: list[set[str]]  # each candidate's index tokens
    antecedent: list[int | None]  # the candidate a sentence that points back is read with
    said_by: np.ndarray  # the statement is by the person the question asks about
    speech: bool  # the question asks what a quoted person said
    unquoted: bool = False  # ... asks what a person said, and the passages quote nothing of theirs
    any_statement: bool = False  # ... asks what a quoted person said, about nothing in particular
    off_topic: bool = False  # the question has topic words and no candidate holds any of them
    # asks what a quoted person said about something ("What did Putin say about NATO?"), and none
    # of their statements, nor the sentence before or after one, holds a word of it
    said_off_topic: bool = False


@dataclass(frozen=True)
class AnswerScorer:
    model: Callable[[np.ndarray], np.ndarray]  # FEATURES rows -> P(the sentence answers)
    threshold: float  # below this the best sentence does not answer: decline
    keep_ratio: float  # a further sentence needs this share of the best one's probability
    max_sentences: int  # at most this many sentences in an answer

    def probability(self, x: np.ndarray) -> np.ndarray:
        return self.model(x) if len(x) else np.zeros(0)


@functools.lru_cache(maxsize=1)
def load_scorer() -> AnswerScorer:
    raw, run = load_fitted("answer_scorer", FEATURES, "benchmarks/train_answerer.py", output="probabilities")

    def model(x: np.ndarray) -> np.ndarray:
        return run(x)[:, 1].astype(np.float64)

    return AnswerScorer(model, float(raw["threshold"]), float(raw["keep_ratio"]), int(raw["max_sentences"]))


def describe(
    q: Question, sentences: Sequence[Sentence], passages: Sequence[Passage], idf: dict[str, float],
    articles: dict[int, str],
) -> Described:
    """FEATURES for every usable sentence (instructions and fragments are never answers)."""
    candidates = [s for s in sentences if not looks_like_instruction(s.text) and len(s.text) > 20]
    if not candidates:
        return Described([], np.zeros((0, len(FEATURES))), [], [], np.zeros(0, bool), False)
    tokens = [set(t) for t in tokenize([s.text for s in candidates])]
    all_text = " ".join(s.text for s in candidates)
    said_by = np.array([bool(q.speaker and s.speaker and same_person(q.speaker, s.speaker)) for s in candidates])
    quoted = bool(q.speaker and said_by.any())
    unquoted = bool(q.speaker and q.speech and not quoted and _is_person(q.speaker, all_text))
    # "how did Russia respond", with nothing attributed to Russia: Russia is part of the topic
    speaker_tokens = (name_tokens(q.speaker) | set(tokenize([q.speaker])[0])) if quoted else frozenset()  # as written and stemmed
    topic = [t for t in q.terms if t not in speaker_tokens and t not in q.asked_for]
    heaviest = rarest(idf)
    weights = {t: idf.get(t, heaviest) for t in topic}  # a word no chunk holds weighs as the rarest
    total = sum(weights.values())

    def cover(toks: set[str]) -> float:
        return sum(w for t, w in weights.items() if _holds(toks, t)) / total if total else 0.0

    antecedent = [
        i - 1 if i and points_back(s.text) and candidates[i - 1].passage == s.passage else None
        for i, s in enumerate(candidates)
    ]
    coverage = np.array([
        max(cover(toks), 0.9 * cover(toks | tokens[a]) if a is not None else 0.0)
        for toks, a in zip(tokens, antecedent)
    ])
    meaning = np.clip(embed_cached([s.text for s in candidates]) @ embed_cached([q.text])[0], 0, None)
    names = list(q.entities)
    asked = {w.lower() for w in names}
    missing = sum(not mentioned(e, all_text) for e in names) / len(names) if names else 0.0
    in_article = {n: all(mentioned(e, text) for e in names) for n, text in articles.items()}
    figures = q.figures
    figures_of = {n: figures_in(figures, text) for n, text in articles.items()}
    figures_missing = 1.0 - figures_in(figures, " ".join(p.text for p in passages)) if figures else 0.0
    titles = tokenize([p.title for p in passages]) if passages else []
    question_words = {w.lower() for w in re.findall(r"\w+", q.text)}
    kind = np.array([_names_kind(q.kinds, question_words, s) for s in candidates])
    verb_stems = [set(tokenize([v])[0]) for v in q.verbs]
    years = [f for f in figures if YEAR.fullmatch(f)]
    rows = []
    for i, s in enumerate(candidates):
        wanted = [(q.wants_number, NUMBER), (q.wants_money, MONEY), (q.wants_date, DATE)]
        form_missing = any(want and not pattern.search(s.text) for want, pattern in wanted)
        form_present = any(want and pattern.search(s.text) for want, pattern in wanted)
        new = {m.group().lower() for m in PROPER.finditer(s.text)} - asked
        if q.wants_name:
            form_missing = form_missing or not new
            form_present = form_present or bool(new)
        title = set(titles[s.passage - 1]) if titles else set()
        passage = passages[s.passage - 1]
        rows.append([
            coverage[i],
            meaning[i],
            coverage[i] * meaning[i],
            coverage.max() - coverage[i],
            meaning.max() - meaning[i],
            coverage.max(),
            meaning.max(),
            float(said_by[i]),
            float(unquoted),
            float(form_missing),
            float(form_present),
            math.log1p(len(new)),
            sum(mentioned(e, s.text) for e in names) / len(names) if names else 1.0,
            float(in_article.get(s.passage, True)),
            missing,
            figures_in(figures, s.text) if figures else 1.0,
            figures_of.get(s.passage, 1.0) if figures else 1.0,
            figures_missing,
            float(passage.evidence),
            1.0 / s.passage,
            sum(_holds(title, t) for t in topic) / len(topic) if topic else 0.0,
            float(s.direct),
            float(antecedent[i] is not None),
            math.log1p(len(s.text.split())),
            float(bool(q.kinds)),
            float(kind[i]),
            float(kind.any()),
            _verbs_here(q.verbs, verb_stems, s, tokens[i]),
            sum(y in FIGURE.findall(s.text) or y == passage.date[:4] for y in years) / len(years) if years else 1.0,
        ])
    about = _about(q, speaker_tokens) if quoted and q.speech else []
    said_off_topic = bool(about) and not any(
        _holds(tokens[j], t) for i in np.flatnonzero(said_by) for j in _around(candidates, i) for t in about)
    return Described(candidates, np.asarray(rows, dtype=np.float64), tokens, antecedent, said_by, quoted and q.speech,
                     unquoted, quoted and q.speech and not topic, bool(topic) and not coverage.any(), said_off_topic)


_ABOUT = re.compile(r"\b(?:about|regarding|concerning|on the subject of)\b(.+)$", re.IGNORECASE)


def _about(q: Question, speaker_tokens: frozenset[str] | set[str]) -> list[str]:
    """The words of what a "what did X say about Y" question asks X's words to be about (Y's)."""
    found = _ABOUT.search(q.text)
    return [t for t in tokenize([found.group(1)])[0] if t not in speaker_tokens] if found else []


def _around(candidates: Sequence[Sentence], i: int) -> list[int]:
    """Candidate i and the candidates just before and after it in the same passage."""
    return [j for j in (i - 1, i, i + 1) if 0 <= j < len(candidates) and candidates[j].passage == candidates[i].passage]


def _names_kind(kinds: frozenset[str], question_words: set[str], s: Sentence) -> bool:
    """The sentence names something of the kind asked for, other than what the question names
    ("Vladimir Putin" is not new to a question that names Putin)."""
    if not kinds or s.reading is None:
        return False
    return any(m.label in kinds and not question_words & _name_words(s.text[m.start - s.start : m.end - s.start])
               for m in s.reading.mentions)


def _name_words(mention: str) -> set[str]:
    """The words of a mention that carry its name ("the United States": united, states; "42": 42)."""
    words = re.findall(r"\w+", mention)
    named = {w.lower() for w in words if w[0].isupper() or w[0].isdigit()}
    return named or {w.lower() for w in words}


def _verbs_here(verbs: Sequence[str], stems: Sequence[set[str]], s: Sentence, tokens: set[str]) -> float:
    if not verbs:
        return 1.0
    said = s.reading.verbs if s.reading is not None else ()
    return sum(v in said or bool(st and st <= tokens) for v, st in zip(verbs, stems)) / len(verbs)


def figures_in(figures: Sequence[str], text: str) -> float:
    """Share of these numbers written in the text (as whole numbers: "2021" is not in "20215")."""
    found = set(FIGURE.findall(text))
    return sum(f in found for f in figures) / len(figures) if figures else 1.0


def _is_person(name: str, text: str) -> bool:
    """A person, not a country or body: named in full ("Sergey Lavrov") somewhere in the text."""
    if len(name.split()) >= 2:
        return True
    return bool(re.search(rf"\b[A-Z][a-zà-ÿ]+(?:[ \xa0]+[A-Z][a-zà-ÿ]+)?[ \xa0]+{re.escape(name)}\b", text)) and not re.search(
        rf"\bof[ \xa0]+{re.escape(name)}\b", text
    )


def _holds(tokens: set[str], term: str) -> bool:
    """The sentence has the term, or its country/people form (Crimea ~ Crimean, Ukraine ~ Ukrainian)."""
    if term in tokens:
        return True
    if len(term) < 5:
        return False
    return any(
        (t.startswith(term) and len(t) - len(term) <= 3) or (len(t) >= 5 and term.startswith(t) and len(term) - len(t) <= 3)
        for t in tokens
    )
