"""Saved web pages read as well as plain text: RealTime QA's 945 documents written out as HTML pages.

    python benchmarks/formats_rtqa.py [--retrieval]

Each document becomes a page with its title in <title> and <h1>, the publication date in
<meta property="article:published_time">, the body in <p> paragraphs, and site furniture around
it: a navigation bar, a "most read" aside, a newsletter form, a comment form and a footer. The
pages are converted as `rag ingest` converts them (trafilatura, rag/indexing/convert.py) and
chunked; their chunk texts are compared with those of the same documents as .txt files
(title, dateline, body: how benchmarks/rtqa_data.py writes them).

With --retrieval the HTML pages are also ingested for real (about 10 minutes of embedding on 2
cores, into $NEWSRAG_BENCH_DIR/rtqa-index-html) and `rag.search` is scored on both indexes with
each question's date, as benchmarks/retrieval_rtqa.py does.
"""

from __future__ import annotations

import argparse
import html
import json
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rag import Index, Settings, ingest, search  # noqa: E402
from rag.indexing.chunking import chunk_document  # noqa: E402
from rag.indexing.documents import parse  # noqa: E402
from rag.indexing.html import html_to_text  # noqa: E402
from rag.indexing.sentences import document_sentences  # noqa: E402
from rag.prompts import count_tokens  # noqa: E402

from rtqa_data import BENCH, CACHE, answer_variants, hits_at, normalise, prepare  # noqa: E402

PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<meta property="article:published_time" content="{published}">
<meta property="og:title" content="{title}"></head>
<body>
<header><nav><a href="/">Home</a> | <a href="/world">World</a> | <a href="/politics">Politics</a> | <a href="/business">Business</a>
| <a href="/sport">Sport</a> | <a href="/subscribe">Subscribe</a></nav></header>
<main><article>
<h1>{title}</h1>
{paragraphs}
</article>
<aside><h2>Most read</h2><ul><li><a href="/a">Ten things to know this week</a></li>
<li><a href="/b">The markets in charts</a></li><li><a href="/c">Letters to the editor</a></li></ul></aside>
<form class="newsletter"><label>Sign up for our daily newsletter</label><input type="email" placeholder="Your email">
<button>Sign up</button></form>
<section class="comments"><h2>Comments</h2><form><textarea placeholder="Join the conversation"></textarea>
<button>Post comment</button></form></section>
</main>
<footer><p>© 2024 Example News Group. All rights reserved.</p><a href="/privacy">Privacy</a> <a href="/terms">Terms</a></footer>
</body></html>
"""


def page(doc: dict) -> str:
    paragraphs = "\n".join(f"<p>{html.escape(p)}</p>" for p in doc["body"].split("\n\n") if p.strip())
    published = doc["published_at"].replace("/", "-")
    return PAGE.format(title=html.escape(doc["title"]), published=published, paragraphs=paragraphs)


def plain(doc: dict) -> str:
    return f"{doc['title']}\n\nPublished: {doc['published_at'].replace('/', '-')}\n\n{doc['body']}\n"


def chunk_texts(text: str, settings: Settings) -> list[str]:
    doc = parse(text)
    return [c.text for c in chunk_document(doc, settings.chunk_tokens, settings.chunk_overlap, settings.encoding,
                                           document_sentences(doc))]


def write_pages(docs: list[dict]) -> Path:
    folder = CACHE / "rtqa-docs-html"
    if not folder.exists():
        tmp = folder.with_suffix(".tmp")
        tmp.mkdir(parents=True, exist_ok=True)
        for d in docs:
            (tmp / f"{d['id']}.html").write_text(page(d), encoding="utf-8")
        tmp.rename(folder)
    return folder


def retrieval(settings: Settings, queries: list[dict]) -> dict:
    index = Index(settings)
    found = []
    for q in queries:
        variants = answer_variants(q["answer"])
        passages = search(q["question"], 30, as_of=q["question_date"].replace("/", "-"), index=index)
        labels = [any(v in normalise(p.text) for v in variants) for p in passages]
        found.append((q["split"], hits_at(labels, [count_tokens(p.text) for p in passages])))
    out = {}
    for split in ("dev", "holdout"):
        rows = [h for s, h in found if s == split]
        out[split] = {m: round(sum(h[m] for h in rows) / len(rows), 3) for m in rows[0]}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--retrieval", action="store_true", help="also ingest the pages and compare rag.search")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "formats_rtqa.json")
    args = parser.parse_args()
    settings = Settings()
    docs = [json.loads(line) for line in open(BENCH / "corpus.jsonl", encoding="utf-8")]
    same = total = 0
    titles = dates = 0
    differing: list[dict] = []
    t0 = time.perf_counter()
    for d in docs:
        from_txt = chunk_texts(plain(d), settings)
        converted = html_to_text(page(d)) or ""
        from_html = chunk_texts(converted, settings)
        parsed = parse(converted)
        titles += parsed.title == parse(plain(d)).title  # the headline the .txt gives
        dates += parsed.date[:10] == d["published_at"].replace("/", "-")
        counts = Counter(from_html)
        for text in from_txt:
            total += 1
            if counts[text] > 0:
                counts[text] -= 1
                same += 1
        if len(from_html) != len(from_txt) or set(from_html) != set(from_txt):
            differing.append({"id": d["id"], "title": d["title"], "txt_chunks": len(from_txt), "html_chunks": len(from_html)})
    result = {
        "documents": len(docs),
        "txt_chunks": total,
        "identical_chunks": same,
        "share_identical": round(same / total, 4),
        "titles_as_from_txt": round(titles / len(docs), 4),
        "dates_read": round(dates / len(docs), 4),
        "documents_with_any_difference": len(differing),
        "seconds_to_convert_and_chunk": round(time.perf_counter() - t0, 1),
        "differing": differing[:30],
    }
    if args.retrieval:
        queries = [json.loads(line) for line in open(BENCH / "queries.jsonl", encoding="utf-8")]
        queries = [q for q in queries if q["type"] == "answerable"]
        txt = Settings(data_dir=CACHE / "rtqa-index-dated")
        prepare(txt)
        pages = Settings(data_dir=CACHE / "rtqa-index-html")
        report = ingest([write_pages(docs)], settings=pages)
        result["html_ingest"] = {"chunks": report.chunks_total, "skipped": len(report.by_status("skipped")),
                                 "seconds": round(report.seconds, 1)}
        result["search_txt"] = retrieval(txt, queries)
        result["search_html"] = retrieval(pages, queries)
    print(json.dumps({k: v for k, v in result.items() if k != "differing"}, indent=2))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
