"""Ingestion into a real Chroma on disk: offsets, incremental updates, pruning, bad files, repair."""

from __future__ import annotations

import shutil
from dataclasses import replace

import pytest

import rag.indexing.write
import rag.indexing.quotes
from conftest import SEED_FILES
from rag import ingest, remove, search
from rag.index.lexical import LexicalIndex
from rag.indexing.reading import read_raw
from rag.index.store import Store


def _status(report) -> dict[str, str]:
    return {f.source.rsplit("/", 1)[-1]: f.status for f in report.files}


def test_every_stored_chunk_points_exactly_into_its_file(seed_index):
    store = Store(seed_index)
    docs = store.docs()
    assert sorted(d.source.rsplit("/", 1)[-1] for d in docs.values()) == SEED_FILES
    ids = store.all_ids()
    rows = store.get(ids)
    assert len(rows) == len(ids) >= len(SEED_FILES)
    for row in rows.values():
        meta = row.meta
        raw = read_raw(meta.path, meta.encoding)
        assert raw[meta.start : meta.end] == row.text
        assert meta.title and meta.content_hash
    by_name = {d.source.rsplit("/", 1)[-1]: d for d in docs.values()}
    assert by_name["003_d27acffbcd5def62.txt"].date.startswith("2023-03-21")
    assert by_name["004_dbaac4714505962b.txt"].byline == "Keane"


def test_lexical_index_holds_exactly_the_stored_chunks(seed_index):
    assert LexicalIndex(seed_index.lexical_dir).ids() == sorted(Store(seed_index).all_ids())


def test_reingesting_an_unchanged_folder_embeds_nothing(settings, corpus):
    first = ingest([corpus], settings=settings)
    assert set(_status(first).values()) == {"added"}
    assert first.chunks_embedded == first.chunks_total > 0
    again = ingest([corpus], settings=settings)
    assert set(_status(again).values()) == {"unchanged"}
    assert again.chunks_embedded == 0 and again.chunks_reused == 0
    assert again.chunks_total == first.chunks_total


def test_edited_file_is_reembedded_and_its_old_chunks_removed(settings, corpus):
    ingest([corpus], settings=settings)
    target = corpus / "003_d27acffbcd5def62.txt"
    text = target.read_text(encoding="utf-8")
    target.write_text(text.replace("marriage of convenience", "partnership of necessity"), encoding="utf-8")
    report = ingest([corpus], settings=settings)
    assert _status(report)["003_d27acffbcd5def62.txt"] == "updated"
    assert sum(s == "unchanged" for s in _status(report).values()) == 4
    assert 0 < report.chunks_embedded < report.chunks_total
    store = Store(settings)
    texts = [row.text for row in store.get(store.all_ids()).values()]
    assert not any("marriage of convenience" in t for t in texts)
    assert any("partnership of necessity" in t for t in texts)
    top = search("partnership of necessity", 1, settings=settings)[0]
    assert top.name == "003_d27acffbcd5def62.txt"
    assert read_raw(top.path, top.encoding)[top.start : top.end] == top.text


def test_deleted_file_is_pruned_by_default_and_kept_with_no_prune(settings, corpus):
    ingest([corpus], settings=settings)
    (corpus / "001_d3a2d41807ada17a.txt").unlink()
    kept = ingest([corpus], prune=False, settings=settings)
    assert "001_d3a2d41807ada17a.txt" not in _status(kept)
    assert len(Store(settings).docs()) == 5
    pruned = ingest([corpus], settings=settings)
    assert _status(pruned)["001_d3a2d41807ada17a.txt"] == "removed"
    assert len(Store(settings).docs()) == 4
    assert all(p.name != "001_d3a2d41807ada17a.txt" for p in search("diplomatic cover", 20, settings=settings))


def test_renamed_file_reuses_vectors_and_copies_stay_two_sources(settings, corpus):
    ingest([corpus], settings=settings)
    (corpus / "002_8e30010a3892d27c.txt").rename(corpus / "renamed.txt")
    shutil.copy(corpus / "000_965fde6eaf1d91bc.txt", corpus / "copy-of-000.txt")
    report = ingest([corpus], settings=settings)
    status = _status(report)
    assert status["002_8e30010a3892d27c.txt"] == "removed"
    assert status["renamed.txt"] == "added" and status["copy-of-000.txt"] == "added"
    assert report.chunks_embedded == 0 and report.chunks_reused > 0
    docs = Store(settings).docs()
    names = sorted(d.source.rsplit("/", 1)[-1] for d in docs.values())
    assert "copy-of-000.txt" in names and "000_965fde6eaf1d91bc.txt" in names and len(names) == 6
    hits = {p.name for p in search("Putin Xi trade turnover 87 billion 185 billion", 10, settings=settings)}
    assert {"copy-of-000.txt", "000_965fde6eaf1d91bc.txt"} <= hits


def test_changing_chunk_settings_reembeds_everything(settings, corpus):
    first = ingest([corpus], settings=settings)
    smaller = settings.model_copy(update={"chunk_tokens": 120, "chunk_overlap": 20})
    report = ingest([corpus], settings=smaller)
    assert set(_status(report).values()) == {"updated"}
    assert report.chunks_total > first.chunks_total
    assert report.chunks_embedded == report.chunks_total
    store = Store(smaller)
    assert all(len(d.versions) == 1 for d in store.docs().values())
    assert LexicalIndex(smaller.lexical_dir).ids() == sorted(store.all_ids())


def test_bad_files_are_skipped_with_reasons_and_the_rest_goes_on(settings, corpus):
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20)
    (corpus / "huge.txt").write_text("All work and no play. " * 600_000)
    (corpus / "furniture-only.txt").write_text("Advertisement\n\nLeave a comment\n\nShare this article\n")
    (corpus / "notes.pdf").write_bytes(b"%PDF-1.4 not really")
    (corpus / "sheet.xlsx").write_bytes(b"PK\x03\x04 a spreadsheet")
    (corpus / "latin.txt").write_bytes(
        "Rapport spécial\n\nLe ministre a déclaré que la réunion était « très productive » à Genève.\n".encode("cp1252")
    )
    report = ingest([corpus, corpus / "missing.txt"], settings=settings)
    status = _status(report)
    reasons = {f.source.rsplit("/", 1)[-1]: f.reason for f in report.files}
    assert status["empty.txt"] == "skipped" and "empty" in reasons["empty.txt"]
    assert status["image.txt"] == "skipped" and "binary" in reasons["image.txt"]
    assert status["huge.txt"] == "skipped" and "too large" in reasons["huge.txt"]
    assert status["furniture-only.txt"] == "skipped" and "no article text" in reasons["furniture-only.txt"]
    assert status["notes.pdf"] == "skipped" and "not a readable PDF" in reasons["notes.pdf"]
    assert status["sheet.xlsx"] == "skipped" and "unsupported" in reasons["sheet.xlsx"]
    assert status["missing.txt"] == "skipped" and "not found" in reasons["missing.txt"]
    assert status["latin.txt"] == "added"
    assert sum(s == "added" for s in status.values()) == 6
    hit = search("ministre réunion Genève", 1, settings=settings)[0]
    assert hit.name == "latin.txt" and "très productive" in hit.text
    assert read_raw(hit.path, hit.encoding)[hit.start : hit.end] == hit.text


def test_a_file_that_becomes_unreadable_leaves_the_index(settings, corpus):
    ingest([corpus], settings=settings)
    (corpus / "000_965fde6eaf1d91bc.txt").write_bytes(b"")
    report = ingest([corpus], settings=settings)
    assert _status(report)["000_965fde6eaf1d91bc.txt"] == "removed"
    assert all(p.name != "000_965fde6eaf1d91bc.txt" for p in search("trade turnover", 20, settings=settings))


def test_interrupted_ingest_keeps_what_was_embedded_and_the_next_run_finishes(settings, corpus, monkeypatch):
    monkeypatch.setattr(rag.indexing.write, "_STEP", 4)  # commit after every few chunks, as a big run does

    def interrupt(done, total):
        if done >= 12:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        ingest([corpus], settings=settings, progress=interrupt)
    kept = len(Store(settings).all_ids())
    assert kept == 8  # two steps committed; the third was embedded but not yet written
    report = ingest([corpus], settings=settings)
    assert report.chunks_embedded == report.chunks_total - kept  # nothing already stored is embedded again
    status = _status(report)  # files written in full before the interruption are unchanged now
    assert "added" in status.values() and set(status.values()) <= {"added", "unchanged"}
    docs = Store(settings).docs()
    assert len(docs) == 5 and all(len(d.versions) == 1 and v.complete for d in docs.values() for v in d.versions.values())
    assert LexicalIndex(settings.lexical_dir).ids() == sorted(Store(settings).all_ids())


def test_leftover_chunks_of_an_interrupted_update_are_cleaned(settings, corpus):
    ingest([corpus], settings=settings)
    store = Store(settings)
    doc = next(d for d in store.docs().values() if d.source.endswith("004_dbaac4714505962b.txt"))
    (version, stored), = doc.versions.items()
    rows = store.get(stored.ids, embeddings=True)
    # what a crash between writing a new version and deleting the old one leaves behind
    stale_ids = [i.replace(version, "0123456789ab") for i in stored.ids]
    store.upsert(
        stale_ids,
        [rows[i].embedding for i in stored.ids],
        [rows[i].text for i in stored.ids],
        [replace(rows[i].meta, version="0123456789ab") for i in stored.ids],
    )
    report = ingest([corpus], settings=settings)
    assert _status(report)["004_dbaac4714505962b.txt"] == "unchanged"
    assert any("interrupted" in n for n in report.notes)
    assert not set(stale_ids) & set(Store(settings).all_ids())


def test_a_lost_lexical_index_answers_by_meaning_and_the_next_ingest_rebuilds_it(settings, corpus):
    from rag import answer

    ingest([corpus], settings=settings)
    shutil.rmtree(settings.lexical_dir)
    top = search("Mishustin Lavrov Shoigu", 1, settings=settings)[0]
    assert top.name == "002_8e30010a3892d27c.txt" and top.bm25 == 0  # dense retrieval alone
    assert not settings.lexical_dir.exists()  # reading never writes
    a = answer("Which Russian officials besides Putin did Xi meet?", settings=settings)
    assert "Mishustin" in a.text and any("keyword index is not in step" in n for n in a.notes)
    ingest([corpus], settings=settings)  # unchanged files: the writer only brings BM25 in step
    assert LexicalIndex(settings.lexical_dir).ids() == sorted(Store(settings).all_ids())
    assert search("Mishustin Lavrov Shoigu", 1, settings=settings)[0].bm25 > 0


def test_remove_takes_a_source_out(settings, corpus):
    ingest([corpus], settings=settings)
    report = remove(["003_d27acffbcd5def62.txt", "nothing-like-this.txt"], settings=settings)
    assert _status(report) == {"003_d27acffbcd5def62.txt": "removed", "nothing-like-this.txt": "skipped"}
    assert (corpus / "003_d27acffbcd5def62.txt").exists()
    assert all(p.name != "003_d27acffbcd5def62.txt" for p in search("Kirby", 20, settings=settings))


def test_speakers_are_indexed_with_the_chunks(seed_index):
    from rag.indexing.quotes import same_person

    store = Store(seed_index)
    kirby = store.with_speaker("kirby")
    assert kirby and all(r.meta.name == "003_d27acffbcd5def62.txt" for r in kirby.values())
    said = [st for r in kirby.values() for st in r.meta.statements if same_person(st.speaker, "Kirby")]
    texts = {read_raw(r.meta.path, "utf-8")[st.start : st.end] for r in kirby.values() for st in r.meta.statements
             if same_person(st.speaker, "Kirby")}
    assert said and any("marriage of convenience" in t for t in texts)
    assert {r.meta.name for r in store.with_speaker("blinken").values()} >= {
        "000_965fde6eaf1d91bc.txt", "002_8e30010a3892d27c.txt", "004_dbaac4714505962b.txt"}


def test_an_older_speaker_index_is_rebuilt_without_re_embedding(settings, corpus):
    ingest([corpus], settings=settings)
    store = Store(settings)
    ids = store.all_ids()
    rows = store.get(ids)
    store.update_metadata(ids, [replace(rows[i].meta, index_version="0") for i in ids])
    for record in store.articles.all():  # what an index written by older speaker rules says of itself
        store.articles.update(record.doc_id, index_version="0")
    report = ingest([corpus], settings=settings)
    assert report.chunks_embedded == 0 and set(_status(report).values()) == {"unchanged"}
    assert any("speaker index" in n for n in report.notes)
    assert {d.index_version for d in Store(settings).docs().values()} == {rag.indexing.plan.INDEX_VERSION}
    assert {d.index_version for d in Store(settings).scan_docs().values()} == {rag.indexing.plan.INDEX_VERSION}
    assert ingest([corpus], settings=settings).notes == ()
