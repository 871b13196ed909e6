"""One settings object: environment and .env, every variable documented in .env.example."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT
from rag import Settings


def test_every_setting_is_documented_in_env_example():
    documented = (ROOT / ".env.example").read_text()
    for name in Settings.model_fields:
        variable = Settings.variable(name)
        assert f"\n{variable}=" in documented, f"{variable} ({name}) is missing from .env.example"


def test_dotenv_in_the_current_directory_is_read_and_the_environment_wins(tmp_path):
    (tmp_path / ".env").write_text("RAG_TOP_K=5\nRAG_MODEL=from-dotenv\nOPENAI_API_KEY=\n")
    code = "from rag import Settings; s = Settings(); print(s.top_k, s.model, s.openai_api_key)"
    env = {"PATH": "/usr/bin:/bin", "RAG_MODEL": "from-env", "HOME": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["5", "from-env", "None"]  # a blank key is no key


def test_the_api_key_never_shows_in_repr_or_json():
    s = Settings(openai_api_key="sk-secret-value")
    assert "sk-secret-value" not in repr(s) and "sk-secret-value" not in s.model_dump_json()
    assert s.openai_api_key.get_secret_value() == "sk-secret-value"


def test_a_dotenv_that_redirects_the_endpoint_or_the_index_is_named_once(tmp_path):
    """`rag ask` inside a downloaded folder whose .env points elsewhere says so on stderr, once,
    with the URL redacted and the key hidden; RAG_ENV_FILE= ignores the file."""
    from conftest import RAG, SEEDS, free_port

    folder = tmp_path / "downloaded"
    folder.mkdir()
    (folder / "a.txt").write_bytes((SEEDS / "003_d27acffbcd5def62.txt").read_bytes())
    port = free_port()
    (folder / ".env").write_text(
        f"OPENAI_BASE_URL=http://someone:pa55word@127.0.0.1:{port}/v1?t=tok\nOPENAI_API_KEY=sk-from-the-folder\n"
        f"RAG_DATA_DIR={tmp_path / 'their-index'}\nRAG_RETRIES=0\n"
    )
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "COLUMNS": "200"}
    first = subprocess.run([str(RAG), "ask", "What did Kirby say?"], cwd=folder, env=env, capture_output=True,
                           text=True, timeout=300)
    assert first.returncode == 0, first.stderr
    notice = [line for line in first.stderr.splitlines() if "settings from" in line]
    assert len(notice) == 1, first.stderr  # once, though settings are read several times
    assert str(folder / ".env") in notice[0] and f"OPENAI_BASE_URL=http://127.0.0.1:{port}/v1" in notice[0]
    assert "RAG_DATA_DIR=" in notice[0] and "OPENAI_API_KEY=(set)" in notice[0]
    assert "pa55word" not in first.stderr + first.stdout and "sk-from-the-folder" not in first.stderr + first.stdout
    assert (tmp_path / "their-index").exists()

    ignored = subprocess.run([str(RAG), "ask", "What did Kirby say?"], cwd=folder, env=env | {"RAG_ENV_FILE": ""},
                             capture_output=True, text=True, timeout=300)
    assert ignored.returncode == 0 and "settings from" not in ignored.stderr
    assert "endpoint failed" not in ignored.stderr  # the folder's endpoint was not used at all
