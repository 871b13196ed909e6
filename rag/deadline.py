"""Iterate under a deadline: a blocking producer (a network stream, a long computation) runs in a
worker thread, and the caller waits for each item no longer than the time left.

Two limits: `first`, until the first item arrives (or the producer ends), and `total`, for
everything. Past either, `Deadline` is raised and `cancel()` is called so that the worker can be
unblocked (close its connection); a worker that cannot be stopped is a daemon thread that
finishes on its own, with nobody waiting for it.
"""

from __future__ import annotations

import queue
import threading
import time
from typing import Callable, Iterable, Iterator, TypeVar

T = TypeVar("T")

_ITEM, _END, _ERROR = range(3)


class Deadline(TimeoutError):
    def __init__(self, phase: str, waited: float, limit: float) -> None:
        super().__init__(f"{phase} deadline of {limit:g} s passed after {waited:.1f} s")
        self.phase = phase  # "first" or "total"
        self.waited = waited
        self.limit = limit


def within(
    produce: Callable[[], Iterable[T]],
    *,
    first: float | None = None,
    total: float | None = None,
    cancel: Callable[[], None] | None = None,
    name: str = "newsrag-worker",
) -> Iterator[T]:
    """The items of `produce()`, each waited for no longer than the deadlines allow. An exception
    raised by the producer is raised here, in the caller's thread."""
    events: queue.Queue = queue.Queue()

    def work() -> None:
        try:
            for item in produce():
                events.put((_ITEM, item))
            events.put((_END, None))
        except BaseException as exc:  # handed to the caller
            events.put((_ERROR, exc))

    worker = threading.Thread(target=work, name=name, daemon=True)
    started = time.monotonic()
    worker.start()
    got_first = False
    try:
        while True:
            limits = [(lim, phase) for lim, phase in ((total, "total"), (None if got_first else first, "first")) if lim is not None]
            limit, phase = min(limits) if limits else (None, "")
            wait = None if limit is None else max(0.0, started + limit - time.monotonic())
            try:
                kind, item = events.get(timeout=wait)
            except queue.Empty:
                raise Deadline(phase, time.monotonic() - started, limit or 0.0) from None
            if kind == _END:
                return
            if kind == _ERROR:
                raise item
            got_first = True
            yield item
    finally:
        if worker.is_alive() and cancel is not None:
            try:
                cancel()
            except Exception:  # unblocking is best effort: the worker is a daemon either way
                pass
