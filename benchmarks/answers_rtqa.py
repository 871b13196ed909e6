"""Answer-level figures on RealTime QA: does `rag.answering.pipeline` (extractive) contain the right answer,
and does it abstain on the 40 questions no document answers?

    python benchmarks/answers_rtqa.py        # uses the index built by retrieval_rtqa.py

Each question is asked as of its `question_date` (with --undated: with no date, as a user who
just asks). Answer hit: the answer text contains the gold
answer (either part of "A — B"), compared lower-cased without punctuation, and the answer did
not abstain; first-claim hit: the same for the answer's first cited claim only (what a reader
sees first). Abstention accuracy is over
unanswerable questions (abstained) and answerable ones (not abstained). Citation validity is
checked for every citation. Tune on dev only; holdout is reported. The dev split is in the answer
scorer's training pool (benchmarks/train_answerer.py, which reports it on held-out folds): its
figures here are in-sample, not a result.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from rtqa_data import BENCH, CACHE, answer_variants, normalise, prepare, short_answer, short_holds  # noqa: E402

from rag import Settings, answer  # noqa: E402
from rag.answering.evidence import verify  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, help="default: benchmarks/results/answers_rtqa[_<backend>].json")
    parser.add_argument("--backend", default="extractive", help="extractive, local or openai (as configured)")
    parser.add_argument("--local-model", help="RAG_LOCAL_MODEL for --backend local: a packaged model's name or a .gguf path")
    parser.add_argument("--splits", default="dev,holdout", help="which splits to ask (a model on a CPU: a sample of dev)")
    parser.add_argument("--limit", type=int, help="questions per split: an evenly spaced sample (answerable and unanswerable)")
    parser.add_argument("--undated", action="store_true", help="ask with no date, as a user who just asks")
    args = parser.parse_args()
    settings = Settings(data_dir=CACHE / "rtqa-index-dated", backend=args.backend, local_model=args.local_model)
    args.out = args.out or ROOT / "benchmarks" / "results" / (
        ("answers_rtqa" if args.backend == "extractive" else f"answers_rtqa_{args.backend}")
        + ("_undated" if args.undated else "") + ".json")
    splits = args.splits.split(",")
    prepare(settings)
    queries = [json.loads(line) for line in open(BENCH / "queries.jsonl", encoding="utf-8")]
    stats = {s: {"answerable": 0, "hit": 0, "abstained_wrongly": 0, "unanswerable": 0, "abstained_rightly": 0,
                 "first_hit": 0, "citations": 0, "valid": 0, "seconds": 0.0, "words": [],
                 "shorts": 0, "shorts_right": 0, "shorts_unanswerable": 0,
                 "outcomes": {kind: {st: 0 for st in ("answered", "hedged", "declined")} for kind in ("answerable", "unanswerable")}}
             for s in splits}
    chosen = []
    for split in splits:
        mine = [q for q in queries if q["split"] == split]
        chosen += mine[:: max(1, len(mine) // args.limit)][: args.limit] if args.limit else mine
    for q in chosen:
        s = stats[q["split"]]
        t0 = time.perf_counter()
        as_of = None if args.undated else q["question_date"].replace("/", "-")[:10]
        a = answer(q["question"], settings=settings, as_of=as_of)
        s["seconds"] += time.perf_counter() - t0
        s["citations"] += len(a.citations)
        s["valid"] += sum(verify(c.path, c.encoding, c.start, c.end, c.quote) for c in a.citations)
        s["outcomes"]["answerable" if q["type"] == "answerable" else "unanswerable"][a.status] += 1
        if q["type"] == "answerable":
            s["answerable"] += 1
            if a.abstained:
                s["abstained_wrongly"] += 1
            else:
                s["words"].append(len(a.text.split()))
                variants = answer_variants(q["answer"])
                s["hit"] += any(v in normalise(a.text) for v in variants)
                s["first_hit"] += any(v in normalise(first_claim(a.text)) for v in variants)
                if (short := short_answer(a)) is not None:  # the line put first as the answer
                    s["shorts"] += 1
                    s["shorts_right"] += short_holds(short, variants)
        else:
            s["unanswerable"] += 1
            s["abstained_rightly"] += int(a.abstained)  # declined (a hedge is counted in "outcomes")
            s["shorts_unanswerable"] += short_answer(a) is not None
    report = {}
    for split, s in stats.items():
        n = s["answerable"] + s["unanswerable"]
        report[split] = {
            "answer_hit": round(s["hit"] / s["answerable"], 3),
            "first_claim_hit": round(s["first_hit"] / s["answerable"], 3),
            "median_words": sorted(s["words"])[len(s["words"]) // 2] if s["words"] else 0,
            "answered": round(1 - s["abstained_wrongly"] / s["answerable"], 3),
            "abstained_on_unanswerable": round(s["abstained_rightly"] / s["unanswerable"], 3) if s["unanswerable"] else None,
            "questions": n,
            "abstention_accuracy": round((s["answerable"] - s["abstained_wrongly"] + s["abstained_rightly"]) / n, 3),
            "citation_validity": round(s["valid"] / s["citations"], 3) if s["citations"] else 1.0,
            "ms_per_question": round(1000 * s["seconds"] / n, 1),
            "outcomes": s["outcomes"],  # answered / hedged / declined (answer_hit counts answered and hedged texts)
            # a short answer put first: how many answerable questions lead with one, the share of
            # those holding the answer, and how many unanswerable questions lead with one
            "short_answers": {"answerable": s["shorts"], "holding_the_answer": round(s["shorts_right"] / s["shorts"], 3) if s["shorts"] else None,
                              "unanswerable": s["shorts_unanswerable"]},
        }
        print(args.backend, "dev (in-sample: the scorer was fitted on it)" if split == "dev" else split, report[split])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")


def first_claim(text: str) -> str:
    """The answer up to its first citation markers ("... [1][2]")."""
    found = re.match(r"(?s).*?\[\d+\](?:\s*\[\d+\])*", text)
    return found.group() if found else text


if __name__ == "__main__":
    main()
