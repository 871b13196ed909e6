"""The models fitted here and shipped in rag/models/: a description (JSON: the features it reads,
its settings, what it was fitted on) and an ONNX file, read with onnxruntime on one thread; or a
description alone, when it holds the model itself (the passage model's logistic weights)."""

from __future__ import annotations

import json
from importlib import resources
from typing import Callable

import numpy as np


def _models():
    """The shipped models' folder (inside the installed package)."""
    return resources.files("rag").joinpath("models")


def load_description(stem: str, features: tuple[str, ...], trainer: str) -> dict:
    """rag/models/<stem>.json; RuntimeError when the model was fitted on other features."""
    raw = json.loads(_models().joinpath(f"{stem}.json").read_text(encoding="utf-8"))
    if tuple(raw["features"]) != features:
        raise RuntimeError(f"rag/models/{stem}.json was fitted on other features: run {trainer}")
    return raw


def load_fitted(stem: str, features: tuple[str, ...], trainer: str, output: str | None = None
                ) -> tuple[dict, Callable[[np.ndarray], np.ndarray]]:
    """rag/models/<stem>.json and the model of <stem>.onnx as a function of float rows of
    `features` -> its output named `output` (default: its first); RuntimeError when the model was
    fitted on other features."""
    import onnxruntime as ort

    raw = load_description(stem, features, trainer)
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(_models().joinpath(f"{stem}.onnx").read_bytes(), options,
                                   providers=["CPUExecutionProvider"])
    output = output or session.get_outputs()[0].name

    def run(x: np.ndarray) -> np.ndarray:
        return session.run([output], {"x": x.astype(np.float32)})[0]

    return raw, run
