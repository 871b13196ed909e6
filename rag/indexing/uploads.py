"""Files uploaded through the UI: safe names, size limits, then ingested like any file (a web page,
PDF or Word file converted to text inside the ingest's guard: rag/indexing/guard.py).

Uploads are kept in <RAG_DATA_DIR>/uploads so that citations keep pointing at a file on disk.
A name is reduced to its last path component and to letters, digits, dots, dashes and
underscores, so no upload can write outside that folder.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Sequence

from ..atomic import write_atomic
from ..config import Settings
from ..types import FileResult

ACCEPTED = (".txt", ".md", ".markdown", ".html", ".htm", ".pdf", ".docx")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def uploads_dir(settings: Settings) -> Path:
    return settings.data_dir / "uploads"


def safe_name(name: str) -> str:
    """'../../etc/passwd.txt' -> 'passwd.txt'; 'My article (1).TXT' -> 'My_article_1_.txt'."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    stem = _UNSAFE.sub("_", stem).strip("._-")[:80] or "article"
    return stem + (("." + _UNSAFE.sub("", suffix).lower()) if suffix else "")


def save(files: Sequence[str | os.PathLike], settings: Settings, names: Sequence[str] | None = None):
    """Copy uploaded files into the uploads folder: (saved paths, files refused with a reason).
    `names` are the names the user's files had (default: the files' own names)."""
    target_dir = uploads_dir(settings)
    target_dir.mkdir(parents=True, exist_ok=True)
    saved: list[Path] = []
    refused: list[FileResult] = []
    for i, file in enumerate(files):
        shown = safe_name(names[i] if names else os.fspath(file))
        try:
            size = os.path.getsize(file)
            if size > settings.max_file_bytes:
                refused.append(FileResult(shown, "skipped", reason=f"too large: {size / 1_048_576:.1f} MB "
                                          f"(limit {settings.max_file_mb:g} MB)"))
                continue
            if not shown.lower().endswith(ACCEPTED):
                refused.append(FileResult(shown, "skipped",
                                          reason="unsupported file type: upload .txt, .md, .html, .pdf or .docx"))
                continue
            data = Path(file).read_bytes()
        except OSError as exc:
            refused.append(FileResult(shown, "skipped", reason=f"cannot read the upload: {exc.strerror or exc}"))
            continue
        saved.append(_write(target_dir, shown, data))  # (a page, PDF or Word file is converted by the ingest, guarded)
    return saved, refused


def _write(directory: Path, name: str, data: bytes) -> Path:
    """Write under a free name (an identical file already there is reused)."""
    stem, dot, suffix = name.rpartition(".")
    for n in range(1, 1000):
        candidate = directory / (name if n == 1 else f"{stem}-{n}{dot}{suffix}")
        if candidate.resolve().parent != directory.resolve():
            raise ValueError(f"unsafe upload name: {name!r}")
        if candidate.exists():
            if candidate.read_bytes() == data:
                return candidate
            continue
        write_atomic(candidate, data)
        return candidate
    raise ValueError(f"too many uploads named {name!r}")
