"""question + passages -> Evidence: the sentences of the passages that answer the question.

Every usable sentence is described by features any article has (rag/answering/answerability.py:
how much of the question it covers, how close in meaning, whether it has the form the question
wants, whose statement it is, how its passage ranked ...) and given a probability of answering
the question by a model fitted on development questions only. Below the model's threshold the
articles do not answer it and nothing is kept; above it, the best sentence and those close to
it are kept (for "what did X say", X's statements), near-duplicates across sources merged into
one sentence citing every source (not when different people are reported saying them). Every backend is handed this Evidence (the extractive one
writes it out; a language model is asked only when there is some).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Sequence

import numpy as np

from ..config import Settings
from ..indexing.quotes import same_person
from ..indexing.sentences import points_back
from ..types import Passage
from .answerability import FEATURES, AnswerScorer, Described, describe, figures_in, load_scorer
from .evidence import Sentence, article_texts, passage_sentences
from .mentions import mentioned
from .question import Question, analyse
from .spans import answer_span
from .support import Evidence as Quoted
from .support import check as check_support

MAX_SPEAKER_SENTENCES = 6  # "what did X say": X's statements
MODEL_SENTENCES = 8  # a language model is shown up to this many of the best sentences, with their neighbours
MAX_SOURCE_SENTENCES = 20  # "how many sources report X": at most this many sentences read for sources
DUPLICATE = 0.6  # token overlap at which two sentences say the same thing
CLOSEST_SENTENCES = 2  # shown when nothing answers and the passages may still hold it
_SHORT_CONFIDENCE = Settings.model_fields["short_answer_confidence"].default
READER_CANDIDATES = 4  # the best sentences a language model is asked to judge (rag/answering/reader.py)


@dataclass(frozen=True)
class Evidence:
    """What the passages hold for a question: its analysis, every sentence of the passages (for
    citing), and the sentences that answer it as (verbatim text, passage numbers), best first."""

    question: Question
    sentences: tuple[Sentence, ...]
    stale: tuple[str, ...]  # sources whose files changed since they were ingested
    picked: tuple[tuple[str, tuple[int, ...]], ...]
    confidence: float = 0.0  # the best sentence's probability of answering the question
    short: str | None = None  # the answer inside the best sentence ("2.1 billion euros"), when one is clear
    ranked: tuple[tuple[int, int], ...] = ()  # (passage, start) of the sentences a model is shown, best first
    # when nothing answers: the sentences closest to answering (shown with "the articles do not say
    # this directly"), and why the passages clearly do not hold what is asked ("" when unsure)
    closest: tuple[tuple[str, tuple[int, ...]], ...] = ()
    lacking: str = ""
    # (passage, start) of the best distinct sentences whatever their probability, best first: what a
    # language model judges (none for "what did X say" and for a question no sentence is on)
    candidates: tuple[tuple[int, int], ...] = ()

    @property
    def answers(self) -> bool:
        return bool(self.picked)

    def within(self, n: int) -> "Evidence":
        """The same evidence for the first n passages only (a model shown fewer of them)."""
        return self.for_passages(range(1, n + 1))

    def for_passages(self, order: Sequence[int]) -> "Evidence":
        """The same evidence for these passages only, renumbered 1, 2, ... in this order."""
        new = {old: i for i, old in enumerate(order, 1)}
        picked = tuple((text, kept) for text, numbers in self.picked if (kept := tuple(new[x] for x in numbers if x in new)))
        short = self.short if picked and self.picked and picked[0][0] == self.picked[0][0] else None
        sentences = tuple(replace(s, passage=new[s.passage]) for s in self.sentences if s.passage in new)
        ranked = tuple((new[n], start) for n, start in self.ranked if n in new)
        return Evidence(self.question, sentences, self.stale, picked, self.confidence, short, ranked)

    def sentence_at(self, place: tuple[int, int]) -> Sentence:
        return next(s for s in self.sentences if (s.passage, s.start) == place)

    def judged(self, choice: int) -> "Evidence":
        """The evidence as a reader judged it: candidate `choice` (1-based) answers and leads what
        is picked, or, for 0, none does and what was picked is only the closest there is."""
        if not choice:
            return replace(self, picked=(), short=None, ranked=(), closest=self.picked[:CLOSEST_SENTENCES] or self.closest)
        place = self.candidates[choice - 1]
        text = self.sentence_at(place).text
        numbers = next((n for t, n in self.picked if t == text), (place[0],))
        picked = ((text, numbers),) + tuple(x for x in self.picked if x[0] != text)
        ranked = (place,) + tuple(r for r in (self.ranked or self.candidates) if r != place)
        short = self.short if self.picked and self.picked[0][0] == text else None
        return replace(self, picked=picked, short=short, ranked=ranked, closest=(), lacking="")


def gather_evidence(
    question: str | Question, passages: Sequence[Passage], idf: dict[str, float], scorer: AnswerScorer | None = None,
    threshold: float | None = None, every_source: bool = False, attributed: bool = False,
    short_confidence: float = _SHORT_CONFIDENCE,
) -> Evidence:
    """The Evidence in these passages (numbered from 1) for `question`; `threshold`: the
    probability below which nothing answers (default: the scorer's own). `every_source`: keep a
    sentence from each source that answers, not only the best few (questions about the collection).
    `attributed`: only statements someone is reported to have made answer ("who said X first").
    `short_confidence`: the probability the best sentence needs for its short answer to lead
    (default: Settings's short_answer_confidence, fitted)."""
    q = analyse(question) if isinstance(question, str) else question
    scorer = scorer or load_scorer()
    threshold = scorer.threshold if threshold is None else threshold
    sentences, stale = passage_sentences(passages)
    described = describe(q, sentences, passages, idf, article_texts(passages))
    probability = scorer.probability(described.x)
    # a question the article asks ("How rich is Trump, really?", a subheading) states nothing: never
    # an answer, nor the closest there is (someone's question, quoted, is their statement)
    probability = np.where([_asks(c) for c in described.candidates], 0.0, probability)
    if attributed:
        probability = np.where([c.speaker is not None for c in described.candidates], probability, 0.0)
    confidence = float(probability.max()) if len(probability) else 0.0
    if every_source:  # past the threshold, every sentence as close to the best as a kept one must be
        best_p = float(probability.max()) if len(probability) else 0.0
        floor = best_p * scorer.keep_ratio if best_p >= threshold else threshold
        picked = _one_per_source(pick(described, probability, floor, 0.0, MAX_SOURCE_SENTENCES), passages)
    else:
        # asked what someone said about Y, their words on other things are only the closest there is
        picked = [] if described.said_off_topic else pick(described, probability, threshold, scorer.keep_ratio, scorer.max_sentences)
    best = described.candidates[int(np.argmax(probability))] if picked else None
    # the short answer is read from the best sentence, when it opens the answer (not an antecedent put before it)
    span = (answer_span(q, best) if best is not None and picked[0][0] == best.text and not (described.speech or every_source)
            else None)
    short = best.text[span[0]:span[1]] if span else None
    if short and not check_support(short, [Quoted(best.text, best.speaker)], idf=idf):
        short = None  # shown alone it would say more than its sentence ("Sony has announced ... on 20th October")
    if short and confidence < short_confidence:
        short = None  # put first, it is the answer: only when its sentence is likely to be one
    closest = [] if picked else closest_sentences(described, probability, q.speaker, scorer.keep_ratio)
    return Evidence(q, tuple(sentences), tuple(stale), tuple((text, tuple(numbers)) for text, numbers in picked),
                    confidence,
                    short,
                    _for_a_model(described, probability, scorer.keep_ratio, picked),
                    tuple((text, tuple(numbers)) for text, numbers in closest),
                    "" if picked else lacking(q, described, passages, closest),
                    _candidates(described, probability))


def lacking(q: Question, d: Described, passages: Sequence[Passage], closest: Sequence) -> str:
    """Why these passages clearly do not hold what `q` asks, or "" when they may: a name or a
    number the question is about (a year asked, a person) that no passage mentions, what a
    person said with nothing of theirs quoted and no sentence naming them (`closest`: the
    sentences found closest), or no word of the question's topic anywhere. Short of that, the
    closest sentences are shown as such rather than declined."""
    if not d.candidates:
        return "no sentence of the passages could be read"
    text = " ".join(p.text for p in passages)
    figures = [f for f in q.figures if not figures_in([f], text)]
    if figures:
        return "no passage names " + ", ".join(figures)
    names = [e for e in q.entities if not mentioned(e, text)]
    if names:
        return "no passage mentions " + ", ".join(names)
    if d.unquoted and not closest:  # (for an unquoted speaker, the closest are the sentences naming them)
        return f"nothing {q.speaker} said is quoted and no sentence names them"
    if float(d.x[:, FEATURES.index("best_coverage")].max()) == 0.0:
        return "no passage holds a word of the question"
    return ""


def closest_sentences(d: Described, probability: np.ndarray, speaker: str | None, keep_ratio: float) -> list[tuple[str, list[int]]]:
    """What is shown, said to be only the closest there is, when no sentence is picked: the
    CLOSEST_SENTENCES most likely (within `keep_ratio` of the best), or for a person whose words
    are not quoted, the sentences naming them."""
    return _naming(d, probability, speaker) if d.unquoted else pick(d, probability, 0.0, keep_ratio, CLOSEST_SENTENCES)


def _naming(d: Described, probability: np.ndarray, person: str | None) -> list[tuple[str, list[int]]]:
    """Asked what a person said and nothing is attributed to them (the attribution finder may have
    missed it): the sentences that name them, most likely first, as the closest there is."""
    order = np.argsort(-probability, kind="stable")
    named = [int(i) for i in order if person and mentioned(person, d.candidates[i].text)]
    return [(d.candidates[i].text, [d.candidates[i].passage]) for i in named[:CLOSEST_SENTENCES]]


def _for_a_model(d: Described, probability: np.ndarray, keep_ratio: float, picked) -> tuple[tuple[int, int], ...]:
    """What a language model is shown: the picked sentences, then the next best within the keep
    ratio of the best (for "what did X say", X's statements), up to MODEL_SENTENCES."""
    if not picked:
        return ()
    chosen = {(s.text, s.passage): (s.passage, s.start) for s in d.candidates}
    out = [chosen[(text, n)] for text, numbers in picked for n in numbers[:1] if (text, n) in chosen]
    floor = float(probability.max()) * keep_ratio
    for i in np.argsort(-probability, kind="stable"):
        if len(out) >= MODEL_SENTENCES or probability[i] < floor:
            break
        place = (d.candidates[i].passage, d.candidates[i].start)
        if place not in out and (not d.speech or d.said_by[i]):
            out.append(place)
    return tuple(out[:MODEL_SENTENCES])


def pick(
    d: Described, probability: np.ndarray, threshold: float, keep_ratio: float, max_sentences: int
) -> list[tuple[str, list[int]]]:
    """The sentences to answer with, as (verbatim text, passage numbers), best first: none when
    the best is below `threshold`; else up to `max_sentences` within `keep_ratio` of the best (for
    "what did X say", X's own, up to MAX_SPEAKER_SENTENCES), near-duplicates merged, a sentence
    that points back after the one it points to (and, when that one is not there, not first).
    Asked what a person said, only their statements answer; asked what they said with no topic
    ("What did Kirby say?"), each of them does."""
    if d.unquoted or d.off_topic:  # a sentence with no word of what is asked is never its answer
        return []
    if d.any_statement:
        threshold = 0.0
    if not len(probability) or probability.max() < threshold:
        return []
    limit = MAX_SPEAKER_SENTENCES if d.speech else max_sentences
    floor = max(threshold, probability.max() * keep_ratio)
    order = [int(i) for i in np.argsort(-probability, kind="stable")
             if probability[i] >= floor and (not d.speech or d.said_by[i])]
    picked: list[tuple[int, list[int]]] = []
    for i in order:
        twin = next((p for p in picked if _overlap(d.tokens[i], d.tokens[p[0]]) >= DUPLICATE
                     and not _said_by_others(d.candidates[i], d.candidates[p[0]])), None)
        if twin is not None:
            if d.candidates[i].passage not in twin[1]:
                twin[1].append(d.candidates[i].passage)
            continue
        if len(picked) < limit:
            picked.append((i, [d.candidates[i].passage]))
    out: list[tuple[int, list[int]]] = []
    for i, numbers in picked:
        a = _antecedent(d, i)
        if a is not None and all(a != j for j, _ in picked):
            out.append((a, [d.candidates[a].passage]))
        elif a is not None:
            continue  # placed right after its antecedent below
        out.append((i, numbers))
        out.extend((j, n) for j, n in picked if _antecedent(d, j) == i)
    ordered = list(dict(out).items())
    if ordered and _dangles(d, ordered[0][0]):  # "It was announced ..." with nothing before it to say what
        lead = next((k for k, (i, _) in enumerate(ordered) if not _dangles(d, i)), 0)
        ordered.insert(0, ordered.pop(lead))
    return [(d.candidates[i].text, sorted(numbers)) for i, numbers in ordered]


def _asks(s: Sentence) -> bool:
    """The sentence is a question the article itself puts, not one someone is reported asking."""
    return s.speaker is None and s.text.rstrip(" \"”’'").endswith("?")


def _antecedent(d: Described, i: int) -> int | None:
    """The candidate that candidate i points back to, to be shown before it; never a question the
    article asks ("Who runs his companies? His daughter ...": the answer is shown alone)."""
    a = d.antecedent[i]
    return None if a is None or _asks(d.candidates[a]) else a


def _dangles(d: Described, i: int) -> bool:
    """Candidate i leans on a sentence before it ("It ...", "He added ...") that is not shown with it."""
    return _antecedent(d, i) is None and points_back(d.candidates[i].text)


def _candidates(d: Described, probability: np.ndarray) -> tuple[tuple[int, int], ...]:
    """(passage, start) of the READER_CANDIDATES best sentences, a near-duplicate of a better one left out."""
    if d.speech or d.unquoted or d.off_topic:
        return ()
    kept: list[int] = []
    for i in np.argsort(-probability, kind="stable"):
        if len(kept) == READER_CANDIDATES:
            break
        if all(_overlap(d.tokens[int(i)], d.tokens[j]) < DUPLICATE for j in kept):
            kept.append(int(i))
    return tuple((d.candidates[i].passage, d.candidates[i].start) for i in kept)


def _one_per_source(picked: list[tuple[str, list[int]]], passages: Sequence[Passage]) -> list[tuple[str, list[int]]]:
    """The picked sentences that each bring in a source not cited yet, best first."""
    seen: set[str] = set()
    out = []
    for text, numbers in picked:
        sources = {passages[n - 1].source for n in numbers}
        if sources - seen:
            out.append((text, numbers))
            seen |= sources
    return out


def _said_by_others(a: Sentence, b: Sentence) -> bool:
    """Two people are reported saying it: not one sentence twice, whatever the words share."""
    return bool(a.speaker and b.speaker and not same_person(a.speaker, b.speaker))


def _overlap(a: set[str], b: set[str]) -> float:
    return len(a & b) / min(len(a), len(b)) if a and b else 0.0
