"""rag.search on RealTime QA as a user calls it: with each question's date, and with none.

    python benchmarks/search_rows.py --out FILE      # the rows for the code checked out here

benchmarks/retrieval_rtqa.py prints these rows for the code it runs with; run from a checkout of an
earlier commit (with this file copied in), this script gives the same rows for the ranker that
commit shipped, on the same index, so that before and after stand in one table.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rag import Index, Settings, search  # noqa: E402
from rag.prompts import count_tokens  # noqa: E402

from rtqa_data import BENCH, CACHE, answer_variants, hits_at, normalise, share  # noqa: E402


def shares(found: list[tuple[str, dict[str, bool]]]) -> dict[str, dict[str, float]]:
    """Share of questions per split and measure."""
    out: dict[str, dict[str, float]] = {}
    for split in ("dev", "holdout"):
        rows = [h for s, h in found if s == split]
        if rows:
            out[split] = share(rows)
    return out


def search_rows(index: Index, queries: list[dict]) -> dict[str, dict]:
    """Answer-in-top-k of rag.search(k=30) read against each question's date and against none,
    and the wall time of search(k=10) each way (warm: the index and models are opened first)."""
    search(queries[0]["question"], 10, index=index)
    table = {}
    for name, dated in (("rag.search(as_of=question date)", True), ("rag.search(), no date", False)):
        found = []
        for q in queries:
            variants = answer_variants(q["answer"])
            passages = search(q["question"], 30, as_of=_as_of(q, dated), index=index)
            labels = [any(v in normalise(p.text) for v in variants) for p in passages]
            found.append((q["split"], hits_at(labels, [count_tokens(p.text) for p in passages])))
        times = []
        for q in queries:
            t0 = time.perf_counter()
            search(q["question"], 10, as_of=_as_of(q, dated), index=index)
            times.append(1000 * (time.perf_counter() - t0))
        times.sort()
        table[name] = shares(found) | {"p50_ms": round(statistics.median(times), 1),
                                       "p95_ms": round(times[int(0.95 * (len(times) - 1))], 1)}
    return table


def _as_of(q: dict, dated: bool) -> str | None:
    return q["question_date"].replace("/", "-") if dated else None


def answerable() -> list[dict]:
    queries = [json.loads(line) for line in open(BENCH / "queries.jsonl", encoding="utf-8")]
    return [q for q in queries if q["type"] == "answerable"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    index = Index(Settings(data_dir=CACHE / "rtqa-index-dated"))
    table = search_rows(index, answerable())
    for name, row in table.items():
        print(f"{name:34s} dev {row['dev']}  holdout {row['holdout']}  p50 {row['p50_ms']} ms")
    args.out.write_text(json.dumps(table, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
