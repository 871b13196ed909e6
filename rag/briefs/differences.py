"""Where sources differ: the same remark quoted in different words, different numbers for the
same fact, a name spelled two ways. Every variant is cited where it stands."""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

import numpy as np

from .clusters import normalise
from ..index.lexical import STOPWORDS
from ..indexing.quotes import clean_name, same_person
from .story import Material, Sentence

ABOUT_SAME = 0.5  # two sentences this close (cosine) may report the same thing
SAME_FACT = 0.75  # ... and this close, they report the same fact (for numbers)
_QUOTE = re.compile(r"[\"“]([^\"“”]{3,}?)[\"”]")
_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "twenty": 20, "thirty": 30, "hundred": 100, "thousand": 1000,
    "million": 1_000_000, "billion": 1_000_000_000, "dozen": 12,
}
_NUMBER = re.compile(r"\b\d[\d,.]*\b|\b(?:" + "|".join(_NUMBER_WORDS) + r")\b", re.I)
_NAME = re.compile(r"\b[A-Z][a-z]+(?:[ \xa0]+[A-Z][a-z]+)+")


@dataclass(frozen=True)
class Found:
    kind: str  # "quote wording" | "numbers" | "name spelling"
    about: str
    variants: tuple[tuple[str, Sentence], ...]  # (the differing words, the sentence they are in)


def differences(material: Material) -> list[Found]:
    sentences = material.sentences
    sims = material.vectors @ material.vectors.T if sentences else np.zeros((0, 0))
    found: list[Found] = []
    seen: set[tuple] = set()
    article = np.array([s.article for s in sentences])
    close = np.argwhere(np.triu((sims >= ABOUT_SAME) & (article[:, None] != article[None, :]), k=1))
    for i, j in close:
        a, b = sentences[i], sentences[j]
        for qa, qb in _differing_quotes(a, b, float(sims[i, j])):
            key = ("quote", min(qa, qb), max(qa, qb))
            if key not in seen:
                seen.add(key)
                found.append(Found("quote wording", _about(a, b, "words"), ((qa, a), (qb, b))))
        if sims[i, j] >= SAME_FACT:
            na, nb = _numbers(a.text), _numbers(b.text)
            if na and nb and not (na & nb):
                shown = (", ".join(_shown_numbers(a.text)), ", ".join(_shown_numbers(b.text)))
                found.append(Found("numbers", _about(a, b, "figures"), ((shown[0], a), (shown[1], b))))
    found.extend(_spellings(material))
    return found


def _differing_quotes(a: Sentence, b: Sentence, close: float) -> list[tuple[str, str]]:
    """Quotations of the same words rendered differently: they align, and a content word of one
    is replaced by a different word (not an inflection of it) in the other. Returned as short
    excerpts around the first difference."""
    out = []
    same_speaker = bool(a.speaker and b.speaker and same_person(a.speaker, b.speaker))
    for qa in _QUOTE.findall(a.text):
        for qb in _QUOTE.findall(b.text):
            oa, ob = qa.split(), qb.split()
            wa, wb = [normalise(w) for w in oa], [normalise(w) for w in ob]
            if min(len(wa), len(wb)) < 2 or wa == wb:
                continue
            if min(len(wa), len(wb)) <= 3 and not same_speaker and close < SAME_FACT:
                continue  # two short phrases in loosely related sentences: not the same remark
            matcher = SequenceMatcher(None, wa, wb, autojunk=False)
            matched = [w for blk in matcher.get_matching_blocks() for w in wa[blk.a : blk.a + blk.size]]
            if matcher.ratio() < 0.35 or not any(w not in STOPWORDS for w in matched):
                continue
            for tag, i1, i2, j1, j2 in matcher.get_opcodes():
                if tag == "replace" and _content(wa[i1:i2]) and _content(wb[j1:j2]) and not _inflections(wa[i1:i2], wb[j1:j2]):
                    out.append((_excerpt(oa, i1, i2), _excerpt(ob, j1, j2)))
                    break
    return out


def _inflections(x: list[str], y: list[str]) -> bool:
    """friend / friends, examine / examined: the same word."""
    from ..index.lexical import tokenize

    return tokenize([" ".join(x)])[0] == tokenize([" ".join(y)])[0]


def _excerpt(words: list[str], i: int, j: int, context: int = 3) -> str:
    start, end = max(0, i - context), min(len(words), j + context)
    text = " ".join(words[start:end]).strip(" ,;:")
    return ("…" if start > 0 else "") + text + ("…" if end < len(words) else "")


def _content(words: list[str]) -> bool:
    return any(w not in STOPWORDS and len(w) > 2 for w in words)


def _numbers(text: str) -> set[float]:
    out = set()
    for m in _NUMBER.finditer(text):
        token = m.group().lower().replace(",", "").rstrip(".")
        try:
            out.add(float(_NUMBER_WORDS.get(token, token)))
        except ValueError:
            continue
    return out


def _shown_numbers(text: str) -> list[str]:
    return [m.group() for m in _NUMBER.finditer(text)]


def _about(a: Sentence, b: Sentence, what: str) -> str:
    if a.speaker and b.speaker and same_person(a.speaker, b.speaker):
        longest = max((a.speaker, b.speaker), key=len)
        return f"{longest}'s {what}" if what == "words" else f"the {what} in reports of {longest}"
    return f"the {what} of the same report"


def _spellings(material: Material) -> list[Found]:
    """One person's name spelled differently by different sources ("Antony" / "Anthony Blinken")."""
    forms: dict[str, tuple[str, Sentence]] = {}
    for s in material.sentences:
        for m in _NAME.finditer(s.text):
            name = clean_name(m.group())
            if len(name.split()) >= 2 and name not in forms:
                forms[name] = (name, s)
    out: list[Found] = []
    names = list(forms)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            sa, sb = forms[a][1], forms[b][1]
            if sa.article == sb.article or not same_person(a, b) or a.split()[0] == b.split()[0]:
                continue
            first_a, first_b = a.split()[0], b.split()[0]
            if len(a.split()) == len(b.split()) and SequenceMatcher(None, first_a, first_b).ratio() >= 0.7:
                out.append(Found("name spelling", f"the spelling of {a.split()[-1]}'s name", ((a, sa), (b, sb))))
    return out
