"""All configuration in one place: environment variables and an optional `.env` file.

Every variable is documented in `.env.example`. A fresh `Settings()` reads the environment
each time it is built; the public API builds one per call unless it is given one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

Backend = Literal["auto", "extractive", "openai", "local"]


def _env(*names: str) -> AliasChoices:
    return AliasChoices(*names)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True
    )

    # where the index lives
    data_dir: Path = Field(Path(".rag"), validation_alias=_env("RAG_DATA_DIR", "data_dir"))
    collection: str = Field("newsrag", validation_alias=_env("RAG_COLLECTION", "collection"))

    # a Chroma server instead of the embedded store
    chroma_host: str | None = Field(None, validation_alias=_env("CHROMA_HOST", "chroma_host"))
    chroma_port: int = Field(8000, validation_alias=_env("CHROMA_PORT", "chroma_port"))
    chroma_ssl: bool = Field(False, validation_alias=_env("CHROMA_SSL", "chroma_ssl"))

    # generation
    backend: Backend = Field("auto", validation_alias=_env("RAG_BACKEND", "backend"))
    openai_api_key: SecretStr | None = Field(
        None, validation_alias=_env("OPENAI_API_KEY", "openai_api_key")
    )
    openai_base_url: str | None = Field(
        None, validation_alias=_env("OPENAI_BASE_URL", "openai_base_url")
    )
    model: str = Field("gpt-4o-mini", validation_alias=_env("RAG_MODEL", "model"))
    context_tokens: int = Field(
        16000, ge=512, validation_alias=_env("RAG_CONTEXT_TOKENS", "context_tokens")
    )  # the model's window: passages are dropped, lowest-ranked first, to fit
    max_answer_tokens: int = Field(512, ge=16, validation_alias=_env("RAG_MAX_ANSWER_TOKENS", "max_answer_tokens"))
    # deadlines for the model endpoint, in seconds: to connect, to the first token (retries
    # included), and to the end of the answer; past any of them the extractive answer is shown
    connect_timeout: float = Field(5.0, gt=0, validation_alias=_env("RAG_CONNECT_TIMEOUT", "connect_timeout"))
    timeout: float = Field(30.0, gt=0, validation_alias=_env("RAG_TIMEOUT", "timeout"))
    answer_timeout: float = Field(120.0, gt=0, validation_alias=_env("RAG_ANSWER_TIMEOUT", "answer_timeout"))
    retries: int = Field(2, ge=0, le=10, validation_alias=_env("RAG_RETRIES", "retries"))
    local_model: str | None = Field(None, validation_alias=_env("RAG_LOCAL_MODEL", "local_model"))  # a .gguf file

    # ingestion
    chunk_tokens: int = Field(200, ge=32, le=2000, validation_alias=_env("RAG_CHUNK_TOKENS", "chunk_tokens"))
    chunk_overlap: int = Field(40, ge=0, validation_alias=_env("RAG_CHUNK_OVERLAP", "chunk_overlap"))
    encoding: str = Field("cl100k_base", validation_alias=_env("RAG_ENCODING", "encoding"))
    max_file_mb: float = Field(10.0, gt=0, validation_alias=_env("RAG_MAX_FILE_MB", "max_file_mb"))
    embed_batch: int = Field(32, ge=1, le=512, validation_alias=_env("RAG_EMBED_BATCH", "embed_batch"))

    # show tracebacks instead of one-line error messages (CLI)
    debug: bool = Field(False, validation_alias=_env("RAG_DEBUG", "debug"))

    # retrieval
    top_k: int = Field(8, ge=1, le=100, validation_alias=_env("RAG_TOP_K", "top_k"))

    @field_validator("chroma_host", "openai_base_url", "openai_api_key", "local_model", mode="before")
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
        return self.data_dir / "lexical"

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 1024 * 1024)


def load_settings(settings: Settings | None = None) -> Settings:
    """The given settings, or a fresh read of the environment and `.env`."""
    return settings if settings is not None else Settings()
