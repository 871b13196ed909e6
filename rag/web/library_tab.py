"""The Library tab: the ingested articles as they are now (read on every page load and when the
tab is opened), upload, remove (asked first), the sample articles put back, and an article's
headline, outlet or date set by hand. With RAG_UI_READ_ONLY only the list: the events that
change the library do not exist."""

from __future__ import annotations

from pathlib import Path

import gradio as gr

from ..config import Settings
from ..index.opened import Index
from ..indexing.bootstrap import seeds_dir
from ..indexing.corrections import correct
from ..indexing.feeds import list_feeds
from ..indexing.fetch import is_url
from ..indexing.run import ingest, remove
from ..indexing.uploads import ACCEPTED, save
from ..limits import BadRequest
from ..markup import html_text, md_text
from ..types import source_label
from .requests import chosen_entry, chosen_paths, library


def library_tab(demo: gr.Blocks, tab: gr.Tab, index: Index, settings: Settings, only: gr.Dropdown) -> None:
    """Lay out the tab (inside `tab`) and wire its events; `only` is the Ask tab's article filter,
    kept in step with the library."""
    editable = not settings.ui_read_only
    rows, choices = library(index)
    table = gr.Dataframe(rows, headers=["Outlet", "Title", "Date", "File", "Chunks", "Same wire story as"],
                         interactive=False, elem_id="nr-library", wrap=True,
                         column_widths=["14%", "36%", "11%", "16%", "6%", "17%"])
    feeds = gr.Markdown(feeds_note(settings), elem_id="nr-feeds")
    pickers = [only]
    if editable:
        pickers += _editing(index, settings, table, choices, only)
    else:
        gr.Markdown("<div class='nr-note'>This library is read-only here (RAG_UI_READ_ONLY): articles are added and "
                    "removed with <code>rag ingest</code> and <code>rag remove</code>.</div>")

    # the library as it is now, on every page load and when its tab is opened (another tab,
    # another person or `rag ingest` may have changed it since the server started)
    def refresh():
        rows, choices = library(index)
        return rows, feeds_note(settings), *[gr.update(choices=choices)] * len(pickers)

    demo.load(refresh, None, [table, feeds, *pickers], api_visibility="private")
    tab.select(refresh, None, [table, feeds, *pickers], api_visibility="private")


def feeds_note(settings: Settings) -> str:
    """The feeds `rag feed add` follows, each with its last sync (rag/indexing/feeds.py)."""
    followed = list_feeds(settings)
    if not followed:
        return "<div class='nr-note'>No feeds followed: <code>rag feed add URL</code>, then <code>rag feed sync</code>.</div>"
    items = "".join(f"<li>{html_text(url)}: last synced {html_text(f['synced'][:16].replace('T', ' ') or 'never')}, "
                    f"{f['items']} item{'s' if f['items'] != 1 else ''} seen</li>" for url, f in sorted(followed.items()))
    return f"<div class='nr-note'><b>Feeds</b> (synced by <code>rag feed sync</code>)<ul>{items}</ul></div>"


def _editing(index: Index, settings: Settings, table: gr.Dataframe, choices, only: gr.Dropdown) -> list:
    """Upload, remove, samples back, corrections; returns the article pickers it adds."""
    upload = gr.File(file_count="multiple", file_types=list(ACCEPTED), label="Add articles (.txt, .md, .html, .pdf, .docx)",
                     elem_id="nr-upload")
    with gr.Row():
        url = gr.Textbox(placeholder="https://… a web page or a PDF", show_label=False, scale=4, elem_id="nr-url")
        fetch_button = gr.Button("Fetch and add", scale=1, elem_id="nr-fetch")
    upload_status = gr.Markdown(elem_id="nr-upload-status")
    with gr.Row():
        to_remove = gr.Dropdown(choices, value=None, label="Remove an article from the index", scale=4,
                                elem_id="nr-remove-choice")
        remove_button = gr.Button("Remove…", variant="secondary", scale=1, elem_id="nr-remove")
    with gr.Row(visible=False, elem_id="nr-confirm") as confirm_row:
        confirm_text = gr.Markdown()
        confirm_button = gr.Button("Yes, remove it", variant="stop", scale=0, elem_id="nr-remove-yes")
        cancel_button = gr.Button("Cancel", variant="secondary", scale=0, elem_id="nr-remove-no")
    remove_status = gr.Markdown(elem_id="nr-remove-status")
    samples_button = gr.Button("Put the sample articles back", size="sm", variant="secondary", elem_id="nr-samples")
    with gr.Accordion("Set an article's headline, outlet or date", open=False, elem_id="nr-edit-panel"):
        to_edit = gr.Dropdown(choices, value=None, label="Article", elem_id="nr-edit-choice")
        with gr.Row():
            edit_title = gr.Textbox(label="Headline", elem_id="nr-edit-title", scale=3)
            edit_outlet = gr.Textbox(label="Outlet", placeholder="e.g. Reuters", elem_id="nr-edit-outlet")
            edit_date = gr.Textbox(label="Published", placeholder="YYYY-MM-DD", elem_id="nr-edit-date")
        save_edit = gr.Button("Save", size="sm", variant="primary", elem_id="nr-edit-save")
        edit_status = gr.Markdown(elem_id="nr-edit-status")
    pickers = [only, to_remove, to_edit]

    def changed(*first, chosen: dict | None = None):
        """`first`, then the table and every article picker read anew (`chosen`: a picker's new value)."""
        rows, choices = library(index)
        chosen = chosen or {}
        return (*first, rows, *[gr.update(choices=choices, **({"value": chosen[p]} if p in chosen else {}))
                                for p in pickers])

    def add_files(files: list | None, progress=gr.Progress()):
        if not files:
            return gr.skip(), None, gr.skip(), *[gr.skip()] * len(pickers)
        paths = [f if isinstance(f, str) else f.name for f in files]
        saved, refused = save(paths, settings, names=[Path(p).name for p in paths])
        lines = [f"- **{html_text(r.source)}**: not added, {html_text(r.reason)}" for r in refused]
        if saved:
            progress(0, desc="embedding")
            result = ingest(saved, prune=False, index=index, progress=_Shown(progress))
            for f in result.files:
                what = {"added": "added", "updated": "updated", "unchanged": "already in the index",
                        "skipped": "not added", "removed": "removed"}[f.status]
                detail = f", {f.chunks} chunks" if f.chunks else ""
                reason = f", {html_text(f.reason)}" if f.reason else ""
                lines.append(f"- **{html_text(Path(f.source).name)}**: {what}{detail}{reason}")
        return changed("\n".join(lines), None)

    upload.upload(add_files, [upload], [upload_status, upload, table, *pickers], api_visibility="private")

    def add_url(address: str):
        address = (address or "").strip()
        if not is_url(address):
            return "Give the page's address, starting with https:// or http://.", gr.skip(), gr.skip(), *[gr.skip()] * len(pickers)
        result = ingest([address], prune=False, index=index)
        lines = [f"- **{html_text(f.source)}**: {f.status}" + (f", {html_text(f.reason)}" if f.reason and f.status == "skipped"
                                                                else f", {html_text(f.title)}" if f.title else "")
                 for f in result.files]
        return changed("\n".join(lines), "")

    fetch_button.click(add_url, [url], [upload_status, url, table, *pickers], api_visibility="private")
    url.submit(add_url, [url], [upload_status, url, table, *pickers], api_visibility="private")

    def ask_to_drop(key: str | None):
        """Removing takes a second click, on a button that names what goes."""
        entry = chosen_entry(key, index)
        if entry is None:
            return gr.update(visible=False), gr.skip(), "Choose an article first." if not key else "That article is not in the index."
        what = md_text(source_label(entry.outlet, entry.title, entry.date))
        return gr.update(visible=True), f"Remove **{what}** ({md_text(entry.name)}, {entry.chunks} chunks) from the index?", ""

    remove_button.click(ask_to_drop, [to_remove], [confirm_row, confirm_text, remove_status], api_visibility="private")
    cancel_button.click(lambda: (gr.update(visible=False), "Nothing was removed."), None, [confirm_row, remove_status],
                        api_visibility="private")

    def drop(key: str | None):
        entry = chosen_entry(key, index)
        if entry is None:
            message = "Choose an article first." if not key else "That article is not in the index."
            return message, gr.update(visible=False), gr.skip(), *[gr.skip()] * len(pickers)
        result = remove([entry.path], index=index)
        if any(f.status == "removed" for f in result.files):
            uploaded = Path(entry.path)
            if uploaded.parent == (settings.data_dir / "uploads").resolve():
                uploaded.unlink(missing_ok=True)  # an upload the index no longer uses
        return changed(f"Removed **{md_text(entry.name)}**.", gr.update(visible=False), chosen={to_remove: None})

    confirm_button.click(drop, [to_remove], [remove_status, confirm_row, table, *pickers], api_visibility="private")

    def restore_samples():
        folder = seeds_dir()
        if folder is None:
            return "No sample articles ship with this installation.", gr.skip(), *[gr.skip()] * len(pickers)
        result = ingest([folder], prune=False, index=index)
        back = len(result.by_status("added")) + len(result.by_status("updated"))
        return changed(f"Put back {back} sample article{'s' if back != 1 else ''}." if back
                       else "The sample articles are all in the index already.")

    samples_button.click(restore_samples, None, [remove_status, table, *pickers], api_visibility="private")

    def fill_edit(key: str | None):
        entry = chosen_entry(key, index)
        return (entry.title, entry.outlet, entry.date[:10], "") if entry else ("", "", "", "")

    to_edit.change(fill_edit, [to_edit], [edit_title, edit_outlet, edit_date, edit_status], api_visibility="private")

    def save_details(key: str | None, title_text: str, outlet_text: str, date_text: str):
        try:
            paths = chosen_paths([key] if key else [], index)
            if not paths:
                raise BadRequest("Choose an article first.")
            entry = correct(paths, title=title_text, outlet=outlet_text, date=date_text, index=index)[0]
        except BadRequest as exc:
            return html_text(str(exc)), gr.skip(), *[gr.skip()] * len(pickers)
        saved = f"Saved: **{md_text(source_label(entry.outlet, entry.title, entry.date))}** ({md_text(entry.name)})."
        return changed(saved, chosen={to_edit: key})

    save_edit.click(save_details, [to_edit, edit_title, edit_outlet, edit_date], [edit_status, table, *pickers],
                    api_visibility="private")
    return [to_remove, to_edit]


class _Shown:
    """An ingest's progress on the page: the file being read, then the chunks embedded."""

    def __init__(self, progress) -> None:
        self.progress = progress

    def __call__(self, done: int, total: int) -> None:
        self.progress(done / max(total, 1), desc="embedding")

    def reading(self, source: str) -> None:
        self.progress(0, desc=f"reading {Path(source).name}")
