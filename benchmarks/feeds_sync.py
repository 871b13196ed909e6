"""A feed of 200 items on loopback: the first `rag feed sync` ingests them all, a second fetches
nothing new.

    python benchmarks/feeds_sync.py [--items 200]

A small HTTP server on 127.0.0.1 serves an RSS feed whose items link to pages made from the
first RealTime QA documents (read from ../shared/bench; title, date and paragraphs in HTML). The
real `rag` command is timed as a whole process: `rag feed add`, then `rag feed sync` twice, into
a fresh data dir (RAG_FETCH_PRIVATE=true: the server is on loopback).
"""

from __future__ import annotations

import argparse
import html
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT.parent / "shared" / "bench" / "realtimeqa"
RAG = str(Path(sys.executable).with_name("rag"))


def serve(docs: list[dict]) -> ThreadingHTTPServer:
    pages = {}
    for n, d in enumerate(docs):
        body = "".join(f"<p>{html.escape(p)}</p>" for p in d["body"].split("\n\n") if p.strip())
        pages[f"/items/{n}"] = (f"<html><head><title>{html.escape(d['title'])}</title><meta property=\"article:published_time\" "
                                f"content=\"{d['published_at'].replace('/', '-')}\"></head><body><article><h1>"
                                f"{html.escape(d['title'])}</h1>{body}</article></body></html>").encode()
    items = "".join(f"<item><title>{html.escape(d['title'])}</title><link>/items/{n}</link><guid>item-{n}</guid></item>"
                    for n, d in enumerate(docs))
    feed = (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Bench news</title><link>/</link>'
            f"<description>RealTime QA pages</description>{items}</channel></rss>").encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            body, kind = (feed, "application/rss+xml") if self.path == "/feed.xml" else (pages.get(self.path), "text/html")
            if body is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def timed(*args: str, env: dict) -> tuple[float, subprocess.CompletedProcess]:
    t0 = time.perf_counter()
    done = subprocess.run([RAG, *args], env=env, capture_output=True, text=True)
    return time.perf_counter() - t0, done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=200)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "feeds_sync.json")
    args = parser.parse_args()
    docs = [json.loads(line) for line in open(BENCH / "corpus.jsonl", encoding="utf-8")][: args.items]
    server = serve(docs)
    url = f"http://127.0.0.1:{server.server_address[1]}/feed.xml"
    with tempfile.TemporaryDirectory() as data:
        env = os.environ | {"RAG_DATA_DIR": data, "RAG_FETCH_PRIVATE": "true", "RAG_ENV_FILE": ""}
        _, added = timed("feed", "add", url, env=env)
        assert added.returncode == 0, added.stderr
        first_s, first = timed("feed", "sync", "--json", env=env)
        assert first.returncode == 0, first.stderr
        second_s, second = timed("feed", "sync", "--json", env=env)
        assert second.returncode == 0, second.stderr
        sources = json.loads(subprocess.run([RAG, "sources", "--json"], env=env, capture_output=True, text=True).stdout)
    result = {
        "items": len(docs),
        "first_sync": json.loads(first.stdout)[0] | {"seconds": round(first_s, 1)},
        "second_sync": json.loads(second.stdout)[0] | {"seconds": round(second_s, 2)},
        "articles_in_index": len(sources),
    }
    print(json.dumps(result, indent=2))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
