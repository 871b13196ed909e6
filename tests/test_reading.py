"""Encodings, newlines and bad files: text is read as open(path, encoding=...) reads it."""

from __future__ import annotations

import pytest

from conftest import SEEDS
from rag.indexing.reading import Unreadable, read_raw, read_text_file

ARTICLE = (SEEDS / "003_d27acffbcd5def62.txt").read_text(encoding="utf-8")


def test_cp1252_text_is_decoded_not_skipped(tmp_path):
    path = tmp_path / "cp1252.txt"
    text = "Kirby’s “marriage of convenience” remark — café, naïve, 5 €.\n\nSecond paragraph here."
    path.write_bytes(text.encode("cp1252"))
    file = read_text_file(path, 1_000_000)
    assert file.encoding in ("cp1252", "windows-1252")
    assert file.text == text
    assert read_raw(path, file.encoding) == file.text


def test_latin1_text_is_decoded(tmp_path):
    path = tmp_path / "latin1.txt"
    text = "Le président a visité Moscou. Façade, élève, à bientôt. Señor Ibáñez también habló.\n"
    path.write_bytes(text.encode("latin-1"))
    file = read_text_file(path, 1_000_000)
    assert file.text == text


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"])
def test_byte_order_marks(tmp_path, encoding):
    path = tmp_path / f"{encoding}.txt"
    path.write_bytes(ARTICLE.encode(encoding))
    file = read_text_file(path, 1_000_000)
    assert file.text == ARTICLE
    assert read_raw(path, file.encoding) == ARTICLE


def test_windows_newlines_match_what_open_returns(tmp_path):
    path = tmp_path / "crlf.txt"
    path.write_bytes(ARTICLE.replace("\n", "\r\n").encode("utf-8"))
    file = read_text_file(path, 1_000_000)
    assert file.text == read_raw(path, file.encoding) == ARTICLE


@pytest.mark.parametrize(
    "content,reason",
    [
        (b"", "empty"),
        (b"   \n\n\t  \n", "empty"),
        (bytes(range(256)) * 40, "binary"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00\x10" * 500, "binary"),
    ],
)
def test_empty_and_binary_files_are_refused_with_a_reason(tmp_path, content, reason):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(Unreadable, match=reason):
        read_text_file(path, 1_000_000)


def test_oversized_files_are_refused_before_reading(tmp_path):
    path = tmp_path / "big.txt"
    path.write_text("word " * 300_000)
    with pytest.raises(Unreadable, match="too large"):
        read_text_file(path, 1_000_000)
