"""The learned ranker: candidates from dense and keyword retrieval, described by features any
article has (how close, how many query words, which document, how old), scored by a logistic
model fitted on development questions only.

The weights ship as a file (rag/models/ranker.json); `python benchmarks/train_ranker.py`
refits them from the RealTime QA dev split and reports cross-validated figures.
"""

from __future__ import annotations

import functools
import json
import math
import re
from dataclasses import dataclass
from importlib import resources

import numpy as np

from ..index.lexical import tokenize
from ..index.schema import StoredChunk
from ..timeframe import Period

# What describes a candidate, in the order of the model's weights.
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
    "later",  # published more than a day after the as-of date
    "age",  # log(1 + days from publication to the as-of date)
    "within_3_days",
    "within_2_weeks",
    "in_period",  # published in the period the question names ("this week", "in March")
)
DATE_FEATURES = ("later", "age", "within_3_days", "within_2_weeks", "in_period")
_NAME_OR_FIGURE = re.compile(r"\b(?:[A-Z][\w'’.-]*[\w]|\d[\d,.]*)")


@dataclass(frozen=True)
class Candidate:
    row: StoredChunk
    similarity: float
    bm25: float
    dense_rank: int | None  # place in the dense list, None when not in it
    lexical_rank: int | None


@dataclass(frozen=True)
class Ranker:
    weights: np.ndarray
    bias: float
    neutral: dict[str, float]  # a date feature's value when the article's date is unknown

    def score(self, x: np.ndarray) -> np.ndarray:
        """The probability that each candidate holds the answer."""
        return 1.0 / (1.0 + np.exp(-(x @ self.weights + self.bias)))


@functools.lru_cache(maxsize=1)
def load_ranker() -> Ranker:
    raw = json.loads(resources.files("rag").joinpath("models/ranker.json").read_text(encoding="utf-8"))
    if tuple(raw["features"]) != FEATURES:
        raise RuntimeError("rag/models/ranker.json was fitted on other features: run benchmarks/train_ranker.py")
    return Ranker(np.asarray(raw["weights"], dtype=np.float64), float(raw["bias"]), dict(raw["neutral"]))


def features(
    question: str, candidates: list[Candidate], as_of: int, period: Period | None, neutral: dict[str, float]
) -> np.ndarray:
    """One row of FEATURES per candidate (as_of and the dates as day numbers, rag/timeframe.py)."""
    if not candidates:
        return np.zeros((0, len(FEATURES)))
    pool = max(r for c in candidates for r in (c.dense_rank, c.lexical_rank) if r is not None) + 1
    best_bm25 = max(c.bm25 for c in candidates) or 1.0
    doc_sim: dict[str, float] = {}
    doc_bm25: dict[str, float] = {}
    doc_n: dict[str, int] = {}
    for c in candidates:
        d = c.row.meta.doc_id
        doc_sim[d] = max(doc_sim.get(d, -1.0), c.similarity)
        doc_bm25[d] = max(doc_bm25.get(d, 0.0), c.bm25 / best_bm25)
        doc_n[d] = doc_n.get(d, 0) + 1
    asked = set(tokenize([question])[0])
    names = {n.lower() for n in _NAME_OR_FIGURE.findall(question.split(None, 1)[1] if " " in question else "")}
    unique_titles = sorted({c.row.meta.title for c in candidates})
    titles = {t: set(words) for t, words in zip(unique_titles, tokenize(unique_titles))}
    rows = []
    for c in candidates:
        meta = c.row.meta
        text = c.row.text.lower()
        row = [
            c.similarity,
            c.bm25 / best_bm25,
            1.0 / (1 + (c.dense_rank if c.dense_rank is not None else pool)),
            1.0 / (1 + (c.lexical_rank if c.lexical_rank is not None else pool)),
            doc_sim[meta.doc_id],
            doc_bm25[meta.doc_id],
            math.log1p(doc_n[meta.doc_id]),
            len(asked & titles.get(meta.title, set())) / max(1, len(asked)),
            sum(n in text for n in names) / len(names) if names else 0.5,
            float(meta.chunk_index == 0),
        ]
        day = meta.day
        if day:
            age = as_of - day
            row += [float(age < -1), math.log1p(max(age, 0)), float(0 <= age <= 3), float(0 <= age <= 14),
                    float(period is not None and period.holds(day))]
        else:
            row += [neutral.get(name, 0.0) for name in DATE_FEATURES]
        rows.append(row)
    return np.asarray(rows, dtype=np.float64)
