"""Articles that are not plain text (a saved web page, a PDF, a Word file) become a UTF-8 text
file under RAG_DATA_DIR/converted/, which is what is chunked, stored and cited: offsets index into
that file, exactly as for a .txt. Its name is fixed by the original's path, so the original keeps
one identity in the index across edits; a small record beside it holds the original's path and
the sha256 of its bytes, so an unchanged original is never converted again.

Each format is read with a well-kept library: HTML with trafilatura (article text, title, author,
date, site name: rag/indexing/html.py), PDF with pypdf, .docx with python-docx.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import io
import json
import re
from pathlib import Path

from ..atomic import write_atomic
from ..config import Settings
from .html import html_to_text
from .reading import Unreadable, detect_encoding, read_bytes

CONVERTED_SUFFIXES = frozenset({".html", ".htm", ".pdf", ".docx"})
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def converted_dir(settings: Settings) -> Path:
    return settings.data_dir / "converted"


def text_path(original: Path, settings: Settings) -> Path:
    """Where the text of `original` (a real, absolute path) is kept: one file per original."""
    key = hashlib.sha1(str(original).encode("utf-8", "surrogateescape")).hexdigest()[:16]
    stem = _UNSAFE.sub("_", original.stem).strip("._-")[:60] or "article"
    return converted_dir(settings) / f"{key}-{stem}.txt"


def convert(original: Path, settings: Settings, site: str = "") -> Path:
    """The text file for `original`, written when the original is new or changed; Unreadable
    (with the reason a user is shown) when no text can be read from it. `site`: the outlet a web
    page is from when it does not say (the host it was fetched from)."""
    raw = read_bytes(original, settings.max_file_bytes)
    if len(raw) > settings.max_file_bytes:
        raise Unreadable(f"too large: over {settings.max_file_bytes / 1_048_576:g} MB (RAG_MAX_FILE_MB)")
    if not raw.strip():
        raise Unreadable("empty file")
    digest = hashlib.sha256(raw).hexdigest()
    target = text_path(original, settings)
    record = target.with_suffix(".json")
    try:
        if json.loads(record.read_text(encoding="utf-8")).get("sha256") == digest and target.is_file():
            return target  # converted before, from these very bytes
    except (OSError, ValueError):
        pass
    read = _html(raw, site) if original.suffix.lower() in (".html", ".htm") else _TO_TEXT[original.suffix.lower()](raw)
    text, pages = read if isinstance(read, tuple) else (read, [])
    if not text or not text.strip():
        raise Unreadable(_EMPTY[original.suffix.lower()])
    write_atomic(target, text if text.endswith("\n") else text + "\n")
    write_atomic(record, json.dumps({"original": str(original), "sha256": digest, "pages": pages}))
    return target


def page_of(text_file: str, offset: int) -> int:
    """The page (1, 2, ...) of a converted PDF that `offset` of its text falls on; 0 for any other file."""
    path = Path(text_file)
    try:
        stamp = path.with_suffix(".json").stat().st_mtime_ns
    except OSError:
        return 0
    starts = _pages(str(path), stamp)
    return bisect.bisect_right(starts, offset) if starts else 0


@functools.lru_cache(maxsize=256)
def _pages(text_file: str, stamp: int) -> tuple[int, ...]:
    """Where each page starts in a converted PDF's text (cached per file and version)."""
    try:
        return tuple(json.loads(Path(text_file).with_suffix(".json").read_text(encoding="utf-8")).get("pages") or ())
    except (OSError, ValueError):
        return ()


def forget(text_file: str | Path, original: str | Path, settings: Settings) -> None:
    """Delete a converted text and its record (its original left the index), and the original
    too when newsrag fetched it (RAG_DATA_DIR/fetched/)."""
    for path in (Path(text_file), Path(original)):
        if path.resolve().parent in (converted_dir(settings).resolve(), (settings.data_dir / "fetched").resolve()):
            path.unlink(missing_ok=True)
            path.with_suffix(".json").unlink(missing_ok=True)


def _html(raw: bytes, site: str = "") -> str | None:
    encoding = detect_encoding(raw)
    return html_to_text(raw.decode(encoding, errors="replace"), site) if encoding else None


def _pdf(raw: bytes) -> tuple[str, list[int]]:
    import logging

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # a damaged file is reported once, as the reason below
    try:
        reader = PdfReader(io.BytesIO(raw))
        if reader.is_encrypted and not reader.decrypt(""):
            raise Unreadable("an encrypted PDF: save it without a password first")
        pages = [(page.extract_text() or "").replace("\r\n", "\n").replace("\r", "\n").strip() for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise Unreadable(f"not a readable PDF: {exc}") from None
    text, starts = "", []  # the pages, one after another; where each starts (an empty page starts where the next does)
    for page in pages:
        if page and text:
            text += "\n\n"
        starts.append(len(text))
        text += page
    return text, starts


def _docx(raw: bytes) -> str:
    import zipfile

    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(raw))
    except (PackageNotFoundError, zipfile.BadZipFile, ValueError, KeyError) as exc:
        raise Unreadable(f"not a readable Word file: {exc}") from None
    head = []
    props = document.core_properties
    if props.title and props.title.strip():
        head.append(props.title.strip())
    if props.author and props.author.strip():
        head.append(f"By {props.author.strip()}")
    body = [p.text.strip() for p in document.paragraphs if p.text.strip()]
    if head and body and body[0] == head[0]:
        body = body[1:]
    return "\n\n".join(head + body)


_TO_TEXT = {".html": _html, ".htm": _html, ".pdf": _pdf, ".docx": _docx}
_EMPTY = {
    ".html": "no article text found in the HTML", ".htm": "no article text found in the HTML",
    ".pdf": "no text in the PDF (a scan without a text layer? run it through OCR first)",
    ".docx": "no text in the Word file",
}
