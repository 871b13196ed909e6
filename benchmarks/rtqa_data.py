"""RealTime QA as the benchmarks read it: where the data is, the index cache, answer matching,
the dated corpus written out and ingested once, and answer-in-top-k. Shared by the retrieval,
ranker, answer-scorer and answer benchmarks."""

from __future__ import annotations

import json
import os
import re
import sys
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rag import Settings, ingest  # noqa: E402

BENCH = ROOT.parent / "shared" / "bench" / "realtimeqa"
CACHE = Path(os.environ.get("NEWSRAG_BENCH_DIR", Path.home() / ".cache" / "newsrag-bench"))
KS = (1, 4, 10, 30)


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    text = re.sub(r"[^\w\s]", " ", text)
    return " ".join(text.split())


def answer_variants(answer: str) -> list[str]:
    return [v for v in (normalise(part) for part in answer.split("—")) if v]


def short_answer(a) -> str | None:
    """The short answer an extractive answer leads with ("2.1 billion euros. [1] <its sentence>"),
    or None: the text before the first marker, when it is a part of the sentence that marker cites."""
    head, marker, _ = a.text.partition(" [")
    head = head.removesuffix(".")
    if a.status != "answered" or not marker or not a.citations:
        return None
    return head if head and head in a.citations[0].quote and len(head) < len(a.citations[0].quote) - 1 else None


def short_holds(short: str, answers: list[str]) -> bool:
    """A short answer holds one of the answers, or is part of one (both normalised)."""
    s = normalise(short)
    return any(g and (g in s or s in g) for g in map(normalise, answers))


def prepare(settings: Settings) -> None:
    docs_dir = CACHE / "rtqa-docs-dated"
    if not docs_dir.exists():
        tmp = docs_dir.with_suffix(".tmp")
        tmp.mkdir(parents=True, exist_ok=True)
        with open(BENCH / "corpus.jsonl", encoding="utf-8") as handle:
            for line in handle:
                doc = json.loads(line)
                published = doc["published_at"].replace("/", "-")
                text = f"{doc['title']}\n\nPublished: {published}\n\n{doc['body']}\n"
                (tmp / f"{doc['id']}.txt").write_text(text, encoding="utf-8")
        tmp.rename(docs_dir)
    t0 = time.perf_counter()
    report = ingest([docs_dir], settings=settings, progress=_progress)
    print(
        f"\ningest: {report.chunks_total} chunks, {report.chunks_embedded} embedded "
        f"in {report.embed_seconds:.0f} s, {time.perf_counter() - t0:.0f} s in all",
        file=sys.stderr,
    )


def _progress(done: int, total: int) -> None:
    if done == total or done % 256 < 32:
        print(f"\rembedding {done}/{total}", end="", file=sys.stderr, flush=True)


def share(found: list[dict[str, bool]]) -> dict[str, float]:
    """Share of questions meeting each measure (hits_at rows)."""
    return {m: round(sum(h[m] for h in found) / len(found), 3) for m in found[0]} if found else {}


def hits_at(labels: list[bool], tokens: list[int]) -> dict[str, bool]:
    """Whether the answer is in the first k results, and in the first 2,000 tokens of them."""
    out = {f"top{k}": any(labels[:k]) for k in KS}
    budget, seen = 0, False
    for label, n in zip(labels, tokens):
        if budget + n > 2000:
            break
        budget += n
        seen = seen or label
    return out | {"2k_tokens": seen}
