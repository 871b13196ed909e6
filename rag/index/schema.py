"""What Chroma stores with each chunk: the one place the metadata schema is written and read.

Chroma metadata is flat (strings, numbers, booleans, lists of strings), so the speaker part is
stored twice: `speakers`, the lower-case name words of everyone quoted in the chunk (for
`$contains` filters; and "~outlet" when a sentence of the chunk cites a news outlet), and
`statements`, each statement as JSON [speaker, start, end, direct].
Reading is lenient: an index written by an older version still opens (missing fields take
their defaults; the next ingest refreshes what `index_version` says is old).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from ..language import PackedReadings, SentenceReading, pack
from ..timeframe import day_of
from ..types import Statement


@dataclass(frozen=True)
class ChunkMeta:
    path: str  # absolute (real) path of the file: its identity
    source: str  # the path as it was ingested
    name: str  # file name
    doc_id: str
    version: str  # content hash + chunking settings: a changed file writes new chunk ids
    content_hash: str
    encoding: str  # offsets index into open(path, encoding=encoding).read()
    title: str
    byline: str
    date: str
    n_chunks: int  # chunks of this version of the file
    chunk_index: int
    start: int
    end: int
    tokens: int
    statements: tuple[Statement, ...] = ()  # who says what inside the chunk
    speakers: tuple[str, ...] = ()  # their name words, lower case (for `$contains` filters)
    index_version: str = ""  # of the speaker rules that wrote `statements` (rag/indexing/quotes.py)
    outlet: str = ""  # who published the article (rag/indexing/publisher.py)
    original: str = ""  # a PDF, Word file or web page whose converted text `path` is (rag/indexing/convert.py)
    # its sentences' entities and verbs (rag/language.py), as `readings` JSON (read back undecoded: PackedReadings)
    readings: Sequence[SentenceReading] = ()

    @property
    def day(self) -> int:
        """The publication day as a number (rag/timeframe.py), 0 when unknown: stored as `day`
        so that Chroma can filter on a date range."""
        return day_of(self.date)

    def to_chroma(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "path": self.path, "source": self.source, "name": self.name, "doc_id": self.doc_id,
            "version": self.version, "content_hash": self.content_hash, "encoding": self.encoding,
            "title": self.title, "byline": self.byline, "date": self.date, "n_chunks": self.n_chunks,
            "chunk_index": self.chunk_index, "start": self.start, "end": self.end, "tokens": self.tokens,
            "index_version": self.index_version, "day": self.day, "outlet": self.outlet, "original": self.original,
            "statements": json.dumps([[st.speaker, st.start, st.end, int(st.direct)] for st in self.statements]),
            "readings": pack(self.readings),
        }
        if self.speakers:  # Chroma refuses empty lists
            out["speakers"] = sorted(self.speakers)
        return out

    @classmethod
    def from_chroma(cls, meta: Mapping[str, Any]) -> "ChunkMeta":
        path = str(meta.get("path", ""))
        return cls(
            path=path,
            source=str(meta.get("source", path)),
            name=str(meta.get("name", path.replace("\\", "/").rsplit("/", 1)[-1])),
            doc_id=str(meta.get("doc_id", "")),
            version=str(meta.get("version", "")),
            content_hash=str(meta.get("content_hash", "")),
            encoding=str(meta.get("encoding", "utf-8")),
            title=str(meta.get("title", "")),
            byline=str(meta.get("byline", "")),
            date=str(meta.get("date", "")),
            n_chunks=int(meta.get("n_chunks", 0)),
            chunk_index=int(meta.get("chunk_index", 0)),
            start=int(meta.get("start", 0)),
            end=int(meta.get("end", 0)),
            tokens=int(meta.get("tokens", 0)),
            statements=_statements(meta.get("statements")),
            speakers=tuple(str(w) for w in meta.get("speakers") or ()),
            index_version=str(meta.get("index_version", "")),
            outlet=str(meta.get("outlet", "")),
            original=str(meta.get("original", "")),
            readings=PackedReadings(raw if isinstance(raw := meta.get("readings"), str) else ""),
        )


def _statements(raw: object) -> tuple[Statement, ...]:
    try:
        rows = json.loads(raw) if isinstance(raw, str) and raw else []
    except ValueError:
        return ()
    return tuple(Statement(str(r[0]), int(r[1]), int(r[2]), bool(r[3])) for r in rows if len(r) == 4)


@dataclass(frozen=True)
class StoredChunk:
    """A chunk as the store returns it."""

    id: str
    text: str
    meta: ChunkMeta
    embedding: Any = field(default=None, repr=False)  # only when asked for


def doc_id_for(path: str) -> str:
    return hashlib.sha1(path.encode("utf-8")).hexdigest()[:16]


def chunk_id(doc_id: str, version: str, index: int) -> str:
    return f"{doc_id}:{version}:{index:05d}"


def doc_id_of(cid: str) -> str:
    """The doc id a chunk id (`chunk_id`) starts with."""
    return cid.split(":", 1)[0]


@dataclass
class StoredVersion:
    n_chunks: int
    ids: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return len(self.ids) == self.n_chunks


@dataclass
class StoredDoc:
    """What the store holds for one file: usually one version; more after an interrupted run."""

    path: str
    source: str
    title: str
    date: str
    byline: str
    encoding: str
    index_version: str = ""  # of the speaker index stored with the chunks
    outlet: str = ""
    original: str = ""  # the PDF, Word file or web page `path` is the converted text of
    versions: dict[str, StoredVersion] = field(default_factory=dict)
    content_hash: str = ""  # of the stored version (from the manifest; "" when read from chunks)
    size: int = -1  # the file's size and modification time when it was read (-1: unknown)
    mtime_ns: int = -1

    @property
    def ids(self) -> list[str]:
        return [i for v in self.versions.values() for i in v.ids]

    @property
    def name(self) -> str:
        """The file's name as the user knows it (a converted PDF's is the PDF's, not its text's)."""
        return (self.source if self.original else self.path).replace("\\", "/").rsplit("/", 1)[-1]
