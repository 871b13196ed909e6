"""One bad file never stops an ingest: every file is converted, read, split and chunked in a worker
process with a time limit (RAG_FILE_TIMEOUT) and a memory limit (RAG_FILE_MEMORY_MB), and whatever
goes wrong there (an exception from any parser, a file that needs more memory or time, a reader
that crashes) comes back as `Unreadable` with the reason a user is shown; the run goes on.

The worker (pebble's process pool, one process, started from a fresh interpreter) imports the
readers once and is reused file after file; a file that times out or crashes it costs a new one.
Its memory limit is RLIMIT_DATA, counted from what the worker holds once its readers are loaded,
so one file may take at most that much above the baseline; C libraries (lxml, zlib) are bounded
with the Python code.

    from rag.indexing.guard import guarded
    path, decision = guarded(prepare, found, ..., settings=settings)
"""

from __future__ import annotations

import atexit
import threading
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any, Callable, TypeVar

from ..config import Settings
from .reading import Unreadable

T = TypeVar("T")

_lock = threading.Lock()
_pools: dict[int, Any] = {}  # memory limit (MB) -> the pool of workers with that limit (an explicit cache)


def guarded(function: Callable[..., T], *args: Any, settings: Settings) -> T:
    """`function(*args)` run in the guarded worker; Unreadable with the reason when it fails."""
    from pebble import ProcessExpired

    future = _pool(settings.file_memory_mb).schedule(function, args, timeout=settings.file_timeout)
    try:
        return future.result()
    except FutureTimeout:
        raise Unreadable(f"took longer than {settings.file_timeout:g} s to read (RAG_FILE_TIMEOUT)") from None
    except MemoryError:
        raise Unreadable(f"needs more than {settings.file_memory_mb} MB of memory to read (RAG_FILE_MEMORY_MB)") from None
    except ProcessExpired as exc:
        raise Unreadable(f"the reader stopped on this file (exit code {exc.exitcode}); the file may be damaged") from None
    except Unreadable:
        raise
    except RecursionError:
        raise Unreadable("nested too deeply to read") from None
    except Exception as exc:  # any parser's own error: the file is damaged or hostile
        message = " ".join(str(exc).split())[:200]
        raise Unreadable(f"cannot be read: {type(exc).__name__}{': ' + message if message else ''}") from None


def _pool(memory_mb: int):
    with _lock:
        pool = _pools.get(memory_mb)
        if pool is None or not pool.active:
            import multiprocessing

            from pebble import ProcessPool

            # a fresh interpreter, not a fork: the parent holds threads (Chroma, onnxruntime) a fork would copy mid-step
            pool = ProcessPool(max_workers=1, initializer=_start, initargs=(memory_mb,),
                               context=multiprocessing.get_context("spawn"))
            _pools[memory_mb] = pool
        return pool


@atexit.register
def shutdown() -> None:
    """Stop the workers (at exit, and in tests that count processes)."""
    with _lock:
        for pool in _pools.values():
            pool.stop()
            pool.join(timeout=5)
        _pools.clear()


def _start(memory_mb: int) -> None:
    """In the worker: load every reader, then cap the memory it may take from here on."""
    import os
    import resource
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle (it stops the pool)
    from . import convert, documents, plan, quotes, sentences  # noqa: F401  (the readers, loaded once; importing rag sets the offline defaults)
    from ..offline import encoding

    encoding()  # the default vocabulary (another is loaded when a file asks for it)
    for module in ("pypdf", "docx", "trafilatura", "feedparser", "charset_normalizer", "pysbd", "dateutil.parser"):
        __import__(module)
    sentences.sentence_spans("Warm. Up.")
    try:
        baseline = _data_bytes()
        limit = baseline + memory_mb * 1_048_576
        resource.setrlimit(resource.RLIMIT_DATA, (limit, resource.getrlimit(resource.RLIMIT_DATA)[1]))
    except (OSError, ValueError):  # no RLIMIT_DATA here (not Linux), or a lower hard limit: time still bounds it
        pass


def _data_bytes() -> int:
    """The worker's data segment now (what RLIMIT_DATA counts): VmData of /proc/self/status."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmData:"):
                return int(line.split()[1]) * 1024
    raise OSError("no VmData")
