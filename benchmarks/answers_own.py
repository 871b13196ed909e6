"""Answers on question sets nothing was fitted on: our own set over RealTime QA articles that no
RealTime QA question is about (benchmarks/data/own_rtqa_questions.jsonl, frozen before any fit),
asked of the whole RealTime QA index; and the seed development sets, asked of the seeds (the
answer scorer was fitted on those: in-sample, shown beside, not a result).

    python benchmarks/answers_own.py            # needs the RealTime QA index (benchmarks/rtqa_data.py)

Per set: fact recall (answerable: share of fact groups in the answer text, hedged answers
included), source hit, citation validity, and how many answerable and unanswerable questions were
answered, hedged ("the articles do not say this directly; the closest they come: ...") and
declined. "Declined before hedging" counts a hedge as the decline it replaced (the answerer of the
previous stop declined every question the scorer did not answer).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from rtqa_data import CACHE  # noqa: E402

from rag import Index, Settings, ingest  # noqa: E402
from rag.answering.evaluation import evaluate  # noqa: E402

SETS = {
    "own (RealTime QA articles, frozen)": (ROOT / "benchmarks" / "data" / "own_rtqa_questions.jsonl", "rtqa"),
    "own set 2 (four more articles, frozen 2026-12-08)": (ROOT / "benchmarks" / "data" / "own_rtqa_questions_2.jsonl", "rtqa"),
    "seeds_qa (dev, in-sample)": (ROOT.parent / "shared" / "eval" / "seeds_qa.jsonl", "seeds"),
    "seeds_extra (dev, in-sample)": (ROOT / "benchmarks" / "data" / "seeds_extra.jsonl", "seeds"),
}


def figures(report) -> dict:
    answerable = [r for r in report.results if r.answerable]
    unanswerable = [r for r in report.results if not r.answerable]
    o = report.outcomes
    n_a, n_u = max(1, len(answerable)), max(1, len(unanswerable))
    return {
        "questions": report.questions,
        "facts": round(report.fact_recall, 3),
        "source_hit": round(report.source_hit, 3),
        "citation_validity": round(report.citation_validity, 3),
        "answerable": o["answerable"],
        "unanswerable": o["unanswerable"],
        "answerable_declined": round(report.answerable_declined, 3),
        "answerable_declined_before_hedging": round((o["answerable"]["declined"] + o["answerable"]["hedged"]) / n_a, 3),
        "unanswerable_declined_or_hedged": round((o["unanswerable"]["declined"] + o["unanswerable"]["hedged"]) / n_u, 3),
        "unanswerable_answered": round(o["unanswerable"]["answered"] / n_u, 3),
        "median_words_answerable": statistics.median([len(r.answer.split()) for r in answerable]) if answerable else 0,
        "latency_p50_ms": round(report.latency_p50 * 1000),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "answers_own.json")
    args = parser.parse_args()
    rtqa = Index(Settings(data_dir=CACHE / "rtqa-index-dated", backend="extractive"))
    if rtqa.count() == 0:
        sys.exit("build the RealTime QA index first: python benchmarks/rtqa_data.py")
    with tempfile.TemporaryDirectory() as tmp:
        seeds = Index(Settings(data_dir=Path(tmp) / "seeds", backend="extractive"))
        ingest([ROOT / "seeds"], index=seeds)
        report = {}
        for name, (path, which) in SETS.items():
            result = evaluate(path, index=rtqa if which == "rtqa" else seeds)
            report[name] = figures(result)
            report[name]["wrong"] = [
                {"id": r.id, "status": r.status, "missing": r.missing, "answer": r.answer[:160]}
                for r in result.results
                if (r.answerable and r.status == "declined") or (not r.answerable and r.status == "answered") or r.missing]
            print(name, json.dumps({k: v for k, v in report[name].items() if k != "wrong"}))
    args.out.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
