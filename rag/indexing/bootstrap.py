"""First run: with an empty index, `ask`, `brief`, `eval` and the UI ingest the sample articles
in seeds/ first (and say so), so that install + one command is all a newcomer needs."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from .run import Progress, ingest
from ..index.opened import Index
from ..types import IngestReport
from ..index.writelock import writing_if_free

def seeds_dir() -> Path | None:
    """seeds/ in the current directory, else the sample articles shipped inside the package."""
    for candidate in (Path("seeds"), Path(str(resources.files("rag") / "samples"))):
        if candidate.is_dir() and any(candidate.glob("*.txt")):
            return candidate
    return None


def ensure_index(index: Index, progress: Progress | None = None) -> IngestReport | None:
    """Ingest seeds/ when the index is truly empty and nobody is writing to it; the report when
    it did, else None. An ingest that is running (the user's first, say) is never joined by the
    samples: the index is only empty because that ingest has not committed anything yet."""
    if index.count() > 0:
        return None
    folder = seeds_dir()
    if folder is None:
        return None
    with writing_if_free(index.settings) as free:
        if not free or index.count() > 0:  # someone is ingesting, or just did
            return None
        return ingest([folder], index=index, progress=progress)


def describe(report: IngestReport, folder: Path | None = None) -> str:
    where = folder or seeds_dir() or "seeds/"
    added = len(report.by_status("added"))
    return (
        f"The index was empty, so the {added} sample article{'s' if added != 1 else ''} in {where} "
        f"{'were' if added != 1 else 'was'} ingested first ({report.chunks_total} chunks)."
    )
