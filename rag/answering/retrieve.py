"""query -> ranked Passages: candidates from dense (Chroma) and lexical (BM25) retrieval, over the
whole archive and over the period the question names, ranked by the learned ranker
(rag/answering/ranking.py), optionally diversified with maximal marginal relevance, optionally
restricted to some sources and to a date range."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Mapping, Sequence

import numpy as np

from ..config import Settings
from ..limits import MAX_SOURCES, BadRequest, check_k, check_list, check_text
from ..index.embeddings import index_embedder
from ..index.opened import Index, open_index
from ..index.schema import StoredChunk, doc_id_of
from ..index.store import doc_id_for
from ..index.library import by_outlet, match_sources
from ..timeframe import Period, asked_period, day_of, parse_day
from ..types import Passage
from .ranking import Candidate, asked, features, load_passage_model, load_ranker

CANDIDATES = 100  # from each retriever over the whole archive
PERIOD_CANDIDATES = 20  # ... and from each over the period the question names
FILTER_IDS = 20_000  # chunks a filtered dense search is handed by id at most (see _dense)
OVERFETCH = 2_000  # ... beyond that, the nearest chunks of the whole archive filtered afterwards
MMR_LAMBDA = 0.7  # relevance vs. novelty


class UnknownSource(ValueError):
    """A source filter that names no ingested file."""


@dataclass(frozen=True)
class When:
    """The dates a search is read against: `as_of` is "now" for the question (relative dates,
    and what had been published by then, count from it); since/until keep only the articles
    published in that range (articles with no date are then left out)."""

    as_of: date
    since: date | None = None
    until: date | None = None
    dated: bool = True  # as_of was given; else it is today, for reading "this week", and no date is ranked on

    @classmethod
    def of(cls, as_of: object = None, since: object = None, until: object = None) -> "When":
        """From what a caller gave (dates or YYYY-MM-DD strings); ValueError says which is wrong."""
        when = cls(
            parse_day(as_of, "as_of") if as_of is not None else date.today(),
            parse_day(since, "since") if since is not None else None,
            parse_day(until, "until") if until is not None else None,
            dated=as_of is not None,
        )
        if when.since and when.until and when.since > when.until:
            raise ValueError(f"since ({when.since}) is after until ({when.until})")
        return when

    @property
    def days(self) -> tuple[int, int] | None:
        if self.since is None and self.until is None:
            return None
        return (self.since or date.min).toordinal(), (self.until or date.max).toordinal()


@dataclass(frozen=True)
class Retrieved:
    passages: list[Passage]
    total: int  # chunks in the store when the search ran (0: the index is empty)
    lexical_out_of_step: bool  # BM25 does not hold the chunks the store holds (see rag/index/opened.py)
    period: Period | None = None  # the period the question names, as read


def search(
    query: str,
    k: int | None = None,
    *,
    sources: Sequence[str] | None = None,
    mmr: bool = False,
    as_of: date | str | None = None,
    since: date | str | None = None,
    until: date | str | None = None,
    outlets: Sequence[str] | None = None,
    settings: Settings | None = None,
    index: Index | None = None,
) -> list[Passage]:
    """The k passages that best match `query`, best first (empty when the index is).
    k is 1..MAX_K; the query at most MAX_QUESTION_CHARS long (BadRequest otherwise).
    `as_of` is the date the question is asked on: "this week" or "on Monday" are read from it and
    articles published after it count less; without it they are read from today and the ranker
    does not rank on the articles' dates. `since`/`until` keep only articles
    published in that range (dates or YYYY-MM-DD); `outlets` only articles those outlets published."""
    query = check_text(query, "query")
    k = check_k(k)
    sources = check_list(sources, "sources", MAX_SOURCES) or None
    when = check_when(as_of, since, until)
    index = open_index(settings, index)
    sources = with_outlets(index, sources, outlets)
    return retrieve(index, query, k, sources=sources, mmr=mmr, when=when).passages


def with_outlets(index: Index, sources: Sequence[str] | None, outlets: Sequence[str] | None) -> list[str] | None:
    """The source filter narrowed to the articles of these outlets (UnknownSource when none is)."""
    outlets = check_list(outlets, "outlets", MAX_SOURCES) or None
    if not outlets:
        return list(sources) if sources else None
    try:
        return by_outlet(index, outlets, sources)
    except ValueError as exc:
        raise UnknownSource(str(exc)) from None


def check_when(as_of: object, since: object, until: object) -> When:
    """The dates a caller gave, or BadRequest saying which is wrong."""
    try:
        return When.of(as_of, since, until)
    except ValueError as exc:
        raise BadRequest(str(exc)) from None


def retrieve(
    index: Index,
    query: str,
    k: int | None = None,
    *,
    sources: Sequence[str] | None = None,
    mmr: bool = False,
    when: When | None = None,
) -> Retrieved:
    """search() with what a caller inside newsrag also wants to know: the store's size, whether
    BM25 is in step, and the period the question named (arguments already checked)."""
    k = k or index.settings.top_k
    when = when or When.of()
    query = (query or "").strip()
    total = index.count() if query else 0
    if total == 0:
        return Retrieved([], total, False)
    behind = index.lexical.count() != total  # read as it is: repairing it is the writer's job

    pool = gather(index, query, max(CANDIDATES, 5 * k), total, sources=sources, when=when)
    if not pool.candidates:
        return Retrieved([], total, behind, pool.period)
    ranker = load_ranker()
    x = describe(index, query, pool, when, ranker.neutral)
    scores, evidence = ranker.score(x), load_passage_model().probability(x)
    best = sorted(range(len(scores)), key=lambda i: -scores[i])[: 3 * k if mmr else k]
    if mmr:
        found = index.store.vectors([pool.candidates[i].row.id for i in best])
        size = next((len(v) for v in found.values()), 1)  # the index's vector size
        vectors = np.array([found.get(pool.candidates[i].row.id, np.zeros(size)) for i in best], dtype=np.float32)
        best = [best[i] for i in _mmr(vectors, [scores[i] for i in best], k)]
    passages = [_passage(c.row, float(scores[i]), c.similarity, c.bm25, float(evidence[i]))
                for i in best for c in [pool.candidates[i]]]
    return Retrieved(passages, total, behind, pool.period)


def describe(index: Index, query: str, pool: Pool, when: When, neutral: dict[str, float]) -> np.ndarray:
    """The ranker's features of the pool's candidates (rag/answering/ranking.py)."""
    tokens = dict(pool.words)  # what BM25 read already; the dense-only candidates' fetched
    tokens.update(index.lexical.tokens([c.row.id for c in pool.candidates if c.row.id not in tokens]))
    as_of = when.as_of.toordinal() if when.dated else None
    return features(asked(query, index.lexical.idf()), pool.candidates, tokens, as_of, pool.period, neutral)


@dataclass(frozen=True)
class Pool:
    candidates: list[Candidate]
    period: Period | None
    words: Mapping[str, list[str]] = field(default_factory=dict)  # chunks' words BM25 read while searching


def gather(
    index: Index, query: str, n: int, total: int, *, sources: Sequence[str] | None = None, when: When
) -> Pool:
    """The candidates to rank: the n best of each retriever over the whole archive (or the
    sources and dates asked for), and the best of each over the period the question names."""
    store, lexical = index.store, index.lexical
    filters, allowed_docs = [], None
    if sources:
        docs = match_sources(store.docs().values(), list(sources))
        if not docs:
            raise UnknownSource(f"no ingested file matches {', '.join(sources)}")
        allowed_docs = {doc_id_for(d.path) for d in docs}
        filters.append({"path": {"$in": [d.path for d in docs]}})
    days = when.days
    period = asked_period(query, when.as_of)

    qvec = index_embedder(index.settings).embed([query])[0]
    in_step = lexical.count() == total  # BM25 knows every chunk: it can say which chunks a filter keeps
    dense = _dense(index, qvec, min(total, n), filters, allowed_docs, days, in_step)
    words: dict[str, list[str]] = {}
    lexical_hits = lexical.search(query, n, allowed_docs, days, words)
    found_dense, found_lexical = list(dense), list(lexical_hits)
    if period is not None and (window := _overlap((period.first, period.last), days)) is not None:
        found_dense += _dense(index, qvec, min(total, PERIOD_CANDIDATES), filters, allowed_docs, window, in_step)
        found_lexical += lexical.search(query, PERIOD_CANDIDATES, allowed_docs, window, words)

    ids = list(dict.fromkeys([cid for cid, _ in found_dense] + [cid for cid, _ in found_lexical]))
    rows = store.get(ids)  # BM25 ids no longer in the store drop out here
    ids = [cid for cid in ids if cid in rows]
    similarity = dict(found_dense)  # and the keyword-only candidates' from their stored vectors
    for cid, vector in store.vectors([cid for cid in ids if cid not in similarity]).items():
        similarity[cid] = float(vector @ qvec)
    dense_rank = {cid: r for r, (cid, _) in enumerate(dense)}
    lexical_rank = {cid: r for r, (cid, _) in enumerate(lexical_hits)}
    bm25 = dict(found_lexical)
    candidates = [
        Candidate(rows[cid], similarity.get(cid, 0.0), bm25.get(cid, 0.0), dense_rank.get(cid), lexical_rank.get(cid))
        for cid in ids
    ]
    return Pool(candidates, period, words)


def _dense(index: Index, qvec, n: int, filters: list[dict], allowed_docs: set[str] | None,
           days: tuple[int, int] | None, in_step: bool) -> list[tuple[str, float]]:
    """The nearest chunks among the files and days asked for. A filtered search is given the ids
    the filter keeps (from BM25's index: their files and publication days) when they are at most
    FILTER_IDS; when more are kept, the nearest OVERFETCH chunks of the whole archive are taken
    and those of other files or days dropped (the manifest dates their articles); when BM25 is
    behind, Chroma applies the filter itself (slow on a large archive: it reads every chunk's
    metadata)."""
    if not filters and days is None:
        return index.store.query(qvec, n)
    if not in_step or not index.store.articles.ready():
        return index.store.query(qvec, n, _where(filters, days))
    ids = index.lexical.ids_within(allowed_docs, days, FILTER_IDS)
    if ids is not None:
        return index.store.query(qvec, min(n, len(ids)), ids=ids)
    nearest = index.store.query(qvec, OVERFETCH)
    records = index.store.articles.get({doc_id_of(cid) for cid, _ in nearest})
    kept = [(cid, sim) for cid, sim in nearest
            if (r := records.get(doc_id_of(cid))) is not None
            and (allowed_docs is None or r.doc_id in allowed_docs)
            and (days is None or days[0] <= day_of(r.date) <= days[1])]
    return kept[:n]


def _where(filters: list[dict], days: tuple[int, int] | None) -> dict | None:
    """A Chroma `where` for these filters and a range of publication days."""
    clauses = list(filters)
    if days is not None:
        clauses += [{"day": {"$gte": max(1, days[0])}}, {"day": {"$lte": days[1]}}]
    return None if not clauses else clauses[0] if len(clauses) == 1 else {"$and": clauses}


def _overlap(a: tuple[int, int], b: tuple[int, int] | None) -> tuple[int, int] | None:
    if b is None:
        return a
    first, last = max(a[0], b[0]), min(a[1], b[1])
    return (first, last) if first <= last else None


def speaker_passages(index: Index, speaker: str, *, exclude: set[str] = frozenset(), limit: int = 8,
                     when: When | None = None) -> list[Passage]:
    """Chunks in which `speaker` is quoted or reported (from the speaker index built at ingest),
    published within `when`'s dates when it has any."""
    from ..indexing.quotes import name_tokens, same_person

    rows: dict[str, StoredChunk] = {}
    for word in name_tokens(speaker):
        rows.update(index.store.with_speaker(word))
    hits = [
        (row, sum(same_person(speaker, st.speaker) for st in row.meta.statements))
        for cid, row in rows.items()
        if cid not in exclude and _within(row, when)
    ]
    hits = sorted((h for h in hits if h[1]), key=lambda h: (-h[1], h[0].id))[:limit]
    return [_passage(row, 0.0, 0.0, 0.0) for row, _ in hits]


def outlet_passages(index: Index, *, exclude: set[str] = frozenset(), sources: Sequence[str] | None = None,
                    when: When | None = None, limit: int = 60) -> list[Passage]:
    """Chunks in which a sentence cites a news outlet or agency (from the speaker index), among
    the sources and dates asked for, in the order of their files and places in them."""
    from ..indexing.outlets import OUTLET_MARK

    rows = [row for cid, row in index.store.with_speaker(OUTLET_MARK).items() if cid not in exclude]
    if sources:
        allowed = {d.path for d in match_sources(index.store.docs().values(), list(sources))}
        rows = [row for row in rows if row.meta.path in allowed]
    rows = [row for row in rows if _within(row, when)]
    rows.sort(key=lambda row: (row.meta.source, row.meta.start))
    return [_passage(row, 0.0, 0.0, 0.0) for row in rows[:limit]]


def _within(row: StoredChunk, when: When | None) -> bool:
    days = when.days if when else None
    return not days or days[0] <= row.meta.day <= days[1]


def _mmr(vectors: np.ndarray, relevance: list[float], k: int) -> list[int]:
    """Greedy maximal marginal relevance over the pool (indices into it)."""
    rel = np.asarray(relevance, dtype=np.float32)
    rel = (rel - rel.min()) / (np.ptp(rel) or 1.0)
    pairwise = vectors @ vectors.T
    chosen: list[int] = [int(np.argmax(rel))]
    while len(chosen) < min(k, len(rel)):
        redundancy = pairwise[:, chosen].max(axis=1)
        score = MMR_LAMBDA * rel - (1 - MMR_LAMBDA) * redundancy
        score[chosen] = -np.inf
        chosen.append(int(np.argmax(score)))
    return chosen


def _passage(row: StoredChunk, score: float, similarity: float, bm25: float, evidence: float = 0.0) -> Passage:
    m = row.meta
    return Passage(m.source, m.title, row.id, row.text, m.start, m.end, score, m.path, m.date, m.byline, m.encoding,
                   similarity, bm25, m.outlet, m.readings, evidence)
