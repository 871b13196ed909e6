"""answer(): cited answers with the extractive backend over a real index of the seeds."""

from __future__ import annotations

import json
import re

import pytest

from conftest import not_answered, run_cli
from rag import Answer, Citation, answer
from rag.answering.citations import MARKER
from rag.indexing.reading import read_raw


def _assert_invariants(a: Answer) -> None:
    """Every [n] in the text has a citation, every citation is used, every quote is exact."""
    used = {int(n) for group in MARKER.findall(a.text) for n in re.findall(r"\d+", group)}
    assert used == {c.n for c in a.citations}
    for c in a.citations:
        assert read_raw(c.path, c.encoding)[c.start : c.end] == c.quote


def test_kirby_answer_cites_his_words(seed_index):
    a = answer("What did Kirby say?", settings=seed_index)
    assert not a.abstained and a.backend == "extractive"
    assert "marriage of convenience" in a.text
    assert a.citations and all(c.name == "003_d27acffbcd5def62.txt" for c in a.citations)
    assert any("marriage of convenience" in c.quote for c in a.citations)
    _assert_invariants(a)
    # every sentence of the answer carries a citation
    for sentence in re.split(r"(?<=\])\s+", a.text.strip()):
        assert MARKER.search(sentence), sentence
    assert a.passages and a.timings["retrieve"] >= 0 and a.timings["total"] >= a.timings["retrieve"]
    data = json.loads(json.dumps(a.to_dict()))
    assert data["citations"][0]["quote"] == a.citations[0].quote
    assert isinstance(a.citations[0], Citation)


@pytest.mark.parametrize(
    "question,expected_source,must",
    [
        ("What did Blinken say about Xi's visit to Moscow?", None, "diplomatic cover"),
        ("Which Russian officials besides Putin did Xi meet?", "002_8e30010a3892d27c.txt", "Mishustin"),
        ("How much has trade turnover between Russia and China grown?", "000_965fde6eaf1d91bc.txt", "185"),
        ("What happened to the US drone over the Black Sea?", "003_d27acffbcd5def62.txt", "crashed"),
    ],
)
def test_answers_hold_the_fact_and_cite_where_it_is(seed_index, question, expected_source, must):
    a = answer(question, settings=seed_index)
    assert not a.abstained
    assert must in a.text
    assert any(must in c.quote for c in a.citations)
    if expected_source:
        assert expected_source in {c.name for c in a.citations}
    _assert_invariants(a)


def test_a_person_named_but_never_quoted_gets_the_sentences_that_name_them_as_a_hedge(seed_index):
    a = answer("What did Lavrov say?", settings=seed_index)  # named in the articles, never quoted
    assert not_answered(a) == "hedged" and all("Lavrov" in c.quote for c in a.citations), a.text


@pytest.mark.parametrize(
    "question",
    [
        "What did Emmanuel Macron say about Xi's visit?",
        "What is the death toll of the earthquake in Turkey?",
    ],
)
def test_unanswerable_questions_are_declined_with_the_reason(seed_index, question):
    a = answer(question, settings=seed_index)
    assert a.status == "declined" and a.abstained and a.citations == ()
    assert "do not answer" in a.text and "(no passage mentions" in a.text or "quoted)" in a.text, a.text
    assert "closest passages are about" in a.text and ".txt" in a.text
    assert not MARKER.search(a.text)


def test_streaming_yields_deltas_then_the_same_answer(seed_index):
    events = list(answer("What did Zelensky say about China?", stream=True, settings=seed_index))
    assert all(isinstance(e, str) for e in events[:-1]) and len(events) >= 2
    final = events[-1]
    assert isinstance(final, Answer)
    plain = answer("What did Zelensky say about China?", settings=seed_index)
    assert final.text == plain.text and final.citations == plain.citations
    assert "World War" in final.text


def test_source_filter_and_k(seed_index):
    a = answer("What did Blinken say?", sources=["004_dbaac4714505962b.txt"], k=3, settings=seed_index)
    assert not a.abstained
    assert {c.name for c in a.citations} == {"004_dbaac4714505962b.txt"}
    assert len(a.passages) <= 3


def test_empty_index_says_so(settings):
    a = answer("What did Kirby say?", settings=settings)
    assert a.abstained and "index is empty" in a.text


def test_a_file_edited_after_ingest_is_never_misquoted(settings, corpus):
    from rag import ingest

    ingest([corpus], settings=settings)
    target = corpus / "003_d27acffbcd5def62.txt"
    target.write_text("Completely different text.\n\n" + target.read_text(encoding="utf-8"), encoding="utf-8")
    a = answer("What did Kirby say?", settings=settings)
    assert all(c.name != "003_d27acffbcd5def62.txt" for c in a.citations)
    assert any("changed since they were ingested" in n for n in a.notes)
    _assert_invariants(a)


def test_cli_ask_prints_answer_and_sources(tmp_path):
    data = tmp_path / "index"
    result = run_cli("ask", "What did Kirby say?", data_dir=data)
    assert result.returncode == 0, result.stderr
    assert "sample articles" in result.stderr and "ingested first" in result.stderr  # bootstrapped seeds/
    assert "marriage of convenience" in result.stdout
    # the source as people name it (headline · date), then the file and offsets for checking
    assert re.search(r"\[1\] Vladimir Putin welcomes .*\(003_d27acffbcd5def62\.txt, chars \d+-\d+\): ", result.stdout)
    as_json = json.loads(run_cli("ask", "What did Kirby say?", "--json", data_dir=data).stdout)
    assert as_json["citations"][0]["name"] == "003_d27acffbcd5def62.txt" and not as_json["abstained"]
    assert "sample articles" not in run_cli("ask", "Who is John Kirby?", data_dir=data).stderr  # only once


def test_cli_eval_reports_the_scores(tmp_path):
    from conftest import ROOT

    data = tmp_path / "index"
    result = run_cli("eval", str(ROOT / "benchmarks" / "data" / "seeds_extra.jsonl"), "--json", data_dir=data)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["questions"] == len(report["results"]) >= 10
    assert report["citation_validity"] == 1.0  # an invariant, not a target
    for key in ("fact_recall", "source_hit", "abstention_accuracy", "latency_p50", "latency_p95"):
        assert 0 <= report[key] and (key.startswith("latency") or report[key] <= 1)
    unanswerable = [r for r in report["results"] if not r["answerable"]]
    assert unanswerable and all(r["citations"] == 0 for r in unanswerable if r["abstained"])
