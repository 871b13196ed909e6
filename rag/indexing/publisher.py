"""Who published an article, as far as its own text says: people attribute by outlet ("UPI, 21
March: ..."), so the outlet is shown first wherever a source is named.

Read, in this order, from
- a metadata line "Source: ...", "Publisher: ...", "Outlet: ..." (what the HTML reader writes for
  a page's site name, og:site_name);
- a wire dateline opening the story: "March 21 (UPI) —", "MOSCOW, March 21 (Reuters) -";
- a byline naming an outlet after the writer: "By Jane Doe, Reuters", "By Jane Doe | CNN";
- a copyright line in the furniture: "© 2023 Al Jazeera", "Copyright 2023 The Associated Press".
Nothing found: "" (the library lets the user set it).
"""

from __future__ import annotations

import re

from .outlets import is_outlet

_LINE = re.compile(r"^(?:source|publisher|published\s+by|outlet|site)\s*:\s*(?P<outlet>[^\n]{2,60}?)\s*$", re.IGNORECASE)
_DATELINE = re.compile(
    r"^[A-Z][A-Za-z0-9.,' \xa0-]{0,40}?\(\s*(?P<outlet>[A-Z][A-Za-z&.' -]{1,40}?)\s*\)\s*[-–—]"  # "March 21 (UPI) —"
)
_PLACE_OR_DATE = re.compile(r"\b[A-Z]{3,}\b|\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+\d")
_BYLINE_TAIL = re.compile(r"(?:,|\||\s[-–—]\s|\s+for\s+)\s*(?P<outlet>[A-Z][\w&.' -]{1,40}?)\s*$")
_COPYRIGHT = re.compile(r"(?:©|\(c\)|copyright)\s*(?:\d{4}\s*(?:[-–]\s*\d{4}\s*)?)?(?P<outlet>[A-Z][\w&.' -]{1,40}?)"
                        r"[.,]?\s*(?:all\s+rights\s+reserved\.?)?\s*$", re.IGNORECASE)


def metadata_outlet(unit: str) -> str:
    """The outlet a metadata line names ("Source: Reuters"), else ""."""
    m = _LINE.match(unit.strip())
    return m.group("outlet").strip(" .|") if m else ""


def dateline_outlet(unit: str) -> str:
    """The wire service of a dateline opening a paragraph ("March 21 (UPI) — ..."), else ""."""
    m = _DATELINE.match(unit.strip())
    if not m:
        return ""
    name, place = m.group("outlet").strip(), m.string[: m.start("outlet")]
    # a known outlet, or a dateline's place in capitals or its date ("(D) —" after a name is no outlet)
    return name if is_outlet(name) or _PLACE_OR_DATE.search(place) else ""


def byline_outlet(byline: str) -> str:
    """The outlet named after the writer in a byline ("Jane Doe, Reuters"), else ""."""
    m = _BYLINE_TAIL.search(byline.strip())
    return m.group("outlet").strip() if m and is_outlet(m.group("outlet")) else ""


def copyright_outlet(unit: str) -> str:
    """The holder of a short copyright line ("© 2023 Al Jazeera"), else ""."""
    unit = unit.strip()
    if len(unit) > 80:
        return ""
    m = _COPYRIGHT.search(unit)
    return re.sub(r"^(?:the)\s+", "", m.group("outlet").strip(), flags=re.IGNORECASE) if m else ""
