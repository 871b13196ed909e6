"""One small protocol for every answer backend.

A backend gets the question, the numbered passages (already within its token budget) and,
for language models, the chat messages built from prompts/; it yields text deltas in which
claims carry [n] passage markers. Retrieval, prompt assembly, citation mapping and
verification, abstention and fallback all live outside the backends (rag/answer.py), so the
three behave the same to a user.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Protocol, Sequence

from ..config import Settings
from ..types import Passage

BACKENDS = ("extractive", "openai", "local")


@dataclass(frozen=True)
class Request:
    question: str
    passages: Sequence[Passage]
    messages: list[dict[str, str]] = field(default_factory=list)  # for language models
    max_tokens: int = 512


class BackendError(RuntimeError):
    """The backend could not answer (endpoint down, timeout, rate limit, bad model ...).
    The message is safe to show: it never contains a key."""


class Generator(Protocol):
    name: str
    context_tokens: int | None  # the model's window; None when there is no model

    def generate(self, request: Request) -> Iterator[str]: ...


def local_model_path(settings: Settings) -> Path | None:
    """The GGUF file of the local backend, when one is configured and xllamacpp is installed."""
    if not settings.local_model or importlib.util.find_spec("xllamacpp") is None:
        return None
    path = Path(settings.local_model).expanduser()
    return path if path.is_file() else None


def resolve_backend(settings: Settings, requested: str | None = None) -> str:
    """auto: openai when an endpoint or key is configured, else the local model, else extractive."""
    name = (requested or settings.backend or "auto").lower()
    if name == "auto":
        if settings.openai_api_key or settings.openai_base_url:
            return "openai"
        if local_model_path(settings) is not None:
            return "local"
        return "extractive"
    if name not in BACKENDS:
        raise ValueError(f"unknown backend {name!r}: choose one of auto, {', '.join(BACKENDS)}")
    return name


def available_backends(settings: Settings) -> list[str]:
    out = ["extractive"]
    if settings.openai_api_key or settings.openai_base_url:
        out.append("openai")
    if local_model_path(settings) is not None:
        out.append("local")
    return out


def make_generator(name: str, settings: Settings) -> Generator:
    if name == "extractive":
        from .extractive import ExtractiveGenerator

        return ExtractiveGenerator(settings)
    if name == "openai":
        from .openai_compat import OpenAIGenerator

        return OpenAIGenerator(settings)
    if name == "local":
        from .local import LocalGenerator

        return LocalGenerator(settings)
    raise ValueError(f"unknown backend {name!r}")
