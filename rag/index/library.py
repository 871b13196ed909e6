"""What is in the index: the ingested articles, and which of them a user names."""

from __future__ import annotations

import os
from typing import Iterable, Sequence

from ..config import Settings
from .opened import Index, open_index
from .store import StoredDoc, doc_id_for
from ..types import LibraryEntry


def articles(settings: Settings | None = None, *, index: Index | None = None) -> list[LibraryEntry]:
    """Every ingested article, by source path."""
    docs = open_index(settings, index).store.docs().values()
    return [
        LibraryEntry(d.source, d.name, d.title, d.byline, d.date, len(d.ids), d.path,
                     doc_id_for(d.path), d.outlet)
        for d in sorted(docs, key=lambda d: d.source)
    ]


def as_paths(paths: str | os.PathLike | Sequence[str | os.PathLike]) -> list[str]:
    """Paths as strings (bytes that are not UTF-8 kept as surrogates, as the OS gave them)."""
    items = [paths] if isinstance(paths, (str, bytes, os.PathLike)) else paths
    try:
        return [os.fsdecode(p) for p in items]
    except TypeError:
        raise TypeError(f"expected a path or a list of paths, got {type(paths).__name__}") from None


def match_sources(docs: Iterable[StoredDoc], names: Sequence[str]) -> list[StoredDoc]:
    """Stored files named by absolute path, path as ingested, file name, or a folder holding them."""
    out: list[StoredDoc] = []
    for doc in docs:
        for name in names:
            wanted = os.path.normpath(name)
            absolute = os.path.abspath(name)
            if (
                doc.path == absolute
                or os.path.normpath(doc.source) == wanted
                or os.path.basename(doc.path) == name
                or os.path.basename(doc.source) == name  # a converted PDF, Word file or web page by its own name
                or doc.path.startswith(absolute.rstrip(os.sep) + os.sep)
            ):
                out.append(doc)
                break
    return out
