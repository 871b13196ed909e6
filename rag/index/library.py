"""What is in the index: the ingested articles."""

from __future__ import annotations

from ..config import Settings
from .opened import Index, open_index
from .store import doc_id_for
from ..types import LibraryEntry


def articles(settings: Settings | None = None, *, index: Index | None = None) -> list[LibraryEntry]:
    """Every ingested article, by source path."""
    docs = open_index(settings, index).store.docs().values()
    return [
        LibraryEntry(d.source, d.path.replace("\\", "/").rsplit("/", 1)[-1], d.title, d.byline, d.date, len(d.ids), d.path,
                     doc_id_for(d.path), d.outlet)
        for d in sorted(docs, key=lambda d: d.source)
    ]
