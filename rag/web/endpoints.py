"""OpenAI-compatible endpoints a user adds in the web UI (base URL, model, key): kept server-side
in RAG_DATA_DIR/endpoints.json (readable by the server's user only); the page gets their names,
never a URL or a key. Each is offered as a backend, "endpoint: NAME", and answers through the
same path as OPENAI_BASE_URL (rag/answering/generate/openai_compat.py). No gradio here."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import SecretStr

from ..atomic import read_records
from ..config import Settings
from ..limits import BadRequest

PREFIX = "endpoint: "  # how an added endpoint is named among the backends
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,39}$")
MAX_ENDPOINTS = 20


class Endpoints:
    def __init__(self, data_dir: Path) -> None:
        self.file = Path(data_dir) / "endpoints.json"

    def _read(self) -> dict[str, dict[str, str]]:
        return read_records(self.file)

    def names(self) -> list[str]:
        return sorted(self._read())

    def add(self, name: str, base_url: str, model: str, key: str = "") -> str:
        """Keep an endpoint (replacing one of the same name); BadRequest says what is wrong."""
        name, base_url, model = " ".join((name or "").split()), (base_url or "").strip(), (model or "").strip()
        if not _NAME.match(name):
            raise BadRequest("Name the endpoint with letters, digits, spaces, '.', '_' or '-' (at most 40).")
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.username or parts.password:
            raise BadRequest("The base URL must be http:// or https:// with a host, e.g. http://127.0.0.1:8080/v1 "
                             "(a key goes in the key field, not in the URL).")
        if not model or len(model) > 200:
            raise BadRequest("Give the model's name as the server knows it (e.g. gpt-4o-mini, llama3.1).")
        data = self._read()
        if name not in data and len(data) >= MAX_ENDPOINTS:
            raise BadRequest(f"At most {MAX_ENDPOINTS} endpoints can be kept: remove one first.")
        data[name] = {"base_url": base_url, "model": model, "key": (key or "").strip()}
        self._write(data)
        return PREFIX + name

    def remove(self, name: str) -> None:
        data = self._read()
        if data.pop(name, None) is not None:
            self._write(data)

    def settings_for(self, backend: str, settings: Settings) -> Settings | None:
        """Settings that answer through the endpoint `backend` names ("endpoint: NAME"), else None."""
        if not backend.startswith(PREFIX):
            return None
        found = self._read().get(backend[len(PREFIX):])
        if found is None:
            raise BadRequest("That endpoint is no longer configured: reload the page.")
        return settings.model_copy(update={"openai_base_url": found["base_url"], "model": found["model"],
                                           "openai_api_key": SecretStr(found["key"]) if found.get("key") else None})

    def _write(self, data: dict) -> None:
        """Written whole and renamed into place, readable by the server's user only from the start."""
        self.file.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.file.with_name(f".{self.file.name}.{os.getpid()}.tmp")
        with os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w", encoding="utf-8") as f:
            f.write(json.dumps(data, indent=1))
        os.replace(tmp, self.file)
