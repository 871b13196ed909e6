"""Document -> Chunks: token-sized (tiktoken), sentence-aligned, overlapping, with exact offsets.

A chunk is one contiguous span of the raw file: `raw[chunk.start:chunk.end] == chunk.text`.
Chunks never cross a line of site furniture (they are packed inside one body block), and a
sentence longer than a chunk is cut at word boundaries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .documents import Document, Span
from ..offline import encoding as get_encoding
from .sentences import document_sentences

_WORD_PIECE = re.compile(r"\S+\s*")
RUN_CHARS = 256


@dataclass(frozen=True)
class Chunk:
    index: int
    text: str
    start: int
    end: int
    tokens: int


def chunk_document(
    doc: Document,
    size: int = 200,
    overlap: int = 40,
    encoding: str = "cl100k_base",
    sentences: list[list[Span]] | None = None,
) -> list[Chunk]:
    """Chunks of the document's body; `sentences` (per block) when they are already known."""
    enc = get_encoding(encoding)
    sentences = document_sentences(doc) if sentences is None else sentences

    def count(span: Span) -> int:
        return count_tokens(enc, doc.text[span.start : span.end])

    chunks: list[Chunk] = []
    for block_sentences in sentences:
        pieces: list[tuple[Span, int]] = []
        for sentence in block_sentences:
            n = count(sentence)
            if n <= size:
                pieces.append((sentence, n))
            else:
                pieces.extend(_split_long(doc.text, sentence, size, count))
        for first, last in _pack([n for _, n in pieces], size, overlap):
            start, end = pieces[first][0].start, pieces[last][0].end
            text = doc.text[start:end]
            chunks.append(Chunk(len(chunks), text, start, end, count_tokens(enc, text)))
    return chunks


# tiktoken's BPE takes time quadratic in the length of one piece of text without spaces (5 MB of
# one "word": minutes); such runs are counted a slice at a time (text with none counts as before)
_LONG_RUN = re.compile(r"\S{%d,}" % (RUN_CHARS + 1))


def count_tokens(enc, text: str) -> int:
    """Tokens of `text`: exact unless it holds a run of more than RUN_CHARS characters without a
    space, which is counted RUN_CHARS characters at a time (about as many tokens)."""
    if not _LONG_RUN.search(text):
        return len(enc.encode_ordinary(text))
    total, cursor = 0, 0
    for run in _LONG_RUN.finditer(text):
        total += len(enc.encode_ordinary(text[cursor : run.start()]))
        total += sum(len(enc.encode_ordinary(text[i : i + RUN_CHARS])) for i in range(run.start(), run.end(), RUN_CHARS))
        cursor = run.end()
    return total + len(enc.encode_ordinary(text[cursor:]))


def _pack(lengths: list[int], size: int, overlap: int) -> list[tuple[int, int]]:
    """Greedy windows [first, last] over pieces: at most `size` tokens, sharing up to `overlap`."""
    windows: list[tuple[int, int]] = []
    first = 0
    while first < len(lengths):
        total, last = lengths[first], first
        while last + 1 < len(lengths) and total + lengths[last + 1] <= size:
            last += 1
            total += lengths[last]
        windows.append((first, last))
        if last + 1 >= len(lengths):
            break
        # start the next window on the trailing pieces that fit in the overlap, moving forward
        nxt, carried = last + 1, 0
        while nxt - 1 > first and carried + lengths[nxt - 1] <= overlap:
            nxt -= 1
            carried += lengths[nxt]
        first = nxt
    return windows


def _split_long(text: str, sentence: Span, size: int, count) -> list[tuple[Span, int]]:
    """Cut an over-long sentence into word-aligned spans of at most about `size` tokens."""
    words: list[tuple[Span, int]] = []
    for m in _WORD_PIECE.finditer(text, sentence.start, sentence.end):
        word = Span(m.start(), m.start() + len(m.group().rstrip()))
        parts = [word]
        if word.end - word.start > 4 * RUN_CHARS:  # a "word" far longer than a chunk: cut by characters first
            parts = [Span(at, min(word.end, at + 2 * RUN_CHARS)) for at in range(word.start, word.end, 2 * RUN_CHARS)]
        for part in parts:
            words.extend(_halve(part, size, count))
    out: list[tuple[Span, int]] = []
    for first, last in _pack([n for _, n in words], size, 0):
        piece = Span(words[first][0].start, words[last][0].end)
        out.append((piece, sum(n for _, n in words[first : last + 1])))
    return out


def _halve(span: Span, size: int, count) -> list[tuple[Span, int]]:
    """A single "word" longer than a chunk (a URL, a blob) is cut by characters."""
    n = count(span)
    if n <= size or span.end - span.start < 2:
        return [(span, n)]
    mid = (span.start + span.end) // 2
    return _halve(Span(span.start, mid), size, count) + _halve(Span(mid, span.end), size, count)
