"""Keeping the article manifest (rag/index/articles.py) in step with the chunks.

Every change to the index (ingest, remove, corrections) runs inside `changing(index)`: it counts
the store once, marks the manifest unclean, and clean again, with the chunk count it reached
(the count at its start plus what it wrote less what it deleted), when the change is done. A
change that finds the manifest unclean (the previous one was killed), missing (an index written
before the manifest) or counting other chunks than the store holds (another client wrote) first
repairs it from the chunks' own metadata: the one full read of the archive, done only then.

A repair makes the manifest hold, for every file, the complete version of it that is stored (the
one its record named, else the one the file on disk now has, else any), and deletes every other
chunk, except those of the version the file on disk now has: an interrupted run's progress,
which the next ingest of that file keeps instead of embedding it again.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np

from ..index.articles import MANIFEST_VERSION, ArticleRecord, now
from ..index.opened import Index
from ..index.schema import StoredChunk, doc_id_for
from ..index.store import Store
from ..index import copies
from .outlets import OUTLET_MARK
from .plan import quoted, settings_fingerprint, version_of
from .reading import Unreadable, read_text_file


@dataclass
class Change:
    """A change under way: the chunks the store held at its start, and the store (which counts
    what this process adds and deletes), so that the count at its end needs no count of the
    store (tens of milliseconds on a million chunks)."""

    store: Store
    before: int
    written_before: int

    def chunks(self) -> int:
        return self.before + self.store.written - self.written_before


@contextlib.contextmanager
def changing(index: Index, notes: list[str]) -> Iterator[Change]:
    """A change to the index (the caller holds the write lock); see the module docstring."""
    store, articles = index.store, index.store.articles
    state = articles.state()
    counted = store.exact_count()  # the one count of a change: the store holds what the manifest says?
    if state.version != MANIFEST_VERSION or not state.clean or state.chunks != counted:
        repair(index, notes, migrating=state.version != MANIFEST_VERSION)
        counted = store.exact_count()
    change = Change(store, counted, store.written)
    articles.set_state(clean=False, chunks=-1)
    yield change
    articles.set_state(clean=True, chunks=change.chunks())
    index.lexical.set_seq(now())  # this BM25 index holds every change so far (rag/index/follow.py)


def repair(index: Index, notes: list[str], migrating: bool = False) -> None:
    store, articles = index.store, index.store.articles
    scanned = store.scan_docs()
    if migrating:
        articles.clear()  # written by another version (or none): rebuilt from the chunks
    records = {r.doc_id: r for r in articles.all(removed=True)}
    fingerprint = settings_fingerprint(index.settings)
    stale: list[str] = []
    rebuilt: list[tuple[ArticleRecord, np.ndarray]] = []
    for path, doc in scanned.items():
        record = records.pop(doc_id_for(path), None)
        complete = [v for v, sv in doc.versions.items() if sv.complete]
        removed = record is not None and record.removed  # removed: its chunks go
        live = record.version if record is not None and not removed and record.version in complete else None
        if live is None and not removed and len(doc.versions) == 1 and complete:
            live = complete[0]  # one complete version: the one to list
        on_disk = None  # the file is read only when it decides something: which version to keep
        if not removed and (live is None or len(doc.versions) > 1):
            on_disk = _version_on_disk(path, index.settings.max_file_bytes, fingerprint)
        if live is None and not removed:
            live = on_disk if on_disk in complete else (sorted(complete)[0] if complete else None)
        keep = {v for v in (live, on_disk) if v}
        stale += [i for v, sv in doc.versions.items() if v not in keep for i in sv.ids]
        if live is None:
            if record is not None and not record.removed:
                articles.drop([record.doc_id])  # its chunks are gone: the next ingest of the file writes it anew
            continue
        if record is None or record.version != live:
            rebuilt.append(record_from_chunks(store.get(doc.versions[live].ids, embeddings=True)))
    gone = [r.doc_id for r in records.values() if not r.removed]  # records whose chunks are all gone
    articles.drop(gone)
    for part in range(0, len(rebuilt), 256):
        batch = rebuilt[part : part + 256]
        articles.put([r for r, _ in batch], [v for _, v in batch])
    if stale:
        store.delete(stale)
        index.lexical.update(delete=stale)
    articles.set_state(clean=True, chunks=store.exact_count())
    if migrating and rebuilt:
        notes.append(f"listed the {len(rebuilt)} stored articles in the article manifest (once)")
    elif stale or gone or rebuilt:
        notes.append(f"repaired the index after an interrupted run: {len(stale)} leftover chunks removed, "
                     f"{len(rebuilt)} articles listed again, {len(gone)} missing articles forgotten")


def _version_on_disk(path: str, max_bytes: int, fingerprint: str) -> str | None:
    """The version the file has now (None when it cannot be read)."""
    try:
        file = read_text_file(Path(path), max_bytes)
    except (Unreadable, OSError):
        return None
    return version_of(file.content_hash, fingerprint)


def record_from_chunks(rows: dict[str, StoredChunk]) -> tuple[ArticleRecord, np.ndarray]:
    """A manifest record (and its vector) for a stored version, from its chunks alone."""
    chunks = sorted(rows.values(), key=lambda r: r.meta.chunk_index)
    meta = chunks[0].meta
    statements = {(st.start, st.end): st for r in chunks for st in r.meta.statements}
    sig = copies.signature("\n".join(r.text for r in chunks))
    names, counts = quoted(statements.values())
    record = ArticleRecord(
        doc_id=meta.doc_id or doc_id_for(meta.path), path=meta.path, source=meta.source, title=meta.title,
        byline=meta.byline, date=meta.date, outlet=meta.outlet, original=meta.original, encoding=meta.encoding,
        content_hash=meta.content_hash, version=meta.version, n_chunks=meta.n_chunks, index_version=meta.index_version,
        signature=copies.pack(sig), bands=tuple(copies.band_keys(sig)), quoted=names, quoted_n=counts,
        cites_outlets=any(OUTLET_MARK in r.meta.speakers for r in chunks),
    )
    return record, mean_vector([r.embedding for r in chunks])


def mean_vector(vectors) -> np.ndarray:
    """An article's vector: the mean of its chunks', unit length."""
    mean = np.mean(np.asarray(vectors, dtype=np.float32), axis=0)
    return mean / (np.linalg.norm(mean) or 1.0)
