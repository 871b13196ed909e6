"""Fit the answer scorer (rag/models/answer_scorer.onnx and .json) on development questions only.

    pip install -e ".[train]"                  # scikit-learn and skl2onnx, for fitting only
    python benchmarks/train_answerer.py        # builds the indexes it needs on first use

The development pool: RealTime QA dev (answerable and unanswerable), RGB's dev half (answerable
and negative rejection; benchmarks/answers_rgb.py splits it by question number) and the seed
question sets (../shared/eval/seeds_qa.jsonl, benchmarks/data/seeds_extra.jsonl). Each question
is answered as the pipeline answers it (retrieval, the speaker index, every usable sentence
described by rag/answering/answerability.FEATURES); a sentence is labelled by whether it holds
the gold answer (any alternative of any fact group, for the seed sets).

Gradient-boosted trees (scikit-learn's GradientBoostingClassifier: 200 trees of depth 3) give
P(sentence answers); the fitted model is written as ONNX. The answerer declines when the best
sentence's P is below a threshold, and adds further sentences within a share (keep ratio) of
the best's P, up to a number of sentences. Below the threshold the answerer does what the
pipeline does: it hedges with the closest sentences ("the articles do not say this directly;
the closest they come: ..."), or declines when the passages clearly lack what is asked
(selection.lacking: a year or name asked that no passage has). The three settings are chosen,
among those whose median answer is at most 60 words, to maximise, averaged over the three
sources of questions, for an answerable question: half for the share of its facts anywhere in
what is shown (one fact, the answer, outside the seed sets), half for a fact in the first
sentence, counted in full when answered and at HEDGE_CREDIT when hedged (the user is shown the
sentence but told it may not answer); for an unanswerable one: 1 when hedged or declined, 0
when answered.

Reported figures are nested 5-fold: each fold is answered by a model fitted on the other four
and settings chosen on those four's own out-of-fold probabilities. The shipped
model is fitted on all of the pool. RealTime QA holdout and RGB's held-out half are never read
here: benchmarks/answers_rtqa.py and benchmarks/answers_rgb.py report them.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from answers_rgb import golds as rgb_golds  # noqa: E402
from answers_rgb import half, index_for  # noqa: E402
from answers_rgb import queries as rgb_queries  # noqa: E402
from rtqa_data import BENCH, CACHE, answer_variants, normalise  # noqa: E402

from rag import Index, Settings, ingest  # noqa: E402
from rag.answering.answerability import FEATURES, Described, describe  # noqa: E402
from rag.answering.evidence import article_texts, passage_sentences  # noqa: E402
from rag.answering.pipeline import with_speaker_passages  # noqa: E402
from rag.answering.question import analyse  # noqa: E402
from rag.answering.retrieve import When, retrieve  # noqa: E402
from rag.answering.selection import closest_sentences, lacking, pick  # noqa: E402

OUT = ROOT / "rag" / "models" / "answer_scorer.json"
SEED_SETS = (ROOT.parent / "shared" / "eval" / "seeds_qa.jsonl", ROOT / "benchmarks" / "data" / "seeds_extra.jsonl")
THRESHOLDS = np.round(np.arange(0.02, 0.9, 0.02), 2)
KEEP_RATIOS = (0.2, 0.35, 0.5, 0.7, 0.85, 1.0)
MAX_SENTENCES = (1, 2, 3, 4, 5)
MAX_MEDIAN_WORDS = 60  # a reader wants the answer first: longer settings are not chosen
# what a hedged answer to an answerable question is worth beside the same sentences given as the
# answer: the evidence is on the screen, but the user is told the articles may not say it, which
# for an answerable question is close to a false "the articles do not say" (a product judgement;
# on the development pool any credit up to 0.35 chooses the same settings, 0.5 hedges a third of
# the answerable questions: benchmarks/results/train_answerer_hedges.log, --compare-credits)
HEDGE_CREDIT = 0.25


@dataclass
class Asked:
    source: str  # rtqa | rgb | seeds
    question: str
    answerable: bool
    golds: list[str]  # normalised alternatives, any fact
    facts: list[list[str]]  # fact groups: each a list of alternatives (one group outside the seed sets)
    described: Described
    labels: np.ndarray
    lacking: bool = False  # below the threshold the pipeline declines (selection.lacking), not hedges
    speaker: str | None = None  # "what did X say": X (the closest sentences are those naming X)


def holds(golds: list[str], text: str) -> bool:
    text = normalise(text)
    return any(g in text for g in golds)


def ask(index: Index, source: str, question: str, answerable: bool, facts: list[list[str]], when: When) -> Asked:
    k = index.settings.top_k
    asked = analyse(question)
    passages = with_speaker_passages(index, asked, retrieve(index, question, k, when=when).passages, k, None, when)
    sentences, _ = passage_sentences(passages)
    d = describe(asked, sentences, passages, index.idf(), article_texts(passages))
    golds = [g for group in facts for g in group]
    labels = np.array([answerable and holds(golds, s.text) for s in d.candidates], dtype=bool)
    return Asked(source, question, answerable, golds, facts, d, labels,
                 bool(lacking(asked, d, passages, closest_sentences(d, np.zeros(len(d.candidates)), asked.speaker, 1.0))),
                 asked.speaker)


def pool() -> list[Asked]:
    out: list[Asked] = []
    rtqa = Index(Settings(data_dir=CACHE / "rtqa-index-dated"))
    if rtqa.count() == 0:
        sys.exit("the RealTime QA index is empty: run benchmarks/retrieval_rtqa.py first (it ingests the corpus)")
    for line in open(BENCH / "queries.jsonl", encoding="utf-8"):
        q = json.loads(line)
        if q["split"] == "dev":
            when = When(date.fromisoformat(q["question_date"].replace("/", "-")[:10]))
            out.append(ask(rtqa, "rtqa", q["question"], q["type"] == "answerable", [answer_variants(q["answer"])], when))
    indexes = {"answerable": index_for("corpus_main"), "negative_rejection": index_for("corpus_negonly")}
    for q in rgb_queries():
        if half(q["id"]) == "dev" and q["type"] in indexes:
            out.append(ask(indexes[q["type"]], "rgb", q["question"], q["type"] == "answerable", [rgb_golds(q)], When.of()))
    seeds = Index(Settings(data_dir=CACHE / "seeds-index"))
    if seeds.count() == 0:
        ingest([ROOT / "rag" / "samples"], settings=seeds.settings)
        seeds = Index(seeds.settings)
    for path in SEED_SETS:
        for line in open(path, encoding="utf-8"):
            q = json.loads(line)
            facts = [[normalise(a) for a in group] for group in q.get("must_include", [])]
            out.append(ask(seeds, "seeds", q["question"], q["answerable"], facts, When.of()))
    return out


def generated(path: Path) -> list[Asked]:
    """Questions benchmarks/generate_questions.py made from articles no evaluation question uses,
    asked of the RealTime QA index as of their article's date: more to fit on, never to choose
    settings or report figures on (they are easier than questions people write)."""
    rtqa = Index(Settings(data_dir=CACHE / "rtqa-index-dated"))
    out = []
    for line in open(path, encoding="utf-8"):
        q = json.loads(line)
        out.append(ask(rtqa, "generated", q["question"], True, [answer_variants(q["answer"])], When(date.fromisoformat(q["date"]))))
    return out


def fit(rows: list[Asked], extra: list[Asked]):
    """`extra`: generated questions, joined to every fit (never chosen or reported on)."""
    from sklearn.ensemble import GradientBoostingClassifier

    rows = rows + extra
    x = np.vstack([r.described.x for r in rows if len(r.labels)])
    y = np.concatenate([r.labels for r in rows if len(r.labels)]).astype(np.int64)
    return GradientBoostingClassifier(n_estimators=200, learning_rate=0.05, max_depth=3, min_samples_leaf=30,
                                      subsample=0.8, random_state=0).fit(x, y)


def probabilities(rows: list[Asked], model) -> list[np.ndarray]:
    return [model.predict_proba(r.described.x)[:, 1] if len(r.labels) else np.zeros(0) for r in rows]


def to_onnx(model, path: Path) -> None:
    """The fitted model as ONNX (input "x": float rows of FEATURES; output "probabilities")."""
    from skl2onnx import convert_sklearn
    from skl2onnx.common.data_types import FloatTensorType

    onx = convert_sklearn(model, initial_types=[("x", FloatTensorType([None, len(FEATURES)]))],
                          options={id(model): {"zipmap": False}})
    path.write_bytes(onx.SerializeToString())


def outcome(r: Asked, p: np.ndarray, threshold: float, keep_ratio: float, most: int) -> dict:
    """What the pipeline would show: answered (what is picked), hedged (the closest sentences) or declined."""
    picked = pick(r.described, p, threshold, keep_ratio, most)
    shown = picked or ([] if r.lacking else closest_sentences(r.described, p, r.speaker, keep_ratio))
    status = "answered" if picked else "hedged" if shown else "declined"
    if not r.answerable:
        return {"source": r.source, "answerable": False, "status": status, "declined": status != "answered"}
    text = " ".join(t for t, _ in shown)
    facts = sum(holds(group, text) for group in r.facts) / len(r.facts) if shown and r.facts else 0.0
    return {"source": r.source, "answerable": True, "status": status, "answered": bool(picked), "hit": facts,
            "first": bool(shown) and holds(r.golds, shown[0][0]), "words": len(text.split()) if picked else None}


def objective(outcomes: list[dict], hedge_credit: float = HEDGE_CREDIT) -> float:
    by_source: dict[str, list[float]] = {}
    for o in outcomes:
        if o["answerable"]:
            value = (0.5 * o["hit"] + 0.5 * o["first"]) * (1.0 if o["status"] == "answered" else hedge_credit)
        else:
            value = float(o["status"] != "answered")
        by_source.setdefault(o["source"], []).append(value)
    return float(np.mean([np.mean(v) for v in by_source.values()]))


def choose(rows: list[Asked], probs: list[np.ndarray], hedge_credit: float = HEDGE_CREDIT) -> tuple[float, float, int]:
    """The threshold, keep ratio and most sentences that do best on these questions' (out-of-fold)
    probabilities, among settings whose median answer is at most MAX_MEDIAN_WORDS words."""
    best = (-1.0, 0.0, 0.0, 1)
    for most in MAX_SENTENCES:
        for keep in KEEP_RATIOS:
            for t in THRESHOLDS:
                outcomes = [outcome(r, p, t, keep, most) for r, p in zip(rows, probs)]
                words = sorted(o["words"] for o in outcomes if o.get("words") is not None)
                if words and words[len(words) // 2] > MAX_MEDIAN_WORDS:
                    continue
                score = objective(outcomes, hedge_credit)
                if score > best[0] + 1e-9:
                    best = (score, float(t), keep, most)
    return best[1], best[2], best[3]


def folds_of(rows: list[Asked], k: int) -> list[list[int]]:
    """k folds, each source's questions dealt round-robin (so every fold has some of each)."""
    parts: list[list[int]] = [[] for _ in range(k)]
    seen: dict[str, int] = {}
    for i, r in enumerate(rows):
        n = seen.get(r.source, 0)
        parts[n % k].append(i)
        seen[r.source] = n + 1
    return parts


def out_of_fold(rows: list[Asked], k: int, extra: list[Asked]) -> list[np.ndarray]:
    probs: list[np.ndarray] = [np.zeros(0)] * len(rows)
    for part in folds_of(rows, k):
        train = [r for i, r in enumerate(rows) if i not in set(part)]
        model = fit(train, extra)
        for i, p in zip(part, probabilities([rows[i] for i in part], model)):
            probs[i] = p
    return probs


def nested(rows: list[Asked], k: int, extra: list[Asked], hedge_credit: float = HEDGE_CREDIT) -> list[dict]:
    """Each fold answered by weights and a threshold/keep ratio chosen without it."""
    outcomes: list[dict] = []
    for part in folds_of(rows, k):
        held = set(part)
        train = [r for i, r in enumerate(rows) if i not in held]
        threshold, keep, most = choose(train, out_of_fold(train, k - 1, extra), hedge_credit)
        model = fit(train, extra)
        test = [rows[i] for i in part]
        outcomes += [outcome(r, p, threshold, keep, most) for r, p in zip(test, probabilities(test, model))]
    return outcomes


def summary(outcomes: list[dict]) -> dict[str, dict]:
    out = {}
    for source in sorted({o["source"] for o in outcomes}):
        mine = [o for o in outcomes if o["source"] == source]
        yes = [o for o in mine if o["answerable"]]
        no = [o for o in mine if not o["answerable"]]
        words = sorted(o["words"] for o in yes if o["words"] is not None)
        out[source] = {
            "answerable": len(yes), "unanswerable": len(no),
            "answer_hit (facts met)": round(float(np.mean([o["hit"] for o in yes])), 3) if yes else None,
            "first_sentence_hit": round(float(np.mean([o["first"] for o in yes])), 3) if yes else None,
            "answered": round(float(np.mean([o["answered"] for o in yes])), 3) if yes else None,
            "hedged": round(float(np.mean([o["status"] == "hedged" for o in yes])), 3) if yes else None,
            "declined_unanswerable": round(float(np.mean([o["declined"] for o in no])), 3) if no else None,  # or hedged
            "median_words": words[len(words) // 2] if words else None,
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--hedge-credit", type=float, default=HEDGE_CREDIT,
                        help="what a hedged answer to an answerable question is worth (default %(default)s)")
    parser.add_argument("--compare-credits", type=float, nargs="*", default=[],
                        help="also print the nested figures settings chosen with these hedge credits give")
    parser.add_argument("--generated", type=Path, help="also fit on these generated questions "
                        "(benchmarks/generate_questions.py writes them)")
    args = parser.parse_args()
    rows = pool()
    extra = generated(args.generated) if args.generated else []
    if extra:
        print(f"generated: {len(extra)} questions, {sum(len(r.labels) for r in extra)} sentences, "
              f"{sum(int(r.labels.sum()) for r in extra)} holding an answer", file=sys.stderr)
    print(f"pool: {len(rows)} questions, {sum(len(r.labels) for r in rows)} sentences, "
          f"{sum(int(r.labels.sum()) for r in rows)} holding an answer", file=sys.stderr)
    held = summary(nested(rows, args.folds, extra, args.hedge_credit))
    for source, figures in held.items():
        print(f"dev {source}, nested {args.folds}-fold: {figures}")
    for credit in args.compare_credits:
        for source, figures in summary(nested(rows, args.folds, extra, credit)).items():
            print(f"  (hedge credit {credit}) dev {source}, nested {args.folds}-fold: {figures}")
    probs = out_of_fold(rows, args.folds, extra)
    threshold, keep, most = choose(rows, probs, args.hedge_credit)
    print("the choice of RAG_ANSWER_THRESHOLD, out-of-fold (answered answerable / unanswerable declined or hedged):")
    for t in (0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4):
        figures = summary([outcome(r, p, t, keep, most) for r, p in zip(rows, probs)])
        print(f"  {t:.2f}  " + "  ".join(f"{source} {f['answered']:.2f}/{f['declined_unanswerable']:.2f} hit {f['answer_hit (facts met)']:.2f}"
                                    for source, f in figures.items()))
    model = fit(rows, extra)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    to_onnx(model, args.out.with_suffix(".onnx"))
    meta = {"features": list(FEATURES), "threshold": threshold, "keep_ratio": keep, "max_sentences": most,
             "fitted_on": f"{len(rows)} development questions (RealTime QA dev, RGB dev half, seed sets)"
                          + (f" and {len(extra)} generated ones ({args.generated.name})" if extra else "") + "; "
                          f"nested {args.folds}-fold figures: {json.dumps(held)}"}
    args.out.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    print(f"threshold {threshold}, keep ratio {keep}, at most {most} sentences")
    print("importance:", ", ".join(f"{n} {w:.2f}" for n, w in zip(FEATURES, model.feature_importances_)))
    print(f"wrote {args.out} and {args.out.with_suffix('.onnx').name}")


if __name__ == "__main__":
    main()
