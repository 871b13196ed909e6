"""One writer at a time per index: ingest, remove, the first-run bootstrap and BM25 rebuilds.

The lock is a file in RAG_DATA_DIR, held across processes and across the UI's worker threads.
It is re-entrant within one thread, so the bootstrap can take it, re-check that the index is
still empty, and ingest under the same hold.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from ..config import Settings

WAIT_SECONDS = 900  # how long a second writer waits for the first one


def _lock(settings: Settings):
    from filelock import FileLock

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    # one lock object per file in this process (re-entrant per thread; threads exclude each other)
    return FileLock(str(settings.data_dir / "ingest.lock"), is_singleton=True)


@contextmanager
def writing(settings: Settings, wait: float = WAIT_SECONDS) -> Iterator[None]:
    """Hold the write lock; raises TimeoutError (filelock.Timeout) after `wait` seconds. An
    embedded index is marked as written when the hold starts and when it ends: other processes
    open it again before they next use it (rag/index/embedded.py)."""
    lock = _lock(settings)
    lock.acquire(timeout=wait)
    try:
        _mark(settings)
        yield
    finally:
        try:
            _mark(settings)
        finally:
            lock.release()


def _mark(settings: Settings) -> None:
    if not settings.chroma_host:
        from .embedded import mark_written

        mark_written(settings.chroma_dir)


@contextmanager
def writing_if_free(settings: Settings) -> Iterator[bool]:
    """Hold the write lock if nobody else does; yields whether it is held."""
    from filelock import Timeout

    lock = _lock(settings)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        yield False
        return
    try:
        yield True
    finally:
        lock.release()


def another_writer(settings: Settings) -> bool:
    """Is an ingest (or removal) running in another process or thread right now?"""
    if not (settings.data_dir / "ingest.lock").exists():
        return False
    with writing_if_free(settings) as free:
        return not free
