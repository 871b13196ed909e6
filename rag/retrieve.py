"""query -> ranked Passages: dense (Chroma) + lexical (BM25), fused by reciprocal rank fusion,
optionally diversified with maximal marginal relevance, optionally restricted to some sources."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from .config import MAX_SOURCES, Settings, check_k, check_list, check_text, load_settings
from .embeddings import load_model
from .indexing import match_sources, refresh_lexical
from .lexical import LexicalIndex
from .schema import StoredChunk
from .store import Store, doc_id_for
from .types import Passage

RRF_K = 60  # the constant of Cormack et al. (2009)
MMR_LAMBDA = 0.7  # relevance vs. novelty


class UnknownSource(ValueError):
    """A source filter that names no ingested file."""


def search(
    query: str,
    k: int | None = None,
    *,
    sources: Sequence[str] | None = None,
    mmr: bool = False,
    settings: Settings | None = None,
) -> list[Passage]:
    """The k passages that best match `query`, best first (empty when the index is).
    k is 1..MAX_K; the query at most MAX_QUESTION_CHARS long (BadRequest otherwise)."""
    query = check_text(query, "query")
    k = check_k(k)
    sources = check_list(sources, "sources", MAX_SOURCES) or None
    settings = load_settings(settings)
    k = k or settings.top_k
    query = (query or "").strip()
    if not query:
        return []
    store = Store(settings)
    total = store.count()
    if total == 0:
        return []
    lexical = LexicalIndex(settings.lexical_dir)
    if len(lexical.ids()) != total:  # an interrupted ingest, another client, or an ingest under way
        refresh_lexical(settings, store, lexical)

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
    allowed_ids = None
    if allowed_docs is not None:
        allowed_ids = {cid for cid in lexical.ids() if cid.split(":", 1)[0] in allowed_docs}
    lexical_hits = lexical.search(query, n, allowed_ids)

    fused: dict[str, float] = {}
    for ranking in (dense, lexical_hits):
        for rank, (cid, _) in enumerate(ranking):
            fused[cid] = fused.get(cid, 0.0) + 1.0 / (RRF_K + rank + 1)
    pool = sorted(fused, key=fused.get, reverse=True)[: max(k, 3 * k if mmr else k)]
    rows = store.get(pool, embeddings=True)
    pool = [cid for cid in pool if cid in rows]
    if not pool:
        return []
    vectors = np.array([rows[cid].embedding for cid in pool], dtype=np.float32)
    similarity = vectors @ qvec
    order = _mmr(vectors, [fused[c] for c in pool], k) if mmr else list(range(min(k, len(pool))))
    bm25 = dict(lexical_hits)
    return [_passage(rows[pool[i]], fused[pool[i]], float(similarity[i]), bm25.get(pool[i], 0.0)) for i in order]


def speaker_passages(
    speaker: str, *, exclude: set[str] = frozenset(), limit: int = 8, settings: Settings | None = None
) -> list[Passage]:
    """Chunks in which `speaker` is quoted or reported (from the speaker index built at ingest)."""
    from .quotes import name_tokens, same_person

    store = Store(load_settings(settings))
    rows: dict[str, StoredChunk] = {}
    for word in name_tokens(speaker):
        rows.update(store.with_speaker(word))
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
