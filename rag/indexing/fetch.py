"""Articles from the web: `rag ingest https://...`, `ingest("https://...")` and the UI's URL box
fetch the page (or a PDF) with httpx and ingest it like a saved file (rag/indexing/convert.py):
the page is kept under RAG_DATA_DIR/fetched/ with its URL and fetch time, its article text is
what is cited, and the citation names the URL. Fetching again an unchanged page changes nothing.

Only http and https; redirects are followed one by one (at most MAX_REDIRECTS) and every target
is checked again; a host that resolves to a private, loopback, link-local or reserved address is
refused unless RAG_FETCH_PRIVATE=true; the body is read no further than RAG_MAX_FILE_MB; each
step times out after RAG_FETCH_TIMEOUT seconds, and the whole fetch after 1.5 times that.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import re
import socket
import time
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from ..atomic import write_atomic
from ..config import Settings
from .reading import Unreadable

MAX_REDIRECTS = 5
_URL = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)  # any scheme: ftp:// and file:// are refused by name
_KINDS = {"text/html": ".html", "application/xhtml+xml": ".html", "application/pdf": ".pdf"}
USER_AGENT = "newsrag (+https://pypi.org/project/newsrag/)"


def is_url(text: str) -> bool:
    """Given as a URL (scheme://...), not as a path; only http(s) is fetched."""
    return bool(_URL.match(text or ""))


def url_host(source: str) -> str:
    """The host a page was fetched from, as an outlet is named ("www.example.com" -> "example.com");
    "" for anything that is not a URL, and for an address (an IP names no outlet)."""
    if not is_url(source):
        return ""
    host = (urlsplit(source).hostname or "").lower()
    try:
        ipaddress.ip_address(host)
        return ""
    except ValueError:
        return host[4:] if host.startswith("www.") else host


def fetched_dir(settings: Settings) -> Path:
    return settings.data_dir / "fetched"


def fetch(url: str, settings: Settings) -> Path:
    """The page saved under RAG_DATA_DIR/fetched/ (one file per URL, replaced on each fetch);
    Unreadable with the reason a user is shown."""
    body, kind, final = fetch_bytes(url, settings, _KINDS)
    return _save(url, final, body, _KINDS[kind], settings)


def fetch_bytes(url: str, settings: Settings, kinds) -> tuple[bytes, str, str]:
    """(body, content type, the URL it came from after redirects) of `url`, whose content type
    must be one of `kinds`; Unreadable with the reason otherwise."""
    import httpx

    timeout = httpx.Timeout(settings.fetch_timeout)
    started = time.monotonic()  # a server that drips a byte at a time meets each step's timeout, not this one
    target = url
    with httpx.Client(follow_redirects=False, timeout=timeout, headers={"User-Agent": USER_AGENT},
                      trust_env=True) as client:  # (the user's proxy settings apply)
        for _ in range(MAX_REDIRECTS + 1):
            _check(target, settings)
            try:
                with client.stream("GET", target) as response:
                    if response.is_redirect:
                        location = response.headers.get("location")
                        if not location:
                            raise Unreadable(f"HTTP {response.status_code} without a Location")
                        target = urljoin(target, location)
                        continue
                    if response.status_code != 200:
                        raise Unreadable(f"HTTP {response.status_code} {response.reason_phrase}".strip())
                    kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
                    if kind not in kinds:
                        wanted = "a web page or a PDF" if kinds is _KINDS else "a feed"
                        raise Unreadable(f"not {wanted} (content-type {kind or 'missing'})")
                    return _bounded(response, settings.max_file_bytes, started + 1.5 * settings.fetch_timeout), kind, target
            except httpx.TimeoutException:
                raise Unreadable(f"no answer within {settings.fetch_timeout:g} s (RAG_FETCH_TIMEOUT)") from None
            except httpx.HTTPError as exc:
                raise Unreadable(f"cannot fetch: {type(exc).__name__}: {exc}") from None
    raise Unreadable(f"more than {MAX_REDIRECTS} redirects")


def _check(url: str, settings: Settings) -> None:
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise Unreadable("only http:// and https:// addresses are fetched")
    if parts.username or parts.password:
        raise Unreadable("a URL with a user name or password is not fetched")
    try:
        port = parts.port
    except ValueError:  # ":99999", ":http"
        raise Unreadable(f"not a valid port in {parts.netloc[:100]!r}") from None
    if settings.fetch_private:
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, port or (443 if parts.scheme == "https" else 80))
    except OSError as exc:
        raise Unreadable(f"cannot resolve {parts.hostname}: {exc.strerror or exc}") from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if not address.is_global:
            raise Unreadable(f"{parts.hostname} is a private or local address ({address}): "
                             "set RAG_FETCH_PRIVATE=true to fetch from it")


def _bounded(response, limit: int, deadline: float) -> bytes:
    """The body, decoded (gzip and the like), never more than `limit` bytes, by `deadline`."""
    body = bytearray()
    for part in response.iter_bytes():
        body += part
        if len(body) > limit:
            raise Unreadable(f"too large: over {limit / 1_048_576:g} MB (RAG_MAX_FILE_MB)")
        if time.monotonic() > deadline:
            raise Unreadable("still arriving after 1.5 x RAG_FETCH_TIMEOUT: a server that sends a byte at a time?")
    return bytes(body)


def _save(url: str, final: str, body: bytes, suffix: str, settings: Settings) -> Path:
    key = hashlib.sha1(url.encode("utf-8")).hexdigest()[:16]
    folder = fetched_dir(settings)
    for old in folder.glob(f"{key}.*"):  # a page that became a PDF (or back): one file per URL
        if old.suffix != suffix and old.suffix != ".json":
            old.unlink(missing_ok=True)
    path = folder / f"{key}{suffix}"
    write_atomic(path, body)
    write_atomic(folder / f"{key}.json", json.dumps({
        "url": url, "final_url": final, "fetched": datetime.now(timezone.utc).isoformat(timespec="seconds")}))
    return path.resolve()
