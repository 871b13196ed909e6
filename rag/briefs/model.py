"""A language model writes a briefing's summary from the clusters' evidence (one sentence per
cluster, with how many sources report it, and who said it); the key points stay the clusters'
own sentences with their source counts (rag/briefs/select.py). Each sentence it writes is
grounded like an answer's; its evidence numbers become citations to every source of those
clusters. Evidence that does not fit the window is condensed batch by batch first (map), then
summarised (reduce).
"""

from __future__ import annotations

import re

from ..answering.citations import ground
from ..answering.degenerate import DegenerateOutput, degenerate
from ..answering.evidence import Sentence as EvidenceSentence
from ..answering.prompting import prompt_tokens
from ..answering.generate import BackendError, Request, make_generator
from ..index.embeddings import embed_cached
from ..index.opened import Index
from ..prompts import count_tokens, render
from ..types import Passage, Point
from .clusters import Cluster
from .select import Citer, reporting
from .story import Material

LLM_EVIDENCE = 30  # clusters shown to a language model, at most
MAP_CALLS = 2  # the evidence is cut to what this many calls of the backend's prompt budget hold (then one more to reduce)
LOCAL_MAP_CALLS = 1  # for a model on the CPU (a call is 30-60 s, and a small model's map step drops the widest-reported items)
_SAFETY_TOKENS = 64

Item = tuple[str, list[int]]  # text shown to the model, and the clusters (indices) it stands for


def written_by_model(name: str, index: Index, material: Material, clusters: list[Cluster], cite: Citer):
    """The summary in the model's words, from numbered evidence (one sentence per cluster, with
    how many sources report it). Each sentence it writes is grounded like an
    answer; its evidence numbers become citations to every source of those clusters. Evidence
    that does not fit the window is condensed batch by batch first (map), then summarised (reduce)."""
    settings = index.settings
    generator = make_generator(name, settings)
    window = generator.context_tokens or settings.context_tokens
    items: list[Item] = [(_item(material, c), [k]) for k, c in enumerate(clusters[:LLM_EVIDENCE])]
    frame = count_tokens(render("briefing_system")) + count_tokens(render("briefing", evidence="", n_sources=0))
    wanted = prompt_tokens(name, settings)
    budget = min(wanted, window - settings.max_answer_tokens - _SAFETY_TOKENS) - frame
    if budget <= 0:
        raise BackendError(f"the prompt budget ({wanted} tokens, window {window}) is too small for a briefing")
    kept, spent = [], 0
    calls = LOCAL_MAP_CALLS if name == "local" else MAP_CALLS
    for item in items:  # the most widely reported first: what that many calls can read
        spent += count_tokens(item[0]) + 4
        if kept and spent > calls * budget:
            break
        kept.append(item)
    items = kept
    while sum(count_tokens(t) + 4 for t, _ in items) > budget and len(items) > 1:
        items = _condense(generator, index, material, clusters, items, budget)
    summary_claims, _ = _ask(generator, index, material, clusters, items, "briefing")
    if not summary_claims:
        raise BackendError("the model wrote no sentence the articles support")

    def as_point(text: str, groups: list[int]) -> Point:
        by_source = {(s.article, s.start): s for k in groups for s in reporting(material, clusters[k])}
        return cite.point(text, list(by_source.values()))

    return [as_point(t, g) for t, g in summary_claims]


def _item(material: Material, cluster: Cluster) -> str:
    """A cluster as the model reads it: how widely it is reported, who said it (from the speaker
    index, so that "..., he added." can be attributed), and the leading sentence."""
    s = material.sentences[cluster.leader]
    said = f"; said by {s.speaker}" if s.speaker and s.speaker.split()[-1].lower() not in s.text.lower() else ""
    total = material.independent(range(len(material.articles)))
    return f"(reported by {cluster.n_sources} of {total} sources{said}) {s.text}"


def _ask(generator, index: Index, material, clusters, items: list[Item], template: str):
    """One call: numbered items in; grounded (claim, cluster indices) out, per section."""
    passages, sentences = [], []
    for n, (_, groups) in enumerate(items, 1):  # each item as a one-sentence passage: grounding maps [n] to it
        s = material.sentences[clusters[groups[0]].leader]
        a = material.article_of(s)
        passages.append(Passage(a.source, a.title, s.chunk_id, s.text, s.start, s.end, 0.0, a.path, a.date, a.byline, a.encoding,
                                outlet=a.outlet))
        sentences.append(EvidenceSentence(n, s.start, s.end, s.text, s.speaker, s.direct))
    listing = "\n".join(f"[{i}] {text}" for i, (text, _) in enumerate(items, 1))
    messages = [
        {"role": "system", "content": render("briefing_system")},
        {"role": "user", "content": render(template, evidence=listing, n_sources=material.independent(range(len(material.articles))))},
    ]
    written = "".join(generator.generate(Request("briefing", passages, messages, index.settings.max_answer_tokens)))
    idf = index.idf()
    head, _, tail = written.partition("KEY POINTS")
    # each section on its own: a key point may restate the summary; within one, a repeat is a loop
    # (no [n] markers is no fault: grounding finds the items its claims come from)
    if reason := next(filter(None, (degenerate(part, needs_citations=False) for part in (head, tail))), None):
        raise DegenerateOutput(reason)
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
