"""One opened index per question: the store and the BM25 index are opened once and handed down,
the store is counted once, and a warm question does not re-read the BM25 id list."""

from __future__ import annotations

from pathlib import Path

import pytest

import rag.index.lexical
import rag.index.store
from rag import Index, answer, briefing


@pytest.fixture
def spies(monkeypatch):
    counts = {"Store": 0, "LexicalIndex": 0, "count": 0, "ids.json": 0}

    def wrap(cls, method, key):
        original = getattr(cls, method)

        def spy(self, *args, **kwargs):
            counts[key] += 1
            return original(self, *args, **kwargs)

        monkeypatch.setattr(cls, method, spy)

    wrap(rag.index.store.Store, "__init__", "Store")
    wrap(rag.index.lexical.LexicalIndex, "__init__", "LexicalIndex")
    wrap(rag.index.store.Store, "count", "count")
    read_text = Path.read_text

    def counting_read(self, *args, **kwargs):
        if self.name == "ids.json":
            counts["ids.json"] += 1
        return read_text(self, *args, **kwargs)

    monkeypatch.setattr(Path, "read_text", counting_read)
    return counts


def test_a_question_opens_the_store_and_bm25_once_and_counts_once(seed_index, spies):
    a = answer("What did Kirby say?", settings=seed_index)  # the speaker path: search + speaker index
    assert not a.abstained and a.citations
    assert (spies["Store"], spies["LexicalIndex"], spies["count"]) == (1, 1, 1), spies


def test_a_handed_down_index_is_not_opened_again(seed_index, spies):
    index = Index(seed_index)
    answer("What did Kirby say?", index=index)
    answer("What did Blinken say?", index=index)
    briefing("ICC warrant", index=index)
    assert (spies["Store"], spies["LexicalIndex"]) == (1, 1), spies
    before = spies["ids.json"]
    answer("Which Russian officials besides Putin did Xi meet?", index=index)
    assert spies["ids.json"] == before  # a warm question reads only the generation marker
