"""Wire copies: the same agency story carried by several outlets, sometimes lightly edited (a new
headline, a sentence added or cut, another byline). Such articles are one source of
corroboration, however many files hold them: "reported by N of M sources" counts them once.

Near-duplicates are found by MinHash over word 5-grams of the article text (datasketch), with
LSH at a Jaccard similarity of COPY_SIMILARITY; groups are the connected pairs. Only the articles
at hand are compared (a briefing's, the sources an answer counts), so the cost stays small.
"""

from __future__ import annotations

import re

from datasketch import MinHash, MinHashLSH

COPY_SIMILARITY = 0.5  # Jaccard similarity of word 5-grams above which two articles are copies
SHINGLE = 5
NUM_PERM = 128
_WORD = re.compile(r"\w+")


def signature(text: str) -> MinHash:
    words = _WORD.findall(text.lower())
    grams = {" ".join(words[i : i + SHINGLE]) for i in range(max(1, len(words) - SHINGLE + 1))}
    sig = MinHash(num_perm=NUM_PERM)
    sig.update_batch([g.encode("utf-8") for g in grams])
    return sig


def copy_groups(texts: dict) -> dict:
    """Each key (an article) -> the key that stands for its group of copies (the first in order);
    an article with no copy stands for itself."""
    keys = list(texts)
    if len(keys) < 2:
        return {k: k for k in keys}
    sigs = {k: signature(texts[k]) for k in keys}
    lsh = MinHashLSH(threshold=COPY_SIMILARITY, num_perm=NUM_PERM)
    for k in keys:
        lsh.insert(k, sigs[k])
    parent = {k: k for k in keys}

    def root(k: str) -> str:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    order = {k: i for i, k in enumerate(keys)}
    for k in keys:
        for other in lsh.query(sigs[k]):
            if other != k and sigs[k].jaccard(sigs[other]) >= COPY_SIMILARITY:
                a, b = root(k), root(other)
                if a != b:  # the earlier one stands for both
                    parent[max(a, b, key=order.get)] = min(a, b, key=order.get)
    return {k: root(k) for k in keys}
