"""`rag reindex`: embed every article again, with the embedder the settings name (RAG_EMBEDDINGS),
beside the current index, then put the new index in its place.

The new vectors go to collections named `<collection>-next` (and their BM25 index), from the
files the current manifest lists (a converted PDF or page from its original, a fetched page from
the copy kept under RAG_DATA_DIR/fetched, under its URL). The current index answers questions
until the end; a reindex that is interrupted is resumed by running it again (what it embedded is
kept). Then the old collections are deleted and the new ones take their names. Processes that
keep the index open (the web UI) should be restarted afterwards.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

from ..config import Settings, load_settings
from ..index.lexical import forget_engines
from ..index.opened import Index
from ..index.store import Store
from ..index.writelock import writing
from ..types import FileResult, IngestReport
from .discover import Discovery, Found
from .fetch import is_url
from .manifest import changing
from .run import _Run
from .write import Progress

NEXT = "-next"


def reindex(settings: Settings | None = None, progress: Progress | None = None) -> IngestReport:
    settings = load_settings(settings)
    started = time.perf_counter()
    with writing(settings):
        old = Store(settings, check_embedder=False)
        found = Discovery()
        for doc in sorted(old.docs().values(), key=lambda d: d.source):
            original = doc.original or doc.path
            if not os.path.exists(original):
                found.skipped.append(FileResult(doc.source, "skipped", reason="the file is gone: not embedded again"))
                continue
            found.files.append(Found(doc.source if is_url(doc.source) else str(original), Path(original)))
        target = Index(settings.model_copy(update={"collection": settings.collection + NEXT}))
        run = _Run(target, progress)
        with changing(target, run.notes):
            report = run.add(found, False, started)
        _swap(old, target.store, settings)
    return report


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
