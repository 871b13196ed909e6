"""What a question asks: its content words, whom it asks about, what form the answer takes
(a number, a sum of money, a date, a name), and the names the answer must be about."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..index.lexical import tokenize
from ..indexing.quotes import question_speaker
from .answer_type import AskedFor, asked_for

# Words that shape a question but do not say what it is about. (The index keeps most function
# words, so they are listed here; the list is stemmed like the index.)
_QUESTION_WORDS = frozenset(
    tokenize([
        "what which who whom whose why how when where did does do done say says said tell told happen "
        "happened happens mention mentioned report reported according describe described "
        "about above after again against all also am among any around because been before being below "
        "besides between both can could during each even ever every few from further had has have having "
        "he her here hers him his its itself just me more most much my nor now off once only other our "
        "out over own same she should so some such than them then there these those through too under "
        "until up very was we were while would you your yet regarding concerning despite via within "
        "without whether kind sort way thing things many"
    ])[0]
)
FIGURE = re.compile(r"\b\d+(?:[.,]\d+)*\b")  # a number written in digits
YEAR = re.compile(r"(?:1[89]|20)\d\d")  # a figure that is a year
NUMBER = re.compile(r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|"
                     r"forty|fifty|hundred|hundreds|thousand|thousands|million|millions|billion|dozen|dozens|"
                     r"half|double|doubled|tripled)\b", re.I)
MONEY = re.compile(r"[$€£¥]|\b(?:dollars?|euros?|pounds?|yuan|rubles?|roubles?|yen|rupees?|francs?)\b", re.I)
DATE = re.compile(r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d|\b\d{4}\b|"
                   r"\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|yesterday|today|tomorrow|"
                   r"last\s+(?:week|month|year)|this\s+(?:week|month|year)|weeks?\s+ago|days?\s+ago)\b", re.I)
PROPER = re.compile(r"(?<!^)(?<![.!?]\s)\b[A-Z][a-z]+")
# names and acronyms, a run of them being one entity ("Emmanuel Macron")
_WORD = r"[A-Z][a-zà-ÿ]+(?:[A-Z][a-zà-ÿ]+)*(?:-[A-Za-z]+)*"  # "Kirby", "TikTok", "McDonald", "Haijawi-Pirchner"
_ENTITY = re.compile(rf"\b(?:{_WORD}|[A-Z]{{2,6}})(?:['’]s)?(?:\s+(?:{_WORD}|[A-Z]{{2,6}})(?:['’]s)?)*")


@dataclass(frozen=True)
class Question:
    text: str
    terms: tuple[str, ...]  # stemmed content words
    speaker: str | None
    speech: bool  # asks what someone said ("what did X say/tell/claim")
    wants_number: bool
    wants_money: bool
    wants_date: bool
    wants_name: bool
    entities: tuple[str, ...]  # capitalised words the answer must be about
    figures: tuple[str, ...] = ()  # the numbers it names ("2021", "3.5"): the answer must be about them too
    asked_for: tuple[str, ...] = ()  # stemmed words naming what the answer is ("which officials"): not topic words
    kinds: frozenset[str] = frozenset()  # entity labels an answer holds, from the parse (rag/answering/answer_type.py)
    verbs: tuple[str, ...] = ()  # lemmas of its content verbs
    predicate: str = ""  # the main one's (rag/answering/answer_type.py)
    answer_kinds: frozenset[str] = frozenset()  # the kinds its short answer may be (ibid.)


def analyse(question: str) -> Question:
    q = question.strip()
    lower = q.lower()
    speaker = question_speaker(q)
    terms = tuple(t for t in dict.fromkeys(tokenize([q])[0]) if t not in _QUESTION_WORDS)
    first_word = q.split()[0] if q.split() else ""
    parsed = asked_for(q) if q else AskedFor()
    entities = []
    for m in _ENTITY.finditer(q):
        words = [re.sub(r"['’]s$", "", w) for w in m.group().split()]
        if m.start() == 0 and words and words[0] == first_word:
            words = words[1:]  # the question's first word is capitalised anyway
        words = [w for w in words if not _is_generic(w)]
        if words:
            entities.append(" ".join(words))
    entities = tuple(dict.fromkeys(_whole(e, parsed.names) for e in entities))
    return Question(
        text=q,
        terms=terms,
        speaker=speaker,
        speech=bool(speaker and re.search(r"\b(?:say|said|tell|told|claim|state|announce|argue|write|comment|remark)\b", lower)),
        wants_number=bool(re.search(r"\bhow (?:many|much|long|old|far|big|large)\b|\bwhat (?:percentage|share|number|amount)\b", lower)),
        wants_money=bool(re.search(r"\bhow much\b.*\b(?:pay|paid|cost|costs|spend|spent|price|worth|charge|earn|raise|fund)|"
                                   r"\bwhat (?:price|cost|fee|fine|salary)\b", lower)),
        wants_date=bool(re.search(r"^when\b|\bwhat (?:day|date|year|month|time)\b", lower)),
        wants_name=bool(re.search(r"^(?:who|whom)\b|\bwhich (?:\w+ )?(?:officials?|people|leaders?|ministers?|countries|country|person|companies|company)\b|"
                                  r"\bwhat(?: is|'s| was| were| are)? the names? of\b|\bwho (?:is|was|were|are)\b", lower)),
        entities=entities,
        figures=tuple(dict.fromkeys(FIGURE.findall(q))),
        asked_for=_asked_for(q),
        kinds=parsed.kinds,
        verbs=parsed.verbs,
        predicate=parsed.predicate,
        answer_kinds=parsed.answer_kinds,
    )


# words that end "which <kind of thing>"
_AFTER_KIND = frozenset(
    "is are was were be been did does do has have had can could will would should may might must "
    "of in on at for to from by with about besides than that who whom whose the a an and or".split()
)


def _asked_for(question: str) -> tuple[str, ...]:
    """The words after "which" that name the kind of thing asked for ("Which Russian officials ...":
    officials; "In which US state ...": state). An answer names one ("Mishustin", "California")
    rather than repeating the word, so they are not counted as the question's topic."""
    found = re.search(r"\bwhich\s+(.+)", question, re.IGNORECASE)
    if not found:
        return ()
    words: list[str] = []
    ended = False  # the kind is followed by a word that cannot be part of it ("... is", "... did")
    for raw in found.group(1).split():
        word = raw.strip(",.?!;:\"“”'’")
        if not word or word.lower() in _AFTER_KIND or (words and re.search(r"(?:ed|ing)$", word)):
            ended = bool(words)  # ... or a verb after the kind ("which companies merged")
            break
        if word[0].isupper() or word[0].isdigit():
            if words:
                break
            continue  # a name before the kind ("Which Russian officials")
        words.append(word)
    if not ended or len(words) > 3:
        words = words[:1]  # unsure where the kind ends: its first word
    return tuple(tokenize([" ".join(words)])[0]) if words else ()


def _whole(entity: str, names: tuple[str, ...]) -> str:
    """The name the parser read that holds this capitalised run ("Stanley" in "Why did Morgan
    Stanley ...", whose first word is the question's): the whole name."""
    return next((n for n in names if re.search(rf"\b{re.escape(entity)}\b", n) and len(n) > len(entity)), entity)


def _is_generic(word: str) -> bool:
    """Capitalised words that are not names: question openers and the like."""
    return word.lower() in _GENERIC_CAPITALS


# capitalised but not names: question words, and dates (a question's "in March" is not a topic)
_GENERIC_CAPITALS = frozenset(
    "what which who why how when where did does is are was i the a an in on and or "
    "january february march april may june july august september october november december "
    "monday tuesday wednesday thursday friday saturday sunday".split()
)
