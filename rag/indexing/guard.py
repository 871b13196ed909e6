"""One bad file never stops an ingest: every file is converted, read, split and chunked in a worker
process with a time limit (RAG_FILE_TIMEOUT) and a memory limit (RAG_FILE_MEMORY_MB), and whatever
goes wrong there (an exception from any parser, a file that needs more memory or time, a reader
that crashes) comes back as `Unreadable` with the reason a user is shown; the run goes on.

The worker (rag/indexing/worker.py) is a fresh interpreter started with `python -m`, never a fork
(the parent holds threads, Chroma's and onnxruntime's, that a fork would copy mid-step) and never
multiprocessing's spawn (which runs the caller's own script again in the child: a script that calls
`ingest()` without a `__main__` guard would ingest twice). It loads the readers once and is reused
file after file; a file that times out or kills it costs a new one. Its memory limit is RLIMIT_DATA,
counted from what it holds once its readers are loaded, so C libraries (lxml, zlib) are bounded
with the Python code. Calls are one at a time (a lock): ingests are serialised anyway.

    from rag.indexing.guard import guarded
    path, decision = guarded(prepare, found, ..., settings=settings)
"""

from __future__ import annotations

import atexit
import os
import pickle
import select
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable, TypeVar

from ..config import Settings
from .reading import Unreadable
from .worker import HEADER, frame

T = TypeVar("T")
_START_SECONDS = 120.0  # for the worker to load its readers (on a busy machine; about 1 s when idle)

_lock = threading.Lock()
_workers: dict[int, "_Worker"] = {}  # memory limit (MB) -> the worker with that limit (an explicit cache)


class _Stopped(Exception):
    """The worker ended (a crash, a kill by the system) before it answered."""


def guarded(function: Callable[..., T], *args: Any, settings: Settings) -> T:
    """`function(*args)` run in the guarded worker; Unreadable with the reason when it fails.
    `function` and its arguments cross to the worker by pickle (a module-level function)."""
    with _lock:
        worker = _workers.get(settings.file_memory_mb)
        if worker is None or not worker.alive():
            worker = _workers[settings.file_memory_mb] = _Worker(settings.file_memory_mb, settings.debug)
        try:
            status, value = worker.call((function, args), settings.file_timeout)
        except TimeoutError:
            worker.stop()
            raise Unreadable(f"took longer than {settings.file_timeout:g} s to read (RAG_FILE_TIMEOUT)") from None
        except _Stopped as exc:
            worker.stop()
            raise Unreadable(f"the reader stopped on this file ({exc}); the file may be damaged") from None
    if status == "ok":
        return value
    if isinstance(value, Unreadable):
        raise value
    if isinstance(value, MemoryError):
        raise Unreadable(f"needs more than {settings.file_memory_mb} MB of memory to read (RAG_FILE_MEMORY_MB)")
    if isinstance(value, RecursionError):
        raise Unreadable("nested too deeply to read")
    message = " ".join(str(value).split())[:200]  # any parser's own error: the file is damaged or hostile
    raise Unreadable(f"cannot be read: {type(value).__name__}{': ' + message if message else ''}")


@atexit.register
def shutdown() -> None:
    """Stop the workers (at exit; a test that counts processes may call it)."""
    with _lock:
        for worker in _workers.values():
            worker.stop()
        _workers.clear()


class _Worker:
    def __init__(self, memory_mb: int, debug: bool) -> None:
        package_root = str(Path(__file__).resolve().parents[2])  # where `rag` was imported from, first on the path
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")])))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "rag.indexing.worker", str(memory_mb)], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=None if debug else subprocess.DEVNULL, env=env, close_fds=True,
            start_new_session=True,  # Ctrl-C reaches the parent, which stops it
        )
        try:
            status, value = self._receive(time.monotonic() + _START_SECONDS)
        except (TimeoutError, _Stopped) as exc:
            self.stop()
            raise RuntimeError(f"the reading worker did not start ({exc}); RAG_DEBUG=1 shows why") from None
        if status != "ready":
            self.stop()
            raise RuntimeError(f"the reading worker did not start: {value}")

    def alive(self) -> bool:
        return self.process.poll() is None

    def call(self, message: Any, timeout: float) -> tuple[str, Any]:
        try:
            self.process.stdin.write(frame(message))
            self.process.stdin.flush()
        except (BrokenPipeError, OSError):
            raise _Stopped(self._ended()) from None
        return self._receive(time.monotonic() + timeout)

    def _receive(self, deadline: float) -> tuple[str, Any]:
        header = self._read(HEADER.size, deadline)
        return pickle.loads(self._read(HEADER.unpack(header)[0], deadline))

    def _read(self, n: int, deadline: float) -> bytes:
        fd = self.process.stdout.fileno()
        out = bytearray()
        while len(out) < n:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise TimeoutError("no answer in time")
            piece = os.read(fd, min(n - len(out), 1 << 20))
            if not piece:
                raise _Stopped(self._ended())
            out += piece
        return bytes(out)

    def _ended(self) -> str:
        try:
            code = self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            return "it stopped answering"
        return f"killed by signal {-code}" if code < 0 else f"exit code {code}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        for pipe in (self.process.stdin, self.process.stdout):
            try:
                pipe.close()
            except OSError:
                pass
