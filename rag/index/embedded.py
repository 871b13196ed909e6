"""The embedded Chroma, opened again in a process that another process has written behind.

An embedded Chroma keeps each collection's vector index in the memory of the process that opened
it and writes it back to disk whole from time to time. A process that opened the index before
another process wrote to it keeps searching its old copy (a running `rag ui` did not find, by
meaning, the articles a `rag ingest` in a terminal had just added), and when it then writes enough
to write its copy back, that copy replaces the other process's work on disk: every later read of
the index failed with "Error finding id" (measured: a UI holding the index, an ingest of 1,327
chunks in a terminal, then an upload of 1,809 chunks in the UI). See chroma-core/chroma#6975.

So every writing session (ingest, removal, correction, reindex: `writelock.writing`) leaves a
mark in the index folder when it starts and when it ends, and a process that finds a mark it did
not leave opens the index again (a new Chroma system for the folder, read from disk) before its
next read or write. Checking is one `stat` of the mark file. A Chroma server (CHROMA_HOST) needs
none of this: the server is the one process that holds the index.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MARK = "written-by"  # file in the index folder, replaced by each writing session
RETIRE_SECONDS = 5.0  # an old system is stopped this long after the index was opened again


@dataclass(frozen=True)
class Opened:
    client: Any  # chromadb.PersistentClient
    seen: tuple[int, int] | None  # the mark's (inode, modification time) when it was opened or last written here
    generation: int  # how many times this process has opened this folder


# Explicit caches of this process: the client of each index folder (with the mark it last saw),
# and the Chroma systems it has replaced, until they are stopped.
_OPENED: dict[str, Opened] = {}
_RETIRED: list[tuple[float, Any]] = []  # (when, Chroma system) replaced by a newer one, to be stopped
_LOCK = threading.Lock()


def _mark_key(folder: str) -> tuple[int, int] | None:
    try:
        stat = os.stat(os.path.join(folder, MARK))
    except OSError:
        return None
    return stat.st_ino, stat.st_mtime_ns


def mark_written(folder: Path) -> None:
    """Say that this process is writing (or has written) the index in `folder`: other processes
    open it again before their next read or write."""
    folder.mkdir(parents=True, exist_ok=True)
    path = str(folder.resolve())
    with _LOCK:
        before = _mark_key(path)
        scratch = folder / f".{MARK}.{os.getpid()}.{uuid.uuid4().hex}"
        scratch.write_text(f"{os.getpid()}\n", encoding="ascii")
        os.replace(scratch, folder / MARK)  # a new inode: never mistaken for the mark it replaces
        opened = _OPENED.get(path)
        if opened is not None and opened.seen == before:  # else another process wrote first: opened again at next use
            _OPENED[path] = Opened(opened.client, _mark_key(path), opened.generation)


def client(folder: Path | str) -> Opened:
    """This process's client of the index in `folder` (a str: already resolved), opened again
    when another process has written to it since this one opened it."""
    path = folder if isinstance(folder, str) else str(folder.resolve())
    key = _mark_key(path)
    opened = _OPENED.get(path)
    if opened is not None and opened.seen == key and not _RETIRED:
        return opened
    with _LOCK:
        _stop_retired()
        opened = _OPENED.get(path)
        if opened is not None and opened.seen == key:
            return opened
        if opened is not None:
            _forget_system(path)
        _OPENED[path] = opened = Opened(_open(path), key, opened.generation + 1 if opened else 1)
        return opened


def _open(path: str):
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    return chromadb.PersistentClient(path=path, settings=ChromaSettings(anonymized_telemetry=False, allow_reset=False))


def _forget_system(path: str) -> None:
    """Make the next client of `path` a new Chroma system (its index read from disk). The old
    one is stopped, which frees its copy of the vector index, at the first use of the index
    RETIRE_SECONDS later: a search under way in another thread finishes on it first. (Chroma
    keeps one system per folder in a class-level table; left running, each old one stayed in
    memory.)"""
    from chromadb.api.shared_system_client import SharedSystemClient

    old = SharedSystemClient._identifier_to_system.pop(path, None)
    SharedSystemClient._identifier_to_refcount.pop(path, None)
    if old is not None:
        _RETIRED.append((time.monotonic(), old))


def _stop_retired() -> None:
    """Stop the systems retired long enough ago (called under _LOCK)."""
    now = time.monotonic()
    while _RETIRED and now - _RETIRED[0][0] >= RETIRE_SECONDS:
        _, system = _RETIRED.pop(0)
        try:
            system.stop()
        except Exception:  # already stopped
            pass


def forget_all() -> None:
    """Let go of every embedded client of this process (a benchmark opening the files from
    another process next)."""
    from chromadb.api.shared_system_client import SharedSystemClient

    with _LOCK:
        _OPENED.clear()
        _RETIRED.clear()
        SharedSystemClient.clear_system_cache()
