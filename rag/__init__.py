"""newsrag: ask questions about a folder of news articles, with answers that cite exact words.

    from rag import ingest, search
    ingest("seeds/")
    for p in search("What did Kirby say?"):
        print(p.source, p.start, p.end, p.text[:80])
"""

from .offline import prepare as _prepare

_prepare()  # before chromadb, onnxruntime or gradio are imported: no telemetry, no downloads

from .answering.pipeline import answer  # noqa: E402
from .briefs.compose import briefing  # noqa: E402
from .config import Settings  # noqa: E402
from .index.opened import Index  # noqa: E402
from .indexing.run import ingest, remove  # noqa: E402
from .answering.generate import backends  # noqa: E402
from .index.library import articles  # noqa: E402
from .answering.retrieve import search  # noqa: E402
from .types import (  # noqa: E402
    Answer, Briefing, Citation, Difference, FileResult, IngestReport, LibraryEntry, Passage, Point, Remark, SourceInfo,
    Speaker,
)

__all__ = [
    "Index", "Settings", "answer", "articles", "backends", "briefing", "ingest", "remove", "search",
    "Answer", "Briefing", "Citation", "Difference", "FileResult", "IngestReport", "LibraryEntry", "Passage", "Point",
    "Remark", "SourceInfo", "Speaker",
]
__version__ = "0.1.0"
