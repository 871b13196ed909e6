"""What is in the index: the ingested articles, and which of them a user names."""

from __future__ import annotations

import os
from dataclasses import replace
from typing import Iterable, Sequence

from ..config import Settings
from ..types import Citation, LibraryEntry, source_label
from .articles import ArticleRecord
from datasketch import MinHash

from .copies import group, is_copy, signature, unpack
from .opened import Index, open_index
from .schema import StoredDoc, doc_id_for


def articles(settings: Settings | None = None, *, index: Index | None = None) -> list[LibraryEntry]:
    """Every ingested article, by source path, with the other articles that carry the same wire
    story (`copies`, their names)."""
    store = open_index(settings, index).store
    if not store.articles.ready():  # an index written before the manifest: no copies known
        docs = store.docs().values()
        return [LibraryEntry(d.source, d.name, d.title, d.byline, d.date, len(d.ids), d.path, doc_id_for(d.path), d.outlet)
                for d in sorted(docs, key=lambda d: d.source)]
    records = sorted(store.articles.all(), key=lambda r: r.source)
    others = wire_copies(records)
    return [LibraryEntry(r.source, r.name, r.title, r.byline, r.date, r.n_chunks, r.path, r.doc_id, r.outlet,
                         tuple(o.name for o in others[r.doc_id]))
            for r in records]


def wire_copies(records: Sequence[ArticleRecord]) -> dict[str, list[ArticleRecord]]:
    """doc id -> the other articles (among these) that carry the same wire story, in order."""
    heads = group({r.doc_id: unpack(r.signature) for r in records})
    members: dict[str, list[ArticleRecord]] = {}
    for r in records:
        members.setdefault(heads[r.doc_id], []).append(r)
    return {r.doc_id: [o for o in members[heads[r.doc_id]] if o.doc_id != r.doc_id] for r in records}


def wire_signatures(index: Index, files: dict[str, str]) -> dict[str, MinHash | None]:
    """path -> the article's MinHash signature (rag/index/copies.py), for files given as path ->
    encoding: as the manifest keeps it, else computed from the file (None when it cannot be read)."""
    records = index.store.articles.get(doc_id_for(p) for p in files) if index.store.articles.ready() else {}
    out: dict[str, MinHash | None] = {}
    for path, encoding in files.items():
        record = records.get(doc_id_for(path))
        out[path] = unpack(record.signature) if record is not None else None
        if out[path] is None:
            try:
                with open(path, encoding=encoding) as f:
                    out[path] = signature(f.read())
            except (OSError, ValueError):
                pass
    return out


def with_copies(index: Index, citations: Iterable[Citation]) -> tuple[Citation, ...]:
    """The citations, each naming the other articles that carry the same wire story (`also`)."""
    citations = tuple(citations)
    also = carried_also(index, {c.path for c in citations if c.path})
    return tuple(replace(c, also=also[c.path]) if c.path in also else c for c in citations)


def carried_also(index: Index, paths: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """path -> how people name the other articles in the index that carry the same wire story
    (outlet · headline · date): the copies of each, found by their shared LSH bands."""
    articles_ = index.store.articles
    if not articles_.ready():
        return {}
    out: dict[str, tuple[str, ...]] = {}
    for record in articles_.get(doc_id_for(p) for p in set(paths)).values():
        sig = unpack(record.signature)
        if sig is None:
            continue
        copies = [o for o in articles_.sharing_a_band(record.bands)
                  if o.doc_id != record.doc_id and (other := unpack(o.signature)) is not None and is_copy(sig, other)]
        if copies:
            out[record.path] = tuple(source_label(o.outlet, o.title, o.date) for o in sorted(copies, key=lambda o: o.source))
    return out


def as_paths(paths: str | os.PathLike | Sequence[str | os.PathLike]) -> list[str]:
    """Paths as strings (bytes that are not UTF-8 kept as surrogates, as the OS gave them)."""
    items = [paths] if isinstance(paths, (str, bytes, os.PathLike)) else paths
    try:
        return [os.fsdecode(p) for p in items]
    except TypeError:
        raise TypeError(f"expected a path or a list of paths, got {type(paths).__name__}") from None


def by_outlet(index: Index, outlets: Sequence[str], sources: Sequence[str] | None = None) -> list[str]:
    """The paths of the articles published by any of these outlets (compared without case;
    "reuters" matches "Reuters" and "Thomson Reuters"), among `sources` when given. Raises
    ValueError, naming the outlets known, when none matches."""
    wanted = [" ".join(o.lower().split()) for o in outlets if o and o.strip()]
    docs = list(index.store.docs().values())
    if sources:
        docs = match_sources(docs, list(sources))
    chosen = [d.path for d in docs if d.outlet and any(_outlet_matches(w, d.outlet) for w in wanted)]
    if not chosen:
        known = sorted({d.outlet for d in index.store.docs().values() if d.outlet})
        raise ValueError(f"no ingested article is from {', '.join(outlets)}"
                         + (f" (outlets known: {', '.join(known[:20])})" if known else " (no article names its outlet)"))
    return chosen


def _outlet_matches(wanted: str, outlet: str) -> bool:
    words = " ".join(outlet.lower().split())
    return wanted == words or f" {wanted} " in f" {words} "


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
