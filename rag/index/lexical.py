"""The BM25 side of hybrid retrieval, on tantivy (an embedded search engine with segment-based,
incremental indexing), kept next to Chroma in RAG_DATA_DIR/lexical.

Chunks are indexed with newsrag's own tokens (lemmatised, then Snowball-stemmed, English stop
words out: `tokenize`), handed to tantivy as pre-tokenized text, so its BM25 scores the same
words the rest of newsrag reasons about. The writer adds a step's chunks and deletes replaced
ones as it writes them to Chroma, and commits (atomically: a crash leaves the last commit);
nothing is rebuilt per ingest. Readers reload the last commit before each search. When the
index and Chroma disagree (a crash between the two writes, another client of a Chroma server,
a tokenizer change), `sync_lexical` repairs it: the writer's job, never a reader's.
"""

from __future__ import annotations

import functools
import json
import math
import shutil
import threading
import uuid
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator, Sequence

from bm25s.stopwords import STOPWORDS_EN

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


# The one list of English stop words (bm25s' copy of Lucene's): the index leaves them out, and the
# briefing's sentence matching does not count them as shared content.
STOPWORDS: frozenset[str] = frozenset(STOPWORDS_EN)


def tokenize(texts: list[str]) -> list[list[str]]:
    """Lower-cased words without English stop words, lemmatised and stemmed (bm25s' tokenizer)."""
    import bm25s

    return bm25s.tokenize(texts, stopwords="en", stemmer=_normaliser(), return_ids=False, show_progress=False)


def index_text(title: str, text: str) -> str:
    """What BM25 sees of a chunk: its article's title, then the chunk."""
    return f"{title}\n{text}" if title else text


_SCHEMA_VERSION = "3"  # bump when the tantivy schema changes: the index is rebuilt from Chroma
_WRITER_HEAP = 50_000_000
# BM25 as newsrag has always scored it (bm25s's defaults): tantivy finds the candidates with its
# own BM25 (k1 = 1.2, lengths quantised) and they are rescored with these, exactly.
K1, B = 1.5, 0.75
_CANDIDATES = 3  # candidates rescored per result asked for


def _schema():
    import tantivy

    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw")  # the chunk id
    builder.add_text_field("doc", stored=False, tokenizer_name="raw")  # the file's doc id, for source filters
    builder.add_text_field("body", stored=True, tokenizer_name="raw", index_option="freq")  # newsrag's tokens
    builder.add_unsigned_field("length", fast=True)  # tokens in the chunk: the average length is BM25's
    builder.add_unsigned_field("day", fast=True, indexed=True)  # publication day (rag/timeframe.py), 0 unknown
    return builder.build()


_OPEN_LOCK = threading.Lock()
_ENGINES: dict[str, object] = {}  # explicit cache: index folder -> opened tantivy index


def _engine(path: Path):
    """The tantivy index in `path`, opened once per process (created when new), and again if the
    folder was deleted underneath (its meta.json is tantivy's own)."""
    import tantivy

    with _OPEN_LOCK:
        engine = _ENGINES.get(str(path))
        if engine is not None and (path / "meta.json").exists():
            return engine
        path.mkdir(parents=True, exist_ok=True)
        engine = tantivy.Index.open(str(path)) if tantivy.Index.exists(str(path)) else tantivy.Index(_schema(), path=str(path))
        _ENGINES[str(path)] = engine
        return engine


def forget_engines(*folders: Path) -> None:
    """Close this process's handles on the builds inside these folders (before they are moved)."""
    with _OPEN_LOCK:
        for key in [k for k in _ENGINES if any(Path(k).is_relative_to(f) for f in folders)]:
            _ENGINES.pop(key, None)


class LexicalIndex:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    # --- reading -------------------------------------------------------------------------
    # `newsrag.json` names the live build (a tantivy folder, `build-<id>`) and the tokenizer and
    # schema it was written with. A full rebuild writes a new build and switches the name
    # atomically; incremental updates commit into the live one.

    def _meta(self) -> dict:
        try:
            meta = json.loads((self.directory / "newsrag.json").read_text())
        except (OSError, ValueError):
            return {}
        return meta if isinstance(meta, dict) else {}

    def current(self) -> bool:
        """Was the live build written by this tokenizer and schema? (Else the next writer
        rebuilds it; readers treat it as empty.)"""
        meta = self._meta()
        return (meta.get("tokenizer"), meta.get("schema")) == (TOKENIZER_VERSION, _SCHEMA_VERSION) and bool(meta.get("build"))

    def _live(self) -> Path | None:
        return self.directory / str(self._meta()["build"]) if self.current() else None

    def _searcher(self):
        live = self._live()
        if live is None:
            return None
        engine = _engine(live)
        engine.reload()  # see the writer's last commit
        return engine.searcher()

    def count(self) -> int:
        searcher = self._searcher()
        return searcher.num_docs if searcher is not None else 0

    def seq(self) -> int:
        """The article manifest's sequence stamp up to which this index holds every change
        (rag/index/follow.py); 0 when unknown."""
        return int(self._meta().get("seq", 0) or 0)

    def set_seq(self, seq: int) -> None:
        meta = self._meta()
        if meta and self.current():
            write_atomic(self.directory / "newsrag.json", json.dumps(meta | {"seq": int(seq)}))

    def ids(self) -> list[str]:
        """Every chunk id in the index, sorted (a full read: for repairs and tests)."""
        import tantivy

        searcher = self._searcher()
        if searcher is None or searcher.num_docs == 0:
            return []
        hits = searcher.search(tantivy.Query.all_query(), limit=searcher.num_docs).hits
        return sorted(searcher.doc(address)["id"][0] for _, address in hits)

    def search(
        self, query: str, n: int, allowed_docs: set[str] | None = None, days: tuple[int, int] | None = None,
        words: dict[str, list[str]] | None = None,
    ) -> list[tuple[str, float]]:
        """Top chunks by BM25 as (id, score), best first; only chunks of `allowed_docs` (doc ids) when
        given, and only chunks published on days first..last (inclusive) when `days` is given. The
        words of every chunk it read (as tokens() gives them) are added to `words` when given."""
        import tantivy

        searcher = self._searcher()
        terms = tokenize([query])[0] if query.strip() else []  # a word asked twice counts twice, as in BM25 over queries
        if searcher is None or not terms or searcher.num_docs == 0:
            return []
        schema = _engine(self._live()).schema
        query_ = tantivy.Query.boolean_query(
            [(tantivy.Occur.Should, tantivy.Query.term_query(schema, "body", t)) for t in terms]
        )
        if allowed_docs is not None:
            if not allowed_docs:
                return []
            only = tantivy.Query.const_score_query(tantivy.Query.term_set_query(schema, "doc", sorted(allowed_docs)), 0.0)
            query_ = tantivy.Query.boolean_query([(tantivy.Occur.Must, query_), (tantivy.Occur.Must, only)])
        if days is not None:
            within = tantivy.Query.range_query(schema, "day", tantivy.FieldType.Unsigned, max(1, days[0]), days[1])
            query_ = tantivy.Query.boolean_query([(tantivy.Occur.Must, query_), (tantivy.Occur.Must, within)])
        hits = searcher.search(query_, limit=n * _CANDIDATES).hits
        docs = [searcher.doc(address) for _, address in hits]
        read = {d.get_first("id"): (d.get_first("body") or "").split() for d in docs}
        if words is not None:
            words.update(read)
        scored = _rescore(searcher, terms, list(read.items()))
        return sorted(scored, key=lambda x: -x[1])[:n]

    def ids_within(self, allowed_docs: set[str] | None, days: tuple[int, int] | None, cap: int) -> list[str] | None:
        """Every chunk id of these files (doc ids) published on these days (inclusive), from the
        index's `doc` terms and `day` fast field; None when more than `cap` chunks match (or the
        index is not current): a caller then filters another way."""
        import tantivy

        searcher = self._searcher()
        if searcher is None:
            return None
        schema = _engine(self._live()).schema
        clauses = []
        if allowed_docs is not None:
            if not allowed_docs:
                return []
            clauses.append((tantivy.Occur.Must, tantivy.Query.term_set_query(schema, "doc", sorted(allowed_docs))))
        if days is not None:
            clauses.append((tantivy.Occur.Must, tantivy.Query.range_query(schema, "day", tantivy.FieldType.Unsigned,
                                                                          max(1, days[0]), days[1])))
        if not clauses:
            return None
        result = searcher.search(tantivy.Query.boolean_query(clauses), limit=cap + 1)
        if len(result.hits) > cap:
            return None
        return [searcher.doc(address).get_first("id") for _, address in result.hits]

    def tokens(self, ids: Sequence[str]) -> dict[str, list[str]]:
        """Each chunk's words as this index holds them (its title's first), by chunk id; chunks it
        does not hold are left out."""
        import tantivy

        searcher = self._searcher()
        if searcher is None or not ids:
            return {}
        schema = _engine(self._live()).schema
        hits = searcher.search(tantivy.Query.term_set_query(schema, "id", list(ids)), limit=len(ids)).hits
        docs = (searcher.doc(address) for _, address in hits)
        return {d.get_first("id"): (d.get_first("body") or "").split() for d in docs}

    def idf(self) -> "Idf":
        """BM25 idf of indexed tokens, looked up as asked for (a Mapping: get, [], rarest)."""
        return Idf(self._searcher())

    # --- writing (the writer holds the write lock) ------------------------------------------

    def update(self, add: Iterable[tuple[str, str, int, list[str]]] = (), delete: Iterable[str] = (),
               delete_docs: Iterable[str] = ()) -> None:
        """Add chunks (id, doc id, day, tokens), delete chunk ids and every chunk of some files
        (doc ids), in one commit to the live build."""
        add, delete, delete_docs = list(add), list(delete), list(delete_docs)
        if not add and not delete and not delete_docs:
            return
        live = self._live() or self._start()
        writer = _engine(live).writer(heap_size=_WRITER_HEAP, num_threads=1)
        try:
            for doc_id in delete_docs:
                writer.delete_documents_by_term("doc", doc_id)
            for cid in delete:
                writer.delete_documents_by_term("id", cid)
            for cid, doc_id, day, tokens in add:
                writer.delete_documents_by_term("id", cid)  # an id is written once, whatever came before
                writer.add_document(_document(cid, doc_id, day, tokens))
            writer.commit()
        except BaseException:
            writer.rollback()
            raise
        finally:
            writer.wait_merging_threads()

    def rebuild(self, chunks: Iterable[tuple[str, str, int, list[str]]]) -> None:
        """A new build holding exactly these chunks (id, doc id, tokens), then switched to live."""
        build = self.directory / f"build-{uuid.uuid4().hex[:12]}"
        writer = _engine(build).writer(heap_size=_WRITER_HEAP, num_threads=1)
        try:
            for cid, doc_id, day, tokens in chunks:
                writer.add_document(_document(cid, doc_id, day, tokens))
            writer.commit()
        finally:
            writer.wait_merging_threads()
        self._switch(build)

    def _start(self) -> Path:
        """An empty build, live (the first write to a new index)."""
        build = self.directory / f"build-{uuid.uuid4().hex[:12]}"
        _engine(build)
        self._switch(build)
        return build

    def _switch(self, build: Path) -> None:
        write_atomic(self.directory / "newsrag.json",
                     json.dumps({"tokenizer": TOKENIZER_VERSION, "schema": _SCHEMA_VERSION, "build": build.name, "seq": 0}))
        for old in self.directory.iterdir():  # older builds, and what earlier versions kept here
            if old != build and (old.name.startswith(("build-", "gen-", "tantivy")) or old.name == "CURRENT"):
                shutil.rmtree(old, ignore_errors=True) if old.is_dir() else old.unlink(missing_ok=True)
                with _OPEN_LOCK:
                    _ENGINES.pop(str(old), None)


def _rescore(searcher, terms: list[str], candidates: list[tuple[str, list[str]]]) -> list[tuple[str, float]]:
    """BM25 (K1, B; idf log(1 + (N - df + 0.5) / (df + 0.5))) of each candidate for the query terms."""
    import tantivy

    if not candidates:
        return []
    n = searcher.num_docs
    average = searcher.aggregate(tantivy.Query.all_query(), {"l": {"avg": {"field": "length"}}})["l"]["value"] or 1.0
    idf = {t: math.log(1 + (n - df + 0.5) / (df + 0.5)) for t in set(terms) if (df := searcher.doc_freq("body", t))}
    out = []
    for cid, tokens in candidates:
        counts, norm = Counter(tokens), K1 * (1 - B + B * len(tokens) / average)
        score = sum(idf[t] * counts[t] * (K1 + 1) / (counts[t] + norm) for t in terms if t in idf and counts[t])
        if score > 0:
            out.append((cid, score))
    return out


def _document(cid: str, doc_id: str, day: int, tokens: list[str]):
    import tantivy

    doc = tantivy.Document()
    doc.add_text("id", cid)
    doc.add_text("doc", doc_id)
    doc.add_unsigned("day", day)
    doc.add_unsigned("length", len(tokens))
    text = " ".join(tokens)
    marks, at = [], 0
    for position, token in enumerate(tokens):
        marks.append(tantivy.Token(token, position, at, at + len(token)))
        at += len(token) + 1
    doc.add_pre_tokenized_text("body", tantivy.PreTokenizedString(text, marks))
    return doc


class Idf(Mapping):
    """BM25 idf, log(1 + (N - df + 0.5) / (df + 0.5)), of the tokens asked for: tantivy keeps the
    document frequencies, so nothing is computed for the whole vocabulary. `rarest` is the idf
    of a token in one chunk, what a word no chunk holds is weighed as."""

    def __init__(self, searcher) -> None:
        self._searcher = searcher
        self._n = searcher.num_docs if searcher is not None else 0
        self._cache: dict[str, float] = {}
        self.rarest = math.log(1 + (self._n - 1 + 0.5) / 1.5) if self._n else 1.0

    def __getitem__(self, token: str) -> float:
        if token not in self._cache:
            df = self._searcher.doc_freq("body", token) if self._searcher is not None else 0
            if df <= 0:
                raise KeyError(token)
            self._cache[token] = math.log(1 + (self._n - df + 0.5) / (df + 0.5))
        return self._cache[token]

    def __iter__(self) -> Iterator[str]:
        return iter(self._cache)  # only the tokens looked up so far: the vocabulary is not listed

    def __len__(self) -> int:
        return len(self._cache)


def rarest(idf: Mapping[str, float]) -> float:
    """The weight of a word no chunk holds: the rarest token's idf."""
    value = getattr(idf, "rarest", None)
    return value if value is not None else max(idf.values(), default=1.0)


def sync_lexical(store: Store, lexical: LexicalIndex, notes: list[str] | None = None, expected: int | None = None) -> int:
    """The writer's repair (under the write lock): make the BM25 index hold exactly the chunks in
    Chroma. Cheap when they agree (BM25's count against `expected`, what the writer knows the
    store holds, else a count of the store); otherwise the ids are compared and only the missing
    chunks are tokenised. Returns the chunk count."""
    if expected is not None and lexical.current() and lexical.count() == expected:
        return expected
    total = store.exact_count()
    if lexical.current() and lexical.count() == total:
        return total
    stored = set(store.all_ids())
    if not lexical.current():
        rows = store.get(sorted(stored))
        lexical.rebuild((cid, row.meta.doc_id, row.meta.day, tokens) for (cid, row), tokens in
                        zip(rows.items(), tokenize([index_text(r.meta.title, r.text) for r in rows.values()])))
        if notes is not None and stored:
            notes.append(f"built the keyword index of {len(stored)} chunks")
        return len(stored)
    have = set(lexical.ids())
    missing, extra = sorted(stored - have), sorted(have - stored)
    rows = store.get(missing)
    texts = [index_text(rows[i].meta.title, rows[i].text) for i in missing if i in rows]
    lexical.update(((i, rows[i].meta.doc_id, rows[i].meta.day, t) for i, t in zip([i for i in missing if i in rows], tokenize(texts))),
                   extra)
    if notes is not None and (missing or extra):
        notes.append(f"brought the keyword index in step: {len(missing)} chunks added, {len(extra)} removed")
    return len(stored)
