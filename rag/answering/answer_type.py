"""What kind of thing a question asks for, read from its parse (rag/language.py): the named-entity
kinds an answer holds (who -> a person or a body; when -> a date; how many -> a number; "which
company" -> an organisation), the verbs that say what it asks about, and the names it is about.

"which/what <noun>" is typed by its head noun: the noun's lemma is compared, by the embedding
model, with words that name each kind ("carmaker" is close to "company"), so that a noun no list
holds is still typed; a noun close to none leaves the question untyped (any answer form).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from ..index.embeddings import embed_cached
from ..language import parse

PEOPLE_OR_BODIES = frozenset({"PERSON", "ORG", "NORP", "GPE"})
WHEN = frozenset({"DATE", "TIME"})
WHERE = frozenset({"GPE", "LOC", "FAC"})
AMOUNT = frozenset({"CARDINAL", "QUANTITY", "MONEY", "PERCENT"})
# words naming each kind of answer, for typing the head noun of "which/what <noun>"
_KINDS: dict[str, tuple[frozenset[str], str]] = {
    "person": (frozenset({"PERSON"}), "person man woman leader official politician executive player actor singer minister president lawyer judge spokesperson officer"),
    "body": (frozenset({"ORG"}), "company organization firm agency team party group bank institution union network"),
    "place": (WHERE, "country city state nation province region place town territory island"),
    "people": (frozenset({"NORP", "GPE"}), "nationality religion ethnic group"),
    "time": (WHEN, "year date day month time decade week"),
    "money": (frozenset({"MONEY"}), "price cost money sum fee fine salary budget"),
    "share": (frozenset({"PERCENT"}), "percentage rate share proportion"),
    "count": (frozenset({"CARDINAL", "QUANTITY"}), "number count total amount"),
    "product": (frozenset({"PRODUCT", "ORG"}), "product brand device vehicle app weapon drug vaccine ship aircraft"),
    "work": (frozenset({"WORK_OF_ART"}), "film movie book song show series album"),
    "event": (frozenset({"EVENT"}), "event tournament war election championship"),
    "law": (frozenset({"LAW"}), "law bill act treaty"),
}
_CLOSE = 0.52  # cosine of a head noun to a kind's nearest word for it to take that kind
_HOW = {"many": AMOUNT, "much": AMOUNT, "long": WHEN | AMOUNT, "old": AMOUNT | WHEN, "far": AMOUNT,
        "big": AMOUNT, "large": AMOUNT, "tall": AMOUNT, "often": AMOUNT | WHEN}
NAME_KINDS = frozenset({"PERSON", "ORG", "GPE", "NORP", "FAC", "LOC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW"})
_GENERIC_NOUNS = frozenset({"kind", "sort", "type", "name", "one", "part"})
_LIGHT_VERBS = frozenset({"be", "do", "have", "say", "tell", "make", "get", "go", "take", "happen", "mention",
                          "report", "describe", "know", "call", "name"})


@dataclass(frozen=True)
class AskedFor:
    kinds: frozenset[str] = frozenset()  # entity labels an answer holds; empty: any form (why, how, what happened)
    verbs: tuple[str, ...] = ()  # lemmas of its content verbs ("did Apple buy" -> "buy")
    names: tuple[str, ...] = ()  # the named entities it is about, as written
    predicate: str = ""  # the lemma of the content verb it asks about ("When will tickets be refunded?": refund)
    # the kinds its short answer may be: narrower than `kinds` when "who is the <role>" names a
    # role of a person or a body ("Who is the lead actress ...?": a person, not a place)
    answer_kinds: frozenset[str] = frozenset()


@functools.lru_cache(maxsize=512)
def asked_for(question: str) -> AskedFor:
    doc = parse(question)
    verbs = tuple(dict.fromkeys(t.lemma_.lower() for t in doc if t.pos_ == "VERB" and t.lemma_.lower() not in _LIGHT_VERBS))
    names = tuple(dict.fromkeys(e.text.removeprefix("the ").removeprefix("The ") for e in doc.ents if e.label_ in NAME_KINDS))
    kinds = _kinds(doc)
    answer_kinds = (_role_kinds(doc) or kinds) if kinds == PEOPLE_OR_BODIES else kinds
    return AskedFor(kinds, verbs, names, _predicate(doc), answer_kinds)


def _predicate(doc) -> str:
    """The content verb the question asks about: the nearest one above its question word ("...
    after they escaped from jail in which state?": escape), else the one nearest the root ("Which
    official wants Florida to stop giving shots?": want; "How many boxes did they recover?")."""
    content = [t for t in doc if (t.pos_ == "VERB" or _verb_read_as_noun(t)) and t.lemma_.lower() not in _LIGHT_VERBS]
    if not content:
        return ""
    wh = next((t for t in doc if t.lower_ in _WH_WORDS), None)
    above = next((t for t in wh.ancestors if t in content), None) if wh is not None else None
    return (above or min(content, key=lambda t: (len(list(t.ancestors)), t.i))).lemma_.lower()


def _verb_read_as_noun(t) -> bool:
    """The small parser tags some verbs of a question as nouns ("When did Ruto first run for
    president?": run, NOUN); a root with an auxiliary ("did", "will") is its verb all the same."""
    return t.dep_ == "ROOT" and t.pos_ == "NOUN" and any(c.dep_ in {"aux", "auxpass"} for c in t.children)


_WH_WORDS = frozenset({"who", "whom", "whose", "what", "which", "when", "where", "how", "why"})


def _role_kinds(doc) -> frozenset[str]:
    """For "who is/was the <noun> ...", the kinds the noun names when they are a person's or a
    body's ("actress", "president": a person; "team": a body); empty otherwise ("winner" may be
    either; "director" is not typed well enough by its closeness to the kinds' words)."""
    who = next((t for t in doc if t.lower_ in {"who", "whom"}), None)
    if who is None or who.head.lemma_ != "be":
        return frozenset()
    role = next((t for t in who.head.children if t.dep_ in {"nsubj", "attr"} and t.pos_ == "NOUN"), None)
    kinds = kind_of(role.lemma_.lower()) if role is not None else frozenset()
    return kinds if kinds and kinds <= PEOPLE_OR_BODIES else frozenset()


def _kinds(doc) -> frozenset[str]:
    for i, t in enumerate(doc):
        word = t.lower_
        if word in {"who", "whom", "whose"}:
            return PEOPLE_OR_BODIES
        if word == "when":
            return WHEN
        if word == "where":
            return WHERE
        if word == "how":
            following = doc[i + 1].lower_ if i + 1 < len(doc) else ""
            return _HOW.get(following, frozenset())
        if word in {"what", "which"}:
            noun = _head_noun(doc, i)
            return kind_of(noun) if noun else frozenset()
    return frozenset()


def _head_noun(doc, i: int) -> str:
    """The noun "which/what" asks about: "which company", "which of the companies", "what kind of
    car", "what is the name of the minister"."""
    t = doc[i]
    noun = t.head if t.dep_ == "det" and t.head.pos_ in {"NOUN", "PROPN"} else None
    for nxt in doc[i + 1 : i + 6] if noun is None else ():
        if nxt.pos_ == "NOUN":
            noun = nxt
            break
        if nxt.pos_ in {"VERB", "AUX"} and nxt.lemma_ != "be":
            break
    while noun is not None and noun.lemma_.lower() in _GENERIC_NOUNS:  # "name of the minister": minister
        noun = next((o for p in noun.children if p.lower_ == "of" for o in p.children if o.dep_ == "pobj"), None)
    return noun.lemma_.lower() if noun is not None and noun.pos_ == "NOUN" else ""


@functools.lru_cache(maxsize=2048)
def kind_of(noun: str) -> frozenset[str]:
    """The entity labels a noun names, by its closeness to the words for each kind."""
    for labels, words in _KINDS.values():
        if noun in words.split():
            return labels
    words, labels = _kind_words()
    sims = embed_cached(words) @ embed_cached([noun])[0]
    best = int(np.argmax(sims))
    return labels[best] if sims[best] >= _CLOSE else frozenset()


@functools.lru_cache(maxsize=1)
def _kind_words() -> tuple[list[str], list[frozenset[str]]]:
    words, labels = [], []
    for kind_labels, listed in _KINDS.values():
        for w in listed.split():
            words.append(w)
            labels.append(kind_labels)
    return words, labels
