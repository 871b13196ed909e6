"""What every web event does with a request: a time bound, errors a web user may see, the
articles the page chose (opaque keys back to files), results for scripts without server paths.
No gradio here."""

from __future__ import annotations

from typing import Any

from ..config import Settings
from ..deadline import Deadline, within
from ..index.library import articles
from ..index.opened import Index
from ..limits import BadRequest
from ..redact import scrub, secrets_of
from ..types import source_label


def bounded(produce, settings: Settings):
    """What `produce()` yields, for at most RAG_REQUEST_TIMEOUT seconds (a Deadline after that)."""
    return within(produce, total=settings.request_timeout, name="newsrag-request")


def user_error(exc: Exception, settings: Settings) -> str:
    """An error as a web user may see it: a time-out or a bad request said plainly, anything else
    with URLs redacted and the API key replaced."""
    if isinstance(exc, Deadline):
        return (f"This took longer than {settings.request_timeout:g} s (RAG_REQUEST_TIMEOUT) and was stopped. "
                "Try a narrower question or fewer passages.")
    if isinstance(exc, BadRequest):
        return str(exc)
    return f"Something went wrong: {scrub(str(exc), secrets_of(settings))}"


def day(text: str | None) -> str | None:
    """A date field as typed: blank is no date (answer() checks the rest and says what is wrong)."""
    return (text or "").strip() or None


def library(index: Index) -> tuple[list[list[Any]], list[tuple[str, str]]]:
    """The library table's rows and the article choices, from one read of the index. A choice is
    (outlet · headline · date (file), opaque key): no server path reaches the page, and a key
    names exactly one article."""
    entries = articles(index=index)
    rows = [[a.outlet, a.title, a.date[:10], a.name, a.chunks, ", ".join(a.copies)] for a in entries]
    return rows, [(f"{source_label(a.outlet, a.title, a.date)} ({a.name})", a.key) for a in entries]


def chosen_paths(keys: list[str] | None, index: Index) -> list[str]:
    """The files behind the keys the page sent back (unknown keys are refused, never guessed at)."""
    if not keys:
        return []
    by_key = {a.key: a.path for a in articles(index=index)}
    missing = [k for k in keys if k not in by_key]
    if missing:
        raise BadRequest("an article you chose is no longer in the index: reload the page")
    return [by_key[k] for k in keys]


def chosen_entry(key: str | None, index: Index):
    """The library entry behind one key, else None."""
    return next((a for a in articles(index=index) if a.key == key), None) if key else None


def for_api(value: Any) -> Any:
    """Results for remote scripts: without server-side file paths (which Gradio would also take
    for files to serve). Sources keep their names and offsets."""
    if isinstance(value, dict):
        return {k: for_api(v) for k, v in value.items() if k != "path"}
    if isinstance(value, list):
        return [for_api(v) for v in value]
    return value
