"""A language model as the reader: which of the closest sentences answers the question, if any.

With a model backend (local or OpenAI-compatible) and RAG_MODEL_READS=1 (off by default), the model is
shown the best few distinct sentences the scorer found (selection.READER_CANDIDATES, each fenced
with its article's title and date, within the backend's prompt budget) and asked one short
question: the number of the sentence that answers, or 0. Its reply replaces the scorer's
threshold: the sentence it names leads the answer (even below the threshold), and 0 turns an
answer into the closest sentences, shown as such (never a decline: only the evidence itself,
a year or a name no passage has, makes one). A reply with no number in range leaves the
scorer's judgement standing.
"""

from __future__ import annotations

import re
from typing import Sequence

from ..config import Settings
from ..prompts import count_tokens, render
from ..types import Passage
from .generate import Generator, Request
from .prompting import passage_block, prompt_tokens
from .selection import Evidence

REPLY_TOKENS = 6  # a number, and room for a model that writes "Sentence 2"
_NONE = re.compile(r"\W*(?:none|no)\b", re.I)  # "None of them": as 0
_NUMBER = re.compile(r"\W*(?:sentence|passage|number)?\W*(\d+)\b", re.I)  # the reply opens with the number


def read(model: Generator, question: str, passages: Sequence[Passage], evidence: Evidence, settings: Settings) -> int | None:
    """The 1-based number, among `evidence.candidates`, of the sentence the model says answers
    `question`; 0: none does; None: no candidates, or a reply that names none of them.
    Raises BackendError as the backend does."""
    system = render("reader_system")
    shown = _shown(question, passages, evidence, settings, model.name, system)
    if not shown:
        return None
    messages = [{"role": "system", "content": system},
                {"role": "user", "content": render("reader", passages="\n\n".join(shown), question=question)}]
    reply = "".join(model.generate(Request(question, passages, messages, REPLY_TOKENS)))
    number = _NUMBER.match(reply)
    choice = int(number.group(1)) if number else 0 if _NONE.match(reply) else -1
    return choice if 0 <= choice <= len(shown) else None


def _shown(question: str, passages: Sequence[Passage], evidence: Evidence, settings: Settings, backend: str,
           system: str) -> list[str]:
    """The candidates as fenced blocks numbered 1, 2, ..., best first, as many as the prompt budget
    (less the system message and the question's frame) holds."""
    fixed = count_tokens(system + render("reader", passages="", question=question), settings.encoding)
    budget = prompt_tokens(backend, settings) - fixed
    blocks: list[str] = []
    for place in evidence.candidates:
        sentence = evidence.sentence_at(place)
        block = passage_block(len(blocks) + 1, passages[sentence.passage - 1], [sentence], [0])
        budget -= count_tokens(block, settings.encoding) + 2
        if budget < 0 and blocks:
            break
        blocks.append(block)
    return blocks
