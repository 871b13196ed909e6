"""Chunks are token-sized, sentence-aligned, overlapping, and point exactly into the raw file."""

from __future__ import annotations

import pytest

from conftest import SEEDS, SEED_FILES
from rag.indexing.chunking import chunk_document
from rag.indexing.documents import parse
from rag.offline import encoding
from rag.indexing.reading import read_raw, read_text_file
from rag.indexing.sentences import sentence_spans


@pytest.mark.parametrize("name", SEED_FILES)
def test_every_chunk_round_trips_into_the_raw_file(name):
    file = read_text_file(SEEDS / name, 10_000_000)
    raw = read_raw(SEEDS / name, file.encoding)
    chunks = chunk_document(parse(file.text, name), size=120, overlap=30)
    assert chunks
    for chunk in chunks:
        assert raw[chunk.start : chunk.end] == chunk.text


@pytest.mark.parametrize("size,overlap", [(80, 20), (200, 40), (400, 0)])
def test_chunks_respect_the_token_budget_and_overlap(size, overlap):
    file = read_text_file(SEEDS / "003_d27acffbcd5def62.txt", 10_000_000)
    doc = parse(file.text)
    chunks = chunk_document(doc, size=size, overlap=overlap)
    enc = encoding("cl100k_base")
    for chunk in chunks:
        assert len(enc.encode_ordinary(chunk.text)) == chunk.tokens
        assert chunk.tokens <= size + 8  # paragraph breaks between sentences add a token or two
    # every sentence of the body lies inside some chunk
    for sentence in sentence_spans(doc.text, doc.blocks[0].start, doc.blocks[-1].end):
        assert any(c.start <= sentence.start and sentence.end <= c.end for c in chunks)
    pairs = list(zip(chunks, chunks[1:]))
    if overlap:
        assert any(b.start < a.end for a, b in pairs), "consecutive chunks should share sentences"
    else:
        assert all(b.start >= a.end for a, b in pairs)


def test_chunks_start_and_end_on_sentence_boundaries():
    file = read_text_file(SEEDS / "004_dbaac4714505962b.txt", 10_000_000)
    doc = parse(file.text)
    sentences = sentence_spans(doc.text, doc.blocks[0].start, doc.blocks[-1].end)
    starts = {s.start for s in sentences}
    ends = {s.end for s in sentences}
    for chunk in chunk_document(doc, size=100, overlap=20):
        assert chunk.start in starts and chunk.end in ends


def test_text_without_punctuation_or_spaces_is_still_cut_to_size():
    text = "Headline\n\n" + " ".join(f"word{i}" for i in range(3000)) + "\n\n" + "x" * 20000 + "\n"
    doc = parse(text)
    chunks = chunk_document(doc, size=150, overlap=30)
    assert len(chunks) > 20
    for chunk in chunks:
        assert text[chunk.start : chunk.end] == chunk.text
        assert chunk.tokens <= 160
    covered = sum(c.end - c.start for c in chunks)
    assert covered >= len(text) - 200


@pytest.mark.parametrize("link", [
    "Read more: An unrelated story about something else entirely",
    "More:Singer cancels three concerts after two arrested in alleged plot",  # a label glued to a headline
    "Opinion:Lawmakers want to ban the app, but it would not work",
])
def test_chunks_never_cross_removed_furniture(link):
    text = (
        "Headline of a story\n\n"
        "The first paragraph says something that matters to the story at hand.\n\n"
        f"{link}\n\n"
        "The second paragraph continues the story after the link line.\n"
    )
    chunks = chunk_document(parse(text), size=500, overlap=0)
    assert len(chunks) == 2
    assert all(link[:8] not in c.text for c in chunks)


@pytest.mark.parametrize("line", [
    "Update: The police said the road would reopen on Friday.",  # a colon and a space: prose
    "Note: the figures are provisional and may change.",
    "At 10:30 the court adjourned.",
])
def test_a_labelled_sentence_is_kept(line):
    from rag.indexing.boilerplate import furniture_reason

    assert furniture_reason(line) is None


@pytest.mark.parametrize("paragraph", [
    "Old Bond meets new in 'Spectre'",
    "Old Bond meets new in 'Spectre' (0)",
    "A headline (AP) Then more",
    "In the hands of the right creative types, King Lear can be more than a British king going mad.",
    "WASHINGTON (AP) Lawmakers met on Tuesday.",
    "The museum closed its doors for public health reasons..",
    "He said it was over. Then he left.",
    "“It seems clear,” Murkowski said.",
    "Carlson added that he was tired and 'I can’t handle much more' of this.",
    "A5word (d6h2ai'^iU S }!",
    "Prices rose 3.5 percent in May",
    "Why now? Nobody knows",
    "  Indented line with trailing space.   ",
])
def test_a_paragraph_taken_as_one_sentence_without_the_segmenter_is_cut_as_the_segmenter_cuts_it(paragraph):
    from rag.indexing import sentences

    text = "Title\n\n" + paragraph + "\n"
    start, end = 7, 7 + len(paragraph)
    assert sentences.sentence_spans(text, start, end) == sentences._segmented(text, start, end)
