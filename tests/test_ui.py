"""The Gradio UI in a real headless browser (Debian's chromium driven by Playwright), and its
API through gradio_client. ui.py runs as a user starts it: `python ui.py` on a free loopback
port over a temporary, empty index (which it fills with seeds/ first)."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import ROOT, free_port
from test_markup import HOST, MARKUP_ARTICLE

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts"
NEW_ARTICLE = (
    "Harbour strike ends in Rotterdam\n\n"
    "By Anna Visser\n\n"
    "Dock workers at the port of Rotterdam ended a three-day strike on Friday after their union accepted a "
    "6 percent pay rise, the union spokesperson Pieter Bakker said.\n\n"
    "\"We have won what we asked for,\" Bakker told reporters outside the port authority.\n\n"
    "Shipping companies said container traffic would return to normal by Monday.\n"
)


@pytest.fixture(scope="module")
def ui_data(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("ui-index")


@contextlib.contextmanager
def _serving(data: Path, log_dir: Path, env: dict | None = None):
    """`python ui.py` over the index in `data`, on a free loopback port; yields its URL."""
    port = free_port()
    full = os.environ | {"RAG_DATA_DIR": str(data), "GRADIO_SERVER_PORT": str(port),
                         "GRADIO_SERVER_NAME": "127.0.0.1"} | (env or {})
    log = open(log_dir / "ui.log", "w")
    proc = subprocess.Popen([sys.executable, "ui.py"], cwd=ROOT, env=full, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.time() + 180
    while True:
        try:
            urllib.request.urlopen(url, timeout=2)
            break
        except OSError:
            if proc.poll() is not None or time.time() > deadline:
                proc.kill()
                log.close()
                pytest.fail("ui.py did not start:\n" + Path(log.name).read_text()[-3000:])
            time.sleep(0.5)
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


@pytest.fixture(scope="module")
def app(tmp_path_factory, ui_data):
    # pages to fetch are served on loopback by the tests (a private address, refused by default)
    with _serving(ui_data, tmp_path_factory.mktemp("ui-log"), env={"RAG_FETCH_PRIVATE": "true"}) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is needed for the browser tests: apt-get install -y chromium")
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-quic"],
        )
        yield b
        b.close()


def _page(browser, url, outside: list[str]):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(("http://127.0.0.1", "data:", "blob:")) else None)
    page.goto(url, wait_until="load")
    page.locator("#nr-question textarea").wait_for(timeout=60_000)
    return page


def _ask(page, question: str, answers_before: int) -> str:
    box = page.locator("#nr-question textarea")
    box.fill(question)
    box.press("Enter")
    # an answer is final when its footer ("extractive · 0.12 s") or an abstention box appears
    page.wait_for_function(
        """(n) => document.querySelectorAll('#nr-chat sub, #nr-chat .nr-abstained').length > n""",
        arg=answers_before, timeout=60_000,
    )
    return page.locator("#nr-chat").inner_text()


def test_ask_cite_click_follow_up_abstain_brief_upload(app, browser, tmp_path):
    outside: list[str] = []
    page = _page(browser, app, outside)
    assert "sample articles" in page.locator("#nr-startup").inner_text()  # the empty index was filled first

    chat = _ask(page, "What did Kirby say?", 0)
    assert "marriage of convenience" in chat
    links = page.locator("#nr-chat a[href^='#nr-src-']")
    assert links.count() >= 1 and links.first.inner_text() == "[1]"
    sources = page.locator("#nr-sources")
    panel = sources.inner_text()
    # the source named as people name it (headline first), the file second; one card per article
    assert "003_d27acffbcd5def62.txt" in panel and "Vladimir Putin welcomes" in panel
    assert panel.index("Vladimir Putin welcomes") < panel.index("003_d27acffbcd5def62.txt")
    cards = sources.locator(".nr-card:not(.nr-secondary)")
    assert cards.count() == len({t.split("\n")[1] for t in cards.all_inner_texts()})
    marked = sources.locator("mark").all_inner_texts()
    assert any("marriage of convenience" in m for m in marked)
    assert "marriage of convenience" in (links.first.get_attribute("title") or "")  # hover shows the quote
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "ui-answer.png"))
    links.last.click()  # a [n] marker brings its quote into view
    focused = page.locator("#nr-sources mark.nr-focus")
    focused.wait_for(timeout=5_000)
    assert focused.get_attribute("id") == f"nr-src-{links.count()}"

    chat = _ask(page, "and what did Blinken say about that?", 1)
    assert "Blinken" in chat.split("and what did Blinken say about that?")[-1]
    assert "Read as a follow-up" in sources.inner_text()

    _ask(page, "What did Emmanuel Macron say about Xi's visit?", 2)
    abstained = page.locator("#nr-chat .nr-abstained").last
    assert "Not in the articles" in abstained.inner_text()
    assert page.locator("#nr-sources .nr-card:not(.nr-secondary)").count() == 0  # nothing cited

    page.get_by_role("tab", name="Briefing").click()
    page.locator("#nr-brief-button").click()
    briefing = page.locator("#nr-briefing")
    briefing.get_by_text("Key points").wait_for(timeout=60_000)
    assert "reported by 5 of 5 sources" in briefing.inner_text()
    assert page.locator("#nr-download").is_visible()
    # the briefing is as checkable as an answer: each [n] opens its source and exact words
    markers = briefing.locator("a[href^='#nr-bsrc-']")
    assert markers.count() > 20
    sections = briefing.locator("details.nr-section")
    assert sections.first.get_attribute("open") is not None  # the summary shows; the citation list is folded
    assert "Citations" in sections.last.inner_text() and sections.last.get_attribute("open") is None
    assert "UPI" in briefing.inner_text()  # an outlet read from the article ("March 21 (UPI) —")
    markers.nth(3).click()
    card = page.locator("#nr-briefing-sources .nr-card.nr-focus")
    card.wait_for(timeout=5_000)
    number = markers.nth(3).inner_text().strip("[]")
    assert card.get_attribute("id") == f"nr-bsrc-{number}" and card.locator("mark").count() == 1
    page.screenshot(path=str(ARTIFACTS / "ui-briefing.png"))

    page.get_by_role("tab", name="Library").click()
    assert "003_d27acffbcd5def62.txt" in page.locator("#nr-library").inner_text()
    article = tmp_path / "rotterdam strike.txt"
    article.write_text(NEW_ARTICLE, encoding="utf-8")
    binary = tmp_path / "photo.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    page.locator("#nr-upload input[type=file]").set_input_files([str(article), str(binary)])
    status = page.locator("#nr-upload-status")
    status.get_by_text("added").first.wait_for(timeout=60_000)
    text = status.inner_text()
    assert "rotterdam_strike.txt" in text and "photo.txt: not added" in text.replace("\n", " ") and "binary" in text
    page.locator("#nr-library").get_by_text("Harbour strike ends in Rotterdam").wait_for(timeout=10_000)
    other = browser.new_context().new_page()  # another person, or another tab: sees the library as it is now
    other.goto(app, wait_until="load")
    other.get_by_role("tab", name="Library").click()
    other.locator("#nr-library").get_by_text("Harbour strike ends in Rotterdam").wait_for(timeout=30_000)
    other.context.close()

    page.get_by_role("tab", name="Ask").click()
    chat = _ask(page, "Why did the dock workers in Rotterdam end their strike?", 3)
    assert "pay rise" in chat.split("Rotterdam end their strike?")[-1]
    assert "rotterdam_strike.txt" in page.locator("#nr-sources").inner_text()
    page.screenshot(path=str(ARTIFACTS / "ui-upload.png"))

    page.get_by_role("tab", name="Library").click()
    choice = page.locator("#nr-remove-choice input")
    choice.click()
    choice.fill("rotterdam")
    page.get_by_role("option").filter(has_text="rotterdam_strike.txt").first.click()
    page.locator("#nr-remove").click()  # asks first, naming the article
    page.locator("#nr-confirm").get_by_text("Harbour strike ends in Rotterdam").wait_for(timeout=10_000)
    page.locator("#nr-remove-no").click()
    page.locator("#nr-remove-status").get_by_text("Nothing was removed").wait_for(timeout=10_000)
    assert "Harbour strike ends in Rotterdam" in page.locator("#nr-library").inner_text()
    page.locator("#nr-remove").click()
    page.locator("#nr-remove-yes").click()
    page.get_by_text("Removed").first.wait_for(timeout=30_000)
    page.wait_for_function(
        "() => !document.querySelector('#nr-library').innerText.includes('Harbour strike ends in Rotterdam')",
        timeout=10_000,
    )
    choice.click()
    choice.fill("002_8e30")  # a sample article goes, and is put back
    page.get_by_role("option").filter(has_text="002_8e30010a3892d27c.txt").first.click()
    page.locator("#nr-remove").click()
    page.locator("#nr-remove-yes").click()
    page.wait_for_function("() => !document.querySelector('#nr-library').innerText.includes('002_8e30010a3892d27c')",
                           timeout=30_000)
    page.locator("#nr-samples").click()
    page.locator("#nr-remove-status").get_by_text("Put back 1 sample article").wait_for(timeout=60_000)
    assert "002_8e30010a3892d27c.txt" in page.locator("#nr-library").inner_text()
    assert outside == [], outside  # no fonts, analytics or anything else from outside
    page.close()


def test_sessions_do_not_share_a_conversation(app, browser):
    outside: list[str] = []
    first, second = _page(browser, app, outside), _page(browser, app, outside)
    box1, box2 = first.locator("#nr-question textarea"), second.locator("#nr-question textarea")
    box1.fill("What did Kirby say?")
    box2.fill("What did Zelensky say about China?")
    box1.press("Enter")
    box2.press("Enter")
    for page in (first, second):
        page.wait_for_function("() => document.querySelectorAll('#nr-chat sub').length > 0", timeout=60_000)
    one, two = first.locator("#nr-chat").inner_text(), second.locator("#nr-chat").inner_text()
    assert "Kirby" in one and "Zelensky" not in one
    assert "World War" in two and "marriage of convenience" not in two
    assert outside == []
    first.close()
    second.close()


def test_a_reload_keeps_the_conversation_and_answers_copy_and_export_clean(app, browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000},
                                  permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto(app, wait_until="load")
    page.locator("#nr-question textarea").wait_for(timeout=60_000)
    _ask(page, "What did Kirby say?", 0)
    _ask(page, "and what did Blinken say about that?", 1)
    assert "Read as a follow-up" in page.locator("#nr-chat").inner_text()  # the rewritten question, under the answer

    page.locator("#nr-chat a.nr-copy").first.click()  # the first answer as clean text with numbered sources
    page.locator("#nr-chat a.nr-copy").first.get_by_text("Copied").wait_for(timeout=5_000)
    copied = page.evaluate("() => navigator.clipboard.readText()")
    assert "marriage of convenience" in copied and "\nSources:\n[1] " in copied and "003_d27acffbcd5def62.txt" in copied
    assert "<" not in copied and "nr-src" not in copied and "\\[" not in copied

    with page.expect_download() as download:
        page.locator("#nr-export-md").click()
    exported = Path(download.value.path()).read_text(encoding="utf-8")
    assert exported.count("## ") == 2 and "[^1]:" in exported and "Vladimir Putin welcomes" in exported
    with page.expect_download() as download:
        page.locator("#nr-export-html").click()
    html_file = Path(download.value.path()).read_text(encoding="utf-8")
    assert "<script" not in html_file and 'class="footnotes"' in html_file and "marriage of convenience" in html_file

    page.locator("#nr-keep").click()
    page.locator("#nr-keep-status").get_by_text("1 answer kept").wait_for(timeout=10_000)

    page.reload(wait_until="load")  # the conversation comes back, with its sources panel
    page.wait_for_function("() => document.querySelectorAll('#nr-chat sub').length == 2", timeout=60_000)
    assert "What did Kirby say?" in page.locator("#nr-chat").inner_text()
    assert page.locator("#nr-sources mark").count() >= 1
    page.screenshot(path=str(ARTIFACTS / "ui-reloaded.png"))
    _ask(page, "Who is John Kirby?", 2)  # the restored conversation goes on

    page.locator("#nr-new").click()  # a new conversation; the old one is listed, reopened, deleted
    page.wait_for_function("() => document.querySelectorAll('#nr-chat sub').length == 0", timeout=10_000)
    page.locator("#nr-past-panel").get_by_text("Your conversations").click()
    past = page.locator("#nr-past input")
    past.click()
    page.get_by_role("option").filter(has_text="What did Kirby say?").first.click()
    page.locator("#nr-past-open").click()
    page.wait_for_function("() => document.querySelectorAll('#nr-chat sub').length == 3", timeout=10_000)
    past.click()
    page.get_by_role("option").filter(has_text="What did Kirby say?").first.click()
    page.locator("#nr-past-delete").click()
    page.wait_for_function("() => document.querySelectorAll('#nr-chat sub').length == 0", timeout=10_000)
    page.reload(wait_until="load")
    page.locator("#nr-question textarea").wait_for(timeout=60_000)
    page.wait_for_timeout(2_000)
    assert page.locator("#nr-chat sub").count() == 0  # deleted: nothing comes back
    context.close()


def test_the_library_sets_an_articles_outlet_and_date(app, browser):
    outside: list[str] = []
    page = _page(browser, app, outside)
    page.get_by_role("tab", name="Library").click()
    page.locator("#nr-edit-panel").get_by_text("Set an article's headline").click()
    choice = page.locator("#nr-edit-choice input")
    choice.click()
    choice.fill("004_dbaac")
    page.get_by_role("option").filter(has_text="004_dbaac4714505962b.txt").first.click()
    title = page.locator("#nr-edit-title textarea, #nr-edit-title input").first
    page.wait_for_function("() => document.querySelector('#nr-edit-title textarea, #nr-edit-title input').value"
                           ".includes('Xi in Moscow')", timeout=10_000)  # the current headline, to correct
    assert "Xi in Moscow" in title.input_value()
    page.locator("#nr-edit-outlet textarea, #nr-edit-outlet input").first.fill("New York Post")
    page.locator("#nr-edit-date textarea, #nr-edit-date input").first.fill("20 March")
    page.locator("#nr-edit-save").click()
    page.locator("#nr-edit-status").get_by_text("YYYY-MM-DD").wait_for(timeout=10_000)  # refused, said why
    page.locator("#nr-edit-date textarea, #nr-edit-date input").first.fill("2023-03-20")
    page.locator("#nr-edit-save").click()
    page.locator("#nr-edit-status").get_by_text("Saved").wait_for(timeout=10_000)
    page.wait_for_function("() => document.querySelector('#nr-library').innerText.includes('New York Post')",
                           timeout=10_000)
    page.screenshot(path=str(ARTIFACTS / "ui-library-edit.png"))

    page.get_by_role("tab", name="Ask").click()
    suggested = page.locator("#nr-suggest")  # questions drawn from the articles: who is quoted most
    suggested.get_by_text("What did Vladimir Putin say?").click()
    page.wait_for_function("() => document.querySelectorAll('#nr-chat sub').length > 0", timeout=60_000)
    assert "Putin" in page.locator("#nr-chat").inner_text().split("What did Vladimir Putin say?")[-1]
    _ask(page, "What did Xi say about Putin's leadership?", 1)
    assert "New York Post · China’s leader Xi in Moscow for meeting with Putin · 2023-03-20" in page.locator(
        "#nr-sources").inner_text()
    assert outside == []
    page.close()


def test_a_user_added_endpoint_answers_and_its_key_stays_on_the_server(app, ui_data, browser, llm_server):
    outside: list[str] = []
    page = _page(browser, app, outside)
    page.locator("text=Settings").first.click()
    page.locator("#nr-endpoint-panel").get_by_text("Add an OpenAI-compatible endpoint").click()
    page.locator("#nr-endpoint-name input, #nr-endpoint-name textarea").first.fill("smol")
    page.locator("#nr-endpoint-url input, #nr-endpoint-url textarea").first.fill("file:///etc/passwd")
    page.locator("#nr-endpoint-model input, #nr-endpoint-model textarea").first.fill("smol")
    page.locator("#nr-endpoint-add").click()
    page.locator("#nr-endpoint-status").get_by_text("must be http").wait_for(timeout=10_000)  # refused, said why
    page.locator("#nr-endpoint-url input, #nr-endpoint-url textarea").first.fill(llm_server)
    page.locator("#nr-endpoint-key input").fill("sk-test-secret-4242")
    page.locator("#nr-endpoint-add").click()
    page.locator("#nr-endpoint-status").get_by_text("Added").wait_for(timeout=10_000)
    assert page.locator("#nr-backend").get_by_label("endpoint: smol").is_checked()  # picked for the next question
    page.screenshot(path=str(ARTIFACTS / "ui-endpoint.png"))

    _ask(page, "What did Kirby say?", 0)
    footer = page.locator("#nr-chat sub").last.inner_text()
    notes = page.locator("#nr-sources").inner_text()
    # the endpoint answered (the 135M test model's words are shown, or judged and replaced, with a note)
    assert "endpoint: smol" in footer or ("extractive" in footer and "answer was not shown" in notes), (footer, notes)
    assert "endpoint failed" not in notes
    assert "sk-test-secret-4242" not in page.content() and "sk-test-secret-4242" not in json.dumps(_config(app))
    assert "sk-test-secret-4242" in (ui_data / "endpoints.json").read_text()
    assert (ui_data / "endpoints.json").stat().st_mode & 0o077 == 0  # the key file: the server's user only
    assert outside == []
    page.close()


def test_on_a_phone_a_citation_opens_its_source_and_leads_back(app, browser):
    context = browser.new_context(viewport={"width": 375, "height": 780}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(app, wait_until="load")
    page.locator("#nr-question textarea").wait_for(timeout=60_000)
    _ask(page, "What did Kirby say?", 0)
    page.screenshot(path=str(ARTIFACTS / "ui-phone-answer.png"))
    marker = page.locator("#nr-chat a[href^='#nr-src-']").first
    marker.tap()
    mark = page.locator("#nr-sources mark.nr-focus")
    mark.wait_for(timeout=5_000)
    page.wait_for_timeout(800)  # the smooth scroll
    assert 0 <= mark.bounding_box()["y"] < 780  # the quote is on the screen
    page.screenshot(path=str(ARTIFACTS / "ui-phone-source.png"))
    page.locator("#nr-sources .nr-back-link").first.tap()
    page.wait_for_timeout(800)
    assert 0 <= marker.bounding_box()["y"] < 780  # and back to where the reader was
    page.get_by_role("tab", name="Library").click()
    page.wait_for_function("() => document.querySelector('#nr-library').innerText.includes('Kirby') || "
                           "document.querySelector('#nr-library').innerText.includes('Putin')", timeout=10_000)
    page.screenshot(path=str(ARTIFACTS / "ui-phone-library.png"), full_page=True)
    context.close()


def test_a_web_page_is_fetched_by_its_url_and_cited_with_a_link_to_it(app, browser, site):
    outside: list[str] = []
    page = _page(browser, app, outside)
    page.get_by_role("tab", name="Library").click()
    page.locator("#nr-url input, #nr-url textarea").first.fill(f"{site}/news/ferry")
    page.locator("#nr-fetch").click()
    page.locator("#nr-upload-status").get_by_text("added").first.wait_for(timeout=60_000)
    page.wait_for_function("() => document.querySelector('#nr-library').innerText.includes('Ferry line reopens')",
                           timeout=10_000)
    page.get_by_role("tab", name="Ask").click()
    _ask(page, "When did the ferry line between Rotterdam and Hull reopen?", 0)
    link = page.locator(f"#nr-sources a[href='{site}/news/ferry']")
    assert link.count() >= 1 and link.first.get_attribute("rel") == "noopener noreferrer nofollow"
    assert outside == []
    page.close()


def test_scripts_call_chat_and_briefing_with_gradio_client(app):
    from gradio_client import Client

    client = Client(app, verbose=False)
    api = client.view_api(print_info=False, return_format="dict")
    assert {"/chat", "/briefing"} <= set(api["named_endpoints"])
    result = client.predict("What did Kirby say?", api_name="/chat")
    assert not result["abstained"] and result["citations"][0]["name"] == "003_d27acffbcd5def62.txt"
    assert "marriage of convenience" in result["text"]
    follow = client.predict("and what did Blinken say about that?", ["What did Kirby say?"], api_name="/chat")
    assert "Blinken" in follow["text"]
    brief = client.predict("ICC warrant", api_name="/briefing")
    assert brief["text"].startswith("# Briefing: ICC warrant") and brief["citations"]


def test_rag_ui_serves_the_same_app_on_the_port_asked_for(tmp_path):
    from rag import Settings, ingest

    from conftest import SEEDS

    data = tmp_path / "index"
    ingest([SEEDS], settings=Settings(data_dir=data))
    port = free_port()
    env = os.environ | {"RAG_DATA_DIR": str(data)}
    proc = subprocess.Popen([str(Path(sys.executable).with_name("rag")), "ui", "--port", str(port)], cwd=tmp_path,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.time() + 120
        while True:
            try:
                page = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).read().decode()
                break
            except OSError:
                assert proc.poll() is None and time.time() < deadline, proc.stdout.read() if proc.stdout else ""
                time.sleep(0.5)
        assert "<title>newsrag</title>" in page or "newsrag" in page
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_article_text_never_becomes_markup_in_the_browser(app, ui_data, browser, tmp_path):
    """An article full of Markdown images and links, <script>, <img onerror> and <iframe>: the chat,
    the sources panel, the briefing and the library show its characters; no element is made from
    it, nothing is fetched from its host, no script runs."""
    outside: list[str] = []
    page = _page(browser, app, outside)
    page.get_by_role("tab", name="Library").click()
    article = tmp_path / "harbour.txt"
    article.write_text(MARKUP_ARTICLE, encoding="utf-8")
    page.locator("#nr-upload input[type=file]").set_input_files([str(article)])
    page.locator("#nr-upload-status").get_by_text("added").first.wait_for(timeout=60_000)
    library = page.locator("#nr-library")
    library.get_by_text("Harbour budget <b>doubles</b> in Port Marlow").wait_for(timeout=10_000)  # the title, as text

    page.get_by_role("tab", name="Ask").click()
    answers = page.locator("#nr-chat sub, #nr-chat .nr-abstained").count()
    _ask(page, "What did Maria Lindqvist and the critics say about the Port Marlow harbour budget?", answers)
    sources = page.locator("#nr-sources")
    shown = page.locator("#nr-chat").inner_text() + sources.inner_text()
    assert "<script>window.nrPwned = 1</script>" in shown or "onerror=" in shown  # the markup is shown as text
    chat = page.locator("#nr-chat").inner_text()
    assert not re.search(r"\\[<>*_\[\]()#`!]", chat), chat  # no stray backslashes from escaping
    raw = (ui_data / "uploads" / "harbour.txt").read_text(encoding="utf-8")
    cards = sources.locator(".nr-card:not(.nr-secondary)")
    assert cards.count() >= 1
    checked = 0
    for i in range(cards.count()):
        if "harbour.txt" not in cards.nth(i).locator(".nr-head").inner_text():
            continue
        where = cards.nth(i).locator(".nr-where").all_inner_texts()
        for mark in cards.nth(i).locator("mark").all():
            n = mark.get_attribute("id").rsplit("-", 1)[1]
            start, end = (int(x) for x in re.search(rf"\[{n}\] chars (\d+)\D(\d+)", " ".join(where)).groups())
            assert mark.inner_text() == raw[start:end]  # the file's characters, exactly
            checked += 1
    assert checked >= 1

    page.get_by_role("tab", name="Briefing").click()
    page.locator("#nr-topic textarea, #nr-topic input").first.fill("Port Marlow harbour budget")
    page.locator("#nr-brief-button").click()
    page.locator("#nr-briefing").get_by_text("Key points").wait_for(timeout=60_000)
    assert "<script>" in page.locator("#nr-briefing").inner_text() or "<img" in page.locator("#nr-briefing").inner_text()

    made = page.evaluate(
        """(host) => {
          const inside = ['#nr-chat', '#nr-sources', '#nr-briefing', '#nr-library'];
          let n = 0;
          for (const sel of inside) for (const el of document.querySelectorAll(sel + ' img, ' + sel + ' iframe, '
              + sel + ' script, ' + sel + ' a, ' + sel + ' b')) {
            const where = (el.getAttribute('src') || '') + (el.getAttribute('href') || '');
            if (where.includes(host) || el.textContent.includes('doubles') || el.tagName === 'SCRIPT') n++;
          }
          return {made: n, pwned: window.nrPwned === undefined ? null : window.nrPwned};
        }""",
        HOST,
    )
    assert made == {"made": 0, "pwned": None}, made
    assert outside == [], outside
    page.close()


def _config(url: str) -> dict:
    return json.loads(urllib.request.urlopen(url + "config", timeout=10).read())


def _raw_call(url: str, api_name: str, data: list) -> dict:
    """Call an event the way the page does (POST queue/join, read queue/data): what any HTTP
    client can do, gradio_client or not."""
    dep = next(d for d in _config(url)["dependencies"] if d.get("api_name") == api_name)
    body = json.dumps({"data": data, "fn_index": dep["id"], "session_hash": f"probe{time.time_ns()}",
                       "event_data": None, "trigger_id": dep["targets"][0][0]}).encode()
    session = json.loads(body)["session_hash"]
    request = urllib.request.Request(url + "gradio_api/queue/join", data=body, headers={"content-type": "application/json"})
    urllib.request.urlopen(request, timeout=10).read()
    with urllib.request.urlopen(url + f"gradio_api/queue/data?session_hash={session}", timeout=60) as stream:
        for line in stream:
            if line.startswith(b"data:"):
                msg = json.loads(line[5:])
                if msg.get("msg") == "process_completed":
                    return msg
    raise AssertionError("no result")


def test_the_api_is_bounded_and_the_page_carries_no_server_paths(app, ui_data):
    from gradio_client import Client

    client = Client(app, verbose=False)
    with pytest.raises(Exception, match="from 1 to 50"):
        client.predict("What did Kirby say?", None, "auto", 100000, api_name="/chat")
    with pytest.raises(Exception, match="the limit is 2,000"):
        client.predict("why " * 1000, api_name="/chat")
    assert set(client.view_api(print_info=False, return_format="dict")["named_endpoints"]) == {"/chat", "/briefing"}
    for private in ("/drop", "/add_files", "/respond"):
        with pytest.raises(ValueError):
            client.predict("003_d27acffbcd5def62.txt", api_name=private)  # UI events are not an API

    config = json.dumps(_config(app))
    for path in (str(ROOT), str(ui_data), str(ROOT / "seeds")):
        assert path not in config, path  # article choices are opaque keys, never server paths

    before = client.predict("What did Kirby say?", api_name="/chat")
    # a hand-made call of the page's "remove" event with a folder ("/" matched every file by prefix before)
    removed = json.dumps(_raw_call(app, "drop", ["/"])["output"])
    assert "not in the index" in removed or "not in the list of choices" in removed, removed
    after = client.predict("What did Kirby say?", api_name="/chat")
    assert after["citations"] and after["text"] == before["text"]


@pytest.fixture
def silent_endpoint():
    """A model endpoint that accepts connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/v1"
    listener.close()


def test_read_only_library_and_a_request_time_limit(tmp_path, silent_endpoint):
    from gradio_client import Client

    from conftest import SEEDS
    from rag import Settings, ingest

    data = tmp_path / "index"
    ingest([SEEDS], settings=Settings(data_dir=data))
    env = {"RAG_UI_READ_ONLY": "true", "RAG_REQUEST_TIMEOUT": "3", "OPENAI_BASE_URL": silent_endpoint}
    with _serving(data, tmp_path, env) as url:
        names = {d.get("api_name") for d in _config(url)["dependencies"]}
        assert "drop" not in names and "add_files" not in names  # no such event exists to be called at all
        client = Client(url, verbose=False)
        started = time.time()
        with pytest.raises(Exception, match="longer than 3 s"):
            client.predict("What did Kirby say?", None, "openai", 8, api_name="/chat")
        assert time.time() - started < 20
        answered = client.predict("What did Kirby say?", None, "extractive", 8, api_name="/chat")
        assert answered["citations"]  # the server is free again
