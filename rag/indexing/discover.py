"""Which files an ingest reads: the paths given, and the folders under them, walked safely.

Only regular files with a text suffix (.txt, .md) or one newsrag converts (.html, .pdf, .docx:
rag/indexing/convert.py) are taken. Everything else found is listed as skipped with
a reason, and the walk goes on: FIFOs, sockets and devices (reading them would hang or never
end), broken links and link loops, names that are not valid UTF-8, and links that lead out of
the folder being ingested (a `.txt` link to /etc/passwd must not end up served to every reader)
unless `follow_links` is set. Paths named on the command line are followed like `find -H`:
the user chose them. Linked folders inside a walk are entered only with `follow_links`, and
never twice (no loops).
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from .convert import CONVERTED_SUFFIXES
from .reading import TEXT_SUFFIXES
from ..types import FileResult


@dataclass(frozen=True)
class Found:
    source: str  # the path as given or walked (normalised)
    path: Path  # the real path of the file: its identity in the index


@dataclass
class Discovery:
    files: list[Found] = field(default_factory=list)
    skipped: list[FileResult] = field(default_factory=list)
    roots: list[Path] = field(default_factory=list)  # folders walked (pruning looks only inside them)


def shown(name: str) -> str:
    """A path as it can be printed: bytes that are not UTF-8 appear as \\xNN escapes."""
    return os.fsencode(name).decode("utf-8", "backslashreplace")


def discover(given: Iterable[str], *, follow_links: bool = False, exclude: Iterable[Path] = ()) -> Discovery:
    out = Discovery()
    excluded = {os.path.realpath(p) for p in exclude}
    seen: dict[str, int] = {}
    for name in given:
        try:
            info = os.stat(name)  # a path named by the user is followed
        except OSError as exc:
            out.skipped.append(FileResult(shown(name), "skipped", reason=_why_not(name, exc)))
            continue
        if stat.S_ISDIR(info.st_mode):
            root = os.path.realpath(name)
            out.roots.append(Path(root))
            _walk(name, root, follow_links, excluded, seen, out)
        else:
            _consider(name, None, follow_links, seen, out)
    return out


def _walk(top: str, root: str, follow_links: bool, excluded: set[str], seen: dict[str, int], out: Discovery) -> None:
    visited = {os.path.realpath(top)}
    stack = [(top, os.path.realpath(top))]  # (folder, its real path)
    while stack:
        folder, folder_real = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            out.skipped.append(FileResult(shown(folder), "skipped", reason=f"cannot list the folder: {exc.strerror or exc}"))
            continue
        folders = []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = os.path.join(folder, entry.name)
            try:
                is_link = entry.is_symlink()
                is_dir = entry.is_dir(follow_symlinks=True)
            except OSError:
                is_link, is_dir = True, False
            if not is_dir:  # a file that is no link is where its folder really is: no realpath needed
                _consider(path, root, follow_links, seen, out, None if is_link else os.path.join(folder_real, entry.name))
                continue
            real = os.path.realpath(path)
            if real in excluded or real in visited:
                continue  # the index itself, or a folder already walked (a link loop)
            if is_link and not follow_links:
                out.skipped.append(FileResult(shown(path), "skipped", reason="a link to a folder (--follow-links to enter it)"))
                continue
            visited.add(real)
            folders.append((path, real))
        stack.extend(reversed(folders))  # depth first, in name order


def _consider(path: str, root: str | None, follow_links: bool, seen: dict[str, int], out: Discovery,
              known_real: str | None = None) -> None:
    source = os.path.normpath(path)
    name = shown(source)
    try:
        source.encode("utf-8")
    except UnicodeEncodeError:
        out.skipped.append(FileResult(name, "skipped", reason="the file name is not valid UTF-8: rename the file"))
        return
    suffix = os.path.splitext(source)[1].lower()
    if suffix not in TEXT_SUFFIXES and suffix not in CONVERTED_SUFFIXES:
        out.skipped.append(FileResult(source, "skipped", reason=f"unsupported file type ({suffix or 'no extension'})"))
        return
    try:
        real = known_real or os.path.realpath(source, strict=True)
        info = os.stat(real)
    except OSError as exc:
        out.skipped.append(FileResult(source, "skipped", reason=_why_not(source, exc)))
        return
    if root is not None and not follow_links and not _inside(real, root):
        out.skipped.append(
            FileResult(source, "skipped", reason="a link to a file outside the folder (--follow-links to include it)")
        )
        return
    if not stat.S_ISREG(info.st_mode):
        out.skipped.append(FileResult(source, "skipped", reason=f"not a regular file ({_kind(info.st_mode)})"))
        return
    if real not in seen:
        seen[real] = len(out.files)
        out.files.append(Found(source, Path(real)))
    elif os.path.abspath(source) == real:  # the file itself, found after a link to it: name it by itself
        out.files[seen[real]] = Found(source, Path(real))


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _why_not(path: str, exc: OSError) -> str:
    import errno

    if exc.errno == errno.ELOOP:
        return "a link loop"
    if exc.errno == errno.ENOENT:
        return "a broken link" if os.path.islink(path) else "not found"
    return f"cannot read: {exc.strerror or exc}"


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "not a file"
