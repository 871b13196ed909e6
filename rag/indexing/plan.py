"""What to do with one file: read it, then decide whether it is unchanged, to have its speaker
index refreshed, to be written (new or edited), or to be dropped (it can no longer be indexed).

Planning writes nothing: the run applies the decision (rag/indexing/run.py).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from ..config import Settings
from ..index.embeddings import NewsragEmbeddingFunction
from ..index.schema import ChunkMeta
from ..index.store import StoredDoc, chunk_id, doc_id_for
from ..types import FileResult
from . import boilerplate
from .corrections import Correction
from .chunking import Chunk, chunk_document
from .documents import Document, parse
from ..types import Statement
from .outlets import OUTLET_MARK
from .quotes import INDEX_VERSION, cited_outlets, name_tokens, statements
from .reading import TextFile, Unreadable, read_text_file
from .sentences import document_sentences

CHUNKER_VERSION = "1"


def settings_fingerprint(settings: Settings) -> str:
    """Everything besides a file's bytes that decides its chunks and vectors."""
    parts = (
        CHUNKER_VERSION,
        boilerplate.CLEANER_VERSION,
        str(settings.chunk_tokens),
        str(settings.chunk_overlap),
        settings.encoding,
        NewsragEmbeddingFunction.name(),
    )
    return "|".join(parts)


@dataclass
class Job:
    """A file to write: its chunks, under ids that name its version."""

    source: str
    file: TextFile
    doc: Document
    chunks: list[Chunk]
    version: str
    previous: StoredDoc | None
    statements: list[Statement]
    refresh: bool = False  # same chunks and vectors; only the stored speaker index is rebuilt
    citing: tuple[int, ...] = ()  # where the sentences that cite a news outlet start
    original: str = ""  # the PDF, Word file or web page `file` is the converted text of

    def ids(self) -> list[str]:
        doc_id = doc_id_for(str(self.file.path))
        return [chunk_id(doc_id, self.version, c.index) for c in self.chunks]

    def meta(self, c: Chunk) -> ChunkMeta:
        path = str(self.file.path)
        said = tuple(st for st in self.statements if c.start <= st.start and st.end <= c.end)
        speakers = {w for st in said for w in name_tokens(st.speaker)}
        if any(c.start <= at < c.end for at in self.citing):
            speakers.add(OUTLET_MARK)
        return ChunkMeta(
            path=path, source=self.source, name=self.file.path.name, doc_id=doc_id_for(path), version=self.version,
            content_hash=self.file.content_hash, encoding=self.file.encoding, title=self.doc.title,
            byline=self.doc.byline, date=self.doc.date, n_chunks=len(self.chunks), chunk_index=c.index,
            start=c.start, end=c.end, tokens=c.tokens, statements=said,
            speakers=tuple(sorted(speakers)), index_version=INDEX_VERSION, outlet=self.doc.outlet,
            original=self.original,
        )

    def result(self) -> FileResult:
        """What the report says once the job is written."""
        if self.refresh:
            return FileResult(self.source, "unchanged", len(self.chunks), self.doc.title)
        had = self.previous is not None and any(v.complete for v in self.previous.versions.values())
        return FileResult(self.source, "updated" if had else "added", len(self.chunks), self.doc.title)


@dataclass(frozen=True)
class Decision:
    job: Job | None = None  # something to write
    result: FileResult | None = None  # a file with nothing to write: unchanged, skipped or removed
    delete: tuple[str, ...] = ()  # chunk ids to delete now
    note: str = ""


def plan_file(source: str, path: Path, previous: StoredDoc | None, settings: Settings, fingerprint: str,
              correction: Correction | None = None, original: Path | None = None) -> Decision:
    """What `path` needs; `correction`: what the user set for it by hand (rag/indexing/corrections.py);
    `original`: the file `path` is the converted text of (rag/indexing/convert.py)."""
    try:
        file = read_text_file(path, settings.max_file_bytes)
    except Unreadable as exc:
        return _drop(previous, source, str(exc))
    version = hashlib.sha1(f"{file.content_hash}|{fingerprint}".encode()).hexdigest()[:12]
    leftovers: tuple[str, ...] = ()
    note = ""
    if previous is not None:
        current = previous.versions.get(version)
        if current is not None and current.complete:
            leftovers = tuple(i for v, sv in previous.versions.items() if v != version for i in sv.ids)
            note = f"{source}: removed {len(leftovers)} chunks left by an interrupted run" if leftovers else ""
            if previous.index_version == INDEX_VERSION:
                return Decision(result=FileResult(source, "unchanged", current.n_chunks, previous.title),
                                delete=leftovers, note=note)
    doc = parse(file.text, fallback_title=path.stem)
    if correction is not None:
        doc = correction.apply(doc)
    sentences = document_sentences(doc)
    chunks = chunk_document(doc, settings.chunk_tokens, settings.chunk_overlap, settings.encoding, sentences)
    if not chunks:
        return _drop(previous, source, "no article text after removing site furniture")
    spans = [s for block in sentences for s in block]
    said = statements(doc.text, spans)
    citing = tuple(s.start for s in spans if cited_outlets(doc.text[s.start : s.end]))
    refresh = previous is not None and version in previous.versions and previous.versions[version].complete
    return Decision(job=Job(source, file, doc, chunks, version, previous, said, refresh, citing, str(original or "")),
                    delete=leftovers, note=note)


def _drop(previous: StoredDoc | None, source: str, reason: str) -> Decision:
    """A file that cannot be indexed now: skip it, and forget what it used to say."""
    if previous is not None:
        return Decision(result=FileResult(source, "removed", title=previous.title, reason=reason),
                        delete=tuple(previous.ids))
    return Decision(result=FileResult(source, "skipped", reason=reason))
