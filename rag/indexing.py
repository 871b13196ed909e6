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
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Sequence

from . import boilerplate, quotes
from .chunking import Chunk, chunk_document
from .config import Settings, load_settings
from .documents import Document, parse
from .embeddings import NewsragEmbeddingFunction, load_model
from .lexical import LexicalIndex, index_text, tokenize
from .quotes import INDEX_VERSION, Statement, statements
from .reading import TEXT_SUFFIXES, TextFile, Unreadable, read_text_file
from .sentences import document_sentences
from .store import Store, StoredDoc, chunk_id, doc_id_for
from .types import FileResult, IngestReport

CHUNKER_VERSION = "1"
Progress = Callable[[int, int], None]  # (chunks embedded so far, chunks to embed)
_GROUP = 256  # chunks embedded and written together; an interruption loses at most one group


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
) -> IngestReport:
    """Add .txt/.md files and folders (recursively) to the index; see the module docstring."""
    settings = load_settings(settings)
    started = time.perf_counter()
    with _writing(settings):
        return _Run(settings, progress).run(_as_list(paths), prune, started)


def remove(
    paths: str | os.PathLike | Sequence[str | os.PathLike], *, settings: Settings | None = None
) -> IngestReport:
    """Take files (or every file under folders) out of the index; the files are not touched."""
    settings = load_settings(settings)
    started = time.perf_counter()
    with _writing(settings):
        run = _Run(settings, None)
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


@contextmanager
def _writing(settings: Settings):
    """One writer at a time per index (ingest, remove; processes and UI sessions alike)."""
    from filelock import FileLock

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with FileLock(str(settings.data_dir / "ingest.lock"), timeout=900):
        yield


def _as_list(paths: str | os.PathLike | Sequence[str | os.PathLike]) -> list[str]:
    return [str(paths)] if isinstance(paths, (str, os.PathLike)) else [str(p) for p in paths]


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


def _groups(jobs: list[_Job], size: int) -> Iterable[list[_Job]]:
    """Consecutive jobs holding about `size` chunks: embedded in one go, then written."""
    group: list[_Job] = []
    for job in jobs:
        group.append(job)
        if sum(len(j.chunks) for j in group) >= size:
            yield group
            group = []
    if group:
        yield group


class _Run:
    def __init__(self, settings: Settings, progress: Progress | None) -> None:
        self.settings = settings
        self.progress = progress
        self.store = Store(settings)
        self.lexical = LexicalIndex(settings.lexical_dir)
        self.results: list[FileResult] = []
        self.notes: list[str] = []
        self.embedded = self.reused = self.refreshed = 0
        self.embed_seconds = 0.0
        self.new_texts: dict[str, str] = {}  # chunk id -> text BM25 sees, for chunks written now

    def run(self, given: list[str], prune: bool, started: float) -> IngestReport:
        stored = self.store.docs()
        files, roots = self._discover(given)
        fingerprint = settings_fingerprint(self.settings)
        jobs: list[_Job] = []
        for source, path in files:
            job = self._plan(source, path, stored.get(str(path)), fingerprint)
            if job is not None:
                jobs.append(job)
        self._write(jobs, stored)
        if prune:
            self._prune(stored, {str(p) for _, p in files}, roots)
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

    # --- finding files -----------------------------------------------------------------------

    def _discover(self, given: list[str]) -> tuple[list[tuple[str, Path]], list[Path]]:
        files: dict[Path, str] = {}
        roots: list[Path] = []
        data_dir = self.settings.data_dir.resolve()
        for name in given:
            path = Path(name)
            if path.is_dir():
                root = path.resolve()
                roots.append(root)
                for dirpath, dirnames, filenames in os.walk(path):
                    dirnames[:] = sorted(
                        d for d in dirnames if not d.startswith(".") and Path(dirpath, d).resolve() != data_dir
                    )
                    for filename in sorted(filenames):
                        if not filename.startswith("."):
                            self._consider(Path(dirpath, filename), files)
            elif path.is_file():
                self._consider(path, files)
            else:
                self.results.append(FileResult(name, "skipped", reason="not found"))
        return [(source, path) for path, source in files.items()], roots

    def _consider(self, path: Path, files: dict[Path, str]) -> None:
        source = os.path.normpath(str(path))
        if path.suffix.lower() not in TEXT_SUFFIXES:
            self.results.append(
                FileResult(source, "skipped", reason=f"unsupported file type ({path.suffix or 'no extension'})")
            )
            return
        files.setdefault(path.resolve(), source)

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
        # Vectors of identical content already in the index (a copy, a rename) are reused.
        in_store = {v: sorted(sv.ids) for doc in stored.values() for v, sv in doc.versions.items() if sv.complete}
        fresh: dict[str, object] = {}  # version -> vectors computed in this run
        pending = {j.version: len(j.chunks) for j in jobs if j.version not in in_store}
        to_embed, done = sum(pending.values()), 0

        def advance(n: int) -> None:
            nonlocal done
            done += n
            if self.progress:
                self.progress(done, to_embed)

        if self.progress and to_embed:
            self.progress(0, to_embed)
        for group in _groups(jobs, _GROUP):
            need = {j.version: j for j in group if j.version not in in_store and j.version not in fresh}
            if need:
                fresh.update(self._embed(list(need.values()), advance))
            for job in group:
                if job.version in in_store and job.version not in fresh:
                    rows = self.store.get(in_store[job.version], embeddings=True)
                    fresh[job.version] = [rows[i]["embedding"] for i in in_store[job.version]]
                    self.reused += len(job.chunks)
                elif job.version not in need or need[job.version] is not job:
                    self.reused += len(job.chunks)
                self._store_job(job, fresh[job.version])

    def _embed(self, jobs: list[_Job], advance: Callable[[int], None]) -> dict[str, object]:
        texts = [index_text(j.doc.title, c.text) for j in jobs for c in j.chunks]
        model = load_model()  # loaded once per process; not counted as embedding time
        t0 = time.perf_counter()
        matrix = model.embed(texts, self.settings.embed_batch, advance)
        self.embed_seconds += time.perf_counter() - t0
        self.embedded += len(texts)
        out: dict[str, object] = {}
        offset = 0
        for job in jobs:
            out[job.version] = matrix[offset : offset + len(job.chunks)]
            offset += len(job.chunks)
        return out

    def _store_job(self, job: _Job, vectors) -> None:
        path = str(job.file.path)
        doc_id = doc_id_for(path)
        ids = [chunk_id(doc_id, job.version, c.index) for c in job.chunks]
        base = {
            "path": path,
            "source": job.source,
            "name": job.file.path.name,
            "doc_id": doc_id,
            "version": job.version,
            "content_hash": job.file.content_hash,
            "encoding": job.file.encoding,
            "title": job.doc.title,
            "byline": job.doc.byline,
            "date": job.doc.date,
            "n_chunks": len(job.chunks),
        }
        metas = [
            base
            | {"chunk_index": c.index, "start": c.start, "end": c.end, "tokens": c.tokens}
            | quotes.chunk_fields(job.statements, c.start, c.end)
            for c in job.chunks
        ]
        self.store.upsert(ids, vectors, [c.text for c in job.chunks], metas)
        for cid, c in zip(ids, job.chunks):
            self.new_texts[cid] = index_text(job.doc.title, c.text)
        if job.previous is not None:
            old = [i for i in job.previous.ids if i not in set(ids)]
            self.store.delete(old)
        if job.refresh:
            self.refreshed += 1
            self.results.append(FileResult(job.source, "unchanged", len(job.chunks), job.doc.title))
            return
        status = "updated" if job.previous is not None else "added"
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
            known_texts[i] = index_text(str(rows[i]["meta"].get("title", "")), rows[i]["text"])
        fresh += missing
        if notes is not None and cached:
            notes.append(f"rebuilt the lexical index entries of {len(missing)} chunks")
    if fresh:
        for i, toks in zip(fresh, tokenize([known_texts[i] for i in fresh])):
            tokens[i] = toks
    lexical.rebuild(ids, tokens)
    return len(ids)
