"""The BM25 side of hybrid retrieval (bm25s), persisted next to Chroma.

The index is derived from the Chroma collection and kept in step with it at ingest time:
per-chunk tokens are cached, so an update tokenises only new chunks; BM25's statistics (idf,
average length) are global, so the sparse score matrix is recomputed from the cached tokens
when the set of chunks changes (well under a second for thousands of chunks). Queries only
load the saved matrix, once per process and generation.

Layout: `<lexical_dir>/CURRENT` names the live generation directory, which holds bm25s's files,
`ids.json` (row -> chunk id) and `tokens.json` (chunk id -> tokens). A new generation is written
in full before CURRENT is switched atomically, so a crash never leaves a half-written index.
"""

from __future__ import annotations

import functools
import json
import shutil
import time
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..atomic import write_atomic

if TYPE_CHECKING:
    from .store import Store

TOKENIZER_VERSION = "2"  # bump when tokenize() changes: indexes are rebuilt from Chroma


@functools.lru_cache(maxsize=1)
def _normaliser():
    """Lemmatise (simplemma: met -> meet, children -> child), then Snowball-stem."""
    import simplemma
    import Stemmer

    stemmer = Stemmer.Stemmer("english")

    def normalise(words: list[str]) -> list[str]:
        return stemmer.stemWords([simplemma.lemmatize(w, lang="en").lower() for w in words])

    return normalise


def tokenize(texts: list[str]) -> list[list[str]]:
    """Lower-cased words without English stop words, lemmatised and stemmed (bm25s' tokenizer)."""
    import bm25s

    return bm25s.tokenize(texts, stopwords="en", stemmer=_normaliser(), return_ids=False, show_progress=False)


def index_text(title: str, text: str) -> str:
    """What BM25 sees of a chunk: its article's title, then the chunk."""
    return f"{title}\n{text}" if title else text


class LexicalIndex:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    # --- reading -------------------------------------------------------------------------

    def generation(self) -> str | None:
        """The live generation: CURRENT names it (a few bytes read per call); whether it was
        written by this tokenizer is read once per generation."""
        try:
            name = (self.directory / "CURRENT").read_text().strip()
        except OSError:
            return None
        return name if name and _current(str(self.directory), name) else None  # else rebuilt by the next ingest

    def ids(self) -> list[str]:
        return self.loaded()[1]

    def loaded(self):
        """(bm25s model, row ids) of the live generation, or (None, []). A generation replaced
        while it was being read is retried once with the new one."""
        for _ in range(2):
            gen = self.generation()
            if gen is None:
                return None, []
            try:
                return _load(str(self.directory), gen)
            except (OSError, ValueError):
                continue
        return None, []

    def search(self, query: str, n: int, allowed: set[str] | None = None) -> list[tuple[str, float]]:
        """Top chunks by BM25 as (id, score), best first; only ids in `allowed` when given."""
        bm25, ids = self.loaded()
        if not ids:
            return []
        tokens = [t for t in tokenize([query])[0] if t in bm25.vocab_dict]
        if not tokens:
            return []
        scores = bm25.get_scores(tokens)
        if allowed is not None:
            mask = np.fromiter((cid in allowed for cid in ids), dtype=bool, count=len(ids))
            scores = np.where(mask, scores, 0.0)
        top = np.argsort(-scores)[:n]
        return [(ids[i], float(scores[i])) for i in top if scores[i] > 0]

    def idf(self) -> dict[str, float]:
        """BM25 idf of every indexed token (stemmed), from the saved matrix's column counts."""
        for _ in range(2):
            gen = self.generation()
            if gen is None:
                return {}
            try:
                return _idf(str(self.directory), gen)
            except (OSError, ValueError):
                continue
        return {}

    # --- writing -------------------------------------------------------------------------

    def cached_tokens(self) -> dict[str, list[str]]:
        gen = self.generation()
        if gen is None:
            return {}
        try:
            data = json.loads((self.directory / gen / "tokens.json").read_text())
        except (OSError, ValueError):
            return {}
        if data.get("version") != TOKENIZER_VERSION:
            return {}
        return data["tokens"]

    def rebuild(self, ids: list[str], tokens: dict[str, list[str]]) -> None:
        """Write a new generation for exactly these chunk ids (tokens must cover them)."""
        import bm25s

        self.directory.mkdir(parents=True, exist_ok=True)
        gen = f"gen-{time.time_ns()}"
        target = self.directory / gen
        target.mkdir()
        ids = sorted(ids)
        if ids:
            bm25 = bm25s.BM25()
            bm25.index([tokens[i] for i in ids], show_progress=False)
            bm25.save(str(target), show_progress=False)
        (target / "tokens.json").write_text(
            json.dumps({"version": TOKENIZER_VERSION, "tokens": {i: tokens[i] for i in ids}})
        )
        (target / "ids.json").write_text(json.dumps({"version": TOKENIZER_VERSION, "ids": ids}))
        # written last: marks the generation complete, and is all a reader needs to check it
        (target / "meta.json").write_text(json.dumps({"version": TOKENIZER_VERSION, "chunks": len(ids)}))
        write_atomic(self.directory / "CURRENT", gen)
        # the generation just replaced stays one round, for readers that are loading it right now
        for old in sorted(self.directory.glob("gen-*"), key=lambda p: p.name)[:-2]:
            shutil.rmtree(old, ignore_errors=True)


@functools.lru_cache(maxsize=16)
def _current(directory: str, gen: str) -> bool:
    """Was this generation written, completely, by the current tokenizer? (Generations never
    change once written, so the answer is cached.)"""
    path = Path(directory) / gen
    try:
        meta = json.loads((path / "meta.json").read_text())
    except FileNotFoundError:  # written before meta.json existed: its ids.json says
        try:
            meta = json.loads((path / "ids.json").read_text())
        except (OSError, ValueError):
            return False
    except (OSError, ValueError):
        return False
    return isinstance(meta, dict) and meta.get("version") == TOKENIZER_VERSION


@functools.lru_cache(maxsize=4)
def _load(directory: str, gen: str):
    """One generation in memory (explicit cache; a new generation has a new key)."""
    import bm25s

    path = Path(directory) / gen
    ids = json.loads((path / "ids.json").read_text())["ids"]
    if not ids:
        return None, []
    return bm25s.BM25.load(str(path), show_progress=False), ids


@functools.lru_cache(maxsize=4)
def _idf(directory: str, gen: str) -> dict[str, float]:
    bm25, ids = _load(directory, gen)
    if bm25 is None:
        return {}
    df = np.diff(np.asarray(bm25.scores["indptr"]))
    n = len(ids)
    return {tok: float(np.log(1 + (n - df[i] + 0.5) / (df[i] + 0.5))) for tok, i in bm25.vocab_dict.items() if i < len(df)}


def sync_lexical(
    store: Store, lexical: LexicalIndex, known_texts: dict[str, str] | None = None, notes: list[str] | None = None
) -> int:
    """The writer's job (under the write lock): make the BM25 index hold exactly the chunks in
    Chroma, tokenising only chunks it has no tokens for; returns the chunk count. `known_texts`:
    chunk id -> text, for chunks written in this run."""
    ids = store.all_ids()
    if sorted(ids) == lexical.ids() and not known_texts:
        return len(ids)
    cached = lexical.cached_tokens()
    known_texts = known_texts or {}
    tokens = {i: cached[i] for i in ids if i in cached and i not in known_texts}
    fresh = [i for i in ids if i in known_texts]
    missing = [i for i in ids if i not in tokens and i not in known_texts]
    if missing:
        rows = store.get(missing)
        for i in missing:
            known_texts[i] = index_text(rows[i].meta.title, rows[i].text)
        fresh += missing
        if notes is not None and cached:
            notes.append(f"rebuilt the lexical index entries of {len(missing)} chunks")
    if fresh:
        for i, toks in zip(fresh, tokenize([known_texts[i] for i in fresh])):
            tokens[i] = toks
    lexical.rebuild(ids, tokens)
    return len(ids)
