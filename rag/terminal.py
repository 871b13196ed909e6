"""What the `rag` command prints: two consoles (answers and tables on stdout, progress, notes
and errors on stderr), article text made safe for a terminal, the progress bar, the streamed
answer, the ingest report."""

from __future__ import annotations

import json
import sys
from contextlib import nullcontext
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.markup import escape as _rich_escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, TextColumn, TimeRemainingColumn
from rich.text import Text
from rich.table import Table

from .markup import terminal_text
from .types import Answer, IngestReport

if TYPE_CHECKING:
    from .config import Settings

out = Console(soft_wrap=False)
err = Console(stderr=True)


def escape(text: str) -> str:
    """Text for the terminal: rich markup escaped, control characters (ESC sequences) made visible."""
    return _rich_escape(terminal_text(text))


def emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def consume(events, live: bool) -> Answer:
    """Show the backend's words as they stream (on stderr), then return the final Answer."""
    from rich.live import Live
    from rich.text import Text

    shown = ""
    final: Answer | None = None
    with Live(Text(""), console=err, transient=True, refresh_per_second=8) if live and err.is_terminal else nullcontext() as view:
        for event in events:
            if isinstance(event, Answer):
                final = event
            else:
                shown += event
                if view is not None:
                    view.update(Text(shown, style="dim"))
    assert final is not None
    return final


def print_answer(result: Answer) -> None:
    for note in result.notes:
        err.print(f"[yellow]note:[/] {escape(note)}")
    if result.abstained:
        out.print(f"[yellow]{escape(result.text)}[/]")
        out.print(f"[dim]abstained · {result.backend} · {result.timings.get('total', 0):.2f} s[/]")
        return
    if result.status == "hedged":  # the first line says the articles do not say it directly
        first, _, rest = result.text.partition("\n")
        out.print(f"[yellow]{escape(first)}[/]\n{escape(rest.strip())}")
    else:
        out.print(escape(result.text))
    out.print()
    out.print("[bold]Sources[/]")
    for c in result.citations:
        carried = f" [dim]({escape(c.carried)})[/]" if c.also else ""
        out.print(f"[bold]{escape(f'[{c.n}]')} {escape(c.label)}[/] [dim]({escape(c.name)}, chars {c.start}-{c.end})[/]: "
                  f"{escape(c.quote)}{carried}")
    out.print(f"[dim]{'not answered directly · ' if result.status == 'hedged' else ''}{result.backend} · {result.timings.get('total', 0):.2f} s[/]")


class _Rate(ProgressColumn):
    """How many units a second (chunks/s while embedding)."""

    def __init__(self, unit: str) -> None:
        super().__init__()
        self.unit = unit

    def render(self, task) -> Text:
        return Text(f"{task.speed:.1f} {self.unit}/s" if task.speed else "", style="dim")


class progress_bar:
    """A rich progress bar on stderr (or nothing); call it with (done, total)."""

    def __init__(self, enabled: bool, description: str, unit: str = "chunks") -> None:
        self.bar = (
            Progress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn(unit),
                _Rate(unit),
                TimeRemainingColumn(),
                console=err,
                transient=True,
            )
            if enabled and err.is_terminal
            else None
        )
        self.description = description
        self.task = self.bar.add_task(description, total=None) if self.bar else None

    def __call__(self, done: int, total: int) -> None:
        if self.bar is not None:
            self.bar.update(self.task, completed=done, total=total, description=self.description)

    def reading(self, source: str) -> None:
        """Name the file being converted and chunked (the bar then says what it waits for)."""
        if self.bar is not None:
            name = source.rsplit("/", 1)[-1]
            self.bar.update(self.task, description=f"reading {escape(name[:40])}")

    def __enter__(self) -> "progress_bar":
        if self.bar:
            self.bar.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        if self.bar:
            self.bar.__exit__(*exc)


def print_report(report: IngestReport, settings: Settings) -> None:
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
