"""Uploads: names made safe, sizes limited, HTML turned into citable text."""

from __future__ import annotations

from rag import Settings, answer, ingest
from rag.indexing.reading import read_raw
from rag.indexing.uploads import safe_name, save, uploads_dir

PAGE = """<html><head><title>Storm closes ports - Example News</title>
<meta property="article:published_time" content="2024-03-03T10:00:00Z"><meta name="author" content="Jane Doe"></head>
<body><nav>Home | World | Sport</nav><div class="ad">Advertisement</div>
<article><h1>Storm closes ports along the coast</h1>
<p>Officials closed three ports on Sunday as the storm approached, the coast guard said.</p>
<p>"We are ready," said the harbour master, Piet de Vries.</p>
<p>The ports are expected to reopen on Tuesday if the winds drop below gale force.</p></article>
<aside>Related: Ports reopen after last year's floods</aside><footer>© 2024 Example News.</footer></body></html>"""


def test_names_cannot_leave_the_uploads_folder():
    assert safe_name("../../etc/passwd.txt") == "passwd.txt"
    assert safe_name("..\\..\\windows\\win.ini") == "win.ini"
    assert safe_name("My article (1).TXT") == "My_article_1.txt"
    assert safe_name("....txt") == "article.txt"
    assert safe_name("/") == "article"
    assert len(safe_name("x" * 500 + ".md")) <= 83


def test_save_refuses_big_and_unknown_files_and_html_is_converted_by_the_ingest(tmp_path):
    settings = Settings(data_dir=tmp_path / "index", max_file_mb=0.01)
    page = tmp_path / "story.html"
    page.write_text(PAGE, encoding="utf-8")
    big = tmp_path / "big.txt"
    big.write_text("word " * 5000)
    odd = tmp_path / "notes.xlsx"
    odd.write_bytes(b"PK\x03\x04")
    evil = tmp_path / "evil.txt"
    evil.write_text("Evil\n\nA sentence that is long enough to be an article paragraph here.")
    saved, refused = save([page, big, odd, evil], settings, names=["story.html", "big.txt", "notes.xlsx", "../../evil.txt"])
    reasons = {r.source: r.reason for r in refused}
    assert "too large" in reasons["big.txt"] and "unsupported" in reasons["notes.xlsx"]
    assert [p.name for p in saved] == ["story.html", "evil.txt"]  # the page as uploaded
    assert all(p.parent == uploads_dir(settings) for p in saved)

    report = ingest(saved, prune=False, settings=settings)
    assert [f.status for f in report.files] == ["added", "added"]
    a = answer("When are the ports expected to reopen?", settings=settings)
    assert not a.abstained and "Tuesday" in a.text
    c = a.citations[0]
    assert c.name == "story.html" and read_raw(c.path, c.encoding)[c.start : c.end] == c.quote
    text = read_raw(c.path, c.encoding)  # the page's text, converted at ingest
    assert text.startswith("Storm closes ports along the coast") and "By Jane Doe" in text
    assert "Advertisement" not in text and "Related:" not in text and "Home | World" not in text


def test_the_same_upload_twice_is_one_file_and_a_different_one_gets_a_new_name(tmp_path):
    settings = Settings(data_dir=tmp_path / "index")
    first, second = tmp_path / "a.txt", tmp_path / "b.txt"
    first.write_text("One\n\nFirst version of an article with enough words in it.")
    second.write_text("Two\n\nSecond, different article with enough words in it too.")
    saved1, _ = save([first], settings, names=["note.txt"])
    again, _ = save([first], settings, names=["note.txt"])
    other, _ = save([second], settings, names=["note.txt"])
    assert saved1 == again and other[0].name == "note-2.txt"
