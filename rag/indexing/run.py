"""Ingest and remove: files -> chunks -> vectors in Chroma, incrementally and safely.

A run discovers the files (discover.py), fetches the URLs given (fetch.py), converts what is not
plain text (convert.py: web pages, PDFs, Word files), plans what each needs (plan.py: nothing, a refresh,
a write, or dropping it), writes the chunks (write.py), prunes files that disappeared from the
folders given (unless `prune=False`), and brings the BM25 index in step with Chroma. A file is
re-embedded only when its bytes or the chunking settings change; new chunks are written before
the old ones of the same file are deleted, so an interrupted run leaves the old version
searchable and the next run finishes the job.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Sequence

from ..config import Settings
from ..index.lexical import sync_lexical
from ..index.library import as_paths, match_sources
from ..index.opened import Index, open_index
from ..index.schema import StoredDoc, doc_id_for
from ..index.writelock import writing
from ..types import FileResult, IngestReport
from .discover import Discovery, Found, discover
from .fetch import fetch, is_url, url_host
from .convert import CONVERTED_SUFFIXES, converted_before, forget, text_path
from .corrections import load as load_corrections
from .manifest import Change, changing
from .reading import Unreadable
from .guard import guarded
from .plan import Job, prepare, settings_fingerprint, unchanged
from .write import Progress, Writer


def ingest(
    paths: str | os.PathLike | Sequence[str | os.PathLike],
    *,
    prune: bool = True,
    settings: Settings | None = None,
    progress: Progress | None = None,
    follow_links: bool = False,
    index: Index | None = None,
) -> IngestReport:
    """Add files (.txt .md as they are; .html .pdf .docx converted), folders (recursively) and
    http(s) URLs of pages or PDFs to the index; see the module docstring. Links found inside a
    folder that lead out of it are skipped unless `follow_links`."""
    index = open_index(settings, index)
    started = time.perf_counter()
    with writing(index.settings):
        run = _Run(index, progress)
        with changing(index, run.notes) as run.change:
            return run.run(as_paths(paths), prune, started, follow_links)


def remove(
    paths: str | os.PathLike | Sequence[str | os.PathLike], *, settings: Settings | None = None,
    index: Index | None = None,
) -> IngestReport:
    """Take files (or every file under folders) out of the index; the files are not touched."""
    index = open_index(settings, index)
    started = time.perf_counter()
    with writing(index.settings):
        run = _Run(index, None)
        with changing(index, run.notes) as run.change:
            stored = run.store.docs()
            for given in as_paths(paths):
                matches = match_sources(stored.values(), [given])
                if not matches:
                    run.results.append(FileResult(given, "skipped", reason="not in the index"))
                for doc in matches:
                    run.drop(doc)
                    run.results.append(FileResult(doc.source, "removed", title=doc.title, reason="removed on request"))
                    stored.pop(doc.path, None)
            return run.finish(started)


def _own_complete(job: Job) -> set[str]:
    """Versions the file itself already holds complete (a refresh needs no copy from elsewhere)."""
    return {v for v, sv in job.previous.versions.items() if sv.complete} if job.previous else set()


class _Run:
    def __init__(self, index: Index, progress: Progress | None) -> None:
        self.settings = index.settings
        self.store = index.store
        self.lexical = index.lexical
        self.writer = Writer(self.store, self.lexical, self.settings, progress)
        self.progress_file = getattr(progress, "reading", None)  # told each file the worker reads, when it listens
        self.results: list[FileResult] = []
        self.notes: list[str] = []
        self.refreshed = 0
        self.change: Change | None = None  # the change it is part of (manifest.py)

    def run(self, given: list[str], prune: bool, started: float, follow_links: bool = False) -> IngestReport:
        found = discover([g for g in given if not is_url(g)], follow_links=follow_links, exclude=[self.settings.data_dir])
        for url in (g for g in given if is_url(g)):  # a web page (or PDF): fetched, then read like a saved file
            try:
                found.files.append(Found(url, fetch(url, self.settings)))
            except Unreadable as exc:
                found.skipped.append(FileResult(url, "skipped", reason=str(exc)))
        return self.add(found, prune, started)

    def add(self, found: Discovery, prune: bool, started: float) -> IngestReport:
        """Plan and write the files found (and prune their folders when asked)."""
        pruning = prune and bool(found.roots)
        # a PDF, Word file or web page is indexed as its text under RAG_DATA_DIR/converted/
        where = {f.path: text_path(f.path, self.settings) if f.path.suffix.lower() in CONVERTED_SUFFIXES else f.path
                 for f in found.files}
        # what the index holds under the folders given (to find what left them), and of the files
        stored = self.store.docs_under(found.roots) if pruning else {}
        stored |= self.store.docs(p for p in map(str, where.values()) if p not in stored)
        self.results.extend(found.skipped)
        fingerprint = settings_fingerprint(self.settings)
        corrected = load_corrections(self.settings)
        jobs: list[Job] = []
        restat: dict[str, tuple[int, int]] = {}  # unchanged files read again: their size and mtime now
        for f in found.files:
            path = where[f.path]
            previous = stored.get(str(path))
            decision = None  # unchanged, told without converting or reading: no worker needed
            if path == f.path or converted_before(f.path, self.settings) == path:
                decision = unchanged(f.source, path, previous, fingerprint)
            if decision is None:
                if self.progress_file:
                    self.progress_file(f.source)
                try:  # converted, read, split and chunked in the guarded worker (guard.py)
                    path, decision = guarded(prepare, f.path, f.source, path, previous, self.settings, fingerprint,
                                             corrected.get(str(path)), url_host(f.source), settings=self.settings)
                except Unreadable as exc:
                    kept = " (the version indexed before is kept)" if previous is not None else ""
                    self.results.append(FileResult(f.source, "skipped", reason=f"{exc}{kept}"))
                    continue
            if decision.drop is not None:
                self.drop(decision.drop, forget_text=False)
            if decision.stat is not None:
                restat[doc_id_for(str(path))] = decision.stat
            if decision.result is not None:
                self.results.append(decision.result)
            if decision.job is not None:
                jobs.append(decision.job)
        if restat:  # the next run finds them unchanged without reading them
            self.store.articles.set_stats(restat)
        new = [j for j in jobs if j.version not in _own_complete(j)]
        reusable = self.store.complete_versions(j.version for j in new)
        present = self.store.existing(cid for j in new for cid in j.ids())  # written by an interrupted run
        self.writer.write(jobs, reusable, present, self._done)
        if pruning:
            self._prune(stored, {str(p) for p in where.values()}, found.roots)
        return self.finish(started)

    def finish(self, started: float) -> IngestReport:
        if self.refreshed:
            self.notes.append(f"rebuilt the speaker index of {self.refreshed} unchanged file(s); nothing was re-embedded")
        total = sync_lexical(self.store, self.lexical, self.notes, self.change.chunks() if self.change else None)
        if self.change is not None and total != self.change.chunks():  # (the store held other than it was told)
            self.change.before += total - self.change.chunks()
        return IngestReport(
            files=tuple(self.results),
            chunks_embedded=self.writer.embedded,
            chunks_reused=self.writer.reused,
            chunks_total=total,
            seconds=time.perf_counter() - started,
            embed_seconds=self.writer.embed_seconds,
            notes=tuple(self.notes),
        )

    def drop(self, doc: StoredDoc, forget_text: bool = True) -> None:
        """Take a file out of the index: its manifest record is marked removed, then its chunks
        leave Chroma, then BM25 (a crash in between is repaired by the next change: manifest.py);
        a converted text (and a fetched page) is deleted with it unless `forget_text` is False."""
        self.store.articles.mark_removed([doc_id_for(doc.path)])
        self.store.delete(doc.ids)
        self.lexical.update(delete=doc.ids)
        if forget_text and doc.original:
            forget(doc.path, doc.original, self.settings)

    def _done(self, job: Job) -> None:
        self.refreshed += job.refresh
        self.results.append(job.result())

    def _prune(self, stored: dict[str, StoredDoc], seen: set[str], roots: list[Path]) -> None:
        for path, doc in stored.items():
            original = doc.original or path  # a converted text goes with its original
            if path in seen or os.path.exists(original):
                continue
            if any(Path(original).is_relative_to(root) for root in roots):
                self.drop(doc)
                self.results.append(FileResult(doc.source, "removed", title=doc.title, reason="file no longer exists"))
