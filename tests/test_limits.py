"""The public API takes only sane values: the same bounds on k, question, history, sources and
topic in Python, in the CLI and in the web UI, each refused with a message that says what is
allowed, before any work is done."""

from __future__ import annotations

import pytest

from conftest import run_cli
from rag import answer, briefing, search
from rag.limits import MAX_HISTORY, MAX_K, MAX_QUESTION_CHARS, BadRequest


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda s: answer("What did Kirby say?", k=100_000, settings=s), f"from 1 to {MAX_K}"),
        (lambda s: answer("What did Kirby say?", k=0, settings=s), f"from 1 to {MAX_K}"),
        (lambda s: answer("What did Kirby say?", k=2.5, settings=s), "whole number"),
        (lambda s: answer("x" * (MAX_QUESTION_CHARS + 1), settings=s), "the limit is 2,000"),
        (lambda s: answer("and then?", history=["q"] * (MAX_HISTORY + 1), settings=s), "history has 21 items"),
        (lambda s: answer("and then?", history="What did Kirby say?", settings=s), "list of strings"),
        (lambda s: answer(["not", "text"], settings=s), "must be text"),
        (lambda s: answer("What did Kirby say?", backend="gpt-9", stream=True, settings=s), "unknown backend"),
        (lambda s: search("Kirby", k=MAX_K + 1, settings=s), f"from 1 to {MAX_K}"),
        (lambda s: search("Kirby", sources=["a.txt"] * 500, settings=s), "the limit is 200"),
        (lambda s: briefing("t" * 10_000, settings=s), "topic is 10,000 characters"),
    ],
)
def test_out_of_range_arguments_are_refused_before_any_work(seed_index, call, message):
    with pytest.raises((BadRequest, ValueError), match=message):
        call(seed_index)  # stream=True too: refused when called, not halfway through the stream


def test_the_limits_are_inclusive(seed_index):
    assert len(search("Kirby", k=MAX_K, settings=seed_index)) <= MAX_K
    a = answer("What did Kirby say?", k=MAX_K, settings=seed_index, history=["q"] * MAX_HISTORY)
    assert not a.abstained


def test_the_cli_refuses_the_same_values(seed_index):
    huge_k = run_cli("ask", "What did Kirby say?", "-k", "100000", data_dir=seed_index.data_dir)
    assert huge_k.returncode == 2 and "--k" in huge_k.stderr and f"less than or equal to {MAX_K}" in huge_k.stderr
    long_question = run_cli("ask", "why " * 1000, data_dir=seed_index.data_dir)
    assert long_question.returncode == 1 and "the limit is 2,000" in long_question.stderr
    assert "Traceback" not in long_question.stderr
