"""Site furniture is removed by general rules; titles, bylines and dates are extracted."""

from __future__ import annotations

import pytest

from conftest import SEEDS, SEED_FILES
from rag.indexing.chunking import chunk_document
from rag.indexing.documents import parse
from rag.indexing.reading import read_text_file

SEED_FURNITURE = [
    "Ad image",
    "3 Min Read",
    "Leave a comment",
    "Leave a Reply",
    "Your email address will not be published",
    "Required fields are marked",
    "LEAVE A REPLY",
    "Please enter your comment!",
    "Please enter your name here",
    "Give Your Comments",
    "See also",
    "Guantanamo wastes",
]


def _parsed(name: str):
    file = read_text_file(SEEDS / name, 10_000_000)
    return parse(file.text, fallback_title=name)


@pytest.mark.parametrize("name", SEED_FILES)
def test_seed_furniture_is_gone_from_body_and_chunks(name):
    doc = _parsed(name)
    body = doc.body_text()
    chunks = chunk_document(doc)
    assert chunks, "every seed has article text"
    for phrase in SEED_FURNITURE:
        assert phrase.lower() not in body.lower(), f"{phrase!r} left in the body of {name}"
        for chunk in chunks:
            assert phrase.lower() not in chunk.text.lower(), f"{phrase!r} left in a chunk of {name}"


def test_seed_article_text_is_kept():
    """The cleaner must not eat real paragraphs, short quotes or the last sentence."""
    kept = {
        "000_965fde6eaf1d91bc.txt": ["Xi arrived in Moscow on March 20", "share similar goals"],
        "001_d3a2d41807ada17a.txt": ["A very favorable time for Russia", "head of Washington diplomacy"],
        "002_8e30010a3892d27c.txt": ["Mikhail Mishustin", "provide diplomatic cover"],
        "003_d27acffbcd5def62.txt": ["marriage of convenience", "launching its counteroffensive"],
        "004_dbaac4714505962b.txt": ["It’s all lies, it’s all just for show.", "helps the Russian military"],
    }
    for name, phrases in kept.items():
        body = _parsed(name).body_text()
        for phrase in phrases:
            assert phrase in body, f"{phrase!r} missing from {name}"


def test_titles_bylines_and_dates():
    assert _parsed("000_965fde6eaf1d91bc.txt").title.startswith("US Claims President Xi")  # after an ad label
    assert _parsed("002_8e30010a3892d27c.txt").title.startswith("Xi Jinping, Vladimir Putin discuss Ukraine")
    doc3 = _parsed("003_d27acffbcd5def62.txt")
    assert doc3.date.startswith("2023-03-21")
    assert "Publish" not in doc3.body_text()
    doc4 = _parsed("004_dbaac4714505962b.txt")
    assert doc4.byline == "Keane"
    assert "By Keane" not in doc4.body_text()
    assert doc4.title == "China’s leader Xi in Moscow for meeting with Putin"
    for name in SEED_FILES:
        assert _parsed(name).title not in _parsed(name).body_text()


OTHER_SITE = """\
Advertisement

Storm closes ports along the coast

By Jane Doe and Ali Khan
Updated: March 3, 2024

5 min read

Officials closed three ports on Sunday as the storm approached, the coast guard said.

He declined to comment.

"We are ready," said the harbour master.

Related: Ports reopen after last year's floods

Share this article

The ports are expected to reopen on Tuesday if the winds drop below gale force.

Sign up for our newsletter
Tags: weather, shipping
© 2024 Example News. All rights reserved.
12 Comments
"""


def test_general_rules_work_on_another_sites_furniture():
    doc = parse(OTHER_SITE)
    body = doc.body_text()
    assert doc.title == "Storm closes ports along the coast"
    assert doc.byline == "Jane Doe and Ali Khan"
    assert doc.date.startswith("2024-03-03")
    for furniture in ["Advertisement", "5 min read", "Related:", "Share this", "newsletter", "Tags:", "©", "12 Comments"]:
        assert furniture not in body, furniture
    for content in ["Officials closed three ports", "He declined to comment.", '"We are ready," said', "expected to reopen"]:
        assert content in body, content


def test_hard_wrapped_paragraphs_are_one_unit():
    text = (
        "A headline about wrapping\n\n"
        "This paragraph was wrapped by an old newsroom system at a fixed width of\n"
        "seventy characters, so its lines do not end in punctuation and must be\n"
        "read together as one paragraph.\n"
    )
    doc = parse(text)
    assert doc.title == "A headline about wrapping"
    assert len(doc.blocks) == 1
    assert doc.body_text().endswith("one paragraph.")


def test_a_headline_cut_short_by_its_feed_is_still_the_headline():
    text = (
        "Splashdown! NASA's SpaceX Crew-6 returns to Earth after nearly ...\n\n"
        "Published: 2023-09-04\n\n"
        "A capsule carrying four astronauts splashed down off the coast of Florida on Monday.\n"
    )
    doc = parse(text)
    assert doc.title == "Splashdown! NASA's SpaceX Crew-6 returns to Earth after nearly ..."
    assert doc.body_text().startswith("A capsule carrying")
    # a one-line article that ends like a sentence is not taken for a headline
    assert parse("Officials closed three ports.\n\nThey reopen on Monday.\n").title != "Officials closed three ports."
