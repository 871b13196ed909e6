"""Evidence -> the chat messages a language model is given: the evidence first, not whole chunks.

The model sees the sentences the selector found (rag/answering/selection.py: the best ones and,
around each, the sentence before and after it in its passage), grouped by passage and numbered
1, 2, ... in order of the best sentence each holds, with the article's title, file and date.
Sentences are added best first until the backend's prompt budget is spent
(RAG_LOCAL_PROMPT_TOKENS for the in-process model, RAG_OPENAI_PROMPT_TOKENS for an endpoint;
never more than the model's window leaves). Sentences addressed to an AI model are replaced by a
marker. Whatever the model writes is grounded against these passages afterwards.
"""

from __future__ import annotations

from typing import Sequence

from ..config import Settings
from ..prompts import count_tokens, render
from ..types import Passage
from .evidence import Sentence
from .generate import BackendError, Generator, Request
from .injection import MARKER, looks_like_instruction, neutralize
from .selection import Evidence

MAX_SENTENCES = 4  # the most sentences an answer may have
TOKENS_PER_SENTENCE = 60  # the answer is cut at MAX_SENTENCES of these (a model in a loop stops there)
NEIGHBOURS = 1  # sentences shown on each side of a selected one
_SAFETY_TOKENS = 64  # tiktoken counts are not the model's own tokenizer: leave some room


def prompt_tokens(backend: str, settings: Settings) -> int:
    """The whole prompt (system message included) this backend is given, at most."""
    return settings.local_prompt_tokens if backend == "local" else settings.openai_prompt_tokens


def prompt_budget(backend: str, question: str, generator: Generator, settings: Settings) -> int:
    """Tokens of evidence this backend is shown: its prompt setting (the whole prompt, system
    message included) less the fixed text, within what its window leaves for the answer."""
    wanted = prompt_tokens(backend, settings)
    window = generator.context_tokens or settings.context_tokens
    fixed = count_tokens(_system(), settings.encoding) + count_tokens(_frame("", question), settings.encoding)
    return min(wanted, window - settings.max_answer_tokens - _SAFETY_TOKENS) - fixed


def evidence_request(question: str, passages: Sequence[Passage], evidence: Evidence, budget: int,
                     settings: Settings) -> tuple[Request, list[Passage]]:
    """The request for a model (its messages show the evidence) and the passages it numbers."""
    if budget <= 0:
        raise BackendError("the prompt budget (RAG_LOCAL_PROMPT_TOKENS or RAG_OPENAI_PROMPT_TOKENS, within the model's "
                           "window) leaves no room for the evidence")
    by_passage: dict[int, list[Sentence]] = {}
    for s in evidence.sentences:
        by_passage.setdefault(s.passage, []).append(s)
    shown: dict[int, set[int]] = {}  # passage -> positions of its sentences shown
    order: list[int] = []
    spent = 0
    for n, start in evidence.ranked:
        sentences = by_passage.get(n, [])
        at = next((i for i, s in enumerate(sentences) if s.start == start), None)
        if at is None:
            continue
        window = range(max(0, at - NEIGHBOURS), min(len(sentences), at + NEIGHBOURS + 1))
        new = [i for i in window if i not in shown.get(n, set())]
        cost = sum(count_tokens(sentences[i].text, settings.encoding) + 1 for i in new)
        cost += 0 if n in shown else _block_tokens(passages[n - 1], settings)
        if spent + cost > budget:
            if order:
                continue  # a smaller one further down may still fit
            new = [at]  # the best sentence, at least
            cost = count_tokens(sentences[at].text, settings.encoding) + _block_tokens(passages[n - 1], settings)
            if cost > budget:
                raise BackendError("the prompt budget (RAG_LOCAL_PROMPT_TOKENS or RAG_OPENAI_PROMPT_TOKENS, within the "
                                   "model's window) is too small for even the best sentence")
        shown.setdefault(n, set()).update(new)
        spent += cost
        if n not in order:
            order.append(n)
    if not order:
        raise BackendError("no evidence to show the model")
    blocks = [passage_block(i, passages[n - 1], [by_passage[n][j] for j in sorted(shown[n])], sorted(shown[n]))
              for i, n in enumerate(order, 1)]
    messages = [{"role": "system", "content": _system()},
                {"role": "user", "content": _frame("\n\n".join(blocks), question)}]
    used = [passages[n - 1] for n in order]
    most = min(settings.max_answer_tokens, MAX_SENTENCES * TOKENS_PER_SENTENCE)
    return Request(question, used, messages, most, evidence.for_passages(order)), used


def passage_block(n: int, p: Passage, sentences: list[Sentence], positions: list[int]) -> str:
    """Passage `n` as a model is shown it: fenced, with its file, title and date; its sentences at
    `positions` in order ("…" where some are left out), any addressed to a model replaced by a marker."""
    parts: list[str] = []
    for k, (s, at) in enumerate(zip(sentences, positions)):
        if k and at != positions[k - 1] + 1:
            parts.append("…")  # sentences of the passage left out between these
        parts.append(MARKER if looks_like_instruction(s.text) else s.text)
    text = neutralize(" ".join(parts), [])  # defuse anything that could close the fence
    return render("passage", n=n, name=_attr(p.name), title=_attr(p.title), date=_attr(p.date[:10]), text=text)


def _block_tokens(p: Passage, settings: Settings) -> int:
    """What a passage's fence and attributes cost, before its sentences."""
    return count_tokens(passage_block(0, p, [], []), settings.encoding) + 2


def _system() -> str:
    return render("system", refusal=render("refusal"), max_sentences=MAX_SENTENCES)


def _frame(passages: str, question: str) -> str:
    return render("answer", passages=passages, question=question, refusal=render("refusal"), max_sentences=MAX_SENTENCES)


def _attr(value: str) -> str:
    return value.replace('"', "'").replace("<", "‹").replace(">", "›")
