"""query -> ranked Passages: dense (Chroma) + lexical (BM25), fused by reciprocal rank fusion,
optionally diversified with maximal marginal relevance, optionally restricted to some sources."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from ..config import MAX_SOURCES, Settings, check_k, check_list, check_text
from ..index.embeddings import load_model
from ..index.opened import Index, open_index
from ..indexing.run import match_sources
from ..index.schema import StoredChunk
from ..index.store import doc_id_for
from ..types import Passage

RRF_K = 60  # the constant of Cormack et al. (2009)
MMR_LAMBDA = 0.7  # relevance vs. novelty


class UnknownSource(ValueError):
    """A source filter that names no ingested file."""


@dataclass(frozen=True)
class Retrieved:
    passages: list[Passage]
    total: int  # chunks in the store when the search ran (0: the index is empty)
    lexical_out_of_step: bool  # BM25 does not hold the chunks the store holds (see rag/index/opened.py)


def search(
    query: str,
    k: int | None = None,
    *,
    sources: Sequence[str] | None = None,
    mmr: bool = False,
    settings: Settings | None = None,
    index: Index | None = None,
) -> list[Passage]:
    """The k passages that best match `query`, best first (empty when the index is).
    k is 1..MAX_K; the query at most MAX_QUESTION_CHARS long (BadRequest otherwise)."""
    query = check_text(query, "query")
    k = check_k(k)
    sources = check_list(sources, "sources", MAX_SOURCES) or None
    return retrieve(open_index(settings, index), query, k, sources=sources, mmr=mmr).passages


def retrieve(
    index: Index, query: str, k: int | None = None, *, sources: Sequence[str] | None = None, mmr: bool = False
) -> Retrieved:
    """search() with what a caller inside newsrag also wants to know: the store's size and
    whether BM25 is in step (arguments already checked)."""
    k = k or index.settings.top_k
    query = (query or "").strip()
    total = index.count() if query else 0
    if total == 0:
        return Retrieved([], total, False)
    store, lexical = index.store, index.lexical
    behind = lexical.count() != total  # read as it is: repairing it is the writer's job

    where, allowed_docs = None, None
    if sources:
        docs = match_sources(store.docs().values(), list(sources))
        if not docs:
            raise UnknownSource(f"no ingested file matches {', '.join(sources)}")
        allowed_docs = {doc_id_for(d.path) for d in docs}
        where = {"path": {"$in": [d.path for d in docs]}}

    n = min(total, max(50, 5 * k))
    qvec = load_model().embed([query])[0]
    dense = store.query(qvec, n, where)
    lexical_hits = lexical.search(query, n, allowed_docs)

    fused: dict[str, float] = {}
    for ranking in (dense, lexical_hits):
        for rank, (cid, _) in enumerate(ranking):
            fused[cid] = fused.get(cid, 0.0) + 1.0 / (RRF_K + rank + 1)
    pool = sorted(fused, key=fused.get, reverse=True)[: max(k, 3 * k if mmr else k)]
    rows = store.get(pool, embeddings=True)  # BM25 ids no longer in the store drop out here
    pool = [cid for cid in pool if cid in rows]
    if not pool:
        return Retrieved([], total, behind)
    vectors = np.array([rows[cid].embedding for cid in pool], dtype=np.float32)
    similarity = vectors @ qvec
    order = _mmr(vectors, [fused[c] for c in pool], k) if mmr else list(range(min(k, len(pool))))
    bm25 = dict(lexical_hits)
    passages = [_passage(rows[pool[i]], fused[pool[i]], float(similarity[i]), bm25.get(pool[i], 0.0)) for i in order]
    return Retrieved(passages, total, behind)


def speaker_passages(index: Index, speaker: str, *, exclude: set[str] = frozenset(), limit: int = 8) -> list[Passage]:
    """Chunks in which `speaker` is quoted or reported (from the speaker index built at ingest)."""
    from ..indexing.quotes import name_tokens, same_person

    rows: dict[str, StoredChunk] = {}
    for word in name_tokens(speaker):
        rows.update(index.store.with_speaker(word))
    hits = [
        (row, sum(same_person(speaker, st.speaker) for st in row.meta.statements))
        for cid, row in rows.items()
        if cid not in exclude
    ]
    hits = sorted((h for h in hits if h[1]), key=lambda h: (-h[1], h[0].id))[:limit]
    return [_passage(row, 0.0, 0.0, 0.0) for row, _ in hits]


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


def _passage(row: StoredChunk, score: float, similarity: float, bm25: float) -> Passage:
    m = row.meta
    return Passage(m.source, m.title, row.id, row.text, m.start, m.end, score, m.path, m.date, m.byline, m.encoding,
                   similarity, bm25)
