"""Answer-level figures on RGB (en_fact): answerable accuracy, negative rejection, counterfactuals.

    python benchmarks/answers_rgb.py       # ingests the snippets once (~3 min), then answers

RGB's questions come in three forms sharing one question number: answerable (its snippets hold
the answer), negative_rejection (its snippets are on the topic but do not hold it: the right
reply declines) and counterfactual (the snippets assert a planted wrong answer). The questions
are split in two halves by question number with a fixed hash (`half()`), so that no question
is on both sides: "dev" may be used to fit or tune anything (the answer scorer is fitted on its
answerable and negative questions: those figures are in-sample); "held-out" is only reported.

Each corpus file (../shared/bench/rgb, never copied into the project) is ingested into its own
index under $NEWSRAG_BENCH_DIR, one .txt file per snippet. Answer accuracy: the answer text holds
the gold answer or one of its aliases (lower-cased, punctuation removed) and answered (neither
hedged nor declined); negative rejection: declined. Hedged answers ("the articles do not say this
directly; the closest they come: ...") are counted on their own beside both. A negative question
answered with at least half of the words of its answerable form's answer (those the question does
not hold) is counted too: RGB's negatives were filtered by the exact answer string, and some state
it in other words, so a reader that answers them is right (`negative_answered_with_the_answer`).

Two ways to ask. By default every question is asked of its form's whole corpus (all questions'
snippets in one index, as a user's archive would be): then some negative questions are answered
by another question's snippets ("Super Bowl 2021 location": a snippet of another question says
Tampa), so declining them is not right for a user. With --own-snippets each question reads only
its own snippets (`sources=` them), as RGB's protocol gives them to a reader.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from rtqa_data import CACHE, normalise, short_answer, short_holds  # noqa: E402

from rag import Index, Settings, answer, ingest  # noqa: E402
from rag.answering.evidence import verify  # noqa: E402

RGB = ROOT.parent / "shared" / "bench" / "rgb"
CORPORA = {"answerable": "corpus_main", "negative_rejection": "corpus_negonly", "counterfactual": "corpus_counterfactual"}


def half(qid: str) -> str:
    """'dev' or 'held-out' for an RGB question id (rgbf-<n>-<form>), by its number, fixed."""
    return "dev" if hashlib.sha1(f"rgb-split-{_number(qid)}".encode()).digest()[0] % 2 == 0 else "held-out"


def queries() -> list[dict]:
    return [json.loads(line) for line in open(RGB / "queries.jsonl", encoding="utf-8")]


def index_for(corpus: str) -> Index:
    """The index of one corpus file, built on first use."""
    settings = Settings(data_dir=CACHE / f"rgb-{corpus}-index", backend="extractive")
    index = Index(settings)
    if index.count() == 0:
        docs = CACHE / f"rgb-{corpus}-docs"
        if not docs.exists():
            tmp = docs.with_suffix(".tmp")
            tmp.mkdir(parents=True, exist_ok=True)
            for line in open(RGB / f"{corpus}.jsonl", encoding="utf-8"):
                doc = json.loads(line)
                (tmp / f"{doc['id']}.txt").write_text(doc["body"].strip() + "\n", encoding="utf-8")
            tmp.rename(docs)
        t0 = time.perf_counter()
        ingest([docs], settings=settings)
        print(f"ingested {corpus} in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
        index = Index(settings)
    return index


def golds(q: dict) -> list[str]:
    return [g for g in {normalise(a) for a in [q["answer"], *q.get("answer_aliases", [])]} if g]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, help="default: benchmarks/results/answers_rgb[_own_snippets].json")
    parser.add_argument("--own-snippets", action="store_true", help="each question reads only its own snippets")
    args = parser.parse_args()
    out = args.out or ROOT / "benchmarks" / "results" / f"answers_rgb{'_own_snippets' if args.own_snippets else ''}.json"
    indexes = {form: index_for(corpus) for form, corpus in CORPORA.items()}
    snippets = {form: _snippets(corpus) for form, corpus in CORPORA.items()} if args.own_snippets else {}
    rows: dict[str, dict[str, list]] = {"dev": {}, "held-out": {}}
    asked = queries()
    twins = {_number(q["id"]): q for q in asked if q["type"] == "answerable"}
    for q in asked:
        own = snippets[q["type"]].get(_number(q["id"])) if args.own_snippets else None
        t0 = time.perf_counter()
        a = answer(q["question"], index=indexes[q["type"]], sources=own)
        seconds = time.perf_counter() - t0
        text = normalise(a.text)
        valid = all(verify(c.path, c.encoding, c.start, c.end, c.quote) for c in a.citations)
        found = any(g in text for g in golds(q))
        if q["type"] == "negative_rejection":
            outcome = a.status == "declined"
            found = _says_twin_answer(q["question"], twins.get(_number(q["id"])), text)
        elif q["type"] == "answerable":
            outcome = a.status == "answered" and found
        else:  # counterfactual: repeats the planted answer
            fake = normalise(q.get("fake_answer") or "")
            outcome = bool(fake) and a.status == "answered" and fake in text
        short = short_answer(a)
        short_right = short is not None and short_holds(short, golds(q))
        rows[half(q["id"])].setdefault(q["type"], []).append(
            (outcome, valid, seconds, len(a.text.split()), a.status, found, short is not None, short_right))
    report = {}
    for split, by_form in rows.items():
        answerable, negative = by_form["answerable"], by_form["negative_rejection"]
        report[split] = {
            "answerable_accuracy": _share(answerable),  # answered, and the answer holds the gold
            "answerable_found_answered_or_hedged": _share([(r[4] != "declined" and r[5],) for r in answerable]),
            "answerable_declined": _share([(r[4] == "declined",) for r in answerable]),
            "negative_rejection": _share(negative),  # declined
            "negative_declined_or_hedged": _share([(r[4] != "answered",) for r in negative]),
            # answered, with most of the words of the answer to the same question in its answerable
            # form: RGB's filter kept a snippet that states it in other words ("$6 billion" for
            # "$6.04 billion", "premieres Sunday, November 17"): declining those would be wrong
            "negative_answered_with_the_answer": _share([(r[4] == "answered" and r[5],) for r in negative]),
            "counterfactual_repeats_planted_answer": _share(by_form["counterfactual"]),
            "outcomes": {form: {st: sum(r[4] == st for r in rs) for st in ("answered", "hedged", "declined")}
                         for form, rs in by_form.items()},
            "questions": {form: len(r) for form, r in by_form.items()},
            "citation_validity": _share([(r[1],) for rs in by_form.values() for r in rs]),
            "median_words_answerable": sorted(r[3] for r in answerable)[len(answerable) // 2],
            # a short answer put first: answerable questions leading with one, the share of those
            # holding the gold, and negatives leading with one
            "short_answers": {"answerable": sum(r[6] for r in answerable),
                              "holding_the_gold": _share([(r[7],) for r in answerable if r[6]]),
                              "negatives": sum(r[6] for r in negative)},
        }
        print("dev (in-sample: the scorer was fitted on it)" if split == "dev" else split, report[split])
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")


def _says_twin_answer(question: str, twin: dict | None, text: str) -> bool:
    """`text` (normalised) holds at least half of the words of an answer of the question's
    answerable form that the question itself does not hold."""
    asked = set(normalise(question).split())
    words = set(text.split())
    for gold in golds(twin) if twin else []:
        own = [w for w in gold.split() if w not in asked]
        if own and sum(w in words for w in own) * 2 >= len(own):
            return True
    return False


def _number(qid: str) -> str:
    return re.match(r"rgbf-(\d+)-", qid).group(1)


def _snippets(corpus: str) -> dict[str, list[str]]:
    """The snippet files of each question number in a corpus (as index_for names them)."""
    out: dict[str, list[str]] = {}
    for line in open(RGB / f"{corpus}.jsonl", encoding="utf-8"):
        doc_id = json.loads(line)["id"]
        out.setdefault(_number(doc_id), []).append(f"{doc_id}.txt")
    return out


def _share(rows: list[tuple]) -> float:
    """Share of rows whose first item is true."""
    return round(sum(bool(r[0]) for r in rows) / len(rows), 3) if rows else 0.0


if __name__ == "__main__":
    main()
