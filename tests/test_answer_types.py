"""What a question asks for and what each sentence holds, read by spaCy's English pipeline:
the kind of answer a question wants (typed by its question word or the noun it asks about, one no
list holds included), the readings stored with every chunk at ingest, and the constraints a
sentence must meet (the asked kind, the asked verb, the asked year), on articles written for this test."""

from __future__ import annotations

import numpy as np
import pytest

from rag import Index, Settings, ingest, search
from rag.answering.answer_type import AMOUNT, PEOPLE_OR_BODIES, WHEN, WHERE, asked_for
from rag.answering.answerability import FEATURES, describe
from rag.answering.evidence import article_texts, passage_sentences
from rag.answering.question import analyse
from rag.index.store import Store

PLANT = """Carmaker to close engine plant

Published: 2024-05-14

By Jonas Weber

Volta Motors will close its engine plant in Rivertown by 2026, the company said on Tuesday. About 1,200 workers are employed there.

Chief executive Helen Marsh said the plant was too old to build electric motors. "We looked at every option," she said.

The union said it would fight the closure. Production of the last combustion engines will move to a factory in Poland.
"""


@pytest.fixture(scope="module")
def plant(tmp_path_factory) -> Settings:
    folder = tmp_path_factory.mktemp("plant")
    (folder / "plant.txt").write_text(PLANT, encoding="utf-8")
    settings = Settings(data_dir=tmp_path_factory.mktemp("plant-index"))
    ingest([folder], settings=settings)
    return settings


@pytest.mark.parametrize(
    "question, kinds",
    [
        ("Who runs Volta Motors?", PEOPLE_OR_BODIES),
        ("When will the plant close?", WHEN),
        ("How many workers does the plant employ?", AMOUNT),
        ("Where will production move?", WHERE),
        ("Which company is closing a plant?", frozenset({"ORG"})),
        ("What is the name of the chief executive?", frozenset({"PERSON"})),
        ("In what year will the plant close?", WHEN),
        ("Which automaker is closing a plant?", frozenset({"ORG", "PRODUCT"})),  # a noun no list holds
        ("Why is the plant closing?", frozenset()),
        ("What did the union say?", frozenset()),
    ],
)
def test_the_kind_of_answer_is_read_from_the_question(question, kinds):
    assert asked_for(question).kinds == kinds


def test_a_question_reads_its_verbs_as_lemmas_and_its_names_whole():
    asked = asked_for("Why did Morgan Stanley cut jobs after it bought E-Trade?")
    assert asked.verbs == ("cut", "buy")  # "bought" -> buy; "did" is no content verb
    assert "Morgan Stanley" in asked.names  # the first words of a question are a name too


def test_every_sentence_is_read_at_ingest_and_stored_with_its_chunk(plant):
    metas = list(Store(plant).metadata())
    readings = [r for m in metas for r in m.readings]
    raw = open(metas[0].path, encoding=metas[0].encoding).read()
    found = {(raw[m.start : m.end], m.label) for r in readings for m in r.mentions}
    assert ("Helen Marsh", "PERSON") in found
    assert ("Poland", "GPE") in found
    assert any(label == "CARDINAL" and "1,200" in text for text, label in found)
    assert any("close" in r.verbs for r in readings)
    # the passages retrieval returns carry them, one per whole sentence of the passage
    passage = search("When will the engine plant close?", settings=plant)[0]
    assert passage.readings and all(passage.start <= r.start < r.end <= passage.end for r in passage.readings)
    assert "readings" not in passage.to_dict()  # not part of what JSON shows


def test_stored_readings_are_read_without_decoding_as_they_would_be_decoded(plant):
    from rag.language import PackedReadings, names_a_kind, pack

    metas = list(Store(plant).metadata())
    assert metas and all(isinstance(m.readings, PackedReadings) for m in metas)
    for m in metas:
        decoded = tuple(m.readings)
        assert pack(m.readings) == pack(decoded) and m.readings == decoded
        for kinds in ({"PERSON"}, {"GPE", "LOC"}, {"MONEY"}, {"CARDINAL", "QUANTITY"}, {"say"}):
            assert names_a_kind(m.readings, kinds) == names_a_kind(decoded, kinds)
    assert any(names_a_kind(m.readings, {"PERSON"}) for m in metas)
    assert not names_a_kind(metas[0].readings, {"say"})  # a verb lemma is not a kind


def _features(settings: Settings, question: str) -> dict[str, dict[str, float]]:
    index = Index(settings)
    q = analyse(question)
    passages = search(question, index=index)
    sentences, _ = passage_sentences(passages)
    d = describe(q, sentences, passages, index.idf(), article_texts(passages))
    return {s.text: dict(zip(FEATURES, row)) for s, row in zip(d.candidates, d.x)}


def test_the_sentence_that_names_the_asked_kind_is_marked(plant):
    rows = _features(plant, "How many workers does the engine plant employ?")
    employed = next(f for text, f in rows.items() if "1,200" in text)
    assert employed["typed"] == 1.0 and employed["kind_here"] == 1.0
    union = next(f for text, f in rows.items() if text.startswith("The union"))
    assert union["kind_here"] == 0.0


def test_a_name_the_question_already_holds_is_not_the_asked_kind(plant):
    rows = _features(plant, "Who said that Volta Motors will close its plant in Rivertown?")
    union = next(f for text, f in rows.items() if text.startswith("The union"))
    assert union["kind_here"] == 0.0  # nobody is named in it
    marsh = next(f for text, f in rows.items() if "Helen Marsh" in text)
    assert marsh["kind_here"] == 1.0
    closing = next(f for text, f in rows.items() if text.startswith("Volta Motors will close"))
    assert closing["kind_here"] == 0.0  # names only Volta Motors and Rivertown, which the question names


def test_the_asked_verb_and_year_are_constraints_a_sentence_meets_or_not(plant):
    rows = _features(plant, "What did the union fight?")
    fight = next(f for text, f in rows.items() if "fight" in text)
    other = next(f for text, f in rows.items() if text.startswith("Production"))
    assert fight["verbs_here"] == 1.0 and other["verbs_here"] == 0.0
    dated = _features(plant, "What did Volta Motors say in 2024 about its engine plant?")
    assert all(f["years_dated"] == 1.0 for f in dated.values())  # 2024 is the article's date
    undated = _features(plant, "What did Volta Motors say in 2019 about its engine plant?")
    assert all(f["years_dated"] == 0.0 for f in undated.values())
    assert np.isfinite(np.array([list(f.values()) for f in undated.values()])).all()


@pytest.mark.parametrize("name, text, found", [
    ("U.S.", "the US said", True),  # the parser reads names with their dots and brackets
    ("US", "the U.S. said", True),
    ("(AP)", "the Associated Press reported", True),
    ("F.B.I.", "the Federal Bureau of Investigation", True),
    ("NATO", "the alliance met", False),
])
def test_an_acronym_is_found_however_it_is_written(name, text, found):
    from rag.answering.mentions import mentioned

    assert mentioned(name, text) is found
