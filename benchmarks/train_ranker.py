"""Fit the retrieval ranker (rag/models/ranker.onnx and ranker.json) on development data only.

    pip install -e ".[train]"                 # lightgbm, onnxmltools, scikit-learn: fitting only
    python benchmarks/train_ranker.py         # reports 5-fold dev figures, writes the model

Each dev question of RealTime QA is searched as newsrag searches it (rag/answering/retrieve:
gather, then describe) twice: once read against the question's date, and once with no date, as a
user who just asks is searched. Every candidate is labelled by whether it holds the answer. A
LambdaMART ranker (LightGBM) over rag/answering/ranking.FEATURES is fitted on both readings, so
the undated search is a case the model was fitted for, not a dated one with its dates missing;
Platt scaling, fitted on the folds' scores, reads its scores as probabilities.

With --generated, template questions over sentences of articles no RealTime QA question uses
(benchmarks/generate_questions.py), and with --written, questions the packaged language model
wrote for passages of such articles (benchmarks/generate_queries.py), are added to what is fitted
(never to what is scored). Neither ships: on dev folds each made the ranker worse (README).

With --passage-model it refits, instead, the logistic passage model the answer scorer reads
(rag/models/passage_model.json); the answer scorer is then refitted on it.

Before the model that ships is fitted on all of it, 5 folds grouped by question report what it
does on dev questions it was not fitted on. The holdout split is never read here:
benchmarks/retrieval_rtqa.py reports it.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from rtqa_data import BENCH, CACHE, answer_variants, hits_at, normalise, share  # noqa: E402

from rag import Settings  # noqa: E402
from rag.answering.ranking import DATE_FEATURES, FEATURES, PASSAGE_COLUMNS, PASSAGE_FEATURES  # noqa: E402
from rag.answering.retrieve import CANDIDATES, When, describe, gather  # noqa: E402
from rag.index.opened import Index  # noqa: E402

MODELS = ROOT / "rag" / "models"
INDEX = CACHE / "rtqa-index-dated"
TODAY = date(2026, 12, 7)  # "today" for the undated reading: long after every article, as for a user now
# LambdaMART: small trees, each leaf holding many candidates (80 questions' pools are ~12k each way)
PARAMS = dict(n_estimators=300, learning_rate=0.05, num_leaves=7, min_child_samples=40, subsample=0.8,
              subsample_freq=1, colsample_bytree=0.8, random_state=0, deterministic=True, n_jobs=1, verbose=-1)
# A candidate closer to the question on any of these, all else equal, never ranks lower (and one
# published further from the as-of date, or after it, never higher): what the trees learn of them
# then holds on an archive of another size or kind than the one fitted on.
RISING = frozenset({"similarity", "bm25", "dense_rank", "lexical_rank", "doc_similarity", "doc_bm25", "title_words",
                    "names", "coverage", "window", "rarest", "title_coverage", "doc_coverage",
                    "within_3_days", "within_2_weeks", "in_period"})
FALLING = frozenset({"later", "age"})


@dataclass(frozen=True)
class Pool:
    """One question searched one way: its candidates' features, labels and sizes in tokens."""

    question: dict
    dated: bool
    x: np.ndarray
    y: np.ndarray
    tokens: list[int]


def question_date(q: dict) -> date:
    return date.fromisoformat(q["question_date"].replace("/", "-")[:10])


def collect(index: Index, queries: list[dict], dated: bool) -> list[Pool]:
    """Each question searched as newsrag searches it, with its date or with none."""
    total = index.count()
    out = []
    for q in queries:
        when = When(question_date(q)) if dated else When(TODAY, dated=False)
        pool = gather(index, q["question"], CANDIDATES, total, when=when)
        x = describe(index, q["question"], pool, when, {})  # (every RealTime QA article is dated)
        y = np.array([answers(q, c.row) for c in pool.candidates])
        out.append(Pool(q, dated, x, y, [c.row.meta.tokens for c in pool.candidates]))
    return out


def fit(pools: list[Pool]):
    """LightGBM's LambdaMART, each pool a query group."""
    import lightgbm

    x = np.vstack([p.x for p in pools])
    y = np.concatenate([p.y for p in pools]).astype(np.int64)
    rising = [int(name in RISING) - int(name in FALLING) for name in FEATURES]
    return lightgbm.LGBMRanker(**PARAMS, monotone_constraints=rising).fit(x, y, group=[len(p.y) for p in pools])


def calibrate(scores: np.ndarray, labels: np.ndarray) -> dict[str, float]:
    """Platt scaling: the ranking scores read as the probability that a candidate holds the
    answer (each passage's score, as a user sees it)."""
    from sklearn.linear_model import LogisticRegression

    fitted = LogisticRegression(C=1e6, max_iter=1000).fit(scores.reshape(-1, 1), labels.astype(np.int64))
    return {"slope": round(float(fitted.coef_[0][0]), 6), "intercept": round(float(fitted.intercept_[0]), 6)}


def fit_passage_model(pools: list[Pool]) -> dict:
    """The passage model the answer scorer reads (rag/answering/ranking.PassageModel): logistic
    regression over PASSAGE_FEATURES of the dated readings, classes weighed equally, as the
    ranker before LambdaMART was fitted (a426b39). The answer scorer must be refitted on it after
    (benchmarks/train_answerer.py): it was fitted on the shipped one."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    x = np.vstack([p.x[:, PASSAGE_COLUMNS] for p in pools if p.dated])
    y = np.concatenate([p.y for p in pools if p.dated])
    scaler = StandardScaler().fit(x)
    scale = np.where(scaler.scale_ > 0, scaler.scale_, 1.0)
    model = LogisticRegression(C=1.0, class_weight="balanced", max_iter=5000).fit((x - scaler.mean_) / scale, y)
    weights = model.coef_[0] / scale  # the same model on unscaled features
    bias = float(model.intercept_[0] - np.sum(model.coef_[0] * scaler.mean_ / scale))
    dates = x[:, -len(DATE_FEATURES):]
    return {"features": list(PASSAGE_FEATURES), "weights": [round(float(w), 6) for w in weights],
            "bias": round(bias, 6), "neutral": dict(zip(DATE_FEATURES, (round(float(v), 6) for v in dates.mean(0)))),
            "classes": "weighed equally",
            "fitted_on": f"RealTime QA dev, {sum(p.dated for p in pools)} answerable questions, each searched with its date"}


def hits(pool: Pool, scores: np.ndarray) -> dict[str, bool]:
    order = np.argsort(-scores, kind="stable")
    return hits_at([bool(pool.y[i]) for i in order], [pool.tokens[i] for i in order])


def folds_of(pools: list[Pool], folds: int) -> dict[str, int]:
    """A fold per question (all readings of a question fall in the same fold)."""
    ids = sorted({p.question["id"] for p in pools})
    return {qid: i % folds for i, qid in enumerate(ids)}


def out_of_fold(pools: list[Pool], folds: int, extra: list[Pool] = ()) -> list[np.ndarray]:
    """Each pool's scores from a model fitted on the other folds (and `extra`)."""
    fold_of = folds_of(pools, folds)
    scores: list[np.ndarray | None] = [None] * len(pools)
    for i in range(folds):
        model = fit([p for p in pools if fold_of[p.question["id"]] != i] + list(extra))
        for j, p in enumerate(pools):
            if fold_of[p.question["id"]] == i:
                scores[j] = model.predict(p.x)
    return scores


def report(pools: list[Pool], scores: list[np.ndarray]) -> dict[str, dict[str, float]]:
    """Answer-in-top-k shares per reading (dated, undated) over all questions."""
    found: dict[bool, list] = {True: [], False: []}
    for p, s in zip(pools, scores):
        found[p.dated].append(hits(p, s))
    return {("dated" if d else "undated"): share(f) for d, f in found.items() if f}


def answers(q: dict, row) -> bool:
    """Does this chunk answer the question? It holds the answer; for a generated question, only
    a chunk of its own article does; for one written for a passage, a chunk of its article that
    holds the passage's opening or its end."""
    text = normalise(row.text)
    if q.get("doc") and Path(row.meta.path).stem != q["doc"]:
        return False
    if "passage" in q:
        passage = normalise(q["passage"])
        return passage[:60] in text or passage[-60:] in text
    return any(v in text for v in answer_variants(q["answer"]))


def to_onnx(model, path: Path) -> None:
    """The fitted model as ONNX (input "x": float rows of FEATURES; output: one score per row)."""
    from onnxmltools import convert_lightgbm
    from onnxmltools.convert.common.data_types import FloatTensorType

    onx = convert_lightgbm(model.booster_, initial_types=[("x", FloatTensorType([None, len(FEATURES)]))],
                           target_opset=15)
    path.write_bytes(onx.SerializeToString())


def extra_pools(index: Index, name: str, limit: int) -> list[Pool]:
    """Questions made from articles no evaluation question uses, searched both ways, that
    retrieval can learn from (some candidate answers them): "generated" (template questions,
    benchmarks/generate_questions.py) or "written" (by the language model for a passage,
    benchmarks/generate_queries.py)."""
    made_by = {"generated": "generate_questions", "written": "generate_queries"}[name]
    path = CACHE / f"{made_by.replace('generate', 'generated')}.jsonl"
    if not path.exists():
        sys.exit(f"{path} is missing: run benchmarks/{made_by}.py first")
    rows = [r for r in map(json.loads, open(path, encoding="utf-8")) if r.get("question")][:limit]
    queries = [{"id": f"{name}-{i}", "question_date": r["date"]} | {k: r[k] for k in ("question", "doc", "answer", "passage") if k in r}
               for i, r in enumerate(rows)]
    pools = collect(index, queries, True) + collect(index, queries, False)
    return [p for p in pools if p.y.any()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--generated", type=int, default=0, help="fit on this many template questions too")
    parser.add_argument("--written", type=int, default=0, help="fit on this many questions the model wrote too")
    parser.add_argument("--index", type=Path, default=INDEX)
    parser.add_argument("--out", type=Path, default=MODELS)
    parser.add_argument("--dry-run", action="store_true", help="report the folds, write nothing")
    parser.add_argument("--passage-model", action="store_true",
                        help="refit the passage model the answer scorer reads instead (then refit the scorer)")
    args = parser.parse_args()
    index = Index(Settings(data_dir=args.index))
    if index.count() == 0:
        sys.exit("the RealTime QA index is empty: run benchmarks/retrieval_rtqa.py first (it ingests the corpus)")
    queries = [json.loads(line) for line in open(BENCH / "queries.jsonl", encoding="utf-8")]
    dev = [q for q in queries if q["split"] == "dev" and q["type"] == "answerable"]
    if args.passage_model:
        out = args.out / "passage_model.json"
        out.write_text(json.dumps(fit_passage_model(collect(index, dev, True)), indent=2) + "\n", encoding="utf-8")
        print(f"wrote {out}: refit the answer scorer on it (benchmarks/train_answerer.py)")
        return
    pools = collect(index, dev, True) + collect(index, dev, False)
    extra = [p for name in ("generated", "written") if getattr(args, name)
             for p in extra_pools(index, name, getattr(args, name))]
    scores = out_of_fold(pools, args.folds, extra)
    held = report(pools, scores)
    print(f"dev, {args.folds}-fold (each fold ranked by a model fitted on the others): {held}")
    if args.dry_run:
        return
    model = fit(pools + extra)
    calibration = calibrate(np.concatenate(scores), np.concatenate([p.y for p in pools]))
    dated = np.vstack([p.x for p in pools if p.dated])
    neutral = {name: round(float(dated[:, FEATURES.index(name)].mean()), 6) for name in DATE_FEATURES}
    to_onnx(model, args.out / "ranker.onnx")
    meta = {"features": list(FEATURES), "calibration": calibration, "neutral": neutral, "params": PARAMS, "rising": sorted(RISING), "falling": sorted(FALLING),
            "fitted_on": f"RealTime QA dev, {len(dev)} answerable questions, dated and undated"
                         + (f", and {len(extra)} generated pools" if extra else "")
                         + f"; {args.folds}-fold dev {held}"}
    (args.out / "ranker.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    print("importance:", ", ".join(f"{n} {w}" for n, w in zip(FEATURES, model.feature_importances_)))
    print(f"wrote {args.out / 'ranker.onnx'}")


if __name__ == "__main__":
    main()
