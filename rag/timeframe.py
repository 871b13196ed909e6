"""Dates for time-aware retrieval: an article's publication day as a number, and the period a
question names ("this week", "on Monday", "in March 2023", "yesterday") read relative to an
as-of date.

Days are proleptic Gregorian ordinals (`date.toordinal()`), 0 when unknown: integers Chroma and
the keyword index can filter on with a range.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta


def day_of(iso: str) -> int:
    """The day number of an ISO 8601 date or datetime ("2023-03-21T10:03:00"), 0 if none."""
    try:
        return date.fromisoformat(iso.strip()[:10]).toordinal() if iso and iso.strip() else 0
    except ValueError:
        return 0


def parse_day(text: object, name: str) -> date:
    """A date given by a user ("2023-01-06", a date or datetime object); ValueError names `name`."""
    if isinstance(text, datetime):
        return text.date()
    if isinstance(text, date):
        return text
    if isinstance(text, str):
        try:
            return date.fromisoformat(text.strip()[:10])
        except ValueError:
            pass
    raise ValueError(f"{name} must be a date as YYYY-MM-DD, not {text!r}")


@dataclass(frozen=True)
class Period:
    """Days first..last (day numbers, inclusive) and the words that named them."""

    first: int
    last: int
    words: str

    def holds(self, day: int) -> bool:
        return day != 0 and self.first <= day <= self.last


_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS |= {name.lower(): i for i, name in enumerate(calendar.month_abbr) if name}
_WEEKDAYS = {name.lower(): i for i, name in enumerate(calendar.day_name)}
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "ten": 10, "a": 1}

_PATTERNS: list[tuple[str, re.Pattern]] = [
    (name, re.compile(pattern, re.I))
    for name, pattern in [
        ("day_month_year", _MONTH + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<year>(?:19|20)\d\d)\b"),
        ("month_year", r"\b(?:in|during|since|of)\s+" + _MONTH + r",?\s+(?P<year>(?:19|20)\d\d)\b"),
        ("day_month", r"\b(?:on\s+)?" + _MONTH + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?\b"),
        ("month", r"\b(?:in|during|since|of|this|last)\s+" + _MONTH + r"\b"),
        ("year", r"\b(?:in|during|since|of)\s+(?P<year>(?:19|20)\d\d)\b"),
        ("today", r"\b(?:today|tonight|this\s+morning|this\s+afternoon|this\s+evening)\b"),
        ("yesterday", r"\byesterday\b"),
        ("past", r"\b(?:past|last)\s+(?P<n>\d{1,3}|one|two|three|four|five|six|seven|ten|a)\s+"
                 r"(?P<unit>days?|weeks?|months?)\b"),
        ("this_week", r"\b(?:this|the\s+past)\s+week\b"),
        ("last_week", r"\blast\s+week\b"),
        ("this_month", r"\bthis\s+month\b"),
        ("last_month", r"\blast\s+month\b"),
        ("this_year", r"\bthis\s+year\b"),
        ("last_year", r"\blast\s+year\b"),
        ("weekday", r"\b(?:on|last|this)\s+(?P<weekday>" + "|".join(_WEEKDAYS) + r")\b"),
        ("latest", r"\b(?:latest|recently|recent|newest|most\s+recent|so\s+far)\b"),
    ]
]


def asked_period(question: str, as_of: date) -> Period | None:
    """The period the question names, read relative to `as_of`; None when it names none.
    A relative period ends at `as_of` at the latest: what was written later had not happened yet."""
    for name, pattern in _PATTERNS:
        m = pattern.search(question)
        if m is None:
            continue
        period = _period(name, m, as_of)
        if period is not None:
            first, last = period
            if first <= as_of:  # a period that named a later time explicitly is kept as named
                last = min(last, as_of)
            return Period(first.toordinal(), last.toordinal(), m.group(0).strip())
    return None


def _period(name: str, m: re.Match, as_of: date) -> tuple[date, date] | None:
    groups = m.groupdict()
    month = _MONTHS.get((groups.get("month") or "").lower().rstrip("."), 0)
    try:
        if name == "day_month_year":
            day = date(int(groups["year"]), month, int(groups["day"]))
            return day, day
        if name == "month_year":
            return _month(int(groups["year"]), month)
        if name == "day_month":  # the latest such day on or before as_of
            day = date(as_of.year, month, int(groups["day"]))
            return (day, day) if day <= as_of else (day.replace(year=as_of.year - 1),) * 2
        if name == "month":
            year = as_of.year if month <= as_of.month else as_of.year - 1
            return _month(year, month)
        if name == "year":
            return date(int(groups["year"]), 1, 1), date(int(groups["year"]), 12, 31)
    except ValueError:  # "February 30"
        return None
    if name == "today":
        return as_of, as_of
    if name == "yesterday":
        return as_of - timedelta(days=1), as_of - timedelta(days=1)
    if name == "past":
        n = int(groups["n"]) if groups["n"].isdigit() else _NUMBERS[groups["n"].lower()]
        days = n * {"d": 1, "w": 7, "m": 31}[groups["unit"][0].lower()]
        return as_of - timedelta(days=days), as_of
    if name == "this_week":
        return as_of - timedelta(days=7), as_of
    if name == "last_week":
        monday = as_of - timedelta(days=as_of.weekday())
        return monday - timedelta(days=7), monday - timedelta(days=1)
    if name == "this_month":
        return as_of.replace(day=1), as_of
    if name == "last_month":
        end = as_of.replace(day=1) - timedelta(days=1)
        return end.replace(day=1), end
    if name == "this_year":
        return as_of.replace(month=1, day=1), as_of
    if name == "last_year":
        return date(as_of.year - 1, 1, 1), date(as_of.year - 1, 12, 31)
    if name == "weekday":  # the latest such weekday on or before as_of, and the day after (reports)
        back = (as_of.weekday() - _WEEKDAYS[groups["weekday"].lower()]) % 7
        day = as_of - timedelta(days=back)
        return day, day + timedelta(days=1)
    if name == "latest":
        return as_of - timedelta(days=7), as_of
    return None


def _month(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
