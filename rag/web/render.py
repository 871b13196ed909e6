"""The web UI's HTML: answers with [n] links, the sources panel with quotes highlighted, the
briefing; all article text escaped (rag/markup.py), never markup. No gradio here."""

from __future__ import annotations

import re

from ..markup import html_text
from ..types import Answer

MARKER = re.compile(r"\[(\d+)\]")
CONTEXT_CHARS = 320  # passage text shown around a quote

CSS = """
.nr-scroll { max-height: 560px; overflow-y: auto; padding-right: 4px; }
.nr-card { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 10px 12px; margin: 0 0 10px 0;
           background: var(--background-fill-primary); scroll-margin-top: 12px; }
.nr-card.nr-focus { outline: 3px solid var(--color-accent); }
.nr-head { font-size: 0.9em; margin-bottom: 6px; color: var(--body-text-color-subdued); }
.nr-head b { color: var(--body-text-color); }
.nr-passage { font-size: 0.92em; line-height: 1.45; white-space: pre-wrap; }
.nr-passage mark { background: #ffe58a; color: #111; padding: 0 2px; border-radius: 2px; }
.nr-secondary { opacity: 0.65; font-size: 0.88em; }
.nr-note { font-size: 0.88em; color: var(--body-text-color-subdued); margin-bottom: 8px; }
.nr-abstained { border-left: 4px solid #d97706; padding: 6px 10px; background: rgba(217, 119, 6, 0.08); }
"""

# Clicking a [n] marker in an answer brings that source into view in the panel beside the chat.
HEAD = """
<script>
document.addEventListener("click", (event) => {
  const link = event.target.closest && event.target.closest("a[href^='#nr-src-']");
  if (!link) return;
  event.preventDefault();
  event.stopPropagation();
  const card = document.getElementById(link.getAttribute("href").slice(1));
  if (!card) return;
  document.querySelectorAll(".nr-card.nr-focus").forEach((c) => c.classList.remove("nr-focus"));
  card.classList.add("nr-focus");
  card.scrollIntoView({behavior: "smooth", block: "start"});
}, true);
</script>
"""


def answer_html(a: Answer) -> str:
    """The answer for the chat, as HTML we build: the text escaped (articles are data, never
    markup), [n] markers as links to the sources panel, abstentions in their own box."""
    if a.abstained:
        return f'<div class="nr-abstained"><b>Not in the articles.</b> {text_html(a.text)}</div>'
    text = MARKER.sub(lambda m: f'<a href="#nr-src-{m.group(1)}">[{m.group(1)}]</a>', text_html(a.text))
    return text + f"<br><sub>{html_text(a.backend)} · {a.timings.get('total', 0):.2f} s</sub>"


def text_html(text: str) -> str:
    return html_text(text).replace("\n", "<br>")


def sources_html(a: Answer | None, waiting: bool = False) -> str:
    if waiting:
        return '<div class="nr-note">Searching the articles…</div>'
    if a is None:
        return '<div class="nr-note">Sources of the latest answer appear here: the passage, with the quoted words highlighted.</div>'
    parts = [f'<div class="nr-note">{html_text(n)}</div>' for n in a.notes]
    cited_chunks = set()
    for c in a.citations:
        passage = next((p for p in a.passages if p.chunk_id == c.chunk_id and p.start <= c.start and c.end <= p.end),
                       None) or next((p for p in a.passages if p.path == c.path and p.start <= c.start and c.end <= p.end), None)
        cited_chunks.add(passage.chunk_id if passage else c.chunk_id)
        body = _highlighted(passage.text, c.start - passage.start, c.end - passage.start) if passage else f"<mark>{html_text(c.quote)}</mark>"
        meta = " · ".join(html_text(x) for x in (c.title, c.date[:10]) if x)
        parts.append(
            f'<div class="nr-card" id="nr-src-{c.n}"><div class="nr-head"><b>[{c.n}] {html_text(c.name)}</b>'
            f" · {meta} · chars {c.start}–{c.end}</div><div class=\"nr-passage\">{body}</div></div>"
        )
    others = [p for p in a.passages if p.chunk_id not in cited_chunks]
    if others:
        label = "Closest passages" if a.abstained else "Also retrieved, not cited"
        cards = "".join(
            f'<div class="nr-card nr-secondary"><div class="nr-head"><b>{html_text(p.name)}</b> · '
            f"{html_text(p.title)}</div><div class=\"nr-passage\">{html_text(_clip(p.text))}</div></div>"
            for p in others
        )
        opened = " open" if a.abstained else ""
        parts.append(f"<details{opened}><summary>{label} ({len(others)})</summary>{cards}</details>")
    return '<div class="nr-scroll">' + "".join(parts) + "</div>"


def _highlighted(text: str, start: int, end: int) -> str:
    lo, hi = max(0, start - CONTEXT_CHARS), min(len(text), end + CONTEXT_CHARS)
    return (
        ("…" if lo else "") + html_text(text[lo:start]) + "<mark>" + html_text(text[start:end]) + "</mark>"
        + html_text(text[end:hi]) + ("…" if hi < len(text) else "")
    )


def _clip(text: str, limit: int = 400) -> str:
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + "…"


def briefing_html(markdown: str) -> str:
    """The briefing's Markdown as HTML, rendered here with raw HTML switched off: article text in
    it is escaped already, and nothing in it can become an element (no HTML, no autolinks)."""
    from markdown_it import MarkdownIt

    return '<div class="nr-briefing">' + MarkdownIt("commonmark", {"html": False}).render(markdown) + "</div>"
