"""Answers, conversations and briefings as documents to keep or send on: Markdown with numbered
footnotes (each names the source by outlet, headline and date, and gives the exact quote, file
and offsets), and one self-contained HTML file (no scripts, nothing fetched).

    from rag.export import answer_markdown, conversation_markdown, html_document

Article text is data here too: it is escaped for Markdown (rag/markup.py), and the HTML is
rendered from that Markdown with raw HTML switched off.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Sequence

from .markup import md_text
from .types import Answer, Citation

_MARKER = re.compile(r"\[(\d+)\]")


def answer_markdown(a: Answer, *, first_note: int = 1, heading: bool = True) -> str:
    """One answer: the question as a heading, the text with [n] as footnote references [^k]
    (numbered from `first_note`), and the footnotes."""
    lines = [f"## {md_text(a.question)}", ""] if heading else []
    if a.abstained:
        return "\n".join(lines + [f"*Not in the articles.* {md_text(a.text)}", ""])
    number = {c.n: first_note + i for i, c in enumerate(a.citations)}
    pieces = _MARKER.split(a.text)  # text, n, text, n, ...
    body = "".join(md_text(p) if i % 2 == 0 else (f"[^{number[int(p)]}]" if int(p) in number else md_text(f"[{p}]"))
                   for i, p in enumerate(pieces))
    lines += [body, ""]
    lines += [footnote(number[c.n], c) for c in a.citations]
    return "\n".join(lines).rstrip() + "\n"


def footnote(k: int, c: Citation) -> str:
    carried = f"; {md_text(c.carried)}" if c.also else ""
    return f"[^{k}]: {md_text(c.label)}: “{md_text(c.quote)}” ({md_text(c.name)}, characters {c.start}-{c.end}{carried})"


def conversation_markdown(answers: Sequence[Answer], title: str = "Questions to the articles") -> str:
    """A conversation: each question and its answer, footnotes numbered through the document."""
    parts = [f"# {md_text(title)}", "", f"*Exported from newsrag on {datetime.now():%Y-%m-%d %H:%M}; every quote is "
             "word for word from the file and place its footnote gives.*", ""]
    note = 1
    for a in answers:
        parts.append(answer_markdown(a, first_note=note))
        note += 0 if a.abstained else len(a.citations)
    return "\n".join(parts).rstrip() + "\n"


def answer_text(a: Answer) -> str:
    """An answer as plain text to paste anywhere: the text with [n], then "Sources:" numbered the
    same way (what the UI's copy button gives)."""
    if a.abstained:
        return a.text.strip() + "\n"
    sources = [f"[{c.n}] {c.label}: “{c.quote}” ({c.name}, characters {c.start}-{c.end}{'; ' + c.carried if c.also else ''})"
               for c in a.citations]
    return a.text.strip() + "\n\nSources:\n" + "\n".join(sources) + "\n"


_STYLE = """
body { font: 16px/1.55 system-ui, sans-serif; max-width: 46rem; margin: 2rem auto; padding: 0 1rem; color: #111; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.2rem; margin-top: 2rem; }
.footnotes, .footnote-ref { font-size: 0.9em; } blockquote { color: #444; }
"""


def html_document(markdown: str, title: str) -> str:
    """A self-contained HTML file of a Markdown document (no scripts, no links out, no fonts to
    fetch): raw HTML in the Markdown is shown as text, never run."""
    from markdown_it import MarkdownIt
    from mdit_py_plugins.footnote import footnote_plugin

    body = MarkdownIt("commonmark", {"html": False, "linkify": False}).use(footnote_plugin).render(markdown)
    safe_title = md_text(title).replace("\\", "")
    return (f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{safe_title}</title><style>{_STYLE}</style></head><body>\n{body}</body></html>\n")
