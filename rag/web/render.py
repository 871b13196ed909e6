"""The web UI's HTML: answers with [n] links, the sources panel with quotes highlighted, the
briefing; all article text escaped (rag/markup.py), never markup. No gradio here."""

from __future__ import annotations

import re

from typing import Sequence

from ..answering.followup import READ_AS
from ..export import answer_text
from ..markup import html_text
from ..types import Answer, Citation, Passage, source_label

MARKER = re.compile(r"\[(\d+)\]")
CONTEXT_CHARS = 320  # passage text shown around a quote

CSS = """
.nr-scroll { max-height: 560px; overflow-y: auto; padding-right: 4px; }
.nr-card { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 10px 12px; margin: 0 0 10px 0;
           background: var(--background-fill-primary); scroll-margin-top: 12px; }
.nr-card.nr-focus, mark.nr-focus { outline: 3px solid var(--color-accent); }
.nr-head { font-size: 0.9em; margin-bottom: 6px; color: var(--body-text-color); }
.nr-head .nr-label { font-weight: 600; }
.nr-passage { font-size: 0.92em; line-height: 1.45; white-space: pre-wrap; margin-bottom: 6px; }
.nr-passage mark { background: #ffe58a; color: #111; padding: 0 2px; border-radius: 2px; scroll-margin-top: 40px; }
.nr-secondary { opacity: 0.8; font-size: 0.88em; }
.nr-note { font-size: 0.88em; color: var(--body-text-color); margin-bottom: 8px; }
.nr-hedged { border-left: 4px solid #ca8a04; padding: 6px 10px; }
.nr-abstained { border-left: 4px solid #d97706; padding: 6px 10px; background: rgba(217, 119, 6, 0.08); }
.nr-back { font-size: 0.85em; text-align: right; }
.nr-read-as { font-size: 0.85em; font-style: italic; color: var(--body-text-color-subdued); margin-top: 4px; }
.nr-copy-text { display: none; }
.nr-banner { border: 1px solid var(--color-accent); border-left: 6px solid var(--color-accent); border-radius: 6px;
             padding: 10px 14px; margin: 4px 0 10px 0; background: var(--background-fill-secondary); }
.nr-working { color: var(--body-text-color-subdued); font-style: italic; }
.nr-where { font-size: 0.8em; color: var(--body-text-color-subdued); margin-bottom: 8px; }
.nr-briefing details.nr-section > summary { cursor: pointer; list-style: revert; }
.nr-briefing details.nr-section > summary h2 { display: inline; }
.nr-sticky { position: sticky; top: 8px; align-self: flex-start; }
"""

# Clicking a [n] marker brings its quote into view in the panel beside the text (the chat's or the
# briefing's); "back" returns to the marker (on a phone the panel is below the text). A new answer
# starts its panel at the top.
HEAD = """
<script>
(() => {
  let last = null;
  document.addEventListener("click", (event) => {
    const copy = event.target.closest && event.target.closest("a.nr-copy");
    if (copy) {  // the answer as clean text with its numbered sources, not the chat's HTML
      event.preventDefault();
      event.stopPropagation();
      const text = copy.closest(".nr-answer").querySelector(".nr-copy-text").textContent;
      navigator.clipboard.writeText(text).then(() => { copy.textContent = "Copied"; });
      return;
    }
    const back = event.target.closest && event.target.closest("a.nr-back-link");
    if (back) {
      event.preventDefault();
      if (last && last.isConnected) last.scrollIntoView({behavior: "smooth", block: "center"});
      return;
    }
    const link = event.target.closest && event.target.closest("a[href^='#nr-src-'], a[href^='#nr-bsrc-']");
    if (!link) return;
    event.preventDefault();
    event.stopPropagation();
    const target = document.getElementById(link.getAttribute("href").slice(1));
    if (!target) return;
    last = link;
    document.querySelectorAll(".nr-focus").forEach((c) => c.classList.remove("nr-focus"));
    target.classList.add("nr-focus");
    target.scrollIntoView({behavior: "smooth", block: window.innerWidth < 700 ? "start" : "nearest"});
  }, true);
  new MutationObserver((changes) => {
    for (const change of changes) for (const node of change.addedNodes) {
      const panel = node.querySelector ? (node.matches(".nr-scroll") ? node : node.querySelector(".nr-scroll")) : null;
      if (panel) panel.scrollTop = 0;
    }
  }).observe(document.documentElement, {childList: true, subtree: true});
})();
</script>
"""


def answer_html(a: Answer) -> str:
    """The answer for the chat, as HTML we build: the text escaped (articles are data, never
    markup), [n] markers as links to the sources panel (hover shows the quote), abstentions in
    their own box."""
    read_as = "".join(f'<div class="nr-read-as">{html_text(n)}</div>' for n in a.notes if n.startswith(READ_AS))
    if a.abstained:
        return f'<div class="nr-abstained"><b>Not in the articles.</b> {text_html(a.text)}</div>{read_as}'
    by_number = {c.n: c for c in a.citations}
    text = MARKER.sub(lambda m: marker_link(int(m.group(1)), by_number.get(int(m.group(1))), "nr-src"), text_html(a.text))
    # the chat's sanitizer keeps classes, not data attributes: the text to copy rides in a hidden span
    copy = '<a href="#" class="nr-copy">Copy</a>'
    box = "nr-answer nr-hedged" if a.status == "hedged" else "nr-answer"
    return (f'<div class="{box}">{text}{read_as}<br><sub>{html_text(a.backend)} · {a.timings.get("total", 0):.2f} s'
            f' · {copy}</sub><span class="nr-copy-text">{html_text(answer_text(a))}</span></div>')


def marker_link(n: int, c: Citation | None, prefix: str) -> str:
    """[n] as a link to its card in a panel; the title attribute previews the quote on hover."""
    preview = f' title="{html_text(_clip(c.quote, 300))}"' if c else ""
    return f'<a href="#{prefix}-{n}" class="nr-marker"{preview}>[{n}]</a>'


def text_html(text: str) -> str:
    return html_text(text).replace("\n", "<br>")


def sources_html(a: Answer | None, waiting: bool = False) -> str:
    """The latest answer's sources: one card per article (outlet, headline, date; then the file),
    each quote it gives highlighted in its sentences; then what was retrieved and not cited."""
    if waiting:
        return '<div class="nr-note">Searching the articles…</div>'
    if a is None:
        return '<div class="nr-note">Sources of the latest answer appear here: the passage, with the quoted words highlighted.</div>'
    parts = [f'<div class="nr-note">{html_text(n)}</div>' for n in a.notes]
    by_article: dict[str, list[Citation]] = {}
    for c in a.citations:
        by_article.setdefault(c.path or c.source, []).append(c)
    for cited in by_article.values():
        first = cited[0]
        numbers = "".join(f"[{c.n}]" for c in cited)
        parts.append(
            f'<div class="nr-card"><div class="nr-head"><span class="nr-label">{numbers} {html_text(source_label(first.outlet, first.title, first.date))}'
            f"</span><br>{_where(first)}{carried_html(first)}</div>{quotes_html(cited, a.passages)}"
            f'<div class="nr-back"><a href="#" class="nr-back-link">↩ back to the answer</a></div></div>'
        )
    cited_chunks = {c.chunk_id for c in a.citations}
    others = [p for p in a.passages if p.chunk_id not in cited_chunks]
    if others:
        label = "Closest passages" if a.abstained else "Also retrieved, not cited"
        cards = "".join(
            f'<div class="nr-card nr-secondary"><div class="nr-head"><span class="nr-label">{html_text(p.label)}</span>'
            f"<br>{html_text(p.name)}</div><div class=\"nr-passage\">{html_text(_clip(p.text))}</div></div>"
            for p in others
        )
        opened = " open" if a.abstained else ""
        parts.append(f"<details{opened}><summary>{label} ({len(others)})</summary>{cards}</details>")
    return '<div class="nr-scroll">' + "".join(parts) + "</div>"


def carried_html(c: Citation) -> str:
    """The other articles carrying the same wire story, under a source's name."""
    return f'<br><span class="nr-also">{html_text(c.carried)}</span>' if c.also else ""


def _where(c: Citation) -> str:
    """The file's name, or the page's address as a link for a fetched page (the user's own URL)."""
    if re.match(r"^https?://", c.source, re.IGNORECASE):
        return f'<a href="{html_text(c.source)}" target="_blank" rel="noopener noreferrer nofollow">{html_text(c.source)}</a>'
    return html_text(c.name)


def quotes_html(cited: Sequence[Citation], passages: Sequence[Passage] = ()) -> str:
    """An article's quotes, each highlighted (its <mark> carries the id [n] links to) in the
    sentences around it; quotes whose windows overlap share one excerpt. The text is the file's
    (the quote checked at its offsets), else the retrieved passage's."""
    if not cited:
        return ""
    text, offset = _source_text(cited[0], passages)
    if text is None:
        return "".join(f'<div class="nr-passage"><mark id="nr-src-{c.n}">{html_text(c.quote)}</mark></div>'
                       f'<div class="nr-where">[{c.n}] chars {c.start}–{c.end}</div>' for c in cited)
    windows: list[list] = []  # [lo, hi, citations]
    for c in sorted(cited, key=lambda c: c.start):
        lo, hi = _window(text, c.start - offset, c.end - offset)
        if windows and lo <= windows[-1][1]:
            windows[-1][1] = max(windows[-1][1], hi)
            windows[-1][2].append(c)
        else:
            windows.append([lo, hi, [c]])
    out = []
    for lo, hi, group in windows:
        pieces, at = ["…" if lo > 0 and text[lo - 1] != "\n" else ""], lo
        for c in group:
            s, e = c.start - offset, c.end - offset
            if s < at:  # overlaps the quote before it: mark the rest
                s = at
            pieces.append(html_text(text[at:s]) + f'<mark id="nr-src-{c.n}">{html_text(text[s:e])}</mark>')
            at = max(at, e)
        pieces.append(html_text(text[at:hi]) + ("…" if hi < len(text) and text[hi] != "\n" else ""))
        where = " · ".join(f"[{c.n}] " + (f"p. {c.page}, " if c.page else "") + f"chars {c.start}–{c.end}" for c in group)
        out.append(f'<div class="nr-passage">{"".join(pieces)}</div><div class="nr-where">{where}</div>')
    return "".join(out)


def context_html(c: Citation) -> str:
    """One quote highlighted in the sentences around it, read from its file."""
    return quotes_html([c]).replace(f'id="nr-src-{c.n}"', "")


def _source_text(c: Citation, passages: Sequence[Passage]) -> tuple[str | None, int]:
    """(text, where it starts in the file) to show a citation in: the file when it still holds the
    quote at its offsets, else the passage that holds it."""
    try:
        with open(c.path, encoding=c.encoding, newline="") as f:
            text = f.read()
        if text[c.start:c.end] == c.quote:
            return text, 0
    except (OSError, ValueError):
        pass
    p = next((p for p in passages if p.path == c.path and p.start <= c.start and c.end <= p.end), None)
    return (p.text, p.start) if p else (None, 0)


_BOUNDARY = re.compile(r"(?<=[.!?…])[\"”’)\]]*\s+|\n\s*")


def _window(text: str, start: int, end: int, chars: int = CONTEXT_CHARS) -> tuple[int, int]:
    """[lo, hi) around text[start:end]: about `chars` each side within the quote's paragraph (a
    headline, byline or caption next to it is not its context), cut at sentence boundaries (else
    at a space), never inside the quote."""
    para_lo = max(text.rfind("\n\n", 0, start) + 2, 0) if text.rfind("\n\n", 0, start) >= 0 else 0
    para_hi = text.find("\n\n", end)
    para_hi = len(text) if para_hi < 0 else para_hi
    lo, hi = max(para_lo, start - chars), min(para_hi, end + chars)
    if lo > para_lo:
        m = next(_BOUNDARY.finditer(text, lo, start), None)
        lo = m.end() if m else (text.find(" ", lo, start) + 1 or lo)
    if hi < para_hi:
        ends = list(_BOUNDARY.finditer(text, end, hi))
        hi = ends[-1].start() if ends else (text.rfind(" ", end, hi) if text.rfind(" ", end, hi) > end else hi)
    return min(lo, start), max(hi, end)


def _clip(text: str, limit: int = 400) -> str:
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + "…"
