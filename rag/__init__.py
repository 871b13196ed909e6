"""newsrag: ask questions about a folder of news articles, with answers that cite exact words.

    from rag import ingest, search
    ingest("seeds/")
    for p in search("What did Kirby say?"):
        print(p.source, p.start, p.end, p.text[:80])
"""

from .offline import prepare as _prepare

_prepare()  # before chromadb, onnxruntime or gradio are imported: no telemetry, no downloads

# What `from rag import X` gives, imported on first use (PEP 562): `rag --help` and the other
# light commands do not load chromadb, onnxruntime or the answerer.
_EXPORTS = {
    "answer": "answering.pipeline", "briefing": "briefs.compose", "Settings": "config", "Index": "index.opened",
    "ingest": "indexing.run", "remove": "indexing.run", "backends": "answering.generate", "articles": "index.library",
    "search": "answering.retrieve", "correct": "indexing.corrections",
    **{name: "types" for name in ("Answer", "Briefing", "Citation", "Difference", "FileResult", "IngestReport",
                                  "LibraryEntry", "Passage", "Point", "Remark", "SourceInfo", "Speaker")},
}


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module 'rag' has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
    globals()[name] = value  # the next lookup is a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])


__all__ = [
    "Index", "Settings", "answer", "articles", "backends", "briefing", "correct", "ingest", "remove", "search",
    "Answer", "Briefing", "Citation", "Difference", "FileResult", "IngestReport", "LibraryEntry", "Passage", "Point",
    "Remark", "SourceInfo", "Speaker",
]
__version__ = "0.1.0"
