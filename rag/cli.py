"""The `rag` command line. Never imports gradio."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, List, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from .indexing import ingest as ingest_paths
from .indexing import remove as remove_paths
from .retrieve import UnknownSource
from .retrieve import search as search_passages
from .config import Settings
from .store import Store, StoreError
from .types import IngestReport

app = typer.Typer(
    help="newsrag: ask questions about a folder of news articles, with answers that cite exact words.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console(soft_wrap=False)
err = Console(stderr=True)


class Fail(Exception):
    """An error with a message for the user; exit status 1."""


@app.callback()
def main(
    ctx: typer.Context,
    data_dir: Optional[Path] = typer.Option(
        None, "--data-dir", help="Where the index lives (default: RAG_DATA_DIR, else .rag/ here)."
    ),
) -> None:
    ctx.obj = Settings(data_dir=data_dir) if data_dir else Settings()


def _settings(ctx: typer.Context) -> Settings:
    return ctx.obj if isinstance(ctx.obj, Settings) else Settings()


def _emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


@app.command()
def ingest(
    ctx: typer.Context,
    paths: List[Path] = typer.Argument(..., help="Files (.txt, .md) or folders, read recursively."),
    prune: bool = typer.Option(
        True, "--prune/--no-prune", help="Remove files that disappeared from the folders given (default: prune)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Add articles to the index. Unchanged files are skipped; edited files are re-embedded."""
    settings = _settings(ctx)
    with _progress(enabled=not as_json) as bar:
        task = bar.add_task("embedding", total=None) if bar else None

        def on_progress(done: int, total: int) -> None:
            if bar is not None:
                bar.update(task, completed=done, total=total)

        report = _guard(lambda: ingest_paths(paths, prune=prune, settings=settings, progress=on_progress))
    if as_json:
        _emit_json(report.to_dict())
    else:
        _print_report(report, settings)
    if not report.files and not report.notes:
        raise typer.Exit(1)


@app.command()
def remove(
    ctx: typer.Context,
    paths: List[str] = typer.Argument(..., help="Files or folders to take out of the index (files are not touched)."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Remove articles from the index."""
    settings = _settings(ctx)
    report = _guard(lambda: remove_paths(paths, settings=settings))
    if as_json:
        _emit_json(report.to_dict())
    else:
        _print_report(report, settings)


@app.command()
def sources(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Print the list as JSON."),
) -> None:
    """List the ingested articles."""
    settings = _settings(ctx)
    docs = _guard(lambda: Store(settings).docs())
    rows = [
        {
            "source": d.source,
            "path": d.path,
            "title": d.title,
            "byline": d.byline,
            "date": d.date,
            "chunks": len(d.ids),
        }
        for d in sorted(docs.values(), key=lambda d: d.source)
    ]
    if as_json:
        _emit_json(rows)
        return
    if not rows:
        out.print(f"The index in {settings.data_dir} is empty: run [bold]rag ingest FOLDER[/].")
        return
    table = Table("Source", "Title", "Date", "Chunks")
    for r in rows:
        table.add_row(escape(r["source"]), escape(r["title"]), r["date"][:10], str(r["chunks"]))
    out.print(table)


@app.command()
def search(
    ctx: typer.Context,
    query: str = typer.Argument(..., help="What to look for."),
    k: Optional[int] = typer.Option(None, "-k", "--k", min=1, max=100, help="How many passages (default RAG_TOP_K)."),
    source: Optional[List[str]] = typer.Option(None, "--source", "-s", help="Only these files (repeatable)."),
    mmr: bool = typer.Option(False, "--mmr", help="Diversify: prefer passages that add something new."),
    as_json: bool = typer.Option(False, "--json", help="Print passages as JSON."),
) -> None:
    """Show the passages that best match a query (hybrid dense + BM25 retrieval)."""
    settings = _settings(ctx)
    passages = _guard(lambda: search_passages(query, k, sources=source or None, mmr=mmr, settings=settings))
    if as_json:
        _emit_json([p.to_dict() for p in passages])
        return
    if not passages:
        out.print("No passages found." + (" The index is empty: run [bold]rag ingest FOLDER[/]." if _empty(settings) else ""))
        return
    table = Table("#", "Source", "Chars", "Score", "Passage", show_lines=True)
    for i, p in enumerate(passages, 1):
        snippet = " ".join(p.text.split())
        snippet = snippet if len(snippet) <= 240 else snippet[:237] + "..."
        table.add_row(str(i), escape(p.name), f"{p.start}-{p.end}", f"{p.score:.4f}", escape(snippet))
    out.print(table)


def _empty(settings: Settings) -> bool:
    try:
        return Store(settings).count() == 0
    except StoreError:
        return True


def _guard(call):
    """Run a command's work; known failures become a message, Ctrl-C a clean exit."""
    try:
        return call()
    except KeyboardInterrupt:
        err.print("[yellow]Interrupted.[/] The index is intact; run the command again to finish.")
        raise typer.Exit(130)
    except (StoreError, UnknownSource, Fail) as exc:
        err.print(f"[red]Error:[/] {escape(str(exc))}")
        raise typer.Exit(1)


class _progress:
    """A rich progress bar on stderr, or nothing."""

    def __init__(self, enabled: bool) -> None:
        self.bar = (
            Progress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("chunks"),
                TimeRemainingColumn(),
                console=err,
                transient=True,
            )
            if enabled and err.is_terminal
            else None
        )

    def __enter__(self) -> Progress | None:
        if self.bar:
            self.bar.__enter__()
        return self.bar

    def __exit__(self, *exc) -> None:
        if self.bar:
            self.bar.__exit__(*exc)


def _print_report(report: IngestReport, settings: Settings) -> None:
    styles = {"added": "green", "updated": "cyan", "unchanged": "dim", "removed": "magenta", "skipped": "yellow"}
    shown = [f for f in report.files if f.status != "unchanged"]
    if shown:
        table = Table("File", "Status", "Chunks", "Title or reason")
        for f in shown:
            table.add_row(
                escape(f.source),
                f"[{styles[f.status]}]{f.status}[/]",
                str(f.chunks) if f.chunks else "",
                escape(f.reason or f.title),
            )
        out.print(table)
    counts = ", ".join(f"{len(report.by_status(s))} {s}" for s in styles)
    line = f"{counts}. {report.chunks_total} chunks in the index ({settings.data_dir})."
    if report.chunks_embedded:
        rate = report.chunks_embedded / report.embed_seconds if report.embed_seconds else 0.0
        line += f" Embedded {report.chunks_embedded} chunks in {report.embed_seconds:.1f} s ({rate:.1f}/s)."
    if report.chunks_reused:
        line += f" Reused the vectors of {report.chunks_reused} chunks."
    out.print(line + f" Took {report.seconds:.2f} s.")
    for note in report.notes:
        out.print(f"[dim]note:[/] {escape(note)}")


if __name__ == "__main__":
    app()
