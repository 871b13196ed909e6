"""Retrieval quality on RealTime QA: answer-in-top-k (as in DPR) for BM25, dense, their fusion,
the learned ranker, and rag.search as a user calls it, each with the question's date and without.

    python benchmarks/retrieval_rtqa.py            # ingests the corpus once (~10 min), then scores

The corpus is read from ../shared/bench/realtimeqa (never copied into the project) and written
as .txt files (title, blank line, body) to a cache folder, then ingested with newsrag's own
pipeline (cleaning, 200-token sentence-aligned chunks). The index is kept in
$NEWSRAG_BENCH_DIR (default ~/.cache/newsrag-bench) so later runs only score.

Reference figures from ../shared/bench/README.md (plain BM25, 200-word chunks, 160 stride):
answer-in-top-4 0.51 dev / 0.46 holdout; answer-in-top-10 0.64 dev / 0.59 holdout.
Tune on dev only; holdout is reported, never tuned on.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rag import Index, Settings  # noqa: E402
from rag.index.embeddings import load_model  # noqa: E402

from rtqa_data import BENCH, CACHE, answer_variants, hits_at, normalise, prepare  # noqa: E402
from search_rows import search_rows, shares  # noqa: E402


def baselines(index: Index, queries: list[dict]) -> dict[str, dict]:
    """Plain BM25, dense, and reciprocal rank fusion of both (newsrag's retrieval before the ranker)."""
    model = load_model()
    found: dict[str, list] = {"bm25": [], "dense": [], "hybrid, reciprocal rank fusion (before)": []}
    for q in queries:
        variants = answer_variants(q["answer"])
        lexical = [c for c, _ in index.lexical.search(q["question"], 50)]
        dense = [c for c, _ in index.store.query(model.embed([q["question"]])[0], 50)]
        fused: dict[str, float] = {}
        for ranking in (dense, lexical):
            for rank, cid in enumerate(ranking):
                fused[cid] = fused.get(cid, 0.0) + 1.0 / (61 + rank)
        rrf = sorted(fused, key=fused.get, reverse=True)
        rows = index.store.get(list(dict.fromkeys(lexical + dense)))
        for name, ranking in (("bm25", lexical), ("dense", dense), ("hybrid, reciprocal rank fusion (before)", rrf)):
            ranking = [rows[c] for c in ranking if c in rows]
            labels = [any(v in normalise(r.text) for v in variants) for r in ranking]
            found[name].append((q["split"], hits_at(labels, [r.meta.tokens for r in ranking])))
    return {name: shares(results) for name, results in found.items()}


def main() -> None:
    from train_ranker import collect, fit, out_of_fold, report

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "retrieval_rtqa.json")
    parser.add_argument("--before", type=Path, default=ROOT / "benchmarks" / "results" / "retrieval_rtqa_before.json",
                        help="benchmarks/search_rows.py's rows for an earlier commit, shown beside these")
    args = parser.parse_args()
    settings = Settings(data_dir=CACHE / "rtqa-index-dated")
    prepare(settings)
    index = Index(settings)
    queries = [json.loads(line) for line in open(BENCH / "queries.jsonl", encoding="utf-8")]
    queries = [q for q in queries if q["type"] == "answerable"]
    table = baselines(index, queries)

    # The ranker on the same candidates: dev figures are 5-fold (each fold ranked by a model fitted
    # on the other dev folds); holdout is ranked by the model fitted on all of dev, as shipped.
    dev = [q for q in queries if q["split"] == "dev"]
    holdout = [q for q in queries if q["split"] == "holdout"]
    dev_pools = collect(index, dev, True) + collect(index, dev, False)
    held = report(dev_pools, out_of_fold(dev_pools, 5))
    model = fit(dev_pools)
    hold_pools = collect(index, holdout, True) + collect(index, holdout, False)
    hold = report(hold_pools, [model.predict(p.x) for p in hold_pools])
    for reading in ("dated", "undated"):
        table[f"learned ranker, {reading} (5-fold dev)"] = {"dev": held[reading], "holdout": hold[reading]}

    # rag.search itself, as a user calls it (the shipped model), with each question's date and with none
    table |= search_rows(index, queries)
    before = json.loads(args.before.read_text(encoding="utf-8")) if args.before.exists() else {}
    table |= {f"{name} before": row for name, row in before.items()}

    for name, row in table.items():
        speed = f"  search(k=10) p50 {row['p50_ms']} ms, p95 {row['p95_ms']} ms" if "p50_ms" in row else ""
        print(f"{name:48s} dev {_short(row['dev'])}  holdout {_short(row['holdout'])}{speed}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"answer_in_top_k": table}, indent=2) + "\n")


def _short(row: dict[str, float]) -> str:
    return " ".join(f"{m.removeprefix('top')}:{v:.3f}" for m, v in row.items() if m.startswith("top"))


if __name__ == "__main__":
    main()
