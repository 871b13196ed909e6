"""The small rules that are easy to break when code moves, one table each: question analysis,
claim splitting, same-person matching, follow-up rewriting, differing quotes. Each row is what
the rule does today on a case it was written for."""

from __future__ import annotations

import pytest

from rag.answering.citations import split_claims
from rag.briefs.differences import _differing_quotes
from rag.answering.followup import rewrite
from rag.answering.question import analyse
from rag.indexing.quotes import clean_name, question_speaker, same_person
from rag.briefs.story import Sentence

# question -> (speaker, asks what was said, wants a number, money, a date, a name, entities)
QUESTIONS = [
    ("What did Kirby say?", ("Kirby", True, False, False, False, False, ("Kirby",))),
    ("How many points are in China's peace plan?", (None, False, True, False, False, False, ("China",))),
    ("How much did Russia pay for the gas?", (None, False, True, True, False, False, ("Russia",))),
    ("When did Xi arrive in Moscow?", (None, False, False, False, True, False, ("Xi", "Moscow"))),
    ("Which Russian officials besides Putin did Xi meet?", (None, False, False, False, False, True, ("Russian", "Putin", "Xi"))),
    ("Who issued the arrest warrant for Putin?", (None, False, False, False, False, True, ("Putin",))),
    ("What did Emmanuel Macron say about Xi's visit?", ("Emmanuel Macron", True, False, False, False, False, ("Emmanuel Macron", "Xi"))),
    ("How did Russia respond?", ("Russia", False, False, False, False, False, ("Russia",))),
]


@pytest.mark.parametrize("question, expected", QUESTIONS, ids=[q for q, _ in QUESTIONS])
def test_question_analysis(question, expected):
    q = analyse(question)
    assert (q.speaker, q.speech, q.wants_number, q.wants_money, q.wants_date, q.wants_name, q.entities) == expected


# question -> (what kind of thing it asks for, the figures it names, wants a name)
ASKED_FOR = [
    ("Which Russian officials besides Putin did Xi meet?", (("offici",), (), True)),
    ("Which candy brand is facing criticism over its packaging?", (("candi", "brand"), (), False)),
    ("In which US state is the plant being built?", (("state",), (), False)),
    ("Which 2 companies merged in 2024?", (("compani",), ("2", "2024"), True)),
    ("What is the name of the driver who was hurt?", ((), (), True)),
    ("Who won the 2019 Tour de France?", ((), ("2019",), True)),
    ("What did Kirby say?", ((), (), False)),
]


@pytest.mark.parametrize("question, expected", ASKED_FOR, ids=[q for q, _ in ASKED_FOR])
def test_what_a_question_asks_for(question, expected):
    q = analyse(question)
    assert (q.asked_for, q.figures, q.wants_name) == expected


# (question, the sentence that answers it) -> the short answer inside it (None: not one clear span)
SPANS = [
    ("How much did the club pay for the striker?", "The club paid £85 million for the striker on Monday.", "£85 million"),
    ("How much will the plant cost?", "The plant will cost 2.1 billion euros to build.", "2.1 billion euros"),
    ("How many people were rescued?", "Rescuers pulled 42 people from the water.", "42 people"),
    ("How many people were rescued in 2023?", "In 2023 rescuers pulled 42 people from the water.", "42 people"),  # 2023 is asked
    ("When will the bridge reopen?", "The bridge will reopen on March 3, officials said.", "March 3"),
    ("Who was named captain?", "Coach Tom Reyes said Maria Lopez was named captain.", None),  # two names: not guessed
    ("Who was named captain?", "The coach said Maria Lopez was named captain.", "Maria Lopez"),
    ("Who leads the inquiry?", "The inquiry is led by Judge Ama Owusu.", "Ama Owusu"),  # the parser's person
    ("Who leads the inquiry?", "It began in March and will report next year.", None),  # a month is not a name
    ("Why did the talks fail?", "The talks failed over 3 points.", None),  # no form asked for
    # the entity must be of the asked action: a date of another one is not the answer
    ("When will tickets for the canceled shows be refunded?", "All three shows were canceled earlier this week.", None),
    ("When will tickets for the canceled shows be refunded?", "Ticket holders will get refunds on March 3.", "March 3"),
    ("How much will the ferry line be sold for?", "A rival agreed to buy the ferry line for 2.1 billion euros.", "2.1 billion euros"),  # other words
    # "who is the <role>": a person's role asks for a person
    ("Who is the lead actress in the film?", "The film was shot in Los Angeles.", None),
    ("Who is the lead actress in the film?", "The film stars Sally Hawkins.", "Sally Hawkins"),
    ("Who won the 2019 Tour?", "Egan Bernal's win in the 2019 Tour made history.", "Egan Bernal"),  # not his possessive
    # the dateline says where the story was filed
    ("Which state does the congressman represent?", "WASHINGTON — The congressman represents a district far from here.", None),
    ("Which state does the congressman represent?", "WASHINGTON—The congressman represents a district far from here.", None),
    ("Which state does the congressman represent?", "WASHINGTON (AP) — The congressman, who represents California, spoke.", "California"),
    # asked who: the place a sentence is set in is not who did it
    ("Who found the skeleton?", "The skeleton was found by amateur fossil hunters on a farm in Queensland.", None),
    ("Who found the skeleton?", "The skeleton was found by Cassandra Prince on a farm.", "Cassandra Prince"),
    ("Who found the skeleton?", "The skeleton was found by Cassandra Prince in Queensland.", None),  # a place too: two names
    # "who is X?": the name as written with its title, or with the appositive that describes it
    ("Who is Mishustin?", "On Tuesday, Xi met Russian Prime Minister Mikhail Mishustin and others.",
     "Russian Prime Minister Mikhail Mishustin"),
    ("Who is Ama Owusu?", "Ama Owusu, a retired judge from Accra, will lead the inquiry.", "Ama Owusu, a retired judge from Accra"),
    ("Who is Kirby?", "Kirby told reporters it was a marriage of convenience.", None),  # named, not described
]


@pytest.mark.parametrize("question, predicate", [
    ("When will tickets for the canceled Vienna shows be refunded?", "refund"),
    ("Authorities are searching for several men after they escaped from jail in which state?", "escape"),  # above the question word
    ("How many boxes of records did the National Archives recover?", "recover"),  # past an auxiliary root
    ("When did Ruto first run for president?", "run"),  # the parser tags "run" a noun
    ("Who is Mishustin?", ""),
])
def test_the_verb_a_question_asks_about(question, predicate):
    assert analyse(question).predicate == predicate


def _read(text: str, read: bool = True):
    """`text` as the answerer sees a sentence: with its parse read at ingest (or, unread, as from an older index)."""
    from rag.answering.evidence import Sentence
    from rag.language import read_sentences

    return Sentence(1, 0, len(text), text, reading=read_sentences(text, [(0, len(text))])[0] if read else None)


@pytest.mark.parametrize("question, sentence, short", SPANS, ids=[f"{q} / {s[:20]}" for q, s, _ in SPANS])
def test_the_short_answer_inside_a_sentence(question, sentence, short):
    from rag.answering.spans import answer_span

    span = answer_span(analyse(question), _read(sentence))
    assert (sentence[span[0]:span[1]] if span else None) == short


@pytest.mark.parametrize("question, sentence, short", [
    ("Who won the final?", "Ashleigh Barty defeated Karolína Plíšková in the final.", None),  # two names: not guessed
    ("Who won the final?", "France beat Croatia in the final.", None),  # a person or a body or a place: two
    ("Which official wants the shots stopped?", "The state's top doctor called for a halt to COVID-19 shots.", None),
    ("Who leads the inquiry?", "The inquiry is led by Judge Ama Owusu.", "Judge Ama Owusu"),  # unread: the capitalised run
])
def test_the_short_answer_is_one_entity_of_the_kind_asked_and_no_other_name(question, sentence, short):
    from rag.answering.spans import answer_span

    read = "Judge" not in sentence
    span = answer_span(analyse(question), _read(sentence, read))
    assert (sentence[span[0]:span[1]] if span else None) == short


# question -> (asks about the collection: "count" / "which", what they would report), or None
COLLECTION = [
    ("How many of the sources report that Xi met Mishustin?", ("count", "Xi met Mishustin")),
    ("How many sources mention the drone crash?", ("count", "the drone crash")),
    ("Which outlets say the ICC issued a warrant?", ("which", "the ICC issued a warrant")),
    ("Which articles cover Kirby?", ("which", "Kirby")),
    ("When was the drone crash first reported?", ("first", "the drone crash")),
    ("Which outlet reported first that Xi met Mishustin?", ("first", "Xi met Mishustin")),
    ("Which news outlets or agencies are cited?", ("outlets", "")),
    ("What agencies do the articles cite about the drone crash?", ("outlets", "the drone crash")),
    ("Which media outlets are quoted on the talks?", ("outlets", "the talks")),
    ("Who first said the talks were productive?", ("said_first", "the talks were productive")),
    ("Who said the bridge would close first?", ("said_first", "the bridge would close")),
    ("Who was the first to claim the drone was hit?", ("said_first", "the drone was hit")),
    ("Which outlets quote Kirby?", ("which", "Kirby")),
    ("Who said the talks were productive?", None),
    ("How many people died in the storm?", None),
    ("When was Xi born?", None),
    ("Which officials did Xi meet?", None),
]


@pytest.mark.parametrize("question, expected", COLLECTION, ids=[q for q, _ in COLLECTION])
def test_questions_about_the_collection(question, expected):
    from rag.answering.collection import collection_question

    found = collection_question(question)
    assert ((found.kind, found.topic) if found else None) == expected


# sentence -> the news outlets it gives as a source
OUTLETS = [
    ("The leaders met on Monday, China’s Xinhua news agency reported.", ["Xinhua news agency"]),
    ("Russian state media subsequently claimed the talks lasted four hours.", ["Russian state media"]),
    ("“We will cooperate,” Xi said, according to CNN.", ["CNN"]),
    ("The company told Reuters it would appeal, and the Associated Press reported the same.", ["Reuters", "Associated Press"]),
    ("He said in an interview with The Washington Post that the plan had failed.", ["Washington Post"]),
    ("Officials told reporters the bridge would reopen.", []),
    ("He reads the Daily Mail every morning.", []),
    ("Social media users claimed otherwise.", []),
]


@pytest.mark.parametrize("sentence, outlets", OUTLETS, ids=[s for s, _ in OUTLETS])
def test_outlets_a_sentence_cites(sentence, outlets):
    from rag.indexing.quotes import cited_outlets

    assert cited_outlets(sentence) == outlets


# model output -> why it cannot be shown as the model's (None: it can)
DEGENERATE = [
    ("The talks lasted four hours [1]. Blinken called the visit diplomatic cover [2].", None),
    ("Xi met Putin in Moscow [1]. Xi met Putin in Moscow [2].", "the model's output repeats a sentence"),
    ("and the talks and the talks and the talks went on " * 4, "the model's output repeats itself"),
    ("The talks lasted four hours. Blinken called the visit diplomatic cover.", "the model's output cites none of the articles"),
    ("", None),
]


@pytest.mark.parametrize("text, reason", DEGENERATE, ids=[t[:40] for t, _ in DEGENERATE])
def test_degenerate_model_output(text, reason):
    from rag.answering.degenerate import degenerate

    assert degenerate(text) == reason


# generated text -> [(claim, [passage numbers])]
CLAIMS = [
    ("Kirby said X [1]. Blinken said Y [2][3].", [("Kirby said X", [1]), ("Blinken said Y", [2, 3])]),
    ("One. Two [1, 2]. Three [4-6]", [("One.", []), ("Two", [1, 2]), ("Three", [4, 5, 6])]),
    ("A claim [1].\n\nSources:\n[1] file", [("A claim", [1])]),  # a list of sources the model appended
    ("No markers here. Second one [2]", [("No markers here.", []), ("Second one", [2])]),
    ("Both sides met [1] and talked [2].", [("Both sides met", [1]), ("and talked", [2])]),
]


@pytest.mark.parametrize("generated, expected", CLAIMS, ids=[g[:30] for g, _ in CLAIMS])
def test_claim_splitting(generated, expected):
    assert [(c.text, c.markers) for c in split_claims(generated)] == expected


PEOPLE = [
    ("Kirby", "John Kirby", True),
    ("Antony Blinken", "Anthony Blinken", True),  # spelled two ways by two outlets
    ("Xi", "Xi Jinping", True),
    ("Putin", "Vladimir Putin", True),
    ("Kirby", "Blinken", False),
    ("John Kirby", "John Smith", False),
]


@pytest.mark.parametrize("a, b, same", PEOPLE, ids=[f"{a}~{b}" for a, b, _ in PEOPLE])
def test_same_person(a, b, same):
    assert same_person(a, b) is same and same_person(b, a) is same


@pytest.mark.parametrize("raw, clean", [
    ("U.S. Secretary of State Antony Blinken", "Antony Blinken"),
    ("Ukrainian President Volodymyr Zelensky", "Volodymyr Zelensky"),
    ("US", "US"),  # "US says ...": the country speaks
])
def test_clean_name(raw, clean):
    assert clean_name(raw) == clean


@pytest.mark.parametrize("question, speaker", [
    ("What did Kirby say?", "Kirby"),
    ("What did John Kirby tell reporters?", "John Kirby"),
    ("Why did the dock workers end their strike?", None),
])
def test_question_speaker(question, speaker):
    assert question_speaker(question) == speaker


# (question, earlier questions) -> (question answered, read as a follow-up)
FOLLOW_UPS = [
    ("and what did Blinken say about that?", ["What did Kirby say?"], ("What did Blinken say?", True)),
    ("what else did he say?", ["What did Kirby say?"], ("What else did Kirby say?", True)),
    ("tell me more", ["What did Kirby say?"], ("What did Kirby say?", True)),
    ("Why?", ["Why did the dock workers end their strike?"], ("Why did the dock workers end their strike?", True)),
    ("What did Zelensky say about China?", ["What did Kirby say?"], ("What did Zelensky say about China?", False)),
    ("and then?", [], ("and then?", False)),  # nothing to follow up on
    # the topic of the earlier question is kept: "about that" is what it was about
    ("and what did Blinken say about that?", ["What did Kirby say about Xi's visit?"],
     ("What did Blinken say about Xi's visit?", True)),
    ("How did Moscow respond to that?", ["What did the ICC do on Friday?"], ("How did Moscow respond?", True)),
    # "what about X?" asks the earlier question of someone else
    ("and what about Russia?", ["What did China say about the peace plan?"],
     ("What did Russia say about the peace plan?", True)),
]


@pytest.mark.parametrize("question, history, expected", FOLLOW_UPS, ids=[q for q, _, _ in FOLLOW_UPS])
def test_follow_up_rewriting(question, history, expected):
    r = rewrite(question, history)
    assert (r.question, r.followed_up) == expected
    if r.followed_up:
        assert history[-1] in r.query  # the search keeps the story the user is on


def _said(text: str, speaker: str | None = None) -> Sentence:
    return Sentence(0, 0, 0, len(text), text, 0, "c", speaker, True)


# two renderings of a remark -> the excerpts that differ (empty: the same remark, or not comparable)
QUOTES = [
    ('Putin said he was "slightly envious" of China\'s economic growth.',
     'Putin said he was "somewhat envious" of China\'s economic growth.', "Vladimir Putin",
     [("slightly envious", "somewhat envious")]),
    ('"We hold the president accountable for the atrocities," Blinken said.',
     '"We hold the Kremlin accountable for the atrocities," Blinken said.', "Antony Blinken",
     [("We hold the president accountable for the…", "We hold the Kremlin accountable for the…")]),
    ('Xi called him a "dear friend" at dinner.', 'Xi greeted his "dear friends" at dinner.', "Xi Jinping", []),  # inflection
    ('"The talks were frank," he said.', '"The weather was cold," she said.', None, []),  # unrelated short quotes
]


@pytest.mark.parametrize("a, b, speaker, expected", QUOTES, ids=[a[:30] for a, _, _, _ in QUOTES])
def test_differing_quotes(a, b, speaker, expected):
    assert _differing_quotes(_said(a, speaker), _said(b, speaker), close=0.9 if speaker else 0.2) == expected
