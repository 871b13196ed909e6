"""RSS and Atom feeds: `rag feed add URL`, then `rag feed sync` fetches the items not seen before
(feedparser reads the feed; each item's page is fetched and ingested like any URL) and remembers
them, so a second sync fetches the feed alone. Kept in RAG_DATA_DIR/feeds.json: each feed's URL,
when it was added and last synced, and the items seen (by guid, else link). An item whose page
could not be fetched is tried again at the next sync.

    from rag.indexing.feeds import add_feed, sync_feeds
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urljoin

from ..atomic import read_records, write_atomic
from ..config import Settings
from ..index.opened import Index, open_index
from ..limits import BadRequest
from ..types import IngestReport
from .fetch import fetch_bytes, is_url
from .guard import guarded
from .reading import Unreadable

FEED_KINDS = frozenset({"application/rss+xml", "application/atom+xml", "application/xml", "text/xml",
                        "application/rdf+xml", "application/feed+json"})
MAX_SEEN = 5000  # items remembered per feed (the oldest forgotten first)
MAX_NEW = 500  # pages fetched per feed in one sync: a feed of 100,000 items is taken in steps


@dataclass(frozen=True)
class FeedSync:
    url: str
    new: int  # items fetched and ingested this time
    seen: int  # items skipped, seen before
    failed: int  # items whose page could not be fetched (tried again next time)
    error: str = ""  # the feed itself could not be read
    later: int = 0  # new items left for the next sync (more than MAX_NEW at once)


def _file(settings: Settings) -> Path:
    return settings.data_dir / "feeds.json"


def _read(settings: Settings) -> dict[str, dict]:
    return read_records(_file(settings))


def _write(settings: Settings, data: dict) -> None:
    write_atomic(_file(settings), json.dumps(data, ensure_ascii=False, indent=1))


def list_feeds(settings: Settings) -> dict[str, dict]:
    """Every feed: its URL -> {"added", "synced", "items" (how many seen)}."""
    return {url: {"added": f.get("added", ""), "synced": f.get("synced", ""), "items": len(f.get("seen", []))}
            for url, f in _read(settings).items()}


def add_feed(url: str, settings: Settings) -> None:
    if not is_url(url) or not url.lower().startswith(("http://", "https://")):
        raise BadRequest(f"a feed is an http:// or https:// address, not {url!r}")
    data = _read(settings)
    data.setdefault(url, {"added": _now(), "synced": "", "seen": []})
    _write(settings, data)


def remove_feed(url: str, settings: Settings) -> bool:
    data = _read(settings)
    if data.pop(url, None) is None:
        return False
    _write(settings, data)
    return True


def sync_feeds(settings: Settings | None = None, *, index: Index | None = None, progress=None) -> list[FeedSync]:
    """Fetch every feed and ingest the items not seen before; one FeedSync a feed."""
    from .run import ingest

    index = open_index(settings, index)
    settings = index.settings
    data = _read(settings)
    out: list[FeedSync] = []
    for url, feed in data.items():
        try:
            items = _items(url, settings)
        except Unreadable as exc:
            out.append(FeedSync(url, 0, 0, 0, str(exc)))
            continue
        seen = set(feed.get("seen", []))
        unseen = {key: link for key, link in items if key not in seen}
        new = dict(list(unseen.items())[:MAX_NEW])
        report: IngestReport | None = ingest(list(dict.fromkeys(new.values())), prune=False, index=index,
                                             progress=progress) if new else None
        done = {f.source for f in report.files if f.status != "skipped"} if report else set()
        kept = [key for key, link in new.items() if link in done]
        feed["seen"] = (feed.get("seen", []) + kept)[-MAX_SEEN:]
        feed["synced"] = _now()
        later = len(unseen) - len(new)  # beyond MAX_NEW: the next syncs take them
        out.append(FeedSync(url, len(kept), len(items) - len(unseen), len(new) - len(kept), later=later))
    _write(settings, data)
    return out


def _items(url: str, settings: Settings) -> list[tuple[str, str]]:
    """(key, link) of each item of the feed at `url`, as the feed lists them; the feed is parsed in
    the guarded worker (rag/indexing/guard.py), like any file."""
    body, _, final = fetch_bytes(url, settings, FEED_KINDS)
    return guarded(parse_feed, body, final, settings=settings)


def parse_feed(body: bytes, final: str) -> list[tuple[str, str]]:
    """(key, link) of each item of a feed fetched from `final` (feedparser: expat, with external
    entities off and its limit on entity expansion)."""
    import feedparser

    parsed = feedparser.parse(body)
    if parsed.bozo and not parsed.entries:
        raise Unreadable(f"not a readable feed: {parsed.get('bozo_exception', 'unknown error')}")
    out = []
    for entry in parsed.entries:
        link = urljoin(final, entry.get("link") or "") if entry.get("link") else ""
        if not is_url(link):
            continue  # an item with no page to fetch
        out.append((str(entry.get("id") or link)[:2000], link))
    return out


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
