"""Adding one article to a large index: how long everything but embedding takes.

    python benchmarks/add_one.py [INDEX_DIR]     # default: the RealTime QA index of retrieval_rtqa.py

The index is copied to a temporary folder (the original is left alone), the embedding model and
the tiktoken vocabulary are loaded first (a long-running process has them), then one new ~3 KB article (a seed article with an
edition line, so that it must be embedded) is ingested, five times, each into a fresh copy.
Reported: seconds in all, seconds embedding, the rest.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rag import Settings, ingest  # noqa: E402
from rag.index.embeddings import load_model  # noqa: E402
from rag.offline import encoding  # noqa: E402

DEFAULT = Path.home() / ".cache" / "newsrag-bench" / "rtqa-index-dated"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("index", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "add_one.json")
    args = parser.parse_args()
    load_model()
    encoding(Settings().encoding)
    seed = sorted((ROOT / "seeds").glob("*.txt"))[3]
    runs = []
    for n in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            data = Path(tmp) / "index"
            shutil.copytree(args.index, data)
            article = Path(tmp) / f"new-article-{n}.txt"
            article.write_text(seed.read_text(encoding="utf-8") + f"\nEdition {n}, filed late.\n", encoding="utf-8")
            report = ingest([article], settings=Settings(data_dir=data))
            assert report.chunks_embedded > 0, report
            runs.append((report.seconds, report.embed_seconds, report.chunks_total))
    result = {
        "index_chunks": runs[0][2],
        "seconds_median": round(statistics.median(r[0] for r in runs), 3),
        "embedding_median": round(statistics.median(r[1] for r in runs), 3),
        "rest_median": round(statistics.median(r[0] - r[1] for r in runs), 3),
        "rest_all": [round(r[0] - r[1], 3) for r in runs],
    }
    if args.out and str(args.out) != ".":
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
