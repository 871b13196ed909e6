"""The briefing in the web UI, as verifiable as an answer: its Markdown rendered with raw HTML
off, each section folding (the citation list folded), every [n] a link to a card in the panel
beside it that names the source (outlet, headline, date; then the file and offsets) and shows the
quote highlighted in its sentences, read from the file. No gradio here."""

from __future__ import annotations

import re
import secrets

from ..markup import html_text
from ..types import Briefing, Citation
from .render import carried_html, context_html, marker_link

_REAL_MARKER = re.compile(r"(?<!\\)\[(\d+)\]")  # article text reaches the Markdown as \[ (rag/markup.py)
_SECTION = re.compile(r"<h2>(.*?)</h2>")
FOLDED = {"Citations"}  # sections that start folded


def briefing_html(b: Briefing) -> str:
    """The document: [n] markers as links to the panel (hover shows the quote), sections folding."""
    from markdown_it import MarkdownIt

    nonce = secrets.token_hex(8)  # a marker placeholder no article text can spell
    marked = _REAL_MARKER.sub(lambda m: f"nr{nonce}c{m.group(1)}e", b.text)
    rendered = MarkdownIt("commonmark", {"html": False}).render(marked)
    by_number = {c.n: c for c in b.citations}
    rendered = re.sub(rf"nr{nonce}c(\d+)e",
                      lambda m: marker_link(int(m.group(1)), by_number.get(int(m.group(1))), "nr-bsrc"), rendered)
    return '<div class="nr-briefing">' + _folded(rendered) + "</div>"


def _folded(rendered: str) -> str:
    """Each <h2> section as an open <details> (FOLDED ones closed)."""
    pieces = _SECTION.split(rendered)
    out = [pieces[0]]
    for title, body in zip(pieces[1::2], pieces[2::2]):
        opened = "" if title in FOLDED else " open"
        out.append(f'<details class="nr-section"{opened}><summary><h2>{title}</h2></summary>{body}</details>')
    return "".join(out)


def briefing_sources_html(b: Briefing | None) -> str:
    """One card per citation: the source by outlet, headline and date, then the file and offsets,
    and the quoted words highlighted in the sentences around them."""
    if b is None:
        return '<div class="nr-note">Click a citation [n] in the briefing to see its source and exact words here.</div>'
    if not b.citations:
        return '<div class="nr-note">This briefing cites nothing.</div>'
    cards = [_card(c) for c in b.citations]
    return '<div class="nr-scroll">' + "".join(cards) + "</div>"


def _card(c: Citation) -> str:
    return (
        f'<div class="nr-card" id="nr-bsrc-{c.n}"><div class="nr-head"><span class="nr-label">[{c.n}] '
        f"{html_text(c.label)}</span><br>{html_text(c.name)}{carried_html(c)}</div>{context_html(c)}"
        f'<div class="nr-back"><a href="#" class="nr-back-link">↩ back to the text</a></div></div>'
    )
