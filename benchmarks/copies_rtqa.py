"""Wire copies on RealTime QA: are lightly edited copies grouped, and are different articles kept apart?

    python benchmarks/copies_rtqa.py [--sample 12]

The 945 documents are read from ../shared/bench/realtimeqa and cut into chunks exactly as
`rag ingest` does (title, dateline, body; cleaning; 200-token chunks); each article's signature is
the one ingest keeps in the manifest (MinHash of the chunks' word 5-grams, rag/index/copies.py).

- Edited copies: for every article with at least 6 sentences, one copy with its headline
  replaced, its byline swapped, and one of three light edits drawn at random (fixed seed): one
  sentence removed, one sentence of another article added, or two removed and one added. The
  share of copies grouped with their original is reported, per edit, with all 945 originals and
  all copies grouped together (as an archive would hold them).
- Wrong groups: pairs of the 945 originals that are grouped. Every such pair is printed with
  both headlines and openings (a sample of `--sample` when there are more) so that a reader can
  judge whether it is a copy; the count is reported.
Nothing here was tuned: COPY_SIMILARITY (0.5) and the 5-gram shingles were set before this ran.
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

from rag.config import Settings  # noqa: E402
from rag.index.copies import group, signature  # noqa: E402
from rag.indexing.chunking import chunk_document  # noqa: E402
from rag.indexing.documents import parse  # noqa: E402
from rag.indexing.sentences import document_sentences  # noqa: E402

BENCH = ROOT.parent / "shared" / "bench" / "realtimeqa"
EDITS = ("one sentence removed", "one sentence added", "two removed, one added")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z“\"])")


def article_text(title: str, published: str, byline: str, paragraphs: list[str]) -> str:
    head = [title, f"By {byline}" if byline else "", f"Published: {published}"]
    return "\n\n".join([h for h in head if h] + paragraphs) + "\n"


def body_of(text: str, settings: Settings) -> str:
    """What ingest signs: the article's chunks, one after another."""
    doc = parse(text)
    chunks = chunk_document(doc, settings.chunk_tokens, settings.chunk_overlap, settings.encoding, document_sentences(doc))
    return "\n".join(c.text for c in chunks)


def sentences_of(paragraphs: list[str]) -> list[tuple[int, str]]:
    return [(i, s) for i, p in enumerate(paragraphs) for s in _SENTENCE.split(p) if s.strip()]


def edited(doc: dict, other: dict, rng: random.Random, edit: str) -> str:
    paragraphs = [p for p in doc["body"].split("\n\n") if p.strip()]
    sents = sentences_of(paragraphs)
    foreign = [s for _, s in sentences_of([p for p in other["body"].split("\n\n") if p.strip()]) if len(s.split()) > 6]
    removed = {rng.randrange(len(sents))} if edit != "one sentence added" else set()
    if edit == "two removed, one added":
        removed.add(rng.randrange(len(sents)))
    kept: dict[int, list[str]] = {}
    for n, (i, s) in enumerate(sents):
        if n not in removed:
            kept.setdefault(i, []).append(s)
    out = [" ".join(kept[i]) for i in sorted(kept)]
    if edit != "one sentence removed" and foreign:
        out.insert(rng.randrange(len(out) + 1), rng.choice(foreign))
    headline = "Update: " + " ".join(reversed(doc["title"].split()))  # another headline, same words at most
    return article_text(headline, doc["published_at"].replace("/", "-"), "Staff and wire reports", out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sample", type=int, default=12, help="wrongly grouped pairs printed at most")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "copies_rtqa.json")
    args = parser.parse_args()
    settings = Settings()
    docs = [json.loads(line) for line in open(BENCH / "corpus.jsonl", encoding="utf-8")]
    rng = random.Random(15)
    signatures, kinds = {}, {}
    for d in docs:
        text = article_text(d["title"], d["published_at"].replace("/", "-"), "", [p for p in d["body"].split("\n\n") if p.strip()])
        signatures[d["id"]] = signature(body_of(text, settings))
    copies = {}
    for d in docs:
        if len(sentences_of(d["body"].split("\n\n"))) < 6:
            continue
        edit = rng.choice(EDITS)
        other = docs[rng.randrange(len(docs))]
        key = f"copy:{d['id']}"
        copies[key] = d["id"]
        kinds[key] = edit
        signatures[key] = signature(body_of(edited(d, other, rng, edit), settings))
    heads = group(signatures)
    grouped = {k: heads[k] == heads[orig] for k, orig in copies.items()}
    by_edit = {e: [grouped[k] for k in copies if kinds[k] == e] for e in EDITS}

    originals = [d["id"] for d in docs]
    members: dict[str, list[str]] = {}
    for k in originals:
        members.setdefault(heads[k], []).append(k)
    pairs = [(g[0], other) for g in members.values() if len(g) > 1 for other in g[1:]]
    in_pairs = {k for p in pairs for k in p}
    by_id = {d["id"]: d for d in docs}
    identical = [(a, b) for a, b in pairs if signatures[a].jaccard(signatures[b]) >= 0.9]  # the same text twice
    result = {
        "documents": len(docs),
        "edited_copies": len(copies),
        "copies_grouped_with_their_original": round(sum(grouped.values()) / len(grouped), 4),
        "by_edit": {e: {"copies": len(v), "grouped": round(sum(v) / len(v), 4) if v else None} for e, v in by_edit.items()},
        "originals_grouped_with_another_original": len(in_pairs),
        "share_of_originals_grouped": round(len(in_pairs) / len(docs), 4),
        "grouped_pairs": len(pairs),
        "pairs_of_near_identical_text": len(identical),  # estimated Jaccard >= 0.9: one text under two headlines
        "pairs": [{"a": by_id[a]["title"], "b": by_id[b]["title"], "a_kind": by_id[a]["kind"], "b_kind": by_id[b]["kind"],
                   "jaccard": round(signatures[a].jaccard(signatures[b]), 3),
                   "a_opening": by_id[a]["body"][:160], "b_opening": by_id[b]["body"][:160]} for a, b in pairs],
    }
    for p in sorted(result["pairs"], key=lambda p: p["jaccard"])[: args.sample]:  # the least alike first
        print(f"- {p['a']!r} ({p['a_kind']})\n  {p['b']!r} ({p['b_kind']}), Jaccard {p['jaccard']}\n"
              f"    {p['a_opening']!r}\n    {p['b_opening']!r}")
    summary = {k: v for k, v in result.items() if k != "pairs"}
    print(json.dumps(summary, indent=2))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
