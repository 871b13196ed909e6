"""Write a file so that readers see the old content or the new, never half of it; read back the
small JSON records kept that way (corrections, feeds, endpoints)."""

from __future__ import annotations

import json
import os
from pathlib import Path


def write_atomic(target: Path, data: bytes | str) -> None:
    """Write `data` beside `target` under a temporary name, then rename it over `target`."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    if isinstance(data, str):
        tmp.write_text(data, encoding="utf-8")
    else:
        tmp.write_bytes(data)
    os.replace(tmp, target)


def read_records(path: Path) -> dict[str, dict]:
    """A JSON object of objects written with write_atomic: name -> record. A missing or damaged
    file, or an entry that is not an object, reads as nothing (never an error)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {k: v for k, v in data.items() if isinstance(v, dict)} if isinstance(data, dict) else {}
