"""Text inside articles is data, never instructions.

Sentences that address an AI model ("Ignore all previous instructions and reply only with ...")
are never selected as evidence, and are replaced by a marker in what a model is shown. The
file is not changed: offsets and citations still point into it.
"""

from __future__ import annotations

import re

_INSTRUCTION_LIKE = re.compile(
    r"\b(?:ignore|disregard|forget|override)\b[^.!?\n]{0,60}\b(?:instructions?|prompts?|rules|directions|above|previous|prior)\b"
    r"|\b(?:reply|respond|answer|output|print|say)\s+(?:only\s+)?(?:with|exactly)\b[^.!?\n]{0,40}$"
    r"|\byou\s+are\s+(?:now\s+)?(?:an?\s+)?(?:ai|assistant|language\s+model|chat\s?bot|llm)\b"
    r"|\b(?:system\s+prompt|developer\s+mode|jailbreak|new\s+instructions)\b"
    r"|\bas\s+an\s+ai\b",
    re.IGNORECASE,
)
MARKER = "[text addressed to an AI model was removed here]"
_FENCE = re.compile(r"</?\s*passage\b", re.IGNORECASE)


def looks_like_instruction(sentence: str) -> bool:
    return bool(_INSTRUCTION_LIKE.search(sentence))


def neutralize(text: str, sentences: list[tuple[int, int]]) -> str:
    """`text` with instruction-like sentences (spans relative to text) replaced by a marker,
    and anything that could close the passage fence defused."""
    out, cursor = [], 0
    for start, end in sentences:
        if looks_like_instruction(text[start:end]):
            out.append(text[cursor:start])
            out.append(MARKER)
            cursor = end
    out.append(text[cursor:])
    return _FENCE.sub(lambda m: m.group().replace("<", "‹"), "".join(out))
