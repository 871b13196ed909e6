"""Sentence boundaries as spans into the raw text (pysbd, rule-based, offline)."""

from __future__ import annotations

import functools
import re

from .documents import Document, Span, units


@functools.lru_cache(maxsize=1)
def _segmenter():
    import pysbd

    return pysbd.Segmenter(language="en", clean=False)


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """Sentences of text[start:end], paragraph by paragraph, as exact spans of `text`."""
    end = len(text) if end is None else end
    out: list[Span] = []
    for para in units(text[start:end]):
        out.extend(_split_paragraph(text, start + para.start, start + para.end))
    return out


# A paragraph that can only be one sentence (no sentence-ending mark but one at its very end, no
# quotation mark or closing bracket before it, after which the segmenter may also cut) is not
# handed to the segmenter: in news, headlines, datelines and one-sentence paragraphs are about
# four in ten, and the segmenter's cost is per call. Its answer on these is the same (every
# paragraph of the RealTime QA and RGB corpora, and 200,000 random ones, compared).
_FINAL_MARK = re.compile(r"(?:[.!?。．！？…]|[)\]]+)?\s*\Z")
_INNER_MARK = re.compile(r"[.!?。．！？…\r\n\"“”«»‘)\]}]|['’](?!\w)")


def _one_sentence(paragraph: str) -> bool:
    body = paragraph[: _FINAL_MARK.search(paragraph).start()]
    return not _INNER_MARK.search(body)


def _split_paragraph(text: str, start: int, end: int) -> list[Span]:
    paragraph = text[start:end]
    stripped = paragraph.strip()
    if stripped and _one_sentence(stripped):
        lead = len(paragraph) - len(paragraph.lstrip())
        return [Span(start + lead, start + lead + len(stripped))]
    return _segmented(text, start, end)


# The segmenter's time grows faster than the length of what it is given (on 4.5 MB of one
# paragraph, 19 s, most of it compiling patterns made from the text), so a paragraph longer than
# this is handed to it a window at a time, each cut after a sentence end where one is near, else at
# a space. Twice the longest paragraph in the RealTime QA and RGB corpora (10,516 characters):
# no paragraph of real news is cut.
SEGMENT_CHARS = 20_000
_WINDOW_END = re.compile(r"[.!?…][\"”’')\]]*\s+")


def _segmented(text: str, start: int, end: int) -> list[Span]:
    """The segmenter's sentences of the paragraph text[start:end], as spans of `text`."""
    if end - start <= SEGMENT_CHARS:
        return _segment_window(text, start, end)
    spans: list[Span] = []
    while end - start > SEGMENT_CHARS:
        cut = _window_cut(text, start, start + SEGMENT_CHARS)
        spans.extend(_segment_window(text, start, cut))
        start = cut
    return spans + _segment_window(text, start, end)


def _window_cut(text: str, start: int, limit: int) -> int:
    """Where a window of text[start:limit] ends: after its last sentence end in the second half,
    else after its last space there, else at `limit`."""
    half = start + (limit - start) // 2
    last = None
    for last in _WINDOW_END.finditer(text, half, limit):
        pass
    if last is not None:
        return last.end()
    space = max(text.rfind(" ", half, limit), text.rfind("\n", half, limit))
    return space + 1 if space > 0 else limit


def _segment_window(text: str, start: int, end: int) -> list[Span]:
    paragraph = text[start:end]
    spans: list[Span] = []
    cursor = 0
    for piece in _segmenter().segment(paragraph):
        piece = piece.strip()
        if not piece:
            continue
        found = paragraph.find(piece, cursor)
        if found < 0:  # the segmenter altered the text: keep the rest as one sentence
            break
        spans.append(Span(start + found, start + found + len(piece)))
        cursor = found + len(piece)
    rest = paragraph[cursor:]
    if rest.strip():
        lead = len(rest) - len(rest.lstrip())
        spans.append(Span(start + cursor + lead, start + cursor + len(rest.rstrip())))
    return spans


def document_sentences(doc: Document) -> list[list[Span]]:
    """The sentences of a document's body, block by block."""
    return [sentence_spans(doc.text, block.start, block.end) for block in doc.blocks]


_ANAPHOR = re.compile(
    r"^(?:It|Its|This|That|These|Those|They|Their|He|She|His|Her|The\s+(?:plan|statement|move|document|"
    r"proposal|visit|report|deal|agreement|meeting|trip|warrant|court|leaders?))\b"
)


def points_back(sentence: str) -> bool:
    """The sentence leans on the one before it ("It also called for ...", "He added ...", and
    inside a quotation: '"This gives us ...," she said')."""
    return bool(_ANAPHOR.match(sentence.lstrip(" \"“‘'")))
