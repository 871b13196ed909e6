"""Embedding and writing: every chunk of the planned files gets its vector (reused where the
index already has it) and is written to Chroma a few dozen at a time.

Each step is committed in one Chroma call, then in one BM25 commit, so an interrupted run keeps
what it embedded and the next run embeds only the rest. A file's old version is deleted only
once all of its new version is written, so the old one stays searchable until then.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Literal

from more_itertools import chunked

from ..config import Settings
from ..index.embeddings import index_embedder
from ..index.lexical import LexicalIndex, index_text, tokenize
from ..index.schema import doc_id_for
from ..index.store import Store
from ..timeframe import day_of
from .chunking import Chunk
from .manifest import mean_vector
from .plan import Job

# (chunks embedded so far, chunks to embed); one that also has a `reading(source)` method is told
# each file as it is converted and chunked (a long one shows which it is)
Progress = Callable[[int, int], None]
# chunks embedded, then committed in one write to each collection and one BM25 commit: an
# interruption loses at most this many (5 s of MiniLM on 2 cores); each write is a transaction
# synced to disk (tens of milliseconds), so a step of a few chunks costs more than their embedding
_STEP = 128
_WINDOW = 512  # chunks sorted by length together before they are cut into steps (less padding in a batch)
_WINDOW_ROWS = 1024  # chunks per window at most when their vectors need no embedding

# Where a chunk's vector comes from: already stored under its own id ("keep"; "meta" when only its
# metadata is rewritten), stored under another file's id ("copy"), computed earlier in this run
# for an identical file ("twin"), or the model ("embed").
Action = Literal["keep", "meta", "copy", "twin", "embed"]


@dataclass(frozen=True)
class _Row:
    job: Job
    chunk: Chunk
    cid: str
    action: Action
    origin: str = ""  # the stored chunk id a "copy" takes its vector from


class Writer:
    def __init__(self, store: Store, lexical: LexicalIndex, settings: Settings, progress: Progress | None) -> None:
        self.store = store
        self.lexical = lexical
        self.settings = settings
        self.progress = progress
        self.embedded = self.reused = 0
        self.embed_seconds = 0.0

    def write(self, jobs: list[Job], reusable: dict[str, list[str]], present: set[str],
              done: Callable[[Job], None]) -> None:
        """Write every job; `done(job)` once all of a job's chunks are in, its manifest record
        written and its old chunks gone. `reusable`: version -> chunk ids of a stored file with
        that content (vectors to copy); `present`: chunk ids an interrupted run already wrote."""
        rows = _rows(jobs, reusable, present)
        to_embed = sum(r.action == "embed" for r in rows)
        if self.progress and to_embed:
            self.progress(0, to_embed)
        twins = {r.job.version for r in rows if r.action == "twin"}
        computed: dict[tuple[str, int], Any] = {}  # (version, chunk index) -> vector, for twins
        left = {id(job): len(job.chunks) for job in jobs}
        vectors_of: dict[int, dict[str, Any]] = {id(job): {} for job in jobs}  # for each job's mean vector
        embedded = 0
        for step in _steps(rows):
            vectors = self._vectors(step, computed, twins)
            embedded += sum(r.action == "embed" for r in step)
            if self.progress and to_embed:
                self.progress(embedded, to_embed)
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
                if r.cid in vectors:
                    vectors_of[id(r.job)][r.cid] = vectors[r.cid]
                left[id(r.job)] -= 1
                if left[id(r.job)] == 0:
                    finished.append(r.job)
            self._record(finished, vectors_of)
            stale = [i for job in finished if job.previous for i in set(job.previous.ids) - set(job.ids())]
            if stale:
                self.store.delete(stale)
            searchable = [r for r in step if r.action != "meta"]  # a refresh changes no words
            tokens = tokenize([index_text(r.job.doc.title, r.chunk.text) for r in searchable]) if searchable else []
            self.lexical.update(((r.cid, doc_id_for(str(r.job.file.path)), day_of(r.job.doc.date), t) for r, t in zip(searchable, tokens)),
                                stale)
            for job in finished:
                done(job)

    def _record(self, finished: list[Job], vectors_of: dict[int, dict[str, Any]]) -> None:
        """The manifest records of the jobs whose chunks are all in, with their mean vectors (read
        from the store for chunks this run did not compute)."""
        if not finished:
            return
        missing = [cid for job in finished for cid in job.ids() if cid not in vectors_of[id(job)]]
        stored = self.store.vectors(missing) if missing else {}
        means = []
        for job in finished:
            have = vectors_of.pop(id(job))
            means.append(mean_vector([have[c] if c in have else stored[c] for c in job.ids() if c in have or c in stored]))
        self.store.articles.put([job.record() for job in finished], means)

    def _vectors(self, step: list[_Row], computed: dict, twins: set[str]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        fresh = [r for r in step if r.action == "embed"]
        if fresh:
            model = index_embedder(self.settings)  # loaded once per process; not counted as embedding time
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


def _rows(jobs: list[Job], complete: dict[str, list[str]], present: set[str]) -> list[_Row]:
    """Every chunk to write, with where its vector comes from."""
    first: dict[str, int] = {}  # version -> the job that embeds it in this run
    rows: list[_Row] = []
    for n, job in enumerate(jobs):
        own = job.previous.versions.get(job.version) if job.previous else None
        already = (set(own.ids) if own else set()) | present  # stored complete, or by an interrupted run
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
    steps = list(chunked(fresh, _STEP)) or [[]]
    steps[-1] = steps[-1] + [r for r in window if r.action != "embed"]
    return steps
