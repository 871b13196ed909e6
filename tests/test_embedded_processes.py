"""Two processes on one embedded index (the default: no Chroma server): a process that holds the
index open (`rag ui`, a script) while `rag ingest` runs in a terminal finds the new articles by
meaning, and its own later writes keep the other's (rag/index/embedded.py)."""

from __future__ import annotations

from conftest import SEEDS, run_cli
from rag import Index, ingest
from rag.index.embeddings import load_model

HONEY = """Arctic beekeepers report record honey harvest

TROMSØ — Beekeepers in northern Norway collected a record honey harvest this summer, the regional
beekeeping cooperative said on Monday, crediting a long, warm season of midnight sun.

"The hives have never been this heavy," said cooperative chair Ingrid Solberg.
"""

FERRY = """Island ferry service restored after storm

BERGEN — The coastal ferry to the outer islands resumed on Thursday after a storm damaged its
landing pier, the county transport office said.
"""


def _nearest_names(index: Index, text: str) -> list[str]:
    vector = load_model().embed([text])[0]
    hits = index.store.query(vector, 3)
    rows = index.store.get([cid for cid, _ in hits])
    return [rows[cid].meta.name for cid, _ in hits]


def test_a_process_holding_the_index_finds_and_keeps_what_another_process_ingested(settings, tmp_path):
    ingest([SEEDS], settings=settings)
    index = Index(settings)  # held open, as the web app holds it
    assert "honey.txt" not in _nearest_names(index, "record honey harvest of Arctic beekeepers")

    other = tmp_path / "other"
    other.mkdir()
    (other / "honey.txt").write_text(HONEY, encoding="utf-8")
    done = run_cli("ingest", str(other), data_dir=settings.data_dir)
    assert done.returncode == 0, done.stderr

    assert _nearest_names(index, "record honey harvest of Arctic beekeepers")[0] == "honey.txt"

    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "ferry.txt").write_text(FERRY, encoding="utf-8")
    ingest([mine], settings=settings, index=index)
    fresh = Index(settings)
    assert _nearest_names(fresh, "record honey harvest of Arctic beekeepers")[0] == "honey.txt"
    assert _nearest_names(fresh, "ferry to the islands resumed after the storm")[0] == "ferry.txt"
    assert fresh.store.exact_count() == index.store.exact_count()
