"""How long the `rag` command takes to start, as a user runs it (a new process each time).

    python benchmarks/cli_startup.py            # 7 runs of each, the median and the slowest

`rag --help` and `rag ask -h` import nothing heavy (goal: under 0.3 s); `rag ask` and
`rag search` on the seed index pay for opening the index and loading the models once.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE = Path.home() / ".cache" / "newsrag-bench"  # the seed index answers_models.py builds, too
RAG = [sys.executable, "-m", "rag.cli"]
COMMANDS = {
    "rag --help": ["--help"],
    "rag ask -h": ["ask", "-h"],
    "rag --version": ["--version"],
    "rag sources": ["sources"],
    "rag search": ["search", "What did Kirby say?", "-k", "3"],
    "rag ask": ["ask", "What did Kirby say?"],
}


def timed(argv: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(RAG + argv, env=env, cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "cli_startup.json")
    args = parser.parse_args()
    env = {**os.environ, "RAG_DATA_DIR": str(CACHE / "seeds-index"), "RAG_ENV_FILE": ""}
    subprocess.run(RAG + ["ingest", "seeds/"], env=env, cwd=ROOT, check=True, capture_output=True)
    report = {}
    for name, argv in COMMANDS.items():
        timed(argv, env)  # the first run warms the OS's file cache
        runs = [timed(argv, env) for _ in range(args.runs)]
        report[name] = {"median_s": round(statistics.median(runs), 3), "max_s": round(max(runs), 3)}
        print(f"{name:16} median {report[name]['median_s']:.3f} s, slowest {report[name]['max_s']:.3f} s")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
