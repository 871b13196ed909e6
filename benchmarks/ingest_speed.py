"""Ingest speed: first and repeated ingest of the seeds, and embedding throughput next to the
raw throughput of the same ONNX model called directly (the ceiling).

    python benchmarks/ingest_speed.py                   # the seeds
    python benchmarks/ingest_speed.py --rtqa 300        # plus 300 RealTime QA documents
    python benchmarks/ingest_speed.py --tiny 5000       # plus 5,000 tiny files (one chunk each)

The RealTime QA documents are read from ../shared/bench (never copied into the project) and
written as .txt files to a temporary folder for the run.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import rag  # noqa: E402
from rag import Settings, ingest  # noqa: E402
from rag.index.embeddings import load_model  # noqa: E402
from rag.index.lexical import index_text  # noqa: E402
from rag.index.store import Store  # noqa: E402

BENCH = ROOT.parent / "shared" / "bench"


def raw_throughput(texts: list[str], batch: int, repeats: int) -> float:
    """Chunks/s of the bare ONNX session on pre-tokenised batches: the model's own speed."""
    model = load_model()
    batches = []
    for b in range(0, len(texts), batch):
        enc = model.tokenizer.encode_batch(texts[b : b + batch])
        import numpy as np

        ids = np.array([e.ids for e in enc], dtype=np.int64)
        mask = np.array([e.attention_mask for e in enc], dtype=np.int64)
        batches.append({"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)})
    model.session.run(None, batches[0])  # warm-up
    runs = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for feeds in batches:
            model.session.run(None, feeds)
        runs.append(len(texts) / (time.perf_counter() - t0))
    return statistics.median(runs)


def pipeline_throughput(texts: list[str], batch: int, repeats: int) -> float:
    """Chunks/s of MiniLM.embed (tokenise, run, pool, normalise), as ingest calls it."""
    model = load_model()
    model.embed(texts[:batch], batch)
    runs = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        model.embed(texts, batch)
        runs.append(len(texts) / (time.perf_counter() - t0))
    return statistics.median(runs)


def measure(folder: Path, label: str, repeats: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp) / "index")
        t0 = time.perf_counter()
        first = ingest([folder], settings=settings)
        first_wall = time.perf_counter() - t0
        again_runs = []
        for _ in range(3):
            t0 = time.perf_counter()
            again = ingest([folder], settings=settings)
            again_runs.append(time.perf_counter() - t0)
            assert again.chunks_embedded == 0
        store = Store(settings)
        rows = store.get(store.all_ids())
        texts = [index_text(r.meta.title, r.text) for r in rows.values()]
    batch = settings.embed_batch
    return {
        "corpus": label,
        "files": len(first.by_status("added")),
        "chunks": first.chunks_total,
        "first_ingest_s": round(first_wall, 2),
        "first_embed_s": round(first.embed_seconds, 2),
        "first_other_share": round(1 - first.embed_seconds / first_wall, 2),
        "repeat_ingest_s": round(statistics.median(again_runs), 3),
        "ingest_embed_chunks_per_s": round(first.chunks_embedded / first.embed_seconds, 1),
        "embed_pipeline_chunks_per_s": round(pipeline_throughput(texts, batch, repeats), 1),
        "raw_onnx_chunks_per_s": round(raw_throughput(texts, batch, repeats), 1),
        "batch": batch,
    }


def write_rtqa(n: int, folder: Path) -> None:
    with open(BENCH / "realtimeqa" / "corpus.jsonl", encoding="utf-8") as handle:
        for i, line in enumerate(handle):
            if i >= n:
                break
            doc = json.loads(line)
            (folder / f"{doc['id']}.txt").write_text(f"{doc['title']}\n\n{doc['body']}\n", encoding="utf-8")


def write_tiny(n: int, folder: Path) -> None:
    """n short articles (a title and the first ~500 characters of a RealTime QA body): one chunk
    each, so per-file costs dominate and embedding is a small share."""
    docs = []
    with open(BENCH / "realtimeqa" / "corpus.jsonl", encoding="utf-8") as handle:
        for line in handle:
            doc = json.loads(line)
            paragraphs = [p for p in doc["body"].split("\n") if len(p) > 80]
            if paragraphs:
                docs.append((doc["title"], paragraphs))
    for i in range(n):
        title, paragraphs = docs[i % len(docs)]
        body = paragraphs[(i // len(docs)) % len(paragraphs)][:500]
        (folder / f"tiny-{i:05d}.txt").write_text(f"{title} ({i})\n\n{body}\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rtqa", type=int, default=0, help="also ingest this many RealTime QA documents")
    parser.add_argument("--tiny", type=int, default=0, help="also ingest this many tiny files")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "ingest_speed.json")
    args = parser.parse_args()

    results = [measure(ROOT / "seeds", "seeds", args.repeats)]
    if args.rtqa:
        with tempfile.TemporaryDirectory() as tmp:
            write_rtqa(args.rtqa, Path(tmp))
            results.append(measure(Path(tmp), f"realtimeqa[:{args.rtqa}]", max(1, args.repeats // 3)))
    if args.tiny:
        with tempfile.TemporaryDirectory() as tmp:
            write_tiny(args.tiny, Path(tmp))
            results.append(measure(Path(tmp), f"tiny[{args.tiny}]", 1))
    report = {
        "machine": {"cpus": __import__("os").cpu_count(), "python": platform.python_version()},
        "newsrag": rag.__version__,
        "results": results,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    for r in results:
        print(json.dumps(r))


if __name__ == "__main__":
    main()
