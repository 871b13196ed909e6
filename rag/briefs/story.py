"""The material of a briefing: the sentences of the articles about a story, with who said them.

Without a topic: every ingested article (the largest story's when there are many). With a
topic: the passages retrieval finds for it. Each sentence keeps its exact span in its file and
the statement recorded for it in the speaker index built at ingest time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from ..index.copies import group
from ..index.library import wire_signatures
from ..indexing.documents import parse
from ..index.embeddings import embed_cached
from ..answering.evidence import document_view
from ..answering.injection import looks_like_instruction
from ..index.lexical import tokenize
from ..answering.retrieve import search
from ..index.opened import Index
from ..index.store import Store, StoredDoc

MAX_ARTICLES = 30  # a briefing is one page: more articles than this need a topic
RECENT_ARTICLES = 2000  # with no topic, the largest story is looked for among this many latest articles
TOPIC_PASSAGES = 16
MIN_WORDS = 6
_CAPTION = re.compile(r"\(Photo\b|\bPhoto:|\bPhoto by\b|/Getty Images|/AFP\b|/Reuters\)|\bvia Reuters\)", re.I)
_WORDS = re.compile(r"\w+")


@dataclass
class Article:
    path: str
    source: str
    name: str
    title: str
    byline: str
    date: str
    encoding: str
    outlet: str = ""


@dataclass
class Sentence:
    index: int
    article: int  # index into Material.articles
    start: int
    end: int
    text: str
    position: int  # order within its article
    chunk_id: str
    speaker: str | None = None
    direct: bool = False


@dataclass
class Material:
    articles: list[Article]
    sentences: list[Sentence]
    vectors: np.ndarray  # one unit vector per sentence
    tokens: list[set[str]]  # stemmed content words per sentence
    notes: list[str] = field(default_factory=list)
    focus: np.ndarray | None = None  # the topic's vector, when there is a topic
    copy_of: list[int] = field(default_factory=list)  # per article: the article its wire copy group counts as

    def independent(self, articles) -> int:
        """How many independent sources these articles are (copies of one wire story count once)."""
        return len({self.copy_of[a] if self.copy_of else a for a in articles})

    def relevance(self) -> np.ndarray:
        """How much each sentence is about the topic (1.0 for all when there is none)."""
        if self.focus is None or not len(self.sentences):
            return np.ones(len(self.sentences))
        return self.vectors @ self.focus

    def article_of(self, s: Sentence) -> Article:
        return self.articles[s.article]


def gather(index: Index, topic: str | None = None) -> Material:
    store = index.store
    notes: list[str] = []
    if topic:
        passages = search(topic, TOPIC_PASSAGES, mmr=True, index=index)
        spans: dict[str, list[tuple[int, int, str]]] = {}
        for p in passages:
            spans.setdefault(p.path, []).append((p.start, p.end, p.chunk_id))
        stored = store.docs(spans)
        chosen = [stored[path] for path in spans if path in stored]
    else:
        chosen = _main_story(store, store.docs(), notes)
        spans = {}

    articles: list[Article] = []
    sentences: list[Sentence] = []
    for doc in chosen:
        rows = store.get(doc.ids)
        view = document_view(doc.path, doc.encoding)
        if view is None or any(view.raw[r.meta.start : r.meta.end] != r.text for r in rows.values()):
            notes.append(f"{doc.source} changed since it was ingested and was left out: run `rag ingest` again")
            continue
        said = {(st.start, st.end): st for r in rows.values() for st in r.meta.statements}
        chunks = spans.get(doc.path) or [(r.meta.start, r.meta.end, cid) for cid, r in rows.items()]
        article = len(articles)
        articles.append(_article(doc, view.raw))
        seen: set[tuple[int, int]] = set()
        for position, span in enumerate(view.sentences):
            chunk = next((c for c in chunks if c[0] <= span.start and span.end <= c[1]), None)
            text = view.raw[span.start : span.end]
            if chunk is None or (span.start, span.end) in seen or not _usable(text) or _caption(view.raw, span):
                continue
            seen.add((span.start, span.end))
            st = said.get((span.start, span.end))
            sentences.append(
                Sentence(len(sentences), article, span.start, span.end, text, position, chunk[2],
                         st.speaker if st else None, bool(st and st.direct))
            )
    texts = [s.text for s in sentences]
    vectors = embed_cached(texts)
    tokens = [set(t) for t in tokenize(texts)] if texts else []
    focus = embed_cached([topic])[0] if topic else None
    signatures = wire_signatures(index, {a.path: a.encoding for a in articles})  # wire copies count once
    groups = group({n: signatures.get(a.path) for n, a in enumerate(articles)})
    return Material(articles, sentences, vectors, tokens, notes, focus, [groups[a] for a in range(len(articles))])


def _caption(raw: str, span) -> bool:
    """The sentence is part of a photo caption (its line carries a photo credit)."""
    line_end = raw.find("\n", span.end)
    line = raw[raw.rfind("\n", 0, span.start) + 1 : line_end if line_end >= 0 else len(raw)]
    return bool(_CAPTION.search(line))


def _usable(text: str) -> bool:
    return len(_WORDS.findall(text)) >= MIN_WORDS and not _CAPTION.search(text) and not looks_like_instruction(text)


def _article(doc: StoredDoc, raw: str) -> Article:
    return Article(
        path=doc.path,
        source=doc.source,
        name=doc.name,
        title=doc.title,
        byline=doc.byline,
        date=doc.date,
        encoding=doc.encoding,
        outlet=doc.outlet or parse(raw).outlet,  # (an index written before outlets were stored)
    )


def _main_story(store: Store, stored: dict[str, StoredDoc], notes: list[str]) -> list[StoredDoc]:
    """All articles when there are few; else the MAX_ARTICLES closest to the densest one among
    the RECENT_ARTICLES latest (by publication date, undated last)."""
    docs = sorted(stored.values(), key=lambda d: d.source)
    if len(docs) <= MAX_ARTICLES:
        return docs
    recent = sorted(docs, key=lambda d: d.date or "", reverse=True)[:RECENT_ARTICLES]
    vectors = store.article_vectors([d.path for d in recent])
    recent = [d for d in recent if d.path in vectors]
    matrix = np.array([vectors[d.path] for d in recent])
    sims = matrix @ matrix.T
    density = np.sort(sims, axis=1)[:, -min(10, len(recent)) :].mean(axis=1)
    centre = int(np.argmax(density))
    nearest = np.argsort(-sims[centre])[:MAX_ARTICLES]
    among = f" among the {len(recent)} latest" if len(recent) < len(docs) else ""
    notes.append(
        f"{len(docs)} articles are ingested; this briefing covers the {MAX_ARTICLES} on the largest story{among}. "
        "Use a topic (rag brief --topic ...) for another."
    )
    chosen = {recent[i].path for i in nearest}
    return [d for d in docs if d.path in chosen]
