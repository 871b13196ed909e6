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
  fact with its speaker dropped is not supported, nor is a quotation the source attributes with
  a verb of saying when the speaker index has no name for its speaker), and to the same person,
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

from functools import partial

import re
from collections import Counter
from dataclasses import dataclass
from typing import Callable, Sequence

from ..index.lexical import rarest
from ..indexing.quotes import TITLES, VERBS, same_person
from ..indexing.sentences import points_back
from .claims import (
    attributes, between, claim_names, claimed_speaker, clauses, content, find, negated_scopes, norm, number_mentions,
    restates_quotation, restates_said, same_name, words,
)
from .mentions import mentioned

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
    question: str = "",
) -> Verdict:
    """Is `claim` supported by `evidence` (the sentences it cites)? `first`: the claim opens the
    answer (nothing before it for "he" or "this" to refer to). `question`: what was asked; a name
    it holds may frame the claim ("The joint statement by Xi and Putin said ...") without being in
    the cited sentence."""
    if not evidence:
        return Verdict(False, "no evidence")
    text = " ".join(e.text for e in evidence)
    whole = any(norm(claim) == norm(e.text) for e in evidence)
    if first:
        verdict = _dangling(claim, whole)
        if not verdict:
            return verdict
    if whole:
        return Verdict(True)  # a sentence of the article, whole (a fragment may drop "not" or "according to X")
    for test in (_substance, _numbers, partial(_names, question=question), _negation, _roles, _attribution):
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
    have = Counter(value for _, value in number_mentions(text))
    for shown, value in number_mentions(claim):
        if have[value] <= 0:
            return Verdict(False, f"the figure “{shown}” is not in the cited sentence")
        have[value] -= 1
    return Verdict(True)


def _names(claim: str, evidence: Sequence[Evidence], text: str, question: str = "") -> Verdict:
    speakers = " ".join(e.speaker for e in evidence if e.speaker)
    present = words(text + " " + speakers)
    for name in claim_names(claim):
        if name.isupper() and len(name) > 1:
            if mentioned(name, text + " " + speakers):
                continue
        elif any(same_name(name, w) for w in present) or mentioned(name, text):  # "Chinese" ~ "China"
            continue
        if question and mentioned(name, question):
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
    claim_scopes = negated_scopes(claim)
    evidence_scopes = [scope for e in evidence for scope in negated_scopes(e.text)]
    if _unmatched(claim_scopes, evidence_scopes, content(text)):
        return Verdict(False, "the claim is negated and the cited sentence is not")
    if _unmatched(evidence_scopes, claim_scopes, content(claim)):
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
    names = [n for n in claim_names(claim) if not n.isupper()]
    for a, b in zip(names, names[1:]):
        span = between(claim, a, b)
        if not span or len(span.split()) > 5 or re.search(r"[,;:()\"“”]|\b(?:by|from|with|and|or|to)\b", span):
            continue
        verb = content(span)
        if not verb:
            continue
        for e in evidence:
            if re.search(r"\b(?:by|from)\b", e.text):
                continue
            ia, ib = find(e.text, a), find(e.text, b)
            if ia is not None and ib is not None and ib < ia and verb & content(e.text[ib:ia]):
                return Verdict(False, f"the cited sentence has {b} and {a} the other way round")
    return Verdict(True)


_SAYING_WORDS = content(" ".join(VERBS.split("|")) + " according also " + " ".join(TITLES))


def _substance(claim: str, evidence: Sequence[Evidence], text: str) -> Verdict:
    """The claim states something beyond who spoke ("Russian President Vladimir Putin said." does not)."""
    if not content(claim) - content(claimed_speaker(claim) or "") - _SAYING_WORDS:
        return Verdict(False, "the claim says nothing but who spoke")
    return Verdict(True)


def _attribution(claim: str, evidence: Sequence[Evidence], text: str) -> Verdict:
    claimed = claimed_speaker(claim)
    attributed = [e for e in evidence if e.speaker]
    if claimed and attributed and not any(same_person(claimed, e.speaker) for e in attributed):
        if not any(same_name(w, x) for w in claimed.split() for e in attributed for x in words(e.text)):
            return Verdict(False, f"the claim attributes this to {claimed}; the source, to {attributed[0].speaker}")
    if attributed and not attributes(claim) and any(restates_said(claim, e.text) for e in attributed):
        return Verdict(False, f"the source attributes this to {attributed[0].speaker}; the claim states it as fact")
    if not attributes(claim) and any(restates_quotation(claim, e.text) for e in evidence):
        return Verdict(False, "the claim states as fact what the source quotes someone as saying")
    return Verdict(True)


def _coverage(claim, evidence: Sequence[Evidence], text: str, idf: dict[str, float], similarity) -> Verdict:
    have = content(text)
    top = rarest(idf)
    for clause in clauses(claim):
        needed = content(clause)
        if not needed:
            continue
        weights = {w: idf.get(w, top) for w in needed}
        covered = sum(weight for w, weight in weights.items() if w in have) / sum(weights.values())
        if covered >= COVERAGE:
            continue
        if similarity is not None and covered >= SEMANTIC_COVERAGE:
            if max(similarity(clause, [e.text for e in evidence]), default=0.0) >= SEMANTIC:
                continue
        missing = sorted(w for w in needed if w not in have)
        part = "the claim" if clause.strip() == claim.strip() else f"“{clause.strip()}”"
        return Verdict(False, f"{part} is not in the cited sentence (missing: {', '.join(missing[:4])})")
    return Verdict(True)
