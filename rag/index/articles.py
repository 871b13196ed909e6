"""The article manifest: one small record per ingested file, in a second Chroma collection beside
the chunks (`<collection>-articles`, on the Chroma server too when one is used).

What an ingest plans (which files changed), what the library lists, which files a source filter
names, who is quoted where, and which articles are wire copies of one another are read from these
records, never by reading every chunk's metadata: their cost follows the number of articles
asked about, not the size of the archive.

A record holds the article's fields (path, source, title, byline, date, outlet, ...), the version
of it whose chunks are stored and their number (the chunk ids follow from them), the size and
modification time the file had when it was read (an unchanged folder is re-ingested from these,
without reading its files), its MinHash signature and LSH band keys (rag/index/copies.py), the
people quoted in it, a sequence stamp (microseconds) and, as its vector, the mean of its chunks'
vectors. A removed article keeps its record, marked removed, so that every reader learns of it.

The record is stored as a JSON document; what is filtered on is metadata (version, removed,
seq): Chroma reads many or list-valued metadata keys slowly (10k records with 25 band keys each:
1.6 s, as JSON documents: 0.35 s). Band keys and folders are found in the documents with Chroma's
full-text `$contains`. The MinHash signature is metadata too: every distinct three-letter
sequence of a document enters that full-text index, and the signature's 684 random characters
doubled the cost of writing a record (records written before keep it in the document, where it
is still read).

Writers keep records and chunks in step (rag/indexing/run.py): a file's record is written once all
of its new chunks are stored and before the old ones are deleted. Each writing session marks the
manifest unclean when it starts and clean, with the store's chunk count, when it ends; a session
that finds it unclean (a crash, a kill) or missing (an index written before the manifest) repairs
it from the chunks first (`repair`): the only full read of the archive, and only then.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field, fields, replace
from typing import Any, Iterable, Iterator, Mapping

import numpy as np
from more_itertools import chunked

from .schema import StoredDoc, StoredVersion, chunk_id

MANIFEST_VERSION = "2"
_PAGE = 5000
_IN_BATCH = 500


@dataclass(frozen=True)
class ArticleRecord:
    doc_id: str
    path: str  # absolute (real) path of the text file: its identity
    source: str  # the path (or URL) as it was ingested
    title: str = ""
    byline: str = ""
    date: str = ""
    outlet: str = ""
    original: str = ""  # the PDF, Word file or web page `path` is the converted text of
    encoding: str = "utf-8"
    content_hash: str = ""
    version: str = ""  # the stored version: its chunks are chunk_id(doc_id, version, 0..n_chunks-1)
    n_chunks: int = 0
    index_version: str = ""  # of the speaker rules that wrote the chunks' statements
    seq: int = 0  # when the record was last written (microseconds since the epoch)
    removed: bool = False
    size: int = -1  # the file's size and modification time when it was read (-1: unknown)
    mtime_ns: int = -1
    signature: str = ""  # MinHash of the body's word 5-grams, packed (rag/index/copies.py)
    bands: tuple[str, ...] = ()  # its LSH band keys: articles sharing one are candidate copies
    quoted: tuple[str, ...] = ()  # who is quoted or reported in it (the speaker index)
    quoted_n: tuple[int, ...] = ()  # how many of its sentences each one says
    cites_outlets: bool = False  # a sentence of it cites a news outlet or agency

    @property
    def ids(self) -> list[str]:
        return [chunk_id(self.doc_id, self.version, i) for i in range(self.n_chunks)]

    @property
    def name(self) -> str:
        return self.stored().name

    def stored(self) -> StoredDoc:
        """The record as the store describes a file: one complete version."""
        return StoredDoc(self.path, self.source, self.title, self.date, self.byline, self.encoding,
                         self.index_version, self.outlet, self.original,
                         {self.version: StoredVersion(self.n_chunks, self.ids)} if self.n_chunks else {},
                         self.content_hash, self.size, self.mtime_ns)

    def to_chroma(self) -> tuple[str, dict[str, Any]]:
        """(document, metadata) as Chroma keeps them."""
        data = {f.name: (list(v) if isinstance(v := getattr(self, f.name), tuple) else v)
                for f in fields(self) if f.name != "signature"}
        return (json.dumps(data, ensure_ascii=False),
                {"version": self.version, "removed": self.removed, "seq": self.seq, "signature": self.signature})

    @classmethod
    def from_chroma(cls, doc_id: str, document: str | None, meta: Mapping[str, Any] | None) -> "ArticleRecord":
        try:
            data = json.loads(document or "{}")
        except ValueError:
            data = {}
        if not isinstance(data, dict):
            data = {}
        if meta:  # (version, removed and seq were changed in place by older writers)
            data.update((k, meta[k]) for k in _METADATA if k in meta)
        values = {k: tuple(v) if type(v) is list else v for k, v in data.items() if k in _FIELDS}
        values["doc_id"] = doc_id
        path = values.setdefault("path", "")
        values.setdefault("source", path)
        return cls(**values)


_FIELDS = frozenset(f.name for f in fields(ArticleRecord))
_METADATA = ("version", "removed", "seq", "signature")


@dataclass
class ManifestState:
    """What the manifest says of itself (the collection's own metadata)."""

    version: str = ""
    clean: bool = False
    chunks: int = 0  # chunks in the store when the last writing session ended
    extra: dict[str, Any] = field(default_factory=dict)


class Articles:
    """The manifest collection. Reads are cheap; writes happen under the index's write lock."""

    def __init__(self, client, name: str) -> None:
        self.client, self.name = client, name
        self.collection = client.get_or_create_collection(
            name, embedding_function=None, configuration={"hnsw": {"space": "cosine"}},
        )
        self._ready = False

    # --- the manifest's own state -----------------------------------------------------------

    def state(self) -> ManifestState:
        """Read afresh: another process may have written since this one opened the collection."""
        meta = dict(self.client.get_collection(self.name, embedding_function=None).metadata or {})
        return ManifestState(str(meta.pop("manifest", "")), bool(meta.pop("clean", False)),
                             int(meta.pop("chunks", 0)), meta)

    def set_state(self, *, clean: bool, chunks: int) -> None:
        extra = self.state().extra
        self.collection.modify(metadata=extra | {"manifest": MANIFEST_VERSION, "clean": clean, "chunks": chunks})

    def ready(self) -> bool:
        """Was the manifest written by this version (else readers fall back to the chunks)? Once
        it is, it stays so for this process."""
        self._ready = self._ready or self.state().version == MANIFEST_VERSION
        return self._ready

    # --- reading -----------------------------------------------------------------------------

    def get(self, doc_ids: Iterable[str], *, removed: bool = False) -> dict[str, ArticleRecord]:
        """The records of these articles (doc id -> record); removed ones only when asked."""
        out: dict[str, ArticleRecord] = {}
        for part in chunked(sorted(set(doc_ids)), _PAGE):
            page = self.collection.get(ids=list(part), include=["documents", "metadatas"])
            for record in _records(page):
                if removed or not record.removed:
                    out[record.doc_id] = record
        return out

    def where(self, where: dict | None = None, *, removed: bool = False, text: dict | None = None) -> Iterator[ArticleRecord]:
        """Records matching a Chroma `where` (all when None) and a `where_document` (`text`), page by page."""
        live = None if removed else {"removed": False}
        clause = {"$and": [where, live]} if where and live else (where or live)
        offset = 0
        while True:
            page = self.collection.get(where=clause, where_document=text, include=["documents", "metadatas"],
                                       limit=_PAGE, offset=offset)
            if not page["ids"]:
                return
            yield from _records(page)
            offset += len(page["ids"])

    def all(self, *, removed: bool = False) -> list[ArticleRecord]:
        return list(self.where(None, removed=removed))

    def count(self) -> int:
        """Articles in the index (removed ones not counted)."""
        return len(self.collection.get(where={"removed": False}, include=[])["ids"])

    def vectors(self, doc_ids: Iterable[str]) -> dict[str, np.ndarray]:
        """doc id -> the article's vector."""
        out: dict[str, np.ndarray] = {}
        for part in chunked(sorted(set(doc_ids)), _IN_BATCH):
            page = self.collection.get(ids=list(part), include=["embeddings"])
            out.update(zip(page["ids"], np.asarray(page["embeddings"], dtype=np.float32)))
        return out

    def with_version(self, versions: Iterable[str]) -> list[ArticleRecord]:
        """Stored articles whose content is one of these versions (vectors to copy)."""
        out: list[ArticleRecord] = []
        for part in chunked(sorted(set(versions)), _IN_BATCH):
            out.extend(self.where({"version": {"$in": list(part)}}))
        return out

    def sharing_a_band(self, bands: Iterable[str]) -> list[ArticleRecord]:
        """Articles with any of these LSH band keys (candidate wire copies)."""
        keys = sorted(set(bands))
        if not keys:
            return []
        clauses = [{"$contains": f'"{k}"'} for k in keys]
        return [r for r in self.where(text=clauses[0] if len(clauses) == 1 else {"$or": clauses})
                if set(r.bands) & set(keys)]

    def under(self, folder: str) -> list[ArticleRecord]:
        """Articles whose file (or original) is inside this folder."""
        prefix = folder.rstrip("/") + "/"
        return [r for r in self.where(text={"$contains": json.dumps(prefix, ensure_ascii=False)[1:-1]})
                if r.path.startswith(prefix) or r.original.startswith(prefix)]

    def changed_since(self, seq: int) -> list[ArticleRecord]:
        """Records written after `seq`, removed ones included (what another process missed)."""
        return list(self.where({"seq": {"$gt": seq}}, removed=True))

    # --- writing (under the write lock) --------------------------------------------------------

    def put(self, records: list[ArticleRecord], vectors: list[Any]) -> None:
        """Write records (stamped now) with their vectors: the mean of their chunks' vectors."""
        if not records:
            return
        stamp = now()
        rows = [replace(r, seq=stamp, removed=False).to_chroma() for r in records]
        self.collection.upsert(ids=[r.doc_id for r in records], embeddings=[list(map(float, v)) for v in vectors],
                               documents=[d for d, _ in rows], metadatas=[m for _, m in rows])

    def update(self, doc_id: str, **changes: Any) -> None:
        """Change fields of a record, keeping its vector."""
        record = self.get([doc_id], removed=True).get(doc_id)
        if record is not None:
            self._rewrite([replace(record, **changes, seq=now())])

    def set_stats(self, stats: Mapping[str, tuple[int, int]]) -> None:
        """Remember files' sizes and modification times (doc id -> (size, mtime_ns)); the
        sequence stamp is kept: nothing a reader cares about changed."""
        self._rewrite([replace(r, size=stats[r.doc_id][0], mtime_ns=stats[r.doc_id][1]) for r in self.get(stats).values()])

    def mark_removed(self, doc_ids: Iterable[str]) -> None:
        stamp = now()
        self._rewrite([replace(r, removed=True, seq=stamp) for r in self.get(doc_ids).values()])

    def _rewrite(self, records: list[ArticleRecord]) -> None:
        """Records written again as they are given, each with the vector it has."""
        for part in chunked(records, _IN_BATCH):
            vectors = self.vectors(r.doc_id for r in part)
            rows = [r.to_chroma() for r in part]
            self.collection.upsert(ids=[r.doc_id for r in part], embeddings=[list(map(float, vectors[r.doc_id])) for r in part],
                                   documents=[d for d, _ in rows], metadatas=[m for _, m in rows])

    def clear(self) -> None:
        """Forget every record (a manifest written by another version is rebuilt from the chunks)."""
        ids = self.collection.get(include=[])["ids"]
        for part in chunked(ids, _PAGE):
            self.collection.delete(ids=list(part))

    def drop(self, doc_ids: Iterable[str]) -> None:
        """Forget records altogether (a repair that found their chunks gone)."""
        for part in chunked(sorted(set(doc_ids)), _IN_BATCH):
            self.collection.delete(ids=list(part))


def _records(page: dict) -> Iterator[ArticleRecord]:
    for doc_id, document, meta in zip(page["ids"], page["documents"] or [], page["metadatas"] or []):
        yield ArticleRecord.from_chroma(doc_id, document, meta)


def now() -> int:
    return time.time_ns() // 1000
