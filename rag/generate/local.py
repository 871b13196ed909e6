"""A GGUF model run in-process by xllamacpp (llama.cpp), from RAG_LOCAL_MODEL.

Optional: `pip install -e .[local]`, then point RAG_LOCAL_MODEL at a .gguf file. The model is
loaded once per process and file (explicit cache). Its chat endpoint is called in-process (no
port is opened); answers are produced whole and then handed on as one delta.
"""

from __future__ import annotations

import functools
import json
import os
from typing import Iterator

from ..config import Settings
from . import BackendError, Request, local_model_path

MAX_LOCAL_CONTEXT = 8192


@functools.lru_cache(maxsize=2)
def _server(path: str, n_ctx: int):
    import xllamacpp as xlc

    params = xlc.CommonParams()
    params.model.path = path
    params.n_ctx = n_ctx
    params.n_parallel = 1
    params.cpuparams.n_threads = os.cpu_count() or 1
    params.cpuparams_batch.n_threads = os.cpu_count() or 1
    return xlc.Server(params)


class LocalGenerator:
    name = "local"

    def __init__(self, settings: Settings) -> None:
        path = local_model_path(settings)
        if path is None:
            raise BackendError(
                "no local model: install the extra (pip install -e .[local]) and set RAG_LOCAL_MODEL to a .gguf file"
            )
        self.context_tokens = min(settings.context_tokens, MAX_LOCAL_CONTEXT)
        try:
            self.server = _server(str(path), self.context_tokens)
        except Exception as exc:  # xllamacpp raises RuntimeError or its own types on a bad file
            raise BackendError(f"cannot load {path.name}: {exc}") from exc

    def generate(self, request: Request) -> Iterator[str]:
        body = {"messages": request.messages, "max_tokens": request.max_tokens, "temperature": 0, "stream": False}
        result: dict = {}

        def ok(payload) -> None:
            result["ok"] = json.loads(payload) if isinstance(payload, str) else payload

        def fail(payload) -> None:
            result["error"] = json.loads(payload) if isinstance(payload, str) else payload

        self.server.handle_chat_completions(json.dumps(body), ok, fail)
        if "error" in result or "ok" not in result:
            raise BackendError(f"the local model failed: {str(result.get('error', 'no reply'))[:300]}")
        try:
            yield result["ok"]["choices"][0]["message"]["content"] or ""
        except (KeyError, IndexError, TypeError) as exc:
            raise BackendError("the local model returned an unexpected reply") from exc
