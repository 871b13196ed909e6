"""The index's vectors from an embeddings server (RAG_EMBEDDINGS=openai): a real llama.cpp server
on loopback (conftest's `embed_server`) embeds the articles and the questions; the collection
records which embedder made its vectors, another one is refused with a clear message, and
`rag reindex` embeds everything again with the new one without losing an article. A server that
answers "429 Too Many Requests" is waited for and tried again."""

from __future__ import annotations

import json
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from conftest import SEED_FILES, SEEDS, run_cli
from rag import Settings, answer, ingest, search
from rag.index.articles import ArticleRecord  # noqa: F401 (the manifest follows the vectors)
from rag.index.store import Store, StoreError


def _server_settings(data_dir, url) -> Settings:
    return Settings(data_dir=data_dir, embeddings="openai", embed_base_url=url, embed_model="smollm2")


def _env(url) -> dict:
    return {"RAG_EMBEDDINGS": "openai", "RAG_EMBED_BASE_URL": url, "RAG_EMBED_MODEL": "smollm2"}


def test_articles_and_questions_are_embedded_by_the_server(tmp_path, embed_server):
    settings = _server_settings(tmp_path / "index", embed_server)
    report = ingest([SEEDS], settings=settings)
    assert report.chunks_embedded == 22 and len(report.by_status("added")) == 5
    store = Store(settings)
    vector = next(iter(store.get(store.all_ids()[:1], embeddings=True).values())).embedding
    assert len(vector) == 576  # SmolLM2's size, not MiniLM's 384
    recorded = store.collection.configuration_json["embedding_function"]
    assert recorded["name"] == "newsrag-openai-embeddings" and recorded["config"]["model"] == "smollm2"
    hits = search("Mishustin", k=3, settings=settings)
    assert hits and any("Mishustin" in p.text for p in hits)
    a = answer("What did Kirby say?", settings=settings)
    assert not a.abstained and all(open(c.path, encoding=c.encoding).read()[c.start:c.end] == c.quote for c in a.citations)


def test_another_embedder_is_refused_and_reindex_embeds_again(tmp_path, embed_server, corpus):
    data = tmp_path / "index"
    ingest([corpus], settings=_server_settings(data, embed_server))
    (corpus / SEED_FILES[4]).unlink()  # a file gone since: its stored chunks are carried over
    with pytest.raises(StoreError, match="made by the embeddings endpoint's model 'smollm2'.*rag reindex"):
        Store(Settings(data_dir=data))
    refused = run_cli("search", "Kirby", data_dir=data)
    assert refused.returncode != 0 and "rag reindex" in refused.stderr and "Traceback" not in refused.stderr

    done = run_cli("reindex", "--json", data_dir=data)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["chunks_embedded"] == 22 and report["counts"]["added"] == 4 and report["counts"]["updated"] == 1
    assert [f["reason"] for f in report["files"] if f["status"] == "updated"] == ["file gone: its stored chunks embedded again"]
    local = Settings(data_dir=data)
    store = Store(local)
    assert store.count() == 22 and store.articles.count() == 5
    assert len(next(iter(store.get(store.all_ids()[:1], embeddings=True).values())).embedding) == 384
    assert {a.name for a in __import__("rag").articles(settings=local)} == set(SEED_FILES)
    assert any("Mishustin" in p.text for p in search("Mishustin", k=3, settings=local))
    assert ingest([corpus], settings=local, prune=False).chunks_embedded == 0  # in step with the files
    assert {p.name for p in data.iterdir()} >= {"chroma", "lexical"}
    assert not any(p.name.startswith("lexical-") for p in data.iterdir())  # the new BM25 index took the old one's place


@pytest.fixture
def busy_proxy(embed_server):
    """A loopback proxy to the embeddings server that answers the first two requests with
    429 Too Many Requests (Retry-After: 0)."""
    calls = {"n": 0}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            calls["n"] += 1
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if calls["n"] <= 2:
                self.send_response(429)
                self.send_header("Retry-After", "0")
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"error": {"message": "slow down", "type": "rate_limit"}}')
                return
            request = urllib.request.Request(embed_server + self.path.removeprefix("/v1"), data=body,
                                             headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(request, timeout=60) as upstream:
                data = upstream.read()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1", calls
    server.shutdown()


def test_a_rate_limited_server_is_waited_for(tmp_path, busy_proxy):
    url, calls = busy_proxy
    report = ingest([SEEDS / SEED_FILES[0]], settings=_server_settings(tmp_path / "index", url))
    assert report.chunks_embedded > 0 and calls["n"] >= 3


def test_an_unreachable_server_is_a_clear_error_and_nothing_indexed_is_lost(tmp_path, embed_server):
    settings = _server_settings(tmp_path / "index", embed_server)
    ingest([SEEDS / SEED_FILES[0]], settings=settings)
    down = Settings(data_dir=settings.data_dir, embeddings="openai", embed_base_url="http://127.0.0.1:9/v1",
                    embed_model="smollm2", embed_retries=0, embed_timeout=2)
    with pytest.raises(StoreError, match="embeddings endpoint http://127.0.0.1:9/v1 failed"):
        ingest([SEEDS / SEED_FILES[1]], settings=down)
    assert Store(settings).articles.count() == 1 and search("Putin", k=2, settings=settings)
