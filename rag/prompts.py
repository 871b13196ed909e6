"""Prompt templates live as text files with ${named} placeholders (string.Template), inside the
package (rag/templates/, read with importlib.resources, so a wheel has them too); the
repository's top-level prompts/ is a link to that folder."""

from __future__ import annotations

import functools
from importlib import resources
from string import Template

from .offline import encoding as get_encoding

@functools.lru_cache(maxsize=64)
def _load(name: str) -> Template:
    path = resources.files("rag") / "templates" / f"{name}.md"
    try:
        return Template(path.read_text(encoding="utf-8").strip("\n"))
    except OSError as exc:
        raise RuntimeError(f"prompt template {name}.md is missing from the package: {exc}") from exc


def render(template: str, /, **values: object) -> str:
    """The template `templates/<template>.md` with every placeholder filled (a missing one is an error)."""
    return _load(template).substitute({k: str(v) for k, v in values.items()})


def count_tokens(text: str, encoding: str = "cl100k_base") -> int:
    return len(get_encoding(encoding).encode_ordinary(text))
