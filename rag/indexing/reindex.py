"""`rag reindex`: embed every article again, with the embedder the settings name (RAG_EMBEDDINGS),
beside the current index, then put the new index in its place.

The new vectors go to collections named `<collection>-next` (and their BM25 index), from the
files the current manifest lists (a converted PDF or page from its original, a fetched page from
the copy kept under RAG_DATA_DIR/fetched, under its URL), read and chunked again with the current
settings; an article whose file is gone is carried over from its stored chunks (nothing indexed is
lost). The current index answers questions until the end; a reindex that is interrupted is resumed
by running it again (what it embedded is kept). Then the old collections are deleted and the new
ones take their names. Processes that keep the index open (the web UI) should be restarted
afterwards.
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import replace
from pathlib import Path

from ..config import Settings, load_settings
from ..index.embeddings import index_embedder
from ..index.lexical import forget_engines, index_text, tokenize
from ..index.opened import Index
from ..index.schema import StoredChunk, chunk_id, doc_id_for
from ..index.store import Store
from ..index.writelock import writing
from ..types import FileResult, IngestReport
from .discover import Discovery, Found
from .fetch import is_url
from .manifest import changing, record_from_chunks
from .plan import settings_fingerprint, version_of
from .run import _Run
from .write import Progress

NEXT = "-next"


def reindex(settings: Settings | None = None, progress: Progress | None = None) -> IngestReport:
    settings = load_settings(settings)
    started = time.perf_counter()
    with writing(settings):
        old = Store(settings, check_embedder=False)
        found, gone = Discovery(), []
        for doc in sorted(old.docs().values(), key=lambda d: d.source):
            original = doc.original or doc.path
            if os.path.exists(original):
                found.files.append(Found(doc.source if is_url(doc.source) else str(original), Path(original)))
            else:
                gone.append(doc)
        target = Index(settings.model_copy(update={"collection": settings.collection + NEXT}))
        run = _Run(target, progress)
        with changing(target, run.notes) as run.change:
            carried = [_carry_over(old, target, doc) for doc in gone]
            report = run.add(found, False, started)
        _swap(old, target.store, settings)
    if carried:
        files = report.files + tuple(FileResult(d.source, "updated", n, d.title, "file gone: its stored chunks embedded again")
                                     for d, n in zip(gone, carried))
        report = replace(report, files=files, chunks_embedded=report.chunks_embedded + sum(carried))
    return report


def _carry_over(old: Store, target: Index, doc) -> int:
    """An article whose file is gone, from its stored chunks: the same texts and offsets, new
    vectors, under the version the current settings give its content. Returns the chunks written."""
    rows = sorted(old.get(doc.ids).values(), key=lambda r: r.meta.chunk_index)
    if not rows:
        return 0
    version = version_of(rows[0].meta.content_hash, settings_fingerprint(target.settings))
    metas = [replace(r.meta, version=version) for r in rows]
    ids = [chunk_id(m.doc_id or doc_id_for(m.path), version, m.chunk_index) for m in metas]
    vectors = index_embedder(target.settings).embed([index_text(m.title, r.text) for m, r in zip(metas, rows)],
                                                    target.settings.embed_batch)
    target.store.upsert(ids, vectors, [r.text for r in rows], metas)
    target.lexical.update(zip(ids, [m.doc_id or doc_id_for(m.path) for m in metas], [m.day for m in metas],
                              tokenize([index_text(m.title, r.text) for m, r in zip(metas, rows)])))
    record, vector = record_from_chunks({i: StoredChunk(i, r.text, m, v) for i, r, m, v in zip(ids, rows, metas, vectors)})
    target.store.articles.put([record], [vector])
    return len(rows)


def _swap(old: Store, new: Store, settings: Settings) -> None:
    """The new collections and BM25 index take the old ones' names."""
    client = old.client
    for name in (settings.collection, f"{settings.collection}-articles"):
        client.delete_collection(name)
    new.collection.modify(name=settings.collection)
    new.articles.collection.modify(name=f"{settings.collection}-articles")
    live, built = settings.lexical_dir, settings.model_copy(update={"collection": settings.collection + NEXT}).lexical_dir
    forget_engines(live, built)
    retired = live.with_name(live.name + ".old")
    shutil.rmtree(retired, ignore_errors=True)
    if live.exists():
        live.rename(retired)
    built.rename(live)
    shutil.rmtree(retired, ignore_errors=True)
