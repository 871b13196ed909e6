"""What a user set for an article by hand (its headline, outlet or publication date) where the
text did not say, or said it wrong: kept in RAG_DATA_DIR/corrections.json by the file's path,
written into the stored chunks at once, and applied again whenever the file is re-read (an
edited file, a rules refresh), so that a correction outlives `rag ingest`.

    from rag import correct
    correct("seeds/002_8e30010a3892d27c.txt", outlet="UPI", date="2023-03-21")
"""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from ..atomic import read_records, write_atomic
from ..config import Settings
from ..index.lexical import index_text, tokenize
from ..index.library import articles, as_paths, match_sources
from ..index.schema import doc_id_for
from ..index.opened import Index, open_index
from ..limits import BadRequest
from ..timeframe import parse_day
from ..types import LibraryEntry
from ..index.writelock import writing
from .documents import Document

FIELDS = ("title", "outlet", "date")
MAX_FIELD_CHARS = 300


@dataclass(frozen=True)
class Correction:
    title: str | None = None
    outlet: str | None = None
    date: str | None = None  # YYYY-MM-DD

    def apply(self, doc: Document) -> Document:
        changes = {f: getattr(self, f) for f in FIELDS if getattr(self, f) is not None}
        return dataclasses.replace(doc, **changes) if changes else doc


def _file(settings: Settings) -> Path:
    return settings.data_dir / "corrections.json"


def load(settings: Settings) -> dict[str, Correction]:
    """Every correction, by the file's real path (a damaged file reads as none)."""
    return {path: Correction(**{f: v.get(f) for f in FIELDS}) for path, v in read_records(_file(settings)).items()}


def correct(
    paths: str | os.PathLike | Sequence[str | os.PathLike], *, title: str | None = None, outlet: str | None = None,
    date: str | None = None, settings: Settings | None = None, index: Index | None = None,
) -> list[LibraryEntry]:
    """Set the headline, outlet or publication date (YYYY-MM-DD; "" for none) of ingested
    articles; returns them as the library lists them. A name that matches no ingested file, an
    empty headline or a date that is not one is a BadRequest; nothing is changed then."""
    index = open_index(settings, index)
    given = {"title": _checked(title, "title"), "outlet": _checked(outlet, "outlet"), "date": _day(date)}
    if given["title"] == "":
        raise BadRequest("title cannot be empty")
    from .manifest import changing  # (manifest -> plan -> corrections: imported when used)

    with writing(index.settings), changing(index, []):
        stored = index.store.docs()
        docs = match_sources(stored.values(), as_paths(paths))
        if not docs:
            raise BadRequest(f"no ingested file matches {', '.join(map(str, as_paths(paths)))}")
        everything = load(index.settings)
        changes = {f: v for f, v in given.items() if v is not None}
        for doc in docs:
            before = everything.get(doc.path, Correction())
            merged = Correction(**{f: (given[f] if given[f] is not None else getattr(before, f)) for f in FIELDS})
            everything[doc.path] = merged
            rows = index.store.get(doc.ids)
            metas = [dataclasses.replace(r.meta, **changes) for r in rows.values()]
            index.store.update_metadata(list(rows), metas)
            if changes:
                index.store.articles.update(doc_id_for(doc.path), **changes)
            if "date" in changes or "title" in changes:  # BM25 holds the title's words and the day
                index.lexical.update(zip(rows, [m.doc_id for m in metas], [m.day for m in metas],
                                         tokenize([index_text(m.title, r.text) for m, r in zip(metas, rows.values())])))
        data = {p: {f: getattr(c, f) for f in FIELDS if getattr(c, f) is not None} for p, c in everything.items()}
        write_atomic(_file(index.settings), json.dumps(data, ensure_ascii=False, indent=1))
    chosen = {d.path for d in docs}
    return [a for a in articles(index=index) if a.path in chosen]


def _checked(value: str | None, name: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > MAX_FIELD_CHARS:
        raise BadRequest(f"{name} must be text of at most {MAX_FIELD_CHARS} characters")
    return " ".join(value.split())


def _day(value: str | None) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return value if value is None else ""
    try:
        return parse_day(value, "date").isoformat()
    except ValueError as exc:
        raise BadRequest(str(exc)) from None
