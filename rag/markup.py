"""Article text shown in HTML, Markdown or a terminal: always as the characters of the file,
never as markup, links, images, scripts or terminal control sequences.

- `html_text`: for HTML we build (the web UI). Every `<`, `>`, `&` and quote becomes an entity.
- `md_text`: for Markdown documents (briefings, exports) that any viewer may render, with or
  without raw HTML: `<`, `>` and `&` become entities (text in every Markdown and HTML viewer),
  and the characters Markdown reads as syntax are backslash-escaped (CommonMark shows them
  as themselves, with no backslash).
- `terminal_text`: for the CLI. Control characters (ESC sequences could recolour, retitle or
  clear the user's terminal, or plant a link) are shown as visible symbols.
"""

from __future__ import annotations

import html
import re

# Markdown syntax: emphasis, code, links and images, headings, tables, strikethrough, math,
# hard breaks and backslash escapes themselves.
_MD_SYNTAX = re.compile(r"([\\`*_{}\[\]()#+!|~$])")
_LINE_START = re.compile(r"(?m)^(\s*)(?:([-=])|(\d+)\.)")  # list items, setext underlines, numbered lists
_CONTROL = {c: 0x2400 + c for c in range(0x20) if c not in (0x09, 0x0A)} | {0x7F: 0x2421} | {
    c: 0xFFFD for c in range(0x80, 0xA0)
}


def html_text(text: str) -> str:
    return html.escape(text, quote=True)


def md_text(text: str) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_SYNTAX.sub(r"\\\1", text)
    return _LINE_START.sub(lambda m: m.group(1) + (f"\\{m.group(2)}" if m.group(2) else f"{m.group(3)}\\."), text)


def terminal_text(text: str) -> str:
    return text.translate(_CONTROL)
