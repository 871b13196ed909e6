"""Group the sentences of different articles that report the same thing.

Two sentences from different articles are linked when their embeddings are very close, when two
adjacent lower-case words quoted in one ("diplomatic cover") appear in the other, or when they
share most of their rare words and are close in meaning. Clusters are stars around leaders: the most widely echoed
sentences lead, and a sentence joins a cluster only if it is linked to the leader itself, so
unrelated facts are never chained together through a sentence that mentions both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from .story import Material, Sentence

SAME = 0.78  # cosine at which two sentences say the same thing
QUOTED_AND_CLOSE = 0.45  # ... when they share a quoted phrase
RARE_OVERLAP = 0.4  # share of the lighter sentence's idf weight two sentences have in common ...
RARE_AND_CLOSE = 0.55  # ... and how close they must then be
# Words two sentences may share without sharing content. Not the index's stop words: "no" and
# "will" are content in a quoted phrase ("no limits"), pronouns are not.
_FUNCTION = set(
    "a an the of to in on at for by with and or but as is was are were be been it its this that these those "
    "he she they we i you his her their our from into than then so not".split()
)
_QUOTED = re.compile(r"[\"“‘']([^\"“”‘’']{3,}?)[\"”’']")


@dataclass
class Cluster:
    leader: int  # sentence index
    members: list[int]  # sentence indices, leader first
    sources: list[int]  # article indices, in order of first appearance
    independent: int = 0  # of them, counting wire copies of one story once (0: as many as `sources`)

    @property
    def n_sources(self) -> int:
        return self.independent or len(self.sources)


def normalise(text: str) -> str:
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return " ".join(re.sub(r"[^\w\s'-]", " ", text.lower()).split())


def quoted_pairs(text: str) -> set[str]:
    """Pairs of adjacent content words inside quotation marks ("diplomatic cover"): the
    distinctive words outlets repeat when they report the same remark."""
    out: set[str] = set()
    for raw in _QUOTED.findall(text):
        # names ("President Putin") are not distinctive: keep the words written in lower case
        words = [w if w.islower() else "" for w in re.sub(r"[^\w\s'-]", " ", raw).split()]
        out.update(f"{a} {b}" for a, b in zip(words, words[1:]) if _distinctive(a) and _distinctive(b))
    return out


def _distinctive(word: str) -> bool:
    return word not in _FUNCTION and word.isalpha() and len(word) >= 2


def links(material: Material, idf: dict[str, float]) -> np.ndarray:
    """Boolean matrix: sentence i and j (of different articles) report the same thing."""
    n = len(material.sentences)
    if n == 0:
        return np.zeros((0, 0), dtype=bool)
    sims = material.vectors @ material.vectors.T
    article = np.array([s.article for s in material.sentences])
    other = article[:, None] != article[None, :]
    linked = (sims >= SAME) & other
    normed = [normalise(s.text) for s in material.sentences]
    phrases = [quoted_pairs(s.text) for s in material.sentences]
    # only rare words count: in a small corpus, "first" or "invasion" would otherwise tie anything
    vocabulary = {t for toks in material.tokens for t in toks}
    cut = float(np.median([idf.get(t, 0.0) for t in vocabulary])) if vocabulary else 0.0
    weights = [{t: idf[t] for t in toks if idf.get(t, 0.0) > cut} for toks in material.tokens]
    candidates = np.argwhere(np.triu(other & ~linked & (sims >= QUOTED_AND_CLOSE), k=1))
    for i, j in candidates:
        shared_quote = any(q in normed[j] for q in phrases[i]) or any(q in normed[i] for q in phrases[j])
        if shared_quote or (sims[i, j] >= RARE_AND_CLOSE and _rare_overlap(weights[i], weights[j]) >= RARE_OVERLAP):
            linked[i, j] = linked[j, i] = True
    return linked


def _rare_overlap(a: dict[str, float], b: dict[str, float]) -> float:
    """The idf weight two sentences share, as a share of the lighter sentence's weight."""
    shared = sum(w for t, w in a.items() if t in b)
    lighter = min(sum(a.values()), sum(b.values()))
    return shared / lighter if lighter else 0.0


def cluster(material: Material, linked: np.ndarray) -> list[Cluster]:
    """Star clusters, most widely reported first: the most echoed sentences become leaders (no
    leader is linked to another), then every other sentence joins the linked leader closest to it."""
    sentences = material.sentences
    if not sentences:
        return []
    article = np.array([s.article for s in sentences])
    support = np.array([len(set(article[linked[i]])) for i in range(len(sentences))])
    central = centrality(material)
    order = sorted(range(len(sentences)), key=lambda i: (-support[i], -central[i], sentences[i].article, sentences[i].position))
    leaders: list[int] = []
    for i in order:
        if not any(linked[i, l] for l in leaders):
            leaders.append(i)
    members: dict[int, list[int]] = {l: [l] for l in leaders}
    sims = material.vectors @ material.vectors.T
    for j in range(len(sentences)):
        if j in members:
            continue
        near = [l for l in leaders if linked[j, l]]
        members[max(near, key=lambda l: sims[j, l])].append(j)
    clusters: list[Cluster] = []
    for leader in leaders:
        group = members[leader]
        sources = list(dict.fromkeys(sentences[m].article for m in sorted(group, key=lambda m: sentences[m].article)))
        clusters.append(Cluster(leader, group, sources, material.independent(sources)))
    clusters.sort(key=lambda c: (-c.n_sources, -central[c.leader], sentences[c.leader].position))
    return clusters


def centrality(material: Material) -> np.ndarray:
    """How typical of the whole story a sentence is: mean similarity to its 5 closest sentences elsewhere."""
    sims = material.vectors @ material.vectors.T
    article = np.array([s.article for s in material.sentences])
    sims = np.where(article[:, None] != article[None, :], sims, -1.0)
    k = min(5, max(1, len(material.sentences) - 1))
    top = np.sort(sims, axis=1)[:, -k:]
    return np.where(top > -1.0, top, 0.0).mean(axis=1)


def best_per_source(material: Material, c: Cluster) -> dict[int, Sentence]:
    """For each article of the cluster, its member sentence closest to the leader."""
    leader = material.vectors[c.leader]
    out: dict[int, tuple[float, Sentence]] = {}
    for m in c.members:
        s = material.sentences[m]
        score = float(material.vectors[m] @ leader) + (1.0 if m == c.leader else 0.0)
        if s.article not in out or score > out[s.article][0]:
            out[s.article] = (score, s)
    return {a: out[a][1] for a in c.sources}

