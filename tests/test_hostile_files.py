"""A folder of articles as a hostile (or just messy) user hands it over: link loops, names that are
not UTF-8, FIFOs, devices, links out of the folder, UTF-16 without a byte-order mark. Every bad
entry is skipped with a reason and the run goes on; nothing hangs and nothing outside the folder
is read unless asked for."""

from __future__ import annotations

import json
import os

import pytest

from conftest import SEEDS, run_cli
from rag import Settings, ingest, search
from rag.indexing.reading import Unreadable, read_bytes, read_raw, read_text_file
from rag.index.store import Store

ARTICLE = (
    "Harbour strike ends in Rotterdam\n\n"
    "Dock workers at the port of Rotterdam ended a three-day strike on Friday after their union accepted a "
    "6 percent pay rise, the union spokesperson Pieter Bakker said.\n"
)
SECRET_LINE = "root-secret-line: this file lives outside the ingested folder"


@pytest.fixture
def hostile(tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "good.txt").write_text(ARTICLE, encoding="utf-8")
    os.symlink("b.txt", folder / "a.txt")  # a link loop
    os.symlink("a.txt", folder / "b.txt")
    with open(os.path.join(os.fsencode(folder), b"bad\xff\xfe.txt"), "wb") as handle:  # not UTF-8
        handle.write(ARTICLE.encode())
    os.mkfifo(folder / "fifo.txt")  # reading it would block forever
    os.symlink("/dev/zero", folder / "zero.txt")  # endless, and stat says 0 bytes
    outside = tmp_path / "private.txt"
    outside.write_text(f"Private notes\n\n{SECRET_LINE}. It should never be served to readers.\n")
    os.symlink(outside, folder / "private-link.txt")  # leads out of the folder
    os.symlink("good.txt", folder / "alias.txt")  # a link inside the folder is fine (same file)
    (folder / "sub").mkdir()
    os.symlink("..", folder / "sub" / "loop")  # a folder link back up
    (folder / "le.txt").write_bytes(ARTICLE.replace("Rotterdam", "Antwerp").encode("utf-16-le"))
    (folder / "be.txt").write_bytes(ARTICLE.replace("Rotterdam", "Hamburg").encode("utf-16-be"))
    return folder


def _by_name(report) -> dict[str, tuple[str, str]]:
    return {os.path.basename(f["source"]): (f["status"], f["reason"]) for f in report["files"]}


def test_bad_entries_are_skipped_with_reasons_and_the_run_goes_on(hostile, tmp_path):
    data = tmp_path / "index"
    result = run_cli("ingest", str(hostile), "--json", data_dir=data, timeout=180)  # a FIFO would hang here
    assert result.returncode == 0, result.stderr
    files = _by_name(json.loads(result.stdout))
    assert files["a.txt"] == ("skipped", "a link loop") and files["b.txt"] == ("skipped", "a link loop")
    assert files["bad\\xff\\xfe.txt"][0] == "skipped" and "not valid UTF-8" in files["bad\\xff\\xfe.txt"][1]
    assert files["fifo.txt"] == ("skipped", "not a regular file (a FIFO)")
    assert files["zero.txt"][0] == "skipped" and "outside the folder" in files["zero.txt"][1]
    assert files["private-link.txt"][0] == "skipped" and "--follow-links" in files["private-link.txt"][1]
    assert files["good.txt"][0] == "added" and "alias.txt" not in files  # one file, read once
    assert files["le.txt"][0] == "added" and files["be.txt"][0] == "added"
    settings = Settings(data_dir=data)
    assert search("Antwerp dock strike", 1, settings=settings)[0].name == "le.txt"
    assert search("Hamburg dock strike", 1, settings=settings)[0].name == "be.txt"
    stored = " ".join(r.text for r in Store(settings).get(Store(settings).all_ids()).values())
    assert SECRET_LINE not in stored


def test_follow_links_reads_outside_files_but_never_devices_or_fifos(hostile, tmp_path):
    settings = Settings(data_dir=tmp_path / "index")
    report = ingest([hostile], settings=settings, follow_links=True)
    status = {os.path.basename(f.source): (f.status, f.reason) for f in report.files}
    assert status["private-link.txt"][0] == "added"
    assert status["zero.txt"] == ("skipped", "not a regular file (a device)")
    assert status["fifo.txt"][0] == "skipped"


def test_reads_are_bounded_and_refuse_what_is_not_a_regular_file(tmp_path):
    with pytest.raises(Unreadable, match="not a regular file"):
        read_bytes("/dev/zero", 1024)
    fifo = tmp_path / "fifo.txt"
    os.mkfifo(fifo)
    with pytest.raises(Unreadable, match="not a regular file"):
        read_raw(fifo, "utf-8")  # an answer that re-reads a file swapped for a FIFO must not hang
    big = tmp_path / "big.txt"
    big.write_bytes(b"word " * 100_000)
    assert len(read_bytes(big, 1000)) == 1001  # never more than the limit + 1 byte
    with pytest.raises(Unreadable, match="too large"):
        read_text_file(big, 1000)


def test_a_named_link_is_followed_and_names_carry_through_the_api(tmp_path):
    """Paths given by the user (like `find -H`) are followed; bytes paths are accepted."""
    target = tmp_path / "elsewhere" / "kirby.txt"
    target.parent.mkdir()
    target.write_bytes((SEEDS / "003_d27acffbcd5def62.txt").read_bytes())
    link = tmp_path / "link.txt"
    os.symlink(target, link)
    settings = Settings(data_dir=tmp_path / "index")
    report = ingest(os.fsencode(link), settings=settings)
    assert [f.status for f in report.files] == ["added"]
    with pytest.raises(TypeError, match="a path or a list of paths"):
        ingest(42, settings=settings)  # type: ignore[arg-type]
