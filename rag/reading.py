"""Read a file as text the way `open(path, encoding=...)` would, or say why it cannot be read.

Offsets everywhere in newsrag index into the string this module returns, which is exactly
`open(path, encoding=encoding).read()`: decoded with the detected encoding and with universal
newlines ("\\r\\n" and "\\r" become "\\n").
"""

from __future__ import annotations

import codecs
import hashlib
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


class Unreadable(Exception):
    """A file that is skipped; the message is the reason shown to the user."""


@dataclass(frozen=True)
class TextFile:
    path: Path  # absolute
    text: str
    encoding: str
    content_hash: str  # sha256 of the raw bytes
    size: int


def read_text_file(path: Path, max_bytes: int) -> TextFile:
    path = path.resolve()
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise Unreadable(
                f"too large: {size / 1_048_576:.1f} MB (limit {max_bytes / 1_048_576:.0f} MB, RAG_MAX_FILE_MB)"
            )
        raw = path.read_bytes()
    except OSError as exc:
        raise Unreadable(f"cannot read: {exc.strerror or exc}") from exc
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
        return None
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


def _control_ratio(text: str) -> float:
    sample = text[:20000]
    bad = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\n\t\f\v")
    return bad / max(1, len(sample))


def read_raw(path: str | Path, encoding: str) -> str:
    """The text that offsets point into: `open(path, encoding=encoding).read()`."""
    with open(path, encoding=encoding) as handle:
        return handle.read()
