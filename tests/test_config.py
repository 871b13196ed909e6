"""One settings object: environment and .env, every variable documented in .env.example."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT
from rag import Settings


def test_every_setting_is_documented_in_env_example():
    documented = (ROOT / ".env.example").read_text()
    for name, field in Settings.model_fields.items():
        variable = field.validation_alias.choices[0]
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
