"""Fit the confidence a short answer needs to be put first (rag/config.py: short_answer_confidence,
RAG_SHORT_ANSWER_CONFIDENCE). A short answer ("Los Angeles.") opens the answer as the answer
itself; it is wrong mostly when the best sentence is, and the answer scorer's probability for that
sentence says how likely it is to answer.

    python benchmarks/fit_short_answer_gate.py      # the RealTime QA and RGB indexes of answers_rtqa.py / answers_rgb.py

For every question whose evidence has a short answer (the gate off), its best sentence's
probability and whether the short answer holds the gold (a short answer to an unanswerable
question, or to an RGB negative, is wrong). The threshold is chosen on dev only (RealTime QA dev,
RGB's dev half, answerable and negative): the lowest within one of the most right minus wrong
short answers shown (a wrong one put first costs a user what a right one saves); its 5-fold out-of-fold figures on dev
are printed beside, then the held-out rows (RealTime QA holdout, RGB's held-out half) at the
chosen threshold, read once.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from answers_rgb import CORPORA, golds, half, index_for, queries  # noqa: E402
from rtqa_data import BENCH, CACHE, answer_variants, short_holds  # noqa: E402

from rag import Index, Settings  # noqa: E402
from rag.answering.pipeline import with_speaker_passages  # noqa: E402
from rag.answering.question import analyse  # noqa: E402
from rag.answering.retrieve import check_when, retrieve  # noqa: E402
from rag.answering.selection import gather_evidence  # noqa: E402


def rows() -> dict[str, list[tuple[float, bool]]]:
    """split -> [(best sentence's probability, short answer right)] for questions given one."""
    asked: list[tuple[str, Index, str, list[str], str | None]] = []
    rtqa = Index(Settings(data_dir=CACHE / "rtqa-index-dated", backend="extractive"))
    for line in open(BENCH / "queries.jsonl", encoding="utf-8"):
        q = json.loads(line)
        gold = answer_variants(q["answer"]) if q["type"] == "answerable" else []
        asked.append((q["split"], rtqa, q["question"], gold, q["question_date"].replace("/", "-")[:10]))
    indexes = {form: index_for(corpus) for form, corpus in CORPORA.items() if form != "counterfactual"}
    for q in queries():
        if q["type"] in indexes:
            split = "dev" if half(q["id"]) == "dev" else "holdout"
            asked.append((split, indexes[q["type"]], q["question"], golds(q) if q["type"] == "answerable" else [], None))
    out: dict[str, list] = {"dev": [], "holdout": []}
    for split, index, question, gold, as_of in asked:
        q = analyse(question)
        found = retrieve(index, question, index.settings.top_k, when=check_when(as_of, None, None))
        passages = with_speaker_passages(index, q, found.passages, index.settings.top_k, None)
        evidence = gather_evidence(q, passages, index.idf(), short_confidence=0.0)  # the gate off: fitted here
        if evidence.short:
            out[split].append((evidence.confidence, short_holds(evidence.short, gold)))
    return out


def shown(points: list[tuple[float, bool]], threshold: float) -> tuple[int, int]:
    """(right, wrong) short answers shown at this threshold."""
    kept = [right for p, right in points if p >= threshold]
    return sum(kept), len(kept) - sum(kept)


def choose(points: list[tuple[float, bool]]) -> float:
    """The lowest threshold, among the points' own probabilities, whose right minus wrong shown is
    within one of the best (a short answer is held back only for a reason, not for one point)."""
    candidates = sorted({0.0} | {p for p, _ in points})
    value = {t: shown(points, t)[0] - shown(points, t)[1] for t in candidates}
    best = max(value.values())
    return min(t for t in candidates if value[t] >= best - 1)


def main() -> None:
    data = rows()
    dev = data["dev"]
    threshold = choose(dev)
    random.Random(0).shuffle(dev)
    folds = [dev[i::5] for i in range(5)]
    oof = [0, 0]
    for i, fold in enumerate(folds):
        t = choose([p for j, f in enumerate(folds) if j != i for p in f])
        right, wrong = shown(fold, t)
        oof[0] += right
        oof[1] += wrong
    report = {
        "threshold": round(threshold, 3),
        "dev: gate off (right, wrong)": shown(dev, 0.0),
        "dev: 5-fold out-of-fold (right, wrong)": tuple(oof),
        "dev: chosen threshold, in-sample (right, wrong)": shown(dev, threshold),
        "holdout: gate off (right, wrong)": shown(data["holdout"], 0.0),
        "holdout: chosen threshold (right, wrong)": shown(data["holdout"], threshold),
    }
    print(json.dumps(report, indent=1))
    (ROOT / "benchmarks" / "results" / "short_answer_gate.json").write_text(json.dumps(report, indent=1) + "\n")


if __name__ == "__main__":
    main()
