"""The article manifest (rag/index/articles.py): one record per file beside the chunks, from which
ingest plans, the library lists and copies are found. An index written before it is listed once;
a run killed between its writes is repaired by the next change; removals leave a mark that other
processes can read; nothing that was indexed is lost on the way."""

from __future__ import annotations

import os
import shutil
from dataclasses import replace

from conftest import SEED_FILES
from rag import ingest, remove
from rag.index.articles import now
from rag.index.library import articles
from rag.index.schema import chunk_id, doc_id_for
from rag.index.store import Store


def _names(settings) -> set[str]:
    return {a.name for a in articles(settings)}


def test_an_index_written_before_the_manifest_is_listed_once_without_re_embedding(settings, corpus):
    ingest([corpus], settings=settings)
    store = Store(settings)
    before = {a.name: (a.title, a.chunks, a.outlet) for a in articles(settings)}
    store.articles.client.delete_collection(store.articles.name)  # what an older newsrag left: chunks only
    old = Store(settings)
    assert not old.articles.ready() and _names(settings) == set(SEED_FILES)  # readers use the chunks meanwhile
    report = ingest([corpus], settings=settings)
    assert report.chunks_embedded == 0 and any("article manifest" in n for n in report.notes)
    fresh = Store(settings)
    assert fresh.articles.ready() and fresh.articles.count() == 5
    assert {a.name: (a.title, a.chunks, a.outlet) for a in articles(settings)} == before
    assert ingest([corpus], settings=settings).notes == ()  # once


def test_a_killed_run_is_repaired_by_the_next_change(settings, corpus):
    ingest([corpus], settings=settings)
    store = Store(settings)
    record = next(iter(store.articles.all()))
    # a run killed after writing part of a version nobody will finish, and leaving the manifest unclean
    orphan = chunk_id(record.doc_id, "deadbeef0000", 0)
    row = store.get([record.ids[0]], embeddings=True)[record.ids[0]]
    store.upsert([orphan], [row.embedding], [row.text], [replace(row.meta, version="deadbeef0000")])
    store.articles.set_state(clean=False, chunks=-1)
    report = ingest([corpus], settings=settings)
    assert any("repaired the index" in n for n in report.notes), report.notes
    assert orphan not in set(Store(settings).all_ids())
    assert report.chunks_embedded == 0 and _names(settings) == set(SEED_FILES)


def test_chunks_whose_record_was_lost_are_listed_again(settings, corpus):
    ingest([corpus], settings=settings)
    store = Store(settings)
    lost = next(iter(store.articles.all()))
    store.articles.drop([lost.doc_id])  # killed between writing a file's chunks and its record
    store.articles.set_state(clean=False, chunks=-1)
    report = ingest([corpus], settings=settings)
    assert report.chunks_embedded == 0
    assert Store(settings).articles.get([lost.doc_id])[lost.doc_id].n_chunks == lost.n_chunks


def test_a_removal_is_marked_for_other_readers_and_a_re_ingest_brings_the_article_back(settings, corpus):
    ingest([corpus], settings=settings)
    since = now()
    target = corpus / SEED_FILES[0]
    remove([target], settings=settings)
    store = Store(settings)
    changed = store.articles.changed_since(since)
    assert [(r.doc_id, r.removed) for r in changed] == [(doc_id_for(str(target.resolve())), True)]
    assert SEED_FILES[0] not in _names(settings) and store.articles.count() == 4
    report = ingest([corpus], settings=settings)
    assert [f.status for f in report.files if f.source.endswith(SEED_FILES[0])] == ["added"]
    assert _names(settings) == set(SEED_FILES)


def test_a_renamed_folder_is_planned_from_the_manifest(settings, corpus, tmp_path):
    ingest([corpus], settings=settings)
    moved = tmp_path / "moved"
    shutil.copytree(corpus, moved)
    report = ingest([moved], settings=settings)
    assert report.chunks_embedded == 0 and report.chunks_reused > 0  # the same texts: vectors copied
    assert Store(settings).articles.count() == 10


def test_an_unchanged_folder_is_known_by_size_and_time_and_an_edit_by_its_bytes(settings, corpus):
    ingest([corpus], settings=settings)
    target = corpus / SEED_FILES[2]
    before = target.stat()
    text = target.read_text(encoding="utf-8")
    edited = text.replace("Beijing", "Peking", 1)
    assert len(edited.encode()) == len(text.encode()) - 1
    target.write_text(edited + " ", encoding="utf-8")  # the same size, and the old time put back
    os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))
    quiet = ingest([corpus], settings=settings)
    assert set(f.status for f in quiet.files) == {"unchanged"}  # not read: size and time say unchanged, as git does
    os.utime(target)  # touched: read again, and the edit is found
    found = ingest([corpus], settings=settings)
    assert [f.status for f in found.files if f.source.endswith(SEED_FILES[2])] == ["updated"]
    target.write_text(text, encoding="utf-8")
    ingest([corpus], settings=settings)
    os.utime(target)  # touched, bytes the same: unchanged, and its new time remembered
    touched = ingest([corpus], settings=settings)
    assert set(f.status for f in touched.files) == {"unchanged"} and touched.chunks_embedded == 0
    record = Store(settings).articles.get([doc_id_for(str(target.resolve()))])[doc_id_for(str(target.resolve()))]
    assert (record.size, record.mtime_ns) == (target.stat().st_size, target.stat().st_mtime_ns)


def test_records_that_keep_their_signature_in_the_document_are_still_read_as_copies(settings, corpus, tmp_path):
    import json

    from rag.index.library import carried_also

    twin = tmp_path / "twin"
    twin.mkdir()
    shutil.copy(corpus / SEED_FILES[0], twin / "copy.txt")
    ingest([corpus, twin], settings=settings)
    store = Store(settings)
    collection = store.articles.collection
    rows = collection.get(include=["documents", "metadatas", "embeddings"])
    for doc_id, document, meta, vector in zip(rows["ids"], rows["documents"], rows["metadatas"], rows["embeddings"]):
        data = json.loads(document)
        data["signature"] = meta.pop("signature")  # as records were written before the signature moved
        collection.delete(ids=[doc_id])
        collection.add(ids=[doc_id], documents=[json.dumps(data)], metadatas=[meta], embeddings=[vector])
    from rag.index.opened import open_index

    also = carried_also(open_index(settings), [str((twin / "copy.txt").resolve())])
    assert len(next(iter(also.values()))) == 1
