"""The learned answer scorer on articles written for this test: a question that names the kind of
thing it wants is answered by the sentence that names one, first; questions on the topic that the
articles do not answer (a name never released, an office nobody in them holds, a person never
quoted) are declined; asked what someone said, their statements answer, a quotation included."""

from __future__ import annotations

import re

import numpy as np
import pytest

from rag import Index, Settings, answer, ingest
from rag.answering.answerability import FEATURES, load_scorer
from rag.answering.citations import MARKER, UNSUPPORTED
from conftest import not_answered

FERRY = """Ferry operator sold in cross-border deal

Published: 2025-03-04

By Anna Lind

The Baltic shipping market saw its biggest takeover in a decade on Monday. Harbor Freight Lines agreed to buy Nordsee Shipping, the ferry operator based in Kiel, for 2.1 billion euros, the two companies said in a joint statement.

The deal still needs approval from competition regulators in Brussels. Analysts said the price was higher than expected.

"This gives us the routes we have wanted for years," said Maria Okafor, chief executive of Harbor Freight Lines. She said no ferry routes would close.

Unions at the port of Kiel said they had not been consulted and would seek talks with the new owner.
"""

STORM = """Storm floods coastal towns

Published: 2025-03-05

Heavy rain flooded three coastal towns overnight, forcing hundreds of residents to leave their homes. Emergency services rescued 42 people from rooftops and cars.

The regional weather office said the storm dropped more rain in six hours than usually falls in a month. Schools in the area will stay closed until Friday.

A driver was injured when a tree fell on his car near the harbour, police said. His name has not been released.
"""


def _library(tmp_path_factory, name: str, files: dict[str, str]) -> Settings:
    """Settings of an index of these files (name -> text), ingested once."""
    folder = tmp_path_factory.mktemp(name) / "articles"
    folder.mkdir()
    for file, text in files.items():
        (folder / file).write_text(text, encoding="utf-8")
    settings = Settings(data_dir=tmp_path_factory.mktemp(f"{name}-index"))
    ingest([folder], settings=settings)
    return settings


@pytest.fixture(scope="module")
def news(tmp_path_factory) -> Settings:
    return _library(tmp_path_factory, "news", {"ferry.txt": FERRY, "storm.txt": STORM})


def _first_claim(text: str) -> str:
    return text.split("]")[0]


@pytest.mark.parametrize(
    "question, fact",
    [
        ("Which company is buying the Kiel ferry operator?", "Harbor Freight Lines"),
        ("How much will the ferry operator be sold for?", "2.1 billion euros"),
        ("What did the unions say?", "not been consulted"),
    ],
)
def test_the_answer_comes_first_and_short(news, question, fact):
    a = answer(question, settings=news, as_of="2025-03-06")
    assert not a.abstained
    assert fact in _first_claim(a.text)
    assert any(fact in c.quote for c in a.citations)
    assert len(a.text.split()) <= 60


@pytest.mark.parametrize(
    "question",
    [
        "What is the name of the driver who was hurt by the falling tree?",  # on the topic; never released
        "Who is the mayor of Kiel?",
        "What did the Kiel mayor say about the deal?",
        "What did Anna Lind say?",  # the byline: named, never quoted
        "What did Maria Okafor say about the flooding?",  # quoted, on other things
    ],
)
def test_topical_questions_the_articles_do_not_answer_are_declined_or_hedged(news, question):
    not_answered(answer(question, settings=news, as_of="2025-03-06"))


def test_what_someone_said_about_something_is_answered_when_their_words_are_about_it(news):
    a = answer("What did Maria Okafor say about the ferry routes?", settings=news, as_of="2025-03-06")
    assert a.status == "answered" and "no ferry routes would close" in a.text


@pytest.mark.parametrize(
    "question, short",
    [
        ("How much will the ferry operator be sold for?", "2.1 billion euros"),
        ("How many people did emergency services rescue?", "42 people"),
    ],
)
def test_a_short_answer_comes_first_cited_to_its_sentence(news, question, short):
    a = answer(question, settings=news, as_of="2025-03-06")
    assert a.text.startswith(short + ". [1]")
    assert short in a.citations[0].quote and a.citations[0].quote != short  # the whole sentence, verified


def test_a_short_answer_is_put_first_only_when_its_sentence_is_likely_to_answer(news):
    a = answer("When will schools in the area reopen?", settings=news, as_of="2025-03-06")
    assert "closed until Friday" in a.text and not a.text.startswith("Friday")  # the sentence, cited; no short answer
    q = "How many people did emergency services rescue?"
    assert answer(q, settings=news, as_of="2025-03-06").text.startswith("42 people. [1]")
    strict = news.model_copy(update={"short_answer_confidence": 0.99})  # the bar above its sentence's probability
    assert answer(q, settings=strict, as_of="2025-03-06").text.startswith("Emergency services rescued 42 people")


def test_what_someone_said_is_answered_with_their_statements(news):
    a = answer("What did Maria Okafor say?", settings=news, as_of="2025-03-06")
    assert not a.abstained
    assert "no ferry routes would close" in a.text
    assert "routes we have wanted for years" in a.text  # a quotation opening with "This" is kept, with what it refers to
    assert {c.name for c in a.citations} == {"ferry.txt"}


def test_the_scorer_gives_probabilities_for_every_feature_row():
    scorer = load_scorer()
    rows = np.random.default_rng(0).uniform(0, 1, size=(7, len(FEATURES)))
    p = scorer.probability(rows)
    assert p.shape == (7,) and np.all((p >= 0) & (p <= 1))
    assert 0 < scorer.threshold < 1 and 0 < scorer.keep_ratio <= 1 and scorer.max_sentences >= 1
    assert scorer.probability(np.zeros((0, len(FEATURES)))).shape == (0,)


def test_evidence_confidence_is_the_best_sentences_probability(news):
    from rag.answering.retrieve import retrieve
    from rag.answering.selection import gather_evidence

    index = Index(news)
    threshold = load_scorer().threshold
    for question, answers in (("Which company is buying the Kiel ferry operator?", True), ("Who is the mayor of Kiel?", False)):
        evidence = gather_evidence(question, retrieve(index, question, 8).passages, index.idf())
        assert evidence.answers is answers
        assert (evidence.confidence >= threshold) is answers


def test_the_decline_threshold_is_a_setting(news):
    eager = news.model_copy(update={"answer_threshold": 0.001})
    strict = news.model_copy(update={"answer_threshold": 0.99})
    assert not answer("Which company is buying the Kiel ferry operator?", settings=news, as_of="2025-03-06").abstained
    assert answer("Which company is buying the Kiel ferry operator?", settings=strict, as_of="2025-03-06").status == "hedged"
    not_answered(answer("Who is the mayor of Kiel?", settings=news, as_of="2025-03-06"))
    assert not answer("Who is the mayor of Kiel?", settings=eager, as_of="2025-03-06").abstained  # answers anything


def test_how_many_sources_report_something_is_counted_from_the_index(seed_index):
    a = answer("How many of the sources report that the ICC issued an arrest warrant for Putin?", settings=seed_index)
    assert not a.abstained
    header, _, body = a.text.partition("\n\n")
    counted = re.match(r"(\d+) of the 5 sources in the library reports? it: (.+)\.$", header)
    assert counted, header
    named = set(counted.group(2).split(", "))
    assert int(counted.group(1)) == len(named) >= 2
    assert named == {c.name for c in a.citations}  # each source counted is cited, word for word
    assert not MARKER.search(header) and MARKER.search(body)


def test_which_sources_report_what_none_of_them_do_is_declined(seed_index):
    a = answer("Which outlets report that Xi visited Paris?", settings=seed_index)
    assert a.status == "declined" and a.citations == ()


REPORTS = {
    "wire.txt": "Bridge closed after cracks found\n\nPublished: 2025-02-03\n\nThe Elm Street bridge was closed on Monday after inspectors found cracks in two of its steel beams, the city said.\n",
    "daily.txt": "Cracked beams shut Elm Street bridge\n\nPublished: 2025-02-01\n\nInspectors found cracks in two steel beams of the Elm Street bridge, which the city closed to traffic.\n",
    "weekly.txt": "Bridge repairs will take months\n\nPublished: 2025-02-07\n\nRepairs to the Elm Street bridge, closed since inspectors found cracks in its steel beams, will take months.\n",
    "blog.txt": "Notes from the river\n\nThe Elm Street bridge was closed after cracks turned up in its steel beams, neighbours say.\n",
}


def test_when_something_was_first_reported_is_read_from_publication_dates(tmp_path):
    folder = tmp_path / "reports"
    folder.mkdir()
    for name, text in REPORTS.items():
        (folder / name).write_text(text, encoding="utf-8")
    settings = Settings(data_dir=tmp_path / "index")
    ingest([folder], settings=settings)
    a = answer("When were the cracks in the Elm Street bridge's beams first reported?", settings=settings, as_of="2025-03-01")
    assert not a.abstained
    header = a.text.partition("\n\n")[0]
    assert header.startswith("First reported by daily.txt on 2025-02-01;")
    names = header.split("earliest first: ")[1].rstrip(".").split(", ")
    assert names[0] == "daily.txt" and set(names) <= set(REPORTS) and len(names) >= 3
    dated = [n for n in names if n != "blog.txt"]
    assert dated == sorted(dated, key=lambda n: REPORTS[n].split("Published: ")[1][:10])  # earliest first
    assert "blog.txt" not in names[:-1]  # an undated source comes last, if at all
    assert {c.name for c in a.citations} == set(names)


# written for these tests: an engineer speaks first (earliest article), the mayor later; outlets cited three ways
BRIDGE = {
    "herald.txt": "Bridge to stay shut until summer\n\nPublished: 2025-02-04\n\nThe Elm Street bridge will stay closed until the "
                  "summer, city engineer Tomas Lindqvist said on Tuesday. Repairs to its two cracked beams will cost about "
                  "1.2 million dollars, according to Reuters.\n\nTraffic has been sent over the Mill Lane crossing instead.\n",
    "courier.txt": "Mayor: bridge closed until summer\n\nPublished: 2025-02-06\n\nMayor Ruth Adeyemi said the Elm Street bridge "
                   "would stay closed until the summer. A delivery firm told the Associated Press that detours had doubled "
                   "its drivers' times.\n\nThe council meets on Thursday to discuss the repairs.\n",
    "digest.txt": "Commuters face long detours\n\nCommuters face long detours while the Elm Street bridge is shut. The "
                  "Elm Valley Times newspaper reported that buses now take forty minutes longer.\n",
}


@pytest.fixture(scope="module")
def bridge(tmp_path_factory) -> Settings:
    return _library(tmp_path_factory, "bridge", BRIDGE)


def test_which_outlets_are_cited_is_answered_from_the_speaker_index(bridge):
    a = answer("Which news outlets or agencies are cited?", settings=bridge, as_of="2025-03-01")
    assert not a.abstained
    header = a.text.partition("\n\n")[0]
    listed = re.match(r"The sources cite 3 news outlets or agencies: (.+) \(in 3 of the 3 sources in the library\)\.$", header)
    assert listed, header
    assert set(listed.group(1).split(", ")) == {"Reuters", "Associated Press", "Elm Valley Times newspaper"}
    quotes = [c.quote for c in a.citations]
    assert len(quotes) == 3 and all(any(o in q for o in ("Reuters", "Associated Press", "Elm Valley Times")) for q in quotes)


def test_outlets_cited_about_a_topic_come_from_the_sources_that_report_it(bridge):
    a = answer("Which agencies are cited about the cost of the repairs?", settings=bridge, as_of="2025-03-01")
    assert not a.abstained and {c.name for c in a.citations} == {"herald.txt"}
    assert "Reuters" in a.text.partition("\n\n")[0]
    declined = answer("Which outlets are cited about the football season?", settings=bridge, as_of="2025-03-01")
    assert declined.status == "declined" and declined.citations == ()


def test_who_said_something_first_is_read_from_statements_and_dates(bridge):
    a = answer("Who first said the bridge would stay closed until the summer?", settings=bridge, as_of="2025-03-01")
    assert not a.abstained
    header = a.text.partition("\n\n")[0]
    assert header.startswith("Tomas Lindqvist said it in the earliest source that reports it (herald.txt, 2025-02-04)"), header
    assert header.endswith("earliest first: Tomas Lindqvist, Ruth Adeyemi.")
    assert [c.name for c in a.citations][:2] == ["herald.txt", "courier.txt"]


@pytest.fixture(scope="module")
def short_news(tmp_path_factory):
    return _library(tmp_path_factory, "short", {
        "museum.txt": "Museum reopens\n\nThe museum reopened on Sunday after repairs, its director said.\n",
        "water.txt": "Water prices rise\n\nWater prices will rise 4 percent in April, the regulator said.\n",
        "airport.txt": "Airport delays\n\nFlights were delayed for hours on Saturday after a radar fault, the airport said.\n",
    })


@pytest.mark.parametrize("question, name, fact", [
    ("When did the museum reopen?", "museum.txt", "Sunday"),
    ("How much will water prices rise?", "water.txt", "4 percent"),
    ("Why were flights delayed?", "airport.txt", "radar fault"),
])
def test_a_question_one_sentence_answers_is_never_declined(short_news, question, name, fact):
    a = answer(question, settings=short_news)
    assert a.status in ("answered", "hedged") and not a.abstained, a.text
    assert a.citations[0].name == name and fact in a.citations[0].quote


@pytest.mark.parametrize("question, reason", [
    ("How much did water prices rise in 2019?", "no passage names 2019"),  # the asked year is in no article
    ("What did Macron say about the museum?", "no passage mentions Macron"),
    ("When did the zoo close?", "no passage holds a word of the question"),
])
def test_a_question_the_articles_clearly_do_not_hold_is_declined_with_the_reason(short_news, question, reason):
    a = answer(question, settings=short_news)
    assert not_answered(a) == "declined" and f"({reason})" in a.text, a.text
    assert a.to_dict()["status"] == "declined"


LEANING = ("It was officially announced on September 30 at a launch event in Oslo, alongside the Nordphone 6a. "
           "The Nordphone 7 was announced at a second event on October 19, with pre-orders opening the same day.\n")


@pytest.fixture(scope="module")
def leaning(tmp_path_factory):
    """A snippet that opens with "It": what it leans on is in no file (as in a search engine's snippets)."""
    return _library(tmp_path_factory, "leaning", {"snippet.txt": LEANING})


@pytest.mark.parametrize("question", ["What happened at the launch event in Oslo?", "What was officially announced in Oslo?",
                                      "What was announced alongside the Nordphone 6a?"])
def test_a_sentence_that_leans_on_nothing_in_the_files_is_quoted_as_it_stands(leaning, question):
    """The extractive answer is the articles' own words: a sentence opening with "It" is cited, not
    marked as unsupported, and the question it answers is not declined; a sentence that does
    not lean on anything leads when one is picked."""
    a = answer(question, settings=leaning)
    assert a.status in ("answered", "hedged") and "It was officially announced" in a.text, a.text
    assert UNSUPPORTED not in a.text and not a.notes, (a.text, a.notes)
    if "Nordphone 7" in a.text:
        assert a.text.split("\n\n")[-1].startswith("The Nordphone 7"), a.text


FLAVOR = """Nordic Drinks adds a spiced cola

Published: 2024-02-14

Nordic Drinks announced Wednesday it is introducing a new permanent flavor to its lineup: "Fjord Spiced". "Fjord Spiced transforms the familiar into the extraordinary," the company said.

When does Fjord Spiced come out? Fjord Spiced will be hitting shelves at retailers across the country on Feb. 19. What does Fjord Spiced taste like? Fjord Spiced is laced with raspberry and spice.
"""
GAME = """Racing sequel gets a date

Published: 2023-06-10

Sony has announced that Skyline Racer 2 will launch globally for PS5 on 20th October, 2023. The first game sold ten million copies.
"""


@pytest.fixture(scope="module")
def launches(tmp_path_factory):
    return _library(tmp_path_factory, "launches", {"flavor.txt": FLAVOR, "game.txt": GAME})


@pytest.mark.parametrize("question, quote", [
    ("Nordic Drinks is making a new flavor permanent. What is it called?", "announced Wednesday"),  # its quotation is in other sentences too
    ("When will Skyline Racer 2 launch?", "Sony has announced"),  # a date alone would drop who announced it
])
def test_every_sentence_of_an_extractive_answer_is_cited(launches, question, quote):
    a = answer(question, settings=launches)
    assert a.status != "declined" and any(quote in c.quote for c in a.citations), a.text
    assert UNSUPPORTED not in a.text and not a.notes, (a.text, a.notes)


WEALTH = """How rich is Lars Holm?

Published: 2024-03-02

How rich is Lars Holm, really? The shipping heir is worth about 4.2 billion dollars, according to a list published on Friday.

Who runs his companies? His daughter Ingrid Holm has led the group since 2019.
"""


@pytest.fixture(scope="module")
def wealth(tmp_path_factory):
    return _library(tmp_path_factory, "wealth", {"wealth.txt": WEALTH})


@pytest.mark.parametrize("question, fact", [("How rich is Lars Holm?", "4.2 billion"),
                                            ("Who runs Lars Holm's companies?", "Ingrid Holm")])
def test_a_question_the_article_asks_is_never_the_answer(wealth, question, fact):
    """A subheading or a rhetorical question states nothing: not an answer, nor put before one."""
    a = answer(question, settings=wealth)
    assert a.status != "declined" and any(fact in c.quote for c in a.citations), a.text
    assert not any(c.quote.endswith("?") for c in a.citations), a.text
