"""Fit the retrieval ranker (rag/models/ranker.json) on the RealTime QA dev split only.

    pip install -e ".[train]"                 # scikit-learn, for fitting only
    python benchmarks/train_ranker.py         # reports 5-fold dev figures, writes the weights

Each dev question is searched as newsrag searches it (rag/answering/retrieve.gather, with the
question's date as the as-of date); every candidate is labelled by whether it contains the
answer. A logistic regression (balanced classes, standardised features) is fitted on all dev
questions and written as plain weights; before that, 5 folds grouped by question report what
the ranker does on dev questions it was not fitted on. The holdout split is never read here:
benchmarks/retrieval_rtqa.py reports it.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from rtqa_data import BENCH, CACHE, answer_variants, normalise  # noqa: E402

from rag import Settings  # noqa: E402
from rag.answering.ranking import DATE_FEATURES, FEATURES, features  # noqa: E402
from rag.answering.retrieve import CANDIDATES, When, gather  # noqa: E402
from rag.index.opened import Index  # noqa: E402

OUT = ROOT / "rag" / "models" / "ranker.json"


def question_date(q: dict) -> date:
    return date.fromisoformat(q["question_date"].replace("/", "-")[:10])


def collect(index: Index, queries: list[dict]) -> list[tuple[dict, list, np.ndarray, np.ndarray]]:
    """(question, candidates, features with no neutral filled in, labels) per question."""
    total = index.count()
    out = []
    for q in queries:
        when = When(question_date(q))
        pool = gather(index, q["question"], CANDIDATES, total, when=when)
        nan = {name: float("nan") for name in DATE_FEATURES}  # dates unknown: filled in after fitting
        x = features(q["question"], pool.candidates, when.as_of.toordinal(), pool.period, nan)
        variants = answer_variants(q["answer"])
        y = np.array([any(v in normalise(c.row.text) for v in variants) for c in pool.candidates])
        out.append((q, pool.candidates, x, y))
    return out


def fit(rows: list[tuple]) -> dict:
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    x = np.vstack([r[2] for r in rows])
    y = np.concatenate([r[3] for r in rows])
    known = {name: x[:, FEATURES.index(name)] for name in DATE_FEATURES}
    neutral = {name: float(np.nanmean(v)) if np.isfinite(v).any() else 0.0 for name, v in known.items()}
    x = _fill(x, neutral)
    scaler = StandardScaler().fit(x)
    scale = np.where(scaler.scale_ > 0, scaler.scale_, 1.0)
    model = LogisticRegression(C=1.0, class_weight="balanced", max_iter=5000).fit((x - scaler.mean_) / scale, y)
    weights = model.coef_[0] / scale  # the same model on unscaled features
    bias = float(model.intercept_[0] - np.sum(model.coef_[0] * scaler.mean_ / scale))
    return {"features": list(FEATURES), "weights": [round(float(w), 6) for w in weights], "bias": round(bias, 6),
            "neutral": {k: round(v, 6) for k, v in neutral.items()}}


def _fill(x: np.ndarray, neutral: dict) -> np.ndarray:
    x = x.copy()
    for name, value in neutral.items():
        column = x[:, FEATURES.index(name)]
        column[np.isnan(column)] = value
    return x


def ranked_labels(row: tuple, model: dict) -> tuple[list[bool], list[int]]:
    """The candidates' labels and token counts in the order the model ranks them."""
    _, candidates, x, y = row
    order = np.argsort(-(_fill(x, model["neutral"]) @ np.asarray(model["weights"]) + model["bias"]), kind="stable")
    return [bool(y[i]) for i in order], [candidates[i].row.meta.tokens for i in order]


def cross_validated(rows: list[tuple], folds: int) -> dict[str, float]:
    """Each fold ranked by a model fitted on the other folds; shares over all questions."""
    from rtqa_data import hits_at

    parts = [rows[i::folds] for i in range(folds)]
    found = []
    for i, part in enumerate(parts):
        model = fit([r for j, p in enumerate(parts) if j != i for r in p])
        found += [hits_at(*ranked_labels(r, model)) for r in part]
    return {m: round(sum(h[m] for h in found) / len(found), 3) for m in found[0]}


def in_sample(rows: list[tuple], model: dict) -> dict[str, float]:
    from rtqa_data import hits_at

    found = [hits_at(*ranked_labels(r, model)) for r in rows]
    return {m: round(sum(h[m] for h in found) / len(found), 3) for m in found[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    index = Index(Settings(data_dir=CACHE / "rtqa-index-dated"))
    if index.count() == 0:
        sys.exit("the RealTime QA index is empty: run benchmarks/retrieval_rtqa.py first (it ingests the corpus)")
    queries = [json.loads(line) for line in open(BENCH / "queries.jsonl", encoding="utf-8")]
    dev = [q for q in queries if q["split"] == "dev" and q["type"] == "answerable"]
    rows = collect(index, dev)
    held = cross_validated(rows, args.folds)
    model = fit(rows)
    print(f"dev, {args.folds}-fold (each fold ranked by a model fitted on the others): {held}")
    print(f"dev, fitted on all of it (not a result): {in_sample(rows, model)}")
    model["fitted_on"] = f"RealTime QA dev, {len(rows)} answerable questions; {args.folds}-fold dev {held}"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(model, indent=2) + "\n", encoding="utf-8")
    print("weights:", ", ".join(f"{n} {w:+.2f}" for n, w in zip(FEATURES, model["weights"])))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
