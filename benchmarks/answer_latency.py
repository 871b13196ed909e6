"""Answer latency and quality on the seed question sets.

    python benchmarks/answer_latency.py [--eval ../shared/eval/seeds_qa.jsonl] [--repeats 5]

Reports, for the extractive backend: the eval figures of each question set, warm answer latency
(p50/p95 over every question, repeated, after one warm-up pass) and the wall time of a cold
`rag ask` (a new process, the index already built) and of a first `rag ask` on an empty index
(which ingests seeds/ first).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rag import Settings, answer, ingest  # noqa: E402
from rag.answering.evaluation import evaluate, load_questions  # noqa: E402

DEFAULT_SETS = [ROOT.parent / "shared" / "eval" / "seeds_qa.jsonl", ROOT / "benchmarks" / "data" / "seeds_extra.jsonl"]


def cold_ask(data_dir: Path) -> float:
    rag = Path(sys.executable).with_name("rag")
    env = os.environ | {"RAG_DATA_DIR": str(data_dir)}
    t0 = time.perf_counter()
    subprocess.run([str(rag), "ask", "What did Kirby say?"], check=True, capture_output=True, env=env, cwd=ROOT)
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--eval", type=Path, action="append", help="question set(s); default: both seed sets")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "answer_latency.json")
    args = parser.parse_args()
    sets = [p for p in (args.eval or DEFAULT_SETS) if p.exists()]

    report: dict = {"backend": "extractive", "sets": {}}
    with tempfile.TemporaryDirectory() as tmp:
        empty = Path(tmp) / "fresh"
        report["first_ask_on_empty_index_s"] = round(cold_ask(empty), 2)  # ingests seeds/, then answers
        report["cold_ask_s"] = round(min(cold_ask(empty) for _ in range(3)), 2)  # index built, new process

        settings = Settings(data_dir=Path(tmp) / "index", backend="extractive")
        ingest([ROOT / "seeds"], settings=settings)
        questions = [q["question"] for path in sets for q in load_questions(path)]
        for q in questions:  # warm-up: model loaded, caches filled once
            answer(q, settings=settings)
        times = []
        for _ in range(args.repeats):
            for q in questions:
                t0 = time.perf_counter()
                answer(q, settings=settings)
                times.append(time.perf_counter() - t0)
        report["warm_latency_ms"] = {
            "p50": round(1000 * float(np.percentile(times, 50)), 1),
            "p95": round(1000 * float(np.percentile(times, 95)), 1),
            "answers": len(times),
        }
        for path in sets:
            r = evaluate(path, settings=settings)
            report["sets"][path.name] = {
                "questions": r.questions,
                "fact_recall": round(r.fact_recall, 3),
                "source_hit": round(r.source_hit, 3),
                "citation_validity": round(r.citation_validity, 3),
                "abstention_accuracy": round(r.abstention_accuracy, 3),
            }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
