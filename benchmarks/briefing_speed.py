"""Briefing speed on the seeds: cold (first call in a process: model load, sentence embeddings)
and warm (later calls), extractive backend, with and without a topic.

    python benchmarks/briefing_speed.py [--repeats 10]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rag import Settings, briefing, ingest  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "briefing_speed.json")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp) / "index", backend="extractive")
        ingest([ROOT / "seeds"], settings=settings)
        report = {}
        for label, topic in (("all articles", None), ("topic 'ICC warrant'", "ICC warrant")):
            t0 = time.perf_counter()
            b = briefing(topic, settings=settings)
            cold = time.perf_counter() - t0
            warm = []
            for _ in range(args.repeats):
                t0 = time.perf_counter()
                briefing(topic, settings=settings)
                warm.append(time.perf_counter() - t0)
            report[label] = {
                "first_call_s": round(cold, 2),
                "warm_median_s": round(statistics.median(warm), 3),
                "warm_max_s": round(max(warm), 3),
                "citations": len(b.citations),
                "points": len(b.points),
                "speakers": len(b.speakers),
                "differences": len(b.differences),
            }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
