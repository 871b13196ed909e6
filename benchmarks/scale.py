"""Scale: what adding one article, re-ingesting an unchanged folder and searching cost as the
archive grows to 10k, 100k and 1M chunks.

    python benchmarks/scale.py [--sizes 10000,100000,1000000] [--folder 10000]

The archive is grown from the RealTime QA index of benchmarks/retrieval_rtqa.py (10,009 real
chunks of 945 articles, their MiniLM vectors): every further "edition" of it is written straight
into the store, the BM25 index and the article manifest, as ingest writes them, with each chunk's
text marked by its edition and its vector moved by a little noise (so the vectors stay as
clustered as real news). Writing a million chunks through the whole pipeline (reading, cleaning,
chunking, embedding) would take a day on 2 cores; what is measured here is the cost of the index
at each size, not the pipeline, whose per-file cost does not depend on the archive's size.

At each size, in a fresh process each (as a long-running process would be, the model loaded):
- adding one new ~3 KB article with `ingest()` (the real pipeline and the real MiniLM model):
  seconds in all, seconds embedding, and the rest: the index's overhead, median of 5;
- `search(k=10)` for the 160 RealTime QA questions, warm: p50 and p95, and the process's peak
  memory (RSS).
Separately (--folder N): a folder of N small files is ingested once, then `rag ingest FOLDER` is
timed as a whole process with nothing changed, median of 3. That first ingest embeds with a FAST
DETERMINISTIC STAND-IN (hashed words projected to 384 dimensions) instead of MiniLM, to spend
minutes and not hours; the re-ingest embeds nothing either way.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from rag import Index, Settings, ingest, search  # noqa: E402
from rag.index.articles import ArticleRecord  # noqa: E402
from rag.index.lexical import index_text, tokenize  # noqa: E402
from rag.index.schema import chunk_id, doc_id_for  # noqa: E402

from retrieval_rtqa import search_latency  # noqa: E402
from rtqa_data import BENCH, CACHE  # noqa: E402

BASE = CACHE / "rtqa-index-dated"
SCALE = CACHE / "scale-index"
RAG = str(Path(sys.executable).with_name("rag"))


# --- growing the archive ---------------------------------------------------------------------------

def base_rows(index: Index):
    """The real archive: every chunk (text, metadata, vector, tokens) and every article record."""
    ids = index.store.all_ids()
    rows = index.store.get(ids, embeddings=True)
    tokens = tokenize([index_text(r.meta.title, r.text) for r in rows.values()])
    records = {r.doc_id: r for r in index.store.articles.all()}
    return list(rows.values()), tokens, records


def grow(index: Index, target: int, base, rng: np.random.Generator) -> None:
    """Write editions of the base archive until the store holds `target` chunks."""
    rows, tokens, records = base
    by_doc: dict[str, list[int]] = {}
    for i, r in enumerate(rows):
        by_doc.setdefault(r.meta.doc_id, []).append(i)
    edition = index.store.exact_count() // len(rows)
    store, lexical, articles = index.store, index.lexical, index.store.articles
    while store.exact_count() < target:
        t0 = time.perf_counter()
        chunk_batch: list = []
        lexical_batch: list = []
        record_batch: list = []
        for doc_id, members in by_doc.items():
            record = records[doc_id]
            path = f"/archive/edition-{edition:04d}/{Path(record.path).name}"
            new_doc = doc_id_for(path)
            vectors = []
            for i in members:
                r = rows[i]
                cid = chunk_id(new_doc, r.meta.version, r.meta.chunk_index)
                vector = r.embedding + rng.normal(0, 0.01, len(r.embedding)).astype(np.float32)
                vector /= np.linalg.norm(vector)
                vectors.append(vector)
                text = f"{r.text} (edition {edition})"
                meta = replace(r.meta, path=path, source=path, doc_id=new_doc)
                chunk_batch.append((cid, vector, text, meta))
                lexical_batch.append((cid, new_doc, meta.day, tokens[i] + [f"edition{edition}"]))
            mean = np.mean(vectors, axis=0)
            record_batch.append((replace(record, doc_id=new_doc, path=path, source=path), mean / np.linalg.norm(mean)))
            if len(chunk_batch) >= 2000:
                _flush(store, lexical, articles, chunk_batch, lexical_batch, record_batch)
        _flush(store, lexical, articles, chunk_batch, lexical_batch, record_batch)
        edition += 1
        print(f"  edition {edition}: {store.exact_count():,} chunks ({time.perf_counter() - t0:.0f} s)", file=sys.stderr, flush=True)
    articles.set_state(clean=True, chunks=store.exact_count())


def _flush(store, lexical, articles, chunks, lexical_rows, records) -> None:
    if chunks:
        store.upsert([c[0] for c in chunks], [c[1] for c in chunks], [c[2] for c in chunks], [c[3] for c in chunks])
        lexical.update(lexical_rows)
    if records:
        articles.put([r for r, _ in records], [v for _, v in records])
    chunks.clear()
    lexical_rows.clear()
    records.clear()


# --- what is measured, each in a fresh process ----------------------------------------------------

def measure(data_dir: Path, runs: int) -> dict:
    from rag.index.embeddings import load_model
    from rag.offline import encoding

    settings = Settings(data_dir=data_dir)
    load_model()
    encoding(settings.encoding)
    index = Index(settings)
    seed = sorted((ROOT / "seeds").glob("*.txt"))[3].read_text(encoding="utf-8")
    adds = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in range(runs):
            article = Path(tmp) / f"late-edition-{time.time_ns()}.txt"
            article.write_text(seed + f"\nLate edition {n}, filed {time.time_ns()}.\n", encoding="utf-8")
            report = ingest([article], settings=settings, index=index)
            assert report.chunks_embedded > 0, report
            adds.append((report.seconds, report.embed_seconds))
    queries = [json.loads(line) for line in open(BENCH / "queries.jsonl", encoding="utf-8")]
    search("warm up", 10, index=index)
    latency = search_latency(index, queries)
    rest = sorted(s - e for s, e in adds)
    return {
        "chunks": index.count(),
        "articles": index.store.articles.count(),
        "add_one_seconds_median": round(statistics.median(s for s, _ in adds), 3),
        "add_one_embedding_median": round(statistics.median(e for _, e in adds), 3),
        "add_one_overhead_median": round(statistics.median(rest), 3),
        "add_one_overhead_all": [round(r, 3) for r in rest],
        "search_p50_ms": latency["p50_ms"],
        "search_p95_ms": latency["p95_ms"],
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


# --- an unchanged folder of many files ----------------------------------------------------------------

class StandIn:
    """A FAST DETERMINISTIC STAND-IN for the embedding model (hashed words, projected): used only
    to fill the folder benchmark's index quickly; it pretends to be MiniLM so that the real
    `rag ingest` that follows takes the files for unchanged."""

    def __init__(self, dim: int = 384) -> None:
        self.projection = np.random.default_rng(7).normal(size=(4096, dim)).astype(np.float32)

    def embed(self, texts, batch_size=32, on_batch=None):
        out = np.zeros((len(texts), self.projection.shape[1]), np.float32)
        for i, t in enumerate(texts):
            for w in t.lower().split():
                out[i] += self.projection[int(hashlib.md5(w.encode()).hexdigest()[:6], 16) % 4096]
        return out / np.clip(np.linalg.norm(out, axis=1, keepdims=True), 1e-9, None)


def folder_benchmark(n: int) -> dict:
    import rag.indexing.write as write

    docs = [json.loads(line) for line in open(BENCH / "corpus.jsonl", encoding="utf-8")]
    paragraphs = [p for d in docs for p in d["body"].split("\n\n") if len(p.split()) > 25]
    with tempfile.TemporaryDirectory() as tmp:
        folder, data = Path(tmp) / "folder", Path(tmp) / "index"
        for i in range(n):
            sub = folder / f"{i // 1000:02d}"
            sub.mkdir(parents=True, exist_ok=True)
            (sub / f"note-{i:05d}.txt").write_text(f"Note {i}\n\n{paragraphs[i % len(paragraphs)]}\n", encoding="utf-8")
        write.index_embedder = lambda settings: StandIn()
        t0 = time.perf_counter()
        first = ingest([folder], settings=Settings(data_dir=data))
        first_s = time.perf_counter() - t0
        env = os.environ | {"RAG_DATA_DIR": str(data), "RAG_ENV_FILE": ""}
        again = []
        for _ in range(3):  # as a user runs it: the summary line, and only what changed listed
            t0 = time.perf_counter()
            done = subprocess.run([RAG, "ingest", str(folder)], env=env | {"COLUMNS": "200"}, capture_output=True, text=True)
            again.append(time.perf_counter() - t0)
            assert done.returncode == 0, done.stderr
            assert f"0 added, 0 updated, {n} unchanged, 0 removed" in done.stdout, done.stdout
        return {"files": n, "chunks": first.chunks_total, "first_ingest_seconds_with_stand_in_embedder": round(first_s, 1),
                "unchanged_reingest_seconds_median": round(statistics.median(again), 2),
                "unchanged_reingest_all": [round(a, 2) for a in again]}


def release_chroma() -> None:
    """Let go of this process's embedded Chroma clients (and their in-memory indexes)."""
    import gc

    from rag.index.embedded import forget_all

    forget_all()
    gc.collect()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--folder", type=int, default=10000, help="files in the unchanged-folder benchmark (0: skip)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--index", type=Path, default=SCALE, help="where the grown archive is kept (grown further when asked)")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)  # (the child process)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "scale.json")
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.runs)))
        return
    results = json.loads(args.out.read_text()) if args.out.exists() else {}
    if args.folder:
        results["folder"] = folder_benchmark(args.folder)
        print(json.dumps(results["folder"]), file=sys.stderr)
        args.out.write_text(json.dumps(results, indent=2) + "\n")
    sizes = [int(s) for s in args.sizes.split(",") if s]
    if not sizes:
        return
    if not args.index.exists():
        shutil.copytree(BASE, args.index)
    ingest([], settings=Settings(data_dir=BASE))  # (an index written before the manifest is listed once)
    base = base_rows(Index(Settings(data_dir=BASE)))
    rng = np.random.default_rng(16)
    results.setdefault("sizes", {})
    for size in sizes:
        # the embedded Chroma is one process's at a time (its in-memory HNSW index is written back to
        # disk): the archive is grown with a client opened for it and let go before the measuring
        # process opens the files
        index = Index(Settings(data_dir=args.index))
        ingest([], index=index)
        grow(index, size, base, rng)
        del index
        release_chroma()
        done = subprocess.run([sys.executable, __file__, "--measure", str(args.index), "--runs", str(args.runs)],
                              capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(done.stderr)
        row = json.loads(done.stdout.strip().splitlines()[-1])
        results["sizes"][str(size)] = row
        print(json.dumps(row), file=sys.stderr)
        args.out.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
