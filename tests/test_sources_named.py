"""Sources named as people name them: the outlet read from an article's own text (a wire
dateline, a byline, a "Source:" line, a page's site name, a copyright line), headline and date;
and what a user sets by hand (`rag.correct`, `rag correct`), kept across re-ingests."""

from __future__ import annotations

import json

import pytest

from conftest import run_cli
from rag.indexing.documents import parse
from rag.indexing.html import html_to_text
from rag.limits import BadRequest

BODY = ("Dock workers at the port of Rotterdam ended a three-day strike on Friday after their union accepted "
        "a 6 percent pay rise, the union said.\n\nShipping companies said traffic would be normal by Monday.\n")

OUTLETS = [
    ("March 21 (UPI) — " + BODY, "UPI", "a wire dateline with a date"),
    ("ROTTERDAM, Netherlands (Reuters) - " + BODY, "Reuters", "a wire dateline with a place in capitals"),
    ("By Anna Visser, Associated Press\n\n" + BODY, "Associated Press", "a byline naming the outlet"),
    ("By Anna Visser | CNN\n\n" + BODY, "CNN", "a byline with a bar"),
    ("Source: Harbour Gazette\n\n" + BODY, "Harbour Gazette", "a metadata line"),
    (BODY + "\n© 2023 Harbour Gazette. All rights reserved.\n", "Harbour Gazette", "a copyright line"),
    ("By Anna Visser\n\n" + BODY, "", "a byline with a person only"),
    ("Senator Smith (Ohio) — " + BODY, "", "a name with a state in brackets is no dateline"),
]


@pytest.mark.parametrize("text,outlet,why", OUTLETS, ids=[o[2] for o in OUTLETS])
def test_the_outlet_is_read_from_the_article(text, outlet, why):
    doc = parse("Harbour strike ends in Rotterdam\n\n" + text)
    assert doc.outlet == outlet, why
    assert "Dock workers" in doc.body_text() and "Source:" not in doc.body_text()


def test_an_html_page_gives_its_site_name():
    page = ('<html><head><title>Strike ends</title><meta property="og:site_name" content="Harbour Gazette"></head>'
            "<body><article><h1>Strike ends</h1><p>" + BODY.replace("\n\n", "</p><p>") + "</p></article></body></html>")
    assert parse(html_to_text(page)).outlet == "Harbour Gazette"


def test_outlet_headline_and_date_are_stored_and_cited(seed_index):
    from rag import answer, articles

    upi = next(a for a in articles(settings=seed_index) if a.name == "002_8e30010a3892d27c.txt")
    assert upi.outlet == "UPI"  # "March 21 (UPI) —" opens its story
    a = answer("What did the joint statement of Xi and Putin denounce?", settings=seed_index)
    cited = next(c for c in a.citations if c.name == "002_8e30010a3892d27c.txt")
    assert cited.outlet == "UPI" and cited.label.startswith("UPI · Xi Jinping, Vladimir Putin discuss Ukraine")


def test_details_set_by_hand_are_kept_across_ingests_and_filter_by_date(tmp_path, corpus):
    from rag import Settings, answer, articles, correct, ingest

    settings = Settings(data_dir=tmp_path / "index")
    ingest([corpus], settings=settings)
    [entry] = correct("000_965fde6eaf1d91bc.txt", outlet="Example Times", date="2023-03-20", settings=settings)
    assert (entry.outlet, entry.date) == ("Example Times", "2023-03-20")
    cited = answer("What did Blinken claim about Xi's visit?", settings=settings, since="2023-03-20", until="2023-03-20")
    assert cited.citations and {c.name for c in cited.citations} == {"000_965fde6eaf1d91bc.txt"}  # the date filters
    assert cited.citations[0].label.startswith("Example Times · US Claims President Xi")

    edited = corpus / "000_965fde6eaf1d91bc.txt"  # an edit re-reads the file: the correction is applied again
    edited.write_text(edited.read_text(encoding="utf-8") + "\nOne more paragraph about the visit was added.\n",
                      encoding="utf-8")
    report = ingest([corpus], settings=settings)
    assert [f.source.rsplit("/", 1)[-1] for f in report.by_status("updated")] == ["000_965fde6eaf1d91bc.txt"]
    again = next(a for a in articles(settings=settings) if a.name == "000_965fde6eaf1d91bc.txt")
    assert (again.outlet, again.date) == ("Example Times", "2023-03-20")

    with pytest.raises(BadRequest, match="no ingested file matches"):
        correct("no-such-file.txt", outlet="X", settings=settings)
    with pytest.raises(BadRequest, match="YYYY-MM-DD"):
        correct("000_965fde6eaf1d91bc.txt", date="20 March", settings=settings)
    with pytest.raises(BadRequest, match="title cannot be empty"):
        correct("000_965fde6eaf1d91bc.txt", title="  ", settings=settings)
    unchanged = next(a for a in articles(settings=settings) if a.name == "000_965fde6eaf1d91bc.txt")
    assert (unchanged.outlet, unchanged.date) == ("Example Times", "2023-03-20")  # a refused change changes nothing


def test_the_cli_sets_details_and_lists_outlets(tmp_path):
    data = tmp_path / "index"
    assert run_cli("ingest", "seeds/", data_dir=data).returncode == 0
    done = run_cli("correct", "004_dbaac4714505962b.txt", "--outlet", "New York Post", "--json", data_dir=data)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)[0]["outlet"] == "New York Post"
    listed = {r["name"]: r["outlet"] for r in json.loads(run_cli("sources", "--json", data_dir=data).stdout)}
    assert listed["004_dbaac4714505962b.txt"] == "New York Post" and listed["002_8e30010a3892d27c.txt"] == "UPI"
    assert run_cli("correct", "004_dbaac4714505962b.txt", data_dir=data).returncode == 2  # nothing to set
    assert run_cli("correct", "nope.txt", "--outlet", "X", data_dir=data).returncode == 1


def test_questions_and_searches_keep_to_the_outlets_asked_for(seed_index):
    from rag import answer, search
    from rag.answering.retrieve import UnknownSource

    passages = search("Xi Putin meeting Moscow", k=10, outlets=["upi"], settings=seed_index)
    assert passages and {p.outlet for p in passages} == {"UPI"}  # case ignored
    a = answer("What did Blinken say?", outlets=["UPI"], settings=seed_index)
    assert a.citations and {c.outlet for c in a.citations} == {"UPI"}
    with pytest.raises(UnknownSource, match="no ingested article is from Reuters.*UPI"):
        search("Xi", outlets=["Reuters"], settings=seed_index)
    shown = run_cli("search", "Xi Putin", "--outlet", "upi", "--json", data_dir=seed_index.data_dir)
    assert shown.returncode == 0 and {p["outlet"] for p in json.loads(shown.stdout)} == {"UPI"}
    refused = run_cli("ask", "What did Xi say?", "-o", "Reuters", data_dir=seed_index.data_dir)
    assert refused.returncode == 1 and "no ingested article is from Reuters" in refused.stderr


def test_a_fetched_page_that_names_no_site_is_named_by_its_host(tmp_path, site):
    from rag import Settings, articles, ingest

    settings = Settings(data_dir=tmp_path / "index", fetch_private=True)
    by_name = site.replace("127.0.0.1", "localhost")
    ingest([f"{by_name}/items/4", f"{site}/items/5"], settings=settings)
    outlets = {a.source: a.outlet for a in articles(settings=settings)}
    assert outlets == {f"{by_name}/items/4": "localhost", f"{site}/items/5": ""}  # an address names no outlet


def test_the_library_lists_the_feeds_followed_and_their_last_sync(tmp_path, site):
    from rag import Settings
    from rag.indexing.feeds import add_feed, sync_feeds
    from rag.web.library_tab import feeds_note

    settings = Settings(data_dir=tmp_path / "index", fetch_private=True)
    assert "No feeds followed" in feeds_note(settings)
    add_feed(f"{site}/feed.xml?n=2", settings)
    assert "last synced never, 0 items seen" in feeds_note(settings)
    sync_feeds(settings)
    note = feeds_note(settings)
    assert f"{site}/feed.xml?n=2" in note and "2 items seen" in note and "never" not in note
