"""The model-free answerer: picks the sentences of the passages that answer the question.

Each sentence of the retrieved passages is scored by
- coverage: the idf-weighted share of the question's content words it holds (stemmed),
- meaning: cosine similarity of its embedding to the question's (the same MiniLM model),
- speaker: for "what did X say" questions, statements attributed to X (quotes, reported speech,
  "according to X", pronouns resolved to X) come first,
- form: "how many" wants a number, "when" a date, "who/which" a name.
The best are written out verbatim with their passage numbers, near-duplicates across sources
merged into one sentence citing every source. When no sentence clears the bar, or the question
names someone or something no passage mentions, it says the articles do not contain the answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator, Sequence

import numpy as np

from ...config import Settings
from ...index.embeddings import embed_cached
from ..evidence import Sentence, article_texts, passage_sentences
from ..injection import looks_like_instruction
from ...index.lexical import LexicalIndex, rarest, tokenize
from ..mentions import mentioned
from ...prompts import render
from ...indexing.quotes import name_tokens, question_speaker, same_person
from ...indexing.sentences import points_back
from . import Request

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
_NUMBER = re.compile(r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|"
                     r"forty|fifty|hundred|hundreds|thousand|thousands|million|millions|billion|dozen|dozens|"
                     r"half|double|doubled|tripled)\b", re.I)
_MONEY = re.compile(r"[$€£¥]|\b(?:dollars?|euros?|pounds?|yuan|rubles?|roubles?|yen|rupees?|francs?)\b", re.I)
_DATE = re.compile(r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d|\b\d{4}\b|"
                   r"\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|yesterday|today|tomorrow|"
                   r"last\s+(?:week|month|year)|this\s+(?:week|month|year)|weeks?\s+ago|days?\s+ago)\b", re.I)
_PROPER = re.compile(r"(?<!^)(?<![.!?]\s)\b[A-Z][a-z]+")
# names and acronyms, a run of them being one entity ("Emmanuel Macron")
_ENTITY = re.compile(r"\b(?:[A-Z][a-zà-ÿ]+(?:-[A-Za-z]+)*|[A-Z]{2,6})(?:['’]s)?(?:\s+(?:[A-Z][a-zà-ÿ]+(?:-[A-Za-z]+)*|[A-Z]{2,6})(?:['’]s)?)*")

MIN_SCORE = 0.40  # below this the best sentence does not answer the question (tuned on two seed sets)
MIN_SPEAKER_TOPIC = 0.3  # "what did X say about Y": X's best statement must be this much about Y
KEEP_RATIO = 0.72  # keep sentences scoring at least this share of the best one
MAX_SENTENCES = 5
MAX_SPEAKER_SENTENCES = 6
DUPLICATE = 0.6  # token overlap at which two sentences say the same thing
OFF_ARTICLE = 0.7  # weight of a sentence whose article does not name all the question names


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


def analyse(question: str) -> Question:
    q = question.strip()
    lower = q.lower()
    speaker = question_speaker(q)
    terms = tuple(t for t in dict.fromkeys(tokenize([q])[0]) if t not in _QUESTION_WORDS)
    first_word = q.split()[0] if q.split() else ""
    entities = []
    for m in _ENTITY.finditer(q):
        words = [re.sub(r"['’]s$", "", w) for w in m.group().split()]
        if m.start() == 0 and words and words[0] == first_word:
            words = words[1:]  # the question's first word is capitalised anyway
        words = [w for w in words if not _is_generic(w)]
        if words:
            entities.append(" ".join(words))
    entities = tuple(dict.fromkeys(entities))
    return Question(
        text=q,
        terms=terms,
        speaker=speaker,
        speech=bool(speaker and re.search(r"\b(?:say|said|tell|told|claim|state|announce|argue|write|comment|remark)\b", lower)),
        wants_number=bool(re.search(r"\bhow (?:many|much|long|old|far|big|large)\b|\bwhat (?:percentage|share|number|amount)\b", lower)),
        wants_money=bool(re.search(r"\bhow much\b.*\b(?:pay|paid|cost|costs|spend|spent|price|worth|charge|earn|raise|fund)|"
                                   r"\bwhat (?:price|cost|fee|fine|salary)\b", lower)),
        wants_date=bool(re.search(r"^when\b|\bwhat (?:day|date|year|month|time)\b", lower)),
        wants_name=bool(re.search(r"^(?:who|whom)\b|\bwhich (?:\w+ )?(?:officials?|people|leaders?|ministers?|countries|country|person|companies|company)\b", lower)),
        entities=entities,
    )


class ExtractiveGenerator:
    name = "extractive"
    context_tokens = None

    def __init__(self, settings: Settings, idf: dict[str, float] | None = None) -> None:
        """`idf`: the corpus's BM25 idf (from the opened Index); read from the BM25 index when not given."""
        self.settings = settings
        self._idf = idf

    def generate(self, request: Request) -> Iterator[str]:
        sentences, _ = passage_sentences(request.passages)
        idf = self._idf if self._idf is not None else LexicalIndex(self.settings.lexical_dir).idf()
        picked = select(analyse(request.question), sentences, idf, article_texts(request.passages))
        if not picked:
            yield render("refusal")
            return
        for i, (text, numbers) in enumerate(picked):
            yield ("" if i == 0 else " ") + text + " " + "".join(f"[{n}]" for n in numbers)


def select(
    q: Question, sentences: Sequence[Sentence], idf: dict[str, float], articles: dict[int, str] | None = None
) -> list[tuple[str, list[int]]]:
    """The sentences that answer `q`, as (verbatim text, passage numbers), best first.
    `articles` (passage number -> its article's text): a sentence whose article does not mention
    everyone and everything the question names counts for less."""
    candidates = [s for s in sentences if not looks_like_instruction(s.text) and len(s.text) > 20]
    about = (
        {n: all(mentioned(e, text) for e in q.entities) for n, text in articles.items()}
        if articles is not None and q.entities
        else {}
    )
    if not candidates:
        return []
    all_text = " ".join(s.text for s in candidates)
    if any(not mentioned(entity, all_text) for entity in q.entities):
        return []  # the question names someone or something no passage mentions

    tokens = [set(t) for t in tokenize([s.text for s in candidates])]
    speaker_tokens = name_tokens(q.speaker) if q.speaker else frozenset()
    said_by = np.array([bool(q.speaker and s.speaker and same_person(q.speaker, s.speaker)) for s in candidates])
    if q.speaker and not said_by.any():
        if q.speech and _is_person(q.speaker, all_text):
            return []  # asked what a person said, and the articles quote nothing of theirs
        q = Question(**{**q.__dict__, "speaker": None})  # "how did Russia respond": answer on topic
        speaker_tokens = frozenset()
    topic = [t for t in q.terms if t not in speaker_tokens]
    heaviest = rarest(idf)
    weights = {t: idf.get(t, heaviest) for t in topic}  # a word no chunk holds weighs as the rarest
    total = sum(weights.values())
    def cover(toks: set[str]) -> float:
        return sum(w for t, w in weights.items() if _holds(toks, t)) / total if total else 0.0

    # "It also called for ...": a sentence that points back is read with the one before it
    antecedent = [
        i - 1 if i and points_back(s.text) and candidates[i - 1].passage == s.passage else None
        for i, s in enumerate(candidates)
    ]
    coverage = np.array([
        max(cover(toks), 0.9 * cover(toks | tokens[a]) if a is not None else 0.0)
        for toks, a in zip(tokens, antecedent)
    ])
    vectors = embed_cached([s.text for s in candidates])
    meaning = np.clip(vectors @ embed_cached([q.text])[0], 0, None)

    score = 0.5 * coverage + 0.5 * meaning if topic else meaning
    form = np.ones(len(candidates))
    asked = {w.lower() for w in q.entities}
    for i, s in enumerate(candidates):
        if about and not about.get(s.passage, True):
            form[i] *= OFF_ARTICLE
        if q.wants_number and not _NUMBER.search(s.text):
            form[i] *= 0.55
        if q.wants_money and not _MONEY.search(s.text):
            form[i] *= 0.5
        if q.wants_date and not _DATE.search(s.text):
            form[i] *= 0.6
        if q.wants_name:
            new_names = {m.group().lower() for m in _PROPER.finditer(s.text)} - asked
            form[i] *= 0.7 if not new_names else min(1.3, 1.0 + 0.05 * len(new_names))
    gate = score * np.minimum(form, 1.0)  # whether to answer at all: penalties count, bonuses do not
    score = score * form
    if q.speaker:
        score = np.where(said_by, 0.5 + 0.5 * score, 0.5 * score)

    best = int(np.argmax(score))
    if q.speaker:
        on_topic = (0.5 * coverage + 0.5 * meaning) * form
        if not said_by[best] or (topic and on_topic[said_by].max() < MIN_SPEAKER_TOPIC):
            return []  # nothing they said is about what was asked
    elif gate.max() < MIN_SCORE:
        return []

    limit = MAX_SPEAKER_SENTENCES if q.speaker else MAX_SENTENCES
    floor = score[best] * KEEP_RATIO
    order = [int(i) for i in np.argsort(-score) if score[i] >= floor and (not q.speaker or said_by[i])]
    picked: list[tuple[int, list[int]]] = []
    for i in order:
        twin = next((p for p in picked if _overlap(tokens[i], tokens[p[0]]) >= DUPLICATE), None)
        if twin is not None:
            if candidates[i].passage not in twin[1]:
                twin[1].append(candidates[i].passage)
            continue
        if len(picked) < limit:
            picked.append((i, [candidates[i].passage]))
    # a sentence that points back follows the sentence it points to, which is added if missing
    out: list[tuple[int, list[int]]] = []
    for i, numbers in picked:
        a = antecedent[i]
        if a is not None and all(a != j for j, _ in picked):
            out.append((a, [candidates[a].passage]))
        elif a is not None:
            continue  # placed right after its antecedent below
        out.append((i, numbers))
        out.extend((j, n) for j, n in picked if antecedent[j] == i)
    return [(candidates[i].text, sorted(numbers)) for i, numbers in dict(out).items()]


def _is_person(name: str, text: str) -> bool:
    """A person, not a country or body: named in full ("Sergey Lavrov") somewhere in the text."""
    if len(name.split()) >= 2:
        return True
    return bool(re.search(rf"\b[A-Z][a-zà-ÿ]+(?:[ \xa0]+[A-Z][a-zà-ÿ]+)?[ \xa0]+{re.escape(name)}\b", text)) and not re.search(
        rf"\bof[ \xa0]+{re.escape(name)}\b", text
    )


def _holds(tokens: set[str], term: str) -> bool:
    """The sentence has the term, or its country/people form (Crimea ~ Crimean, Ukraine ~ Ukrainian)."""
    if term in tokens:
        return True
    if len(term) < 5:
        return False
    return any(
        (t.startswith(term) and len(t) - len(term) <= 3) or (len(t) >= 5 and term.startswith(t) and len(term) - len(t) <= 3)
        for t in tokens
    )


def _overlap(a: set[str], b: set[str]) -> float:
    return len(a & b) / min(len(a), len(b)) if a and b else 0.0


def _is_generic(word: str) -> bool:
    """Capitalised words that are not names: question openers and the like."""
    return word.lower() in _GENERIC_CAPITALS


# capitalised but not names: question words, and dates (a question's "in March" is not a topic)
_GENERIC_CAPITALS = frozenset(
    "what which who why how when where did does is are was i the a an in on and or "
    "january february march april may june july august september october november december "
    "monday tuesday wednesday thursday friday saturday sunday".split()
)
