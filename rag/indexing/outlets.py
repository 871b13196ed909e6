"""News outlets and agencies as speakers: "China's Xinhua news agency reported ...", "Russian state
media said ...", "..., according to CNN". The speaker index records them like people, so that
"which outlets or agencies are cited?" is answered from it.

An outlet is a name ending in a word for one ("news agency", "state media", "newspaper",
"broadcaster" ...) or one of the wire services and broadcasters news copy most often cites
(rag/indexing/outlets.txt: a list of names, not of questions).
"""

from __future__ import annotations

import functools
import re
from importlib import resources

# words that make a name an outlet's ("Xinhua news agency", "state television"), as the last word of it
KINDS = (
    "agency", "agencies", "media", "newspaper", "newspapers", "broadcaster", "broadcasters", "television", "tv",
    "radio", "outlet", "outlets", "daily", "tabloid", "website", "wire", "newswire", "channel", "network",
)
# the phrase that names an outlet by its kind, after an optional name ("Xinhua", "Russian state")
KIND_PHRASE = (
    r"(?:(?:state|state-run|state-owned|state-controlled|official|public|local|national|independent)[ \xa0]+)?"
    r"(?:news[ \xa0]+agenc(?:y|ies)|news[ \xa0]+outlets?|news[ \xa0]+website|news[ \xa0]+channel|wire[ \xa0]+service"
    r"|media|newspapers?|broadcasters?|television|TV|radio|daily|tabloid)"
)
OUTLET_MARK = "~outlet"  # in a chunk's stored `speakers`: one of its sentences cites a news outlet
_POSSESSIVE = re.compile(r"^[A-Z][\w.-]*[’']s[ \xa0]+")


@functools.lru_cache(maxsize=1)
def known_outlets() -> frozenset[str]:
    return frozenset(" ".join(n.lower().split()) for n in _names())


@functools.lru_cache(maxsize=1)
def known_pattern() -> str:
    """A regex alternation of the known outlets' names as written (longest first)."""
    names = sorted(set(_names()), key=len, reverse=True)
    return "|".join(re.escape(n).replace(r"\ ", r"[ \xa0]+") for n in names)


def is_outlet(name: str) -> bool:
    """The speaker is a news outlet or agency, not a person or a government."""
    words = name.lower().replace("\xa0", " ").split()
    if not words:
        return False
    return words[-1] in KINDS or " ".join(w for w in words if w != "the") in known_outlets()


@functools.lru_cache(maxsize=1)
def _names() -> tuple[str, ...]:
    text = resources.files("rag.indexing").joinpath("outlets.txt").read_text(encoding="utf-8")
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]
    return tuple(re.sub(r"^The[ \xa0]+", "", line) for line in lines)  # "the" is read before a name, as with any


def outlet_name(phrase: str) -> str:
    """An outlet as the sentence names it, without a leading "the" or owner: "China's Xinhua news
    agency" -> "Xinhua news agency"."""
    phrase = re.sub(r"^(?:the|The)[ \xa0]+", "", phrase.strip())
    shorter = _POSSESSIVE.sub("", phrase)
    return shorter if shorter and is_outlet(shorter) else phrase


def outlet_key(name: str) -> str:
    """One key for the ways a text names an outlet ("Xinhua", "Xinhua news agency", "the Xinhua agency")."""
    words = [w for w in re.findall(r"[\w-]+", name.lower()) if w != "the"]
    specific = [w for w in words if w not in KINDS and w != "news"]
    return " ".join(specific or words)
