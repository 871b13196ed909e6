"""Choosing what a briefing says, from the articles' own sentences: the summary, key points by
how many sources report them, who said what, where sources differ, unique details. Every
sentence chosen is numbered as a citation (verified against its file) in the order it is used.
"""

from __future__ import annotations

import re
from typing import Sequence

import numpy as np

from ..indexing.convert import page_of
from ..answering.evidence import verify
from ..index.embeddings import embed_cached
from ..indexing.sentences import points_back
from ..types import Citation, Difference, Point, Remark, SourceInfo, Speaker, Variant
from .clusters import Cluster, best_per_source
from .differences import differences
from .speakers import group
from .story import Material, Sentence

SUMMARY_SENTENCES = 4
MAX_POINTS = 10
UNIQUE_PER_SOURCE = 4
REDUNDANT = 0.7  # summary sentences closer than this repeat each other
ON_TOPIC = 0.25  # with a topic: cosine a sentence needs to the topic to be shown


class Citer:
    """Numbers citations in the order the briefing first uses them; every one is verified."""

    def __init__(self, material: Material) -> None:
        self.material = material
        self.citations: list[Citation] = []
        self._numbers: dict[tuple[str, int, int], int] = {}

    def __call__(self, s: Sentence) -> int:
        a = self.material.article_of(s)
        key = (a.path, s.start, s.end)
        if key not in self._numbers:
            if not verify(a.path, a.encoding, s.start, s.end, s.text):
                raise RuntimeError(f"{a.source}[{s.start}:{s.end}] no longer holds the quoted text")
            self._numbers[key] = len(self.citations) + 1
            self.citations.append(
                Citation(self._numbers[key], a.source, a.title, s.text, s.start, s.end, s.chunk_id, a.path, a.encoding,
                         a.date, a.outlet, page_of(a.path, s.start))
            )
        return self._numbers[key]

    def point(self, text: str, sentences: Sequence[Sentence]) -> Point:
        numbers = tuple(self(s) for s in sentences)
        names = tuple(self.material.article_of(s).name for s in sentences)
        return Point(text, numbers, names, self.material.independent({s.article for s in sentences}))


def reporting(material: Material, c: Cluster, first: Sentence | None = None) -> list[Sentence]:
    """One sentence per source of the cluster (the given one for its own source)."""
    best = best_per_source(material, c)
    if first is not None:
        best[first.article] = first
    return [best[a] for a in c.sources]


def _readable(s: Sentence) -> bool:
    """Can stand alone as a statement of fact: not leaning on the sentence before, not bare speech."""
    text = s.text.strip()
    return (
        not points_back(text)
        and not text.startswith(('"', "“", "‘"))
        and len(text.split()) >= 10
        and text.endswith((".", "!", "?", '"', "”", "’", ")"))  # a sentence, not a headline or deck
    )


def summary(material, clusters, of_sentence, central, cite: Citer) -> list[Point]:
    """The story in a few self-standing sentences: typical of the whole story, widely reported,
    leads favoured; one per cluster, each unlike the ones already chosen (maximal marginal relevance)."""
    sentences = material.sentences
    topical = material.relevance() if material.focus is not None else np.zeros(len(sentences))
    score = {
        s.index: central[s.index] + (0.15 if s.position <= 1 else 0.0) + 0.04 * (of_sentence[s.index].n_sources - 1)
        + 0.6 * topical[s.index]
        for s in sentences
        if _readable(s) and (material.focus is None or topical[s.index] >= ON_TOPIC)
    }
    chosen: list[Sentence] = []
    taken: set[int] = set()
    while len(chosen) < SUMMARY_SENTENCES:
        best, best_value = None, -np.inf
        for i, value in score.items():
            if not chosen and material.focus is None and not _event_lead(sentences[i]) and any(_event_lead(sentences[j]) for j in score):
                continue  # open with what happened: an article's lead that reports an event, not a remark
            cluster_id = id(of_sentence[i])
            if cluster_id in taken:
                continue
            overlap = max((float(material.vectors[i] @ material.vectors[c.index]) for c in chosen), default=0.0)
            if overlap >= REDUNDANT:
                continue
            value = value - 0.5 * overlap
            if value > best_value:
                best, best_value = i, value
        if best is None:
            break
        chosen.append(sentences[best])
        taken.add(id(of_sentence[best]))
    return [cite.point(s.text, reporting(material, of_sentence[s.index], s)) for s in chosen]


def _event_lead(s: Sentence) -> bool:
    return s.position <= 1 and s.speaker is None


def points(material, clusters, summary: list[Point], cite: Citer) -> list[Point]:
    in_summary = {p.text for p in summary}
    topical = material.relevance()
    out: list[Point] = []
    for c in clusters:
        if c.n_sources < 2 or len(out) == MAX_POINTS or max(topical[m] for m in c.members) < ON_TOPIC:
            continue
        members = sorted(c.members, key=lambda m: -float(material.vectors[m] @ material.vectors[c.leader]))
        readable = [m for m in members if _readable(material.sentences[m])] or members
        lead = next((m for m in readable if material.sentences[m].text not in in_summary), readable[0])
        shown = material.sentences[lead]
        out.append(cite.point(shown.text, reporting(material, c, shown)))
    return out


def speakers(material: Material, cite: Citer) -> list[Speaker]:
    topical = material.relevance()
    out: list[Speaker] = []
    for g in group(material):
        remarks = tuple(
            Remark(r[0].text, cite(r[0]), material.article_of(r[0]).name, r[0].direct, tuple(sorted(cite(s) for s in r[1:])))
            for r in g.remarks
            if topical[r[0].index] >= ON_TOPIC
        )
        if not remarks:
            continue
        out.append(Speaker(g.name, remarks, tuple(material.articles[a].name for a in g.articles)))
    return out


def differing(material: Material, cite: Citer) -> list[Difference]:
    topical = material.relevance()
    return [
        Difference(f.kind, f.about, tuple(Variant(text, cite(s), material.article_of(s).name) for text, s in f.variants))
        for f in differences(material)
        if max(topical[s.index] for _, s in f.variants) >= ON_TOPIC
    ]


def unique(material, clusters, used: set[str], cite: Citer) -> list[tuple[str, tuple[Point, ...]]]:
    """Per article, the facts no other source reports that matter most to that article: close
    to its own headline and to the story, and specific (quotes, figures, names)."""
    titles = embed_cached([a.title for a in material.articles])
    story = material.vectors.mean(axis=0) if material.focus is None else material.focus
    story = story / (np.linalg.norm(story) or 1.0)
    topical = material.relevance()
    per_article: dict[int, list[tuple[float, Sentence]]] = {}
    for c in clusters:
        s = material.sentences[c.leader]
        if c.n_sources != 1 or s.text in used or not _readable(s) or topical[s.index] < ON_TOPIC:
            continue
        v = material.vectors[s.index]
        specific = 0.05 * bool(_QUOTE_MARK.search(s.text)) + 0.05 * bool(_DIGIT.search(s.text)) + 0.02 * min(
            3, len(_NAME.findall(s.text)))
        per_article.setdefault(s.article, []).append((0.5 * float(v @ titles[s.article]) + 0.5 * float(v @ story) + specific, s))
    out = []
    for a, article in enumerate(material.articles):
        best = [s for _, s in sorted(per_article.get(a, []), key=lambda x: -x[0])[:UNIQUE_PER_SOURCE]]
        best.sort(key=lambda s: s.position)
        if best:
            out.append((article.name, tuple(cite.point(s.text, [s]) for s in best)))
    return out


_QUOTE_MARK = re.compile(r"[\"“”]")
_DIGIT = re.compile(r"\d")
_NAME = re.compile(r"(?<!^)\b[A-Z][a-z]+")


def source_info(a) -> SourceInfo:
    return SourceInfo(a.source, a.name, a.title, a.byline, a.outlet, a.date)
