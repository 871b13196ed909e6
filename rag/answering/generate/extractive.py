"""The model-free answerer: writes out, verbatim and with their passage numbers, the short answer
and the sentences the evidence step kept (rag/answering/selection.py); when it kept none, it says
the articles do not contain the answer."""

from __future__ import annotations

from typing import Iterator

from ...config import Settings
from ...index.lexical import LexicalIndex
from ...prompts import render
from ..selection import gather_evidence
from . import Request


class ExtractiveGenerator:
    name = "extractive"
    context_tokens = None

    def __init__(self, settings: Settings, idf: dict[str, float] | None = None) -> None:
        """`idf`: the corpus's BM25 idf (from the opened Index); read from the BM25 index when a
        request comes without its evidence."""
        self.settings = settings
        self._idf = idf

    def generate(self, request: Request) -> Iterator[str]:
        evidence = request.evidence
        if evidence is None:
            idf = self._idf if self._idf is not None else LexicalIndex(self.settings.lexical_dir).idf()
            evidence = gather_evidence(request.question, request.passages, idf, threshold=self.settings.answer_threshold,
                                       short_confidence=self.settings.short_answer_confidence)
        if not evidence.answers:
            yield render("refusal")
            return
        if evidence.short:  # the answer itself first, cited to the sentence it is in
            yield evidence.short + ". " + "".join(f"[{n}]" for n in evidence.picked[0][1]) + " "
        speakers = {s.text: s.speaker for s in evidence.sentences if s.speaker}
        for i, (text, numbers) in enumerate(evidence.picked):
            yield ("" if i == 0 else " ") + said_by(text, speakers.get(text)) + text + " " + "".join(f"[{n}]" for n in numbers)


def said_by(text: str, speaker: str | None) -> str:
    """"Antony Blinken: " before a quote that never names its speaker ("..., he added."), from the
    speaker index; "" when the sentence names them itself."""
    if not speaker or speaker.split()[-1].lower() in text.lower():
        return ""
    return f"{speaker}: "
