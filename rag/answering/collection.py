"""Questions about the collection rather than one fact: "How many of the sources report that X?",
"Which outlets say X?". They are answered from the index: the sentences that say X (the same
learned scorer, every source whose passages hold one, each cited word for word), preceded by a
line the index itself states (how many of the library's sources that is, and which). "When was X
first reported?" / "Which outlet reported X first?" list them by publication date, earliest first."""

from __future__ import annotations

import re
from dataclasses import dataclass

_SOURCES = r"(?:sources|articles|outlets|news outlets|reports|stories|papers|newspapers|publications)"
_VERBS = r"(?:report|say|mention|cover|confirm|describe|state|carry|note|claim|write|quote)(?:s|ed)?"
_COUNT = re.compile(rf"^how many (?:of (?:the|our|these) )?{_SOURCES} {_VERBS} (?:that |on |about )?(?P<topic>.+?)\??$", re.I)
_SOURCE = r"(?:sources?|articles?|outlets?|news outlets?|reports?|stories|story|papers?|newspapers?|publications?)"
_FIRST = re.compile(
    rf"^(?:when (?:was|were) (?P<a>.+?) first reported|(?:which|what) {_SOURCE} (?:first reported|reported first) (?:that )?(?P<b>.+?)"
    rf"|(?:which|what) {_SOURCE} reported (?:that )?(?P<c>.+?) first)\??$",
    re.I,
)
_WHICH = re.compile(rf"^(?:which|what) (?:of (?:the|our|these) )?{_SOURCES} {_VERBS} (?:that |on |about )?(?P<topic>.+?)\??$", re.I)
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
