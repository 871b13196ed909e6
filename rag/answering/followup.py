"""Follow-up questions in a conversation: "and what did Blinken say about that?"

A question that leans on the conversation (it opens with "and"/"what about", points back with
"that", "it", "they" ..., or says too little on its own) is rewritten before retrieval: the words
that point back are dropped from the question that is answered, and the previous question is
added to what is searched for, so retrieval stays on the story the user is asking about.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from ..limits import MAX_QUESTION_CHARS
from ..indexing.quotes import question_speaker

READ_AS = "Read as a follow-up"  # opens the note an answer carries when its question was rewritten
_OPENER = re.compile(r"^\s*(?:and|but|also|so|then|ok(?:ay)?|what about|how about)\b[\s,]*", re.I)
_ABOUT_THAT = re.compile(
    r"\s*\b(?:about|on|regarding|over)\s+(?:that|this|it|them|those|these)\b"
    r"|\s*\b(?:to|with|for|of|by)\s+(?:that|this|it|them|those|these)(?=\s*[?.!]*$)",
    re.I,
)
_TOPIC = re.compile(r"\b(about|on|regarding|over)\s+((?:(?!\b(?:that|this|it|them)\b)[^?.!])+?)\s*[?.!]*$", re.I)
_WHAT_ABOUT = re.compile(r"^\s*(?:and\s+)?(?:what|how)\s+about\s+([^?.!]{2,60}?)\s*[?.!]*$", re.I)
_PRONOUN = re.compile(r"\b(?:he|she|him|her)\b", re.I)
_POINTER = re.compile(r"\b(?:that|this|it|they|them|those|these|he|she|him|her|there|then)\b", re.I)
_CONTENT = re.compile(r"\b[A-Za-z][a-z]{3,}\b")
_GENERIC = {"what", "when", "where", "which", "who", "whom", "why", "how", "does", "did", "said", "says", "tell",
            "more", "about", "else", "also", "happen", "happened", "mean", "means"}


@dataclass(frozen=True)
class Rewritten:
    question: str  # what is answered
    query: str  # what is searched for (within the question length limit)
    followed_up: bool


def rewrite(question: str, history: Sequence[str] | None) -> Rewritten:
    """`history`: the user's earlier questions, oldest first."""
    question = " ".join((question or "").split())
    previous = next((h for h in reversed(history or []) if h and h.strip()), None)
    if not previous or not _leans_on_context(question):
        return Rewritten(question, question, False)
    speaker = question_speaker(previous)
    instead = _WHAT_ABOUT.match(question)
    if instead and speaker and speaker in previous:  # "what about Russia?" after "what did China say about X?"
        answered = previous.replace(speaker, instead.group(1).strip(), 1)
        return Rewritten(answered, f"{answered} {previous}"[:MAX_QUESTION_CHARS], True)
    own = _OPENER.sub("", question)
    topic = _TOPIC.search(previous)  # "... about Xi's visit?": "about that" is that topic
    own = _ABOUT_THAT.sub(lambda m: f" {topic.group(1)} {topic.group(2)}" if topic and _names_about(m) else "", own)
    if speaker:  # "what else did he say?" after "what did Kirby say?"
        own = _PRONOUN.sub(speaker, own)
    own = re.sub(r"\s+([?.!,])", r"\1", " ".join(own.split()))
    if len(_content_words(own)) == 0:
        own = previous  # "and then?", "tell me more": the previous question again
    answered = own[:1].upper() + own[1:] if own else previous
    return Rewritten(answered, f"{answered} {previous}"[:MAX_QUESTION_CHARS], True)


def _names_about(m: re.Match) -> bool:
    """The matched words are "about that" (not "to it", "with them", which the topic would not fit)."""
    return m.group().strip().split()[0].lower() in ("about", "on", "regarding", "over")


def _leans_on_context(question: str) -> bool:
    if _OPENER.match(question):
        return True
    if _ABOUT_THAT.search(question):
        return True
    few = len(_content_words(question))
    return few == 0 or (few < 2 and bool(_POINTER.search(question)))


def _content_words(text: str) -> list[str]:
    return [w for w in _CONTENT.findall(text) if w.lower() not in _GENERIC]
