"""Any OpenAI-compatible endpoint through the `openai` package: OpenAI, Ollama, vLLM, llama.cpp.

Streams, under real deadlines: connecting (RAG_CONNECT_TIMEOUT), the first token, retries
included (RAG_TIMEOUT), and the whole answer (RAG_ANSWER_TIMEOUT). A per-read timeout alone
is not one: a server that sends keep-alive comments and no tokens would be waited on forever.
So the stream is read by a worker thread and the caller waits on it with the deadline, closing
the response when it passes (rag/deadline.py). Every failure, from a refused connection to a
malformed event stream or a 200 with no text, becomes a BackendError that says what was wrong
and names the endpoint by host only: no key, no user:password, no query string.
"""

from __future__ import annotations

from typing import Any, Iterator

from ...config import Settings
from ...deadline import Deadline, within
from ...redact import host_of, scrub, secrets_of
from . import BackendError
from . import Request

_PLACEHOLDER_KEY = "not-needed"  # local servers ignore the key, but the client requires one


class OpenAIGenerator:
    name = "openai"

    def __init__(self, settings: Settings) -> None:
        import openai

        self.settings = settings
        self.context_tokens = settings.context_tokens
        key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else ""
        self.client = openai.OpenAI(
            api_key=key or _PLACEHOLDER_KEY,
            base_url=settings.openai_base_url,
            timeout=openai.Timeout(settings.timeout, connect=settings.connect_timeout),
            max_retries=settings.retries,
        )
        self._secrets = secrets_of(settings)
        self.host = host_of(str(self.client.base_url))

    def generate(self, request: Request) -> Iterator[str]:
        params = {
            "model": self.settings.model,
            "messages": request.messages,
            "stream": True,
            "temperature": 0,
            "max_tokens": request.max_tokens,
        }
        seen = _Seen()
        opened: list[Any] = []  # the stream, once the worker has it (closed here at a deadline)

        def texts() -> Iterator[str]:
            stream = self._create(params)
            opened.append(stream)
            for chunk in stream:
                text = seen.take(chunk)
                if text:
                    yield text

        def cancel() -> None:  # unblock the worker: close its stream, or its connection if it has none yet
            for handle in opened or [self.client]:
                handle.close()

        limits = self.settings
        try:
            yield from within(texts, first=min(limits.timeout, limits.answer_timeout), total=limits.answer_timeout,
                              cancel=cancel, name="newsrag-openai")
        except Deadline as late:
            raise BackendError(self._deadline(late, seen)) from None
        except BackendError:
            raise
        except Exception as exc:  # anything the endpoint or the client did: explained, then the fallback
            raise BackendError(self._safe(self._explain(exc))) from exc
        finally:
            for stream in opened:
                _close(stream)
        if not seen.text:
            raise BackendError(self._safe(seen.why_empty(self.host, opened[0] if opened else None)))

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

    # --- messages -------------------------------------------------------------------------------

    def _deadline(self, late: Deadline, seen: "_Seen") -> str:
        if late.phase == "first":
            limit = f"RAG_TIMEOUT={self.settings.timeout:g}"
        else:
            limit = f"RAG_ANSWER_TIMEOUT={self.settings.answer_timeout:g}"
        if seen.text:
            what = f"the answer from {self.host} was not complete after {late.waited:.0f} s"
        elif seen.events:
            what = f"{self.host} sent {seen.events} event(s) but no text within {late.waited:.0f} s"
        else:
            what = f"no reply from {self.host} within {late.waited:.0f} s"
        return f"{what} ({limit})"

    def _explain(self, exc: BaseException) -> str:
        import openai

        if isinstance(exc, openai.APITimeoutError):
            return f"no reply from {self.host} within {self.settings.timeout:g} s (RAG_TIMEOUT)"
        if isinstance(exc, openai.APIConnectionError):
            cause = exc.__cause__ or exc.__context__
            detail = f": {type(cause).__name__}" if cause is not None else ""
            return f"cannot connect to {self.host}{detail}"
        if isinstance(exc, openai.RateLimitError):
            return f"rate limited by {self.host}"
        if isinstance(exc, openai.AuthenticationError):
            return f"{self.host} refused the API key"
        if isinstance(exc, openai.APIStatusError):
            return f"{self.host} answered HTTP {exc.status_code}: {_message(exc)}"
        if isinstance(exc, openai.APIError):
            return f"{self.host} reported an error: {_message(exc)}"
        if isinstance(exc, ValueError):  # json.JSONDecodeError among them: not a valid event stream
            return f"{self.host} sent a malformed reply ({type(exc).__name__}: {str(exc)[:120]})"
        return f"{self.host} failed: {type(exc).__name__}: {str(exc)[:200]}"

    def _safe(self, message: str) -> str:
        return scrub(message, self._secrets)


class _Seen:
    """What the stream has delivered so far."""

    def __init__(self) -> None:
        self.events = 0
        self.text = False
        self.finish: str | None = None

    def take(self, chunk) -> str:
        self.events += 1
        choices = getattr(chunk, "choices", None) or []
        if not choices:
            return ""
        self.finish = getattr(choices[0], "finish_reason", None) or self.finish
        delta = getattr(choices[0], "delta", None)
        text = getattr(delta, "content", None) if delta is not None else None
        if isinstance(text, str) and text:
            self.text = True
            return text
        return ""

    def why_empty(self, host: str, stream) -> str:
        kind = ""
        if stream is not None:
            try:
                kind = stream.response.headers.get("content-type", "")
            except Exception:  # the response is gone: say what we know
                kind = ""
        if kind and "event-stream" not in kind:
            return f"{host} answered with {kind.split(';')[0]}, not a stream of tokens: is OPENAI_BASE_URL an OpenAI-compatible /v1 endpoint?"
        if self.events == 0:
            return f"{host} ended the stream without sending a single event"
        finish = f" (finish_reason: {self.finish})" if self.finish else ""
        return f"{host} sent {self.events} event(s) with no text{finish}"


def _close(stream) -> None:
    try:
        stream.close()
    except Exception:  # closing a response another thread is reading: nothing more to do
        pass


def _message(exc) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        err = body.get("error", body)
        if isinstance(err, dict) and err.get("message"):
            return str(err["message"])[:300]
    return str(getattr(exc, "message", exc))[:300]
