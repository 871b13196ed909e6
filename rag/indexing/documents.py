"""Turn the text of one article into a Document: title, byline, date, outlet and the spans of its body.

Nothing is rewritten: the body is a list of spans into the raw text, so that every later offset
(chunks, quotes, citations) still points into the file as it is on disk.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import boilerplate
from .publisher import byline_outlet, copyright_outlet, dateline_outlet, metadata_outlet

_BYLINE = re.compile(
    r"^(?:by|written\s+by|words\s+by|reporting\s+by|story\s+by)\s+(?P<who>[^\W\d_][\w.'’ -]*(?:(?:,|\s+and|\s*&|\s*\|)\s*[\w.'’ -]+)*)$",
    re.IGNORECASE,
)
_DATELINE = re.compile(
    r"^(?:published|publish|posted|updated|last\s+updated|first\s+published|date|dated)\b\s*(?:on|at)?\s*[:\-–—]?\s*(?P<when>.+)$",
    re.IGNORECASE,
)
_BARE_DATE = re.compile(
    r"^(?:\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2})?)?|"
    r"(?:mon|tue|wed|thu|fri|sat|sun)?[a-z]*,?\s*(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2},?\s+\d{4}.*|"
    r"\d{1,2}\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{4}.*)$",
    re.IGNORECASE,
)
_MARKDOWN_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")
_MAX_META_CHARS = 300  # a dateline or a "Source:" line is short: longer units are not matched against them


@dataclass(frozen=True)
class Span:
    start: int
    end: int


@dataclass(frozen=True)
class Removed:
    start: int
    end: int
    reason: str


@dataclass(frozen=True)
class Document:
    text: str  # the raw text (see reading.py); all spans index into it
    title: str
    byline: str = ""
    date: str = ""  # ISO 8601 when known
    outlet: str = ""  # who published it, as the text says (rag/indexing/publisher.py)
    blocks: tuple[Span, ...] = ()  # runs of article text, with no furniture inside
    removed: tuple[Removed, ...] = field(default=(), repr=False)  # furniture and metadata lines

    def body_text(self) -> str:
        return "\n\n".join(self.text[b.start : b.end] for b in self.blocks)


def units(text: str) -> list[Span]:
    """Paragraph units: each non-blank line, with hard-wrapped lines joined to their paragraph."""
    lines: list[Span] = []
    pos = 0
    for line in text.split("\n"):
        start, end = pos, pos + len(line)
        pos = end + 1
        stripped = line.strip()
        if not stripped:
            lines.append(Span(start, start))  # blank marker
            continue
        lead = len(line) - len(line.lstrip())
        lines.append(Span(start + lead, start + lead + len(stripped)))
    out: list[Span] = []
    previous_wrapped = False
    for span in lines:
        if span.start == span.end:
            previous_wrapped = False
            continue
        line = text[span.start : span.end]
        if previous_wrapped and out:
            out[-1] = Span(out[-1].start, span.end)
        else:
            out.append(span)
        previous_wrapped = len(line) >= 50 and not line.endswith(boilerplate.TERMINAL)
    return out


def parse(text: str, fallback_title: str = "") -> Document:
    spans = units(text)
    role: dict[int, str] = {}  # index -> reason the unit is not body text
    title = byline = date = stated_outlet = ""

    for i, span in enumerate(spans):
        unit = text[span.start : span.end].strip()
        short = len(unit) <= _MAX_META_CHARS and len(boilerplate.words(unit)) <= 12  # a metadata line's length
        if not stated_outlet and short and (found := metadata_outlet(unit)):
            stated_outlet = found  # "Source: Reuters" (the HTML reader writes a page's site name so)
            role[i] = "outlet"
            continue
        # The dateline first: "Published: 2015/11/01" reads like a comment form's words to the cleaner
        if not date and short and (iso := _parse_dateline(unit)):
            date = iso
            role[i] = "dateline"
        elif reason := boilerplate.furniture_reason(unit):
            role[i] = reason

    first = next((i for i in range(len(spans)) if i not in role), None)
    if first is not None:
        candidate = _MARKDOWN_HEADING.sub("", text[spans[first].start : spans[first].end]).strip()
        # A headline: the first unit, short, not ending like a sentence, with more text after it
        # (one a feed cut short, "Crew-6 returns to Earth after nearly ...", is still a headline).
        cut_short = candidate.endswith(("...", "…"))
        if len(spans) > first + 1 and len(boilerplate.words(candidate)) <= 30 and (cut_short or not candidate.endswith(".")):
            title = candidate
            role[first] = "title"

    for i, span in enumerate(spans):
        if i in role:
            continue
        unit = text[span.start : span.end].strip()
        if len(boilerplate.words(unit)) > 12:
            continue
        if not byline and (m := _BYLINE.match(unit)):
            byline = m.group("who").strip(" ,|")
            role[i] = "byline"

    prose = [i for i in range(len(spans)) if i not in role and boilerplate.is_sentence_like(text[spans[i].start : spans[i].end])]
    if prose:
        for i in range(prose[-1] + 1, len(spans)):
            if i not in role and (reason := boilerplate.trailing_reason(text[spans[i].start : spans[i].end])):
                role[i] = reason

    blocks: list[Span] = []
    open_block: Span | None = None
    for i, span in enumerate(spans):
        if i in role:
            if open_block:
                blocks.append(open_block)
            open_block = None
        elif open_block is None:
            open_block = span
        else:
            open_block = Span(open_block.start, span.end)
    if open_block:
        blocks.append(open_block)

    removed = tuple(Removed(spans[i].start, spans[i].end, reason) for i, reason in sorted(role.items()))
    opening = [text[spans[i].start : spans[i].end] for i in range(len(spans)) if i not in role][:4]  # body paragraphs
    outlet = (stated_outlet or next(filter(None, map(dateline_outlet, opening)), "") or byline_outlet(byline)
              or next(filter(None, (copyright_outlet(text[r.start : r.end]) for r in removed)), ""))
    return Document(
        text=text,
        title=title or fallback_title,
        byline=byline,
        date=date,
        outlet=outlet,
        blocks=tuple(blocks),
        removed=removed,
    )


def _parse_dateline(unit: str) -> str:
    m = _DATELINE.match(unit)
    candidate = m.group("when") if m else unit if _BARE_DATE.match(unit) else ""
    if not candidate:
        return ""
    from dateutil import parser as dateparser

    try:
        when = dateparser.parse(candidate, fuzzy=True)
    except (ValueError, OverflowError):
        return ""
    if when is None or not re.search(r"\d{4}", candidate):
        return ""
    return when.isoformat()
