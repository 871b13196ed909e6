"""One small protocol for every answer backend.

A backend gets the question, the numbered passages (already within its token budget) and,
for language models, the chat messages built from prompts/; it yields text deltas in which
claims carry [n] passage markers. Retrieval, prompt assembly, citation mapping and
verification, abstention and fallback all live outside the backends (rag/answering/pipeline.py), so the
three behave the same to a user.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator, Protocol, Sequence

from ...config import Settings
from ...limits import BACKENDS
from ...types import Passage

if TYPE_CHECKING:
    from ..selection import Evidence


@dataclass(frozen=True)
class Request:
    question: str
    passages: Sequence[Passage]
    messages: list[dict[str, str]] = field(default_factory=list)  # for language models
    max_tokens: int = 512
    evidence: "Evidence | None" = None  # what the passages hold for the question, found once before any backend runs


class BackendError(RuntimeError):
    """The backend could not answer (endpoint down, timeout, rate limit, bad model ...).
    The message is safe to show: it never contains a key."""


class Generator(Protocol):
    name: str
    context_tokens: int | None  # the model's window; None when there is no model

    def generate(self, request: Request) -> Iterator[str]: ...


def local_model_path(settings: Settings, *, join: bool = False) -> Path | None:
    """The GGUF file of the local backend, when one is configured and xllamacpp is installed.
    RAG_LOCAL_MODEL is a .gguf path or a packaged model's name (`rag model`); with `join`, a named
    model whose parts are installed is joined into the data dir now (else it only counts as there)."""
    if not settings.local_model or importlib.util.find_spec("xllamacpp") is None:
        return None
    from .packaged import MODELS, installed, model_dir, parts_installed, resolve

    model = MODELS.get(settings.local_model)
    if model is not None and not join:
        done = installed(model, settings.data_dir)
        return done or (model_dir(settings.data_dir) / model.filename if parts_installed(model) else None)
    return resolve(settings.local_model, settings.data_dir)


@dataclass(frozen=True)
class _Backend:
    module: str  # the module of this package that holds it (imported only when it is used)
    generator: str  # the class in that module
    configured: Callable[[Settings], bool]  # can it run with these settings?


_REGISTRY = {
    "extractive": _Backend("extractive", "ExtractiveGenerator", lambda s: True),
    "openai": _Backend("openai_compat", "OpenAIGenerator", lambda s: bool(s.openai_api_key or s.openai_base_url)),
    "local": _Backend("local", "LocalGenerator", lambda s: local_model_path(s) is not None),
}
_AUTO_ORDER = ("openai", "local", "extractive")  # what `auto` prefers, among the configured ones
assert tuple(_REGISTRY) == BACKENDS and set(_AUTO_ORDER) == set(BACKENDS)


def resolve_backend(settings: Settings, requested: str | None = None) -> str:
    """auto: openai when an endpoint or key is configured, else the local model, else extractive."""
    name = (requested or settings.backend or "auto").lower()
    if name == "auto":
        return next(n for n in _AUTO_ORDER if _REGISTRY[n].configured(settings))
    if name not in _REGISTRY:
        raise ValueError(f"unknown backend {name!r}: choose one of auto, {', '.join(BACKENDS)}")
    return name


def available_backends(settings: Settings) -> list[str]:
    """The backends that can run with these settings, in the order of BACKENDS."""
    return [n for n in BACKENDS if _REGISTRY[n].configured(settings)]


def backends(settings: Settings | None = None) -> tuple[list[str], str]:
    """(the backends that can run here, the one `auto` picks)."""
    from ...config import load_settings

    settings = load_settings(settings)
    return available_backends(settings), resolve_backend(settings)


def make_generator(name: str, settings: Settings) -> Generator:
    backend = _REGISTRY.get(name)
    if backend is None:
        raise ValueError(f"unknown backend {name!r}: choose one of {', '.join(BACKENDS)}")
    module = importlib.import_module(f"{__name__}.{backend.module}")
    return getattr(module, backend.generator)(settings)
