"""Answers and conversations leave newsrag as documents: Markdown with footnotes that name each
source and quote it exactly, a self-contained HTML file, clean text for the clipboard; and
conversations kept per browser on the server. Real answers from the seed index."""

from __future__ import annotations

import re

import pytest

from rag.export import answer_text, conversation_markdown, html_document
from rag.web.conversations import Conversations, new_id


@pytest.fixture(scope="module")
def two_answers(seed_index):
    from rag import answer

    return [answer("What did Kirby say?", settings=seed_index),
            answer("How much has trade turnover between Russia and China grown?", settings=seed_index)]


def test_a_conversation_exports_with_footnotes_numbered_through_it(two_answers):
    md = conversation_markdown(two_answers)
    total = sum(len(a.citations) for a in two_answers)
    assert set(re.findall(r"^\[\^(\d+)\]:", md, re.M)) == {str(k) for k in range(1, total + 1)}
    assert set(re.findall(r"\[\^(\d+)\](?!:)", md)) == {str(k) for k in range(1, total + 1)}  # each one referenced
    first = two_answers[0].citations[0]
    note = next(line for line in md.splitlines() if line.startswith("[^1]:"))
    assert first.name.replace("_", "\\_") in note and f"characters {first.start}-{first.end}" in note  # (Markdown-escaped)
    assert "Vladimir Putin welcomes" in note
    assert "\\[1\\]" not in md  # real markers became footnotes, not escaped text


def test_article_text_stays_text_in_every_export(two_answers):
    from dataclasses import replace

    hostile = replace(two_answers[0], text="<img src=x onerror=alert(1)> [1] **bold** [link](http://example.com)")
    md = conversation_markdown([hostile])
    page = html_document(md, "A <title>")
    assert "<img" not in page and "<a href=\"http://example.com" not in page and "<strong>" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page and "<script" not in page
    assert "<title>A &lt;title&gt;</title>" in page
    plain = answer_text(two_answers[0])
    assert plain.startswith(two_answers[0].text.strip()) and "\nSources:\n[1] " in plain


def test_conversations_are_kept_per_browser(tmp_path, two_answers):
    browser, other = new_id(), new_id()
    mine = Conversations(tmp_path, browser)
    first, second = new_id(), new_id()
    mine.save(first, two_answers[:1])
    mine.save(second, two_answers)
    listed = mine.list()
    assert {c.id for c in listed} == {first, second} and listed[0].title == two_answers[0].question
    back = mine.load(second)
    assert [a.text for a in back] == [a.text for a in two_answers]
    assert back[0].citations == two_answers[0].citations  # quotes, offsets, outlets: all of it
    assert Conversations(tmp_path, other).list() == []  # another browser sees none of them
    mine.delete(first)
    assert [c.id for c in mine.list()] == [second]
    assert mine.keep(two_answers[0]) == 1 and mine.keep(two_answers[0]) == 1 and mine.keep(two_answers[1]) == 2
    for bad in ("../../etc", "x" * 32, "", None):
        with pytest.raises(ValueError):
            Conversations(tmp_path, bad)
    assert mine.load("../" + second) == [] and not list(tmp_path.parent.glob("*.json"))
