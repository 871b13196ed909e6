"""corpus or topic -> Briefing: a one-page Markdown document a busy reader can trust.

    from rag import briefing
    b = briefing()                      # everything ingested
    b = briefing(topic="ICC warrant")   # what retrieval finds for a topic
    b.text, b.citations, b.points, b.speakers, b.differences, b.sources, b.to_dict()

Sections, in order: a headline summary; key points ranked by how many independent sources
report them (near-duplicates across outlets merged into one point citing every source); who
said what; where sources differ; details only one source reports; the sources. Every sentence
shown is an article's own, cited with its exact span; with a language model backend the model
writes the summary from the same evidence, and its sentences are kept only with citations
verified as in answers (the key points stay the articles' own sentences, with their counts).
"""

from __future__ import annotations

import time

from ..config import Settings
from ..limits import check_text
from ..answering.degenerate import fallback_note
from ..answering.generate import BackendError, resolve_backend
from ..index.library import with_copies
from ..index.opened import Index, open_index
from ..prompts import render
from ..types import Briefing, Point
from .clusters import centrality, cluster, links
from .markdown import render_markdown
from .model import written_by_model
from .select import Citer, differing, source_info
from .select import points as points_of
from .select import speakers as speakers_of
from .select import summary as summary_of
from .select import unique as unique_of
from .story import gather


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

    cite = Citer(material)
    notes = list(material.notes)
    summary: list[Point] = []
    if name != "extractive":
        try:
            summary = written_by_model(name, index, material, clusters, cite)
        except BackendError as exc:
            notes.append(fallback_note(exc, "briefing"))
            name = "extractive"
    if not summary:
        summary = summary_of(material, clusters, of_sentence, central, cite)
    points = points_of(material, clusters, summary, cite)
    speakers = speakers_of(material, cite)
    found = differing(material, cite)
    unique = unique_of(material, clusters, {c.quote for c in cite.citations}, cite)
    sources = tuple(source_info(a) for a in material.articles)
    cite.citations = list(with_copies(index, cite.citations))
    timings["total"] = time.perf_counter() - started
    text = render_markdown(topic, material, summary, points, speakers, found, unique, sources, cite, name, notes)
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
