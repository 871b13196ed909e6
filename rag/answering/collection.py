"""Questions about the collection rather than one fact, answered from the index:
- "How many of the sources report that X?", "Which outlets say X?": the sentences that say X (the
  same learned scorer, every source whose passages hold one, each cited word for word), preceded
  by a line the index itself states (how many of the library's sources that is, and which);
- "When was X first reported?" / "Which outlet reported X first?": the same, by publication date;
- "Who said X first?": the statements that say X (the speaker index), by publication date;
- "Which outlets or agencies are cited (about X)?": the sentences that give a news outlet or
  agency as their source (the speaker index marks the chunks that hold one), one per outlet and
  source."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Sequence

from ..index.opened import Index
from ..index.copies import group
from ..index.library import wire_signatures
from ..indexing.outlets import outlet_key
from ..indexing.quotes import cited_outlets, same_person
from ..prompts import render
from ..types import Passage
from .evidence import passage_sentences
from .question import Question
from .retrieve import When, outlet_passages
from .selection import MAX_SOURCE_SENTENCES, Evidence, gather_evidence

_SOURCE = r"(?:sources?|articles?|outlets?|news outlets?|reports?|stories|story|papers?|newspapers?|publications?)"
_VERBS = r"(?:report|say|mention|cover|confirm|describe|state|carry|note|claim|write|quote)(?:s|ed)?"
_COUNT = re.compile(rf"^how many (?:of (?:the|our|these) )?{_SOURCE} {_VERBS} (?:that |on |about )?(?P<topic>.+?)\??$", re.I)
_FIRST = re.compile(
    rf"^(?:when (?:was|were) (?P<a>.+?) first reported|(?:which|what) {_SOURCE} (?:first reported|reported first) (?:that )?(?P<b>.+?)"
    rf"|(?:which|what) {_SOURCE} reported (?:that )?(?P<c>.+?) first)\??$",
    re.I,
)
_SAY = r"(?:said|claimed|stated|announced|reported|suggested|proposed|revealed|warned|called|described|argued|predicted)"
_SAID_FIRST = re.compile(
    rf"^(?:who (?:first )?{_SAY} (?:that )?(?P<a>.+?) first|who first {_SAY} (?:that )?(?P<b>.+?)"
    r"|who was the first (?:person |one |official |leader )?to (?:say|claim|state|announce|report|suggest|propose|reveal|warn|call"
    r"|describe|argue|predict) (?:that )?(?P<c>.+?))\??$",
    re.I,
)
_OUTLET_KINDS = r"(?:news |media )?(?:outlets?|agenc(?:y|ies)|media|news organi[sz]ations?|wire services?|newspapers?|broadcasters?)"
_OUTLETS = re.compile(
    rf"^(?:which|what) {_OUTLET_KINDS}(?: (?:or|and) {_OUTLET_KINDS})? "
    r"(?:(?:are|were|is|was|have been|has been) (?:cited|quoted|credited|mentioned|named|referenced|given as sources?)"
    r"|(?:do|did) (?:the |these |our )?(?:articles|sources|reports|stories) (?:cite|quote|credit|mention|name|reference|rely on)"
    r"|does the (?:article|source|report|story) (?:cite|quote|credit|mention|name|reference|rely on))"
    r"(?: (?:in|by) (?:the|these|our) (?:articles|sources|reports|stories))?"
    r"(?: (?:on|about|regarding|over|for|in|when reporting(?: on)?) (?P<topic>.+?))?\??$",
    re.I,
)
_WHICH = re.compile(rf"^(?:which|what) (?:of (?:the|our|these) )?{_SOURCE} {_VERBS} (?:that |on |about )?(?P<topic>.+?)\??$", re.I)
COLLECTION_K = 20  # passages searched for a question about the collection
OUTLET_CHUNKS = 60  # at most this many chunks read for "which outlets are cited" over the whole library


@dataclass(frozen=True)
class CollectionQuestion:
    kind: str  # "count" (how many sources), "which" (which sources), "first" (which source first, and when),
    # "said_first" (who said it first) or "outlets" (which news outlets the sources cite)
    topic: str  # what they would report, as a question to search and score with ("" for every outlet cited)


def collection_question(question: str) -> CollectionQuestion | None:
    """The question, when it asks about the collection; None for a question about a fact."""
    text = question.strip()
    outlets = _OUTLETS.match(text)
    if outlets:
        return CollectionQuestion("outlets", (outlets.group("topic") or "").strip())
    for kind, pattern in (("first", _FIRST), ("said_first", _SAID_FIRST)):
        first = pattern.match(text)
        if first:
            return CollectionQuestion(kind, next(t for t in first.groups() if t).strip())
    for kind, pattern in (("count", _COUNT), ("which", _WHICH)):
        found = pattern.match(text)
        if found and found.group("topic").strip():
            return CollectionQuestion(kind, found.group("topic").strip())
    return None


def collection_evidence(
    index: Index, collection: CollectionQuestion, asked: Question, passages: list[Passage], *, threshold: float | None,
    sources: Sequence[str] | None, when: When | None,
) -> tuple[Evidence, list[Passage]]:
    """The evidence for a question about the collection, and the passages it numbers."""
    if collection.kind == "outlets":
        if not collection.topic:  # every outlet the library cites: the chunks the speaker index marks
            passages = outlet_passages(index, sources=sources, when=when, limit=OUTLET_CHUNKS)
            return _outlet_evidence(asked, passages, None), passages
        reporting = gather_evidence(asked, passages, index.idf(), threshold=threshold, every_source=True)
        return _outlet_evidence(asked, passages, {passages[n - 1].source for _, ns in reporting.picked for n in ns}), passages
    evidence = gather_evidence(asked, passages, index.idf(), threshold=threshold, every_source=True,
                               attributed=collection.kind == "said_first")
    return in_reporting_order(collection, evidence, passages), passages


def _outlet_evidence(asked: Question, passages: Sequence[Passage], reporting: set[str] | None) -> Evidence:
    """The sentences that cite a news outlet, one for each outlet in each source, in passage order;
    `reporting`: only in these sources (those that report the question's topic)."""
    sentences, stale = passage_sentences(passages)
    picked: list[tuple[str, tuple[int, ...]]] = []
    seen: set[tuple[str, str]] = set()
    for s in sentences:
        if reporting is not None and passages[s.passage - 1].source not in reporting:
            continue
        cited = {(outlet_key(o), passages[s.passage - 1].source) for o in cited_outlets(s.text)}
        if cited - seen and len(picked) < MAX_SOURCE_SENTENCES:
            picked.append((s.text, (s.passage,)))
        seen |= cited
    return Evidence(asked, tuple(sentences), tuple(stale), tuple(picked), 1.0 if picked else 0.0)


def in_reporting_order(collection: CollectionQuestion, evidence: Evidence, passages: Sequence[Passage]) -> Evidence:
    """The evidence as the answer lists it: for "first reported", earliest published first (undated last)."""
    if collection.kind not in ("first", "said_first"):
        return evidence
    return replace(evidence, picked=tuple(sorted(evidence.picked, key=lambda e: _undated_last(passages, e[1]))))


def collection_header(index: Index, collection: CollectionQuestion, evidence: Evidence, passages: Sequence[Passage]) -> str:
    """What the index states about the sources that report it (counted, not quoted: no citation)."""
    cited = [n for _, numbers in evidence.picked for n in numbers]
    if collection.kind in ("first", "said_first"):
        cited.sort(key=lambda n: _undated_last(passages, [n]))
    reporting = list(dict.fromkeys(passages[n - 1].name for n in cited))
    facts = {"reporting": len(reporting), "total": index.store.count_docs(), "names": ", ".join(reporting),
             "verb": "reports" if len(reporting) == 1 else "report"}
    earliest = _published(passages, cited)
    if collection.kind == "outlets":
        outlets: dict[str, str] = {}  # each outlet as first named
        for text, _ in evidence.picked:
            for o in cited_outlets(text):
                outlets.setdefault(outlet_key(o), o)
        names = list(outlets.values())
        return render("collection_outlets", count=len(names), outlets=", ".join(names),
                      noun="news outlet or agency" if len(names) == 1 else "news outlets or agencies", **facts)
    if collection.kind == "said_first":  # `picked` is in date order: its first statement is the earliest
        said = {(s.text, s.passage): s.speaker for s in evidence.sentences}
        speakers: list[str] = []
        for sp in (said.get((text, n)) for text, numbers in evidence.picked for n in numbers):
            if sp and not any(same_person(sp, known) for known in speakers):
                speakers.append(sp)
        first = min(evidence.picked[0][1], key=lambda n: _undated_last(passages, [n]))
        return (render("collection_said_first", speaker=said.get((evidence.picked[0][0], first)) or speakers[0],
                       name=passages[first - 1].name, date=earliest, speakers=", ".join(speakers), **facts) if earliest
                else render("collection_said_undated", speakers=", ".join(speakers), **facts))
    if collection.kind == "first":  # `reporting` is in date order: its first is the earliest
        return (render("collection_first", name=reporting[0], date=earliest, **facts) if earliest
                else render("collection_undated", **facts))
    return render("collection_count" if collection.kind == "count" else "collection_which", **facts) + _copies(index, passages, cited)


def _copies(index: Index, passages: Sequence[Passage], cited: Sequence[int]) -> str:
    """" Of these, A and B carry the same wire story: N independent sources." when some of the
    reporting articles are copies of one another (rag/index/copies.py); else ""."""
    by_name = {passages[n - 1].name: passages[n - 1] for n in cited}
    signatures = wire_signatures(index, {p.path: p.encoding for p in by_name.values()})
    groups = group({name: signatures.get(p.path) for name, p in by_name.items()})
    copies: dict[str, list[str]] = {}
    for name, head in groups.items():
        copies.setdefault(head, []).append(name)
    shared = [names for names in copies.values() if len(names) > 1]
    if not shared:
        return ""
    carried = "; ".join(" and ".join(names) for names in shared)
    return render("collection_copies", carried=carried, independent=len(copies))


def _published(passages: Sequence[Passage], numbers: Sequence[int]) -> str:
    """The earliest publication day (YYYY-MM-DD) among these passages' articles; "" when none is dated."""
    return min((passages[n - 1].date[:10] for n in numbers if passages[n - 1].date), default="")


def _undated_last(passages: Sequence[Passage], numbers: Sequence[int]) -> tuple[bool, str]:
    day = _published(passages, numbers)
    return (not day, day)
