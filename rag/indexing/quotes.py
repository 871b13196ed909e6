"""Who said what: attribute sentences to named speakers.

Rules, applied sentence by sentence in document order:
- "according to X", "X said/told/stated/claimed ... (that)", "..., X said", "said X";
- "he/she said", or a sentence opening with He/She and an attribution verb, resolves to the
  speaker (or first named person) of the sentence before;
- a paragraph that is only a quotation continues the previous paragraph's speaker.
Names are resolved within a document: "Kirby" is "John Kirby" when the article names him in
full; leading titles and nationalities ("U.S. Secretary of State", "Ukrainian President") are
dropped. A statement is direct when the sentence holds a quotation, reported otherwise.
"""

from __future__ import annotations

import re

from ..types import Statement
from .documents import Span
from .outlets import KIND_PHRASE, is_outlet, known_pattern, outlet_key, outlet_name

VERBS = (
    "said|says|say|told|tells|stated|states|added|adds|noted|notes|claimed|claims|announced|announces|"
    "argued|argues|asserted|asserts|warned|warns|admitted|admits|insisted|insists|explained|explains|"
    "wrote|writes|declared|declares|predicted|predicts|criticized|criticised|criticizes|blasted|called|"
    "calls|urged|urges|described|describes|praised|praises|lauded|denied|denies|accused|accuses|"
    "reiterated|stressed|emphasized|emphasised|suggested|suggests|remarked|replied|responded|commented|"
    "acknowledged|believes|believed|informed|requested|rejected|welcomed|expressed|proposed|vowed|pledged|"
    "confirmed|conceded|cautioned|complained|condemned|dismissed|hailed|questioned|recalled|repeated|"
    "reported|tweeted|posted|thinks|thought|feared|fears|hoped|hopes|wants|wanted|"
    "saying|telling|noting|adding|claiming|insisting|arguing|warning|stating|calling|accusing|urging"
)
TITLES = {
    "president", "vice", "prime", "minister", "secretary", "state", "foreign", "defense", "defence",
    "deputy", "chairman", "chairwoman", "chair", "chancellor", "senator", "sen", "rep", "representative",
    "spokesperson", "spokesman", "spokeswoman", "general", "gen", "mr", "mrs", "ms", "dr", "sir", "king",
    "queen", "pope", "leader", "governor", "gov", "mayor", "ambassador", "envoy", "premier", "commissioner",
    "director", "chief", "executive", "ceo", "judge", "justice", "prosecutor", "officer", "official",
    "lt", "col", "adm", "admiral", "captain", "capt", "former", "new", "then", "us", "u.s", "uk", "u.k", "eu", "un", "the",
    "white", "house", "security", "council", "national", "adviser", "advisor", "press", "top",
}
_NATIONALITY = re.compile(r"^(?:[A-Z][a-z]+(?:an|ian|ese|ish|i|ch|sh)|U\.?S\.?|UK|EU|UN)$")
_SEP = r"[ \xa0]+"
_NAME_WORD = r"(?:U\.S\.|U\.K\.|US|UK|EU|UN|[A-Z][a-zà-ÿ]+(?:-[A-Za-zà-ÿ]+|['’][A-Z][a-zà-ÿ]+)*)"
NAME = rf"{_NAME_WORD}(?:{_SEP}(?:(?:of|de|van|von|bin|al|da|du|la|le){_SEP})?{_NAME_WORD}){{0,5}}"
_WHEN = rf"(?:{_SEP}(?:on|last|this|earlier|later|in){_SEP}[A-Z]?[a-z]+)?"
_QUOTE_CHARS = '"“”'
_PRONOUN = re.compile(rf"(?:^|[,”\"]\s*)(?:he|she)\s+(?:{VERBS})\b|^(?:He|She)\s+(?:\w+\s+){{0,3}}?(?:{VERBS})\b", re.I)

_ROLE = r"(?:(?:the\s+)?(?:[a-z][a-z-]+\s+){1,3}(?=[A-Z]))?"  # "..., city engineer Tomas Lindqvist said": a role in lower case
# "China’s Xinhua news agency", "Russian state media", "Reuters"
_OUTLET = rf"(?:(?:{NAME}[’']s{_SEP})?(?:{NAME}{_SEP})?{KIND_PHRASE}|(?:{known_pattern()})(?![\w-]))"
_ACCORDING_TO_OUTLET = re.compile(rf"(?i:\baccording to )(?:(?i:the)\s+)?(?P<outlet>{_OUTLET})")
_OUTLET_SAYS = re.compile(rf"(?:^|[,”\";]\s*(?:and\s+|but\s+|while\s+|as\s+)?|\.\s+)(?:(?i:the)\s+)?(?P<outlet>{_OUTLET})"
                          rf"(?:{_SEP}[a-z]+ly)?{_SEP}(?:{VERBS})\b")
_PATTERNS = [
    re.compile(rf"(?i:\baccording to )(?:the )?(?P<name>{NAME})"),
    re.compile(rf"[,”\"]\s*(?:{VERBS})\s+(?:the\s+)?(?P<name>{NAME})"),  # "...," said Blinken
    re.compile(rf"(?:^|[,”\";]\s*(?:with\s+|and\s+|while\s+|as\s+|but\s+)?{_ROLE}|\.\s+)(?P<name>{NAME})(?:,[^,]{{1,90}},)?{_WHEN}\s+(?:also\s+|then\s+|later\s+|has\s+|had\s+|have\s+)?(?:{VERBS})\b"),
    # an outlet by its kind or its name, when no person is named as the speaker
    _ACCORDING_TO_OUTLET,
    _OUTLET_SAYS,
]
_CITING = [  # an outlet cited as the source of what a sentence says
    _ACCORDING_TO_OUTLET,
    _OUTLET_SAYS,
    re.compile(rf"(?i:\b(?:told|telling|reported by|cited by|quoted by|interview with|speaking to|spoke to|said to|wrote in|writing in|"
               rf"reported in|published by|published in|broadcast by|aired on|statement to|report by|report in|reporting by))"
               rf"\s+(?:(?i:the)\s+)?(?P<outlet>{_OUTLET})"),
]


def cited_outlets(sentence: str) -> list[str]:
    """The news outlets and agencies the sentence gives as a source ("..., according to CNN",
    "Xinhua news agency reported", "told Reuters"), as named there, in order."""
    named = sorted((m.start("outlet"), outlet_name(m.group("outlet"))) for pattern in _CITING for m in pattern.finditer(sentence))
    found: dict[str, str] = {}
    for _, name in named:
        if is_outlet(name):
            found.setdefault(outlet_key(name), name)
    return list(found.values())


_FUNCTION_WORDS = {
    "a", "an", "and", "as", "after", "before", "but", "by", "during", "for", "from", "however", "if",
    "in", "instead", "meanwhile", "of", "on", "or", "since", "so", "that", "the", "then", "this",
    "though", "to", "when", "where", "while", "with", "yet", "at", "over", "under", "ahead", "amid",
}


SPEAKER_VERSION = "4"  # bump when the rules or the stored metadata change: chunks are refreshed (not re-embedded) at the next ingest
# (rag/indexing/plan.py's INDEX_VERSION joins it with the sentence readings' version.
# 2: chunks carry `day`, the publication day as a number, for date filters; 3: outlets are speakers;
# 4: chunks carry the article's `outlet`)


def clean_name(name: str) -> str:
    """Drop leading titles and nationalities: "U.S. Secretary of State Antony Blinken" -> "Antony Blinken"."""
    words = name.split()
    if len(words) == 1 and words[0].replace(".", "") in ("US", "UK", "EU", "UN"):
        return words[0]  # "US says ...": the country speaks
    while words and (
        words[0].lower().strip(".") in TITLES or words[0].lower() in _FUNCTION_WORDS or _NATIONALITY.match(words[0])
    ):
        words.pop(0)
    # "Secretary of State Antony Blinken": titles can follow "of"
    while len(words) > 1 and words[0].lower() in TITLES | {"of"}:
        words.pop(0)
    return " ".join(words)


def name_tokens(name: str) -> frozenset[str]:
    if is_outlet(name):  # "Associated Press": "press" is no title here
        return frozenset(w for w in re.findall(r"[\w-]+", name.lower()) if w != "the")
    return frozenset(w.lower() for w in clean_name(name).split() if w.lower() not in TITLES)


def same_person(a: str, b: str) -> bool:
    """Two mentions of one person: the same surname ("Antony Blinken" ~ "Anthony Blinken"), or a
    one-word name that is the other's first or last word ("Kirby" ~ "John Kirby", "Xi" ~ "Xi Jinping")."""
    if is_outlet(a) or is_outlet(b):
        return is_outlet(a) and is_outlet(b) and outlet_key(a) == outlet_key(b)
    wa = [w.lower() for w in clean_name(a).split() if w.lower() not in TITLES]
    wb = [w.lower() for w in clean_name(b).split() if w.lower() not in TITLES]
    if not wa or not wb:
        return False
    if len(wa) == 1 or len(wb) == 1:
        single, other = (wa, wb) if len(wa) == 1 else (wb, wa)
        return single[0] in (other[0], other[-1])
    return wa[-1] == wb[-1]


def statements(text: str, sentences: list[Span]) -> list[Statement]:
    """Attributed statements among `sentences` (spans of `text`, in document order)."""
    full_names = _full_names(" ".join(text[s.start : s.end] for s in sentences))
    out: list[Statement] = []
    previous_speaker: str | None = None
    previous_person: str | None = None
    previous_end = -1
    for span in sentences:
        sentence = text[span.start : span.end]
        direct = any(q in sentence for q in _QUOTE_CHARS)
        new_paragraph = "\n" in text[previous_end:span.start] if previous_end >= 0 else True
        speaker = _explicit_speaker(sentence)
        if speaker is None and _PRONOUN.search(sentence):
            speaker = previous_speaker or previous_person
        if speaker is None and direct and new_paragraph and _only_quotation(sentence):
            speaker = previous_speaker  # a quotation paragraph continues the last speaker
        if speaker:
            speaker = _resolve(speaker, full_names)
            out.append(Statement(speaker, span.start, span.end, direct))
            previous_speaker = speaker
        else:
            previous_speaker = None if new_paragraph else previous_speaker
        person = _first_person(sentence)
        previous_person = _resolve(person, full_names) if person else previous_person
        previous_end = span.end
    return out


def _explicit_speaker(sentence: str) -> str | None:
    for pattern in _PATTERNS:
        for m in pattern.finditer(sentence):
            if "outlet" in pattern.groupindex:  # named by its kind: kept as written ("Russian state media")
                return outlet_name(m.group("outlet"))
            name = m.group("name")
            name = outlet_name(name) if is_outlet(name) else clean_name(name)
            if name and name.lower() not in {"he", "she", "it", "they", "this", "that", "i", "we"}:
                return name
    return None


def _first_person(sentence: str) -> str | None:
    for m in re.finditer(NAME, sentence):
        name = clean_name(m.group())
        if len(name.split()) >= 2:
            return name
    return None


def _only_quotation(sentence: str) -> bool:
    s = sentence.strip()
    return len(s) > 2 and s[0] in '"“' and s.rstrip(".")[-1] in '"”'


def _full_names(text: str) -> dict[str, int]:
    """Multi-word names in the document with how often each occurs. A name that is another
    name plus more words ("Antony Blinken Xi", from "Antony Blinken Xi’s visit") is two
    entities run together and is left out."""
    counts: dict[str, int] = {}
    for m in re.finditer(NAME, text):
        name = clean_name(m.group())
        if len(name.split()) >= 2:
            counts[name] = counts.get(name, 0) + 1
    firsts = {n.split()[0] for n in counts}

    def run_together(name: str) -> bool:
        words = name.split()
        if len(words) < 3:
            return False
        known_prefix = any(" ".join(words[:i]) in counts for i in range(2, len(words)))
        return known_prefix or words[-1] in firsts

    return {n: c for n, c in counts.items() if not run_together(n)}


def _resolve(name: str, full_names: dict[str, int]) -> str:
    """A one-word name as the fullest form of it in the document: the most frequent, then shortest."""
    if len(name.split()) >= 2:
        return name
    candidates = [full for full in full_names if name in full.split()]
    if not candidates:
        return name
    return min(candidates, key=lambda full: (-full_names[full], len(full.split()), full))


_ASK_SPEAKER = [
    re.compile(rf"(?i:\bwhat (?:did|does|do|has|have|had)\s+(?:the\s+)?)(?P<name>{NAME})\s+(?i:say|said|tell|told|claim|think|call|announce|argue|state|write|reply|respond)\b"),
    re.compile(rf"(?i:\bhow (?:did|does|has)\s+)(?P<name>{NAME})\s+(?i:respond|react|reply|describe|characteri[sz]e)"),
    re.compile(rf"(?i:\baccording to\s+)(?P<name>{NAME})"),
    re.compile(rf"\b(?P<name>{NAME})[’']s\s+(?:remarks?|comments?|statements?|words|view|position|response|reaction|quote)"),
]


def question_speaker(question: str) -> str | None:
    """The person a question asks about ("What did Kirby say?" -> "Kirby"), or None."""
    for pattern in _ASK_SPEAKER:
        m = pattern.search(question)
        if m:
            name = clean_name(m.group("name"))
            if name and name_tokens(name):
                return name
    return None


# --- the speaker index stored with each chunk (Chroma metadata) ----------------------------
