"""Articles as people get them: a saved web page (with its site furniture), a PDF written by a PDF
library, a Word file written by python-docx, ingested by `ingest()` like text files. Each is cited
word for word from its converted text under RAG_DATA_DIR/converted/, named by its own file name;
an unchanged original is not converted again; bad files are skipped with the reason."""

from __future__ import annotations

import os

import pytest

from conftest import run_cli

STRIKE = [
    "Dock workers at the port of Rotterdam ended a three-day strike on Friday after their union accepted a "
    "6 percent pay rise, the union spokesperson Pieter Bakker said.",
    "Shipping companies said container traffic would return to normal by Monday.",
]
PAGE_TWO = "The port authority said 40 ships had waited at anchor during the strike, a record for the port."


def _pdf(path, paragraphs, second_page: str | None = None, text: bool = True):
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    if text:
        pdf.multi_cell(0, 8, "Harbour strike ends in Rotterdam")
        for p in paragraphs:
            pdf.ln(3)
            pdf.multi_cell(0, 6, p)
    else:
        pdf.rect(20, 20, 100, 60, style="F")  # a scan: a picture, no text layer
    if second_page:
        pdf.add_page()
        pdf.multi_cell(0, 6, second_page)
    pdf.output(str(path))


def _docx(path):
    import docx

    d = docx.Document()
    d.core_properties.title = "Council approves harbour budget"
    d.core_properties.author = "Anna Visser"
    d.add_heading("Council approves harbour budget", 1)
    d.add_paragraph("The city council of Port Marlow approved a harbour budget of 12 million euros on Tuesday, "
                    "the mayor said.")
    d.add_paragraph("Critics said the plan did too little for the fishing fleet.")
    d.save(str(path))


PAGE = ("<html><head><title>Ferry line reopens | Harbour Gazette</title>"
        "<meta property='og:site_name' content='Harbour Gazette'></head><body>"
        "<nav><a href='/'>Home</a> | <a href='/world'>World</a> | <a href='/sport'>Sport</a></nav>"
        "<article><h1>Ferry line reopens</h1><p>By Jan de Vries</p>"
        "<p>The ferry line between Rotterdam and Hull reopened on Wednesday after a two-week closure for "
        "repairs, the operator said.</p><p>Passengers said the crossing was calm and the ship was full.</p>"
        "</article><aside>Most read: Storm warning for the coast</aside>"
        "<footer>Subscribe to our newsletter. Cookie settings. Comments (3)</footer></body></html>")


@pytest.fixture
def formats(tmp_path):
    folder = tmp_path / "inbox"
    folder.mkdir()
    _pdf(folder / "strike.pdf", STRIKE, PAGE_TWO)
    _docx(folder / "budget.docx")
    (folder / "ferry.html").write_text(PAGE, encoding="utf-8")
    _pdf(folder / "scan.pdf", [], text=False)
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj <<>> garbage")
    (folder / "renamed.docx").write_bytes(b"PK\x03\x04 not really a zip")
    return folder


def test_pdf_word_and_html_are_read_cited_and_kept_in_step(tmp_path, formats):
    from rag import Settings, answer, articles, ingest, remove

    settings = Settings(data_dir=tmp_path / "index")
    report = ingest([formats], settings=settings)
    added = {os.path.basename(f.source): f for f in report.by_status("added")}
    assert set(added) == {"strike.pdf", "budget.docx", "ferry.html"}
    assert added["budget.docx"].title == "Council approves harbour budget"
    skipped = {os.path.basename(f.source): f.reason for f in report.by_status("skipped")}
    assert "no text in the PDF" in skipped["scan.pdf"] and "OCR" in skipped["scan.pdf"]
    assert "not a readable PDF" in skipped["broken.pdf"] and "not a readable Word file" in skipped["renamed.docx"]

    listed = {a.name: a for a in articles(settings=settings)}
    assert set(listed) == {"strike.pdf", "budget.docx", "ferry.html"}  # named as the user knows them
    assert listed["ferry.html"].outlet == "Harbour Gazette" and listed["budget.docx"].byline == "Anna Visser"

    a = answer("How many ships waited at anchor during the Rotterdam strike?", settings=settings)
    c = next(c for c in a.citations if c.name == "strike.pdf")
    assert "40 ships" in c.quote and c.page == 2 and c.label.endswith("· p. 2")  # page two of the PDF
    assert all(x.page == 0 for x in a.citations if x.name != "strike.pdf")
    assert open(c.path, encoding=c.encoding).read()[c.start:c.end] == c.quote  # the converted text, exactly
    assert c.path.startswith(str(settings.data_dir / "converted"))
    ferry = answer("When did the ferry line between Rotterdam and Hull reopen?", settings=settings)
    assert any(c.name == "ferry.html" for c in ferry.citations)
    text = open(next(c for c in ferry.citations if c.name == "ferry.html").path, encoding="utf-8").read()
    assert "Subscribe" not in text and "Most read" not in text and "Home" not in text  # the furniture is gone

    converted = sorted((settings.data_dir / "converted").glob("*.txt"))
    stamps = [p.stat().st_mtime_ns for p in converted]
    again = ingest([formats], settings=settings)
    assert len(again.by_status("unchanged")) == 3 and again.chunks_embedded == 0
    assert [p.stat().st_mtime_ns for p in converted] == stamps  # an unchanged original is not converted again

    _pdf(formats / "strike.pdf", STRIKE[:1], "The port authority said 41 ships had waited at anchor.")
    edited = ingest([formats], settings=settings)
    assert [os.path.basename(f.source) for f in edited.by_status("updated")] == ["strike.pdf"]
    assert len(list((settings.data_dir / "converted").glob("*.txt"))) == 3  # one text per original, replaced

    removed = remove("budget.docx", settings=settings)
    assert [os.path.basename(f.source) for f in removed.by_status("removed")] == ["budget.docx"]
    assert len(list((settings.data_dir / "converted").glob("*.txt"))) == 2
    (formats / "ferry.html").unlink()
    pruned = ingest([formats], settings=settings)
    assert [os.path.basename(f.source) for f in pruned.by_status("removed")] == ["ferry.html"]
    assert [os.path.basename(f.source) for f in pruned.by_status("added")] == ["budget.docx"]  # still in the folder
    assert len(list((settings.data_dir / "converted").glob("*.txt"))) == 2  # the text of what left goes too


def test_the_cli_ingests_a_pdf(tmp_path):
    folder = tmp_path / "inbox"
    folder.mkdir()
    _pdf(folder / "strike.pdf", STRIKE, PAGE_TWO)
    data = tmp_path / "index"
    assert run_cli("ingest", str(folder / "strike.pdf"), data_dir=data).returncode == 0
    asked = run_cli("ask", "How many ships waited at anchor?", data_dir=data)
    assert asked.returncode == 0 and "40 ships" in asked.stdout and "strike.pdf" in asked.stdout
