"""Files -> chunks -> vectors in Chroma, incrementally and safely.

A file is re-embedded only when its bytes or the chunking settings change. New chunks are
written before the old ones of the same file are deleted, so an interrupted run leaves the
old version searchable and the next run finishes the job. Files that disappeared from an
ingested folder are pruned unless `prune=False`.
"""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Literal, Sequence

from . import boilerplate
from .chunking import Chunk, chunk_document
from ..config import Settings
from .discover import discover
from .documents import Document, parse
from ..index.embeddings import NewsragEmbeddingFunction, load_model
from ..index.opened import Index, open_index
from ..index.lexical import LexicalIndex, index_text, tokenize
from .quotes import INDEX_VERSION, Statement, statements
from .reading import TextFile, Unreadable, read_text_file
from ..index.schema import ChunkMeta
from .sentences import document_sentences
from ..index.store import Store, StoredDoc, chunk_id, doc_id_for
from ..types import FileResult, IngestReport
from ..index.writelock import writing

CHUNKER_VERSION = "1"
Progress = Callable[[int, int], None]  # (chunks embedded so far, chunks to embed)
_STEP = 32  # chunks embedded, then committed to Chroma in one write: an interruption loses at most this many
_WINDOW = 256  # chunks sorted by length together before they are cut into steps (less padding in a batch)
_WINDOW_ROWS = 512  # chunks per window at most when their vectors need no embedding


@dataclass
class _Job:
    source: str
    file: TextFile
    doc: Document
    chunks: list[Chunk]
    version: str
    previous: StoredDoc | None
    statements: list[Statement]
    refresh: bool = False  # same chunks and vectors; only the stored speaker index is rebuilt

    def ids(self) -> list[str]:
        doc_id = doc_id_for(str(self.file.path))
        return [chunk_id(doc_id, self.version, c.index) for c in self.chunks]

    def meta(self, c: Chunk) -> ChunkMeta:
        path = str(self.file.path)
        return ChunkMeta(
            path=path, source=self.source, name=self.file.path.name, doc_id=doc_id_for(path), version=self.version,
            content_hash=self.file.content_hash, encoding=self.file.encoding, title=self.doc.title,
            byline=self.doc.byline, date=self.doc.date, n_chunks=len(self.chunks), chunk_index=c.index,
            start=c.start, end=c.end, tokens=c.tokens,
            statements=tuple(st for st in self.statements if c.start <= st.start and st.end <= c.end),
        )


# Where a chunk's vector comes from: already stored under its own id ("keep"; "meta" when only its
# metadata is rewritten), stored under another file's id ("copy"), computed earlier in this run
# for an identical file ("twin"), or the model ("embed").
Action = Literal["keep", "meta", "copy", "twin", "embed"]


@dataclass(frozen=True)
class _Row:
    job: _Job
    chunk: Chunk
    cid: str
    action: Action
    origin: str = ""  # the stored chunk id a "copy" takes its vector from


def settings_fingerprint(settings: Settings) -> str:
    parts = (
        CHUNKER_VERSION,
        boilerplate.CLEANER_VERSION,
        str(settings.chunk_tokens),
        str(settings.chunk_overlap),
        settings.encoding,
        NewsragEmbeddingFunction.name(),
    )
    return "|".join(parts)


def ingest(
    paths: str | os.PathLike | Sequence[str | os.PathLike],
    *,
    prune: bool = True,
    settings: Settings | None = None,
    progress: Progress | None = None,
    follow_links: bool = False,
    index: Index | None = None,
) -> IngestReport:
    """Add .txt/.md files and folders (recursively) to the index; see the module docstring.
    Links found inside a folder that lead out of it are skipped unless `follow_links`."""
    index = open_index(settings, index)
    started = time.perf_counter()
    with writing(index.settings):
        return _Run(index, progress).run(_as_list(paths), prune, started, follow_links)


def remove(
    paths: str | os.PathLike | Sequence[str | os.PathLike], *, settings: Settings | None = None,
    index: Index | None = None,
) -> IngestReport:
    """Take files (or every file under folders) out of the index; the files are not touched."""
    index = open_index(settings, index)
    started = time.perf_counter()
    with writing(index.settings):
        run = _Run(index, None)
        stored = run.store.docs()
        for given in _as_list(paths):
            matches = match_sources(stored.values(), [given])
            if not matches:
                run.results.append(FileResult(given, "skipped", reason="not in the index"))
            for doc in matches:
                run.store.delete(doc.ids)
                run.results.append(FileResult(doc.source, "removed", title=doc.title, reason="removed on request"))
                stored.pop(doc.path, None)
        return run.finish(started)


def _as_list(paths: str | os.PathLike | Sequence[str | os.PathLike]) -> list[str]:
    """Paths as strings (bytes that are not UTF-8 kept as surrogates, as the OS gave them)."""
    items = [paths] if isinstance(paths, (str, bytes, os.PathLike)) else paths
    try:
        return [os.fsdecode(p) for p in items]
    except TypeError:
        raise TypeError(f"expected a path or a list of paths, got {type(paths).__name__}") from None


def match_sources(docs: Iterable[StoredDoc], names: Sequence[str]) -> list[StoredDoc]:
    """Stored files named by absolute path, path as ingested, file name, or a folder holding them."""
    out: list[StoredDoc] = []
    for doc in docs:
        for name in names:
            wanted = os.path.normpath(name)
            absolute = os.path.abspath(name)
            if (
                doc.path == absolute
                or os.path.normpath(doc.source) == wanted
                or os.path.basename(doc.path) == name
                or doc.path.startswith(absolute.rstrip(os.sep) + os.sep)
            ):
                out.append(doc)
                break
    return out


class _Run:
    def __init__(self, index: Index, progress: Progress | None) -> None:
        self.settings = index.settings
        self.progress = progress
        self.store = index.store
        self.lexical = index.lexical
        self.results: list[FileResult] = []
        self.notes: list[str] = []
        self.embedded = self.reused = self.refreshed = 0
        self.embed_seconds = 0.0
        self.new_texts: dict[str, str] = {}  # chunk id -> text BM25 sees, for chunks written now

    def run(self, given: list[str], prune: bool, started: float, follow_links: bool = False) -> IngestReport:
        stored = self.store.docs()
        found = discover(given, follow_links=follow_links, exclude=[self.settings.data_dir])
        self.results.extend(found.skipped)
        fingerprint = settings_fingerprint(self.settings)
        jobs: list[_Job] = []
        for f in found.files:
            job = self._plan(f.source, f.path, stored.get(str(f.path)), fingerprint)
            if job is not None:
                jobs.append(job)
        self._write(jobs, stored)
        if prune:
            self._prune(stored, {str(f.path) for f in found.files}, found.roots)
        return self.finish(started)

    def finish(self, started: float) -> IngestReport:
        if self.refreshed:
            self.notes.append(f"rebuilt the speaker index of {self.refreshed} unchanged file(s); nothing was re-embedded")
        total = self._sync_lexical()
        return IngestReport(
            files=tuple(self.results),
            chunks_embedded=self.embedded,
            chunks_reused=self.reused,
            chunks_total=total,
            seconds=time.perf_counter() - started,
            embed_seconds=self.embed_seconds,
            notes=tuple(self.notes),
        )

    # --- deciding what to do with one file ---------------------------------------------------

    def _plan(self, source: str, path: Path, previous: StoredDoc | None, fingerprint: str) -> _Job | None:
        try:
            file = read_text_file(path, self.settings.max_file_bytes)
        except Unreadable as exc:
            self._drop(previous, source, str(exc))
            return None
        version = hashlib.sha1(f"{file.content_hash}|{fingerprint}".encode()).hexdigest()[:12]
        if previous is not None:
            current = previous.versions.get(version)
            if current is not None and current.complete:
                stale = [i for v, sv in previous.versions.items() if v != version for i in sv.ids]
                if stale:
                    self.store.delete(stale)
                    self.notes.append(f"{source}: removed {len(stale)} chunks left by an interrupted run")
                if previous.index_version == INDEX_VERSION:
                    self.results.append(FileResult(source, "unchanged", current.n_chunks, previous.title))
                    return None
        doc = parse(file.text, fallback_title=path.stem)
        sentences = document_sentences(doc)
        chunks = chunk_document(
            doc, self.settings.chunk_tokens, self.settings.chunk_overlap, self.settings.encoding, sentences
        )
        if not chunks:
            self._drop(previous, source, "no article text after removing site furniture")
            return None
        said = statements(doc.text, [s for block in sentences for s in block])
        refresh = previous is not None and version in previous.versions and previous.versions[version].complete
        return _Job(source, file, doc, chunks, version, previous, said, refresh)

    def _drop(self, previous: StoredDoc | None, source: str, reason: str) -> None:
        """A file that cannot be indexed now: skip it, and forget what it used to say."""
        if previous is not None:
            self.store.delete(previous.ids)
            self.results.append(FileResult(source, "removed", title=previous.title, reason=reason))
        else:
            self.results.append(FileResult(source, "skipped", reason=reason))

    # --- embedding and writing ---------------------------------------------------------------

    def _write(self, jobs: list[_Job], stored: dict[str, StoredDoc]) -> None:
        """Embed what has no vector yet and write it in small steps, each committed to Chroma in
        one call: an interrupted run keeps what it embedded, and the next run embeds only the
        rest. A file's old version is deleted only once all of its new version is written."""
        rows = _rows(jobs, stored)
        to_embed = sum(r.action == "embed" for r in rows)
        if self.progress and to_embed:
            self.progress(0, to_embed)
        twins = {r.job.version for r in rows if r.action == "twin"}
        computed: dict[tuple[str, int], Any] = {}  # (version, chunk index) -> vector, for twins
        left = {id(job): len(job.chunks) for job in jobs}
        done = 0
        for step in _steps(rows):
            vectors = self._vectors(step, computed, twins)
            done += sum(r.action == "embed" for r in step)
            if self.progress and to_embed:
                self.progress(done, to_embed)
            written = [r for r in step if r.action in ("copy", "twin", "embed")]
            if written:
                self.store.upsert([r.cid for r in written], [vectors[r.cid] for r in written],
                                  [r.chunk.text for r in written], [r.job.meta(r.chunk) for r in written])
            refreshed = [r for r in step if r.action == "meta"]
            if refreshed:
                self.store.update_metadata([r.cid for r in refreshed], [r.job.meta(r.chunk) for r in refreshed])
            finished = []
            for r in step:
                self.reused += r.action in ("keep", "copy", "twin")
                self.new_texts[r.cid] = index_text(r.job.doc.title, r.chunk.text)
                left[id(r.job)] -= 1
                if left[id(r.job)] == 0:
                    finished.append(r.job)
            stale = [i for job in finished if job.previous for i in set(job.previous.ids) - set(job.ids())]
            if stale:
                self.store.delete(stale)
            for job in finished:
                self._done(job)

    def _vectors(self, step: list[_Row], computed: dict, twins: set[str]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        fresh = [r for r in step if r.action == "embed"]
        if fresh:
            model = load_model()  # loaded once per process; not counted as embedding time
            t0 = time.perf_counter()
            matrix = model.embed([index_text(r.job.doc.title, r.chunk.text) for r in fresh], self.settings.embed_batch)
            self.embed_seconds += time.perf_counter() - t0
            self.embedded += len(fresh)
            for r, vector in zip(fresh, matrix):
                out[r.cid] = vector
                if r.job.version in twins:
                    computed[(r.job.version, r.chunk.index)] = vector
        copies = [r for r in step if r.action == "copy"]
        if copies:
            found = self.store.get(sorted({r.origin for r in copies}), embeddings=True)
            for r in copies:
                if r.origin not in found:
                    raise RuntimeError(f"the stored chunk {r.origin} disappeared while {r.job.source} was written")
                out[r.cid] = found[r.origin].embedding
        for r in step:
            if r.action == "twin":
                out[r.cid] = computed[(r.job.version, r.chunk.index)]
        return out

    def _done(self, job: _Job) -> None:
        if job.refresh:
            self.refreshed += 1
            self.results.append(FileResult(job.source, "unchanged", len(job.chunks), job.doc.title))
            return
        had = job.previous is not None and any(v.complete for v in job.previous.versions.values())
        status = "updated" if had else "added"
        self.results.append(FileResult(job.source, status, len(job.chunks), job.doc.title))

    # --- pruning and the lexical index -------------------------------------------------------

    def _prune(self, stored: dict[str, StoredDoc], seen: set[str], roots: list[Path]) -> None:
        for path, doc in stored.items():
            if path in seen or os.path.exists(path):
                continue
            if any(Path(path).is_relative_to(root) for root in roots):
                self.store.delete(doc.ids)
                self.results.append(FileResult(doc.source, "removed", title=doc.title, reason="file no longer exists"))

    def _sync_lexical(self) -> int:
        return sync_lexical(self.store, self.lexical, self.new_texts, self.notes)


def _rows(jobs: list[_Job], stored: dict[str, StoredDoc]) -> list[_Row]:
    """Every chunk to write, with where its vector comes from."""
    complete = {v: sorted(sv.ids) for doc in stored.values() for v, sv in doc.versions.items() if sv.complete}
    first: dict[str, int] = {}  # version -> the job that embeds it in this run
    rows: list[_Row] = []
    for n, job in enumerate(jobs):
        own = job.previous.versions.get(job.version) if job.previous else None
        already = set(own.ids) if own else set()  # written by this run's predecessor, or complete
        elsewhere = complete.get(job.version)
        embedder = first.setdefault(job.version, n)
        for c, cid in zip(job.chunks, job.ids()):
            if cid in already:
                rows.append(_Row(job, c, cid, "meta" if job.refresh else "keep"))
            elif elsewhere is not None:
                rows.append(_Row(job, c, cid, "copy", elsewhere[c.index]))
            elif embedder != n:
                rows.append(_Row(job, c, cid, "twin"))
            else:
                rows.append(_Row(job, c, cid, "embed"))
    return rows


def _steps(rows: list[_Row]) -> Iterator[list[_Row]]:
    """Steps of at most _STEP chunks to embed. Rows are taken a window at a time; inside a window
    the chunks to embed are sorted by length (batches of alike lengths carry little padding) and
    the rows that need no embedding go with the window's last step, when every vector they copy
    from this run has been computed."""
    window: list[_Row] = []
    embeds = 0
    for row in rows:
        window.append(row)
        embeds += row.action == "embed"
        if embeds >= _WINDOW or len(window) >= _WINDOW_ROWS:
            yield from _split(window)
            window, embeds = [], 0
    if window:
        yield from _split(window)


def _split(window: list[_Row]) -> list[list[_Row]]:
    fresh = sorted((r for r in window if r.action == "embed"), key=lambda r: len(r.job.doc.title) + len(r.chunk.text))
    steps = [fresh[i : i + _STEP] for i in range(0, len(fresh), _STEP)] or [[]]
    steps[-1] = steps[-1] + [r for r in window if r.action != "embed"]
    return steps


def sync_lexical(store: Store, lexical: LexicalIndex, known_texts: dict[str, str] | None = None, notes: list[str] | None = None) -> int:
    """Make the BM25 index hold exactly the chunks in Chroma; returns the chunk count."""
    ids = store.all_ids()
    if sorted(ids) == lexical.ids() and not known_texts:
        return len(ids)
    cached = lexical.cached_tokens()
    known_texts = known_texts or {}
    tokens = {i: cached[i] for i in ids if i in cached and i not in known_texts}
    fresh = [i for i in ids if i in known_texts]
    missing = [i for i in ids if i not in tokens and i not in known_texts]
    if missing:
        rows = store.get(missing)
        for i in missing:
            known_texts[i] = index_text(rows[i].meta.title, rows[i].text)
        fresh += missing
        if notes is not None and cached:
            notes.append(f"rebuilt the lexical index entries of {len(missing)} chunks")
    if fresh:
        for i, toks in zip(fresh, tokenize([known_texts[i] for i in fresh])):
            tokens[i] = toks
    lexical.rebuild(ids, tokens)
    return len(ids)
