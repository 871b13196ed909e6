"""The Ask tab: the chat (streamed, cited answers; the sources panel beside it), suggested
questions, the conversation kept per browser (reload, reopen, delete, keep, export), and the
settings: backend (with endpoints a user adds), passages, articles, dates."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable

import gradio as gr

from ..answering.pipeline import answer
from ..answering.suggest import MAX_SUGGESTIONS, suggested_questions
from ..config import Settings
from ..index.opened import Index
from ..limits import MAX_QUESTION_CHARS, BadRequest
from ..markup import html_text, md_text
from ..types import Answer
from . import session
from .conversations import new_id
from .endpoints import PREFIX, Endpoints
from .render import answer_html, sources_html, text_html
from .requests import bounded, chosen_paths, day, library, user_error

TITLE = "Questions to the articles"  # of an exported conversation


@dataclass(frozen=True)
class AskTab:
    backend: gr.Radio  # the briefing is written by the backend chosen here
    only: gr.Dropdown  # the article filter, which the library keeps in step
    through: Callable[[str], tuple[str, Index]]  # a backend choice -> (backend, index to use)


def ask_tab(demo: gr.Blocks, index: Index, settings: Settings, available: list[str], default_backend: str) -> AskTab:
    editable = not settings.ui_read_only
    _, choices = library(index)
    questions = gr.State([])  # this session's questions, for follow-ups (nothing shared between sessions)
    # this browser's random id (its conversations are kept server-side under RAG_DATA_DIR), the
    # conversation open in this tab and its answers
    browser = gr.BrowserState("", storage_key="newsrag-browser")
    conversation = gr.State("")
    answers = gr.State([])
    with gr.Row(equal_height=False):
        with gr.Column(scale=3):
            # messages are HTML built here (render_markdown=False): article text is escaped, never markup
            # (each answer carries its own Copy link: clean text with its numbered sources)
            chat = gr.Chatbot(elem_id="nr-chat", height=520, buttons=[], label="Answers", show_label=False,
                              feedback_options=None, latex_delimiters=[], render_markdown=False)
            question = gr.Textbox(placeholder="Ask about the articles, e.g. What did Kirby say?", show_label=False,
                                  elem_id="nr-question", submit_btn=True, max_length=MAX_QUESTION_CHARS)
            # questions the articles can answer (who is quoted most, the outlets cited), read at page load
            suggest = gr.Dataset(components=[question], samples=[], label="Suggested questions", elem_id="nr-suggest",
                                 samples_per_page=MAX_SUGGESTIONS)
            with gr.Row():
                clear = gr.Button("New conversation", size="sm", variant="secondary", elem_id="nr-new")
                keep = gr.Button("Keep the last answer", size="sm", variant="secondary", elem_id="nr-keep")
                export_md = gr.DownloadButton("Export .md", size="sm", visible=False, elem_id="nr-export-md")
                export_html = gr.DownloadButton("Export .html", size="sm", visible=False, elem_id="nr-export-html")
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
        backend = gr.Radio(available + [PREFIX + n for n in Endpoints(settings.data_dir).names()],
                           value=default_backend, label="Answer backend", elem_id="nr-backend",
                           info="Only backends configured here are offered; no API key is ever shown.")
        if editable:
            _endpoint_form(settings, available, backend)
        k = gr.Slider(1, 20, value=min(settings.top_k, 20), step=1, label="Passages to answer from")
        only = gr.Dropdown(choices, multiselect=True, label="Only these articles", info="Leave empty to search all.")
        with gr.Row():
            as_of = gr.Textbox(label="As of", placeholder="YYYY-MM-DD (none: ranked without dates)", elem_id="nr-as-of",
                               info="'This week' or 'on Monday' in a question count from this date.")
            since = gr.Textbox(label="Published since", placeholder="YYYY-MM-DD", elem_id="nr-since")
            until = gr.Textbox(label="Published until", placeholder="YYYY-MM-DD", elem_id="nr-until")

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
                                            index=answering, history=asked, as_of=day(as_of_text),
                                            since=day(since_text), until=day(until_text)), settings)
            for event in events:
                if isinstance(event, Answer):
                    final = event
                else:
                    shown += event
                    history[-1] = {"role": "assistant", "content": text_html(shown) + " ▌"}
                    yield history, asked, gr.skip(), "", *unchanged
        except Exception as exc:  # a message, never a traceback in the chat
            history[-1] = {"role": "assistant", "content": html_text(user_error(exc, settings))}
            yield history, asked, sources_html(None), "", *unchanged
            return
        if writer != backend_name and final.backend == writer:  # say which endpoint answered
            final = replace(final, backend=backend_name)
        history[-1] = {"role": "assistant", "content": answer_html(final)}
        open_id, so_far = open_id or new_id(), so_far + [final]
        kept = session.store(settings.data_dir, browser_id)
        if kept is not None:
            kept.save(open_id, so_far)
        md, page = session.exports(so_far, TITLE)
        yield (history, asked + [message], sources_html(final), "", open_id, so_far,
               gr.update(choices=session.choices(kept)), gr.update(value=md, visible=True),
               gr.update(value=page, visible=True))

    ask_inputs = [question, chat, questions, backend, k, only, as_of, since, until, browser, conversation, answers]
    ask_outputs = [chat, questions, sources, question, conversation, answers, past, export_md, export_html]
    question.submit(respond, ask_inputs, ask_outputs, api_visibility="private")
    suggest.click(lambda sample: sample[0], [suggest], [question], api_visibility="private").then(
        respond, ask_inputs, ask_outputs, api_visibility="private")
    hidden = gr.update(value=None, visible=False)
    clear.click(lambda: ([], [], sources_html(None), "", [], hidden, hidden), None,
                [chat, questions, sources, conversation, answers, export_md, export_html], api_visibility="private")

    def show(browser_id: str, open_id: str, its_answers: list):
        """A conversation in the tab (and the list of this browser's conversations)."""
        messages, asked, panel = session.opened(its_answers)
        md, page = session.exports(its_answers, TITLE)
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
        return f"Kept. {count} answer{'s' if count != 1 else ''} kept on this browser.", gr.update(value=md, visible=True)

    keep.click(keep_last, [browser, answers], [keep_status, export_kept], api_visibility="private")

    def on_load():  # what may have changed since the server started: suggestions, added endpoints
        names = [PREFIX + n for n in Endpoints(settings.data_dir).names()]
        return gr.update(samples=[[q] for q in suggested_questions(index)]), gr.update(choices=available + names)

    demo.load(on_load, None, [suggest, backend], api_visibility="private")
    return AskTab(backend, only, through)


def _endpoint_form(settings: Settings, available: list[str], backend: gr.Radio) -> None:
    """Add an OpenAI-compatible endpoint: kept server-side; the page gets its name only."""
    with gr.Accordion("Add an OpenAI-compatible endpoint (OpenAI, Ollama, vLLM, llama.cpp)", open=False,
                      elem_id="nr-endpoint-panel"):
        with gr.Row():
            name = gr.Textbox(label="Name", placeholder="e.g. newsroom-llm", elem_id="nr-endpoint-name")
            url = gr.Textbox(label="Base URL", placeholder="http://127.0.0.1:8080/v1", elem_id="nr-endpoint-url")
            model = gr.Textbox(label="Model", placeholder="e.g. gpt-4o-mini", elem_id="nr-endpoint-model")
            key = gr.Textbox(label="API key (kept on the server, never shown)", type="password",
                             elem_id="nr-endpoint-key")
        add = gr.Button("Add endpoint", size="sm", elem_id="nr-endpoint-add")
        status = gr.Markdown(elem_id="nr-endpoint-status")

    def add_an_endpoint(name_text: str, url_text: str, model_text: str, key_text: str):
        endpoints = Endpoints(settings.data_dir)
        try:
            added = endpoints.add(name_text, url_text, model_text, key_text)
        except BadRequest as exc:
            return html_text(str(exc)), gr.skip(), gr.skip()
        names = [PREFIX + n for n in endpoints.names()]
        return (f"Added **{md_text(added)}**: pick it as the answer backend above.",
                gr.update(choices=available + names, value=added), "")

    add.click(add_an_endpoint, [name, url, model, key], [status, backend, key], api_visibility="private")
