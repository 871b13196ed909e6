"""Questions to start with, drawn from the articles themselves: who is quoted in the most of
them ("What did Blinken say?"), and which outlets they cite when they cite any. Read from the
speaker index (each article's record in the manifest); nothing is generated."""

from __future__ import annotations

from collections import defaultdict

from ..index.opened import Index
from ..indexing.outlets import OUTLET_MARK, is_outlet

MAX_SUGGESTIONS = 4


def suggested_questions(index: Index, n: int = MAX_SUGGESTIONS) -> list[str]:
    """Up to n questions the articles can answer, the most widely quoted speakers first."""
    articles: dict[str, set[str]] = defaultdict(set)  # speaker -> files quoting them
    said: dict[str, int] = defaultdict(int)
    cites_outlets = False
    if index.store.articles.ready():  # one record per article (rag/index/articles.py)
        for record in index.store.articles.all():
            cites_outlets = cites_outlets or record.cites_outlets
            for speaker, times in zip(record.quoted, record.quoted_n):
                if not is_outlet(speaker):
                    articles[speaker].add(record.path)
                    said[speaker] += times
    else:  # an index written before the manifest: every chunk's speaker index
        for meta in index.store.metadata():
            cites_outlets = cites_outlets or OUTLET_MARK in meta.speakers
            for st in meta.statements:
                if not is_outlet(st.speaker):
                    articles[st.speaker].add(meta.path)
                    said[st.speaker] += 1
    people = sorted(articles, key=lambda s: (-len(articles[s]), -said[s], s))
    chosen: list[str] = []
    for person in people:  # one question per person ("Antony Blinken" and "Blinken" are one)
        if not any(person.split()[-1] == other.split()[-1] for other in chosen):
            chosen.append(person)
    out = [f"What did {person} say?" for person in chosen[: n - 1 if cites_outlets else n]]
    if cites_outlets:
        out.append("Which news outlets or agencies are cited?")
    return out
