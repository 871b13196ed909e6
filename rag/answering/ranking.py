"""The learned ranker: candidates from dense and keyword retrieval, described by features any
article has (how close, how many of the question's words and how near each other, which
document, whether it names the kind of thing asked for, how old), ranked by gradient-boosted
trees fitted for ranking (LightGBM's LambdaMART) on development questions only, each searched
with its date and with none, and read as probabilities by a calibration fitted beside it.

The model ships as files (rag/models/ranker.onnx, ranker.json), read with onnxruntime;
`python benchmarks/train_ranker.py` refits them from the RealTime QA dev split and reports
cross-validated figures.

Beside it, the passage model: how likely one candidate is to hold the answer, on its own, from a
logistic model over the simpler features (PASSAGE_FEATURES, classes weighed equally;
rag/models/passage_model.json). It orders nothing; the answer scorer reads it (its feature
`passage_score`) and was fitted on it, so a new ranker does not move what the scorer sees.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from typing import Callable, Mapping, Sequence

import numpy as np

from ..fitted import load_description, load_fitted
from ..index.lexical import rarest, tokenize
from ..index.schema import StoredChunk
from ..language import names_a_kind
from ..timeframe import Period

# What describes a candidate, in the order of the model's columns.
FEATURES = (
    "similarity",  # cosine of the chunk to the question
    "bm25",  # BM25, relative to this question's best
    "dense_rank",  # 1 / (1 + rank) in each list (absent: ranked past the end)
    "lexical_rank",
    "doc_similarity",  # the best similarity among the chunks of the same article
    "doc_bm25",  # ... and its best BM25
    "doc_candidates",  # log(1 + chunks of the article among the candidates)
    "title_words",  # share of the question's words in the article's title
    "names",  # share of the question's names and figures found in the chunk
    "lead",  # the article's first chunk
    "coverage",  # share of the question's words (weighed by idf) the chunk holds
    "window",  # ... that one stretch of WINDOW words of it holds (the words near each other)
    "rarest",  # idf of the rarest question word the chunk holds / of the rarest one asked (1: it holds that one)
    "title_coverage",  # share of the question's words (by idf) in the article's title
    "doc_coverage",  # the best coverage among the chunks of the same article
    "asked_kind",  # the chunk names a thing of the kind asked for (1), none (0), any kind asked (0.5)
    "question_words",  # log(1 + distinct words of the question)
    "dated",  # the question has a date to be read against (1) or none (0: the date features are 0)
    "later",  # published more than a day after the as-of date
    "age",  # log(1 + days from publication to the as-of date)
    "within_3_days",
    "within_2_weeks",
    "in_period",  # published in the period the question names ("this week", "in March")
)
DATE_FEATURES = ("later", "age", "within_3_days", "within_2_weeks", "in_period")
PASSAGE_FEATURES = FEATURES[:10] + DATE_FEATURES  # what the passage model reads (its date features last)
PASSAGE_COLUMNS = [FEATURES.index(name) for name in PASSAGE_FEATURES]  # ... as columns of FEATURES rows
WINDOW = 24  # words
_ASKING = frozenset(tokenize(["what who whom whose which when where why how"])[0])  # the asking, not the topic
_NAME_OR_FIGURE = re.compile(r"\b(?:[A-Z][\w'’.-]*[\w]|\d[\d,.]*)")


@dataclass(frozen=True)
class Candidate:
    row: StoredChunk
    similarity: float
    bm25: float
    dense_rank: int | None  # place in the dense list, None when not in it
    lexical_rank: int | None


@dataclass(frozen=True)
class Asked:
    """What the features read of a question: its words (as BM25 reads them) with their idf, and
    the kinds of thing it asks for (rag/answering/answer_type.py; empty: any)."""

    text: str
    idf: dict[str, float]  # its words (the asking left out), each with its idf
    kinds: frozenset[str]


@dataclass(frozen=True)
class Ranker:
    model: Callable[[np.ndarray], np.ndarray]  # FEATURES rows -> the ranking model's scores
    slope: float  # its scores read as probabilities: 1 / (1 + exp(-(slope * score + intercept)))
    intercept: float
    neutral: dict[str, float]  # the date features of an article of unknown date (a typical candidate's)

    def score(self, x: np.ndarray) -> np.ndarray:
        """The probability that each candidate holds the answer."""
        if not len(x):
            return np.zeros(0)
        return 1.0 / (1.0 + np.exp(-(self.slope * self.model(x) + self.intercept)))


@functools.lru_cache(maxsize=1)
def load_ranker() -> Ranker:
    """The fitted model (rag/models/ranker.onnx, its columns and calibration in ranker.json), opened once."""
    raw, run = load_fitted("ranker", FEATURES, "benchmarks/train_ranker.py")

    def model(x: np.ndarray) -> np.ndarray:
        return run(x).ravel().astype(np.float64)

    calibration = raw["calibration"]
    return Ranker(model, float(calibration["slope"]), float(calibration["intercept"]), dict(raw["neutral"]))


@dataclass(frozen=True)
class PassageModel:
    """How likely a candidate is, on its own, to hold the answer: what the answer scorer reads."""

    weights: np.ndarray  # over PASSAGE_FEATURES
    bias: float
    neutral: dict[str, float]  # its date features when there is no date to read against

    def probability(self, x: np.ndarray) -> np.ndarray:
        """P(each candidate holds the answer), from rows of FEATURES."""
        if not len(x):
            return np.zeros(0)
        cols = x[:, PASSAGE_COLUMNS]
        undated = x[:, FEATURES.index("dated")] == 0
        cols[undated, -len(DATE_FEATURES):] = [self.neutral[n] for n in DATE_FEATURES]
        return 1.0 / (1.0 + np.exp(-(cols @ self.weights + self.bias)))


@functools.lru_cache(maxsize=1)
def load_passage_model() -> PassageModel:
    """rag/models/passage_model.json, read once."""
    raw = load_description("passage_model", PASSAGE_FEATURES, "benchmarks/train_ranker.py --passage-model")
    return PassageModel(np.asarray(raw["weights"], dtype=np.float64), float(raw["bias"]), dict(raw["neutral"]))


def asked(question: str, idf: Mapping[str, float]) -> Asked:
    """The question as the features read it (idf of a word no chunk holds: the rarest's)."""
    from .answer_type import asked_for

    terms = [t for t in tokenize([question])[0] if t not in _ASKING]
    return Asked(question, {t: idf.get(t, rarest(idf)) for t in terms}, asked_for(question).kinds)


def features(
    question: Asked, candidates: list[Candidate], tokens: Mapping[str, Sequence[str]], as_of: int | None,
    period: Period | None, neutral: Mapping[str, float],
) -> np.ndarray:
    """One row of FEATURES per candidate. `tokens` are each chunk's words as BM25 holds them (its
    title's first); as_of and the dates are day numbers (rag/timeframe.py), as_of None when the
    question has no date to be read against. An article of unknown date, when the question has
    one, takes the `neutral` date features (those of a typical candidate)."""
    if not candidates:
        return np.zeros((0, len(FEATURES)))
    pool = max(r for c in candidates for r in (c.dense_rank, c.lexical_rank) if r is not None) + 1
    best_bm25 = max(c.bm25 for c in candidates) or 1.0
    weights = question.idf
    total = sum(weights.values()) or 1.0
    most = max(weights.values(), default=1.0) or 1.0
    titles = {t: _title_words(t) for t in {c.row.meta.title for c in candidates}}
    names = {n.lower() for n in _NAME_OR_FIGURE.findall(question.text.split(None, 1)[1] if " " in question.text else "")}

    per_candidate = []
    for c in candidates:
        words = tokens.get(c.row.id) or ()
        held = set(words) & weights.keys()
        rare = max((weights[t] for t in held), default=0.0)
        per_candidate.append((sum(weights[t] for t in held) / total, _window(words, weights) / total,
                              rare / most if held else 0.0))
    doc_sim: dict[str, float] = {}
    doc_bm25: dict[str, float] = {}
    doc_cov: dict[str, float] = {}
    doc_n: dict[str, int] = {}
    for c, (coverage, _, _) in zip(candidates, per_candidate):
        d = c.row.meta.doc_id
        doc_sim[d] = max(doc_sim.get(d, -1.0), c.similarity)
        doc_bm25[d] = max(doc_bm25.get(d, 0.0), c.bm25 / best_bm25)
        doc_cov[d] = max(doc_cov.get(d, 0.0), coverage)
        doc_n[d] = doc_n.get(d, 0) + 1
    question_words = math.log1p(len(weights))
    rows = []
    for c, (coverage, window, rare) in zip(candidates, per_candidate):
        meta = c.row.meta
        text = c.row.text.lower()
        title = titles[meta.title]
        row = [
            c.similarity,
            c.bm25 / best_bm25,
            1.0 / (1 + (c.dense_rank if c.dense_rank is not None else pool)),
            1.0 / (1 + (c.lexical_rank if c.lexical_rank is not None else pool)),
            doc_sim[meta.doc_id],
            doc_bm25[meta.doc_id],
            math.log1p(doc_n[meta.doc_id]),
            len(weights.keys() & title) / max(1, len(weights)),
            sum(n in text for n in names) / len(names) if names else 0.5,
            float(meta.chunk_index == 0),
            coverage,
            window,
            rare,
            sum(w for t, w in weights.items() if t in title) / total,
            doc_cov[meta.doc_id],
            _kind_named(question.kinds, c.row),
            question_words,
        ]
        day = meta.day
        if as_of is None:  # no date to read against
            row += [0.0] * (1 + len(DATE_FEATURES))
        elif not day:  # none known for the article
            row += [1.0] + [neutral.get(name, 0.0) for name in DATE_FEATURES]
        else:
            age = as_of - day
            row += [1.0, float(age < -1), math.log1p(max(age, 0)), float(0 <= age <= 3), float(0 <= age <= 14),
                    float(period is not None and period.holds(day))]
        rows.append(row)
    return np.asarray(rows, dtype=np.float64)


@functools.lru_cache(maxsize=8192)
def _title_words(title: str) -> frozenset[str]:
    """A title's words as BM25 reads them (an explicit cache: the same articles come back)."""
    return frozenset(tokenize([title])[0])


def _window(words: Sequence[str], weights: Mapping[str, float]) -> float:
    """The most idf of distinct question words that WINDOW consecutive words of the chunk hold."""
    hits = [(i, w) for i, w in enumerate(words) if w in weights]
    best, held, first = 0.0, {}, 0
    for i, word in hits:
        held[word] = held.get(word, 0) + 1
        while i - hits[first][0] >= WINDOW:
            gone = hits[first][1]
            held[gone] -= 1
            if not held[gone]:
                del held[gone]
            first += 1
        best = max(best, sum(weights[t] for t in held))
    return best


def _kind_named(kinds: frozenset[str], row: StoredChunk) -> float:
    """1 when a sentence of the chunk names a thing of a kind asked for, 0 when none does, 0.5
    when the question asks for no kind or the chunk was not read (an older index)."""
    if not kinds or not row.meta.readings:
        return 0.5
    return float(names_a_kind(row.meta.readings, kinds))
