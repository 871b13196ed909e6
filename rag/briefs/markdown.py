"""A briefing as Markdown. Every string from an article (or the user) is escaped so that any
viewer shows it as text: no HTML, no links or images, no emphasis (rag/markup.py)."""

from __future__ import annotations

from typing import Sequence

from ..markup import md_text as _esc  # article text in Markdown: shown as its own characters
from ..types import source_label


def render_markdown(topic, material, summary, points, speakers, found, unique, sources, cite, backend, notes) -> str:
    """The briefing as Markdown. Every string from an article (or the user) goes through `_esc`,
    so any viewer shows it as text: no HTML, no links or images, no emphasis."""
    total = material.independent(range(len(material.articles)))  # wire copies of one story count once
    called = {s.name: s.outlet or _clip(s.title) or s.name for s in sources}  # how a remark names its source
    dates = sorted(a.date[:10] for a in material.articles if a.date)
    lines = [f"# Briefing: {_esc(topic) if topic else 'all ingested articles'}", ""]
    span = f" · {_esc(dates[0])}" + (f" to {_esc(dates[-1])}" if dates[-1] != dates[0] else "") if dates else ""
    how = (
        "every sentence below is quoted from the articles"
        if backend == "extractive"
        else f"summary written by the {backend} model from the articles, every other sentence quoted"
    )
    copies = len(material.articles) - total
    held = f" ({len(material.articles)} articles: {copies} a copy of another's wire story, counted once)" if copies else ""
    lines += [f"*{total} source{'s' if total != 1 else ''}{held}{span} · {how}; each is cited [n] with its exact place "
              "(list at the end)*", ""]
    for note in notes:
        lines += [f"> {_esc(note)}", ""]
    lines += ["## Summary", "", " ".join(f"{_esc(p.text)} {_marks(p.citations)}" for p in summary), ""]
    lines += ["## Key points", ""]
    if points:
        for i, p in enumerate(points, 1):
            lines.append(f"{i}. {_esc(p.text)} — *reported by {p.n_sources} of {total} sources* {_marks(p.citations)}")
    else:
        lines.append("No fact is reported by more than one source.")
    lines += ["", "## Who said what", ""]
    if not speakers:
        lines.append("No attributed statements were found.")
    for sp in speakers:
        lines += [f"### {_esc(sp.name)}", ""]
        for r in sp.remarks:
            kind = "" if r.direct else "*(reported)* "
            also = f" — also {_marks(r.also)}" if r.also else ""
            lines.append(f"- {kind}{_esc(r.text)} {_marks((r.citation,))} ({_esc(called.get(r.source, r.source))}){also}")
        lines.append("")
    lines += ["## Where sources differ", ""]
    if found:
        for d in found:
            variants = " vs ".join(f"“{_esc(v.text)}” {_marks((v.citation,))} ({_esc(called.get(v.source, v.source))})" for v in d.variants)
            lines.append(f"- **{_esc(d.about[0].upper() + d.about[1:])}** ({_esc(d.kind)}): {variants}")
    else:
        lines.append("Nothing differs: no quote is rendered differently, no figure or name disagrees between sources.")
    lines += ["", "## Unique details", ""]
    if not unique:
        lines.append("Every detail here is reported by more than one source.")
    for name, pts in unique:
        source = next((s for s in sources if s.name == name), None)
        heading = source_label(source.outlet, source.title, source.date) if source else name
        lines += [f"**{_esc(heading)}** ({_esc(name)})", ""]
        lines += [f"- {_esc(p.text)} {_marks(p.citations)}" for p in pts]
        lines.append("")
    lines += ["## Sources", ""]
    same = {a: [sources[b].name for b in range(len(sources)) if b != a and material.copy_of and material.copy_of[b] == material.copy_of[a]]
            for a in range(len(sources))}  # the wire copies among these sources
    for a in sorted(range(len(sources)), key=lambda a: (not sources[a].outlet, sources[a].outlet.lower(), sources[a].title.lower())):
        s = sources[a]  # by outlet
        byline = f" · by {_esc(s.byline)}" if s.byline else ""
        copy = f" — the same wire story as {_esc(', '.join(same[a]))}" if same[a] else ""
        lines.append(f"- **{_esc(source_label(s.outlet, s.title, s.date))}**{byline} ({_esc(s.name)}){copy}")
    lines += ["", "## Citations", ""]
    lines += [f"[{c.n}] {_esc(c.label)} ({_esc(c.name)}, chars {c.start}-{c.end}"
              f"{'; ' + _esc(c.carried) if c.also else ''}): {_esc(c.quote)}  " for c in cite.citations]
    return "\n".join(lines).rstrip() + "\n"


def _clip(title: str, limit: int = 48) -> str:
    return title if len(title) <= limit else title[:limit].rsplit(" ", 1)[0] + "…"


def _marks(numbers: Sequence[int]) -> str:
    return "".join(f"[{n}]" for n in numbers)
