"""Model output that must not be shown as the model's: a loop (the same sentence or run of words
over and over), or text that cites nothing. Small models fall into both; the caller then shows
the extractive answer or briefing, with a note saying why."""

from __future__ import annotations

import re

from ..index.lexical import tokenize
from ..prompts import render
from .generate import BackendError

_SENTENCE = re.compile(r"(?<=[.!?\]])\s+")
_MARKER = re.compile(r"\[\d+\]")
RUN = 8  # words: a run this long written three times is a loop
SAME = 0.8  # word overlap at which two sentences are the same sentence


class DegenerateOutput(BackendError):
    """The model answered, but with text that cannot be shown as its own (a loop, no citations)."""


def fallback_note(exc: BackendError, what: str = "answer") -> str:
    """What the user is told when the extractive `what` ("answer", "briefing") is shown instead."""
    if isinstance(exc, DegenerateOutput):
        return render("degenerate_note", reason=str(exc), what=what)
    return render("fallback_note", reason=str(exc))


def degenerate(text: str, *, needs_citations: bool = True) -> str | None:
    """Why the text cannot be shown as written by the model, or None when it can."""
    words = text.lower().split()
    runs: dict[tuple[str, ...], int] = {}
    for i in range(len(words) - RUN + 1):
        run = tuple(words[i : i + RUN])
        runs[run] = runs.get(run, 0) + 1
        if runs[run] >= 3:
            return "the model's output repeats itself"
    sentences = [set(t) for t in tokenize([s for s in _SENTENCE.split(text) if len(s.split()) >= 4])]
    for i, a in enumerate(sentences):
        if any(a and b and len(a & b) / max(len(a), len(b)) >= SAME for b in sentences[:i]):
            return "the model's output repeats a sentence"
    if needs_citations and text.strip() and not _MARKER.search(text):
        return "the model's output cites none of the articles"
    return None
