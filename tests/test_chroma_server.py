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
