"""`rag ingest https://...`: pages and PDFs fetched from a real HTTP server on loopback (no test
touches the internet), kept with their URL, cited by it; an unchanged page changes nothing; bad
answers (404, a redirect loop, a body over the size limit, something that is not a page) are
skipped with the reason; private addresses only when allowed. The server is conftest's `site`."""

from __future__ import annotations

import json


def test_pages_and_pdfs_are_fetched_cited_by_url_and_kept_in_step(tmp_path, site):
    from rag import Settings, answer, articles, ingest, remove

    settings = Settings(data_dir=tmp_path / "index", fetch_private=True, max_file_mb=2)
    urls = [f"{site}/news/ferry", f"{site}/files/report", f"{site}/missing", f"{site}/loop", f"{site}/huge",
            f"{site}/data.json", "ftp://127.0.0.1/file.txt"]
    report = ingest(urls, settings=settings)
    status = {f.source: (f.status, f.reason) for f in report.files}
    assert status[f"{site}/news/ferry"][0] == "added" and status[f"{site}/files/report"][0] == "added"
    assert "404" in status[f"{site}/missing"][1]
    assert "more than 5 redirects" in status[f"{site}/loop"][1]
    assert "too large" in status[f"{site}/huge"][1]
    assert "not a web page or a PDF" in status[f"{site}/data.json"][1]
    assert "only http:// and https://" in status["ftp://127.0.0.1/file.txt"][1]

    listed = {a.source: a for a in articles(settings=settings)}
    assert listed[f"{site}/news/ferry"].outlet == "Harbour Gazette"
    a = answer("When did the ferry line between Rotterdam and Hull reopen?", settings=settings)
    cited = next(c for c in a.citations if c.source == f"{site}/news/ferry")  # the citation names the URL
    assert open(cited.path, encoding=cited.encoding).read()[cited.start:cited.end] == cited.quote
    pdf = answer("How many ships waited at anchor during the strike?", settings=settings)
    assert any(c.source == f"{site}/files/report" and "40 ships" in c.quote for c in pdf.citations)

    again = ingest([f"{site}/news/ferry", f"{site}/moved"], settings=settings)  # the same page, and a redirect to it
    assert [f.status for f in again.files] == ["unchanged", "added"]
    assert again.chunks_embedded == 0  # nothing re-read; the redirect's copy reuses the page's vectors

    gone = remove(f"{site}/files/report", settings=settings)
    assert [f.status for f in gone.files] == ["removed"]
    assert not list((settings.data_dir / "fetched").glob("*.pdf"))  # the fetched PDF goes with it


def test_private_addresses_are_refused_unless_allowed(tmp_path, site):
    from rag import Settings, ingest

    report = ingest([f"{site}/news/ferry"], settings=Settings(data_dir=tmp_path / "index"))
    [result] = report.files
    assert result.status == "skipped" and "private or local address" in result.reason and "RAG_FETCH_PRIVATE" in result.reason


def test_an_address_that_is_not_a_valid_url_is_skipped_and_the_rest_goes_on(tmp_path, site):
    from rag import Settings, ingest

    port = site.rsplit(":", 1)[1]
    for private in (False, True):
        report = ingest([f"http://127.0.0.1:99999/x", f"http://127.0.0.1:{port}:80/x", f"{site}/news/ferry"],
                        settings=Settings(data_dir=tmp_path / f"index-{private}", fetch_private=private))
        bad, worse, good = report.files
        assert bad.status == worse.status == "skipped" and "not a valid port" in bad.reason and worse.reason
        assert good.status == ("added" if private else "skipped")


def test_the_cli_ingests_a_url_and_exits_1_for_one_it_cannot_fetch(tmp_path, site):
    from conftest import run_cli

    data = tmp_path / "index"
    env = {"RAG_FETCH_PRIVATE": "true"}
    done = run_cli("ingest", f"{site}/news/ferry", f"{site}/missing", "--json", data_dir=data, env=env)
    assert done.returncode == 1  # one URL could not be fetched; the other was ingested
    assert json.loads(done.stdout)["counts"]["added"] == 1
    asked = run_cli("ask", "When did the ferry line reopen?", data_dir=data, env=env)
    assert asked.returncode == 0 and "Wednesday" in asked.stdout and "Ferry line reopens" in asked.stdout


def test_a_feed_syncs_new_items_once(tmp_path, site):
    from rag import Settings, answer
    from rag.indexing.feeds import add_feed, list_feeds, sync_feeds

    settings = Settings(data_dir=tmp_path / "index", fetch_private=True)
    add_feed(f"{site}/feed.xml?n=8", settings)
    add_feed(f"{site}/missing-feed", settings)
    first = {r.url: r for r in sync_feeds(settings)}
    assert first[f"{site}/feed.xml?n=8"].new == 8 and first[f"{site}/feed.xml?n=8"].seen == 0
    assert "404" in first[f"{site}/missing-feed"].error
    a = answer("How many containers did berth 5 at the port of Marlow handle?", settings=settings)
    assert "38 containers" in a.text and any(c.source == f"{site}/items/5" for c in a.citations)

    second = {r.url: r for r in sync_feeds(settings)}
    assert (second[f"{site}/feed.xml?n=8"].new, second[f"{site}/feed.xml?n=8"].seen) == (0, 8)  # only the feed read
    assert list_feeds(settings)[f"{site}/feed.xml?n=8"]["items"] == 8


def test_the_cli_adds_lists_and_syncs_feeds(tmp_path, site):
    from conftest import run_cli

    data, env = tmp_path / "index", {"RAG_FETCH_PRIVATE": "true"}
    assert run_cli("feed", "add", f"{site}/feed.xml?n=3", data_dir=data, env=env).returncode == 0
    assert run_cli("feed", "add", "ftp://example.com/feed", data_dir=data, env=env).returncode == 1
    synced = run_cli("feed", "sync", "--json", data_dir=data, env=env)
    assert synced.returncode == 0, synced.stderr
    assert json.loads(synced.stdout)[0]["new"] == 3
    listed = json.loads(run_cli("feed", "list", "--json", data_dir=data, env=env).stdout)
    assert listed[f"{site}/feed.xml?n=3"]["items"] == 3 and listed[f"{site}/feed.xml?n=3"]["synced"]
    assert run_cli("feed", "sync", "--every", "soon", data_dir=data, env=env).returncode == 2
