"""briefing(): a multi-source briefing of the seeds, every sentence cited with its exact span."""

from __future__ import annotations

import json
import re

import pytest

from conftest import SEED_FILES, run_cli
from rag import Briefing, Settings, briefing
from rag.answering.citations import MARKER
from rag.indexing.documents import parse
from rag.indexing.quotes import clean_name
from rag.indexing.reading import read_raw
from rag.indexing.sentences import document_sentences

SECTIONS = ["## Summary", "## Key points", "## Who said what", "## Where sources differ", "## Unique details",
            "## Sources", "## Citations"]


@pytest.fixture(scope="module")
def brief(seed_index) -> Briefing:
    return briefing(settings=seed_index)


def _invariants(b: Briefing) -> None:
    numbers = [c.n for c in b.citations]
    assert numbers == list(range(1, len(numbers) + 1))
    for c in b.citations:
        assert read_raw(c.path, c.encoding)[c.start : c.end] == c.quote
    used = {int(n) for group in MARKER.findall(b.text.split("## Citations")[0]) for n in re.findall(r"\d+", group)}
    assert used == set(numbers)  # every [n] shown has its citation, and every citation is shown


def test_the_briefing_has_every_section_in_order_and_cites_all_five_sources(brief):
    _invariants(brief)
    positions = [brief.text.index(s) for s in SECTIONS]
    assert positions == sorted(positions)
    assert {c.name for c in brief.citations} == set(SEED_FILES)
    assert [s.name for s in brief.sources] == SEED_FILES and all(s.title for s in brief.sources)
    assert brief.backend == "extractive"
    json.dumps(brief.to_dict())


def test_summary_is_a_few_cited_sentences(brief):
    assert 3 <= len(brief.summary) <= 5
    assert all(p.citations for p in brief.summary)
    assert len({p.text for p in brief.summary}) == len(brief.summary)


def test_key_points_are_ranked_by_sources_and_merge_what_outlets_repeat(brief):
    counts = [p.n_sources for p in brief.points]
    assert counts == sorted(counts, reverse=True) and all(n >= 2 for n in counts)
    cover = next(p for p in brief.points if "diplomatic cover" in p.text)
    assert cover.n_sources == 5 and len(set(cover.sources)) == 5 and len(cover.citations) == 5
    assert "reported by 5 of 5 sources" in brief.text
    by_number = {c.n: c for c in brief.citations}
    assert all("diplomatic" in by_number[n].quote for n in cover.citations)
    for p in brief.points:  # each citation of a point comes from a different source
        assert len({by_number[n].name for n in p.citations}) == len(p.citations)


@pytest.mark.parametrize(
    "phrase", ["diplomatic cover", "International Criminal Court", "12-point", "no limits", "marriage of convenience",
               "bloc confrontation"],
)
def test_the_story_s_main_facts_are_in_the_briefing(brief, phrase):
    body = brief.text.split("## Citations")[0]
    assert phrase in body


def test_who_said_what_names_the_main_speakers(brief):
    names = [s.name for s in brief.speakers]
    for surname in ["Blinken", "Putin", "Xi", "Kirby", "Zelensky"]:
        assert any(surname in n.split() for n in names), (surname, names)


@pytest.mark.parametrize(
    "phrase,speaker",
    [("marriage of convenience", "Kirby"), ("slightly envious", "Putin"), ("somewhat envious", "Putin"),
     ("firm leadership", "Xi"), ("World War III", "Zelensky"), ("provide diplomatic cover", "Blinken"),
     ("rest, resupply his forces", "Blinken"), ("carefully examined", "Putin")],
)
def test_quotes_are_listed_under_the_person_who_said_them(brief, phrase, speaker):
    quote = {c.n: c.quote for c in brief.citations}
    holders = [s.name for s in brief.speakers for r in s.remarks
               if any(phrase in quote[n] for n in (r.citation, *r.also))]
    assert holders and all(speaker in h.split() for h in holders), (phrase, holders)


def test_no_remark_is_listed_under_someone_the_text_does_not_point_to(brief):
    """Each remark names its speaker, or follows (within two sentences) one that does."""
    by_number = {c.n: c for c in brief.citations}
    for speaker in brief.speakers:
        names = {w for w in clean_name(speaker.name).split()} | {speaker.name}
        for r in speaker.remarks:
            c = by_number[r.citation]
            raw = read_raw(c.path, c.encoding)
            spans = [s for block in document_sentences(parse(raw)) for s in block]
            i = next(k for k, s in enumerate(spans) if (s.start, s.end) == (c.start, c.end))
            context = " ".join(raw[s.start : s.end] for s in spans[max(0, i - 2) : i + 1])
            assert any(n in context for n in names), (speaker.name, r.text)


def test_sources_differ_with_both_versions_cited(brief):
    assert brief.differences
    by_number = {c.n: c for c in brief.citations}
    kinds = {d.kind for d in brief.differences}
    assert "quote wording" in kinds
    for d in brief.differences:
        assert len({v.source for v in d.variants}) == 2
        for v in d.variants:
            assert v.text.strip("…") in by_number[v.citation].quote
    envious = [d for d in brief.differences if any("slightly envious" in v.text for v in d.variants)]
    assert envious and any("somewhat envious" in v.text for v in envious[0].variants)


def test_unique_details_come_from_one_source_each(brief):
    assert brief.unique
    by_number = {c.n: c for c in brief.citations}
    for source, points in brief.unique:
        for p in points:
            assert p.n_sources == 1 and {by_number[n].name for n in p.citations} == {source}


def test_a_topic_narrows_the_briefing(seed_index):
    b = briefing(topic="ICC warrant", settings=seed_index)
    _invariants(b)
    assert b.topic == "ICC warrant" and b.text.startswith("# Briefing: ICC warrant")
    assert "International Criminal Court" in " ".join(p.text for p in b.summary + b.points)
    assert "marriage of convenience" not in b.text  # Kirby's remark is not about the warrant


def test_an_empty_index_says_so(settings):
    b = briefing(settings=settings)
    assert "index is empty" in b.text and not b.citations


def test_cli_brief_writes_markdown_and_json(tmp_path):
    data = tmp_path / "index"
    out = tmp_path / "briefing.md"
    result = run_cli("brief", "--out", str(out), data_dir=data)
    assert result.returncode == 0, result.stderr
    assert "sample articles" in result.stderr  # an empty index gets seeds/ first
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Briefing") and "## Who said what" in text and "reported by 5 of 5 sources" in text
    as_json = json.loads(run_cli("brief", "--topic", "peace plan", "--json", data_dir=data).stdout)
    assert as_json["topic"] == "peace plan" and as_json["citations"] and as_json["sources"]
    printed = run_cli("brief", data_dir=data)
    assert printed.returncode == 0 and "## Key points" in printed.stdout


def test_a_language_model_writes_summary_and_points_with_verified_citations(seed_index, llm_server):
    settings = Settings(data_dir=seed_index.data_dir, openai_base_url=llm_server, context_tokens=2048,
                        max_answer_tokens=256, retries=0)
    b = briefing(backend="openai", settings=settings)
    _invariants(b)
    # the 135M test model often loops or writes what the articles do not support: then the
    # extractive briefing is shown with a note saying so (tests/test_endpoint_faults.py shows a
    # model briefing that holds up being shown as the model's)
    assert b.backend == "openai" or any("briefing was not shown" in n for n in b.notes), b.notes
    assert b.summary and all(p.citations for p in b.summary)
    assert ("written by the openai model" in b.text) == (b.backend == "openai")
    assert b.speakers and b.sources  # the verbatim sections are still there


def test_a_model_that_is_down_leaves_the_extractive_briefing(seed_index):
    from conftest import free_port

    settings = Settings(data_dir=seed_index.data_dir, openai_base_url=f"http://127.0.0.1:{free_port()}/v1", retries=0,
                        timeout=3)
    b = briefing(backend="openai", settings=settings)
    _invariants(b)
    assert b.backend == "extractive" and any("endpoint failed" in n for n in b.notes)
    assert "reported by 5 of 5 sources" in b.text
