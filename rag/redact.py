"""URLs and messages as they may be shown: no user:password, no query string, no API key.

`OPENAI_BASE_URL=http://user:password@host/v1?key=...` is a URL people do write; whatever is
printed to the terminal, shown to a web user or logged names only the scheme, host, port and path.
"""

from __future__ import annotations

import re
from typing import Iterable
from urllib.parse import urlsplit, urlunsplit

_URL = re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s'\"<>]+")


def redact_url(url: str) -> str:
    """scheme://host:port/path of a URL: userinfo, query and fragment dropped."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return "(an invalid URL)"
    if ":" in host:  # IPv6
        host = f"[{host}]"
    netloc = f"{host}:{port}" if port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def host_of(url: str) -> str:
    """host:port of a URL (the endpoint named in messages)."""
    try:
        parts = urlsplit(url)
        return f"{parts.hostname}:{parts.port}" if parts.port else str(parts.hostname or "the endpoint")
    except ValueError:
        return "the endpoint"


def secrets_of(settings) -> list[str]:
    """What must never be shown of a configuration: the API key, and the password of the
    endpoint URL (`http://user:password@host/v1`)."""
    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else ""
    try:
        password = urlsplit(settings.openai_base_url or "").password or ""
    except ValueError:
        password = ""
    return [s for s in (key, password) if s]


def scrub(text: str, secrets: Iterable[str] = ()) -> str:
    """A message with every URL in it redacted and every secret replaced by ***."""
    text = _URL.sub(lambda m: redact_url(m.group()), text)
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    return text
