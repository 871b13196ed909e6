"""A model endpoint that misbehaves, served for real on loopback (http.server): keep-alive comments
and no tokens, silence, a malformed event stream, a 200 with an HTML page, events with no text.
Each one ends within its deadline in the extractive answer, with a note that says what was wrong
and names the endpoint by host only (no user:password, no query string, no key)."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from conftest import run_cli
from rag import Settings, answer

SECRET = "sk-test-DO-NOT-LEAK-0987654321"
PASSWORD = "hunter2-s3cret"
QUESTION = "What did Kirby say?"


class _Faulty(BaseHTTPRequestHandler):
    behaviour = "keepalive"
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:  # quiet
        pass

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length)
        kind = self.server.behaviour  # type: ignore[attr-defined]
        if kind == "silent":
            time.sleep(60)
            return
        if kind == "html":
            body = b"<html><body><h1>Welcome to nginx!</h1></body></html>"
            self._head("text/html; charset=utf-8", len(body))
            self.wfile.write(body)
            return
        self._head("text/event-stream", None)
        if kind == "keepalive":
            for _ in range(120):  # a comment every half second, never a token
                self._chunk(b": keep-alive\n\n")
                time.sleep(0.5)
        elif kind == "malformed":
            self._chunk(b'data: {"id": "x", "choices": [{"delta": {"content": "Hel\n\n')
            self._chunk(b"")
        elif kind == "echo":  # a model that writes the evidence it is given back, cited: SUMMARY from the first items
            import json as _json
            import re as _re

            prompt = _json.loads(body)["messages"][-1]["content"]
            items = _re.findall(r"(?m)^\[(\d+)\] \(reported by [^)]*\) (.+)$", prompt)
            written = "SUMMARY\n" + " ".join(f"{t} [{n}]" for n, t in items[:2]) + "\n\nKEY POINTS\n" + "\n".join(
                f"- {t} [{n}]" for n, t in items[2:4])
            delta = _json.dumps({"id": "x", "object": "chat.completion.chunk", "created": 1, "model": "m",
                                 "choices": [{"index": 0, "delta": {"content": written}, "finish_reason": None}]})
            self._chunk(f"data: {delta}\n\n".encode())
            self._chunk(b"data: [DONE]\n\n")
            self._chunk(b"")
        elif kind == "first-sentence":  # a terse model: the first sentence it is shown, cited, and nothing more
            import json as _json
            import re as _re

            prompt = _json.loads(body)["messages"][-1]["content"]
            block = _re.search(r'<passage n="1"[^>]*>\n(.+?)\n</passage>', prompt, _re.S).group(1)
            first = _re.split(r"(?<=[.!?”])\s+", block)[0]
            delta = _json.dumps({"id": "x", "object": "chat.completion.chunk", "created": 1, "model": "m",
                                 "choices": [{"index": 0, "delta": {"content": f"{first} [1]"}, "finish_reason": None}]})
            self._chunk(f"data: {delta}\n\n".encode())
            self._chunk(b"data: [DONE]\n\n")
            self._chunk(b"")
        elif kind == "loop":  # a small model stuck in a loop: the same cited sentence over and over
            for _ in range(6):
                delta = '{"id":"x","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,' \
                        '"delta":{"content":"Kirby said the talks were a marriage of convenience [1]. "},"finish_reason":null}]}'
                self._chunk(f"data: {delta}\n\n".encode())
            self._chunk(b"data: [DONE]\n\n")
            self._chunk(b"")
        elif kind == "no-text":
            self._chunk(b'data: {"id":"x","object":"chat.completion.chunk","created":1,"model":"m",'
                        b'"choices":[{"index":0,"delta":{"role":"assistant"},"finish_reason":"length"}]}\n\n')
            self._chunk(b"data: [DONE]\n\n")
            self._chunk(b"")

    def _head(self, kind: str, length: int | None) -> None:
        self.send_response(200)
        self.send_header("content-type", kind)
        if length is None:
            self.send_header("transfer-encoding", "chunked")
        else:
            self.send_header("content-length", str(length))
        self.end_headers()

    def _chunk(self, data: bytes) -> None:
        try:
            self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
            self.wfile.flush()
        except OSError:
            pass


@pytest.fixture
def faulty():
    """A server on 127.0.0.1 whose behaviour a test sets; yields (server, base URL with credentials)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Faulty)
    server.daemon_threads = True
    server.behaviour = "keepalive"  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server, f"http://newsrag:{PASSWORD}@127.0.0.1:{server.server_address[1]}/v1?token={PASSWORD}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def index(seed_index):
    """The data dir of conftest's index of the seeds."""
    return seed_index.data_dir


def _ask(data, base: str, **limits) -> tuple[object, float]:
    settings = Settings(data_dir=data, openai_base_url=base, openai_api_key=SECRET, retries=0, **limits)
    started = time.perf_counter()
    a = answer(QUESTION, backend="openai", settings=settings)
    return a, time.perf_counter() - started


def _fell_back(a, *expected: str) -> str:
    assert a.backend == "extractive" and not a.abstained and "marriage of convenience" in a.text
    note = " ".join(a.notes)
    assert "endpoint failed" in note, note
    for word in expected:
        assert word in note, note
    assert PASSWORD not in note and SECRET not in note and "newsrag:" not in note and "token=" not in note
    return note


def test_keep_alive_comments_without_tokens_hit_the_first_token_deadline(index, faulty):
    server, base = faulty
    a, took = _ask(index, base, timeout=3)
    assert took < 15, took  # a per-read timeout alone would wait for the whole minute of comments
    _fell_back(a, f"127.0.0.1:{server.server_address[1]}", "within 3 s", "RAG_TIMEOUT=3")


def test_the_first_token_deadline_includes_retries(index, faulty):
    server, base = faulty
    server.behaviour = "silent"
    settings = Settings(data_dir=index, openai_base_url=base, retries=3, timeout=2)
    started = time.perf_counter()
    a = answer(QUESTION, backend="openai", settings=settings)
    assert time.perf_counter() - started < 6  # 4 tries of 2 s each, plus backoff, would take over 10 s
    _fell_back(a, "no reply", "RAG_TIMEOUT=2")


def test_defaults_are_what_a_person_would_wait_for():
    s = Settings()
    assert s.connect_timeout <= 5 and s.timeout <= 30 and s.answer_timeout <= 120


def test_a_malformed_event_stream_falls_back(index, faulty):
    server, base = faulty
    server.behaviour = "malformed"
    a, _ = _ask(index, base)
    _fell_back(a, "malformed", f"127.0.0.1:{server.server_address[1]}")


def test_a_200_with_a_web_page_says_what_was_wrong(index, faulty):
    server, base = faulty
    server.behaviour = "html"
    a, _ = _ask(index, base)
    note = _fell_back(a, "text/html", "not a stream of tokens")
    assert "empty answer" not in note


def test_events_without_text_say_so(index, faulty):
    server, base = faulty
    server.behaviour = "no-text"
    a, _ = _ask(index, base)
    _fell_back(a, "with no text", "finish_reason: length")


def test_a_model_in_a_loop_is_not_shown_as_the_answer_or_the_briefing(index, faulty):
    from rag import briefing

    server, base = faulty
    server.behaviour = "loop"
    a, _ = _ask(index, base)
    assert a.backend == "extractive" and not a.abstained and "marriage of convenience" in a.text
    assert a.text.count("marriage of convenience") <= 2  # the extractive answer, not the loop
    assert any("answer was not shown (the model's output repeats" in n for n in a.notes), a.notes
    settings = Settings(data_dir=index, openai_base_url=base, openai_api_key=SECRET, retries=0)
    b = briefing(backend="openai", settings=settings)
    assert b.backend == "extractive" and b.summary and b.citations
    assert any("briefing was not shown (the model's output repeats" in n for n in b.notes), b.notes


def test_what_a_model_leaves_out_of_its_answer_is_added_word_for_word(index, faulty):
    server, base = faulty
    server.behaviour = "first-sentence"
    a, _ = _ask(index, base)
    assert a.backend == "openai" and not a.notes, a.notes
    extractive = answer(QUESTION, settings=Settings(data_dir=index))
    assert {c.quote for c in extractive.citations} <= {c.quote for c in a.citations}  # nothing the scorer found is lost


def test_a_model_briefing_that_holds_up_is_shown_as_the_models(index, faulty):
    from rag import briefing

    server, base = faulty
    server.behaviour = "echo"
    b = briefing(backend="openai", settings=Settings(data_dir=index, openai_base_url=base, openai_api_key=SECRET, retries=0))
    assert b.backend == "openai" and not b.notes, b.notes  # the model's sentences survived grounding
    assert b.summary and all(p.citations for p in b.summary) and b.points
    assert "written by the openai model" in b.text


def test_the_cli_never_prints_credentials_from_the_endpoint_url(index, faulty):
    server, base = faulty
    server.behaviour = "html"
    result = run_cli("ask", QUESTION, data_dir=index,
                     env={"OPENAI_BASE_URL": base, "OPENAI_API_KEY": SECRET, "RAG_RETRIES": "0"})
    assert result.returncode == 0, result.stderr
    shown = result.stdout + result.stderr
    assert "endpoint failed" in shown and f"127.0.0.1:{server.server_address[1]}" in shown
    assert PASSWORD not in shown and SECRET not in shown and "token=" not in shown


def test_a_refused_connection_names_the_host_only(index):
    from conftest import free_port

    port = free_port()
    a, _ = _ask(index, f"http://newsrag:{PASSWORD}@127.0.0.1:{port}/v1?token={PASSWORD}")
    _fell_back(a, "cannot connect", f"127.0.0.1:{port}")


def test_scrub_redacts_every_url_and_secret():
    from rag.redact import redact_url, scrub

    assert redact_url(f"https://u:{PASSWORD}@api.example.org:8443/v1?key=abc#x") == "https://api.example.org:8443/v1"
    text = scrub(f"failed at http://u:{PASSWORD}@h/v1?token=t with key {SECRET}", [SECRET])
    assert text == "failed at http://h/v1 with key ***"
