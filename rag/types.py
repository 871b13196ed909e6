"""The typed values that cross module and API boundaries."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import TYPE_CHECKING, Any, Literal, Sequence, get_args

if TYPE_CHECKING:
    from .language import SentenceReading

FileStatus = Literal["added", "updated", "unchanged", "removed", "skipped"]
AnswerStatus = Literal["answered", "hedged", "declined"]
ANSWER_STATUSES: tuple[str, ...] = get_args(AnswerStatus)


def source_label(outlet: str, title: str, date: str) -> str:
    """How people name a source: outlet · headline · date (what is known of them); the file name
    and offsets come second, for checking."""
    return " · ".join(x for x in (outlet, title or "(untitled)", date[:10]) if x)


class _FromFile:
    """What a passage and a citation share: a file, and a dict form for JSON."""

    source: str
    title: str
    date: str
    outlet: str

    @property
    def name(self) -> str:
        return self.source.replace("\\", "/").rsplit("/", 1)[-1]

    @property
    def label(self) -> str:
        page = getattr(self, "page", 0)
        return source_label(self.outlet, self.title, self.date) + (f" · p. {page}" if page else "")

    def to_dict(self) -> dict[str, Any]:
        """The fields shown (repr), which are plain values: a passage's readings and evidence are
        not part of it, and are not copied to be dropped."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.repr} | {"name": self.name}  # type: ignore[arg-type]


@dataclass(frozen=True)
class Passage(_FromFile):
    """A retrieved chunk: `open(path, encoding=encoding).read()[start:end] == text`."""

    source: str  # the path as it was ingested
    title: str
    chunk_id: str
    text: str
    start: int
    end: int
    score: float  # the ranker's estimate (0..1) that the passage holds the answer; higher is better
    path: str = ""  # absolute path of the file
    date: str = ""
    byline: str = ""
    encoding: str = "utf-8"
    similarity: float = 0.0  # cosine similarity of the chunk to the query
    bm25: float = 0.0  # lexical score, 0 when BM25 did not match
    outlet: str = ""  # who published it (read from the article, or set in the library)
    # its sentences' entities and verbs as read at ingest (rag/language.py); not part of its dict form
    readings: Sequence[SentenceReading] = field(default=(), repr=False, compare=False)
    # how likely it is to hold the answer on its own (the passage model, rag/answering/ranking.py):
    # what the answer scorer reads; 0 for passages found another way (the speaker index)
    evidence: float = field(default=0.0, repr=False, compare=False)


@dataclass(frozen=True)
class Statement:
    """Who said a sentence (the speaker index, built at ingest and stored with the chunks)."""

    speaker: str  # the fullest form of the name seen in the document
    start: int  # the sentence, as a span of the raw text
    end: int
    direct: bool  # the sentence holds a quotation


@dataclass(frozen=True)
class FileResult:
    source: str
    status: FileStatus
    chunks: int = 0
    title: str = ""
    reason: str = ""


@dataclass(frozen=True)
class IngestReport:
    files: tuple[FileResult, ...] = ()
    chunks_embedded: int = 0  # chunks run through the embedding model
    chunks_reused: int = 0  # chunks whose vectors were copied from an identical file
    chunks_total: int = 0  # chunks in the index after the run
    seconds: float = 0.0
    embed_seconds: float = 0.0
    notes: tuple[str, ...] = field(default=())  # repairs and other things worth saying

    def by_status(self, status: FileStatus) -> list[FileResult]:
        return [f for f in self.files if f.status == status]

    @property
    def changed(self) -> bool:
        return any(f.status in ("added", "updated", "removed") for f in self.files)

    def to_dict(self) -> dict[str, Any]:
        counts = {s: len(self.by_status(s)) for s in ("added", "updated", "unchanged", "removed", "skipped")}
        return asdict(self) | {"counts": counts}


@dataclass(frozen=True)
class Citation(_FromFile):
    """A verbatim quote: `open(path, encoding=encoding).read()[start:end] == quote`."""

    n: int  # the number used in the answer text, as [n]
    source: str  # the path as it was ingested
    title: str
    quote: str
    start: int
    end: int
    chunk_id: str
    path: str = ""
    encoding: str = "utf-8"
    date: str = ""
    outlet: str = ""
    page: int = 0  # the page of a PDF the quote is on (0: not a PDF)
    also: tuple[str, ...] = ()  # other articles carrying the same wire story (outlet · headline · date)

    @property
    def carried(self) -> str:
        """"also carried by A; B" when other articles carry the same wire story, else ""."""
        return "also carried by " + "; ".join(self.also) if self.also else ""


@dataclass(frozen=True)
class Answer:
    question: str
    text: str  # every claim carries [n] markers that match `citations`
    citations: tuple[Citation, ...] = ()
    passages: tuple[Passage, ...] = ()  # what retrieval gave the answerer
    abstained: bool = False  # True when declined: the articles clearly do not hold the answer
    backend: str = "extractive"
    timings: dict[str, float] = field(default_factory=dict)  # seconds: retrieve, generate, total
    notes: tuple[str, ...] = ()  # e.g. "the model endpoint failed; extractive answer shown"
    # "answered"; "hedged": no sentence was found that answers, and the closest ones are shown,
    # cited, after "The articles do not say this directly"; "declined": the articles clearly do not
    # hold it (a year or a name asked that no passage has), with the reason
    status: AnswerStatus = "answered"

    def __post_init__(self) -> None:
        if self.abstained and self.status == "answered":  # (an Answer made with abstained=True alone)
            object.__setattr__(self, "status", "declined")

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "text": self.text,
            "citations": [c.to_dict() for c in self.citations],
            "passages": [p.to_dict() for p in self.passages],
            "abstained": self.abstained,
            "status": self.status,
            "backend": self.backend,
            "timings": dict(self.timings),
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class Point:
    """A fact of the story, in the words of one article, with a citation from every article that reports it."""

    text: str
    citations: tuple[int, ...]  # one per reporting source, in source order
    sources: tuple[str, ...]  # file names
    n_sources: int


@dataclass(frozen=True)
class Remark:
    """Something a speaker said, verbatim, where it was said (and where else the same words appear)."""

    text: str
    citation: int
    source: str
    direct: bool  # a quotation, not reported speech
    also: tuple[int, ...] = ()  # citations of the same statement in other sources


@dataclass(frozen=True)
class Speaker:
    name: str
    remarks: tuple[Remark, ...]
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Variant:
    text: str  # the differing words, as printed
    citation: int
    source: str


@dataclass(frozen=True)
class Difference:
    kind: str  # "quote wording", "numbers", "name spelling"
    about: str  # what differs, in a few words
    variants: tuple[Variant, ...]


@dataclass(frozen=True)
class SourceInfo:
    source: str
    name: str
    title: str
    byline: str = ""
    outlet: str = ""
    date: str = ""


@dataclass(frozen=True)
class Briefing:
    text: str  # the Markdown document
    citations: tuple[Citation, ...]
    summary: tuple[Point, ...]
    points: tuple[Point, ...]  # reported by two or more sources, most widely reported first
    speakers: tuple[Speaker, ...]
    differences: tuple[Difference, ...]
    unique: tuple[tuple[str, tuple[Point, ...]], ...]  # (source, its details no other source reports)
    sources: tuple[SourceInfo, ...]
    topic: str | None = None
    backend: str = "extractive"
    timings: dict[str, float] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["citations"] = [c.to_dict() for c in self.citations]
        data["unique"] = [{"source": s, "points": [asdict(p) for p in pts]} for s, pts in self.unique]
        return data


@dataclass(frozen=True)
class LibraryEntry:
    """An ingested article."""

    source: str
    name: str
    title: str
    byline: str
    date: str
    chunks: int
    path: str
    key: str = ""  # a stable opaque id of the article (what the web UI sends instead of a path)
    outlet: str = ""  # who published it
    copies: tuple[str, ...] = ()  # names of the other articles that carry the same wire story
