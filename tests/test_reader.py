"""A language model as the reader: before anything is written or declined, the model is asked
which of the closest sentences answers (rag/answering/reader.py). The model here is a real
OpenAI-compatible endpoint on loopback (http.server) that reads the judging prompt it is sent
and names the sentence holding a given phrase, or 0, or replies with nonsense; asked to write,
it writes the sentence of the first passage it is shown that holds the phrase (else its first), cited."""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from conftest import SEEDS
from rag import Settings, answer
from rag.answering.selection import READER_CANDIDATES

BLOCK = re.compile(r'<passage n="(\d+)"[^>]*>\n(.+?)\n</passage>', re.S)


class _Model(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:  # quiet
        pass

    def do_POST(self) -> None:
        messages = json.loads(self.rfile.read(int(self.headers["content-length"])))["messages"]
        self.server.requests.append(messages)  # type: ignore[attr-defined]
        prompt = messages[-1]["content"]
        if "judge whether sentences" in messages[0]["content"]:
            verdict = self.server.verdict  # type: ignore[attr-defined]
            if verdict.startswith("holding:"):  # the number of the sentence holding the phrase, else 0
                verdict = next((n for n, text in BLOCK.findall(prompt) if verdict[8:] in text), "0")
            reply = verdict
        else:
            sentences = re.split(r"(?<=[.!?”])\s+", BLOCK.search(prompt).group(2))  # passage 1, the best shown
            phrase = self.server.verdict.partition("holding:")[2] or sentences[0]  # type: ignore[attr-defined]
            reply = next((s for s in sentences if phrase in s), sentences[0]) + " [1]"
        event = {"id": "x", "object": "chat.completion.chunk", "created": 1, "model": "m",
                 "choices": [{"index": 0, "delta": {"content": reply}, "finish_reason": None}]}
        body = f"data: {json.dumps(event)}\n\ndata: [DONE]\n\n".encode()
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def model():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Model)
    server.daemon_threads = True
    server.requests, server.verdict = [], "0"  # type: ignore[attr-defined]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def _ask(seeds: Settings, server, question: str, **settings):
    """`question` to the seeds' index (conftest's seed_index) through the endpoint, the model reading."""
    base = f"http://127.0.0.1:{server.server_address[1]}/v1"
    settings = {"model_reads": True} | settings  # (off by default)
    return answer(question, backend="openai",
                  settings=Settings(data_dir=seeds.data_dir, openai_base_url=base, openai_api_key="none", retries=0, **settings))


def _judging(server) -> list[list[dict]]:
    return [m for m in server.requests if "judge whether sentences" in m[0]["content"]]


TRADE = "How much has trade turnover between Russia and China grown?"


def test_the_sentence_the_model_names_answers_even_below_the_scorers_threshold(seed_index, model):
    unsure = Settings(data_dir=seed_index.data_dir, answer_threshold=0.99)
    assert answer(TRADE, settings=unsure).status == "hedged"  # the scorer alone would not answer at this threshold
    model.verdict = "holding:185"
    a = _ask(seed_index, model, TRADE, answer_threshold=0.99)
    assert a.status == "answered", (a.status, a.text, a.notes)  # (written by the model, or by the extractive
    assert "185" in a.citations[0].quote                          # answerer where grounding refused its words) and a.timings["read"] >= 0
    judged = _judging(model)
    assert len(judged) == 1 and len(model.requests) == 2  # one judgement, then the answer


def test_the_model_saying_none_answers_shows_the_closest_sentences_as_such(seed_index, model):
    question = "What happened to the US drone over the Black Sea?"
    scorer = answer(question, settings=seed_index)
    assert scorer.status == "answered"
    model.verdict = "0"
    a = _ask(seed_index, model, question)
    assert a.status == "hedged" and not a.abstained and a.text.startswith("The articles do not say this directly")
    assert {c.quote for c in a.citations} <= {c.quote for c in scorer.citations} and a.citations  # nothing made up
    assert any("judged that none of the closest sentences" in n for n in a.notes), a.notes
    assert len(model.requests) == 1  # judged, and nothing was written


@pytest.mark.parametrize("reply", ["I cannot tell from these.", "9"])
def test_a_reply_that_names_no_candidate_leaves_the_scorers_judgement(seed_index, model, reply):
    model.verdict = reply
    a = _ask(seed_index, model, TRADE)
    scorer = _ask(seed_index, model, TRADE, model_reads=False)
    assert a.status == scorer.status == "answered"
    assert [c.quote for c in a.citations] == [c.quote for c in scorer.citations]
    assert len(_judging(model)) == 1  # only the first was judged


def test_the_model_judges_at_most_a_few_fenced_sentences_and_not_when_it_cannot_matter(seed_index, model):
    model.verdict = "holding:185"
    _ask(seed_index, model, TRADE)
    (judged,) = _judging(model)
    blocks = BLOCK.findall(judged[-1]["content"])
    assert 1 <= len(blocks) <= READER_CANDIDATES and [n for n, _ in blocks] == [str(i) for i in range(1, len(blocks) + 1)]
    text = " ".join((SEEDS / name).read_text(encoding="utf-8") for name in sorted(p.name for p in SEEDS.glob("*.txt")))
    assert all(" ".join(sentence.split()) in " ".join(text.split()) for _, sentence in blocks)  # word for word
    model.requests.clear()
    kirby = _ask(seed_index, model, "What did Kirby say?")  # whose statements answer is not a judgement
    assert kirby.status == "answered" and not _judging(model)
    declined = _ask(seed_index, model, "What is the death toll of the earthquake in Turkey?")  # no passage mentions Turkey
    assert declined.status == "declined" and not _judging(model)
    _ask(seed_index, model, TRADE, model_reads=False)
    answer(TRADE, backend="openai", settings=Settings(data_dir=seed_index.data_dir, retries=0, openai_api_key="none",
                                                     openai_base_url=f"http://127.0.0.1:{model.server_address[1]}/v1"))
    assert not _judging(model)  # not asked, nor by default
