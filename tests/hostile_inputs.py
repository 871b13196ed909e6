"""Files a hostile (or unlucky) user hands to `rag ingest`, made on the spot: decompression bombs,
entity expansion, damaged and truncated documents, pathological text. The tests put them beside
good files; benchmarks/hostile_pass.py runs the whole set (and more) through every way in.

Each maker writes one file into a folder and returns its path; `HOSTILE` names them all.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from pathlib import Path
from typing import Callable

GOOD_TEXT = (
    "Harbour strike ends in Rotterdam\n\n"
    "Dock workers at the port of Rotterdam ended a three-day strike on Friday after their union accepted a "
    "6 percent pay rise, the union spokesperson Pieter Bakker said.\n"
)


# --- PDF -------------------------------------------------------------------------------------------

def pdf_bytes(streams: list[bytes], *, compressed: bool = False, pages: int | None = None) -> bytes:
    """A minimal PDF whose pages draw `streams` (Flate-compressed when asked); `pages` repeats one
    page object that many times in the page tree."""
    objects: list[bytes] = []
    n_pages = pages or len(streams)
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(len(streams)))
    if pages:
        kids = " ".join(["3 0 R"] * pages)
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {n_pages} >>".encode())
    font = 3 + 2 * len(streams)
    for i, stream in enumerate(streams):
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {4 + 2 * i} 0 R "
                       f"/Resources << /Font << /F1 {font} 0 R >> >> >>".encode())
        data = zlib.compress(stream, 9) if compressed else stream
        flt = b" /Filter /FlateDecode" if compressed else b""
        objects.append(b"<< /Length %d%s >>\nstream\n" % (len(data), flt) + data + b"\nendstream")
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % n + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def _text_stream(text: str) -> bytes:
    return b"BT /F1 12 Tf 72 720 Td (" + text.replace("(", "").replace(")", "").encode("latin-1") + b") Tj ET"


def good_pdf(folder: Path, name: str = "good.pdf") -> Path:
    path = folder / name
    path.write_bytes(pdf_bytes([_text_stream("Ferry crews in Calais ended their walkout after a pay deal, "
                                             "the union said on Tuesday.")]))
    return path


def pdf_flate_bomb(folder: Path, inflated: int = 1_000_000_000) -> Path:
    """A page whose content stream inflates from about 1/1000 of `inflated` bytes to `inflated`."""
    path = folder / "flate-bomb.pdf"
    path.write_bytes(pdf_bytes([b"BT /F1 12 Tf 72 720 Td (bomb) Tj ET\n" + b" " * inflated], compressed=True))
    return path


def pdf_many_pages(folder: Path) -> Path:
    """One small page listed 200,000 times in the page tree."""
    path = folder / "many-pages.pdf"
    path.write_bytes(pdf_bytes([_text_stream("A page of text repeated.")], pages=200_000))
    return path


def pdf_truncated(folder: Path) -> Path:
    path = folder / "truncated.pdf"
    data = pdf_bytes([_text_stream("This document stops half-way through its bytes.")])
    path.write_bytes(data[: len(data) // 2])
    return path


def pdf_garbage(folder: Path) -> Path:
    path = folder / "garbage.pdf"
    path.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 400)
    return path


def pdf_xref_loop(folder: Path) -> Path:
    """Pages whose /Parent and /Kids point at each other."""
    path = folder / "loop.pdf"
    body = (b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
            b"2 0 obj\n<< /Type /Pages /Kids [2 0 R] /Count 1 /Parent 2 0 R >>\nendobj\n"
            b"trailer\n<< /Root 1 0 R >>\n%%EOF\n")
    path.write_bytes(body)
    return path


# --- DOCX ------------------------------------------------------------------------------------------

_CONTENT_TYPES = (b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                  b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                  b'<Default Extension="xml" ContentType="application/xml"/>'
                  b'<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
                  b'</Types>')
_RELS = (b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
         b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
         b'</Relationships>')
_W = b'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def docx_bytes(document_xml: bytes, extra: dict[str, bytes] | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CONTENT_TYPES)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("word/document.xml", document_xml)
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return out.getvalue()


def _paragraphs_xml(paragraphs: list[str], prolog: bytes = b"") -> bytes:
    body = b"".join(b"<w:p><w:r><w:t>" + p.encode() + b"</w:t></w:r></w:p>" for p in paragraphs)
    return b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' + prolog + b"<w:document " + _W + b"><w:body>" + body + b"</w:body></w:document>"


def good_docx(folder: Path, name: str = "good.docx") -> Path:
    path = folder / name
    path.write_bytes(docx_bytes(_paragraphs_xml(["Rail strike called off in Lyon",
                                                 "Train drivers in Lyon called off a strike planned for Monday after talks "
                                                 "with the operator, their union said."])))
    return path


def docx_entities(folder: Path) -> Path:
    """document.xml with nested entities (a "billion laughs")."""
    ents = b'<!ENTITY a0 "laugh laugh laugh laugh laugh laugh laugh laugh laugh laugh">'
    for i in range(1, 10):
        ents += b'<!ENTITY a%d "' % i + (b"&a%d;" % (i - 1)) * 10 + b'">'
    prolog = b"<!DOCTYPE w:document [" + ents + b"]>"
    xml = (b'<?xml version="1.0"?>' + prolog + b"<w:document " + _W + b"><w:body><w:p><w:r><w:t>&a9;</w:t></w:r></w:p>"
           b"</w:body></w:document>")
    path = folder / "entities.docx"
    path.write_bytes(docx_bytes(xml))
    return path


def docx_external_entity(folder: Path) -> Path:
    """document.xml that asks for /etc/passwd through an external entity (XXE)."""
    prolog = b'<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    xml = (b'<?xml version="1.0"?>' + prolog + b"<w:document " + _W + b"><w:body><w:p><w:r><w:t>Leak: &xxe;</w:t></w:r></w:p>"
           b"</w:body></w:document>")
    path = folder / "xxe.docx"
    path.write_bytes(docx_bytes(xml))
    return path


def docx_zip_bomb(folder: Path, unpacked: int = 2_000_000_000) -> Path:
    """A few MB of zip that unpacks to a document.xml of `unpacked` bytes of paragraphs."""
    paragraph = b"<w:p><w:r><w:t>" + b"word " * 200 + b"</w:t></w:r></w:p>"
    path = folder / "zip-bomb.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", _CONTENT_TYPES)
        z.writestr("_rels/.rels", _RELS)
        with z.open("word/document.xml", "w", force_zip64=True) as member:
            member.write(b'<?xml version="1.0"?><w:document ' + _W + b"><w:body>")
            block = paragraph * 1000
            for _ in range(unpacked // len(block)):
                member.write(block)
            member.write(b"</w:body></w:document>")
    return path


def docx_many_members(folder: Path) -> Path:
    path = folder / "many-members.docx"
    path.write_bytes(docx_bytes(_paragraphs_xml(["A document with a hundred thousand parts."]),
                                {f"word/media/p{i}.xml": b"<x/>" for i in range(100_000)}))
    return path


def docx_truncated(folder: Path) -> Path:
    data = good_docx(folder, "tmp-truncate.docx").read_bytes()
    (folder / "tmp-truncate.docx").unlink()
    path = folder / "truncated.docx"
    path.write_bytes(data[: len(data) // 2])
    return path


def docx_not_zip(folder: Path) -> Path:
    path = folder / "not-a-zip.docx"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 5000)
    return path


def docx_bad_xml(folder: Path) -> Path:
    path = folder / "bad-xml.docx"
    path.write_bytes(docx_bytes(b"<w:document " + _W + b"><w:body><w:p>unclosed"))
    return path


def docx_deep_xml(folder: Path) -> Path:
    path = folder / "deep-xml.docx"
    depth = 100_000
    path.write_bytes(docx_bytes(b"<w:document " + _W + b"><w:body>" + b"<w:p>" * depth + b"deep" + b"</w:p>" * depth
                                + b"</w:body></w:document>"))
    return path


# --- HTML ------------------------------------------------------------------------------------------

def good_html(folder: Path, name: str = "good.html") -> Path:
    path = folder / name
    path.write_text("<html><head><title>Bus drivers strike in Leeds</title></head><body><article><h1>Bus drivers "
                    "strike in Leeds</h1><p>Bus drivers in Leeds walked out on Wednesday over pay, and the operator "
                    "said talks would resume next week with the union's negotiators.</p><p>The walkout left "
                    "commuters across the city without their usual services for the whole day.</p></article>"
                    "</body></html>", encoding="utf-8")
    return path


def html_nested(folder: Path) -> Path:
    path = folder / "nested.html"
    path.write_text("<html><body>" + "<div>" * 200_000 + "<p>deep text</p>" + "</div>" * 200_000 + "</body></html>")
    return path


def html_huge_text(folder: Path) -> Path:
    """A page of 9 MB of one paragraph with no spaces."""
    path = folder / "huge.html"
    path.write_text("<html><body><article><p>" + "x" * 9_000_000 + "</p></article></body></html>")
    return path


def html_many_elements(folder: Path) -> Path:
    path = folder / "many-elements.html"
    path.write_text("<html><body><article>" + "<p>Short line.</p>" * 400_000 + "</article></body></html>")
    return path


def html_entities(folder: Path) -> Path:
    ents = '<!ENTITY a0 "laugh laugh laugh laugh">' + "".join(
        f'<!ENTITY a{i} "' + f"&a{i - 1};" * 10 + '">' for i in range(1, 10))
    path = folder / "entities.html"
    path.write_text(f'<?xml version="1.0"?><!DOCTYPE html [{ents}]><html><body><p>&a9;</p></body></html>')
    return path


# --- plain text ------------------------------------------------------------------------------------

def text_one_word(folder: Path) -> Path:
    path = folder / "one-word.md"
    path.write_text("supercalifragilistic " * 300_000)
    return path


def text_one_line(folder: Path) -> Path:
    path = folder / "one-line.txt"
    path.write_text("x" * 5_000_000)
    return path


def text_no_punctuation(folder: Path) -> Path:
    import random

    rng = random.Random(7)
    words = "the port union strike workers said talks pay rise city council minister report week".split()
    path = folder / "no-punctuation.txt"
    path.write_text(" ".join(rng.choice(words) for _ in range(5_000_000 // 6)))
    return path


def text_many_short_lines(folder: Path) -> Path:
    path = folder / "short-lines.txt"
    path.write_text("Line of text\n" * 400_000)
    return path


def text_only_dots(folder: Path) -> Path:
    path = folder / "dots.txt"
    path.write_text("Mr. Dr. St. " * 400_000)
    return path


def text_quotes(folder: Path) -> Path:
    """Unbalanced quotation marks everywhere (what the quote finder reads)."""
    path = folder / "quotes.txt"
    path.write_text(('"He said "they said "we said, ' * 150_000) + "\n")
    return path


GOOD: dict[str, Callable[[Path], Path]] = {"good.txt": lambda f: _write(f / "good.txt", GOOD_TEXT),
                                           "good.pdf": good_pdf, "good.docx": good_docx, "good.html": good_html}

HOSTILE: dict[str, Callable[[Path], Path]] = {
    "pdf flate bomb (1 MB -> 1 GB)": pdf_flate_bomb,
    "pdf with 200,000 pages": pdf_many_pages,
    "pdf truncated": pdf_truncated,
    "pdf of random bytes": pdf_garbage,
    "pdf whose page tree loops": pdf_xref_loop,
    "docx with nested entities": docx_entities,
    "docx with an external entity (XXE)": docx_external_entity,
    "docx zip bomb (5 MB -> 2 GB)": docx_zip_bomb,
    "docx with 100,000 members": docx_many_members,
    "docx truncated": docx_truncated,
    "docx that is no zip": docx_not_zip,
    "docx with broken XML": docx_bad_xml,
    "docx nested 100,000 deep": docx_deep_xml,
    "html nested 200,000 deep": html_nested,
    "html with 9 MB of one word": html_huge_text,
    "html with 400,000 paragraphs": html_many_elements,
    "html with nested entities": html_entities,
    "markdown of one word x 300,000 (6.3 MB)": text_one_word,
    "text of one 5 MB line": text_one_line,
    "text of 5 MB without punctuation": text_no_punctuation,
    "text of 400,000 short lines": text_many_short_lines,
    "text of abbreviations only": text_only_dots,
    "text of unbalanced quotes": text_quotes,
}


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def make_folder(folder: Path, hostile: dict[str, Callable[[Path], Path]] | None = None) -> dict[str, Path]:
    """The good files and the hostile ones (all of HOSTILE unless given) in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    made = {name: make(folder) for name, make in GOOD.items()}
    made |= {name: make(folder) for name, make in (HOSTILE if hostile is None else hostile).items()}
    return made
