"""Wire copies: the same agency story carried by several outlets, sometimes lightly edited (a new
headline, a sentence added or cut, another byline). Such articles are one source of
corroboration, however many files hold them: "reported by N of M sources" counts them once.

Near-duplicates are found by MinHash over word 5-grams of the article's body (datasketch), with
LSH at a Jaccard similarity of COPY_SIMILARITY; groups are the connected pairs. Each article's
signature and LSH band keys are computed once, at ingest, and kept in the article manifest
(rag/index/articles.py): a new article's copies are found by its band keys among all the
articles of the index, and groups are formed from stored signatures, never by re-reading texts.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import re
from typing import Hashable, Mapping

import numpy as np
from datasketch import MinHash, MinHashLSH

COPY_SIMILARITY = 0.5  # Jaccard similarity of word 5-grams above which two articles are copies
SHINGLE = 5
NUM_PERM = 128
SCHEME = "affine32"  # datasketch 2's hash scheme: 32-bit values, which is how signatures are packed
_WORD = re.compile(r"\w+")


def signature(text: str) -> MinHash:
    words = _WORD.findall(text.lower())
    grams = {" ".join(words[i : i + SHINGLE]) for i in range(max(1, len(words) - SHINGLE + 1))}
    sig = MinHash(num_perm=NUM_PERM, scheme=SCHEME, permutations=_permutations())
    sig.update_batch([g.encode("utf-8") for g in grams])
    return sig


@functools.lru_cache(maxsize=1)
def _permutations() -> np.ndarray:
    """The hash permutations every signature uses (drawn from datasketch's fixed seed; drawing
    them again for each article took longer than hashing a short one)."""
    return MinHash(num_perm=NUM_PERM, scheme=SCHEME).permutations


def pack(sig: MinHash) -> str:
    """A signature as text (base64 of its 128 32-bit hash values), for the manifest."""
    return base64.b64encode(np.asarray(sig.hashvalues, dtype="<u4").tobytes()).decode("ascii")


def unpack(text: str) -> MinHash | None:
    """The signature `pack` wrote; None for anything else (an article stored before signatures)."""
    try:
        values = np.frombuffer(base64.b64decode(text.encode("ascii"), validate=True), dtype="<u4")
    except (ValueError, TypeError):
        return None
    if len(values) != NUM_PERM:
        return None
    return MinHash(num_perm=NUM_PERM, hashvalues=values.astype(np.uint32), scheme=SCHEME)


@functools.lru_cache(maxsize=1)
def _bands() -> tuple[int, int]:
    """(bands, rows per band) that datasketch's LSH chooses for COPY_SIMILARITY."""
    lsh = MinHashLSH(threshold=COPY_SIMILARITY, num_perm=NUM_PERM)
    return lsh.b, lsh.r


def band_keys(sig: MinHash) -> list[str]:
    """The LSH buckets of a signature: two articles that share one are candidate copies."""
    b, r = _bands()
    values = np.asarray(sig.hashvalues, dtype="<u4")
    return [f"{i:02d}{hashlib.sha1(values[i * r : (i + 1) * r].tobytes()).hexdigest()[:14]}" for i in range(b)]


def is_copy(a: MinHash, b: MinHash) -> bool:
    return a.jaccard(b) >= COPY_SIMILARITY


def group(signatures: Mapping[Hashable, MinHash | None]) -> dict:
    """Each key -> the key that stands for its group of copies (the first in order); an article
    with no copy (or no signature) stands for itself."""
    keys = list(signatures)
    parent = {k: k for k in keys}
    order = {k: i for i, k in enumerate(keys)}

    def root(k):
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    buckets: dict[str, list] = {}
    for k in keys:
        sig = signatures[k]
        if sig is None:
            continue
        for key in band_keys(sig):
            for other in buckets.setdefault(key, []):
                a, b = root(k), root(other)
                if a != b and is_copy(sig, signatures[other]):
                    parent[max(a, b, key=order.get)] = min(a, b, key=order.get)  # the earlier one stands for both
            buckets[key].append(k)
    return {k: root(k) for k in keys}


def copy_groups(texts: Mapping[Hashable, str]) -> dict:
    """`group` for texts at hand (articles with no stored signature)."""
    return group({k: signature(t) for k, t in texts.items()})
