"""The Chroma collection that holds chunks, their vectors and metadata.

Embedded (`PersistentClient` under RAG_DATA_DIR) by default; a Chroma server (`HttpClient`) when
CHROMA_HOST is set. Chunk ids are `<doc_id>:<version>:<index>`, where doc_id is derived from the
file's absolute path and version from its content hash and the chunking settings, so a changed
file or changed settings write new ids and the old ones are removed only after the new are stored.
"""

from __future__ import annotations

import functools
import os
import time
from typing import Any, Iterable, Iterator

import numpy as np
from more_itertools import chunked

from ..config import Settings
from . import embedded
from .articles import MANIFEST_VERSION, Articles
from .schema import ChunkMeta, StoredChunk, StoredDoc, StoredVersion, chunk_id, doc_id_for  # noqa: F401 (re-exported)

_PAGE = 5000
_BUSY_WAIT = 5.0  # seconds a reader waits for a writer's first vectors to reach the disk


def _in(field: str, values: Iterable[str], batch: int = 500) -> list[dict]:
    """`where` clauses selecting chunks whose `field` is one of `values`, a few hundred at a time."""
    return [{field: {"$in": part}} for part in chunked(sorted(set(values)), batch)]


class StoreError(RuntimeError):
    """The index cannot be reached or opened; the message says what to do."""


# What the embedded Chroma says to a reader while another process writes: no vector segment on
# disk yet for the very first vectors, or a vector whose row is not visible yet.
_BEING_WRITTEN = ("nothing found on disk", "segment reader", "error finding id")


def _patiently(call):
    """Run a read; while another process writes (see _BEING_WRITTEN), wait for it briefly, then
    say so plainly."""
    deadline = time.monotonic() + _BUSY_WAIT
    while True:
        try:
            return call()
        except Exception as exc:  # chromadb raises InternalError for this, among other things
            if not any(sign in str(exc).lower() for sign in _BEING_WRITTEN):
                raise
            if time.monotonic() > deadline:
                raise StoreError("the index is being written by an ingest and cannot be searched yet: try again in a moment") from exc
            time.sleep(0.2)


@functools.lru_cache(maxsize=8)
def _server_client(host: str, port: int, ssl: bool):
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    return chromadb.HttpClient(host=host, port=port, ssl=ssl,
                               settings=ChromaSettings(anonymized_telemetry=False, allow_reset=False))


class Store:
    def __init__(self, settings: Settings, check_embedder: bool = True) -> None:
        """Open (or create) the collection; StoreError when it cannot be, or when its vectors were
        made by another embedder than the settings name (unless `check_embedder` is False: what
        `rag reindex` does to read the old index)."""
        from .embeddings import describe, embedding_function, same_embedder

        self.settings = settings
        where = (f"the Chroma server at {settings.chroma_host}:{settings.chroma_port}" if settings.chroma_host
                 else f"the index in {settings.chroma_dir}")
        self._function = function = embedding_function(settings)
        self._generation = 0
        try:
            self._open()
            recorded = (self._collection.configuration_json or {}).get("embedding_function")
            self.max_batch = max(1, min(self.client.get_max_batch_size(), 1000))
            self.written = 0  # chunks this process added, less those it deleted (a change's count, see manifest.py)
        except Exception as exc:  # chromadb raises many types for "cannot connect/open"
            raise StoreError(f"cannot open {where}: {exc}") from exc
        if check_embedder and not same_embedder(recorded, function) and self.collection.count():
            raise StoreError(
                f"the vectors in {where} were made by {describe(recorded)}, and RAG_EMBEDDINGS="
                f"{settings.embeddings} asks for {describe({'type': 'known', 'name': function.name(), 'config': function.get_config()})}: "
                "set the embedder back, or run `rag reindex` to embed every article again with the new one"
            )

    def _open(self) -> None:
        """Get the two collections from this process's client of the index (for the embedded
        index: the client opened again when another process wrote to it, rag/index/embedded.py)."""
        settings = self.settings
        if settings.chroma_host:
            client, generation = _server_client(settings.chroma_host, settings.chroma_port, settings.chroma_ssl), 0
        else:
            settings.chroma_dir.mkdir(parents=True, exist_ok=True)
            self._folder = str(settings.chroma_dir.resolve())
            opened = embedded.client(self._folder)
            client, generation = opened.client, opened.generation
        try:
            collection = client.get_or_create_collection(
                settings.collection, embedding_function=self._function, configuration={"hnsw": {"space": "cosine"}},
            )
        except ValueError as exc:
            if "embedding function" not in str(exc).lower():
                raise
            collection = client.get_collection(settings.collection)  # made by another embedder: said by __init__
        self.client, self._collection, self._generation = client, collection, generation
        self._articles = Articles(client, f"{settings.collection}-articles")

    def _current(self) -> None:
        if not self.settings.chroma_host and embedded.client(self._folder).generation != self._generation:
            self._open()

    @property
    def collection(self):
        """The chunks' collection (opened again first if another process wrote the embedded index)."""
        self._current()
        return self._collection

    @property
    def articles(self) -> Articles:
        """The article manifest (rag/index/articles.py), likewise current."""
        self._current()
        return self._articles

    # --- reading -------------------------------------------------------------------------

    def count(self) -> int:
        """Chunks in the store: as the last completed change left it (the manifest's state, one
        small read), or counted when a change is under way or the manifest does not say (a
        count is tens of milliseconds on a million chunks)."""
        state = self.articles.state()
        if state.version == MANIFEST_VERSION and state.clean and state.chunks >= 0:
            return state.chunks
        return self.exact_count()

    def exact_count(self) -> int:
        """Chunks in the store, counted."""
        return self.collection.count()

    def docs(self, paths: Iterable[str] | None = None) -> dict[str, StoredDoc]:
        """Every stored file (or only those at `paths`), keyed by absolute path, with its stored
        version and chunk ids: read from the article manifest (rag/index/articles.py), or, for an
        index written before it, from the chunks' metadata."""
        if not self.articles.ready():
            return self.scan_docs(paths)
        records = self.articles.all() if paths is None else self.articles.get(doc_id_for(p) for p in paths).values()
        return {r.path: r.stored() for r in records}

    def docs_under(self, folders: Iterable[str | os.PathLike]) -> dict[str, StoredDoc]:
        """The stored files inside these folders (a converted file by its original's place)."""
        roots = [os.fspath(f).rstrip(os.sep) + os.sep for f in folders]
        if self.articles.ready():
            return {r.path: r.stored() for root in roots for r in self.articles.under(root)}
        return {p: d for p, d in self.scan_docs().items() if any((d.original or p).startswith(r) for r in roots)}

    def scan_docs(self, paths: Iterable[str] | None = None) -> dict[str, StoredDoc]:
        """`docs` read from every chunk's metadata (all versions, complete or not): what a repair
        of the manifest reads. Without `paths` this reads the metadata of every chunk."""
        if paths is None:
            return self._docs([None])
        return self._docs(_in("path", paths))

    def complete_versions(self, versions: Iterable[str]) -> dict[str, list[str]]:
        """version -> the chunk ids (in order) of a stored file with that content, complete."""
        if self.articles.ready():
            return {r.version: r.ids for r in self.articles.with_version(versions)}
        docs = self._docs(_in("version", versions))
        return {v: sorted(sv.ids) for doc in docs.values() for v, sv in doc.versions.items() if sv.complete}

    def existing(self, ids: Iterable[str]) -> set[str]:
        """Which of these chunk ids the store holds (a run's progress before an interruption)."""
        out: set[str] = set()
        for part in chunked(sorted(set(ids)), self.max_batch):
            out.update(self.collection.get(ids=list(part), include=[])["ids"])
        return out

    def _docs(self, wheres: list[dict | None]) -> dict[str, StoredDoc]:
        out: dict[str, StoredDoc] = {}
        for where in wheres:
            for ids, metas in self._scan(include=["metadatas"], where=where):
                for cid, raw in zip(ids, metas):
                    meta = ChunkMeta.from_chroma(raw)
                    doc = out.get(meta.path)
                    if doc is None:
                        doc = out[meta.path] = StoredDoc(meta.path, meta.source, meta.title, meta.date, meta.byline,
                                                         meta.encoding, meta.index_version, meta.outlet, meta.original)
                    version = doc.versions.setdefault(meta.version, StoredVersion(meta.n_chunks))
                    if cid not in version.ids:
                        version.ids.append(cid)
        return out

    def metadata(self) -> Iterator[ChunkMeta]:
        """Every chunk's metadata, page by page (no texts, no vectors)."""
        for _, metas in self._scan(include=["metadatas"]):
            yield from (ChunkMeta.from_chroma(m) for m in metas)

    def all_ids(self) -> list[str]:
        return [cid for ids, _ in self._scan(include=[]) for cid in ids]

    def _scan(self, include: list[str], where: dict | None = None) -> Iterable[tuple[list[str], list[dict[str, Any]]]]:
        offset = 0
        while True:
            page = self.collection.get(include=include, where=where, limit=_PAGE, offset=offset)
            ids = page["ids"]
            if not ids:
                return
            yield ids, page.get("metadatas") or [{}] * len(ids)
            offset += len(ids)

    def get(self, ids: list[str], embeddings: bool = False) -> dict[str, StoredChunk]:
        """The chunks with these ids that exist (with their vectors when asked)."""
        include = ["documents", "metadatas"] + (["embeddings"] if embeddings else [])
        out: dict[str, StoredChunk] = {}
        for part in chunked(ids, self.max_batch):
            for page in self._readable(part, include):
                for i, cid in enumerate(page["ids"]):
                    vector = page["embeddings"][i] if embeddings else None
                    out[cid] = StoredChunk(cid, page["documents"][i], ChunkMeta.from_chroma(page["metadatas"][i]), vector)
        return out

    def article_vectors(self, paths: list[str]) -> dict[str, np.ndarray]:
        """path -> the article's vector (the mean of its chunks', unit length): kept in the manifest."""
        if self.articles.ready():
            by_id = self.articles.vectors(doc_id_for(p) for p in paths)
            return {p: by_id[doc_id_for(p)] for p in paths if doc_id_for(p) in by_id}
        out = {}
        for path, doc in self.scan_docs(paths).items():
            rows = self.vectors(doc.ids)
            mean = np.mean(list(rows.values()), axis=0)
            out[path] = mean / (np.linalg.norm(mean) or 1.0)
        return out

    def count_docs(self) -> int:
        """How many files the store holds (each has a first chunk), without reading their metadata."""
        if self.articles.ready():
            return self.articles.count()
        return sum(len(ids) for ids, _ in self._scan(include=[], where={"chunk_index": 0}))

    def vectors(self, ids: list[str]) -> dict[str, np.ndarray]:
        """The stored vectors of these chunks (those that exist), without their text."""
        out: dict[str, np.ndarray] = {}
        for part in chunked(ids, self.max_batch):
            for page in self._readable(part, ["embeddings"]):
                out.update(zip(page["ids"], np.asarray(page["embeddings"], dtype=np.float32)))
        return out

    def _readable(self, ids: list[str], include: list[str]) -> Iterator[dict]:
        """Pages of these chunks. While another process writes, the embedded Chroma may refuse a
        page for one chunk it is writing ("Error finding id"): the rest are read, halving the
        page, and that chunk is left out, as a chunk deleted meanwhile would be."""
        try:
            yield self.collection.get(ids=ids, include=include)
        except Exception as exc:
            if not any(sign in str(exc).lower() for sign in _BEING_WRITTEN):
                raise
            if len(ids) > 1:
                yield from self._readable(ids[: len(ids) // 2], include)
                yield from self._readable(ids[len(ids) // 2 :], include)

    def with_speaker(self, word: str) -> dict[str, StoredChunk]:
        """Chunks in which someone whose name holds `word` (lower case) is quoted or reported."""
        page = self.collection.get(where={"speakers": {"$contains": word.lower()}}, include=["documents", "metadatas"])
        return {cid: StoredChunk(cid, t, ChunkMeta.from_chroma(m))
                for cid, t, m in zip(page["ids"], page["documents"], page["metadatas"])}

    def query(self, vector, n: int, where: dict | None = None, ids: list[str] | None = None) -> list[tuple[str, float]]:
        """Nearest chunks as (id, cosine similarity), best first (fewer when the store holds fewer),
        among the chunks a `where` selects or among these `ids` (much faster than a `where` on a
        large collection: Chroma then reads every chunk's metadata)."""
        if n <= 0 or (ids is not None and not ids):
            return []
        res = _patiently(lambda: self.collection.query(
            query_embeddings=[list(map(float, vector))], n_results=n, where=where, ids=ids, include=["distances"]
        ))
        return [(cid, 1.0 - float(d)) for cid, d in zip(res["ids"][0], res["distances"][0])]

    # --- writing -------------------------------------------------------------------------

    def upsert(self, ids: list[str], vectors, texts: list[str], metas: list[ChunkMeta]) -> None:
        """Write new chunks (newsrag upserts only ids that are not stored: `written` counts them)."""
        self.written += len(ids)
        for part in chunked(zip(ids, vectors, texts, metas), self.max_batch):
            p_ids, p_vectors, p_texts, p_metas = zip(*part)
            self.collection.upsert(ids=list(p_ids), embeddings=[list(map(float, v)) for v in p_vectors],
                                   documents=list(p_texts), metadatas=[m.to_chroma() for m in p_metas])

    def update_metadata(self, ids: list[str], metas: list[ChunkMeta]) -> None:
        for part in chunked(zip(ids, metas), self.max_batch):
            self.collection.update(ids=[i for i, _ in part], metadatas=[m.to_chroma() for _, m in part])

    def delete(self, ids: list[str]) -> None:
        self.written -= len(ids)
        for part in chunked(ids, self.max_batch):
            self.collection.delete(ids=part)

