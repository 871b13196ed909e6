"""Hybrid retrieval over the seeds finds the right files."""

from __future__ import annotations

import pytest

from rag import Settings, search
from rag.indexing.reading import read_raw
from rag.answering.retrieve import UnknownSource


def test_kirby_is_found_in_the_article_that_quotes_him(seed_index):
    passages = search("What did Kirby say?", settings=seed_index)
    assert passages[0].name == "003_d27acffbcd5def62.txt"
    assert "Kirby" in passages[0].text


@pytest.mark.parametrize(
    "query,expected,must_contain",
    [
        ("What did Mishustin discuss with Xi?", {"002_8e30010a3892d27c.txt"}, "Mishustin"),
        ("Blinken diplomatic cover war crimes", {"000_965fde6eaf1d91bc.txt", "001_d3a2d41807ada17a.txt",
                                                 "002_8e30010a3892d27c.txt", "003_d27acffbcd5def62.txt",
                                                 "004_dbaac4714505962b.txt"}, "Blinken"),
        ("woman heckled Putin in Mariupol", {"004_dbaac4714505962b.txt"}, "Mariupol"),
        ("$350 million military aid package HIMARS", {"003_d27acffbcd5def62.txt"}, "HIMARS"),
    ],
)
def test_top_passage_comes_from_the_right_file(seed_index, query, expected, must_contain):
    top = search(query, 3, settings=seed_index)[0]
    assert top.name in expected
    assert must_contain in top.text


def test_blinken_is_found_across_sources(seed_index):
    names = {p.name for p in search("What did Blinken say about Xi's visit?", 8, mmr=True, settings=seed_index)}
    assert len(names) >= 4


def test_passages_carry_exact_offsets_and_metadata(seed_index):
    for p in search("ICC arrest warrant for Putin deportation of children", 8, settings=seed_index):
        assert read_raw(p.path, p.encoding)[p.start : p.end] == p.text
        assert p.title and p.chunk_id and p.score > 0
        assert -1.0 <= p.similarity <= 1.0


def test_scores_are_ranked(seed_index):
    passages = search("peace plan 12 points", 8, settings=seed_index)
    scores = [p.score for p in passages]
    assert scores == sorted(scores, reverse=True)
    assert len({p.chunk_id for p in passages}) == len(passages)


def test_mmr_spreads_results_over_more_sources(seed_index):
    plain = {p.name for p in search("Putin and Xi", 4, settings=seed_index)}
    diverse = {p.name for p in search("Putin and Xi", 4, mmr=True, settings=seed_index)}
    assert len(diverse) >= len(plain)
    assert len(diverse) >= 3


def test_source_filter_restricts_results(seed_index):
    passages = search("Blinken diplomatic cover", 5, sources=["004_dbaac4714505962b.txt"], settings=seed_index)
    assert passages and {p.name for p in passages} == {"004_dbaac4714505962b.txt"}
    with pytest.raises(UnknownSource):
        search("Blinken", sources=["no-such-file.txt"], settings=seed_index)


def test_empty_query_and_empty_index(seed_index, tmp_path):
    assert search("   ", settings=seed_index) == []
    assert search("Kirby", settings=Settings(data_dir=tmp_path / "empty")) == []
