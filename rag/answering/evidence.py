"""The sentences of retrieved passages, with exact file spans and who said them.

Sentences come from the whole document (so "he said" can look back past a chunk boundary),
restricted to each passage's span. A passage whose file changed since it was ingested is
reported as stale and yields no sentences: nothing can be cited from it until it is re-ingested.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from typing import Sequence

from ..indexing.documents import Span, parse
from ..language import SentenceReading
from ..indexing.quotes import statements
from ..types import Statement
from ..indexing.reading import read_raw
from ..indexing.sentences import document_sentences
from ..types import Passage


@dataclass(frozen=True)
class Sentence:
    passage: int  # 1-based number of the passage it belongs to
    start: int  # span in the raw file
    end: int
    text: str
    speaker: str | None = None
    direct: bool = False
    reading: SentenceReading | None = None  # its entities and verbs, read at ingest (None: an older index)


@dataclass(frozen=True)
class DocumentView:
    raw: str
    sentences: tuple[Span, ...]
    statements: dict[tuple[int, int], Statement]


def file_text(path: str, encoding: str) -> str | None:
    """The raw text offsets point into, or None when the file cannot be read any more."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return _file_text(path, encoding, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=256)
def _file_text(path: str, encoding: str, mtime_ns: int, size: int) -> str | None:
    try:
        return read_raw(path, encoding)
    except (OSError, UnicodeDecodeError, LookupError):
        return None


def document_view(path: str, encoding: str) -> DocumentView | None:
    raw = file_text(path, encoding)
    return None if raw is None else _view(raw)


@functools.lru_cache(maxsize=256)
def _view(raw: str) -> DocumentView:
    spans = tuple(s for block in document_sentences(parse(raw)) for s in block)
    said = {(st.start, st.end): st for st in statements(raw, list(spans))}
    return DocumentView(raw, spans, said)


def passage_sentences(passages: Sequence[Passage]) -> tuple[list[Sentence], list[str]]:
    """Sentences of every passage (numbered from 1), and the sources that were stale."""
    out: list[Sentence] = []
    stale: list[str] = []
    for n, p in enumerate(passages, 1):
        view = document_view(p.path, p.encoding)
        if view is None or view.raw[p.start : p.end] != p.text:
            stale.append(p.source)
            continue
        readings = {(r.start, r.end): r for r in p.readings}
        for span in view.sentences:
            if p.start <= span.start and span.end <= p.end:
                said = view.statements.get((span.start, span.end))
                out.append(
                    Sentence(
                        n, span.start, span.end, view.raw[span.start : span.end],
                        said.speaker if said else None, bool(said and said.direct), readings.get((span.start, span.end)),
                    )
                )
    return out, stale


def article_texts(passages: Sequence[Passage]) -> dict[int, str]:
    """Passage number -> the whole text of its article (for checks that look past the passage)."""
    out: dict[int, str] = {}
    for n, p in enumerate(passages, 1):
        raw = file_text(p.path, p.encoding)
        out[n] = raw if raw is not None else p.text
    return out


def verify(path: str, encoding: str, start: int, end: int, quote: str) -> bool:
    """The citation invariant: the file's text at [start:end] is the quote, exactly."""
    raw = file_text(path, encoding)
    return raw is not None and 0 <= start < end <= len(raw) and raw[start:end] == quote
