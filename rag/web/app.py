"""newsrag's web UI (Gradio), over the public `rag` API only.

    rag ui [--port 7860]    # or, in the repository: python ui.py

Opens on http://127.0.0.1:7860 (GRADIO_SERVER_NAME / GRADIO_SERVER_PORT), offline: analytics
off, no share link, no web fonts. The index comes from RAG_DATA_DIR like every command; an empty
index is filled with seeds/ first. Tabs: Ask (streamed, cited answers with a sources panel),
Briefing (Markdown, downloadable), Library (list, upload, remove). Scripts can call the app with
gradio_client: the API endpoints are "chat" and "briefing" (see README).
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import rag  # noqa: F401  (first: switches off telemetry before gradio is imported)
from rag import Answer, Index, Settings, answer, articles, backends, briefing, correct, ingest, remove
from rag.limits import MAX_QUESTION_CHARS, BadRequest
from rag.deadline import Deadline, within
from rag.answering.suggest import MAX_SUGGESTIONS, suggested_questions
from rag.indexing.bootstrap import describe, ensure_index, seeds_dir
from rag.indexing.uploads import ACCEPTED, save
from rag.markup import html_text, md_text
from rag.types import source_label
from rag.redact import scrub, secrets_of

import gradio as gr  # noqa: E402  (after rag)

from .briefing_view import briefing_html, briefing_sources_html  # noqa: E402
from . import session  # noqa: E402
from .conversations import new_id  # noqa: E402
from .endpoints import PREFIX, Endpoints  # noqa: E402
from .render import CSS, HEAD, answer_html, sources_html, text_html  # noqa: E402

def _safe(message: str, settings: Settings) -> str:
    """An error message fit for any web user: URLs redacted, the API key replaced."""
    return scrub(message, secrets_of(settings))


def _for_api(value: Any) -> Any:
    """Results for remote scripts: without server-side file paths (which Gradio would also take
    for files to serve). Sources keep their names and offsets."""
    if isinstance(value, dict):
        return {k: _for_api(v) for k, v in value.items() if k != "path"}
    if isinstance(value, list):
        return [_for_api(v) for v in value]
    return value


def library(index: Index) -> tuple[list[list[Any]], list[tuple[str, str]]]:
    """The library table's rows and the article choices, from one read of the index. A choice is
    (file name, opaque key): no server path reaches the page, and a key names exactly one article."""
    entries = articles(index=index)
    rows = [[a.outlet, a.title, a.date[:10], a.name, a.chunks] for a in entries]
    return rows, [(f"{source_label(a.outlet, a.title, a.date)} ({a.name})", a.key) for a in entries]


def chosen_paths(keys: list[str] | None, index: Index) -> list[str]:
    """The files behind the keys the page sent back (unknown keys are refused, never guessed at)."""
    if not keys:
        return []
    by_key = {a.key: a.path for a in articles(index=index)}
    missing = [k for k in keys if k not in by_key]
    if missing:
        raise BadRequest("an article you chose is no longer in the index: reload the page")
    return [by_key[k] for k in keys]


def _day(text: str | None) -> str | None:
    """A date field as typed: blank is no date (answer() checks the rest and says what is wrong)."""
    return (text or "").strip() or None


def bounded(produce, settings: Settings):
    """What `produce()` yields, for at most RAG_REQUEST_TIMEOUT seconds (a Deadline after that)."""
    return within(produce, total=settings.request_timeout, name="newsrag-request")


def _user_error(exc: Exception, settings: Settings) -> str:
    if isinstance(exc, Deadline):
        return (f"This took longer than {settings.request_timeout:g} s (RAG_REQUEST_TIMEOUT) and was stopped. "
                "Try a narrower question or fewer passages.")
    if isinstance(exc, BadRequest):
        return str(exc)
    return f"Something went wrong: {_safe(str(exc), settings)}"


# --- the app --------------------------------------------------------------------------------------

def build(index: Index | None = None, startup_note: str = "") -> gr.Blocks:
    """The app over one opened index, shared by every session (each keeps its own conversation)."""
    index = index or Index()
    settings = index.settings
    available, default_backend = backends(settings)
    rows, choices = library(index)
    editable = not settings.ui_read_only

    with gr.Blocks(title="newsrag", analytics_enabled=False) as demo:
        gr.Markdown("## newsrag · ask the articles, get answers that cite their exact words")
        if startup_note:  # the first run: say what happened and what to do next
            gr.HTML(f"<div class='nr-banner'><b>Welcome to newsrag.</b> {html_text(startup_note)} Ask about them "
                    "below (or pick a suggested question), write a briefing, or add your own articles in the "
                    "Library.</div>", elem_id="nr-startup")
        questions = gr.State([])  # this session's questions, for follow-ups (nothing shared between sessions)
        # this browser's random id (its conversations are kept server-side under RAG_DATA_DIR), the
        # conversation open in this tab and its answers
        browser = gr.BrowserState("", storage_key="newsrag-browser")
        conversation = gr.State("")
        answers = gr.State([])

        with gr.Tabs():
            with gr.Tab("Ask", id="ask"):
                with gr.Row(equal_height=False):
                    with gr.Column(scale=3):
                        # messages are HTML built here (render_markdown=False): article text is escaped, never markup
                        # (each answer carries its own Copy link: clean text with its numbered sources)
                        chat = gr.Chatbot(elem_id="nr-chat", height=520, buttons=[], label="Answers", show_label=False,
                                          feedback_options=None, latex_delimiters=[], render_markdown=False)
                        question = gr.Textbox(placeholder="Ask about the articles, e.g. What did Kirby say?",
                                              show_label=False, elem_id="nr-question", submit_btn=True,
                                              max_length=MAX_QUESTION_CHARS)
                        # questions the articles can answer (who is quoted most, the outlets cited), read at page load
                        suggest = gr.Dataset(components=[question], samples=[], label="Suggested questions",
                                             elem_id="nr-suggest", samples_per_page=MAX_SUGGESTIONS)
                        with gr.Row():
                            clear = gr.Button("New conversation", size="sm", variant="secondary", elem_id="nr-new")
                            keep = gr.Button("Keep the last answer", size="sm", variant="secondary", elem_id="nr-keep")
                            export_md = gr.DownloadButton("Export .md", size="sm", visible=False, elem_id="nr-export-md")
                            export_html = gr.DownloadButton("Export .html", size="sm", visible=False,
                                                            elem_id="nr-export-html")
                        keep_status = gr.Markdown(elem_id="nr-keep-status")
                        with gr.Accordion("Your conversations and kept answers", open=False, elem_id="nr-past-panel"):
                            past = gr.Dropdown([], value=None, label="Conversations on this browser (kept on the server)",
                                               elem_id="nr-past")
                            with gr.Row():
                                open_past = gr.Button("Open", size="sm", elem_id="nr-past-open")
                                delete_past = gr.Button("Delete", size="sm", variant="stop", elem_id="nr-past-delete")
                            export_kept = gr.DownloadButton("Export kept answers (.md)", size="sm", visible=False,
                                                            elem_id="nr-export-kept")
                    with gr.Column(scale=2):
                        gr.Markdown("#### Sources")
                        sources = gr.HTML(sources_html(None), elem_id="nr-sources")
                with gr.Accordion("Settings", open=False):
                    endpoints = Endpoints(settings.data_dir)
                    backend = gr.Radio(available + [PREFIX + n for n in endpoints.names()], value=default_backend,
                                       label="Answer backend", elem_id="nr-backend",
                                       info="Only backends configured here are offered; no API key is ever shown.")
                    if editable:
                        with gr.Accordion("Add an OpenAI-compatible endpoint (OpenAI, Ollama, vLLM, llama.cpp)",
                                          open=False, elem_id="nr-endpoint-panel"):
                            with gr.Row():
                                endpoint_name = gr.Textbox(label="Name", placeholder="e.g. newsroom-llm",
                                                           elem_id="nr-endpoint-name")
                                endpoint_url = gr.Textbox(label="Base URL", placeholder="http://127.0.0.1:8080/v1",
                                                          elem_id="nr-endpoint-url")
                                endpoint_model = gr.Textbox(label="Model", placeholder="e.g. gpt-4o-mini",
                                                            elem_id="nr-endpoint-model")
                                endpoint_key = gr.Textbox(label="API key (kept on the server, never shown)",
                                                          type="password", elem_id="nr-endpoint-key")
                            add_endpoint = gr.Button("Add endpoint", size="sm", elem_id="nr-endpoint-add")
                            endpoint_status = gr.Markdown(elem_id="nr-endpoint-status")
                    k = gr.Slider(1, 20, value=min(settings.top_k, 20), step=1, label="Passages to answer from")
                    only = gr.Dropdown(choices, multiselect=True, label="Only these articles",
                                       info="Leave empty to search all.")
                    with gr.Row():
                        as_of = gr.Textbox(label="As of", placeholder="YYYY-MM-DD (default today)", elem_id="nr-as-of",
                                           info="'This week' or 'on Monday' in a question count from this date.")
                        since = gr.Textbox(label="Published since", placeholder="YYYY-MM-DD", elem_id="nr-since")
                        until = gr.Textbox(label="Published until", placeholder="YYYY-MM-DD", elem_id="nr-until")

            with gr.Tab("Briefing", id="briefing"):
                with gr.Row():
                    topic = gr.Textbox(label="Topic (optional)", placeholder="e.g. ICC warrant; empty for all articles",
                                       scale=4, elem_id="nr-topic", max_length=MAX_QUESTION_CHARS)
                    make = gr.Button("Write briefing", variant="primary", scale=1, elem_id="nr-brief-button")
                with gr.Row(equal_height=False):
                    with gr.Column(scale=3):
                        download = gr.DownloadButton("Download .md", visible=False, elem_id="nr-download")
                        report = gr.HTML(elem_id="nr-briefing")
                    with gr.Column(scale=2, elem_classes="nr-sticky"):
                        gr.Markdown("#### Sources")
                        briefing_sources = gr.HTML(briefing_sources_html(None), elem_id="nr-briefing-sources")

            with gr.Tab("Library", id="library") as library_tab:
                table = gr.Dataframe(rows, headers=["Outlet", "Title", "Date", "File", "Chunks"],
                                     interactive=False, elem_id="nr-library", wrap=True,
                                     column_widths=["16%", "46%", "14%", "18%", "6%"])
                if editable:
                    upload = gr.File(file_count="multiple", file_types=list(ACCEPTED),
                                     label="Add articles (.txt, .md, .html)", elem_id="nr-upload")
                    upload_status = gr.Markdown(elem_id="nr-upload-status")
                    with gr.Row():
                        to_remove = gr.Dropdown(choices, value=None, label="Remove an article from the index",
                                                scale=4, elem_id="nr-remove-choice")
                        remove_button = gr.Button("Remove…", variant="secondary", scale=1, elem_id="nr-remove")
                    with gr.Row(visible=False, elem_id="nr-confirm") as confirm_row:
                        confirm_text = gr.Markdown()
                        confirm_button = gr.Button("Yes, remove it", variant="stop", scale=0, elem_id="nr-remove-yes")
                        cancel_button = gr.Button("Cancel", variant="secondary", scale=0, elem_id="nr-remove-no")
                    remove_status = gr.Markdown(elem_id="nr-remove-status")
                    samples_button = gr.Button("Put the sample articles back", size="sm", variant="secondary",
                                               elem_id="nr-samples")
                    with gr.Accordion("Set an article's headline, outlet or date", open=False, elem_id="nr-edit-panel"):
                        to_edit = gr.Dropdown(choices, value=None, label="Article", elem_id="nr-edit-choice")
                        with gr.Row():
                            edit_title = gr.Textbox(label="Headline", elem_id="nr-edit-title", scale=3)
                            edit_outlet = gr.Textbox(label="Outlet", placeholder="e.g. Reuters", elem_id="nr-edit-outlet")
                            edit_date = gr.Textbox(label="Published", placeholder="YYYY-MM-DD", elem_id="nr-edit-date")
                        save_edit = gr.Button("Save", size="sm", variant="primary", elem_id="nr-edit-save")
                        edit_status = gr.Markdown(elem_id="nr-edit-status")
                else:
                    gr.Markdown("<div class='nr-note'>This library is read-only here (RAG_UI_READ_ONLY): "
                                "articles are added and removed with <code>rag ingest</code> and <code>rag remove</code>.</div>")

        # -- events (UI only: scripts use the "chat" and "briefing" endpoints below) --

        def through(backend_name: str) -> tuple[str, Index]:
            """(the backend, the index to use) for a choice of the backend radio: a user-added
            endpoint answers as "openai" with its own settings."""
            endpoint = Endpoints(settings.data_dir).settings_for(backend_name or "auto", settings)
            return ("openai", index.using(endpoint)) if endpoint else (backend_name, index)

        def respond(message: str, history: list, asked: list, backend_name: str, k_value: float, chosen: list,
                    as_of_text: str, since_text: str, until_text: str, browser_id: str, open_id: str, so_far: list):
            message = (message or "").strip()
            unchanged = (gr.skip(),) * 5  # conversation, answers, past, export_md, export_html
            if not message:
                yield history, asked, gr.skip(), "", *unchanged
                return
            steps = ("Searching the articles, choosing the sentences that answer, checking each quote against its file…"
                     + ("" if backend_name == "extractive" else f" The {backend_name} model then writes the answer "
                        "from them (a few seconds on a CPU)."))
            history = history + [{"role": "user", "content": text_html(message)},
                                 {"role": "assistant", "content": f'<span class="nr-working">{html_text(steps)}</span>'}]
            yield history, asked, sources_html(None, waiting=True), "", *unchanged
            shown, final = "", None
            try:
                paths = chosen_paths(chosen, index) or None
                writer, answering = through(backend_name)
                events = bounded(lambda: answer(message, k=int(k_value), backend=writer, sources=paths, stream=True,
                                                index=answering, history=asked, as_of=_day(as_of_text),
                                                since=_day(since_text), until=_day(until_text)), settings)
                for event in events:
                    if isinstance(event, Answer):
                        final = event
                    else:
                        shown += event
                        history[-1] = {"role": "assistant", "content": text_html(shown) + " ▌"}
                        yield history, asked, gr.skip(), "", *unchanged
            except Exception as exc:  # a message, never a traceback in the chat
                history[-1] = {"role": "assistant", "content": html_text(_user_error(exc, settings))}
                yield history, asked, sources_html(None), "", *unchanged
                return
            if writer != backend_name and final.backend == writer:  # say which endpoint answered
                final = replace(final, backend=backend_name)
            history[-1] = {"role": "assistant", "content": answer_html(final)}
            open_id, so_far = open_id or new_id(), so_far + [final]
            kept = session.store(settings.data_dir, browser_id)
            if kept is not None:
                kept.save(open_id, so_far)
            md, page = session.exports(so_far, "Questions to the articles")
            yield (history, asked + [message], sources_html(final), "", open_id, so_far,
                   gr.update(choices=session.choices(kept)), gr.update(value=md, visible=True),
                   gr.update(value=page, visible=True))

        ask_inputs = [question, chat, questions, backend, k, only, as_of, since, until, browser, conversation, answers]
        ask_outputs = [chat, questions, sources, question, conversation, answers, past, export_md, export_html]
        question.submit(respond, ask_inputs, ask_outputs, api_visibility="private")
        hidden = gr.update(value=None, visible=False)
        clear.click(lambda: ([], [], sources_html(None), "", [], hidden, hidden), None,
                    [chat, questions, sources, conversation, answers, export_md, export_html], api_visibility="private")

        def show(browser_id: str, open_id: str, its_answers: list):
            """A conversation in the Ask tab (and the list of this browser's conversations)."""
            messages, asked, panel = session.opened(its_answers)
            md, page = session.exports(its_answers, "Questions to the articles")
            kept = session.store(settings.data_dir, browser_id)
            return (browser_id, open_id, its_answers, messages, asked, panel,
                    gr.update(choices=session.choices(kept), value=None),
                    gr.update(value=md, visible=md is not None), gr.update(value=page, visible=page is not None))

        shown_outputs = [browser, conversation, answers, chat, questions, sources, past, export_md, export_html]
        demo.load(lambda browser_id: show(*session.restore(settings.data_dir, browser_id)), [browser], shown_outputs,
                  api_visibility="private")

        def open_conversation(browser_id: str, chosen_id: str | None):
            kept = session.store(settings.data_dir, browser_id)
            if kept is None or not chosen_id:
                return (gr.skip(),) * len(shown_outputs)
            return show(browser_id, chosen_id, kept.load(chosen_id))

        open_past.click(open_conversation, [browser, past], shown_outputs, api_visibility="private")

        def delete_conversation(browser_id: str, chosen_id: str | None, open_id: str, its_answers: list):
            kept = session.store(settings.data_dir, browser_id)
            if kept is None or not chosen_id:
                return (gr.skip(),) * len(shown_outputs)
            kept.delete(chosen_id)
            return show(browser_id, "", []) if chosen_id == open_id else show(browser_id, open_id, its_answers)

        delete_past.click(delete_conversation, [browser, past, conversation, answers], shown_outputs,
                          api_visibility="private")

        def keep_last(browser_id: str, its_answers: list):
            kept = session.store(settings.data_dir, browser_id)
            if kept is None or not its_answers:
                return "Ask something first: there is no answer to keep.", gr.skip()
            count = kept.keep(its_answers[-1])
            md, _ = session.exports(kept.saved(), "Kept answers")
            return (f"Kept. {count} answer{'s' if count != 1 else ''} kept on this browser.",
                    gr.update(value=md, visible=True))

        keep.click(keep_last, [browser, answers], [keep_status, export_kept], api_visibility="private")

        def write_briefing(topic_text: str, backend_name: str):
            try:
                writer, writing_index = through(backend_name)
                result = next(iter(bounded(lambda: [briefing(topic_text or None, backend=writer,
                                                              index=writing_index)], settings)))
            except Exception as exc:
                return (f"<div class='nr-note'>{html_text(_user_error(exc, settings))}</div>", gr.update(visible=False),
                        briefing_sources_html(None))
            folder = Path(tempfile.mkdtemp(prefix="newsrag-briefing-"))
            name = re.sub(r"[^A-Za-z0-9]+", "-", topic_text or "all-articles").strip("-").lower() or "briefing"
            path = folder / f"briefing-{name[:40]}.md"
            path.write_text(result.text, encoding="utf-8")
            return briefing_html(result), gr.update(value=str(path), visible=True), briefing_sources_html(result)

        make.click(write_briefing, [topic, backend], [report, download, briefing_sources], api_visibility="private")
        topic.submit(write_briefing, [topic, backend], [report, download, briefing_sources], api_visibility="private")

        if editable:
            def add_files(files: list | None, progress=gr.Progress()):
                if not files:
                    return gr.skip(), gr.skip(), gr.skip(), gr.skip(), None
                paths = [f if isinstance(f, str) else f.name for f in files]
                saved, refused = save(paths, settings, names=[Path(p).name for p in paths])
                lines = [f"- **{html_text(r.source)}**: not added, {html_text(r.reason)}" for r in refused]
                if saved:
                    progress(0, desc="embedding")
                    result = ingest(saved, prune=False, index=index,
                                    progress=lambda done, total: progress(done / max(total, 1), desc="embedding"))
                    for f in result.files:
                        what = {"added": "added", "updated": "updated", "unchanged": "already in the index",
                                "skipped": "not added", "removed": "removed"}[f.status]
                        detail = f", {f.chunks} chunks" if f.chunks else ""
                        reason = f", {html_text(f.reason)}" if f.reason else ""
                        lines.append(f"- **{html_text(Path(f.source).name)}**: {what}{detail}{reason}")
                rows, choices = library(index)
                return ("\n".join(lines), rows, gr.update(choices=choices), gr.update(choices=choices),
                        None)

            upload.upload(add_files, [upload], [upload_status, table, to_remove, only, upload], api_visibility="private")

            def ask_to_drop(key: str | None):
                """Removing takes a second click, on a button that names what goes."""
                entry = next((a for a in articles(index=index) if a.key == key), None) if key else None
                if entry is None:
                    message = "Choose an article first." if not key else "That article is not in the index."
                    return gr.update(visible=False), gr.skip(), message
                what = md_text(source_label(entry.outlet, entry.title, entry.date))
                return (gr.update(visible=True),
                        f"Remove **{what}** ({md_text(entry.name)}, {entry.chunks} chunks) from the index?", "")

            remove_button.click(ask_to_drop, [to_remove], [confirm_row, confirm_text, remove_status],
                                api_visibility="private")
            cancel_button.click(lambda: (gr.update(visible=False), "Nothing was removed."), None,
                                [confirm_row, remove_status], api_visibility="private")

            def drop(key: str | None):
                entry = next((a for a in articles(index=index) if a.key == key), None) if key else None
                if entry is None:
                    message = "Choose an article first." if not key else "That article is not in the index."
                    return message, gr.skip(), gr.skip(), gr.skip(), gr.update(visible=False)
                result = remove([entry.path], index=index)
                if any(f.status == "removed" for f in result.files):
                    uploaded = Path(entry.path)
                    if uploaded.parent == (settings.data_dir / "uploads").resolve():
                        uploaded.unlink(missing_ok=True)  # an upload the index no longer uses
                rows, choices = library(index)
                return (f"Removed **{html_text(entry.name)}**.", rows, gr.update(choices=choices, value=None),
                        gr.update(choices=choices), gr.update(visible=False))

            confirm_button.click(drop, [to_remove], [remove_status, table, to_remove, only, confirm_row],
                                 api_visibility="private")

            def restore_samples():
                folder = seeds_dir()
                if folder is None:
                    return "No sample articles ship with this installation.", gr.skip(), gr.skip(), gr.skip()
                result = ingest([folder], prune=False, index=index)
                back = len(result.by_status("added")) + len(result.by_status("updated"))
                rows, choices = library(index)
                message = (f"Put back {back} sample article{'s' if back != 1 else ''}." if back
                           else "The sample articles are all in the index already.")
                return message, rows, gr.update(choices=choices), gr.update(choices=choices)

            samples_button.click(restore_samples, None, [remove_status, table, to_remove, only], api_visibility="private")

            def fill_edit(key: str | None):
                entry = next((a for a in articles(index=index) if a.key == key), None) if key else None
                if entry is None:
                    return "", "", "", ""
                return entry.title, entry.outlet, entry.date[:10], ""

            to_edit.change(fill_edit, [to_edit], [edit_title, edit_outlet, edit_date, edit_status], api_visibility="private")

            def save_details(key: str | None, title_text: str, outlet_text: str, date_text: str):
                try:
                    paths = chosen_paths([key] if key else [], index)
                    if not paths:
                        raise BadRequest("Choose an article first.")
                    entry = correct(paths, title=title_text, outlet=outlet_text, date=date_text, index=index)[0]
                except BadRequest as exc:
                    return html_text(str(exc)), gr.skip(), gr.skip(), gr.skip(), gr.skip()
                rows, choices = library(index)
                return (f"Saved: **{md_text(source_label(entry.outlet, entry.title, entry.date))}** ({md_text(entry.name)}).",
                        rows, gr.update(choices=choices), gr.update(choices=choices), gr.update(choices=choices, value=key))

            save_edit.click(save_details, [to_edit, edit_title, edit_outlet, edit_date],
                            [edit_status, table, only, to_remove, to_edit], api_visibility="private")

        # -- stable endpoints for scripts (gradio_client) --

        def chat_api(question: str, history: list[str] | None = None, backend: str = "auto", k: int = 8,
                     as_of: str = "", since: str = "", until: str = "") -> dict:
            """Answer a question about the articles. Returns rag.Answer.to_dict(): text with [n]
            markers, citations (file, exact quote, character offsets), passages, abstained.
            k is 1..50, a question at most 2,000 characters, history at most 20 questions;
            as_of, since, until are dates as YYYY-MM-DD (empty: today, no range)."""
            try:
                result = next(iter(bounded(lambda: [answer(question, k=k, backend=backend, history=history or None,
                                                           index=index, as_of=_day(as_of), since=_day(since),
                                                           until=_day(until))], settings)))
            except (BadRequest, Deadline) as exc:
                raise gr.Error(_user_error(exc, settings)) from None
            return _for_api(result.to_dict())

        def briefing_api(topic: str = "", backend: str = "auto") -> dict:
            """A multi-source briefing of all articles, or of a topic (at most 2,000 characters).
            Returns rag.Briefing.to_dict() (text is the Markdown)."""
            try:
                result = next(iter(bounded(lambda: [briefing(topic or None, backend=backend, index=index)],
                                           settings)))
            except (BadRequest, Deadline) as exc:
                raise gr.Error(_user_error(exc, settings)) from None
            return _for_api(result.to_dict())

        if editable:
            def add_an_endpoint(name: str, url: str, model: str, key: str):
                try:
                    added = Endpoints(settings.data_dir).add(name, url, model, key)
                except BadRequest as exc:
                    return html_text(str(exc)), gr.skip(), gr.skip()
                names = [PREFIX + n for n in Endpoints(settings.data_dir).names()]
                return (f"Added **{md_text(added)}**: pick it as the answer backend above.",
                        gr.update(choices=available + names, value=added), "")

            add_endpoint.click(add_an_endpoint, [endpoint_name, endpoint_url, endpoint_model, endpoint_key],
                               [endpoint_status, backend, endpoint_key], api_visibility="private")

        def on_load():  # what may have changed since the server started: suggestions, added endpoints
            names = [PREFIX + n for n in Endpoints(settings.data_dir).names()]
            return gr.update(samples=[[q] for q in suggested_questions(index)]), gr.update(choices=available + names)

        demo.load(on_load, None, [suggest, backend], api_visibility="private")
        suggest.click(lambda sample: sample[0], [suggest], [question], api_visibility="private").then(
            respond, ask_inputs, ask_outputs, api_visibility="private")

        # the library as it is now, on every page load and when its tab is opened (another tab,
        # another person or `rag ingest` may have changed it since the server started)
        def refresh():
            rows, choices = library(index)
            pickers = [gr.update(choices=choices)] * (3 if editable else 1)
            return rows, *pickers

        pickers = [table, only] + ([to_remove, to_edit] if editable else [])
        demo.load(refresh, None, pickers, api_visibility="private")
        library_tab.select(refresh, None, pickers, api_visibility="private")

        gr.api(chat_api, api_name="chat")
        gr.api(briefing_api, api_name="briefing")
    return demo


def main(host: str | None = None, port: int | None = None, settings: Settings | None = None) -> None:
    settings = settings or Settings()
    index = Index(settings)  # opened once for the server, handed to every request
    report = ensure_index(index)
    note = describe(report) if report is not None else ""
    if note:
        print(note, flush=True)
    demo = build(index, note)
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
