"""Questions about the collection rather than one fact: "How many of the sources report that X?",
"Which outlets say X?". They are answered from the index: the sentences that say X (the same
learned scorer, every source whose passages hold one, each cited word for word), preceded by a
line the index itself states (how many of the library's sources that is, and which). "When was X
first reported?" / "Which outlet reported X first?" list them by publication date, earliest first."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Sequence

from ..index.opened import Index
from ..prompts import render
from ..types import Passage
from .selection import Evidence

_SOURCE = r"(?:sources?|articles?|outlets?|news outlets?|reports?|stories|story|papers?|newspapers?|publications?)"
_VERBS = r"(?:report|say|mention|cover|confirm|describe|state|carry|note|claim|write|quote)(?:s|ed)?"
_COUNT = re.compile(rf"^how many (?:of (?:the|our|these) )?{_SOURCE} {_VERBS} (?:that |on |about )?(?P<topic>.+?)\??$", re.I)
_FIRST = re.compile(
    rf"^(?:when (?:was|were) (?P<a>.+?) first reported|(?:which|what) {_SOURCE} (?:first reported|reported first) (?:that )?(?P<b>.+?)"
    rf"|(?:which|what) {_SOURCE} reported (?:that )?(?P<c>.+?) first)\??$",
    re.I,
)
_WHICH = re.compile(rf"^(?:which|what) (?:of (?:the|our|these) )?{_SOURCE} {_VERBS} (?:that |on |about )?(?P<topic>.+?)\??$", re.I)
COLLECTION_K = 20  # passages searched for a question about the collection


@dataclass(frozen=True)
class CollectionQuestion:
    kind: str  # "count" (how many sources), "which" (which sources) or "first" (which source first, and when)
    topic: str  # what they would report, as a question to search and score with


def collection_question(question: str) -> CollectionQuestion | None:
    """The question, when it asks about the collection; None for a question about a fact."""
    text = question.strip()
    first = _FIRST.match(text)
    if first:
        topic = next(t for t in first.groups() if t)
        return CollectionQuestion("first", topic.strip())
    for kind, pattern in (("count", _COUNT), ("which", _WHICH)):
        found = pattern.match(text)
        if found and found.group("topic").strip():
            return CollectionQuestion(kind, found.group("topic").strip())
    return None


def in_reporting_order(collection: CollectionQuestion, evidence: Evidence, passages: Sequence[Passage]) -> Evidence:
    """The evidence as the answer lists it: for "first reported", earliest published first (undated last)."""
    if collection.kind != "first":
        return evidence
    return replace(evidence, picked=tuple(sorted(evidence.picked, key=lambda e: _undated_last(passages, e[1]))))


def collection_header(index: Index, collection: CollectionQuestion, evidence: Evidence, passages: Sequence[Passage]) -> str:
    """What the index states about the sources that report it (counted, not quoted: no citation)."""
    cited = [n for _, numbers in evidence.picked for n in numbers]
    if collection.kind == "first":
        cited.sort(key=lambda n: _undated_last(passages, [n]))
    reporting = list(dict.fromkeys(passages[n - 1].name for n in cited))
    facts = {"reporting": len(reporting), "total": index.store.count_docs(), "names": ", ".join(reporting),
             "verb": "reports" if len(reporting) == 1 else "report"}
    if collection.kind == "first":  # `reporting` is in date order: its first is the earliest
        earliest = _published(passages, cited)
        return (render("collection_first", name=reporting[0], date=earliest, **facts) if earliest
                else render("collection_undated", **facts))
    return render("collection_count" if collection.kind == "count" else "collection_which", **facts)


def _published(passages: Sequence[Passage], numbers: Sequence[int]) -> str:
    """The earliest publication day (YYYY-MM-DD) among these passages' articles; "" when none is dated."""
    return min((passages[n - 1].date[:10] for n in numbers if passages[n - 1].date), default="")


def _undated_last(passages: Sequence[Passage], numbers: Sequence[int]) -> tuple[bool, str]:
    day = _published(passages, numbers)
    return (not day, day)
