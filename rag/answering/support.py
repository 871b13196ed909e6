"""Does a cited sentence support a claim? Word overlap is not support.

A claim a generator wrote is verified only when its specific content is found in the sentences
it cites:
- every number (figures, amounts, percentages, ordinals such as "first") is in them,
- every name (people, places, bodies, months and weekdays) is in them, or is who they are
  attributed to; acronyms match their dotted and spelled-out forms, demonyms their country,
- the claim is negated exactly when its evidence is ("did not", "never", "no"),
- two names in the claim are not swapped around the same verb ("Xi welcomed Putin" is not
  "Putin welcomed Xi"),
- what the source attributes to someone is attributed in the claim too (an opinion stated as
  fact with its speaker dropped is not supported), and to the same person,
- each part of the claim ("X, and Y") is covered by its evidence: most of its content words,
  weighted by rarity, are there, or it means the same as the evidence (embedding similarity),
- it does not open by pointing back ("This risk ...", "He said ...") to something the answer
  has not said.
A claim that is a whole sentence of its evidence is supported as it stands (a fragment is
checked: "It is false that X" holds the words "X"). The checks are rules over
features any article has, not a list of cases; their two constants were set on the project's
own seed claims and are measured on claims built from RealTime QA documents
(benchmarks/grounding.py).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Callable, Sequence

from ..index.lexical import tokenize
from .mentions import mentioned
from ..indexing.quotes import TITLES, VERBS, same_person
from ..indexing.sentences import points_back

COVERAGE = 0.7  # idf-weighted share of a clause's content words its evidence must hold ...
SEMANTIC = 0.78  # ... or this cosine similarity to an evidence sentence, with at least
SEMANTIC_COVERAGE = 0.35  # this much of the content words


@dataclass(frozen=True)
class Evidence:
    text: str
    speaker: str | None = None  # who the source attributes the sentence to (the speaker index)


@dataclass(frozen=True)
class Verdict:
    ok: bool
    reason: str = ""  # what was not found, when not ok

    def __bool__(self) -> bool:
        return self.ok


def check(
    claim: str,
    evidence: Sequence[Evidence],
    *,
    first: bool = False,
    idf: dict[str, float] | None = None,
    similarity: Callable[[str, list[str]], list[float]] | None = None,
) -> Verdict:
    """Is `claim` supported by `evidence` (the sentences it cites)? `first`: the claim opens the
    answer (nothing before it for "he" or "this" to refer to)."""
    if not evidence:
        return Verdict(False, "no evidence")
    text = " ".join(e.text for e in evidence)
    whole = any(_norm(claim) == _norm(e.text) for e in evidence)
    if first:
        verdict = _dangling(claim, whole)
        if not verdict:
            return verdict
    if whole:
        return Verdict(True)  # a sentence of the article, whole (a fragment may drop "not" or "according to X")
    for test in (_numbers, _names, _negation, _roles, _attribution):
        verdict = test(claim, evidence, text)
        if not verdict:
            return verdict
    return _coverage(claim, evidence, text, idf or {}, similarity)


# --- the checks -------------------------------------------------------------------------------

_DEMONSTRATIVE = re.compile(
    r"\b(?:this|these|those)\s+(?!week|year|month|morning|afternoon|evening|time|spring|summer|autumn|fall|winter|"
    r"weekend|season|is\b|was\b|are\b|were\b)([a-z]{3,})\b"
)


def _dangling(claim: str, whole: bool) -> Verdict:
    """The answer's first claim must not lean on what came before it in the article: "He said ...",
    "It also called for ...", or (in a fragment) "... aware of this risk"."""
    opening = claim.strip(" \"“‘'")
    if points_back(opening):
        return Verdict(False, f"opens with “{opening.split()[0]}”, which refers to something the answer has not said")
    m = None if whole else _DEMONSTRATIVE.search(claim)
    if m is not None and m.group(1) not in _content_words_before(claim, m.start()):
        return Verdict(False, f"“{m.group()}” refers to something the answer has not said")
    return Verdict(True)


def _content_words_before(claim: str, end: int) -> set[str]:
    return {w.lower() for w in re.findall(r"[A-Za-z]+", claim[:end])}


def _numbers(claim: str, evidence, text) -> Verdict:
    """Every figure of the claim is in the evidence, as often as the claim uses it ("Mary, 61 ...
    John, 61" is not supported by "Mary, 59 ... John, 61")."""
    have = Counter(value for _, value in _number_mentions(text))
    for shown, value in _number_mentions(claim):
        if have[value] <= 0:
            return Verdict(False, f"the figure “{shown}” is not in the cited sentence")
        have[value] -= 1
    return Verdict(True)


def _names(claim: str, evidence: Sequence[Evidence], text: str) -> Verdict:
    speakers = " ".join(e.speaker for e in evidence if e.speaker)
    words = _words(text + " " + speakers)
    for name in _claim_names(claim):
        if name.isupper() and len(name) > 1:
            if mentioned(name, text + " " + speakers):
                continue
        elif any(_same_name(name, w) for w in words):
            continue
        return Verdict(False, f"“{name}” is not in the cited sentence")
    return Verdict(True)


def _negation(claim: str, evidence: Sequence[Evidence], text: str) -> Verdict:
    """What the claim negates is negated in its evidence, and what the evidence negates is not
    stated positively by the claim ("did not welcome" vs "welcomed"; "denies expelling" vs
    "admits expelling"). Each negation on one side about what the other states needs its own
    negation on the other side (one to one: an added "not" is not excused by another "not" in
    the same sentence), and a negation elsewhere in a sentence ("... cannot end unless ...")
    does not count against a claim about another part of it."""
    claim_scopes = _negated_scopes(claim)
    evidence_scopes = [scope for e in evidence for scope in _negated_scopes(e.text)]
    if _unmatched(claim_scopes, evidence_scopes, _content(text)):
        return Verdict(False, "the claim is negated and the cited sentence is not")
    if _unmatched(evidence_scopes, claim_scopes, _content(claim)):
        return Verdict(False, "the cited sentence is negated and the claim is not")
    return Verdict(True)


def _unmatched(scopes: list[set[str]], others: list[set[str]], about: set[str]) -> bool:
    """Does a scope about `about` lack a distinct counterpart among `others`?"""
    free = list(others)
    for scope in sorted(scopes, key=len):
        if len(scope & about) < min(2, len(scope)):
            continue  # a negation about something the other side does not state
        best = max(free, key=lambda o: len(scope & o), default=None)
        if best is None or not scope & best:
            return True
        free.remove(best)
    return False


def _roles(claim: str, evidence: Sequence[Evidence], text: str) -> Verdict:
    """Two names around the same verb in the opposite order: "Xi welcomed Putin" vs "Putin welcomed
    Xi". Only names a few words apart with no punctuation between them, in the active voice."""
    names = [n for n in _claim_names(claim) if not n.isupper()]
    for a, b in zip(names, names[1:]):
        span = _between(claim, a, b)
        if not span or len(span.split()) > 5 or re.search(r"[,;:()\"“”]|\b(?:by|from|with|and|or|to)\b", span):
            continue
        between = _content(span)
        if not between:
            continue
        for e in evidence:
            if re.search(r"\b(?:by|from)\b", e.text):
                continue
            ia, ib = _find(e.text, a), _find(e.text, b)
            if ia is not None and ib is not None and ib < ia and between & _content(e.text[ib:ia]):
                return Verdict(False, f"the cited sentence has {b} and {a} the other way round")
    return Verdict(True)


def _attribution(claim: str, evidence: Sequence[Evidence], text: str) -> Verdict:
    claimed = _claimed_speaker(claim)
    attributed = [e for e in evidence if e.speaker]
    if claimed and attributed and not any(same_person(claimed, e.speaker) for e in attributed):
        if not any(_same_name(w, x) for w in claimed.split() for e in attributed for x in _words(e.text)):
            return Verdict(False, f"the claim attributes this to {claimed}; the source, to {attributed[0].speaker}")
    if attributed and not _attributes(claim):
        return Verdict(False, f"the source attributes this to {attributed[0].speaker}; the claim states it as fact")
    return Verdict(True)


def _coverage(claim, evidence: Sequence[Evidence], text: str, idf: dict[str, float], similarity) -> Verdict:
    have = _content(text)
    top = max(idf.values(), default=1.0)
    for clause in _clauses(claim):
        words = _content(clause)
        if not words:
            continue
        weights = {w: idf.get(w, top) for w in words}
        covered = sum(weight for w, weight in weights.items() if w in have) / sum(weights.values())
        if covered >= COVERAGE:
            continue
        if similarity is not None and covered >= SEMANTIC_COVERAGE:
            if max(similarity(clause, [e.text for e in evidence]), default=0.0) >= SEMANTIC:
                continue
        missing = sorted(w for w in words if w not in have)
        part = "the claim" if clause.strip() == claim.strip() else f"“{clause.strip()}”"
        return Verdict(False, f"{part} is not in the cited sentence (missing: {', '.join(missing[:4])})")
    return Verdict(True)


# --- pieces -----------------------------------------------------------------------------------

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


def _number_mentions(text: str) -> list[tuple[str, str]]:
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


def _claim_names(claim: str) -> list[str]:
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


def _words(text: str) -> list[str]:
    """Words of a text; hyphenated ones also in parts ("mid-August" holds "August")."""
    words = re.findall(r"[A-Za-zà-ÿ][A-Za-zà-ÿ'’.-]*[A-Za-zà-ÿ]|[A-Za-z]", text)
    return words + [part for w in words if "-" in w for part in w.split("-") if part]


_DEMONYM_ENDINGS = ("ians", "ians", "ian", "ean", "ese", "ish", "ans", "an", "n", "i", "ic", "s")


def _same_name(a: str, b: str) -> bool:
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


def _negated_scopes(text: str) -> list[set[str]]:
    """The content words each negation governs: from the cue to the end of its clause."""
    text = _NOT_NEGATION.sub(" ", text)
    scopes = []
    for m in _NEGATION.finditer(text):
        rest = text[m.end(): m.end() + 120]
        end = _SCOPE_END.search(rest)
        words = _content(rest[: end.start()] if end else rest)
        if words:
            scopes.append(words)
    return scopes


def _between(text: str, a: str, b: str) -> str:
    ia, ib = _find(text, a), _find(text, b)
    return text[ia + len(a): ib] if ia is not None and ib is not None and ia < ib else ""


def _find(text: str, name: str) -> int | None:
    m = re.search(rf"\b{re.escape(name)}", text, re.IGNORECASE)
    return m.start() if m else None


# a verb of saying (in lower case: "United States" says nothing) or "according to"; quotation
# marks alone do not say who is speaking
_ATTRIBUTION = re.compile(rf"\b(?:{VERBS})\b|\b[Aa]ccording\s+to\b")
_SPEAKER_IN_CLAIM = re.compile(
    rf"(?:\baccording\s+to\s+(?:the\s+)?(?P<a>[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*)*)"
    rf"|(?P<b>[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*)*)\s+(?:also\s+)?(?:{VERBS})\b)"
)


def _attributes(claim: str) -> bool:
    return bool(_ATTRIBUTION.search(claim))


def _claimed_speaker(claim: str) -> str | None:
    m = _SPEAKER_IN_CLAIM.search(claim)
    if m is None:
        return None
    name = (m.group("a") or m.group("b") or "").strip()
    words = [w for w in name.split() if w.lower() not in _NOT_NAMES and tokenize([w.lower()])[0]]
    return " ".join(words) or None


_CLAUSE = re.compile(r";\s+|,\s+(?:and|but|while|whereas|although|though)\s+|\s+(?:while|whereas)\s+", re.IGNORECASE)


def _clauses(claim: str) -> list[str]:
    """The parts of a claim that must each be supported ("X, and Y"); short pieces stay joined."""
    parts = [p for p in _CLAUSE.split(claim) if p and p.strip()]
    merged: list[str] = []
    for part in parts:
        if merged and len(_content(part)) < 3:
            merged[-1] += " " + part
        else:
            merged.append(part)
    return merged or [claim]


def _content(text: str) -> set[str]:
    return set(tokenize([text])[0]) if text.strip() else set()


def _norm(text: str) -> str:
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return " ".join(text.lower().split()).strip(" .")
