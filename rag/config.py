"""All configuration in one place: environment variables and an optional `.env` file.

Every variable is documented in `.env.example`. A fresh `Settings()` reads the environment
each time it is built; the public API builds one per call unless it is given one.

The `.env` file is `./.env` in the current directory, or the file RAG_ENV_FILE names
(RAG_ENV_FILE= with nothing after it: no file). The environment wins over the file. A `.env`
that sets where data goes or which server is contacted (an endpoint, a key, the data dir) is
named on stderr once per process, with the values it set (URLs redacted, keys hidden), so that
running `rag` inside a downloaded folder cannot silently send its passages somewhere else.
"""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, DotEnvSettingsSource, PydanticBaseSettingsSource, SettingsConfigDict

from .limits import BACKENDS, MAX_K  # the answer backends and what a request may ask for: rag/limits.py

Backend = Literal[("auto", *BACKENDS)]  # type: ignore[valid-type]


def _env(variable: str, name: str) -> AliasChoices:
    """A setting read from a variable outside the RAG_ prefix (CHROMA_*, OPENAI_*)."""
    return AliasChoices(variable, name)


# Variables that decide where passages are sent or where the index lives: a `.env` setting
# one of them is announced.
_ANNOUNCED = ("OPENAI_BASE_URL", "OPENAI_API_KEY", "RAG_BACKEND", "RAG_DATA_DIR", "CHROMA_HOST", "CHROMA_PORT",
              "RAG_LOCAL_MODEL", "RAG_COLLECTION", "RAG_EMBEDDINGS", "RAG_EMBED_BASE_URL", "RAG_EMBED_API_KEY")
_HIDDEN = ("OPENAI_API_KEY", "RAG_EMBED_API_KEY")


def env_file() -> Path | None:
    """The .env file read: RAG_ENV_FILE if set (empty: none), else ./.env if there is one."""
    named = os.environ.get("RAG_ENV_FILE")
    if named is not None:
        return Path(named).expanduser() if named.strip() else None
    here = Path(".env")
    return here if here.is_file() else None


@functools.lru_cache(maxsize=16)
def _announce(path: str, shown: tuple[tuple[str, str], ...]) -> None:
    """Once per process and file: say which .env was read and what it set that matters."""
    items = ", ".join(f"{k}={v}" for k, v in shown)
    sys.stderr.write(f"newsrag: settings from {path}: {items} (RAG_ENV_FILE= to ignore that file)\n")
    sys.stderr.flush()


def _announce_file(path: Path) -> None:
    from dotenv import dotenv_values

    from .redact import redact_url

    try:
        values = dotenv_values(path, encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return
    shown = []
    for key in _ANNOUNCED:
        value = values.get(key)
        if value and key not in os.environ:  # the environment wins: the file's value is not used
            shown.append((key, "(set)" if key in _HIDDEN else redact_url(value) if "://" in value else value))
    if shown:
        _announce(str(path.resolve()), tuple(shown))


class Settings(BaseSettings):
    """Each setting is read from RAG_<NAME> (RAG_TOP_K for top_k) unless it names another variable."""

    model_config = SettingsConfigDict(env_prefix="RAG_", env_file_encoding="utf-8", extra="ignore",
                                      populate_by_name=True)

    @classmethod
    def variable(cls, name: str) -> str:
        """The environment variable a setting is read from."""
        alias = cls.model_fields[name].validation_alias
        return alias.choices[0] if isinstance(alias, AliasChoices) else f"RAG_{name.upper()}"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        path = env_file()
        if path is None:
            return init_settings, env_settings, file_secret_settings
        _announce_file(path)
        return init_settings, env_settings, DotEnvSettingsSource(settings_cls, env_file=path), file_secret_settings

    # where the index lives
    data_dir: Path = Path(".rag")
    collection: str = "newsrag"

    # a Chroma server instead of the embedded store
    chroma_host: str | None = Field(None, validation_alias=_env("CHROMA_HOST", "chroma_host"))
    chroma_port: int = Field(8000, validation_alias=_env("CHROMA_PORT", "chroma_port"))
    chroma_ssl: bool = Field(False, validation_alias=_env("CHROMA_SSL", "chroma_ssl"))

    # generation
    backend: Backend = "auto"
    openai_api_key: SecretStr | None = Field(None, validation_alias=_env("OPENAI_API_KEY", "openai_api_key"))
    openai_base_url: str | None = Field(None, validation_alias=_env("OPENAI_BASE_URL", "openai_base_url"))
    model: str = "gpt-4o-mini"
    context_tokens: int = Field(16000, ge=512)  # the model's window: passages are dropped, lowest-ranked first, to fit
    max_answer_tokens: int = Field(512, ge=16)
    # deadlines for the model endpoint, in seconds: to connect, to the first token (retries
    # included), and to the end of the answer; past any of them the extractive answer is shown
    connect_timeout: float = Field(5.0, gt=0)
    timeout: float = Field(30.0, gt=0)
    answer_timeout: float = Field(120.0, gt=0)
    retries: int = Field(2, ge=0, le=10)
    local_model: str | None = None  # a .gguf file, or a packaged model's name (`rag model`)
    # tokens of evidence a model is shown (the selected sentences and their neighbours): a CPU
    # model reads its prompt at tens of tokens a second, an endpoint far faster
    local_prompt_tokens: int = Field(600, ge=64)
    openai_prompt_tokens: int = Field(2500, ge=64)

    # the vectors of the index: the MiniLM model that ships with newsrag ("local"), or any
    # OpenAI-compatible embeddings endpoint ("openai": OpenAI, vLLM, Hugging Face TEI, Ollama, a
    # llama.cpp server); base URL and key default to OPENAI_BASE_URL / OPENAI_API_KEY
    embeddings: Literal["local", "openai"] = "local"
    embed_base_url: str | None = None
    embed_api_key: SecretStr | None = None
    embed_model: str = "text-embedding-3-small"
    embed_dimensions: int | None = Field(None, ge=1, le=8192)
    embed_timeout: float = Field(60.0, gt=0)  # seconds for one batch, retries aside
    embed_retries: int = Field(6, ge=0, le=20)  # with exponential backoff; a rate limit's Retry-After is honoured

    # ingestion
    chunk_tokens: int = Field(200, ge=32, le=2000)
    chunk_overlap: int = Field(40, ge=0)
    encoding: str = "cl100k_base"
    max_file_mb: float = Field(10.0, gt=0)
    embed_batch: int = Field(32, ge=1, le=512)
    # reading one file (converting it, splitting and chunking its text) runs in a worker process
    # that is stopped after this many seconds and may use this much memory (rag/indexing/guard.py):
    # a file that needs more is skipped with the reason, and the run goes on
    file_timeout: float = Field(25.0, gt=0)
    file_memory_mb: int = Field(500, ge=100)
    # fetching a URL: seconds for each step (connect, each read); private and loopback addresses
    # (the machine's own services, the office network) only when this is true
    fetch_timeout: float = Field(15.0, gt=0)
    fetch_private: bool = False

    # show tracebacks instead of one-line error messages (CLI)
    debug: bool = False

    # retrieval
    top_k: int = Field(8, ge=1, le=MAX_K)

    # answering: the probability (of the best sentence answering the question) below which the
    # answer says the articles do not answer it; unset: the one fitted with the answer scorer
    # (rag/models/answer_scorer.json). Lower answers more questions and is wrong more often.
    answer_threshold: float | None = Field(None, gt=0, lt=1)
    # the same for questions put to a language model; unset: answer_threshold. Set low (0.01), the
    # model sees evidence for nearly every question and its own refusal decides
    model_threshold: float | None = Field(None, gt=0, lt=1)
    # with a language model: the model first judges which of the closest sentences answers (one
    # short call, rag/answering/reader.py), and its judgement replaces the threshold's. Off by
    # default: the packaged 1.5B model judged worse than the scorer on the development questions
    model_reads: bool = False
    # the probability its sentence needs for a short answer ("Los Angeles.") to be put first, as the
    # answer itself, before the sentence; fitted on dev by benchmarks/fit_short_answer_gate.py
    short_answer_confidence: float = Field(0.466, ge=0, le=1)

    # the web UI: the longest a request may run before the user is told it was stopped, and
    # whether the library may be changed from the browser (upload, remove)
    request_timeout: float = Field(180.0, gt=0)
    ui_read_only: bool = False
    # a web server with its own RAG_DATA_DIR beside a shared Chroma server: how often its BM25
    # index takes in what other processes ingested or removed (0: never; rag/index/follow.py)
    follow_seconds: float = Field(5.0, ge=0)

    @field_validator("chroma_host", "openai_base_url", "openai_api_key", "local_model", "answer_threshold", "model_threshold",
                     "embed_base_url", "embed_api_key", "embed_dimensions", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("chunk_overlap")
    @classmethod
    def _overlap_below_size(cls, value: int, info) -> int:
        size = info.data.get("chunk_tokens")
        if size is not None and value >= size:
            raise ValueError("RAG_CHUNK_OVERLAP must be smaller than RAG_CHUNK_TOKENS")
        return value

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def lexical_dir(self) -> Path:
        """BM25 beside the collection it indexes (one per collection in a data dir)."""
        return self.data_dir / ("lexical" if self.collection == "newsrag" else f"lexical-{self.collection}")

    @property
    def embed_endpoint(self) -> tuple[str | None, str | None]:
        """(base URL, key) of the embeddings endpoint: its own, else the model endpoint's."""
        key = self.embed_api_key or self.openai_api_key
        return self.embed_base_url or self.openai_base_url, key.get_secret_value() if key else None

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 1024 * 1024)


def load_settings(settings: Settings | None = None) -> Settings:
    """The given settings, or a fresh read of the environment and `.env`."""
    return settings if settings is not None else Settings()
