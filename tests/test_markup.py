"""Text from articles is data: in Markdown (briefings, `rag brief --out`), in HTML and in the
terminal it shows as the file's own characters and never becomes an element, a link, an image,
a script or a terminal control sequence."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from markdown_it import MarkdownIt

from conftest import run_cli, seeds_with
from rag import Settings, briefing
from rag.markup import html_text, md_text, terminal_text

HOST = "203.0.113.7"  # TEST-NET-3: nothing there; a request to it is a leak
HOSTILE = [
    f"![chart](http://{HOST}/chart.png)",
    f"[the full report](http://{HOST}/report)",
    "<script>window.nrPwned = 1</script>",
    f'<img src="http://{HOST}/pixel.png" onerror="window.nrPwned = 2">',
    f'<iframe src="http://{HOST}/frame"></iframe>',
    "*stars*, _underscores_, `backticks`, ~~strikes~~ and \\> arrows",
    "AT&T paid $5 and &lt; is not <",
    "# not a heading",
    "1. not a list",
    "- not a bullet",
    "| not | a | table |",
]
MARKUP_ARTICLE = (
    "Harbour budget <b>doubles</b> in Port Marlow\n\n"
    f"The Port Marlow harbour budget rose to 40 million euros this year, the harbour board said ![chart](http://{HOST}/chart.png) in its annual report.\n\n"
    f"Board chair Maria Lindqvist said the harbour budget [would be published](http://{HOST}/report) in full <script>window.nrPwned = 1</script> next week.\n\n"
    f'Critics said the harbour budget <img src="http://{HOST}/pixel.png" onerror="window.nrPwned = 2"> ignored the cost of dredging the harbour.\n\n'
    f'Footage of the harbour board meeting <iframe src="http://{HOST}/frame"></iframe> was posted by the port of Port Marlow.\n\n'
    "The harbour budget notes use *stars*, _underscores_, `backticks` and \\> arrows exactly as the board wrote them.\n"
)


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.text.append(data)


def _render(markdown: str) -> _Elements:
    """As a permissive viewer renders it: CommonMark with raw HTML allowed."""
    parsed = _Elements()
    parsed.feed(MarkdownIt("commonmark", {"html": True}).render(markdown))
    return parsed


@pytest.mark.parametrize("text", HOSTILE)
def test_markdown_escaping_shows_the_exact_characters(text):
    shown = _render(md_text(text))
    assert shown.tags == ["p"], shown.tags
    assert "".join(shown.text).strip() == text  # the parser decodes entities


@pytest.mark.parametrize("text", HOSTILE)
def test_html_escaping_creates_no_element(text):
    parsed = _Elements()
    parsed.feed(f"<div>{html_text(text)}</div>")
    assert parsed.tags == ["div"] and "".join(parsed.text) == text


def test_terminal_text_has_no_control_sequences():
    shown = terminal_text("red \x1b[31mtext\x1b[0m, a bell \x07, a link \x1b]8;;http://x\x1b\\, C1 \x9b2J, tab\tand\nnewline")
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", shown)
    assert "\t" in shown and "\n" in shown and "text" in shown


@pytest.fixture(scope="module")
def markup_index(tmp_path_factory):
    terminal = (
        "Port workers vote on the harbour strike\n\n"
        "Port workers in Port Marlow voted \x1b[2J\x1b]0;pwned\x07 to end the harbour strike on Tuesday, the union said.\n\n"
        "The strike had closed the container terminal for nine days and held up ships bound for the northern "
        "ports, according to the harbour board, which said traffic would return to normal within a week.\n"
    )
    return seeds_with(tmp_path_factory, {"harbour.txt": MARKUP_ARTICLE, "terminal.txt": terminal}).data_dir


def test_briefing_markdown_carries_no_markup_from_articles(markup_index, tmp_path):
    b = briefing("Port Marlow harbour budget", settings=Settings(data_dir=markup_index))
    quoted = [c.quote for c in b.citations if "harbour" in c.quote]
    assert any("<script>" in q or "![chart]" in q or "<img" in q or "<iframe" in q for q in quoted)
    shown = _render(b.text)
    assert not {"img", "script", "iframe", "a", "b"} & set(shown.tags), shown.tags
    text = "".join(shown.text)
    for q in quoted:
        assert " ".join(q.split()) in " ".join(text.split())  # every quote reads as it is in the file
    out = tmp_path / "briefing.md"
    result = run_cli("brief", "--topic", "Port Marlow harbour budget", "--out", str(out), data_dir=markup_index)
    assert result.returncode == 0, result.stderr
    written = out.read_text(encoding="utf-8")
    assert "<script" not in written and "<img" not in written and "<iframe" not in written
    assert not {"img", "script", "iframe", "a"} & set(_render(written).tags)


def test_the_terminal_never_receives_escape_sequences_from_articles(markup_index):
    result = run_cli("ask", "How did the Port Marlow port workers vote on the strike?", data_dir=markup_index)
    assert result.returncode == 0, result.stderr
    assert "harbour strike" in result.stdout
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
