"""Questions asked while the very first ingest of a folder runs: no reader fails, and the sample
articles are never ingested into the user's index (it is only empty because the ingest has not
committed anything yet)."""

from __future__ import annotations

import json
import subprocess
import time

from conftest import RAG, SEEDS, run_cli
from rag import Settings
from rag.index.writelock import writing


def _folder(tmp_path, copies: int):
    """`copies` edited copies of the seeds: each must be embedded (no vector can be reused)."""
    folder = tmp_path / "mine"
    folder.mkdir()
    for n in range(copies):
        for f in SEEDS.glob("*.txt"):
            text = f.read_text(encoding="utf-8")
            (folder / f"{n:02d}-{f.name}").write_text(text + f"\nEdition {n} of the wire copy, filed in the evening.\n",
                                                      encoding="utf-8")
    return folder


def test_an_ask_while_an_ingest_holds_the_index_does_not_bootstrap(tmp_path):
    data = tmp_path / "index"
    settings = Settings(data_dir=data)
    with writing(settings):  # what a running `rag ingest` holds
        result = run_cli("ask", "What did Kirby say?", data_dir=data, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "ingest is under way" in result.stdout and "sample articles" not in result.stderr
    listed = json.loads(run_cli("sources", "--json", data_dir=data).stdout)
    assert listed == []  # the samples were not written into the user's index


def test_questions_during_a_first_ingest_never_fail(tmp_path):
    data = tmp_path / "index"
    folder = _folder(tmp_path, 8)
    env = {"RAG_DATA_DIR": str(data)}
    import os

    ingest = subprocess.Popen([str(RAG), "ingest", str(folder), "--json"], env=os.environ | env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    answers = []
    try:
        time.sleep(1.0)
        while ingest.poll() is None and len(answers) < 4:
            answers.append(run_cli("ask", "What did Kirby say?", data_dir=data, timeout=120))
    finally:
        out, err = ingest.communicate(timeout=600)
    assert ingest.returncode == 0, err
    assert answers, "the ingest finished before a question could be asked"
    for a in answers:
        assert a.returncode == 0, a.stderr
        assert "Error" not in a.stderr and "sample articles" not in a.stderr
    report = json.loads(out)
    assert report["counts"]["added"] == 8 * 5
    listed = json.loads(run_cli("sources", "--json", data_dir=data).stdout)
    assert len(listed) == 40 and all(str(folder) in r["path"] for r in listed)
