"""The keyword (BM25) index on tantivy: updated incrementally with every write, never rebuilt
for an edit, repaired by the writer when it disagrees with Chroma, consistent after kill -9."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time

from conftest import RAG, SEEDS, run_cli
from rag import Settings, ingest, search
from rag.index.lexical import LexicalIndex
from rag.index.store import Store


def _build(settings: Settings) -> str:
    return json.loads((settings.lexical_dir / "newsrag.json").read_text())["build"]


def test_an_edit_touches_only_its_chunks(settings, corpus):
    ingest([corpus], settings=settings)
    build = _build(settings)
    target = corpus / "002_8e30010a3892d27c.txt"
    target.write_text(target.read_text(encoding="utf-8").replace("Mishustin", "Mishoostin"), encoding="utf-8")
    ingest([corpus], settings=settings)
    assert _build(settings) == build  # updated in place, not rebuilt
    lexical = LexicalIndex(settings.lexical_dir)
    assert lexical.ids() == sorted(Store(settings).all_ids())
    assert lexical.search("Mishoostin", 5) and not lexical.search("Mishustin", 5)
    top = search("Mishoostin Lavrov Shoigu", 1, settings=settings)[0]
    assert top.name == "002_8e30010a3892d27c.txt" and top.bm25 > 0


def test_the_writer_repairs_a_keyword_index_that_disagrees_with_chroma(settings, corpus):
    ingest([corpus], settings=settings)
    lexical = LexicalIndex(settings.lexical_dir)
    lost = lexical.ids()[:5]
    lexical.update(delete=lost)  # what a crash between the Chroma write and the BM25 commit leaves
    lexical.update(add=[("not-in-chroma:0:00000", "nowhere", 0, ["kirbi"])])
    assert search("Kirby", 3, settings=settings)  # readers still answer (the stray id is dropped)
    report = ingest([], settings=settings)  # the writer's repair, nothing else
    assert any("5 chunks added, 1 removed" in n for n in report.notes), report.notes
    assert lexical.ids() == sorted(Store(settings).all_ids())


def test_kill_9_during_an_ingest_leaves_an_index_the_next_run_completes(tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    for n in range(6):
        for f in SEEDS.glob("*.txt"):
            (folder / f"{n}-{f.name}").write_text(f.read_text(encoding="utf-8") + f"\nEdition {n}.\n", encoding="utf-8")
    data = tmp_path / "index"
    proc = subprocess.Popen([str(RAG), "ingest", str(folder)], env=os.environ | {"RAG_DATA_DIR": str(data)},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline and proc.poll() is None:
        if (data / "lexical" / "newsrag.json").exists():  # the first step is committed
            break
        time.sleep(0.1)
    time.sleep(0.5)
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    settings = Settings(data_dir=data)
    assert search("Kirby marriage of convenience", 3, settings=settings) is not None  # readable as it is
    done = run_cli("ingest", str(folder), "--json", data_dir=data)
    assert done.returncode == 0, done.stderr
    store = Store(settings)
    ids = store.all_ids()
    assert len(ids) == len(set(ids)) and LexicalIndex(settings.lexical_dir).ids() == sorted(ids)
    assert len(store.docs()) == 30 and all(v.complete for d in store.docs().values() for v in d.versions.values())
