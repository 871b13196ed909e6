"""HTML articles -> plain text newsrag can cite (trafilatura: main text, title, author, date, site name).

The text is laid out the way the plain-text reader expects it: the title first, then "By ...",
"Published: ..." and "Source: <site name>" lines, then one paragraph per block. Citations then point into this text
file, which is what is stored and shown.
"""

from __future__ import annotations


def html_to_text(html: str, site: str = "") -> str | None:
    """The article in an HTML page as plain text, or None when no article text is found. `site`:
    the outlet to name when the page does not (the host of the URL it was fetched from)."""
    import trafilatura

    doc = trafilatura.bare_extraction(
        html, with_metadata=True, include_comments=False, include_tables=False, favor_precision=True
    )
    body = (getattr(doc, "text", None) or "").strip() if doc is not None else ""
    if not body:
        return None
    title = (getattr(doc, "title", None) or "").strip()
    paragraphs = [p.strip() for p in body.split("\n") if p.strip()]
    if title and paragraphs and paragraphs[0] == title:
        paragraphs = paragraphs[1:]
    head = [title] if title else []
    if getattr(doc, "author", None):
        head.append(f"By {doc.author.strip()}")
    if getattr(doc, "date", None):
        head.append(f"Published: {doc.date}")
    if sitename := (getattr(doc, "sitename", None) or "").strip() or site:  # og:site_name, else the page's own, else the host
        head.append(f"Source: {' '.join(sitename.split())[:60]}")
    return "\n\n".join(head + paragraphs) + "\n"
