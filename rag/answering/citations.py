"""Turn generated text with [n] markers into verified citations.

For each sentence the generator wrote, the [n] markers name passages; in code, never trusting
the generator, each is mapped to the sentence of that passage that supports the claim (a quoted
phrase found verbatim, the same words, or enough of them), else to the best supporting sentence
of any passage. A claim with no support is marked as such. Citations are renumbered in order
of appearance, and each is checked against the file on disk before it is returned: a number in
the text always has a Citation whose quote is the file's text at [start:end].
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from ..indexing.convert import page_of
from .evidence import Sentence, verify
from ..index.lexical import tokenize
from ..indexing.sentences import sentence_spans
from .support import Evidence
from .support import check as check_support
from ..types import Citation, Passage

MARKER = re.compile(r"\[(\d+(?:\s*[,;–-]\s*\d+)*)\]")
MARKER_RUN = re.compile(r"(?:\s*\[\d+(?:\s*[,;–-]\s*\d+)*\])+[.,;:]?")
UNSUPPORTED = "[not in the sources]"
SUPPORT = 0.5  # share of a claim's content words a cited sentence must hold
SUPPORT_ANYWHERE = 0.6  # ... when the claim cited nothing valid and any passage may support it
SEMANTIC_SUPPORT = 0.75  # cosine similarity that counts as support when the words differ

# "The articles do not contain ...", "There is no information about this in the passages",
# "I don't know": a refusal speaks of the sources, or of the answerer's own knowledge.
_REFUSAL = re.compile(
    r"(?=.*\b(?:articles?|passages?|sources?|context|documents?|texts?|information|provided)\b)"
    r"(?:.*\b(?:do(?:es)?\s+not|don[’']t|doesn[’']t|did\s+not|didn[’']t|cannot|can[’']t|unable\s+to)\b"
    r"[^.]{0,60}\b(?:contain|say|mention|provide|answer|find|include|specify|state|report|address|cover|discuss)"
    r"|.*\bno\s+(?:information|mention|details?|answer|indication)\b"
    r"|.*\bnot\s+(?:mentioned|stated|specified|provided|reported|covered|addressed)\b)"
    r"|^\s*i\s+(?:do\s+not|don[’']t)\s+know\b|^\s*(?:unknown|not\s+found)\W*$",
    re.IGNORECASE | re.DOTALL,
)
_SOURCES_HEADING = re.compile(r"^\s*(?:sources?|references?|citations?)\s*:?\s*$", re.IGNORECASE)
_QUOTED = re.compile(r"[\"“]([^\"“”]{12,})[\"”]")


@dataclass
class Grounded:
    text: str
    citations: list[Citation] = field(default_factory=list)
    supported: int = 0  # sentences with at least one citation
    unsupported: int = 0  # sentences no passage supports
    refused: bool = False  # the generator said the passages do not hold the answer
    reasons: list[str] = field(default_factory=list)  # why each unsupported sentence is not supported


@dataclass
class _Claim:
    text: str
    markers: list[int]


def is_refusal(text: str) -> bool:
    return bool(_REFUSAL.search(MARKER.sub("", text)))


def split_claims(generated: str) -> list[_Claim]:
    """Sentences of the generated text with the [n] markers that follow each. Text is first cut
    after every group of markers (so a marker always ends its claim), then into sentences; a
    marker group belongs to the last sentence before it."""
    claims: list[_Claim] = []
    cursor = 0
    for m in list(MARKER_RUN.finditer(generated)) + [None]:
        segment = generated[cursor : m.start() if m else len(generated)]
        markers = [n for group in MARKER.findall(m.group()) for n in _numbers(group)] if m else []
        cursor = m.end() if m else len(generated)
        pieces = [segment[sp.start : sp.end] for sp in sentence_spans(segment)]
        pieces = [" ".join(MARKER.sub(" ", p).split()) for p in pieces]
        pieces = [re.sub(r"\s+([.,;:!?])", r"\1", p) for p in pieces if re.search(r"\w", p)]
        if not pieces:
            if claims and markers:
                claims[-1].markers.extend(markers)
            continue
        for i, piece in enumerate(pieces):
            if _SOURCES_HEADING.match(piece):
                return claims  # a list of sources the model appended: the app writes its own
            claims.append(_Claim(piece, markers if i == len(pieces) - 1 else []))
    return claims


def _numbers(group: str) -> list[int]:
    out: list[int] = []
    for part in re.split(r"\s*[,;]\s*", group):
        if re.fullmatch(r"\d+\s*[–-]\s*\d+", part):
            a, b = (int(x) for x in re.split(r"\s*[–-]\s*", part))
            out.extend(range(a, min(b, a + 20) + 1))
        elif part.strip().isdigit():
            out.append(int(part))
    return out


def _norm(text: str) -> str:
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return " ".join(text.lower().split())


class _Scorer:
    """How well a sentence of the passages supports a claim."""

    def __init__(self, sentences: Sequence[Sentence], embed=None) -> None:
        self.sentences = list(sentences)
        self.tokens = [set(t) for t in tokenize([s.text for s in self.sentences])] if self.sentences else []
        self.norm = [_norm(s.text) for s in self.sentences]
        self._embed = embed
        self._vectors: np.ndarray | None = None

    def support(self, claim: str, index: int, claim_tokens: set[str], quotes: list[str]) -> float:
        if self.norm[index] == _norm(claim) or _norm(claim) in self.norm[index]:
            return 1.0
        if quotes and any(q in self.norm[index] for q in quotes):
            return 1.0
        if not claim_tokens:
            return 0.0
        return len(claim_tokens & self.tokens[index]) / len(claim_tokens)

    def semantic(self, claim: str, indices: list[int]) -> list[float]:
        if self._embed is None or not indices:
            return [0.0] * len(indices)
        if self._vectors is None:
            self._vectors = self._embed([s.text for s in self.sentences])
        q = self._embed([claim])[0]
        return [float(self._vectors[i] @ q) for i in indices]

    def similarity(self, text: str, others: list[str]) -> list[float]:
        """Cosine similarity of `text` to each of `others` (for the support check)."""
        if self._embed is None or not others:
            return [0.0] * len(others)
        vectors = self._embed([text] + list(others))
        return [float(vectors[i] @ vectors[0]) for i in range(1, len(vectors))]

    def ranked(self, claim: str, candidates: list[int], tokens: set[str], quotes: list[str], floor: float) -> list[int]:
        """Candidates that could support the claim, best first: enough shared words, or close in meaning;
        among the best, one that holds the claim word for word before one that shares only its quotation."""
        claimed = _norm(claim)
        scored = sorted(((self.support(claim, i, tokens, quotes), claimed in self.norm[i], i) for i in candidates), reverse=True)
        out = [i for score, _, i in scored
               if score >= floor and (len(tokens & self.tokens[i]) >= min(2, len(tokens)) or score == 1.0)]
        if len(out) < _ALTERNATIVES:
            close = sorted(zip(self.semantic(claim, candidates), candidates), reverse=True)
            out += [i for value, i in close if value >= SEMANTIC_SUPPORT and i not in out]
        return out[:_ALTERNATIVES]


_ALTERNATIVES = 3  # sentences of a cited passage tried as a claim's evidence


def ground(
    generated: str,
    passages: Sequence[Passage],
    sentences: Sequence[Sentence],
    embed=None,
    idf: dict[str, float] | None = None,
    question: str = "",
    opening_checked: bool = True,
) -> Grounded:
    """Map the generator's [n] markers to verified sentence-level citations (see module doc).
    A claim is cited only where its evidence supports it (support.py): its figures, names,
    negation and attribution are there, and its words or its meaning. `opening_checked`: the
    first claim must not lean on what came before it ("He said ..."); off for the extractive
    answer, whose sentences are the articles' own, put after what they lean on when a passage
    holds it (selection.pick), else shown as they stand with their citation."""
    scorer = _Scorer(sentences, embed)
    by_passage: dict[int, list[int]] = {}
    for i, s in enumerate(sentences):
        by_passage.setdefault(s.passage, []).append(i)

    claims = split_claims(generated)
    verbatim = [any(_norm(c.text) in n for n in scorer.norm) for c in claims]  # quotes are evidence, never refusals
    refusals = [is_refusal(c.text) and not v for c, v in zip(claims, verbatim)]
    refused = bool(claims) and all(refusals)
    numbering: dict[tuple[str, int, int], int] = {}
    citations: list[Citation] = []
    rendered: list[str] = []
    reasons: list[str] = []
    supported = unsupported = 0
    said: set[str] = set()
    for claim, refusal in zip(claims, refusals):
        if refusal or _norm(claim.text) in said:
            continue  # refusals are not claims; a small model repeating itself is shown once
        said.add(_norm(claim.text))
        chosen, why = _evidence(scorer, claim, by_passage, first=opening_checked and supported == 0, idf=idf, question=question)
        numbers: list[int] = []
        for i in chosen:
            s = sentences[i]
            p = passages[s.passage - 1]
            key = (p.path, s.start, s.end)
            if key not in numbering:
                if not verify(p.path, p.encoding, s.start, s.end, s.text):
                    continue  # the file changed under us: never show an unverifiable quote
                numbering[key] = len(numbering) + 1
                citations.append(
                    Citation(numbering[key], p.source, p.title, s.text, s.start, s.end, p.chunk_id,
                             p.path, p.encoding, p.date, p.outlet, page_of(p.path, s.start))
                )
            numbers.append(numbering[key])
        if numbers:
            supported += 1
            rendered.append(claim.text + " " + "".join(f"[{n}]" for n in sorted(set(numbers))))
        else:
            unsupported += 1
            reasons.append(f"“{claim.text}”: {why or 'no passage supports it'}")
            rendered.append(f"{claim.text} {UNSUPPORTED}")
    return Grounded(" ".join(rendered), citations, supported, unsupported, refused, reasons)


def _evidence(scorer: _Scorer, claim: _Claim, by_passage: dict[int, list[int]], *,
              first: bool, idf: dict[str, float] | None, question: str = "") -> tuple[list[int], str]:
    """The sentences that support a claim, and, when none do, why. Tried in turn: the best
    sentence of each passage it cites, together; each of the next best alone; two neighbouring
    sentences of one cited passage; then the best sentences of any passage."""
    tokens = set(tokenize([claim.text])[0])
    quotes = [_norm(q) for q in _QUOTED.findall(claim.text)]
    n = len(scorer.sentences)
    per_marker = [scorer.ranked(claim.text, by_passage.get(m, []), tokens, quotes, SUPPORT)
                  for m in dict.fromkeys(claim.markers)]
    per_marker = [r for r in per_marker if r]
    tries: list[list[int]] = []
    if per_marker:
        tries.append(list(dict.fromkeys(r[0] for r in per_marker)))
        tries += [[i] for r in per_marker for i in r[1:]]
        tries += [[i, i + 1] for r in per_marker for i in r
                  if i + 1 < n and scorer.sentences[i + 1].passage == scorer.sentences[i].passage]
    tries += [[i] for i in scorer.ranked(claim.text, list(range(n)), tokens, quotes, SUPPORT_ANYWHERE)]
    reason = ""
    for attempt in dict.fromkeys(tuple(t) for t in tries):
        evidence = [Evidence(scorer.sentences[i].text, scorer.sentences[i].speaker) for i in attempt]
        verdict = check_support(claim.text, evidence, first=first, idf=idf, similarity=scorer.similarity, question=question)
        if verdict:
            return list(attempt), ""
        reason = reason or verdict.reason
    return [], reason


def check(citations: Sequence[Citation], text: str) -> None:
    """The invariants, asserted before an answer leaves the app."""
    numbers = {c.n for c in citations}
    for n in (int(x) for group in MARKER.findall(text) for x in _numbers(group)):
        if n not in numbers:
            raise AssertionError(f"[{n}] in the answer has no citation")
    for c in citations:
        if not verify(c.path, c.encoding, c.start, c.end, c.quote):
            raise AssertionError(f"citation [{c.n}] does not match {c.source}[{c.start}:{c.end}]")
