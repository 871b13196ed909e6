"""What a claim states, read off its text: figures (normalised, "87 billion" = "$87bn"), names
(with demonyms: Russia ~ Russian), negations and the words each governs, who it is attributed
to, and the clauses that must each be supported. Used by the support check (support.py)."""

from __future__ import annotations

import re

from ..index.lexical import tokenize
from ..indexing.quotes import TITLES, VERBS

_NUMBER_WORDS = {
    w: i for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
        "seventeen eighteen nineteen twenty".split())
} | {"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
     "dozen": 12, "half": 0.5}
_ORDINALS = {w: i for i, w in enumerate(
    "zeroth first second third fourth fifth sixth seventh eighth ninth tenth".split())}
_SCALES = {"hundred": 1e2, "thousand": 1e3, "k": 1e3, "million": 1e6, "m": 1e6, "mn": 1e6, "billion": 1e9,
           "bn": 1e9, "b": 1e9, "trillion": 1e12, "tn": 1e12}
_NUMBER = re.compile(
    r"(?<!\d)(?<!\d[.,])(\d+(?:[.,]\d+)*)(?:\s*(st|nd|rd|th)\b)?(?:\s*-?\s*(hundred|thousand|million|billion|trillion|bn|mn|tn|k|m|b)\b)?"
    r"|\b(" + "|".join(sorted(set(_NUMBER_WORDS) | set(_ORDINALS), key=len, reverse=True)) + r")\b"
    r"(?:\s*-?\s*(hundred|thousand|million|billion|trillion)\b)?",
    re.IGNORECASE,
)


def number_mentions(text: str) -> list[tuple[str, str]]:
    """(as written, normalised value) for each number: '87 billion' and '$87bn' -> '8.7e10';
    ordinals are their own kind ('first' -> 'ord1')."""
    out = []
    for m in _NUMBER.finditer(text):
        digits, suffix, scale, word, word_scale = m.groups()
        if digits is not None:
            raw = digits.replace(",", "") if re.fullmatch(r"\d{1,3}(?:,\d{3})+", digits) else digits.replace(",", ".")
            try:
                value = float(raw)
            except ValueError:
                continue
            if suffix:
                out.append((m.group().strip(), f"ord{value:g}"))
                continue
            value *= _SCALES.get((scale or "").lower(), 1.0)
        else:
            lower = word.lower()
            if lower in _ORDINALS:
                out.append((m.group().strip(), f"ord{_ORDINALS[lower]}"))
                continue
            if lower == "one" and not word_scale:
                continue  # "one of the ...", "no one": rarely a figure
            value = _NUMBER_WORDS[lower] * _SCALES.get((word_scale or "").lower(), 1.0)
        out.append((m.group().strip(), f"{value:g}"))
    return out


_NAME_WORD = re.compile(r"\b(?:[A-Z]\.){2,}|\b[A-Z][A-Za-zà-ÿ'’-]*[A-Za-zà-ÿ]|\b[A-Z]{2,}\b")
_NOT_NAMES = frozenset(
    "i a an the this that these those it its he she they we you his her their our my your there here "
    "mr mrs ms dr".split()
)


def claim_names(claim: str) -> list[str]:
    """Capitalised words of a claim: names, acronyms, months, weekdays. The first word counts only
    when it is not an ordinary word that happens to open the sentence."""
    out: list[str] = []
    text = claim.strip(" \"“‘'")
    for i, m in enumerate(_NAME_WORD.finditer(text)):
        word = re.sub(r"['’]s$", "", m.group().rstrip("'’"))
        if word.lower() in _NOT_NAMES or word.lower() in TITLES:
            continue
        opening = m.start() == 0 or re.search(r"[.!?:]\s+[\"“‘']?$", text[: m.start()])
        if opening and (not tokenize([word.lower()])[0] or word.lower() in _COMMON_OPENERS):
            continue
        if word.replace(".", "").isupper() and "." in word:
            word = word.replace(".", "")
        out.append(word)
    return list(dict.fromkeys(out))


_COMMON_OPENERS = frozenset(
    "according although also after before despite however meanwhile officials critics analysts experts "
    "police authorities residents people many several some both most others earlier later while when "
    "because since though yet still instead overall finally first last next".split()
)


def words(text: str) -> list[str]:
    """Words of a text; hyphenated ones also in parts ("mid-August" holds "August")."""
    words = re.findall(r"[A-Za-zà-ÿ][A-Za-zà-ÿ'’.-]*[A-Za-zà-ÿ]|[A-Za-z]", text)
    return words + [part for w in words if "-" in w for part in w.split("-") if part]


_DEMONYM_ENDINGS = ("ians", "ians", "ian", "ean", "ese", "ish", "ans", "an", "n", "i", "ic", "s")


def same_name(a: str, b: str) -> bool:
    """The same name: equal ignoring case and 's, or a country and its demonym (Russia ~ Russian,
    China ~ Chinese, Ukraine ~ Ukrainian, Britain ~ British)."""
    a, b = re.sub(r"['’]s?$", "", a).lower().replace(".", ""), re.sub(r"['’]s?$", "", b).lower().replace(".", "")
    if a == b:
        return True
    short, long = sorted((a, b), key=len)
    if len(short) < 4:
        return False
    stem = re.sub(r"(?:ain|a|e|y|o)$", "", short)
    if len(stem) < 4 or not long.startswith(stem):
        return False
    return long[len(stem):] in _DEMONYM_ENDINGS or (long[len(stem):] == short[len(stem):] + "n")


# grammatical negation, and the verbs and adjectives news uses to say the same ("lacked a call",
# "absent from", "denies", "rejected", "refused to", "failed to")
_NEGATION = re.compile(
    r"\b(?:not|no|never|none|nobody|nothing|neither|nor|without|cannot|absent|lack(?:s|ed|ing)?|"
    r"den(?:y|ies|ied|ying)|reject(?:s|ed|ing)?|refus(?:e|es|ed|ing)|fail(?:s|ed)?\s+to)\b|n['’]t\b",
    re.IGNORECASE,
)
_NOT_NEGATION = re.compile(r"\bnot\s+only\b|\bno\s+(?:longer\s+than|more\s+than|less\s+than|fewer\s+than)\b"
                           r"|\bnothing\s+but\b|\bno\s+doubt\b|\bnever\s+before\b", re.IGNORECASE)


_SCOPE_END = re.compile(r"[,;:.!?()]|\b(?:but|unless|and|while|because|although|though|which|who|when|as|after|before|since|if)\b",
                        re.IGNORECASE)


def negated_scopes(text: str) -> list[set[str]]:
    """The content words each negation governs: from the cue to the end of its clause."""
    text = _NOT_NEGATION.sub(" ", text)
    scopes = []
    for m in _NEGATION.finditer(text):
        rest = text[m.end(): m.end() + 120]
        end = _SCOPE_END.search(rest)
        words = content(rest[: end.start()] if end else rest)
        if words:
            scopes.append(words)
    return scopes


def between(text: str, a: str, b: str) -> str:
    ia, ib = find(text, a), find(text, b)
    return text[ia + len(a): ib] if ia is not None and ib is not None and ia < ib else ""


def find(text: str, name: str) -> int | None:
    m = re.search(rf"\b{re.escape(name)}", text, re.IGNORECASE)
    return m.start() if m else None


# quotation marks alone do not say who is speaking
_SPEAKER_IN_CLAIM = re.compile(
    rf"(?:\baccording\s+to\s+(?:the\s+)?(?P<a>[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*)*)"
    rf"|(?P<b>[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*)*)\s+(?:also\s+)?(?:{VERBS})\b)"
)


_PREPOSITION = re.compile(r"\b(?:for|of|to|with|against|by|on|in|at|from|about|over|into|after|before)\s+$", re.IGNORECASE)
# "according to", or a verb of saying that needs no named subject ("officials said"; in lower case:
# "United States" says nothing), or a pronoun speaking
_SAYING = re.compile(r"\b[Aa]ccording\s+to\b|\b(?:said|says|say|told|tells|stated|states|claimed|claims|added|adds|"
                     r"announced|announces|wrote|writes|insisted|insists|argued|argues|warned|warns|reported|reports|"
                     r"declared|accused|denied|denies|alleged|quoted)\b|\b(?:[Hh]e|[Ss]he|[Tt]hey|[Ww]e|I)\s+(?:also\s+)?(?:"
                     + VERBS + r")\b")


def attributes(claim: str) -> bool:
    """The claim says who says it: a verb of saying, "according to", or a name that is the subject
    of an attribution verb ("Blinken suggested"); "the visit suggests that ..." attributes nothing."""
    return bool(_SAYING.search(claim)) or claimed_speaker(claim) is not None


_QUOTATION = re.compile(r"[\"“]([^\"“”]+)[\"”]")
MIN_QUOTED_WORDS = 5  # a quotation this long is someone's statement, not a scare-quoted phrase


def restates_quotation(claim: str, source: str) -> bool:
    """The claim's words come mostly from a quotation that the source attributes with a verb of
    saying outside it ("“China is not responsible ...,” said the head of Washington diplomacy"),
    whether or not the speaker index knows who spoke; a claim about the rest of the sentence does not."""
    quoted = " ".join(m.group(1) for m in _QUOTATION.finditer(source) if len(m.group(1).split()) >= MIN_QUOTED_WORDS)
    if not quoted or not _SAYING.search(_QUOTATION.sub(" ", source)):
        return False
    shared = content(claim) & content(source)
    return len(shared) >= 3 and len(shared & content(quoted)) > len(shared) / 2


def said_part(source: str) -> str:
    """What a source sentence reports someone as saying: its quotations, else the words after the
    verb of saying ("... stated that X"), or before it when it closes the sentence ("X, he added.")."""
    quoted = " ".join(m.group(1) for m in _QUOTATION.finditer(source) if len(m.group(1).split()) >= MIN_QUOTED_WORDS)
    if quoted:
        return quoted
    m = _SAYING.search(source)
    if not m:
        return source
    before, after = source[: m.start()], source[m.end():]
    return after if len(content(after)) >= len(content(before)) else before


def restates_said(claim: str, source: str) -> bool:
    """The claim's words come mostly from what the source reports someone as saying (not from the
    words that frame it: who they are, when and where they spoke)."""
    shared = content(claim) & content(source)
    return not shared or len(shared & content(said_part(source))) > len(shared) / 2


def claimed_speaker(claim: str) -> str | None:
    for m in _SPEAKER_IN_CLAIM.finditer(claim):
        if m.group("b") and _PREPOSITION.search(claim[: m.start("b")]):
            continue  # "... an arrest warrant for President Putin suggests": Putin is no subject
        name = (m.group("a") or m.group("b") or "").strip()
        words = [w for w in name.split() if w.lower() not in _NOT_NAMES and tokenize([w.lower()])[0]]
        if words:
            return " ".join(words)
    return None


_CLAUSE = re.compile(r";\s+|,\s+(?:and|but|while|whereas|although|though)\s+|\s+(?:while|whereas)\s+", re.IGNORECASE)


def clauses(claim: str) -> list[str]:
    """The parts of a claim that must each be supported ("X, and Y"); short pieces stay joined."""
    parts = [p for p in _CLAUSE.split(claim) if p and p.strip()]
    merged: list[str] = []
    for part in parts:
        if merged and len(content(part)) < 3:
            merged[-1] += " " + part
        else:
            merged.append(part)
    return merged or [claim]


def content(text: str) -> set[str]:
    return set(tokenize([text])[0]) if text.strip() else set()


def norm(text: str) -> str:
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return " ".join(text.lower().split()).strip(" .")
