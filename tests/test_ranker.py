"""The retrieval ranker that ships (rag/models/ranker.onnx, read with onnxruntime, offline): it
loads, reads what it was fitted on, rises with what makes a chunk closer to the question, and a
search with no date is ranked without dates (the same whatever day it runs on)."""

from __future__ import annotations

import json
from datetime import date
from importlib import resources

import numpy as np
import pytest

from rag.answering.ranking import FEATURES, WINDOW, _window, load_ranker
from rag.answering.retrieve import When, retrieve
from rag.index.opened import Index


def test_the_shipped_model_loads_offline_and_names_its_columns():
    ranker = load_ranker()
    meta = json.loads(resources.files("rag").joinpath("models/ranker.json").read_text(encoding="utf-8"))
    assert tuple(meta["features"]) == FEATURES
    assert set(ranker.neutral) == {"later", "age", "within_3_days", "within_2_weeks", "in_period"}
    rows = np.random.default_rng(0).uniform(0, 1, size=(50, len(FEATURES)))
    p = ranker.score(rows)
    assert p.shape == (50,) and np.all((p > 0) & (p < 1)) and np.ptp(p) > 0


@pytest.mark.parametrize("name", ["similarity", "bm25", "coverage", "window", "rarest", "doc_similarity"])
def test_a_closer_chunk_never_ranks_lower(name):
    ranker = load_ranker()
    rows = np.random.default_rng(1).uniform(0, 1, size=(200, len(FEATURES)))
    closer = rows.copy()
    column = FEATURES.index(name)
    closer[:, column] = np.minimum(1.0, rows[:, column] + 0.3)
    assert np.all(ranker.score(closer) >= ranker.score(rows) - 1e-9)


def test_window_counts_only_words_near_each_other():
    weights = {"strike": 1.0, "harbour": 2.0}
    near = ["harbour", "strike"] + ["x"] * 40
    apart = ["harbour"] + ["x"] * WINDOW + ["strike"]
    assert _window(near, weights) == 3.0
    assert _window(apart, weights) == 2.0
    assert _window([], weights) == 0.0


def test_a_search_with_no_date_ranks_the_same_whatever_day_it_runs(story_index):
    index = Index(story_index)
    question = "How did the dock workers' pay dispute end?"
    runs = [retrieve(index, question, 4, when=When(day, dated=False)).passages
            for day in (date(2023, 1, 5), date(2030, 6, 1))]
    assert [p.chunk_id for p in runs[0]] == [p.chunk_id for p in runs[1]]
    assert [round(p.score, 9) for p in runs[0]] == [round(p.score, 9) for p in runs[1]]
    # read against a date, the same question ranks by it too: scores differ
    dated = retrieve(index, question, 4, when=When(date(2022, 11, 15))).passages
    assert [round(p.score, 9) for p in dated] != [round(p.score, 9) for p in runs[0]]
