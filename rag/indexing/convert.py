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
    raw = _original_bytes(original, settings)
    digest = hashlib.sha256(raw).hexdigest()
    target = text_path(original, settings)
    record = target.with_suffix(".json")
    if _recorded(record) == digest and target.is_file():
        return target  # converted before, from these very bytes
    read = _html(raw, site) if original.suffix.lower() in (".html", ".htm") else _TO_TEXT[original.suffix.lower()](raw)
    text, pages = read if isinstance(read, tuple) else (read, [])
    if not text or not text.strip():
        raise Unreadable(_EMPTY[original.suffix.lower()])
    write_atomic(target, text if text.endswith("\n") else text + "\n")
    write_atomic(record, json.dumps({"original": str(original), "sha256": digest, "pages": pages}))
    return target


def converted_before(original: Path, settings: Settings) -> Path | None:
    """The text of `original` when it was converted from the bytes the original has now (nothing
    to convert), else None; cheap: the original is read and hashed, not parsed."""
    target = text_path(original, settings)
    try:
        raw = _original_bytes(original, settings)
    except Unreadable:
        return None
    return target if _recorded(target.with_suffix(".json")) == hashlib.sha256(raw).hexdigest() and target.is_file() else None


def _original_bytes(original: Path, settings: Settings) -> bytes:
    raw = read_bytes(original, settings.max_file_bytes)
    if len(raw) > settings.max_file_bytes:
        raise Unreadable(f"too large: over {settings.max_file_bytes / 1_048_576:g} MB (RAG_MAX_FILE_MB)")
    if not raw.strip():
        raise Unreadable("empty file")
    return raw


def _recorded(record: Path) -> str:
    """The sha256 of the original a converted text was made from ("" when unknown)."""
    try:
        return str(json.loads(record.read_text(encoding="utf-8")).get("sha256") or "")
    except (OSError, ValueError, AttributeError):
        return ""


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


# What one converted file may unpack to, whatever its own size: a Word file's parts (a zip) in all and
# how many, a PDF's pages. Beyond these the file is skipped with the reason; the worker's memory and
# time limits (rag/indexing/guard.py) bound what is left (pypdf's own limits bound each PDF stream).
MAX_UNPACKED_BYTES = 200 * 1_048_576
MAX_ZIP_MEMBERS = 5_000
MAX_PDF_PAGES = 3_000


def _pdf(raw: bytes) -> tuple[str, list[int]]:
    import logging

    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # a damaged file is reported once, as the reason below
    try:
        reader = PdfReader(io.BytesIO(raw))
        if reader.is_encrypted and not reader.decrypt(""):
            raise Unreadable("an encrypted PDF: save it without a password first")
        if len(reader.pages) > MAX_PDF_PAGES:
            raise Unreadable(f"a PDF of {len(reader.pages):,} pages; at most {MAX_PDF_PAGES:,} are read")
        pages = [(page.extract_text() or "").replace("\r\n", "\n").replace("\r", "\n").strip() for page in reader.pages]
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, AssertionError, OSError) as exc:
        if isinstance(exc, Unreadable):
            raise
        raise Unreadable(f"not a readable PDF: {_reason(exc)}") from None
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
    from lxml.etree import XMLSyntaxError

    try:
        parts = _check_package(raw)
        document = docx.Document(io.BytesIO(raw))
        head = []
        # (python-docx makes up properties, titled "Word Document", for a file that has none)
        props = document.core_properties if "docProps/core.xml" in parts else None
        if props and props.title and props.title.strip():
            head.append(props.title.strip())
        if props and props.author and props.author.strip():
            head.append(f"By {props.author.strip()}")
        body = [p.text.strip() for p in document.paragraphs if p.text.strip()]
    except (PackageNotFoundError, zipfile.BadZipFile, XMLSyntaxError, ValueError, KeyError, EOFError, OSError) as exc:
        if isinstance(exc, Unreadable):
            raise
        raise Unreadable(f"not a readable Word file: {_reason(exc)}") from None
    if head and body and body[0] == head[0]:
        body = body[1:]
    return "\n\n".join(head + body)


def _check_package(raw: bytes) -> set[str]:
    """A Word file is a zip of XML parts: refuse one that unpacks to more than MAX_UNPACKED_BYTES
    or holds more than MAX_ZIP_MEMBERS parts (a zip bomb), and XML parts that declare a DTD (Office
    files never do; a DTD is how entity expansion and external entities get in). Python's zipfile
    never inflates a part past the size it declares, so the declared sizes bound the unpacking.
    The names of its parts."""
    import zipfile

    with zipfile.ZipFile(io.BytesIO(raw)) as package:
        members = package.infolist()
        if len(members) > MAX_ZIP_MEMBERS:
            raise Unreadable(f"a Word file of {len(members):,} parts; at most {MAX_ZIP_MEMBERS:,} are read")
        unpacked = sum(m.file_size for m in members)
        if unpacked > MAX_UNPACKED_BYTES:
            raise Unreadable(f"a Word file that unpacks to {unpacked / 1_048_576:,.0f} MB "
                             f"(at most {MAX_UNPACKED_BYTES / 1_048_576:,.0f} MB are read)")
        for member in members:
            if member.filename.lower().endswith((".xml", ".rels")):
                with package.open(member) as part:
                    if _declares_dtd(part):
                        raise Unreadable(f"a Word file whose {member.filename} declares a DTD (entities): refused")
        return {m.filename for m in members}


_ROOT = re.compile(rb"<[A-Za-z_]")  # the root element's start: a DTD can only come before it


def _declares_dtd(part, limit: int = 1_048_576) -> bool:
    """The XML prolog of `part` (read up to its root element, at most `limit` bytes) has a <!DOCTYPE."""
    prolog = b""
    while len(prolog) < limit:
        piece = part.read(65_536)
        if not piece:
            break
        prolog += piece
        if root := _ROOT.search(prolog):
            prolog = prolog[: root.start()]
            break
    return b"<!DOCTYPE" in prolog.upper()


def _reason(exc: BaseException) -> str:
    message = " ".join(str(exc).split())[:200]
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


_TO_TEXT = {".html": _html, ".htm": _html, ".pdf": _pdf, ".docx": _docx}
_EMPTY = {
    ".html": "no article text found in the HTML", ".htm": "no article text found in the HTML",
    ".pdf": "no text in the PDF (a scan without a text layer? run it through OCR first)",
    ".docx": "no text in the Word file",
}
