"""Hostile files beside good ones (tests/hostile_inputs.py makes them): decompression bombs, entity
expansion and external entities, damaged PDFs and Word files, text that is no prose, a file that
takes too long or too much memory to read. Each is skipped with its reason, the run goes on, the
good files are indexed and found, and no bad file can take the index with it; the same for the
UI's upload path (save + ingest), feeds and the guard itself."""

from __future__ import annotations

import json
import os
import random

import pytest

import hostile_inputs as h
from conftest import run_cli
from rag import Settings, ingest, search

SMALL_BOMBS = {  # the bombs of HOSTILE, smaller (quicker to make) but still past every bound
    "pdf flate bomb": lambda f: h.pdf_flate_bomb(f, inflated=120_000_000),
    "docx zip bomb": lambda f: h.docx_zip_bomb(f, unpacked=300_000_000),
}


def _by_name(files) -> dict[str, tuple[str, str]]:
    return {os.path.basename(f["source"]): (f["status"], f["reason"]) for f in files}


@pytest.fixture(scope="module")
def hostile_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile") / "articles"
    made = h.make_folder(folder, {k: v for k, v in h.HOSTILE.items() if "bomb" not in k} | SMALL_BOMBS)
    return folder, made


def test_every_hostile_file_is_skipped_with_a_reason_and_the_good_ones_are_indexed(hostile_folder, tmp_path):
    folder, made = hostile_folder
    data = tmp_path / "index"
    result = run_cli("ingest", str(folder), "--json", data_dir=data, timeout=600)
    assert result.returncode == 0, result.stderr  # files skipped inside a folder: the run succeeded, the report says which
    report = json.loads(result.stdout)
    files = _by_name(report["files"])
    for name in h.GOOD:
        assert files[name][0] == "added", (name, files[name])
    bad = {made[label].name: label for label in made if label not in h.GOOD}
    indexed = {name for name in bad if files[name][0] == "added"}
    # an HTML page that declares entities is parsed as HTML (no DTD is read): its text is kept as written
    assert indexed == {"entities.html"}, indexed
    for name in set(bad) - indexed:
        assert files[name][0] == "skipped" and files[name][1], (bad[name], files[name])
    reasons = {bad[name]: files[name][1] for name in bad}
    assert "Limit reached while decompressing" in reasons["pdf flate bomb"]
    assert "unpacks to" in reasons["docx zip bomb"] and "declares a DTD" in reasons["docx with nested entities"]
    assert "declares a DTD" in reasons["docx with an external entity (XXE)"]
    assert "not prose" in reasons["markdown of one word x 300,000 (6.3 MB)"]
    assert "not prose" in reasons["text of one 5 MB line"] and "not prose" in reasons["text of 5 MB without punctuation"]

    settings = Settings(data_dir=data)
    for query, name in (("Rotterdam dock strike pay rise", "good.txt"), ("Calais ferry walkout", "good.pdf"),
                        ("Lyon train drivers strike", "good.docx"), ("Leeds bus drivers walked out", "good.html")):
        assert search(query, 1, settings=settings)[0].name == name
    stored = " ".join(p.text for p in search("passwd root", 20, settings=settings))
    assert "root:" not in stored  # the external entity was never read


def test_a_file_that_takes_too_long_or_too_much_memory_is_skipped_and_the_rest_goes_on(tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "good.txt").write_text(h.GOOD_TEXT, encoding="utf-8")
    rng = random.Random(3)  # 1.5 MB of varied prose: real work for the sentence splitter, no repetition
    words = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(2, 9))) for _ in range(5000)]
    sentences = (" ".join(rng.choice(words) for _ in range(rng.randint(8, 20))).capitalize() + "." for _ in range(20_000))
    (folder / "slow.txt").write_text(" ".join(sentences), encoding="utf-8")
    h.docx_zip_bomb(folder, unpacked=150_000_000)  # within the unpacking bound; more than 100 MB as an XML tree
    settings = Settings(data_dir=tmp_path / "index", file_timeout=2, file_memory_mb=100)
    report = ingest([folder], settings=settings)
    status = {os.path.basename(f.source): (f.status, f.reason) for f in report.files}
    assert status["good.txt"][0] == "added"
    assert status["slow.txt"] == ("skipped", "took longer than 2 s to read (RAG_FILE_TIMEOUT)")
    memory = "needs more than 100 MB of memory to read (RAG_FILE_MEMORY_MB)"
    assert status["zip-bomb.docx"][0] == "skipped" and status["zip-bomb.docx"][1] in (memory, "took longer than 2 s to read (RAG_FILE_TIMEOUT)")
    again = ingest([folder / "good.txt", folder / "zip-bomb.docx"],  # no time limit to speak of
                   settings=Settings(data_dir=tmp_path / "index", file_memory_mb=100))
    again_status = {os.path.basename(f.source): f for f in again.files}
    assert again_status["good.txt"].status == "unchanged"
    assert (again_status["zip-bomb.docx"].status, again_status["zip-bomb.docx"].reason) == ("skipped", memory)


def test_an_edited_file_that_became_unreadable_keeps_its_indexed_version(tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    page = h.good_docx(folder, "story.docx")
    settings = Settings(data_dir=tmp_path / "index")
    assert [f.status for f in ingest([folder], settings=settings).files] == ["added"]
    page.write_bytes(page.read_bytes()[:200])  # the file is damaged after it was indexed
    [result] = ingest([folder], settings=settings).files
    assert result.status == "skipped" and "the version indexed before is kept" in result.reason
    assert search("Lyon train drivers strike", 1, settings=settings)[0].name == "story.docx"


def test_uploads_go_through_the_same_guard(tmp_path):
    from rag.indexing.uploads import save

    folder = tmp_path / "picked"
    folder.mkdir()
    good, bomb, entities = h.good_docx(folder), SMALL_BOMBS["docx zip bomb"](folder), h.docx_entities(folder)
    settings = Settings(data_dir=tmp_path / "index")
    saved, refused = save([good, bomb, entities], settings, names=["good.docx", "bomb.docx", "laughs.docx"])
    assert not refused and len(saved) == 3  # under the size limit: the ingest decides
    status = {f.source.rsplit("/", 1)[-1]: f for f in ingest(saved, prune=False, settings=settings).files}
    assert status["good.docx"].status == "added"
    assert status["bomb.docx"].status == "skipped" and "unpacks to" in status["bomb.docx"].reason
    assert status["laughs.docx"].status == "skipped" and "DTD" in status["laughs.docx"].reason


def test_hostile_feeds_are_reported_and_read_nothing_they_point_at(tmp_path, site, monkeypatch):
    from rag.indexing import feeds

    settings = Settings(data_dir=tmp_path / "index", fetch_private=True)
    for url in ("/feed-laughs.xml", "/feed-xxe.xml", "/feed.xml?n=3000"):
        feeds.add_feed(site + url, settings)
    monkeypatch.setattr(feeds, "MAX_NEW", 4)  # the bound, lowered so the test fetches 4 pages, not 500
    results = {r.url.removeprefix(site): r for r in feeds.sync_feeds(settings)}
    big = results["/feed.xml?n=3000"]
    assert (big.new, big.later, big.error) == (4, 2996, "")  # the rest is left for the next syncs
    assert not results["/feed-laughs.xml"].error and not results["/feed-xxe.xml"].error  # read, as written
    stored = json.dumps(json.loads((settings.data_dir / "feeds.json").read_text()))
    assert "lol lol lol" not in stored  # no entity was expanded (the item's guid is kept as it stands)
    assert "root:" not in stored  # and no external one read


def test_a_reader_that_dies_is_a_skip_with_the_reason():
    from rag.indexing.guard import guarded
    from rag.indexing.reading import Unreadable

    settings = Settings()
    with pytest.raises(Unreadable, match="the reader stopped on this file"):
        guarded(os._exit, 3, settings=settings)
    assert guarded(len, "a new worker took its place", settings=settings) == 27
