"""The guarded reading worker (`python -m rag.indexing.worker MEMORY_MB`), started by
rag/indexing/guard.py: it loads the readers, caps its own memory, then runs the calls it is sent
one at a time. Each message on stdin and stdout is a length (8 bytes) and a pickle: in, (function,
args); out, ("ok", result) or ("error", the exception). Anything a library prints goes to stderr,
so nothing but answers reaches the parent. It ends when its stdin closes (the parent is gone)."""

from __future__ import annotations

import os
import pickle
import resource
import signal
import struct
import sys

HEADER = struct.Struct("<Q")  # the length of the pickle that follows


def frame(message) -> bytes:
    """One message of the protocol: its pickle's length, then the pickle (both directions)."""
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return HEADER.pack(len(data)) + data


def main() -> None:
    memory_mb = int(sys.argv[1])
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle (it stops the worker)
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # a library's print() must not corrupt the answers
    requests = sys.stdin.buffer
    _load_readers()
    _cap_memory(memory_mb)
    _send(answers, ("ready", None))
    while True:
        header = requests.read(HEADER.size)
        if len(header) < HEADER.size:
            return  # the parent closed the pipe
        function, args = pickle.loads(requests.read(HEADER.unpack(header)[0]))
        try:
            reply = ("ok", function(*args))
        except BaseException as exc:  # noqa: BLE001  (every failure is the parent's to report)
            reply = ("error", exc)
        try:
            _send(answers, reply)
        except Exception as exc:  # noqa: BLE001  (a result or an exception that does not pickle)
            _send(answers, ("error", RuntimeError(f"{type(exc).__name__}: {exc}")))


def _send(stream, message) -> None:
    stream.write(frame(message))
    stream.flush()


def _load_readers() -> None:
    """Import every reader once (importing rag sets the offline defaults), and warm the splitter."""
    from . import convert, documents, feeds, plan, quotes, sentences  # noqa: F401  (none imports Chroma)
    from ..language import pipeline
    from ..offline import encoding

    encoding()  # the default vocabulary (another is loaded when a file asks for it)
    pipeline()  # spaCy's English pipeline (sentence readings)
    for module in ("pypdf", "docx", "trafilatura", "feedparser", "charset_normalizer", "pysbd", "dateutil.parser"):
        __import__(module)
    sentences.sentence_spans("Warm. Up.")


def _cap_memory(memory_mb: int) -> None:
    """RLIMIT_DATA at what the worker holds now plus `memory_mb`: a file may take that much more."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            baseline = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmData:"))
        hard = resource.getrlimit(resource.RLIMIT_DATA)[1]
        limit = baseline + memory_mb * 1_048_576
        resource.setrlimit(resource.RLIMIT_DATA, (limit if hard == resource.RLIM_INFINITY else min(limit, hard), hard))
    except (OSError, ValueError, StopIteration):  # not Linux: the time limit still bounds a file
        pass


if __name__ == "__main__":
    main()
