"""question -> Answer: retrieve, build the prompt, generate, cite, verify, abstain, fall back.

    from rag import answer
    a = answer("What did Kirby say?")
    a.text, a.citations[0].quote, a.abstained

With `stream=True`, `answer()` returns an iterator of text deltas whose last item is the
complete Answer (the deltas are the backend's raw words; the Answer's text, with verified and
renumbered citations, is what to show in the end).
"""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import date
import typing
from typing import Iterator, Sequence, Union

from .citations import UNSUPPORTED, Grounded, check, ground
from .collection import COLLECTION_K, collection_evidence, collection_header, collection_question
from ..config import Settings, load_settings
from ..limits import MAX_HISTORY, MAX_SOURCES, check_k, check_list, check_text
from ..index.embeddings import embed_cached
from .followup import READ_AS, rewrite
from .generate import BackendError, Generator, Request, make_generator, resolve_backend
from .generate.extractive import ExtractiveGenerator
from .question import Question, analyse
from .reader import read
from .answerability import load_scorer
from .selection import Evidence, gather_evidence
from ..index.library import with_copies
from ..index.opened import Index, open_index
from ..prompts import render
from .degenerate import DegenerateOutput, degenerate, fallback_note
from .prompting import evidence_request, prompt_budget
from .retrieve import When, check_when, retrieve, speaker_passages, with_outlets
from ..types import Answer, Passage
from ..index.writelock import another_writer

Event = Union[str, Answer]


def answer(
    question: str,
    *,
    k: int | None = None,
    backend: str | None = None,
    sources: Sequence[str] | None = None,
    stream: bool = False,
    settings: Settings | None = None,
    history: Sequence[str] | None = None,
    index: Index | None = None,
    as_of: date | str | None = None,
    since: date | str | None = None,
    until: date | str | None = None,
    outlets: Sequence[str] | None = None,
) -> Answer | Iterator[Event]:
    """Answer `question` from the ingested articles, with verified word-for-word citations.

    `history`: the user's earlier questions in a conversation, oldest first; a follow-up such as
    "and what did Blinken say about that?" is then rewritten with them before retrieval.
    Arguments are checked before anything runs (BadRequest: k is 1..MAX_K, a question at most
    MAX_QUESTION_CHARS long, at most MAX_HISTORY earlier questions, a known backend).
    `index`: an opened Index to answer from (else one is opened for `settings`).
    `as_of`, `since`, `until`: dates (or YYYY-MM-DD) as in search(): the question's "now", and a
    range of publication dates to answer from; `outlets`: answer only from what these published."""
    settings = index.settings if index is not None else load_settings(settings)
    question = check_text(question, "question")
    k = check_k(k)
    history = check_list(history, "history", MAX_HISTORY)
    sources = check_list(sources, "sources", MAX_SOURCES) or None
    when = check_when(as_of, since, until)
    resolve_backend(settings, backend)  # an unknown backend is refused now, not halfway through a stream
    index = open_index(settings, index)
    sources = with_outlets(index, sources, outlets)
    events = _answer(index, question, k, backend, sources, history, when)
    if stream:
        return events
    for event in events:
        if isinstance(event, Answer):
            return event
    raise RuntimeError("answer() produced no Answer")  # unreachable: _answer always ends with one


def _answer(index: Index, question: str, k, backend, sources, history=None, when: When | None = None) -> Iterator[Event]:
    settings = index.settings
    started = time.perf_counter()
    question = " ".join((question or "").split())
    asked_as = rewrite(question, history)
    name = resolve_backend(settings, backend)
    timings: dict[str, float] = {}
    if not question:
        yield Answer(question, "Ask a question about the articles.", abstained=True, backend=name)
        return
    collection = collection_question(asked_as.question)  # "how many sources report X": from the index
    if collection is not None:
        name = "extractive"
    query, depth = ((collection.topic or asked_as.question, max(k or settings.top_k, COLLECTION_K)) if collection
                    else (asked_as.query, k or settings.top_k))
    found = retrieve(index, query, depth, sources=sources, when=when)
    writing = another_writer(settings)
    if found.total == 0:
        text = render("ingest_running" if writing else "empty_index")
        yield text
        yield Answer(question, text, abstained=True, backend=name, timings={"total": time.perf_counter() - started})
        return

    passages = found.passages
    notes: list[str] = [f"{READ_AS}: “{asked_as.question}”"] if asked_as.followed_up else []
    if writing:
        notes.append(render("ingest_partial", chunks=found.total))
    elif found.lexical_out_of_step:
        notes.append(render("lexical_behind"))
    question_asked = question
    question = asked_as.question
    asked = analyse(collection.topic or question if collection else question)
    passages = with_speaker_passages(index, asked, passages, k or settings.top_k, sources, when)
    timings["retrieve"] = time.perf_counter() - started
    idf = index.idf()
    model_decides = collection is None and name != "extractive" and settings.model_threshold is not None
    if collection is not None:
        evidence, passages = collection_evidence(index, collection, asked, passages, threshold=settings.answer_threshold,
                                                 sources=sources, when=when)
    else:
        evidence = gather_evidence(asked, passages, idf,
                                   threshold=settings.model_threshold if model_decides else settings.answer_threshold,
                                   short_confidence=settings.short_answer_confidence)
    stale = evidence.stale
    if stale:
        notes.append(
            f"{len(set(stale))} file(s) changed since they were ingested and cannot be cited until you run "
            f"`rag ingest` again: {', '.join(sorted(set(stale)))}"
        )
    # a language model is only asked to write what the articles can answer: by its own judgement of
    # the closest sentences (RAG_MODEL_READS), else by the scorer's threshold (or RAG_MODEL_THRESHOLD's,
    # set low to let the model's refusal decide); the extractive answerer makes the scorer's judgement
    reads = (collection is None and name != "extractive" and settings.model_reads and not model_decides
             and bool(evidence.candidates) and not evidence.lacking)  # (what no passage holds is declined)
    generator: Generator = ExtractiveGenerator(settings, idf)
    used, shown, text, grounded = list(passages), None, "", None
    t0 = time.perf_counter()
    if name != "extractive" and (evidence.answers or reads):
        try:
            model = make_generator(name, settings)
            if reads:  # the model judges which sentence answers, before anything is written or declined
                t1 = time.perf_counter()
                evidence = _judged(model, question, passages, evidence, settings, notes)
                timings["read"] = time.perf_counter() - t1
            if evidence.answers:
                written = yield from _model_answer(model, question, passages, evidence, idf, settings, model_decides)
                generator, (text, grounded, shown, used) = model, written
        except BackendError as exc:
            note = fallback_note(exc, "answer")
            notes.append(note)
            yield "\n\n" + note + "\n\n"
            if model_decides:  # the extractive answerer keeps its own threshold
                evidence = gather_evidence(asked, passages, idf, threshold=settings.answer_threshold,
                                           short_confidence=settings.short_answer_confidence)
    if shown is None:  # no model wrote: the citations are checked against the evidence itself
        shown = evidence
    header = collection_header(index, collection, evidence, passages) if collection and evidence.answers else ""
    if header:
        yield header + "\n\n"
    if not text and evidence.answers:  # the extractive answerer, by choice or as the fallback
        for delta in generator.generate(Request(question, used, evidence=evidence)):
            text += delta
            yield delta
    if text and grounded is None:  # the extractive answer's
        grounded = _cite(text, question, used, shown, idf, extractive=True)
    timings["generate"] = time.perf_counter() - t0

    unanswered = grounded is None or grounded.refused or grounded.supported == 0
    hedged = None
    if unanswered and collection is None and not evidence.lacking:
        hedged = _closest(question, passages, evidence, idf, settings)  # unsure: the closest sentences, said to be so
    if hedged is not None:
        check(hedged.citations, hedged.text)
        text = render("hedge") + "\n\n" + hedged.text
        yield ("\n\n" if grounded is not None else "") + text
        final = Answer(question_asked, text, with_copies(index, hedged.citations), tuple(passages), False, "extractive",
                       timings, tuple(notes), status="hedged")
    elif unanswered:
        text = _abstention(passages, evidence.lacking if collection is None else "")
        if grounded is None:  # nothing was written: say so now
            yield text
        final = Answer(question_asked, text, (), tuple(passages), True, generator.name, timings, tuple(notes), status="declined")
    else:
        check(grounded.citations, grounded.text)
        if grounded.unsupported:
            notes.append(f"{grounded.unsupported} sentence(s) of the model's answer have no support in the articles "
                         f"and are marked {UNSUPPORTED}: {'; '.join(grounded.reasons[:3])}")
        final = Answer(question_asked, (header + "\n\n" if header else "") + grounded.text, with_copies(index, grounded.citations),
                       tuple(passages), False, generator.name, timings, tuple(notes))
    timings["total"] = time.perf_counter() - started
    yield final


def _model_answer(
    model: Generator, question: str, passages: list[Passage], evidence: Evidence, idf, settings: Settings, model_decides: bool
) -> typing.Generator[str, None, tuple[str, Grounded, Evidence, list[Passage]]]:
    """Stream a model's answer from the evidence; return (text, grounding, evidence shown, passages
    shown). Raises BackendError (DegenerateOutput) when the extractive answer must be shown instead:
    a loop, a refusal where sentences that answer were found, no sentence supported."""
    request, used = evidence_request(question, passages, evidence, prompt_budget(model.name, question, model, settings), settings)
    shown, text = request.evidence, ""
    for delta in model.generate(request):
        text += delta
        yield delta
    if not text.strip():
        raise BackendError("the model returned an empty answer")
    if reason := degenerate(text, needs_citations=False):  # grounding maps claims without markers
        raise DegenerateOutput(reason)
    grounded = _cite(text, question, used, shown, idf)
    if grounded.refused and not model_decides:  # the scorer found sentences that answer: show them
        raise DegenerateOutput("the model said the articles do not answer this, though sentences were found that do")
    if not grounded.refused and grounded.supported == 0:
        raise DegenerateOutput(f"no sentence of it is supported by the articles: {'; '.join(grounded.reasons[:2])}")
    # what the selector found and the model left out (when the scorer itself would answer)
    if not grounded.refused and _confident(evidence, settings) and (rest := _left_out(grounded, shown)):
        yield "\n\n" + rest
        text += "\n\n" + rest
        grounded = _cite(text, question, used, shown, idf)
    return text, grounded, shown, used


def _judged(model: Generator, question: str, passages: list[Passage], evidence: Evidence, settings: Settings,
            notes: list[str]) -> Evidence:
    """The evidence as the model reads it: the candidate it names answers; none, and what the
    scorer picked is only the closest there is (said so in `notes`); an unreadable reply changes nothing."""
    choice = read(model, question, passages, evidence, settings)
    if choice is None:
        return evidence
    if choice == 0 and evidence.answers:
        notes.append(render("reader_none", backend=model.name))
    return evidence.judged(choice)


def _closest(question: str, passages: list[Passage], evidence: Evidence, idf, settings: Settings) -> Grounded | None:
    """The sentences closest to answering, written out and cited like an answer (None when there
    are none, or none of them grounds)."""
    if not evidence.closest:
        return None
    near = replace(evidence, picked=evidence.closest, short=None)
    text = "".join(ExtractiveGenerator(settings, idf).generate(Request(question, passages, evidence=near)))
    grounded = _cite(text, question, passages, near, idf, extractive=True) if text.strip() else None
    return grounded if grounded is not None and grounded.supported and not grounded.refused else None


def _cite(text: str, question: str, used: list[Passage], shown: Evidence, idf, extractive: bool = False) -> Grounded:
    """`text` grounded against the passages and sentences its writer was given (a model's: renumbered)."""
    return ground(text, used, list(shown.sentences), embed=embed_cached, idf=idf, question=question,
                  opening_checked=not extractive)


def _confident(evidence: Evidence, settings: Settings) -> bool:
    """The scorer would answer with this evidence at its own threshold (not the model's, lower)."""
    threshold = settings.answer_threshold if settings.answer_threshold is not None else load_scorer().threshold
    return evidence.confidence >= threshold


def _left_out(grounded, evidence: Evidence) -> str:
    """The evidence's sentences that a model's answer cites none of, word for word with their
    passage numbers (the model wrote the answer; these complete it)."""
    cited = {c.quote for c in grounded.citations}
    return " ".join(f"{text} " + "".join(f"[{n}]" for n in numbers) for text, numbers in evidence.picked if text not in cited)


def with_speaker_passages(
    index: Index, asked: Question, passages: list[Passage], k: int, sources: Sequence[str] | None,
    when: When | None = None,
) -> list[Passage]:
    """The retrieved passages and, for "what did X say" over the whole library, up to k more in
    which X is quoted (from the speaker index)."""
    if not asked.speaker or sources:
        return list(passages)
    seen = {p.chunk_id for p in passages}
    return list(passages) + speaker_passages(index, asked.speaker, exclude=seen, limit=k, when=when)


def _abstention(passages: Sequence[Passage], reason: str = "") -> str:
    seen: dict[str, Passage] = {}
    for p in passages:
        seen.setdefault(p.source, p)
    topics = "; ".join(f"“{p.title}” ({p.name})" for p in list(seen.values())[:3]) or "nothing related"
    return render("abstain", topics=topics, reason=f" ({reason})" if reason else "")
