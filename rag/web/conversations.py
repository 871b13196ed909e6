"""Conversations kept across reloads: server-side under RAG_DATA_DIR/conversations/<browser>/,
one JSON file a conversation. The browser holds only its own random id (in its localStorage), so
no file path or article text is stored in the page; a conversation is reopened, listed and
deleted by that browser only. Saved answers ("keep this answer") are one more list per browser.
No gradio here."""

from __future__ import annotations

import json
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..atomic import write_atomic
from ..types import ANSWER_STATUSES, Answer, Citation, Passage

_ID = re.compile(r"^[0-9a-f]{32}$")
MAX_CONVERSATIONS = 200  # per browser; the oldest go first
SAVED = "saved"  # the file name of a browser's saved answers


@dataclass(frozen=True)
class Listed:
    id: str
    title: str  # the first question
    updated: float  # seconds since the epoch
    answers: int


def new_id() -> str:
    return secrets.token_hex(16)


class Conversations:
    """One browser's conversations (its id is checked: 32 hex digits, nothing else reaches a path)."""

    def __init__(self, data_dir: Path, browser: str) -> None:
        if not _ID.match(browser or ""):
            raise ValueError("not a browser id")
        self.folder = Path(data_dir) / "conversations" / browser

    def list(self) -> list[Listed]:
        out = []
        for path in self.folder.glob("*.json"):
            if path.stem == SAVED:
                continue
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue  # a damaged file is left alone, not shown
            out.append(Listed(path.stem, data.get("title", ""), path.stat().st_mtime, len(data.get("answers", []))))
        return sorted(out, key=lambda c: -c.updated)

    def load(self, conversation: str) -> list[Answer]:
        if not _ID.match(conversation or ""):
            return []
        try:
            data = json.loads((self.folder / f"{conversation}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return []
        return [answer_from_dict(a) for a in data.get("answers", [])]

    def save(self, conversation: str, answers: list[Answer]) -> None:
        if not _ID.match(conversation or "") or not answers:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        data = {"title": answers[0].question, "saved": time.time(), "answers": [_stored(a) for a in answers]}
        write_atomic(self.folder / f"{conversation}.json", json.dumps(data, ensure_ascii=False))
        for old in self.list()[MAX_CONVERSATIONS:]:
            self.delete(old.id)

    def delete(self, conversation: str) -> None:
        if _ID.match(conversation or ""):
            (self.folder / f"{conversation}.json").unlink(missing_ok=True)

    def saved(self) -> list[Answer]:
        """The answers this browser chose to keep, oldest first."""
        try:
            data = json.loads((self.folder / f"{SAVED}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return []
        return [answer_from_dict(a) for a in data]

    def keep(self, answer: Answer) -> int:
        """Add an answer to the saved list (once); the list's length."""
        kept = self.saved()
        if not any(a.question == answer.question and a.text == answer.text for a in kept):
            kept.append(answer)
            self.folder.mkdir(parents=True, exist_ok=True)
            write_atomic(self.folder / f"{SAVED}.json", json.dumps([_stored(a) for a in kept], ensure_ascii=False))
        return len(kept)


def _stored(a: Answer) -> dict[str, Any]:
    """An answer as kept: what the chat and its sources panel show (the retrieved passages that
    were not cited are left out)."""
    data = a.to_dict()
    cited = {c.chunk_id for c in a.citations}
    data["passages"] = [p for p in data["passages"] if p["chunk_id"] in cited]
    return data


def answer_from_dict(data: dict[str, Any]) -> Answer:
    return Answer(
        question=str(data.get("question", "")),
        text=str(data.get("text", "")),
        citations=tuple(Citation(**_fields(Citation, c)) for c in data.get("citations", [])),
        passages=tuple(Passage(**_fields(Passage, p)) for p in data.get("passages", [])),
        abstained=bool(data.get("abstained", False)),
        status=data["status"] if data.get("status") in ANSWER_STATUSES else "answered",  # (abstained alone: declined)
        backend=str(data.get("backend", "")),
        timings={k: float(v) for k, v in (data.get("timings") or {}).items()},
        notes=tuple(str(n) for n in data.get("notes", [])),
    )


def _fields(cls, row: dict[str, Any]) -> dict[str, Any]:
    names = cls.__dataclass_fields__
    return {k: tuple(v) if isinstance(v, list) else v for k, v in row.items() if k in names}
