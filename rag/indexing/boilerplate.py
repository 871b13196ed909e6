"""General rules that tell site furniture from article text.

The rules look at one paragraph (a "unit": a line, or a hard-wrapped paragraph) and at where it
stands. They describe kinds of furniture that news sites share, not strings of one site:

- labels that stand in for pictures or ads ("Advertisement", "Ad image", "Sponsored"),
- counters and reading times ("3 min read", "12 comments"),
- links to other stories ("See also ...", "Read more: ...", "Related: ...", and a section label
  glued to a headline: "More:Taylor Swift cancels ...", "Opinion:Congress wants ..."),
- share, tag and copyright lines,
- comment and sign-up forms: short lines made mostly of form words
  ("Leave a reply", "Your email address will not be published", "Please enter your name"),
- and, after the last paragraph of prose, short lines that are not sentences.
"""

from __future__ import annotations

import re

CLEANER_VERSION = "3"  # bump when a rule changes: ingested files are then re-chunked

_I = re.IGNORECASE

AD_LABEL = re.compile(
    r"^(?:(?:advertisements?|advertising|ads?|image|photo|video|sponsored(?:\s+content)?|promoted|"
    r"paid\s+content|story\s+continues\s+below|continue\s+reading\s+below|scroll\s+to\s+continue"
    r"(?:\s+with\s+content)?)[\s.:|•·-]*)+$",
    _I,
)
COUNTER = re.compile(
    r"^(?:\d+\s*(?:min(?:ute)?s?|sec(?:ond)?s?|hours?)\.?\s*(?:read|reading|listen|watch)"
    r"|(?:estimated\s+)?(?:reading|read|listening)\s+time\s*:?\s*\d+.*"
    r"|\d[\d,.]*\s*k?\s*(?:comments?|shares?|views?|likes?|reactions?))\s*$",
    _I,
)
RELATED_LINK = re.compile(
    r"^(?:see\s+also|related(?:\s+(?:articles?|stories|story|news|coverage|content|reading))?|"
    r"read\s+(?:more|also|next)|also\s+read|more\s+(?:from|on\s+this|stories)|recommended(?:\s+for\s+you)?|"
    r"you\s+(?:may|might)\s+(?:also\s+)?like|further\s+reading|most\s+(?:read|popular)|trending(?:\s+now)?|"
    r"top\s+stories|editor'?s\s+picks?)\b",
    _I,
)
# a label of a few words glued to a linked headline, with no space after its colon: the page set
# them as two elements ("More:In historic ruling ...", "Fact check:False claim ..."); prose puts a
# space after a colon
GLUED_LINK = re.compile(r"^[A-Za-z][A-Za-z'’]*(?:\s[A-Za-z'’]+){0,5}:(?=[A-Z\"“‘'])")
SHARE_OR_TAGS = re.compile(
    r"^(?:(?:share(?:\s+(?:this|on|via))?(?:\s+(?:article|story|page))?|tweet|pin|print|copy\s+link|"
    r"facebook|twitter|x|whatsapp|linkedin|telegram|reddit|email|e-mail)\b[\s|/·•,:]*)+$"
    r"|^(?:tags?|topics?|filed\s+under|categories|category)\s*:"
    r"|^(?:©|\(c\)|copyright\b)"
    r"|\ball\s+rights\s+reserved\b",
    _I,
)

# Words of comment boxes, sign-up forms and site navigation.
FORM_WORDS = frozenset(
    """comment comments reply replies respond response email e-mail address name website required
    fields field marked mandatory published subscribe subscription subscribed newsletter newsletters
    sign signup login log register notify notifications cookie cookies privacy policy terms click tap
    here below share follow enter submit post leave give write your please cancel""".split()
)

_MAX_FURNITURE_CHARS = 300  # furniture is short; longer units are never matched against the patterns
TERMINAL = ('.', '!', '?', '"', '”', '’', "'", ')', '…', ':')
_WORD = re.compile(r"[^\W\d_][\w'’-]*")


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def is_sentence_like(text: str) -> bool:
    """Prose: a real sentence or a paragraph long enough to be one."""
    n = len(words(text))
    stripped = text.rstrip()
    return n >= 15 or (n >= 4 and stripped.endswith(TERMINAL) and form_density(text) < 0.4)


def form_density(text: str) -> float:
    tokens = [w.lower() for w in words(text)]
    if not tokens:
        return 0.0
    return sum(1 for w in tokens if w in FORM_WORDS) / len(tokens)


def furniture_reason(text: str) -> str | None:
    """Why a unit is site furniture wherever it stands, or None."""
    stripped = text.strip()
    if len(stripped) > _MAX_FURNITURE_CHARS:
        return None
    n = len(words(stripped))
    if AD_LABEL.match(stripped):
        return "ad or media label"
    if COUNTER.match(stripped):
        return "counter or reading time"
    if n <= 25 and (RELATED_LINK.match(stripped) or GLUED_LINK.match(stripped)):
        return "link to another story"
    if n <= 12 and SHARE_OR_TAGS.search(stripped):
        return "share, tag or copyright line"
    has_quote = any(q in stripped for q in '"“”')
    if n <= 15 and not has_quote and form_density(stripped) >= 0.4:
        return "comment or sign-up form"
    return None


def trailing_reason(text: str) -> str | None:
    """Why a unit after the last paragraph of prose is furniture, or None."""
    stripped = text.strip()
    if len(stripped) > _MAX_FURNITURE_CHARS:
        return None
    n = len(words(stripped))
    if not is_sentence_like(stripped) and n <= 12:
        return "short line after the article"
    if form_density(stripped) >= 0.3:
        return "comment or sign-up form"
    return None
