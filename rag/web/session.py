"""The Ask tab's memory, for the web app's events: the conversation a browser had open comes back
on reload; its past conversations are listed, reopened and deleted; answers can be kept; a
conversation or the kept answers export as Markdown and HTML files. Stored server-side
(rag/web/conversations.py); the browser keeps only its random id."""

from __future__ import annotations

import re
import tempfile
from datetime import datetime
from pathlib import Path

from ..export import conversation_markdown, html_document
from ..types import Answer
from .conversations import Conversations, new_id
from .render import answer_html, sources_html, text_html


def store(data_dir: Path, browser: str) -> Conversations | None:
    try:
        return Conversations(data_dir, browser)
    except ValueError:
        return None


def history(answers: list[Answer]) -> list[dict]:
    """The chat's messages for a list of answers."""
    out: list[dict] = []
    for a in answers:
        out += [{"role": "user", "content": text_html(a.question)}, {"role": "assistant", "content": answer_html(a)}]
    return out


def choices(kept: Conversations | None) -> list[tuple[str, str]]:
    """The past conversations as (label, id), newest first."""
    if kept is None:
        return []
    return [(f"{datetime.fromtimestamp(c.updated):%Y-%m-%d %H:%M} · {_clip(c.title)} ({c.answers})", c.id)
            for c in kept.list()]


def exports(answers: list[Answer], title: str) -> tuple[str | None, str | None]:
    """(Markdown file, HTML file) of these answers, written for download; (None, None) for none."""
    if not answers:
        return None, None
    folder = Path(tempfile.mkdtemp(prefix="newsrag-export-"))
    stem = re.sub(r"[^A-Za-z0-9]+", "-", answers[0].question).strip("-").lower()[:40] or "conversation"
    markdown = conversation_markdown(answers, title)
    md, page = folder / f"{stem}.md", folder / f"{stem}.html"
    md.write_text(markdown, encoding="utf-8")
    page.write_text(html_document(markdown, title), encoding="utf-8")
    return str(md), str(page)


def opened(answers: list[Answer]) -> tuple[list[dict], list[str], str]:
    """What the Ask tab shows for a conversation: messages, its questions (for follow-ups), the
    sources panel of its last answer."""
    return history(answers), [a.question for a in answers], sources_html(answers[-1] if answers else None)


def restore(data_dir: Path, browser: str) -> tuple[str, str, list[Answer]]:
    """On page load: (this browser's id, a new one if it has none; the conversation it had open
    last, "" for none; its answers)."""
    kept = store(data_dir, browser)
    if kept is None:
        return new_id(), "", []
    latest = next(iter(kept.list()), None)
    return browser, (latest.id if latest else ""), (kept.load(latest.id) if latest else [])


def _clip(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + "…"
