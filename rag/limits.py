"""What one request may ask for, and the answer backends: constants and checks the Python API,
the CLI and the web UI share. Light on purpose (no pydantic): `rag --help` imports it."""

from __future__ import annotations

# The answer backends, in one place: the config type (rag/config.py), the CLI's choice and the registry in
# rag/answering/generate are derived from this tuple ("auto" picks one of them).
BACKENDS = ("extractive", "openai", "local")

# What one request may ask for, in the Python API, the CLI and the web UI alike: a bound on the
# work (and the reply) a single caller can demand of a shared server.
MAX_K = 50  # passages per search or answer
MAX_QUESTION_CHARS = 2_000  # a question, a query or a briefing topic
MAX_HISTORY = 20  # earlier questions passed with a follow-up
MAX_SOURCES = 200  # files named in a source filter


class BadRequest(ValueError):
    """An argument outside what newsrag accepts; the message says which and what is allowed."""


def check_k(k: object, name: str = "k") -> int | None:
    """k as an int in 1..MAX_K (None: the configured default)."""
    if k is None:
        return None
    if isinstance(k, bool) or not isinstance(k, (int, float)) or k != int(k):
        raise BadRequest(f"{name} must be a whole number from 1 to {MAX_K}, not {k!r}")
    if not 1 <= int(k) <= MAX_K:
        raise BadRequest(f"{name} must be from 1 to {MAX_K}, not {int(k)}")
    return int(k)


def check_text(text: object, name: str = "question", *, required: bool = False) -> str:
    """A question, query or topic: a string of at most MAX_QUESTION_CHARS characters."""
    if text is None and not required:
        return ""
    if not isinstance(text, str):
        raise BadRequest(f"{name} must be text, not {type(text).__name__}")
    if len(text) > MAX_QUESTION_CHARS:
        raise BadRequest(f"{name} is {len(text):,} characters long; the limit is {MAX_QUESTION_CHARS:,}")
    return text


def check_list(items: object, name: str, limit: int) -> list[str]:
    """A list of strings (history, sources) of at most `limit` items, each within the text limit."""
    if items is None:
        return []
    if isinstance(items, str) or not isinstance(items, (list, tuple)):
        raise BadRequest(f"{name} must be a list of strings")
    if len(items) > limit:
        raise BadRequest(f"{name} has {len(items)} items; the limit is {limit}")
    return [check_text(item, f"each item of {name}", required=True) for item in items]
