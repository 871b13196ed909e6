"""An opened index: the Chroma store, the BM25 index and the settings, opened once and handed down.

    from rag import Index, answer, search
    index = Index()                         # or Index(Settings(data_dir="..."))
    answer("What did Kirby say?", index=index)
    search("Kirby", index=index)

A command, an API call or the web app opens one and passes it to everything it calls, so a
question opens the store and the BM25 index once (against a Chroma server every opening is a
round trip). Public functions take `index=` or, as before, `settings=` (then they open one).
Reading never writes: when BM25 is behind Chroma (an ingest running or interrupted, another
client of a Chroma server), retrieval uses BM25 for what it has and dense retrieval for the rest,
and answers say so; bringing it in step is the writer's job (`rag ingest`).
"""

from __future__ import annotations

from ..config import Settings, load_settings
from .lexical import LexicalIndex
from .store import Store


class Index:
    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = load_settings(settings)
        self.store = Store(self.settings)
        self.lexical = LexicalIndex(self.settings.lexical_dir)

    def using(self, settings: Settings) -> "Index":
        """This opened index with other settings for what is done with it (another model endpoint,
        say): the store and the BM25 index are shared, not opened again."""
        view = object.__new__(Index)
        view.settings, view.store, view.lexical = settings, self.store, self.lexical
        return view

    def count(self) -> int:
        """Chunks in the store now (one round trip to a Chroma server)."""
        return self.store.count()

    def idf(self) -> dict[str, float]:
        """BM25 idf of every indexed token (cached per BM25 generation)."""
        return self.lexical.idf()


def open_index(settings: Settings | None = None, index: Index | None = None) -> Index:
    """The index a caller handed down, else one opened for these settings."""
    if index is not None:
        return index
    return Index(settings)
