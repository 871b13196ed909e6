"""Questions generated from sentences of RealTime QA articles, for fitting the answer scorer on more
than the development questions (benchmarks/train_answerer.py --generated).

    python benchmarks/generate_questions.py            # writes ~/.cache/newsrag-bench/generated_questions.jsonl

Only articles no RealTime QA question uses (neither an evidence nor a silver document of any
split) and none of our own frozen set's (benchmarks/data/own_rtqa_questions.jsonl) are read, so no
evaluation question's article is seen. Templates over spaCy's parse of each sentence turn a named
subject, a date or a number into what is asked, keeping only the verb and its object (the rest of
the sentence is left out, so the question shares fewer words with its sentence than a copy would):

    "Volta Motors will close its engine plant in Rivertown by 2026, the company said."
        Which organisation will close its engine plant?        (answer: Volta Motors)
        When will Volta Motors close its engine plant?         (answer: 2026)

The answer is the entity; a sentence answers when it holds it. Deterministic (sorted articles,
a seeded sample), so the same corpus gives the same file. The data stays in the cache: it is made
of the benchmark's articles, which the project never copies.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from rtqa_data import BENCH, CACHE  # noqa: E402

from rag.language import pipeline  # noqa: E402

OUT = CACHE / "generated_questions.jsonl"
OWN = ROOT / "benchmarks" / "data" / "own_rtqa_questions.jsonl"
_WHO = {"PERSON": "Who", "ORG": "Who", "GPE": "Which country", "NORP": "Which group"}
_POINT_IN_TIME = re.compile(r"\d|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|monday|tuesday|wednesday|thursday|"
                            r"friday|saturday|sunday|yesterday|today|tomorrow)", re.I)
_AMOUNT = {"CARDINAL": "How many", "MONEY": "How much", "PERCENT": "What percentage", "QUANTITY": "How much"}


def usable_articles() -> list[dict]:
    used: set[str] = set()
    for line in open(BENCH / "queries.jsonl", encoding="utf-8"):
        q = json.loads(line)
        used.update(q.get("evidence_doc_ids", []))
        used.update(q.get("silver_doc_ids", []))
    for line in open(OWN, encoding="utf-8"):
        used.update(Path(s).stem for s in json.loads(line).get("gold_sources", []))
    docs = [json.loads(line) for line in open(BENCH / "corpus.jsonl", encoding="utf-8")]
    return sorted((d for d in docs if d["id"] not in used), key=lambda d: d["id"])


def _span(tokens, lower_first: bool = False) -> str:
    """Tokens as written (their own spacing), without a trailing comma or conjunction."""
    tokens = list(tokens)
    while tokens and (tokens[-1].is_punct or tokens[-1].dep_ == "cc"):
        tokens = tokens[:-1]
    text = "".join(t.text_with_ws for t in tokens).strip()
    if lower_first and tokens and tokens[0].pos_ != "PROPN" and not tokens[0].text.isupper():
        text = text[:1].lower() + text[1:]
    return text


def _object(root):
    """The verb's object, as tokens."""
    for child in root.children:
        if child.dep_ in {"dobj", "attr", "oprd"}:
            return list(child.subtree)
    return []


def from_sentence(sent) -> list[dict]:
    """Questions one parsed sentence answers: who did it, when, how many."""
    root = sent.root
    if root.pos_ != "VERB" or not 8 <= len(sent) <= 45 or root.lemma_ in {"say", "tell"} or "\n" in sent.text:
        return []
    subject = next((c for c in root.children if c.dep_ == "nsubj"), None)
    obj = _object(root)
    if subject is None or not 2 <= len(obj) <= 12:
        return []
    pronoun = subject.pos_ == "PRON"  # "When did he leave?": about whom, the question cannot say
    aux = [c for c in root.children if c.dep_ in {"aux", "neg"} and c.i < root.i]
    particle = [c for c in root.children if c.dep_ == "prt"]
    verb_phrase = _span(sorted(aux + [root] + particle, key=lambda t: t.i))
    subject_tokens = list(subject.subtree)
    # the auxiliary a "when / how many" question opens with: the sentence's own ("will"), or "did"
    # for a past-tense verb; none for a present-tense one ("does" would need the subject's number)
    lead = aux[0].text if aux else "did" if root.tag_ == "VBD" else ""
    out = []
    for ent in sent.ents:
        asked = {"answer": ent.text, "kind": ent.label_}
        if ent.label_ in _WHO and ent.start <= subject.i < ent.end and len(subject_tokens) <= ent.end - ent.start + 2:
            out.append(asked | {"question": f"{_WHO[ent.label_]} {verb_phrase} {_span(obj)}?"})
        elif ent.label_ == "DATE" and ent.start > root.i and ent.root.head.i in {root.i} | {c.i for c in root.children}:
            if any(ent.start <= t.i < ent.end for t in obj) or len(subject_tokens) > 8 or pronoun \
                    or not _POINT_IN_TIME.search(ent.text):  # a date, not a duration ("five years")
                continue
            if lead:
                rest = _span(t for t in aux[1:] if t.dep_ == "neg")
                out.append(asked | {"question": f"When {lead} {_span(subject_tokens, True)} {rest} {root.lemma_} {_span(obj)}?".replace("  ", " ")})
        elif ent.label_ in _AMOUNT and any(ent.start <= t.i < ent.end for t in obj) and ent.root.head.pos_ == "NOUN":
            noun = ent.root.head
            if noun.i in range(ent.start, ent.end) or len(subject_tokens) > 8 or pronoun:
                continue
            if lead:
                what = noun.text if ent.label_ == "CARDINAL" else ""
                out.append(asked | {"question": f"{_AMOUNT[ent.label_]} {what} {lead} {_span(subject_tokens, True)} {root.lemma_}?".replace("  ", " ")})
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=250, help="articles sampled (seed 0)")
    parser.add_argument("--per-article", type=int, default=3)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    docs = usable_articles()
    chosen = random.Random(0).sample(docs, min(args.articles, len(docs)))
    nlp = pipeline()
    rows = []
    for doc, parsed in zip(chosen, nlp.pipe((d["body"][:20_000] for d in chosen), batch_size=8)):
        found = [q for sent in parsed.sents for q in from_sentence(sent)]
        random.Random(doc["id"]).shuffle(found)
        for q in found[: args.per_article]:
            rows.append(q | {"doc": doc["id"], "date": doc["published_at"].replace("/", "-")[:10]})
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as handle:
        for r in rows:
            handle.write(json.dumps(r, ensure_ascii=False) + "\n")
    kinds: dict[str, int] = {}
    for r in rows:
        kinds[r["kind"]] = kinds.get(r["kind"], 0) + 1
    print(f"{len(rows)} questions from {len(chosen)} of {len(docs)} usable articles: {kinds} -> {args.out}")


if __name__ == "__main__":
    main()
