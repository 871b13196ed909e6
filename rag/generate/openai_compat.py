"""Any OpenAI-compatible endpoint through the `openai` package: OpenAI, Ollama, vLLM, llama.cpp.

Streams. Timeouts, rate limits and connection errors are retried a bounded number of times by
the client (RAG_RETRIES, RAG_TIMEOUT); what still fails becomes a BackendError whose message
never contains the API key.
"""

from __future__ import annotations

from typing import Iterator

from ..config import Settings
from . import BackendError, Request

_PLACEHOLDER_KEY = "not-needed"  # local servers ignore the key, but the client requires one


class OpenAIGenerator:
    name = "openai"

    def __init__(self, settings: Settings) -> None:
        from openai import OpenAI

        self.settings = settings
        self.context_tokens = settings.context_tokens
        self._key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else ""
        self.client = OpenAI(
            api_key=self._key or _PLACEHOLDER_KEY,
            base_url=settings.openai_base_url,
            timeout=settings.timeout,
            max_retries=settings.retries,
        )

    @property
    def endpoint(self) -> str:
        return str(self.client.base_url).rstrip("/")

    def generate(self, request: Request) -> Iterator[str]:
        import openai

        params = {
            "model": self.settings.model,
            "messages": request.messages,
            "stream": True,
            "temperature": 0,
            "max_tokens": request.max_tokens,
        }
        try:
            stream = self._create(params)
            for chunk in stream:
                if chunk.choices and chunk.choices[0].delta and chunk.choices[0].delta.content:
                    yield chunk.choices[0].delta.content
        except openai.APITimeoutError as exc:
            raise BackendError(self._safe(f"no reply from {self.endpoint} within {self.settings.timeout:g} s")) from exc
        except openai.APIConnectionError as exc:
            raise BackendError(self._safe(f"cannot connect to {self.endpoint}")) from exc
        except openai.RateLimitError as exc:
            raise BackendError(self._safe(f"rate limited by {self.endpoint}")) from exc
        except openai.AuthenticationError as exc:
            raise BackendError(self._safe(f"{self.endpoint} refused the API key")) from exc
        except openai.APIStatusError as exc:
            raise BackendError(self._safe(f"{self.endpoint} answered HTTP {exc.status_code}: {_message(exc)}")) from exc
        except openai.OpenAIError as exc:
            raise BackendError(self._safe(f"{type(exc).__name__}: {exc}")) from exc

    def _create(self, params: dict):
        """Create the stream; newer models reject `max_tokens`/`temperature`: retry without them."""
        import openai

        try:
            return self.client.chat.completions.create(**params)
        except openai.BadRequestError as exc:
            text = _message(exc)
            if "max_tokens" in text:
                params = {k: v for k, v in params.items() if k != "max_tokens"} | {
                    "max_completion_tokens": params["max_tokens"]
                }
            elif "temperature" in text:
                params = {k: v for k, v in params.items() if k != "temperature"}
            else:
                raise
            return self.client.chat.completions.create(**params)

    def _safe(self, message: str) -> str:
        return message.replace(self._key, "***") if self._key else message


def _message(exc) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        err = body.get("error", body)
        if isinstance(err, dict) and err.get("message"):
            return str(err["message"])[:300]
    return str(getattr(exc, "message", exc))[:300]
