"""Is an entity named in a text? Names, acronyms and their variants, allowing for endings.

Used by the extractive answerer (does a passage name what the question names?) and by
grounding (is every name of a claim in the sentence it cites?).
"""

from __future__ import annotations

import re


def mentioned(entity: str, text: str) -> bool:
    """Some word of the entity occurs in the text, allowing for endings (Chinese ~ China)."""
    for word in entity.split():
        if word.isupper():  # an acronym, also written with dots (US ~ U.S.) or spelled out (ICC)
            letters = [c for c in word if c.isalpha()]  # "U.S." or "(AP)" as the parser reads them: U, S / A, P
            spelled = r"\s+(?:(?:of|the|and|for|on)\s+)?".join(rf"{re.escape(c)}[a-z]+" for c in letters)
            compact = "".join(letters)
            if re.search(rf"\b(?:{re.escape(compact)}\b|{re.escape('.'.join(compact))}\.)", text, re.IGNORECASE) or (
                len(letters) > 1 and re.search(rf"\b{spelled}\b", text)
            ):
                return True
            continue
        if len(word) <= 4:
            pattern = rf"\b{re.escape(word)}\b"
        else:
            pattern = rf"\b{re.escape(word[: max(4, len(word) - 4)])}"
        if re.search(pattern, text, re.IGNORECASE):
            return True
    return False
