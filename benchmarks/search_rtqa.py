"""`rag.search` on RealTime QA as a user calls it, for one index: answer-in-top-k over the 160
answerable questions (each asked as of its date), and warm latency.

    python benchmarks/search_rtqa.py INDEX_DIR [--copy]

It imports `rag` from wherever Python finds it first, so two versions of newsrag can be compared
in one run: `PYTHONPATH=/path/to/other/checkout python benchmarks/search_rtqa.py ...`. With
--copy the index is searched in a temporary copy (a newer version may bring an older index up to
date, which would change the original).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.append(str(HERE))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("index", type=Path)
    parser.add_argument("--copy", action="store_true")
    args = parser.parse_args()
    import rag
    from rag import Index, Settings, ingest, search
    from rag.prompts import count_tokens
    from retrieval_rtqa import score
    from rtqa_data import BENCH, answer_variants, hits_at, normalise

    with tempfile.TemporaryDirectory() as tmp:
        where = args.index
        if args.copy:
            where = Path(tmp) / "index"
            shutil.copytree(args.index, where)
        index = Index(Settings(data_dir=where))
        ingest([], index=index)  # what a user's first command does to an index this version did not write
        queries = [json.loads(line) for line in open(BENCH / "queries.jsonl", encoding="utf-8")]
        queries = [q for q in queries if q["type"] == "answerable"]
        found, times = [], []
        for q in queries:
            t0 = time.perf_counter()
            passages = search(q["question"], 30, as_of=q["question_date"].replace("/", "-"), index=index)
            times.append(1000 * (time.perf_counter() - t0))
            labels = [any(v in normalise(p.text) for v in answer_variants(q["answer"])) for p in passages]
            found.append((q["split"], hits_at(labels, [count_tokens(p.text) for p in passages])))
        chunks = index.count()  # (while the copy searched still exists)
    out = {"rag": str(Path(rag.__file__).parent), "chunks": chunks, **score(found)}
    out["search_k30_p50_ms"] = round(statistics.median(times), 1)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
