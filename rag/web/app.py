"""newsrag's web UI (Gradio), over the public `rag` API only.

    rag ui [--port 7860]    # or, in the repository: python ui.py

Opens on http://127.0.0.1:7860 (GRADIO_SERVER_NAME / GRADIO_SERVER_PORT), offline: analytics
off, no share link, no web fonts. The index comes from RAG_DATA_DIR like every command; an empty
index is filled with seeds/ first. Tabs: Ask (rag/web/ask_tab.py: streamed, cited answers with a
sources panel, kept conversations, settings), Briefing (its citations open their sources),
Library (rag/web/library_tab.py). Scripts can call the app with gradio_client: the API endpoints
are "chat" and "briefing" (see README).
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import rag  # noqa: F401  (first: switches off telemetry before gradio is imported)
from rag import Index, Settings, answer, backends, briefing
from rag.deadline import Deadline
from rag.index.follow import Follower
from rag.indexing.bootstrap import describe, ensure_index
from rag.limits import MAX_QUESTION_CHARS, BadRequest
from rag.markup import html_text

import gradio as gr  # noqa: E402  (after rag)

from .ask_tab import AskTab, ask_tab  # noqa: E402
from .briefing_view import briefing_html, briefing_sources_html  # noqa: E402
from .library_tab import library_tab  # noqa: E402
from .render import CSS, HEAD  # noqa: E402
from .requests import bounded, day, for_api, user_error  # noqa: E402


def build(index: Index | None = None, startup_note: str = "") -> gr.Blocks:
    """The app over one opened index, shared by every session (each keeps its own conversation)."""
    index = index or Index()
    settings = index.settings
    available, default_backend = backends(settings)

    with gr.Blocks(title="newsrag", analytics_enabled=False) as demo:
        gr.Markdown("## newsrag · ask the articles, get answers that cite their exact words")
        if startup_note:  # the first run: say what happened and what to do next
            gr.HTML(f"<div class='nr-banner'><b>Welcome to newsrag.</b> {html_text(startup_note)} Ask about them "
                    "below (or pick a suggested question), write a briefing, or add your own articles in the "
                    "Library.</div>", elem_id="nr-startup")
        with gr.Tabs():
            with gr.Tab("Ask", id="ask"):
                ask = ask_tab(demo, index, settings, available, default_backend)
            with gr.Tab("Briefing", id="briefing"):
                _briefing_tab(settings, ask)
            with gr.Tab("Library", id="library") as tab:
                library_tab(demo, tab, index, settings, ask.only)
        _api(index, settings)
    return demo


def _briefing_tab(settings: Settings, ask: AskTab) -> None:
    """A briefing of everything or a topic, by the backend chosen in the Ask tab; its [n] open
    their sources in the panel beside it."""
    with gr.Row():
        topic = gr.Textbox(label="Topic (optional)", placeholder="e.g. ICC warrant; empty for all articles", scale=4,
                           elem_id="nr-topic", max_length=MAX_QUESTION_CHARS)
        make = gr.Button("Write briefing", variant="primary", scale=1, elem_id="nr-brief-button")
    with gr.Row(equal_height=False):
        with gr.Column(scale=3):
            download = gr.DownloadButton("Download .md", visible=False, elem_id="nr-download")
            report = gr.HTML(elem_id="nr-briefing")
        with gr.Column(scale=2, elem_classes="nr-sticky"):
            gr.Markdown("#### Sources")
            panel = gr.HTML(briefing_sources_html(None), elem_id="nr-briefing-sources")

    def write_briefing(topic_text: str, backend_name: str):
        steps = ("Gathering the articles' sentences, grouping what several outlets report, finding who said what "
                 "and where the sources differ; every sentence is then checked against its file…"
                 + ("" if backend_name == "extractive" else f" The {backend_name} model writes the summary (on a CPU, "
                    "under a minute)."))
        yield f'<div class="nr-working">{html_text(steps)}</div>', gr.update(visible=False), briefing_sources_html(None)
        try:
            writer, writing_index = ask.through(backend_name)
            result = next(iter(bounded(lambda: [briefing(topic_text or None, backend=writer, index=writing_index)],
                                       settings)))
        except Exception as exc:
            yield (f"<div class='nr-note'>{html_text(user_error(exc, settings))}</div>", gr.update(visible=False),
                   briefing_sources_html(None))
            return
        folder = Path(tempfile.mkdtemp(prefix="newsrag-briefing-"))
        name = re.sub(r"[^A-Za-z0-9]+", "-", topic_text or "all-articles").strip("-").lower() or "briefing"
        path = folder / f"briefing-{name[:40]}.md"
        path.write_text(result.text, encoding="utf-8")
        yield briefing_html(result), gr.update(value=str(path), visible=True), briefing_sources_html(result)

    make.click(write_briefing, [topic, ask.backend], [report, download, panel], api_visibility="private")
    topic.submit(write_briefing, [topic, ask.backend], [report, download, panel], api_visibility="private")


def _api(index: Index, settings: Settings) -> None:
    """The two stable endpoints for scripts (gradio_client); the page's own events are private."""

    def chat_api(question: str, history: list[str] | None = None, backend: str = "auto", k: int = 8,
                 as_of: str = "", since: str = "", until: str = "") -> dict:
        """Answer a question about the articles. Returns rag.Answer.to_dict(): text with [n]
        markers, citations (file, exact quote, character offsets), passages, abstained.
        k is 1..50, a question at most 2,000 characters, history at most 20 questions;
        as_of, since, until are dates as YYYY-MM-DD (empty: no as-of date, no range)."""
        try:
            result = next(iter(bounded(lambda: [answer(question, k=k, backend=backend, history=history or None,
                                                       index=index, as_of=day(as_of), since=day(since),
                                                       until=day(until))], settings)))
        except (BadRequest, Deadline) as exc:
            raise gr.Error(user_error(exc, settings)) from None
        return for_api(result.to_dict())

    def briefing_api(topic: str = "", backend: str = "auto") -> dict:
        """A multi-source briefing of all articles, or of a topic (at most 2,000 characters).
        Returns rag.Briefing.to_dict() (text is the Markdown)."""
        try:
            result = next(iter(bounded(lambda: [briefing(topic or None, backend=backend, index=index)], settings)))
        except (BadRequest, Deadline) as exc:
            raise gr.Error(user_error(exc, settings)) from None
        return for_api(result.to_dict())

    gr.api(chat_api, api_name="chat")
    gr.api(briefing_api, api_name="briefing")


def _warm(index: Index) -> None:
    """Load what a first question needs (the embedding model, the parser, the answer scorer) before
    the server takes requests, so that the first user does not wait for it under the request time
    limit. A failure here is printed and the server still starts: the request that hits it says why."""
    if not index.count():
        return
    try:
        answer("What happened?", index=index, backend="extractive")
    except Exception as exc:  # noqa: BLE001  (the same error reaches the first request, said to its user)
        print(f"warming up failed: {exc}", flush=True)


def main(host: str | None = None, port: int | None = None, settings: Settings | None = None) -> None:
    settings = settings or Settings()
    index = Index(settings)  # opened once for the server, handed to every request
    report = ensure_index(index)
    note = describe(report) if report is not None else ""
    if note:
        print(note, flush=True)
    _warm(index)
    demo = build(index, note)
    if settings.follow_seconds:  # other processes' ingests reach this process's BM25 index
        Follower(index, settings.follow_seconds).start()
    demo.queue(default_concurrency_limit=4)
    demo.launch(
        server_name=host,  # None: GRADIO_SERVER_NAME, else 127.0.0.1
        server_port=port,  # None: GRADIO_SERVER_PORT, else 7860
        share=False,
        ssr_mode=False,
        show_error=True,
        max_file_size=f"{settings.max_file_mb:g}mb",
        css=CSS,
        head=HEAD,
        theme=gr.themes.Default(font=("ui-sans-serif", "system-ui", "sans-serif"),
                                font_mono=("ui-monospace", "monospace")),  # system fonts: nothing to fetch
        footer_links=["api"],
        run_history=False,
    )


if __name__ == "__main__":
    main()
