"""Grounding: does the support check refuse false claims and keep true ones, on sentences it was
not written for?

    python benchmarks/grounding.py            # RealTime QA documents, two folds by document id

Claims are built from sentences of RealTime QA documents (read from ../shared/bench, never
copied into the project), each checked against the sentence it came from:
- false: a figure changed, a name swapped for one from another document, the negation flipped,
  a clause of another document stitched on, a different sentence of the same article that shares
  words, the speaker of an attributed sentence dropped, a quotation stated as fact when the
  speaker index has no name for who said it ("“...,” the company said");
- true: the sentence without its opening phrase, its first clause (of a sentence that quotes no
  one), its speaker moved to
  "According to X, ...".
Reported per kind and fold: the share judged correctly, for the support check (rag/support.py)
and for the old rule it replaced (half the claim's words in the sentence, or embedding
similarity of 0.75). The check's rules and constants were written on the seed articles only
(tests/test_grounding.py): both folds here are held out.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rag.indexing.documents import parse  # noqa: E402
from rag.index.embeddings import embed_cached  # noqa: E402
from rag.index.lexical import tokenize  # noqa: E402
from rag.indexing.quotes import statements  # noqa: E402
from rag.indexing.sentences import document_sentences  # noqa: E402
from rag.answering.support import Evidence, check  # noqa: E402

BENCH = ROOT.parent / "shared" / "bench" / "realtimeqa"
_NAME = re.compile(r"(?<=\s)[A-Z][a-z]{2,}(?:\s[A-Z][a-z]{2,})?")
_NUM = re.compile(r"\b\d+(?:[.,]\d+)?\b")
_AUX = re.compile(r"\b(is|was|are|were|has|have|had|will|would|can|could)\b")
_OPENING = re.compile(r"^(?:On|In|At|By|After|Before|During|Since|Last|This|Earlier|Later)\b[^,]{2,40},\s+")
_CLAUSE = re.compile(r",\s+(?:which|who|while|and|but|as|after|before|according)\b")
_QUOTED_SAID = re.compile(r"^[\"“](?P<body>[^\"“”]{30,}?)[,.]?[\"”],?\s+(?:[\w.'’ -]{2,60}?\s+)?(?:said|says|told|added)\b")
_SAID_END = re.compile(r"^(?P<body>.{30,}?),?\s+(?P<who>[A-Z][\w.'’ -]{2,40}?)\s+(?:said|says|told\s+\w+)\.?$")


def fold_of(doc_id: str) -> str:
    return "fold A" if int(hashlib.sha1(doc_id.encode()).hexdigest(), 16) % 2 == 0 else "fold B"


def documents(limit: int):
    with open(BENCH / "corpus.jsonl", encoding="utf-8") as handle:
        for i, line in enumerate(handle):
            if i >= limit:
                return
            doc = json.loads(line)
            yield doc["id"], f"{doc['title']}\n\n{doc['body']}"


def sentences_of(text: str):
    doc = parse(text, fallback_title="")
    spans = [s for block in document_sentences(doc) for s in block]
    said = {(st.start, st.end): st.speaker for st in statements(doc.text, spans)}
    out = []
    for span in spans:
        sentence = doc.text[span.start : span.end]
        if 60 <= len(sentence) <= 300 and sentence.endswith((".", '"', "”")):
            out.append((sentence, said.get((span.start, span.end))))
    return out


def claims_for(sentence: str, speaker: str | None, same_doc: list[str], other: list[str], names: list[str], rng):
    """(kind, claim, should_be_supported) built from one sentence."""
    out = []
    numbers = _NUM.findall(sentence)
    if numbers:
        n = rng.choice(numbers)
        changed = str(int(float(n.replace(",", ""))) + rng.choice([1, 2, 3, 10])) if n.replace(",", "").replace(".", "").isdigit() else None
        if changed and changed != n:
            out.append(("false: figure changed", re.sub(rf"\b{re.escape(n)}\b", changed, sentence, count=1), False))
    inner = [m for m in _NAME.findall(sentence) if m.split()[0] not in ("The", "But", "And", "This", "That")]
    if inner and names:
        name = rng.choice(inner)
        swap = rng.choice([x for x in names if x not in sentence] or names)
        out.append(("false: name swapped", sentence.replace(name, swap, 1), False))
    if " not " in sentence:
        out.append(("false: negation removed", sentence.replace(" not ", " ", 1), False))
    elif _AUX.search(sentence):
        out.append(("false: negation added", _AUX.sub(lambda m: m.group() + " not", sentence, count=1), False))
    head = _CLAUSE.split(sentence)[0].rstrip(" ,.")
    if other:
        tail = rng.choice([o for o in other if len(tokenize([_CLAUSE.split(o)[0]])[0]) >= 3] or other)
        tail_clause = _CLAUSE.split(tail)[0].rstrip(" ,.")
        tail_clause = tail_clause[0].lower() + tail_clause[1:] if tail_clause[:2].istitle() and not _NAME.match(" " + tail_clause) else tail_clause
        out.append(("false: stitched from another article", f"{head}, and {tail_clause}.", False))
    neighbours = [s for s in same_doc if s != sentence and _overlap(s, sentence) >= 0.3]
    if neighbours:
        out.append(("false: another sentence sharing words", rng.choice(neighbours), False))
    said = _SAID_END.match(sentence)
    if speaker and said and not re.match(r"(?:But|And|Or|So|Yet)\b", said.group("body")):
        body = said.group("body").strip(" ,")
        out.append(("false: speaker dropped", body.strip("\"“” ") + ".", False))
        out.append(("true: speaker moved", f"According to {said.group('who')}, {body[0].lower() + body[1:]}.", True))
    quoted = _QUOTED_SAID.match(sentence)
    if not speaker and quoted:  # someone the speaker index has no name for ("..., the company said")
        out.append(("false: quotation stated as fact", quoted.group("body") + ".", False))
    opening = _OPENING.match(sentence)
    if opening:
        rest = sentence[opening.end():]
        out.append(("true: opening phrase dropped", rest[0].upper() + rest[1:], True))
    if head != sentence.rstrip(" .") and len(head.split()) >= 6 and not speaker and not re.search(r"[\"“”]", sentence):
        out.append(("true: first clause", head + ".", True))  # (not of a sentence quoting someone: that is their statement)
    return out


def _overlap(a: str, b: str) -> float:
    ta, tb = set(tokenize([a])[0]), set(tokenize([b])[0])
    return len(ta & tb) / max(1, min(len(ta), len(tb)))


def old_rule(claim: str, evidence: str) -> bool:
    """What grounding accepted before: half the claim's words in the sentence (two at least),
    or embedding similarity of 0.75."""
    words = set(tokenize([claim])[0])
    have = set(tokenize([evidence])[0])
    if words and len(words & have) / len(words) >= 0.5 and len(words & have) >= min(2, len(words)):
        return True
    vectors = embed_cached([claim, evidence])
    return float(vectors[0] @ vectors[1]) >= 0.75


def similarity(text: str, others: list[str]) -> list[float]:
    vectors = embed_cached([text] + others)
    return [float(vectors[i] @ vectors[0]) for i in range(1, len(vectors))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=945)
    parser.add_argument("--per-doc", type=int, default=2, help="sentences sampled per document")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "grounding.json")
    args = parser.parse_args()
    rng = random.Random(7)

    docs = [(doc_id, sentences_of(text)) for doc_id, text in documents(args.docs)]
    docs = [(d, s) for d, s in docs if s]
    names = sorted({m for _, sents in docs for s, _ in sents for m in _NAME.findall(s)})
    idf = _idf([s for _, sents in docs for s, _ in sents])
    results: dict[tuple[str, str], list[tuple[bool, bool]]] = defaultdict(list)
    for doc_id, sents in docs:
        fold = fold_of(doc_id)
        others = [s for d, ss in rng.sample(docs, 3) if d != doc_id for s, _ in ss[:2]]
        for sentence, speaker in rng.sample(sents, min(args.per_doc, len(sents))):
            for kind, claim, truth in claims_for(sentence, speaker, [s for s, _ in sents], others, names, rng):
                new = bool(check(claim, [Evidence(sentence, speaker)], idf=idf, similarity=similarity))
                results[(fold, kind)].append((new == truth, old_rule(claim, sentence) == truth))
    report = _report(results)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"{'kind':42} {'fold':7} {'n':>5} {'check':>7} {'old rule':>9}")
    for row in report["rows"]:
        print(f"{row['kind']:42} {row['fold']:7} {row['n']:5d} {row['check']:7.3f} {row['old_rule']:9.3f}")


def _idf(sentences: list[str]) -> dict[str, float]:
    import math

    df: dict[str, int] = defaultdict(int)
    for tokens in tokenize(sentences):
        for t in set(tokens):
            df[t] += 1
    n = len(sentences)
    return {t: math.log(1 + (n - d + 0.5) / (d + 0.5)) for t, d in df.items()}


def _report(results) -> dict:
    rows = []
    for (fold, kind), judged in sorted(results.items(), key=lambda x: (x[0][1], x[0][0])):
        rows.append({"kind": kind, "fold": fold, "n": len(judged),
                     "check": sum(a for a, _ in judged) / len(judged), "old_rule": sum(b for _, b in judged) / len(judged)})
    for fold in ("fold A", "fold B"):
        for label, prefix in (("all false claims refused", "false"), ("all true claims kept", "true")):
            judged = [j for (f, k), js in results.items() if f == fold and k.startswith(prefix) for j in js]
            if judged:
                rows.append({"kind": label, "fold": fold, "n": len(judged), "check": sum(a for a, _ in judged) / len(judged),
                             "old_rule": sum(b for _, b in judged) / len(judged)})
    return {"rows": rows}


if __name__ == "__main__":
    main()
