"""The short answer put before the best sentence: by the parser's entities of the asked kind, or
by the regular expressions of the asked form (what an index read before the parser gets).

    python benchmarks/answer_spans.py      # the RealTime QA and RGB indexes of answers_rtqa.py / answers_rgb.py

For every question the extractive answerer answers, its best sentence is taken as the answer
opens with it, and each span finder is asked for the short answer inside it. Counted: how often
a span is given, how often it holds the gold answer, and how often it is given and does not
(the harm: a wrong name or date shown first), and given and wrong although the sentence holds
the answer (the finder's own error, not the sentence's). Dev: the seed sets, RealTime QA dev, RGB's dev
half (answerable); held-out: the frozen own set, RealTime QA holdout, RGB's held-out half.
Nothing is fitted here; the finder used was chosen on the dev rows.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from answers_rgb import golds, half, queries  # noqa: E402
from rtqa_data import BENCH, CACHE, answer_variants, normalise  # noqa: E402

from rag import Index, Settings  # noqa: E402
from rag.answering.evaluation import load_questions  # noqa: E402
from rag.answering.pipeline import with_speaker_passages  # noqa: E402
from rag.answering.question import analyse  # noqa: E402
from rag.answering.retrieve import check_when, retrieve  # noqa: E402
from rag.answering.selection import gather_evidence  # noqa: E402
from rag.answering.spans import by_form, by_kind  # noqa: E402

SEEDS = [ROOT.parent / "shared" / "eval" / "seeds_qa.jsonl", ROOT / "benchmarks" / "data" / "seeds_extra.jsonl"]
OWN = ROOT / "benchmarks" / "data" / "own_rtqa_questions.jsonl"


def items() -> dict[str, list[tuple[str, str, list[str], str | None]]]:
    """set -> [(index dir, question, gold variants, as-of date)]; answerable questions only."""
    out: dict[str, list] = {}
    seeds = [q for path in SEEDS for q in load_questions(path) if q.get("answerable", True)]
    out["dev: seed sets"] = [("seeds-index", q["question"], [a for g in q["must_include"] for a in g], None) for q in seeds]
    rtqa = [json.loads(line) for line in open(BENCH / "queries.jsonl", encoding="utf-8")]
    for split, name in (("dev", "dev: RealTime QA dev"), ("holdout", "held-out: RealTime QA holdout")):
        out[name] = [("rtqa-index-dated", q["question"], answer_variants(q["answer"]), q["question_date"].replace("/", "-")[:10])
                     for q in rtqa if q["split"] == split and q["type"] == "answerable"]
    for which in ("dev", "held-out"):
        out[f"{which}: RGB {which} half"] = [("rgb-corpus_main-index", q["question"], golds(q), None) for q in queries()
                                             if q["type"] == "answerable" and half(q["id"]) == which]
    own = [q for q in load_questions(OWN) if q.get("answerable", True)]
    out["held-out: own set"] = [("rtqa-index-dated", q["question"], [a for g in q["must_include"] for a in g], None) for q in own]
    return out


def holds(span: str, gold: list[str]) -> bool:
    s = normalise(span)
    return bool(s) and any((g := normalise(x)) and (g in s or (len(s) >= 3 and s in g)) for x in gold)


def main() -> None:
    indexes: dict[str, Index] = {}
    report = {}
    for name, rows in items().items():
        counts = {"answered": 0, "sentence_holds_gold": 0}
        counts |= {f"{f}_{k}": 0 for f in ("kind", "form") for k in ("given", "right", "wrong", "wrong_in_right_sentence")}
        examples = []
        for data, question, gold, as_of in rows:
            index = indexes.setdefault(data, Index(Settings(data_dir=CACHE / data, backend="extractive")))
            q = analyse(question)
            found = retrieve(index, question, index.settings.top_k, when=check_when(as_of, None, None))
            passages = with_speaker_passages(index, q, found.passages, index.settings.top_k, None)
            evidence = gather_evidence(q, passages, index.idf())
            if not evidence.answers or q.speech:
                continue
            text, numbers = evidence.picked[0]
            sentence = next(s for s in evidence.sentences if s.text == text and s.passage in numbers)
            counts["answered"] += 1
            counts["sentence_holds_gold"] += holds(text, gold)
            for finder, span in (("kind", by_kind(q, sentence)), ("form", by_form(q, text))):
                if span is None:
                    continue
                short = text[span[0]:span[1]]
                right = holds(short, gold)
                counts[f"{finder}_given"] += 1
                counts[f"{finder}_right" if right else f"{finder}_wrong"] += 1
                counts[f"{finder}_wrong_in_right_sentence"] += not right and holds(text, gold)  # the sentence answers, the span does not
                if not right and len(examples) < 30:
                    examples.append({"finder": finder, "question": question, "span": short, "gold": gold[:2],
                                     "sentence_holds_gold": holds(text, gold), "sentence": text[:200]})
        report[name] = counts | {"wrong_examples": examples}
        print(name, json.dumps(counts))
    out = ROOT / "benchmarks" / "results" / "answer_spans.json"
    out.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
