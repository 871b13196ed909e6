"""Wire copies: the same story carried by several outlets, lightly edited, is one source of
corroboration. Copies made here from a seed article (another headline, a sentence cut and one
added, another byline) are grouped; the five seeds, which report one story in their own words,
are not; a briefing and a count of sources count a wire story once."""

from __future__ import annotations

import pytest

from conftest import SEEDS, seeds_with
from rag.index.copies import copy_groups

ORIGINAL = (SEEDS / "003_d27acffbcd5def62.txt").read_text(encoding="utf-8")


def _edited(text: str, headline: str, byline: str, cut: int, added: str) -> str:
    paragraphs = text.split("\n\n")
    body = paragraphs[1:cut] + paragraphs[cut + 1:]
    return "\n\n".join([headline, byline, *body, added]) + "\n"


COPIES = {
    "copy-a.txt": _edited(ORIGINAL, "Putin hosts Xi in Moscow", "By Staff Writer", 4, "Talks continue on Wednesday."),
    "copy-b.txt": _edited(ORIGINAL, "Xi and Putin meet in the Kremlin", "By Agence staff", 7,
                          "The visit ends on Wednesday, officials said. More talks are planned for the autumn."),
}


def test_edited_copies_are_grouped_and_different_reports_are_not():
    texts = {p.name: p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))} | COPIES
    groups = copy_groups(texts)
    assert groups["copy-a.txt"] == groups["copy-b.txt"] == "003_d27acffbcd5def62.txt"
    assert len({groups[p.name] for p in SEEDS.glob("*.txt")}) == 5  # the seeds are five sources


@pytest.fixture(scope="module")
def with_copies(tmp_path_factory):
    return seeds_with(tmp_path_factory, COPIES)


def test_a_briefing_counts_a_wire_story_once(with_copies):
    from rag import briefing

    b = briefing(settings=with_copies)
    assert "5 sources (7 articles: 2 a copy of another's wire story, counted once)" in b.text
    assert max(p.n_sources for p in b.points) <= 5
    assert "of 7 sources" not in b.text


def test_a_count_of_sources_says_which_carry_the_same_story(with_copies):
    from rag import answer

    a = answer("How many of the sources report that Kirby called it a marriage of convenience?", settings=with_copies)
    assert "carry the same wire story" in a.text and "copy-a.txt" in a.text and "independent sources" in a.text


def test_the_library_and_citations_name_the_other_carriers_of_a_wire_story(with_copies):
    from rag import answer
    from rag.index.library import articles

    entries = {e.name: e for e in articles(with_copies)}
    assert set(entries["copy-a.txt"].copies) == {"003_d27acffbcd5def62.txt", "copy-b.txt"}
    assert set(entries["003_d27acffbcd5def62.txt"].copies) == {"copy-a.txt", "copy-b.txt"}
    assert all(not entries[name].copies for name in entries if name.startswith(("000", "001", "002", "004")))

    a = answer("What did Kirby say?", settings=with_copies)
    carried = [c for c in a.citations if c.also]
    assert carried, [c.name for c in a.citations]
    c = carried[0]
    assert c.name in {"003_d27acffbcd5def62.txt", "copy-a.txt", "copy-b.txt"} and len(c.also) == 2
    assert any("Putin hosts Xi in Moscow" in x or "Xi and Putin meet" in x or "Putin welcomes" in x for x in c.also)
    assert "also carried by" in c.carried
