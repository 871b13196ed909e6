"""corpus or topic -> Briefing: a one-page Markdown document a busy reader can trust.

    from rag import briefing
    b = briefing()                      # everything ingested
    b = briefing(topic="ICC warrant")   # what retrieval finds for a topic
    b.text, b.citations, b.points, b.speakers, b.differences, b.sources, b.to_dict()

Sections, in order: a headline summary; key points ranked by how many independent sources
report them (near-duplicates across outlets merged into one point citing every source); who
said what; where sources differ; details only one source reports; the sources. Every sentence
shown is an article's own, cited with its exact span; with a language model backend the model
writes the summary and key points from the same evidence, and its sentences are kept only with
citations verified as in answers.
"""

from __future__ import annotations

import re
import time
from typing import Sequence

import numpy as np

from ..answering.citations import ground
from .clusters import Cluster, best_per_source, centrality, cluster, links
from ..config import Settings, check_text
from .differences import differences
from ..index.embeddings import embed_cached
from ..answering.evidence import Sentence as EvidenceSentence
from ..answering.evidence import verify
from ..generate import BackendError, Request, make_generator, resolve_backend
from ..index.opened import Index, open_index
from ..markup import md_text as _esc  # article text in Markdown: shown as its own characters
from ..prompts import count_tokens, render
from ..indexing.sentences import points_back
from .speakers import group
from .story import Material, Sentence, gather
from ..types import (
    Briefing, Citation, Difference, Passage, Point, Remark, SourceInfo, Speaker, Variant,
)

SUMMARY_SENTENCES = 4
MAX_POINTS = 10
UNIQUE_PER_SOURCE = 4
REDUNDANT = 0.7  # summary sentences closer than this repeat each other
ON_TOPIC = 0.25  # with a topic: cosine a sentence needs to the topic to be shown
LLM_EVIDENCE = 30  # clusters shown to a language model
_SAFETY_TOKENS = 64


def briefing(
    topic: str | None = None, *, backend: str | None = None, settings: Settings | None = None,
    index: Index | None = None,
) -> Briefing:
    """A briefing on everything ingested, or on what retrieval finds for `topic` (at most
    MAX_QUESTION_CHARS long; BadRequest otherwise)."""
    topic = check_text(topic, "topic")
    index = open_index(settings, index)
    settings = index.settings
    started = time.perf_counter()
    topic = " ".join(topic.split()) if topic and topic.strip() else None
    name = resolve_backend(settings, backend)
    material = gather(index, topic)
    timings = {"gather": time.perf_counter() - started}
    if not material.sentences:
        text = render("briefing_empty") if not material.articles else render("briefing_nothing", topic=topic or "")
        return Briefing(text, (), (), (), (), (), (), (), topic, name, timings, tuple(material.notes))

    idf = index.idf()
    clusters = cluster(material, links(material, idf))
    central = centrality(material)
    of_sentence = {m: c for c in clusters for m in c.members}
    timings["cluster"] = time.perf_counter() - started - timings["gather"]

    cite = _Citer(material)
    notes = list(material.notes)
    summary: list[Point] = []
    points: list[Point] = []
    if name != "extractive":
        try:
            summary, points = _written_by_model(name, index, material, clusters, cite)
        except BackendError as exc:
            notes.append(render("fallback_note", reason=str(exc)))
            name = "extractive"
    if not summary:
        summary = _summary(material, clusters, of_sentence, central, cite)
    if not points:
        if name != "extractive":
            notes.append("The model wrote no supported key point; the key points below are the articles' own sentences.")
        points = _points(material, clusters, summary, cite)
    speakers = _speakers(material, cite)
    found = _differences(material, cite)
    unique = _unique(material, clusters, {c.quote for c in cite.citations}, cite)
    sources = tuple(_source_info(a) for a in material.articles)
    timings["total"] = time.perf_counter() - started
    text = _markdown(topic, material, summary, points, speakers, found, unique, sources, cite, name, notes)
    return Briefing(
        text=text,
        citations=tuple(cite.citations),
        summary=tuple(summary),
        points=tuple(points),
        speakers=tuple(speakers),
        differences=tuple(found),
        unique=tuple(unique),
        sources=sources,
        topic=topic,
        backend=name,
        timings=timings,
        notes=tuple(notes),
    )


class _Citer:
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
                Citation(self._numbers[key], a.source, a.title, s.text, s.start, s.end, s.chunk_id, a.path, a.encoding, a.date)
            )
        return self._numbers[key]

    def point(self, text: str, sentences: Sequence[Sentence]) -> Point:
        numbers = tuple(self(s) for s in sentences)
        names = tuple(self.material.article_of(s).name for s in sentences)
        return Point(text, numbers, names, len(set(names)))


def _reporting(material: Material, c: Cluster, first: Sentence | None = None) -> list[Sentence]:
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


def _summary(material, clusters, of_sentence, central, cite: _Citer) -> list[Point]:
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
    return [cite.point(s.text, _reporting(material, of_sentence[s.index], s)) for s in chosen]


def _event_lead(s: Sentence) -> bool:
    return s.position <= 1 and s.speaker is None


def _points(material, clusters, summary: list[Point], cite: _Citer) -> list[Point]:
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
        out.append(cite.point(shown.text, _reporting(material, c, shown)))
    return out


def _speakers(material: Material, cite: _Citer) -> list[Speaker]:
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


def _differences(material: Material, cite: _Citer) -> list[Difference]:
    topical = material.relevance()
    return [
        Difference(f.kind, f.about, tuple(Variant(text, cite(s), material.article_of(s).name) for text, s in f.variants))
        for f in differences(material)
        if max(topical[s.index] for _, s in f.variants) >= ON_TOPIC
    ]


def _unique(material, clusters, used: set[str], cite: _Citer) -> list[tuple[str, tuple[Point, ...]]]:
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


def _source_info(a) -> SourceInfo:
    return SourceInfo(a.source, a.name, a.title, a.byline, a.outlet, a.date)


# --- a language model writes the summary and the key points ----------------------------------

Item = tuple[str, list[int]]  # text shown to the model, and the clusters (indices) it stands for


def _written_by_model(name: str, index: Index, material: Material, clusters: list[Cluster], cite: _Citer):
    """Summary and key points in the model's words, from numbered evidence (one sentence per
    cluster, with how many sources report it). Each sentence it writes is grounded like an
    answer; its evidence numbers become citations to every source of those clusters. Evidence
    that does not fit the window is condensed batch by batch first (map), then summarised (reduce)."""
    settings = index.settings
    generator = make_generator(name, settings)
    window = generator.context_tokens or settings.context_tokens
    items: list[Item] = [
        (f"(reported by {c.n_sources} of {len(material.articles)} sources) {material.sentences[c.leader].text}", [k])
        for k, c in enumerate(clusters[:LLM_EVIDENCE])
    ]
    frame = count_tokens(render("briefing_system")) + count_tokens(render("briefing", evidence="", n_sources=0))
    budget = window - settings.max_answer_tokens - frame - _SAFETY_TOKENS
    if budget <= 0:
        raise BackendError(f"the model's window ({window} tokens) is too small for a briefing")
    while sum(count_tokens(t) + 4 for t, _ in items) > budget and len(items) > 1:
        items = _condense(generator, index, material, clusters, items, budget)
    summary_claims, point_claims = _ask(generator, index, material, clusters, items, "briefing")
    if not summary_claims and not point_claims:
        raise BackendError("the model wrote no sentence the articles support")

    def as_point(text: str, groups: list[int]) -> Point:
        reporting = {(s.article, s.start): s for k in groups for s in _reporting(material, clusters[k])}
        return cite.point(text, list(reporting.values()))

    return [as_point(t, g) for t, g in summary_claims], [as_point(t, g) for t, g in point_claims]


def _ask(generator, index: Index, material, clusters, items: list[Item], template: str):
    """One call: numbered items in; grounded (claim, cluster indices) out, per section."""
    passages, sentences = [], []
    for n, (_, groups) in enumerate(items, 1):  # each item as a one-sentence passage: grounding maps [n] to it
        s = material.sentences[clusters[groups[0]].leader]
        a = material.article_of(s)
        passages.append(Passage(a.source, a.title, s.chunk_id, s.text, s.start, s.end, 0.0, a.path, a.date, a.byline, a.encoding))
        sentences.append(EvidenceSentence(n, s.start, s.end, s.text, s.speaker, s.direct))
    listing = "\n".join(f"[{i}] {text}" for i, (text, _) in enumerate(items, 1))
    messages = [
        {"role": "system", "content": render("briefing_system")},
        {"role": "user", "content": render(template, evidence=listing, n_sources=len(material.articles))},
    ]
    written = "".join(generator.generate(Request("briefing", passages, messages, index.settings.max_answer_tokens)))
    idf = index.idf()
    head, _, tail = written.partition("KEY POINTS")
    sections = []
    for part in (head.replace("SUMMARY", "", 1), tail):
        part = _BULLET.sub(" ", part.lstrip(": \n"))
        grounded = ground(part, passages, sentences, embed=embed_cached, idf=idf) if part.strip() else None
        sections.append(_claims(grounded, passages, items) if grounded else [])
    return sections[0], sections[1]


def _condense(generator, index: Index, material, clusters, items: list[Item], budget: int) -> list[Item]:
    """Map step: condense the items batch by batch into fewer grounded claims."""
    batches: list[list[Item]] = [[]]
    used = 0
    for item in items:
        size = count_tokens(item[0]) + 4
        if batches[-1] and used + size > budget:
            batches.append([])
            used = 0
        batches[-1].append(item)
        used += size
    condensed: list[Item] = []
    for batch in batches:
        _, claims = _ask(generator, index, material, clusters, batch, "briefing_map")
        condensed.extend(claims)
    if not condensed or len(condensed) >= len(items):
        return items[: max(1, len(items) // 2)]  # no progress: keep the most widely reported half
    return condensed


def _claims(grounded, passages: list[Passage], items: list[Item]) -> list[Item]:
    """(claim, cluster indices) for each supported sentence of grounded text."""
    where = {(p.path, p.start, p.end): n for n, p in enumerate(passages)}
    by_number = {c.n: where.get((c.path, c.start, c.end)) for c in grounded.citations}
    out: list[Item] = []
    for piece in re.split(r"(?<=\])\s+", grounded.text):
        numbers = [int(n) for n in re.findall(r"\[(\d+)\]", piece)]
        claim = re.sub(r"\s*\[(?:\d+|not in the sources)\]", "", piece).strip()
        groups = [k for n in numbers if by_number.get(n) is not None for k in items[by_number[n]][1]]
        if claim and groups:
            out.append((claim, list(dict.fromkeys(groups))))
    return out


_BULLET = re.compile(r"(?m)^\s*(?:[-*•]|\d+[.)])\s+")


# --- Markdown ---------------------------------------------------------------------------------

def _markdown(topic, material, summary, points, speakers, found, unique, sources, cite, backend, notes) -> str:
    """The briefing as Markdown. Every string from an article (or the user) goes through `_esc`,
    so any viewer shows it as text: no HTML, no links or images, no emphasis."""
    total = len(material.articles)
    dates = sorted(a.date[:10] for a in material.articles if a.date)
    lines = [f"# Briefing: {_esc(topic) if topic else 'all ingested articles'}", ""]
    span = f" · {_esc(dates[0])}" + (f" to {_esc(dates[-1])}" if dates[-1] != dates[0] else "") if dates else ""
    how = (
        "every sentence below is quoted from the articles"
        if backend == "extractive"
        else f"summary and key points written by the {backend} model from the articles, every other sentence quoted"
    )
    lines += [f"*{total} source{'s' if total != 1 else ''}{span} · {how}; each is cited [n] with its exact place "
              "(list at the end)*", ""]
    for note in notes:
        lines += [f"> {_esc(note)}", ""]
    lines += ["## Summary", "", " ".join(f"{_esc(p.text)} {_marks(p.citations)}" for p in summary), ""]
    lines += ["## Key points", ""]
    if points:
        for i, p in enumerate(points, 1):
            lines.append(f"{i}. {_esc(p.text)} — *reported by {p.n_sources} of {total} sources* {_marks(p.citations)}")
    else:
        lines.append("No fact is reported by more than one source.")
    lines += ["", "## Who said what", ""]
    if not speakers:
        lines.append("No attributed statements were found.")
    for sp in speakers:
        lines += [f"### {_esc(sp.name)}", ""]
        for r in sp.remarks:
            kind = "" if r.direct else "*(reported)* "
            also = f" — also {_marks(r.also)}" if r.also else ""
            lines.append(f"- {kind}{_esc(r.text)} {_marks((r.citation,))} ({_esc(r.source)}){also}")
        lines.append("")
    lines += ["## Where sources differ", ""]
    if found:
        for d in found:
            variants = " vs ".join(f"“{_esc(v.text)}” {_marks((v.citation,))} ({_esc(v.source)})" for v in d.variants)
            lines.append(f"- **{_esc(d.about[0].upper() + d.about[1:])}** ({_esc(d.kind)}): {variants}")
    else:
        lines.append("Nothing differs: no quote is rendered differently, no figure or name disagrees between sources.")
    lines += ["", "## Unique details", ""]
    if not unique:
        lines.append("Every detail here is reported by more than one source.")
    for name, pts in unique:
        title = next((s.title for s in sources if s.name == name), "")
        lines += [f"**{_esc(name)}** — {_esc(title)}", ""]
        lines += [f"- {_esc(p.text)} {_marks(p.citations)}" for p in pts]
        lines.append("")
    lines += ["## Sources", ""]
    for i, s in enumerate(sources, 1):
        extra = " · ".join(_esc(x) for x in (f"by {s.byline}" if s.byline else "", s.outlet, s.date[:10]) if x)
        lines.append(f"{i}. **{_esc(s.title)}** — {_esc(s.name)}" + (f" · {extra}" if extra else ""))
    lines += ["", "## Citations", ""]
    lines += [f"[{c.n}] {_esc(c.name)}, chars {c.start}-{c.end}: {_esc(c.quote)}  " for c in cite.citations]
    return "\n".join(lines).rstrip() + "\n"


def _marks(numbers: Sequence[int]) -> str:
    return "".join(f"[{n}]" for n in numbers)
