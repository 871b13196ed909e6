"""One opened index per question: the store and the BM25 index are opened once and handed down,
the store is counted once, and no question lists the BM25 index's ids (a full read)."""

from __future__ import annotations

import pytest

import rag.index.lexical
import rag.index.store
from rag import Index, answer, briefing


@pytest.fixture
def spies(monkeypatch):
    counts = {"Store": 0, "LexicalIndex": 0, "count": 0, "ids": 0}

    def wrap(cls, method, key):
        original = getattr(cls, method)

        def spy(self, *args, **kwargs):
            counts[key] += 1
            return original(self, *args, **kwargs)

        monkeypatch.setattr(cls, method, spy)

    wrap(rag.index.store.Store, "__init__", "Store")
    wrap(rag.index.lexical.LexicalIndex, "__init__", "LexicalIndex")
    wrap(rag.index.store.Store, "count", "count")
    wrap(rag.index.lexical.LexicalIndex, "ids", "ids")
    return counts


def test_a_question_opens_the_store_and_bm25_once_and_counts_once(seed_index, spies):
    a = answer("What did Kirby say?", settings=seed_index)  # the speaker path: search + speaker index
    assert not a.abstained and a.citations
    assert (spies["Store"], spies["LexicalIndex"], spies["count"], spies["ids"]) == (1, 1, 1, 0), spies


def test_a_handed_down_index_is_not_opened_again(seed_index, spies):
    index = Index(seed_index)
    answer("What did Kirby say?", index=index)
    answer("What did Blinken say?", index=index)
    briefing("ICC warrant", index=index)
    assert (spies["Store"], spies["LexicalIndex"], spies["ids"]) == (1, 1, 0), spies
