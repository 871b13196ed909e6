"""The short answer inside a sentence. For a question that asks for a kind of thing (a person, a
date, a number, a sum of money, a place: rag/answering/answer_type.py), the best sentence's
entities of that kind (read by the parser at ingest) that the question does not already hold
are the candidates; when there is exactly one, it is the answer to put first ("2.1 billion
euros"), cited to the same sentence. With none or several, no span is guessed: the sentence
answers. Nor is one taken from a dateline, from a sentence about another action of the question
(of_another_action), or, asked who, from the place a sentence is set in. A sentence from an index
read before the parser was is searched by regular expressions for spans of the form asked for.
"""

from __future__ import annotations

import re

from ..index.lexical import tokenize
from ..language import Mention, parse
from .answer_type import AMOUNT, NAME_KINDS, WHERE
from .evidence import Sentence
from .mentions import mentioned
from .question import Question

_SCALE = r"(?:\s(?:million|billion|trillion|thousand|hundred))?"
_MONEY = re.compile(
    rf"(?:[$€£¥]\s?\d[\d,.]*\d?{_SCALE})|(?:\b\d[\d,.]*{_SCALE}\s(?:dollars|euros|pounds|yuan|rubles|roubles|yen|rupees|francs)\b)"
)
# a number with what it counts ("42 people", "11 minutes", "3.5%")
_QUANTITY = re.compile(rf"\b\d[\d,.]*(?:\s?%|\s(?:percent|per cent))?{_SCALE}(?:\s(?!(?:of|in|on|at|to|and|or|the|a|an|for|from|by|with|was|were|is|are)\b)[a-z][a-z-]+)?")
_MONTHS = r"(?:January|February|March|April|May|June|July|August|September|October|November|December|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.)"
_DATE = re.compile(
    rf"\b{_MONTHS}\s\d{{1,2}}(?:,\s\d{{4}})?\b|\b\d{{1,2}}\s{_MONTHS}(?:\s\d{{4}})?\b|\b{_MONTHS}\s\d{{4}}\b|"
    r"\b(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b|\b(?:19|20)\d\d\b"
)
# a run of capitalised words (and the small words inside names: "Bank of England")
_NAME = re.compile(r"\b[A-Z][\w'’&.-]*(?:\s(?:of|de|da|van|von|the|and|&)?\s?[A-Z][\w'’&.-]*)*")
_NOT_NAMES = frozenset(
    "the a an he she it they we i his her their this that these those on in at but and or for as after "
    "before when while if mr mrs ms dr".split()
)
_CALENDAR = re.compile(rf"^(?:{_MONTHS}|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)$")


def answer_span(q: Question, sentence: Sentence) -> tuple[int, int] | None:
    """The span (start, end) of the sentence's text that answers `q`, when one is clear: for
    "who is X", X with the words that describe them; else the one entity of the kind asked for
    (the parse's, read at ingest) that the question does not already name; for a sentence read
    by an older index, the one span of the form asked for. None when the sentence is about
    another action of the question (of_another_action)."""
    if who := _WHO_IS.match(q.text):  # "Who is Mishustin?": the name with the words that describe it
        return _described(who.group(1), sentence.text)
    if of_another_action(q, sentence):
        return None
    return by_kind(q, sentence) if sentence.reading is not None else by_form(q, sentence.text)


def by_kind(q: Question, sentence: Sentence) -> tuple[int, int] | None:
    """The one entity of the sentence (from its reading) of a kind the question asks for, that the
    question does not already hold; None with none or several, or a question of no kind."""
    if not q.kinds or sentence.reading is None:
        return None
    # asked for a name, any other name the sentence holds makes the answer unclear ("Ashleigh Barty
    # defeated Karolína Plíšková": the parser may read only one of them as a person)
    rivals = q.kinds | (NAME_KINDS if q.kinds & NAME_KINDS else frozenset())
    # the dateline ("WASHINGTON — ...") says where the story was filed, not what it reports
    dateline = _DATELINE.match(sentence.text)
    after = sentence.start + (dateline.end() if dateline else 0)
    inside = [(m, _at(m, sentence)) for m in sentence.reading.mentions
              if m.label in rivals and after <= m.start < m.end <= sentence.end]
    # an amount in words ("the two companies") is not taken for the figure asked
    found = [(m, at) for m, at in inside if m.label not in AMOUNT or any(c.isdigit() for c in at[1])]
    span = _one_new(q, [at for _, at in found])
    chosen = [m for m, at in found if span and at[0] == span[0]]
    if not chosen or not any(m.label in (q.answer_kinds or q.kinds) for m in chosen):
        return None
    # asked who: the place a sentence is set in ("found ... in Queensland") is not who did it
    if "PERSON" in q.kinds and all(m.label in WHERE for m in chosen) and _LOCATIVE.search(sentence.text[:span[0]]):
        return None
    return span


def of_another_action(q: Question, sentence: Sentence) -> bool:
    """The sentence holds another verb of the question but not the one it asks about ("All three
    shows were canceled earlier this week" for "When will tickets for the canceled shows be
    refunded?"): an entity of the asked kind in it belongs to that other action. A verb counts in
    any form ("led" for "leads", "rescuers", "refunds"). A sentence holding none of the question's
    verbs may say the asked one in other words ("agreed to buy" for "be sold"): not known either way."""
    if not q.predicate:
        return False
    verbs = set(sentence.reading.verbs if sentence.reading is not None else
                (t.lemma_.lower() for t in parse(sentence.text) if t.pos_ == "VERB"))
    words = tokenize([sentence.text])[0]

    def holds(lemma: str) -> bool:
        stem = next(iter(tokenize([lemma])[0]), "")
        return lemma in verbs or (len(stem) >= 3 and any(w.startswith(stem) for w in words))

    return not holds(q.predicate) and any(holds(v) for v in q.verbs if v != q.predicate)


_DATELINE = re.compile(r"^[A-Z][A-Z.'’ -]{1,40}[A-Z.](?:,\s[A-Z][A-Za-z.]+)?(?:\s\([A-Za-z. ]+\))?(?:\s?[—–]\s?|\s--?\s)")
_LOCATIVE = re.compile(r"\b(?:in|at|near|across|throughout|outside|inside|around)\s+(?:the\s+)?$", re.IGNORECASE)


def _at(m: Mention, sentence: Sentence) -> tuple[int, str]:
    """A mention as (start, text) within the sentence; a number with what it counts ("42 people");
    a name without its possessive ("Egan Bernal's victory": Egan Bernal)."""
    start, end = m.start - sentence.start, m.end - sentence.start
    if m.label in ("CARDINAL", "QUANTITY") and (counted := _QUANTITY.match(sentence.text, start)) and counted.end() > end:
        end = counted.end()
    text = re.sub(r"['’]s$", "", sentence.text[start:end]) if m.label in NAME_KINDS else sentence.text[start:end]
    return start, text


def by_form(q: Question, sentence: str) -> tuple[int, int] | None:
    """The one span of the form asked for (a sum, a number, a date, a name: regular expressions)."""
    if q.wants_money:
        found = [(m.start(), m.group()) for m in _MONEY.finditer(sentence)]
    elif q.wants_number:
        found = [(m.start(), m.group()) for m in _QUANTITY.finditer(sentence)]
    elif q.wants_date:
        found = [(m.start(), m.group()) for m in _DATE.finditer(sentence)]
    elif q.wants_name:
        found = list(_names(sentence))
    else:
        return None
    return _one_new(q, found)


def _one_new(q: Question, found: list[tuple[int, str]]) -> tuple[int, int] | None:
    """The span of the one distinct text found that the question does not already say."""
    asked = q.text.lower()
    spans = {}
    for start, text in found:
        if not text.strip() or text.lower() in asked or any(mentioned(e, text) for e in q.entities) or text.split()[0] in q.figures:
            continue  # what the question already says is not its answer
        spans.setdefault(text, (start, start + len(text)))
    return next(iter(spans.values())) if len(spans) == 1 else None


_WHO_IS = re.compile(r"^\s*[Ww]ho\s*(?:is|was|'s|’s)\s+([A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3})\s*\??\s*$")
# before a name: its title in capitals ("Russian Prime Minister"); after it: an appositive
# (", a spokesperson for the White House,") that describes it
_TITLE_BEFORE = re.compile(r"(?:\b[A-Z][\w.'’-]*\s+){1,5}$")
_APPOSITIVE = re.compile(r"^,\s+(?:a|an|the|who\s+is|who\s+was)\s+[^,;.]{3,80}?(?=[,;.]|$)")


def _described(name: str, sentence: str) -> tuple[int, int] | None:
    """The span holding `name` (as the sentence writes it, first names included) and its title
    or appositive; None when the sentence only names them."""
    last = re.escape(name.split()[-1])
    m = re.search(rf"(?:\b[A-Z][\w.'’-]*\s+)*\b{last}\b", sentence)
    if not m:
        return None
    start, end = m.start(), m.end()
    after = _APPOSITIVE.match(sentence[end:])
    if after:
        return start, end + after.end()
    # the capitalised run before the surname holds the first names and the title: a title needs
    # at least one word that is not part of the name asked about
    run = m.group().split()
    given = {w.lower() for w in name.split()}
    extra = [w for w in run[:-1] if w.lower() not in given]
    if len(extra) >= 2 or (extra and extra[-1].lower() in _TITLE_WORDS):
        return start, end
    return None


_TITLE_WORDS = frozenset("minister president secretary spokesperson spokesman spokeswoman chairman director chief "
                         "leader general ambassador governor senator mayor judge premier chancellor envoy".split())


def _names(sentence: str):
    """(start, text) of each name: a run of capitalised words, less an opening "The" or "On"."""
    for m in _NAME.finditer(sentence):
        words = m.group().split()
        while words and words[0].lower() in _NOT_NAMES:
            words = words[1:]
        if not words or (m.start() == 0 and len(words) == 1) or _CALENDAR.match(" ".join(words)):
            continue  # one capitalised word opening a sentence is not known to be a name; a month is not one
        text = re.sub(r"(?:['’]s|[.'’])$", "", " ".join(words))
        yield m.start() + m.group().index(words[0]), text
