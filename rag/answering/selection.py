"""question + passages -> Evidence: the sentences of the passages that answer the question.

Each sentence of the retrieved passages is scored by
- coverage: the idf-weighted share of the question's content words it holds (stemmed),
- meaning: cosine similarity of its embedding to the question's (the same MiniLM model),
- speaker: for "what did X say" questions, statements attributed to X (quotes, reported speech,
  "according to X", pronouns resolved to X) come first,
- form: "how many" wants a number, "when" a date, "who/which" a name.
The best are kept, near-duplicates across sources merged into one sentence citing every source.
When no sentence clears the bar, or the question names someone or something no passage
mentions, nothing is kept: the articles do not answer it. Every backend is handed this Evidence
(the extractive one writes it out; a language model is asked only when there is some).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from ..index.embeddings import embed_cached
from ..index.lexical import rarest, tokenize
from ..indexing.quotes import name_tokens, same_person
from ..indexing.sentences import points_back
from ..types import Passage
from .evidence import Sentence, article_texts, passage_sentences
from .injection import looks_like_instruction
from .mentions import mentioned
from .question import DATE, MONEY, NUMBER, PROPER, Question, analyse

MIN_SCORE = 0.40  # below this the best sentence does not answer the question (tuned on two seed sets)
MIN_SPEAKER_TOPIC = 0.3  # "what did X say about Y": X's best statement must be this much about Y
KEEP_RATIO = 0.72  # keep sentences scoring at least this share of the best one
MAX_SENTENCES = 5
MAX_SPEAKER_SENTENCES = 6
DUPLICATE = 0.6  # token overlap at which two sentences say the same thing
OFF_ARTICLE = 0.7  # weight of a sentence whose article does not name all the question names



@dataclass(frozen=True)
class Evidence:
    """What the passages hold for a question: its analysis, every sentence of the passages (for
    citing), and the sentences that answer it as (verbatim text, passage numbers), best first."""

    question: Question
    sentences: tuple[Sentence, ...]
    stale: tuple[str, ...]  # sources whose files changed since they were ingested
    picked: tuple[tuple[str, tuple[int, ...]], ...]

    @property
    def answers(self) -> bool:
        return bool(self.picked)

    def within(self, n: int) -> "Evidence":
        """The same evidence for the first n passages only (a model shown fewer of them)."""
        picked = tuple((text, kept) for text, numbers in self.picked if (kept := tuple(x for x in numbers if x <= n)))
        return Evidence(self.question, tuple(s for s in self.sentences if s.passage <= n), self.stale, picked)


def gather_evidence(question: str | Question, passages: Sequence[Passage], idf: dict[str, float]) -> Evidence:
    """The Evidence in these passages (numbered from 1) for `question`."""
    q = analyse(question) if isinstance(question, str) else question
    sentences, stale = passage_sentences(passages)
    picked = select(q, sentences, idf, article_texts(passages))
    return Evidence(q, tuple(sentences), tuple(stale), tuple((text, tuple(numbers)) for text, numbers in picked))


def select(
    q: Question, sentences: Sequence[Sentence], idf: dict[str, float], articles: dict[int, str] | None = None
) -> list[tuple[str, list[int]]]:
    """The sentences that answer `q`, as (verbatim text, passage numbers), best first.
    `articles` (passage number -> its article's text): a sentence whose article does not mention
    everyone and everything the question names counts for less."""
    candidates = [s for s in sentences if not looks_like_instruction(s.text) and len(s.text) > 20]
    about = (
        {n: all(mentioned(e, text) for e in q.entities) for n, text in articles.items()}
        if articles is not None and q.entities
        else {}
    )
    if not candidates:
        return []
    all_text = " ".join(s.text for s in candidates)
    if any(not mentioned(entity, all_text) for entity in q.entities):
        return []  # the question names someone or something no passage mentions

    tokens = [set(t) for t in tokenize([s.text for s in candidates])]
    speaker_tokens = name_tokens(q.speaker) if q.speaker else frozenset()
    said_by = np.array([bool(q.speaker and s.speaker and same_person(q.speaker, s.speaker)) for s in candidates])
    if q.speaker and not said_by.any():
        if q.speech and _is_person(q.speaker, all_text):
            return []  # asked what a person said, and the articles quote nothing of theirs
        q = Question(**{**q.__dict__, "speaker": None})  # "how did Russia respond": answer on topic
        speaker_tokens = frozenset()
    topic = [t for t in q.terms if t not in speaker_tokens]
    heaviest = rarest(idf)
    weights = {t: idf.get(t, heaviest) for t in topic}  # a word no chunk holds weighs as the rarest
    total = sum(weights.values())
    def cover(toks: set[str]) -> float:
        return sum(w for t, w in weights.items() if _holds(toks, t)) / total if total else 0.0

    # "It also called for ...": a sentence that points back is read with the one before it
    antecedent = [
        i - 1 if i and points_back(s.text) and candidates[i - 1].passage == s.passage else None
        for i, s in enumerate(candidates)
    ]
    coverage = np.array([
        max(cover(toks), 0.9 * cover(toks | tokens[a]) if a is not None else 0.0)
        for toks, a in zip(tokens, antecedent)
    ])
    vectors = embed_cached([s.text for s in candidates])
    meaning = np.clip(vectors @ embed_cached([q.text])[0], 0, None)

    score = 0.5 * coverage + 0.5 * meaning if topic else meaning
    form = np.ones(len(candidates))
    asked = {w.lower() for w in q.entities}
    for i, s in enumerate(candidates):
        if about and not about.get(s.passage, True):
            form[i] *= OFF_ARTICLE
        if q.wants_number and not NUMBER.search(s.text):
            form[i] *= 0.55
        if q.wants_money and not MONEY.search(s.text):
            form[i] *= 0.5
        if q.wants_date and not DATE.search(s.text):
            form[i] *= 0.6
        if q.wants_name:
            new_names = {m.group().lower() for m in PROPER.finditer(s.text)} - asked
            form[i] *= 0.7 if not new_names else min(1.3, 1.0 + 0.05 * len(new_names))
    gate = score * np.minimum(form, 1.0)  # whether to answer at all: penalties count, bonuses do not
    score = score * form
    if q.speaker:
        score = np.where(said_by, 0.5 + 0.5 * score, 0.5 * score)

    best = int(np.argmax(score))
    if q.speaker:
        on_topic = (0.5 * coverage + 0.5 * meaning) * form
        if not said_by[best] or (topic and on_topic[said_by].max() < MIN_SPEAKER_TOPIC):
            return []  # nothing they said is about what was asked
    elif gate.max() < MIN_SCORE:
        return []

    limit = MAX_SPEAKER_SENTENCES if q.speaker else MAX_SENTENCES
    floor = score[best] * KEEP_RATIO
    order = [int(i) for i in np.argsort(-score) if score[i] >= floor and (not q.speaker or said_by[i])]
    picked: list[tuple[int, list[int]]] = []
    for i in order:
        twin = next((p for p in picked if _overlap(tokens[i], tokens[p[0]]) >= DUPLICATE), None)
        if twin is not None:
            if candidates[i].passage not in twin[1]:
                twin[1].append(candidates[i].passage)
            continue
        if len(picked) < limit:
            picked.append((i, [candidates[i].passage]))
    # a sentence that points back follows the sentence it points to, which is added if missing
    out: list[tuple[int, list[int]]] = []
    for i, numbers in picked:
        a = antecedent[i]
        if a is not None and all(a != j for j, _ in picked):
            out.append((a, [candidates[a].passage]))
        elif a is not None:
            continue  # placed right after its antecedent below
        out.append((i, numbers))
        out.extend((j, n) for j, n in picked if antecedent[j] == i)
    return [(candidates[i].text, sorted(numbers)) for i, numbers in dict(out).items()]


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


def _overlap(a: set[str], b: set[str]) -> float:
    return len(a & b) / min(len(a), len(b)) if a and b else 0.0
