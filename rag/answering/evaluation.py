"""`rag eval`: run a question set (see ../shared/eval/README.md) and score the answers.

Each line: {"id", "question", "answerable", "gold_sources": [file names], "must_include": [[alternatives], ...]}.
Scores: fact recall (mean over answerable questions of fact groups met), source hit (a citation
names a gold source), citation validity (each quote is the file's text at its offsets),
abstention accuracy (unanswerable: declined, or hedged with the closest sentences; answerable:
answered), how many of each kind were answered, hedged and declined (an answerable question
declined is the costly failure), and latency percentiles.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from .pipeline import answer
from ..config import Settings
from ..index.opened import Index, open_index
from .evidence import verify
from ..types import ANSWER_STATUSES, Answer


@dataclass
class QuestionResult:
    id: str
    question: str
    answerable: bool
    abstained: bool
    fact_recall: float | None
    source_hit: bool | None
    citations: int
    valid_citations: int
    seconds: float
    missing: list[str] = field(default_factory=list)  # fact groups not met
    answer: str = ""
    status: str = "answered"  # the Answer's: answered, hedged or declined


@dataclass
class EvalReport:
    backend: str
    questions: int
    fact_recall: float
    source_hit: float
    citation_validity: float
    abstention_accuracy: float
    latency_p50: float
    latency_p95: float
    results: list[QuestionResult]
    # {"answerable": {"answered": n, "hedged": n, "declined": n}, "unanswerable": {...}}
    outcomes: dict[str, dict[str, int]] = field(default_factory=dict)
    answerable_declined: float = 0.0  # share of answerable questions declined

    def to_dict(self) -> dict:
        return asdict(self)


def load_questions(path: str | os.PathLike) -> list[dict]:
    items = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if line.strip():
                try:
                    items.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise ValueError(f"{path}:{number}: not JSON ({exc.msg})") from exc
    return items


def score(item: dict, result: Answer, seconds: float) -> QuestionResult:
    text = result.text.lower()
    answerable = bool(item.get("answerable", True))
    groups = item.get("must_include") or []
    met = [any(alt.lower() in text for alt in group) for group in groups]
    gold = {Path(g).name for g in item.get("gold_sources") or []}
    valid = sum(verify(c.path, c.encoding, c.start, c.end, c.quote) for c in result.citations)
    return QuestionResult(
        id=str(item.get("id", "")),
        question=item["question"],
        answerable=answerable,
        abstained=result.abstained,
        fact_recall=(sum(met) / len(groups) if groups else 1.0) if answerable else None,
        source_hit=any(c.name in gold for c in result.citations) if answerable and gold else None,
        citations=len(result.citations),
        valid_citations=valid,
        seconds=seconds,
        missing=[" / ".join(g) for g, ok in zip(groups, met) if not ok],
        answer=result.text,
        status=result.status,
    )


def evaluate(
    path: str | os.PathLike,
    *,
    backend: str | None = None,
    k: int | None = None,
    settings: Settings | None = None,
    index: Index | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> EvalReport:
    index = open_index(settings, index)
    settings = index.settings
    items = load_questions(path)
    results: list[QuestionResult] = []
    used_backend = backend or settings.backend
    for i, item in enumerate(items):
        t0 = time.perf_counter()
        result = answer(item["question"], k=k, backend=backend, index=index)
        results.append(score(item, result, time.perf_counter() - t0))
        used_backend = result.backend
        if progress:
            progress(i + 1, len(items))
    return summarise(results, used_backend)


def summarise(results: Sequence[QuestionResult], backend: str) -> EvalReport:
    answerable = [r for r in results if r.answerable]
    with_gold = [r for r in answerable if r.source_hit is not None]
    cited = sum(r.citations for r in results)
    abstention_ok = [r.status == "answered" if r.answerable else r.status != "answered" for r in results]
    outcomes = {kind: {status: sum(r.status == status for r in results if r.answerable == (kind == "answerable"))
                       for status in ANSWER_STATUSES} for kind in ("answerable", "unanswerable")}
    seconds = [r.seconds for r in results] or [0.0]
    return EvalReport(
        backend=backend,
        questions=len(results),
        fact_recall=float(np.mean([r.fact_recall for r in answerable])) if answerable else 0.0,
        source_hit=float(np.mean([r.source_hit for r in with_gold])) if with_gold else 0.0,
        citation_validity=(sum(r.valid_citations for r in results) / cited) if cited else 1.0,
        abstention_accuracy=float(np.mean(abstention_ok)) if results else 0.0,
        latency_p50=float(np.percentile(seconds, 50)),
        latency_p95=float(np.percentile(seconds, 95)),
        results=list(results),
        outcomes=outcomes,
        answerable_declined=outcomes["answerable"]["declined"] / len(answerable) if answerable else 0.0,
    )
