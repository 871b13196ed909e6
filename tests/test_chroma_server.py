"""The scale path: a real Chroma server (`chroma run`) on loopback instead of the embedded store."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import SEEDS, SEED_FILES
from rag import Settings, ingest, search
from rag.index.lexical import LexicalIndex
from rag.indexing.reading import read_raw
from rag.index.store import Store

CHROMA = Path(sys.executable).with_name("chroma")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def chroma_server(tmp_path):
    if not CHROMA.exists() and shutil.which("chroma") is None:
        pytest.fail("the chroma command (installed with chromadb) is missing")
    port = _free_port()
    env = os.environ | {"ANONYMIZED_TELEMETRY": "False"}
    proc = subprocess.Popen(
        [str(CHROMA if CHROMA.exists() else "chroma"), "run", "--path", str(tmp_path / "server"),
         "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
    )
    deadline = time.time() + 60
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1)
            break
        except OSError:
            if proc.poll() is not None or time.time() > deadline:
                proc.kill()
                pytest.fail("chroma run did not start")
            time.sleep(0.3)
    yield port
    proc.terminate()
    proc.wait(timeout=20)


def test_ingest_and_search_through_a_chroma_server(tmp_path, chroma_server):
    settings = Settings(data_dir=tmp_path / "client-a", chroma_host="127.0.0.1", chroma_port=chroma_server)
    report = ingest([SEEDS], settings=settings)
    assert len(report.by_status("added")) == len(SEED_FILES)
    assert not (settings.data_dir / "chroma").exists(), "vectors live on the server, not locally"
    top = search("What did Kirby say?", settings=settings)[0]
    assert top.name == "003_d27acffbcd5def62.txt"
    assert read_raw(top.path, top.encoding)[top.start : top.end] == top.text

    # a second client with its own (empty) local directory sees the same collection; reading
    # never writes, so it searches by meaning until a writer (an ingest, even of nothing)
    # brings its keyword index in step with the server
    other = Settings(data_dir=tmp_path / "client-b", chroma_host="127.0.0.1", chroma_port=chroma_server)
    top_b = search("Mishustin Lavrov Shoigu", 1, settings=other)[0]
    assert top_b.name == "002_8e30010a3892d27c.txt" and top_b.bm25 == 0
    assert not LexicalIndex(other.lexical_dir).ids()
    synced = ingest([], settings=other)
    assert synced.chunks_embedded == 0 and synced.chunks_total == len(Store(other).all_ids())
    assert LexicalIndex(other.lexical_dir).ids() == sorted(Store(other).all_ids())
    assert search("Mishustin Lavrov Shoigu", 1, settings=other)[0].bm25 > 0
    again = ingest([SEEDS], settings=other)
    assert again.chunks_embedded == 0 and len(again.by_status("unchanged")) == len(SEED_FILES)


NEW_ARTICLE = ("Quarry blast rattles Marlow\n\nMarlow (Harbour Gazette) — A controlled blast at the Zephyrine quarry "
               "shook windows across Marlow on Tuesday, the quarry's manager, Ilse Varga, said. She said the blast "
               "moved 4,000 tonnes of granite and that no one was hurt.\n")


def _ui(port: int, data_dir: Path, chroma_port: int, cwd: Path) -> subprocess.Popen:
    env = os.environ | {"RAG_DATA_DIR": str(data_dir), "CHROMA_HOST": "127.0.0.1", "CHROMA_PORT": str(chroma_port),
                        "RAG_FOLLOW_SECONDS": "1", "RAG_ENV_FILE": ""}
    return subprocess.Popen([str(Path(sys.executable).with_name("rag")), "ui", "--port", str(port)], cwd=cwd, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _found_by_keyword(client, word: str) -> bool:
    """Does the web server's search find the new article by its words (BM25), not only by meaning?"""
    a = client.predict(f"What did {word} say about the blast?", api_name="/chat")
    return any(p["name"] == "blast.txt" and p["bm25"] > 0 for p in a["passages"])


def test_two_web_servers_and_an_ingest_share_one_chroma_server(tmp_path, chroma_server):
    """Two `rag ui` processes (one sharing the ingesting machine's data dir, one with its own, as
    on another machine) and `rag ingest` against one `chroma run`: both servers find a new article
    by its keywords within seconds, and stop finding it once it is removed; none rebuilds its
    keyword index on a read."""
    from gradio_client import Client

    from conftest import free_port, run_cli

    chroma = {"CHROMA_HOST": "127.0.0.1", "CHROMA_PORT": str(chroma_server)}
    here, there = tmp_path / "ingest-host", tmp_path / "other-host"
    assert run_cli("ingest", str(SEEDS), data_dir=here, env=chroma).returncode == 0
    assert run_cli("ingest", data_dir=there, env=chroma).returncode == 0  # the other machine fills its keyword index once
    ports = [free_port(), free_port()]
    servers = [_ui(ports[0], here, chroma_server, tmp_path), _ui(ports[1], there, chroma_server, tmp_path)]
    try:
        clients = []
        for port, proc in zip(ports, servers):
            deadline = time.time() + 120
            while True:
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
                    break
                except OSError:
                    assert proc.poll() is None and time.time() < deadline, "rag ui did not start"
                    time.sleep(0.5)
            clients.append(Client(f"http://127.0.0.1:{port}/", verbose=False))
        builds_there = sorted(p.name for p in (there / "lexical").iterdir() if p.name.startswith("build-"))
        article = tmp_path / "blast.txt"
        article.write_text(NEW_ARTICLE, encoding="utf-8")
        assert run_cli("ingest", str(article), data_dir=here, env=chroma).returncode == 0
        for client in clients:
            deadline = time.time() + 30
            while not _found_by_keyword(client, "Zephyrine"):
                assert time.time() < deadline, "a web server never found the new article by its keywords"
                time.sleep(1)
        assert run_cli("remove", str(article), data_dir=here, env=chroma).returncode == 0
        for client in clients:
            deadline = time.time() + 30
            while _found_by_keyword(client, "Zephyrine"):
                assert time.time() < deadline, "a web server still finds a removed article"
                time.sleep(1)
        assert sorted(p.name for p in (there / "lexical").iterdir() if p.name.startswith("build-")) == builds_there
    finally:
        for proc in servers:
            proc.terminate()
            proc.wait(timeout=30)
