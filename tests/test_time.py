"""Time-aware retrieval: the as-of date, periods named in a question, and date-range filters,
on articles written for this test (same story, reported on different days)."""

from __future__ import annotations

import json
from datetime import date

import pytest

from conftest import run_cli
from rag import answer, search
from rag.limits import BadRequest
from rag.timeframe import asked_period

AS_OF = date(2023, 1, 6)  # a Friday


@pytest.mark.parametrize(
    "question, first, last",
    [
        ("Whose bid was blocked this week?", "2022-12-30", "2023-01-06"),
        ("What happened on Monday?", "2023-01-02", "2023-01-03"),
        ("What did the mayor say yesterday?", "2023-01-05", "2023-01-05"),
        ("Which law passed last week?", "2022-12-26", "2023-01-01"),
        ("What was agreed last month?", "2022-12-01", "2022-12-31"),
        ("What happened in March?", "2022-03-01", "2022-03-31"),  # the latest March before the as-of date
        ("What happened in March 2023?", "2023-03-01", "2023-03-31"),  # named explicitly: kept as named
        ("Who won the vote on March 3?", "2022-03-03", "2022-03-03"),
        ("What changed in the past 3 days?", "2023-01-03", "2023-01-06"),
        ("What did the council decide in 2021?", "2021-01-01", "2021-12-31"),
        ("What is the latest on the strike?", "2022-12-30", "2023-01-06"),
        ("Who said what on January 5, 2023?", "2023-01-05", "2023-01-05"),
    ],
)
def test_a_period_named_in_the_question_is_read_from_the_as_of_date(question, first, last):
    period = asked_period(question, AS_OF)
    assert period is not None
    assert (date.fromordinal(period.first).isoformat(), date.fromordinal(period.last).isoformat()) == (first, last)


@pytest.mark.parametrize("question", ["Who is the mayor of Springfield?", "What did Monday Holdings report?",
                                      "How many weeks did the strike last?"])
def test_questions_that_name_no_period(question):
    assert asked_period(question, AS_OF) is None


def _names(passages) -> list[str]:
    return [p.name for p in passages]


def test_dates_are_read_from_the_dateline_and_carried_by_passages(story_index):
    found = {p.name: p.date[:10] for p in search("Springfield harbour strike", 4, settings=story_index)}
    assert found == {"early.txt": "2022-11-14", "middle.txt": "2022-12-12", "latest.txt": "2023-01-04",
                     "undated.txt": ""}


def test_since_and_until_keep_only_articles_published_in_the_range(story_index):
    within = search("harbour strike", 4, since="2022-12-01", until="2022-12-31", settings=story_index)
    assert _names(within) == ["middle.txt"]  # the undated explainer is left out of a range
    since = search("harbour strike", 4, since=date(2022, 12, 1), settings=story_index)
    assert sorted(_names(since)) == ["latest.txt", "middle.txt"]
    assert search("harbour strike", 4, since="2024-01-01", settings=story_index) == []


def test_the_period_a_question_names_favours_what_was_published_then(story_index):
    question = "What happened to the harbour strike this week?"
    assert _names(search(question, 1, as_of="2023-01-06", settings=story_index)) == ["latest.txt"]
    assert _names(search(question, 1, as_of="2022-12-14", settings=story_index)) == ["middle.txt"]
    assert _names(search(question, 1, as_of="2022-11-15", settings=story_index)) == ["early.txt"]


def test_answers_take_the_same_dates(story_index):
    result = answer("What raise did the dock workers accept?", as_of="2023-01-06", since="2023-01-01",
                    settings=story_index)
    assert {c.name for c in result.citations} <= {"latest.txt"} and not result.abstained
    assert "five percent" in result.text


@pytest.mark.parametrize("arguments", [{"as_of": "last Tuesday"}, {"since": "2023-13-01"},
                                       {"since": "2023-02-01", "until": "2023-01-01"}, {"until": 20230101}])
def test_bad_dates_are_refused_with_a_message(story_index, arguments):
    with pytest.raises(BadRequest) as refused:
        search("harbour strike", settings=story_index, **arguments)
    assert any(word in str(refused.value) for word in ("YYYY-MM-DD", "after"))


def test_cli_takes_as_of_since_and_until(story_index):
    data = story_index.data_dir
    found = run_cli("search", "harbour strike", "--since", "2022-12-01", "--until", "2022-12-31", "--json",
                    data_dir=data)
    assert found.returncode == 0, found.stderr
    assert [p["name"] for p in json.loads(found.stdout)] == ["middle.txt"]
    asked = run_cli("ask", "What happened to the harbour strike this week?", "--as-of", "2022-11-15", "--json",
                    data_dir=data)
    assert asked.returncode == 0, asked.stderr
    assert json.loads(asked.stdout)["passages"][0]["name"] == "early.txt"  # the article of that week ranks first
    bad = run_cli("search", "harbour strike", "--since", "yesterday", data_dir=data)
    assert bad.returncode != 0 and "YYYY-MM-DD" in bad.stderr and "Traceback" not in bad.stderr
