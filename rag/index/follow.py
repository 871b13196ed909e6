"""Keeping this process's BM25 index in step with a Chroma server that others write to.

Processes on one machine share RAG_DATA_DIR, and with it the BM25 index the writer updates:
each search reloads its last commit. A process on another machine (a second web server behind
a proxy) has its own BM25 index; `catch_up` applies to it what the article manifest says changed
since it last looked (every record carries a sequence stamp, removals included): each changed
file's chunks are replaced, each removed file's deleted. It never rebuilds: an index that is
empty or from another version is filled once by `rag ingest` (with no paths) on that machine.
The web app runs it every RAG_FOLLOW_SECONDS in a background thread (`Follower`).
"""

from __future__ import annotations

import threading

from .lexical import index_text, tokenize
from .opened import Index
from .writelock import writing_if_free

MARGIN = 60_000_000  # microseconds re-read before the last stamp seen: clocks of several machines differ a little


def catch_up(index: Index) -> int:
    """Apply the manifest's changes since this BM25 index last looked; returns how many files
    were brought in step (0 when nothing changed, or when another writer holds the index)."""
    store, lexical = index.store, index.lexical
    if not store.articles.ready() or not lexical.current():
        return 0
    with writing_if_free(index.settings) as free:
        if not free:
            return 0
        if lexical.count() == 0 and store.count() > 0:
            return 0  # never filled here: `rag ingest` fills it once; a search never rebuilds it
        changed = store.articles.changed_since(max(0, lexical.seq() - MARGIN))
        if not changed:
            return 0
        live = [r for r in changed if not r.removed]
        rows = store.get([cid for r in live for cid in r.ids])
        kept = [row for row in rows.values()]
        tokens = tokenize([index_text(row.meta.title, row.text) for row in kept]) if kept else []
        lexical.update(((row.id, row.meta.doc_id, row.meta.day, t) for row, t in zip(kept, tokens)),
                       delete_docs=[r.doc_id for r in changed])
        lexical.set_seq(max(r.seq for r in changed))
        return len(changed)


class Follower:
    """`catch_up` every `seconds` in a daemon thread, for as long as the process runs."""

    def __init__(self, index: Index, seconds: float) -> None:
        self.index, self.seconds = index, seconds
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="newsrag-follow", daemon=True)

    def start(self) -> "Follower":
        self.thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        while not self._stop.wait(self.seconds):
            try:
                catch_up(self.index)
            except Exception:  # a server briefly unreachable: try again next time
                continue
