"""What to do with one file: read it, then decide whether it is unchanged, to have its speaker
index refreshed, to be written (new or edited), or to be dropped (it can no longer be indexed).

Planning writes nothing: the run applies the decision (rag/indexing/run.py).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..config import Settings
from ..index.articles import ArticleRecord
from ..index.schema import ChunkMeta, StoredDoc, chunk_id, doc_id_for
from ..types import FileResult, Statement
from . import boilerplate
from .chunking import Chunk, chunk_document
from .convert import convert
from .documents import Document, parse
from .outlets import OUTLET_MARK
from .prose import not_prose
from ..language import ANALYSIS_VERSION, SentenceReading, read_sentences
from .quotes import SPEAKER_VERSION, cited_outlets, name_tokens, statements
from .reading import TextFile, Unreadable, read_text_file
from .sentences import document_sentences

if TYPE_CHECKING:
    from .corrections import Correction

CHUNKER_VERSION = "1"
# what is stored beside the vectors: a change refreshes the chunks' metadata, not their vectors
INDEX_VERSION = f"{SPEAKER_VERSION}.{ANALYSIS_VERSION}"


def settings_fingerprint(settings: Settings) -> str:
    """Everything besides a file's bytes that decides its chunks and vectors."""
    from ..index.embeddings import embedder_identity  # (imported here: the reading worker never loads Chroma)

    parts = (
        CHUNKER_VERSION,
        boilerplate.CLEANER_VERSION,
        str(settings.chunk_tokens),
        str(settings.chunk_overlap),
        settings.encoding,
        embedder_identity(settings),
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
    stat: tuple[int, int] = (-1, -1)  # the file's size and mtime_ns, taken before it was read
    readings: tuple[SentenceReading, ...] = ()  # each sentence's entities and verbs (rag/language.py)

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
            original=self.original, readings=tuple(r for r in self.readings if c.start <= r.start and r.end <= c.end),
        )

    def record(self) -> ArticleRecord:
        """The file's record in the article manifest (rag/index/articles.py)."""
        from ..index import copies  # (imported here: the reading worker has no use for MinHash)

        path = str(self.file.path)
        sig = copies.signature("\n".join(c.text for c in self.chunks))
        names, counts = quoted(self.statements)
        return ArticleRecord(
            doc_id=doc_id_for(path), path=path, source=self.source, title=self.doc.title, byline=self.doc.byline,
            date=self.doc.date, outlet=self.doc.outlet, original=self.original, encoding=self.file.encoding,
            content_hash=self.file.content_hash, version=self.version, n_chunks=len(self.chunks),
            index_version=INDEX_VERSION, signature=copies.pack(sig), bands=tuple(copies.band_keys(sig)),
            quoted=names, quoted_n=counts, cites_outlets=bool(self.citing), size=self.stat[0], mtime_ns=self.stat[1],
        )

    def result(self) -> FileResult:
        """What the report says once the job is written."""
        if self.refresh:
            return FileResult(self.source, "unchanged", len(self.chunks), self.doc.title)
        had = self.previous is not None and any(v.complete for v in self.previous.versions.values())
        return FileResult(self.source, "updated" if had else "added", len(self.chunks), self.doc.title)


def quoted(statements) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """Who is quoted or reported, and in how many sentences, most often first."""
    counts: dict[str, int] = {}
    for st in statements:
        counts[st.speaker] = counts.get(st.speaker, 0) + 1
    ranked = sorted(counts, key=lambda name: (-counts[name], name))
    return tuple(ranked), tuple(counts[name] for name in ranked)


def version_of(content_hash: str, fingerprint: str) -> str:
    """The version a file's chunks are stored under: its bytes and the settings that chunk and embed them."""
    return hashlib.sha1(f"{content_hash}|{fingerprint}".encode()).hexdigest()[:12]


@dataclass(frozen=True)
class Decision:
    job: Job | None = None  # something to write
    result: FileResult | None = None  # a file with nothing to write: unchanged, skipped or removed
    drop: StoredDoc | None = None  # a stored file to take out of the index now
    stat: tuple[int, int] | None = None  # an unchanged file's size and mtime, to remember in its record


def unchanged(source: str, path: Path, previous: StoredDoc | None, fingerprint: str) -> Decision | None:
    """A file whose size and modification time are those it had when it was stored is unchanged
    without being read (as git and rsync decide): its Decision; None when it must be read."""
    stat = _stat(path)
    if previous is not None and previous.content_hash and stat == (previous.size, previous.mtime_ns):
        current = previous.versions.get(version_of(previous.content_hash, fingerprint))
        if current is not None and current.complete and previous.index_version == INDEX_VERSION:
            return Decision(result=FileResult(source, "unchanged", current.n_chunks, previous.title))
    return None


def prepare(found: Path, source: str, path: Path, previous: StoredDoc | None, settings: Settings, fingerprint: str,
            correction: Correction | None, site: str) -> tuple[Path, Decision]:
    """Convert `found` to the text file `path` when that is another file (a web page, PDF or Word
    file), then plan it: what runs, for each file, in the guarded worker (rag/indexing/guard.py)."""
    if path != found:
        path = convert(found, settings, site=site)
    return path, plan_file(source, path, previous, settings, fingerprint, correction, found if path != found else None)


def plan_file(source: str, path: Path, previous: StoredDoc | None, settings: Settings, fingerprint: str,
              correction: Correction | None = None, original: Path | None = None) -> Decision:
    """What `path` needs; `correction`: what the user set for it by hand (rag/indexing/corrections.py);
    `original`: the file `path` is the converted text of (rag/indexing/convert.py).
    An unchanged file (its size and modification time as stored) is not read; any other is read
    and its bytes hashed."""
    if (same := unchanged(source, path, previous, fingerprint)) is not None:
        return same
    stat = _stat(path)
    try:
        file = read_text_file(path, settings.max_file_bytes)
    except Unreadable as exc:
        return _drop(previous, source, str(exc))
    version = version_of(file.content_hash, fingerprint)
    if previous is not None:
        current = previous.versions.get(version)
        if current is not None and current.complete and previous.index_version == INDEX_VERSION:
            return Decision(result=FileResult(source, "unchanged", current.n_chunks, previous.title),
                            stat=stat if stat != (previous.size, previous.mtime_ns) else None)
    if (junk := not_prose(file.text)) is not None:
        return _drop(previous, source, junk)
    doc = parse(file.text, fallback_title=(original or path).stem)  # a converted file: its original's name
    if correction is not None:
        doc = correction.apply(doc)
    sentences = document_sentences(doc)
    chunks = chunk_document(doc, settings.chunk_tokens, settings.chunk_overlap, settings.encoding, sentences)
    if not chunks:
        return _drop(previous, source, "no article text after removing site furniture")
    spans = [s for block in sentences for s in block]
    said = statements(doc.text, spans)
    citing = tuple(s.start for s in spans if cited_outlets(doc.text[s.start : s.end]))
    readings = read_sentences(doc.text, [(s.start, s.end) for s in spans])
    refresh = previous is not None and version in previous.versions and previous.versions[version].complete
    return Decision(job=Job(source, file, doc, chunks, version, previous, said, refresh, citing, str(original or ""), stat,
                            readings))


def _stat(path: Path) -> tuple[int, int]:
    try:
        st = os.stat(path)
    except OSError:
        return (-1, -1)
    return (st.st_size, st.st_mtime_ns)


def _drop(previous: StoredDoc | None, source: str, reason: str) -> Decision:
    """A file that cannot be indexed now: skip it, and forget what it used to say."""
    if previous is not None:
        return Decision(result=FileResult(source, "removed", title=previous.title, reason=reason), drop=previous)
    return Decision(result=FileResult(source, "skipped", reason=reason))
