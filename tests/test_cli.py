"""The real `rag` console script, run as a user would."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from conftest import RAG, ROOT, SEED_FILES, run_cli


def test_ingest_then_search_with_json_output(tmp_path):
    data = tmp_path / "index"
    result = run_cli("ingest", "seeds/", "--json", data_dir=data)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["counts"]["added"] == len(SEED_FILES)
    assert report["chunks_total"] == report["chunks_embedded"] > 0

    again = json.loads(run_cli("ingest", "seeds/", "--json", data_dir=data).stdout)
    assert again["counts"]["unchanged"] == len(SEED_FILES) and again["chunks_embedded"] == 0

    found = run_cli("search", "What did Kirby say?", "--json", data_dir=data)
    assert found.returncode == 0, found.stderr
    passages = json.loads(found.stdout)
    assert passages[0]["name"] == "003_d27acffbcd5def62.txt"
    raw = open(passages[0]["path"], encoding=passages[0]["encoding"]).read()
    assert raw[passages[0]["start"] : passages[0]["end"]] == passages[0]["text"]

    listed = json.loads(run_cli("sources", "--json", data_dir=data).stdout)
    assert sorted(r["source"].rsplit("/", 1)[-1] for r in listed) == SEED_FILES


def test_human_output_has_a_summary_and_a_table(tmp_path):
    data = tmp_path / "index"
    result = run_cli("ingest", "seeds/", data_dir=data)
    assert result.returncode == 0, result.stderr
    assert "5 added" in result.stdout and "chunks in the index" in result.stdout
    assert "003_d27acffbcd5def62.txt" in result.stdout
    shown = run_cli("search", "Mishustin", "-k", "2", data_dir=data)
    assert "002_8e30010a3892d27c.txt" in shown.stdout


def test_errors_are_messages_not_tracebacks(tmp_path):
    data = tmp_path / "index"
    run_cli("ingest", "seeds/", data_dir=data)
    bad = run_cli("search", "Kirby", "--source", "no-such-file.txt", data_dir=data)
    assert bad.returncode == 1
    assert "no ingested file matches" in bad.stderr and "Traceback" not in bad.stderr
    empty = run_cli("search", "Kirby", data_dir=tmp_path / "empty")
    assert empty.returncode == 0 and "index is empty" in empty.stdout
    server = run_cli("search", "Kirby", data_dir=data, env={"CHROMA_HOST": "127.0.0.1", "CHROMA_PORT": "9"})
    assert server.returncode == 1 and "Chroma server" in server.stderr and "Traceback" not in server.stderr


def test_remove_and_data_dir_option(tmp_path):
    data = tmp_path / "index"
    assert run_cli("--data-dir", str(data), "ingest", "seeds/", data_dir=tmp_path / "elsewhere").returncode == 0
    removed = json.loads(run_cli("remove", "001_d3a2d41807ada17a.txt", "--json", data_dir=data).stdout)
    assert removed["counts"]["removed"] == 1
    listed = json.loads(run_cli("sources", "--json", data_dir=data).stdout)
    assert len(listed) == len(SEED_FILES) - 1
    assert not (tmp_path / "elsewhere").exists()


def test_the_cli_does_not_import_gradio():
    code = "import sys, rag.cli; print('gradio' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "False"


def test_help_and_version_load_nothing_heavy():
    """`rag -h`, `rag ask -h` and `--version` answer without the index's libraries (their speed
    is measured in benchmarks/cli_startup.py)."""
    code = ("import sys\nfrom rag.cli import app\nfor argv in (['-h'], ['ask', '-h'], ['--version']):\n"
            "    try:\n        app(argv, prog_name='rag')\n    except SystemExit as exc:\n        assert exc.code == 0, (argv, exc.code)\n"
            "print(sorted(m for m in ('chromadb', 'onnxruntime', 'bm25s', 'numpy', 'rag.config') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert "Usage: rag [OPTIONS] COMMAND" in out.stdout and "Usage: rag ask [OPTIONS]" in out.stdout
    assert "newsrag 0." in out.stdout
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_paths_that_cannot_be_used_exit_1_after_the_rest_is_done(tmp_path):
    data = tmp_path / "index"
    partly = run_cli("ingest", "seeds/", "no-such-folder/", "--json", data_dir=data)
    assert partly.returncode == 1
    report = json.loads(partly.stdout)
    assert report["counts"]["added"] == len(SEED_FILES) and report["counts"]["skipped"] == 1
    missing = run_cli("remove", "no-such-file.txt", data_dir=data)
    assert missing.returncode == 1 and "not in the index" in missing.stdout
    assert run_cli("remove", "001_d3a2d41807ada17a.txt", data_dir=data).returncode == 0
    assert run_cli("ingest", "seeds/", data_dir=data).returncode == 0  # the folder was fine: put back, exit 0


@pytest.mark.skipif(shutil.which("unshare") is None, reason="needs util-linux unshare")
def test_fresh_machine_with_no_network_ingests_and_searches(tmp_path):
    """No network namespace at all, and empty caches: nothing may need a download."""
    probe = subprocess.run(["unshare", "-rn", "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip("network namespaces are not permitted here")
    env = {"RAG_DATA_DIR": str(tmp_path / "index"), "XDG_CACHE_HOME": str(tmp_path / "cache"),
           "HOME": str(tmp_path / "home"), "COLUMNS": "200"}
    script = (
        f"'{sys.executable}' -m rag.cli ingest seeds/ --json > '{tmp_path}/ingest.json' && "
        f"'{sys.executable}' -m rag.cli search 'What did Kirby say?' --json > '{tmp_path}/search.json'"
    )
    result = subprocess.run(
        ["unshare", "-rn", "sh", "-c", script], capture_output=True, text=True, cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", **env}, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads((tmp_path / "ingest.json").read_text())["counts"]["added"] == len(SEED_FILES)
    assert json.loads((tmp_path / "search.json").read_text())[0]["name"] == "003_d27acffbcd5def62.txt"
    assert list((tmp_path / "cache" / "newsrag" / "tiktoken").iterdir()), "tiktoken cache was seeded offline"


def test_bad_configuration_and_an_unusable_data_dir_are_messages(tmp_path):
    bad = run_cli("search", "Kirby", data_dir=tmp_path / "index", env={"RAG_TOP_K": "many"})
    assert bad.returncode == 2 and "invalid configuration" in bad.stderr and "RAG_TOP_K" in bad.stderr
    assert "Traceback" not in bad.stderr
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the index should go")
    broken = run_cli("ingest", "seeds/", data_dir=blocker / "index")
    assert broken.returncode == 1 and "Error:" in broken.stderr and "Traceback" not in broken.stderr


def test_chat_follows_up_shows_sources_and_exports(tmp_path):
    data = tmp_path / "index"
    assert run_cli("ingest", "seeds/", data_dir=data).returncode == 0
    out_file = tmp_path / "conversation.html"
    lines = ["What did Kirby say?", "and what did Blinken say about that?", "/sources", f"/export {out_file}",
             "/bogus", "/quit"]
    result = subprocess.run([str(RAG), "chat"], input="\n".join(lines) + "\n", capture_output=True, text=True,
                            env=os.environ | {"RAG_DATA_DIR": str(data), "COLUMNS": "200"}, cwd=ROOT, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "marriage of convenience" in result.stdout and "Read as a follow-up" in result.stderr
    assert "Blinken" in result.stdout.split("marriage of convenience")[-1]
    assert "characters" in result.stdout and "Wrote" in result.stdout and "Unknown command /bogus" in result.stderr
    page = out_file.read_text(encoding="utf-8")
    assert page.count("<h2>") == 2 and 'class="footnotes"' in page and "<script" not in page
