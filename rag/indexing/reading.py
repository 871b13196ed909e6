"""Read a file as text the way `open(path, encoding=...)` would, or say why it cannot be read.

Offsets everywhere in newsrag index into the string this module returns, which is exactly
`open(path, encoding=encoding).read()`: decoded with the detected encoding and with universal
newlines ("\\r\\n" and "\\r" become "\\n").
"""

from __future__ import annotations

import codecs
import hashlib
import io
import os
import stat
from dataclasses import dataclass
from pathlib import Path

TEXT_SUFFIXES = frozenset({".txt", ".text", ".md", ".markdown"})

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Single-byte Latin encodings a detector confuses on short text: read them all as cp1252,
# the encoding of nearly all non-UTF-8 Western news text (and a superset of latin-1's letters).
_LATIN_LIKE = {"cp1252", "latin_1", "iso8859_15", "cp1250", "iso8859_2", "mac_roman", "cp1254",
               "iso8859_9", "cp1257", "iso8859_4", "iso8859_13", "cp850", "cp437", "ascii"}


class Unreadable(OSError):
    """A file that is skipped or cannot be read; the message is the reason shown to the user."""


@dataclass(frozen=True)
class TextFile:
    path: Path  # absolute
    text: str
    encoding: str
    content_hash: str  # sha256 of the raw bytes
    size: int


def read_bytes(path: str | os.PathLike, limit: int | None = None) -> bytes:
    """The bytes of a regular file, never more than `limit` + 1 of them, whatever stat says.

    Opened without blocking (a FIFO would otherwise hang the open) and checked on the open
    descriptor, so a file swapped for a FIFO or a device after it was found is refused too.
    Raises Unreadable with the reason."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise Unreadable(f"cannot read: {exc.strerror or exc}") from exc
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise Unreadable("not a regular file (a FIFO, device or socket)")
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read() if limit is None else handle.read(limit + 1)
    except OSError as exc:
        raise Unreadable(f"cannot read: {exc.strerror or exc}") from exc
    finally:
        os.close(fd)
    return data


def read_text_file(path: Path, max_bytes: int) -> TextFile:
    raw = read_bytes(path, max_bytes)
    if len(raw) > max_bytes:
        raise Unreadable(f"too large: over {max_bytes / 1_048_576:g} MB (RAG_MAX_FILE_MB)")
    size = len(raw)
    if not raw.strip():
        raise Unreadable("empty file")
    encoding = detect_encoding(raw)
    if encoding is None:
        raise Unreadable("binary file, not text")
    text = raw.decode(encoding)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _control_ratio(text) > 0.02:
        raise Unreadable("binary file, not text")
    if not text.strip():
        raise Unreadable("empty file")
    return TextFile(path, text, encoding, hashlib.sha256(raw).hexdigest(), size)


def detect_encoding(raw: bytes) -> str | None:
    """The encoding of `raw`, or None when it looks binary."""
    for bom, name in _BOMS:
        if raw.startswith(bom):
            return name
    if b"\x00" in raw[:8192]:
        return _utf16_without_bom(raw)
    try:
        raw.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(raw).best()
    if best is not None and best.encoding not in _LATIN_LIKE and not best.encoding.startswith("utf"):
        return best.encoding  # Cyrillic, Greek, CJK ... as detected
    try:
        raw.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"  # decodes any byte string


def _utf16_without_bom(raw: bytes) -> str | None:
    """UTF-16 with no byte-order mark, told by where the zero bytes fall: text in Latin, Greek
    or Cyrillic script has a zero high byte on every ASCII character (spaces, digits,
    punctuation at least), binary data has zeros everywhere."""
    sample = raw[:8192] if len(raw) > 8192 else raw
    sample = sample[: len(sample) // 2 * 2]
    if len(raw) % 2 or len(sample) < 4:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    half = len(sample) // 2
    for zeros, others, name in ((odd, even, "utf-16-le"), (even, odd, "utf-16-be")):
        if zeros >= 0.1 * half and others <= 0.01 * half:
            try:
                text = raw.decode(name)
            except UnicodeDecodeError:
                continue
            if _control_ratio(text) <= 0.02:
                return name
    return None


def _control_ratio(text: str) -> float:
    sample = text[:20000]
    bad = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\n\t\f\v")
    return bad / max(1, len(sample))


def read_raw(path: str | Path, encoding: str) -> str:
    """The text that offsets point into: `open(path, encoding=encoding).read()`, for regular
    files only (a file replaced by a FIFO must not hang an answer)."""
    return io.TextIOWrapper(io.BytesIO(read_bytes(path)), encoding=encoding).read()
