"""Dates in an article's text, anchored on the article's date: explicit dates ("15 August 2025",
"April 17th", "in 1994,"), a month and day without a year (the last such day not after the
article's date), and relative dates ("last week", "on Friday", "yesterday", "this week", "last
year"), each with the ISO form of what it designates and its precision.

Written by hand: dateparser (measured on the seeds' sentences) misses "last week", gives "In 1994"
the anchor's month and day, and "August 23rd" in a 1939 context the anchor's year; here a date
without a year takes the year of the article only when no year is written in its sentence.

The anchor is the article's publication date (:func:`anchor_of` its metadata); the year of a date
field, the article's or an individual's, is :func:`year_of` (:func:`years_of`: every individual's)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

MONTH = r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
ORDINAL = r"(?:st|nd|rd|th)?"
DATES = (
    re.compile(rf"\b(?P<d>\d{{1,2}}){ORDINAL}\s+(?:of\s+)?(?P<m>{MONTH})(?:,?\s+(?P<y>\d{{4}}))?\b"),
    re.compile(rf"\b(?P<m>{MONTH})\s+(?P<d>\d{{1,2}}){ORDINAL}(?:,?\s+(?P<y>\d{{4}}))?\b"),
    re.compile(rf"\b(?P<m>{MONTH})\s+(?P<y>\d{{4}})\b"),
    re.compile(r"(?<![\w.,$€£-])(?P<y>(?:1[89]|20)\d\d)(?![\w%-]|[.,]\d)"),  # "in 1994," too
)
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def find_dates(text: str, windows: list[tuple[int, int]]) -> list[tuple[int, int, str]]:
    """(start, end, ISO form or '') of explicit dates, longest first, non-overlapping."""
    found = []
    for pattern in DATES:
        for lo, hi in windows:
            for m in pattern.finditer(text, lo, hi):
                parts = m.groupdict()
                iso = ""
                if parts.get("y"):
                    iso = parts["y"]
                    if parts.get("m"):
                        iso += f"-{MONTHS.index(parts['m']) + 1:02d}"
                        if parts.get("d") and 1 <= int(parts["d"]) <= 31:
                            iso += f"-{int(parts['d']):02d}"
                found.append((m.start(), m.end(), iso))
    taken: list[tuple[int, int, str]] = []
    for start, end, iso in sorted(found, key=lambda f: (-(f[1] - f[0]), f[0])):
        if not any(s < end and start < e for s, e, _ in taken):
            taken.append((start, end, iso))
    return sorted(taken)


# -- the draft ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Anchored:
    """A date of the text: its span, the first and last day it designates and its precision."""

    start: int
    end: int
    earliest: str
    latest: str
    precision: str  # day, week, month, year

    def as_field(self, text: str) -> dict[str, object]:
        """The annotation ``date`` field (inferred: the text does not write it out in full)."""
        return {
            "earliest": self.earliest,
            "latest": self.latest,
            "precision": self.precision,
            "as_written": text[self.start : self.end],
            "inferred": True,
        }


WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
RELATIVE = re.compile(
    r"\b(?P<what>last week|this week|last month|last year|this year|yesterday|today|"
    rf"(?:on|last) (?P<day>{'|'.join(WEEKDAYS)}))\b",
    re.IGNORECASE,
)


def anchored_dates(text: str, windows: list[tuple[int, int]], anchor: dt.date | None) -> list[Anchored]:
    """Every date of the text with the days it designates; relative ones only with an anchor."""
    out = []
    for start, end, iso in find_dates(text, windows):
        if iso:
            out.append(_span_of(start, end, iso))
        elif anchor is not None:  # a month and day without a year: the last one not after the anchor
            found = re.search(rf"({MONTH})\s+(\d{{1,2}})|(\d{{1,2}})\w*\s+(?:of\s+)?({MONTH})", text[start:end])
            if found:
                month = MONTHS.index(found.group(1) or found.group(4)) + 1
                day = int(found.group(2) or found.group(3))
                written = _year_in_sentence(text, start, end)
                try:
                    date = dt.date(written or anchor.year, month, day)
                    if date > anchor and written is None:
                        date = dt.date(anchor.year - 1, month, day)
                except ValueError:
                    continue
                out.append(Anchored(start, end, date.isoformat(), date.isoformat(), "day"))
    for lo, hi in windows if anchor is not None else []:
        for m in RELATIVE.finditer(text, lo, hi):
            if anchor is not None:
                out.append(_relative(m.start(), m.end(), m.group("what").lower(), m.group("day"), anchor))
    return sorted(out, key=lambda a: a.start)


def _year_in_sentence(text: str, start: int, end: int) -> int | None:
    """A year written in the sentence around [start, end) ("In 1939 … on August 23rd")."""
    lo = max(text.rfind(". ", 0, start), text.rfind("\n", 0, start)) + 1
    stops = [i for i in (text.find(". ", end), text.find("\n", end)) if i != -1]
    hi = min(stops) if stops else len(text)
    years = re.findall(r"(?<!\d)((?:1[89]|20)\d\d)(?!\d)", text[lo:start] + " " + text[end:hi])
    return int(years[-1]) if years else None


def _span_of(start: int, end: int, iso: str) -> Anchored:
    parts = iso.split("-")
    if len(parts) == 3:
        return Anchored(start, end, iso, iso, "day")
    if len(parts) == 2:
        year, month = int(parts[0]), int(parts[1])
        last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).isoformat()
        return Anchored(start, end, f"{iso}-01", last, "month")
    return Anchored(start, end, f"{iso}-01-01", f"{iso}-12-31", "year")


def _relative(start: int, end: int, what: str, weekday: str | None, anchor: dt.date) -> Anchored:
    if weekday:
        back = (anchor.weekday() - WEEKDAYS.index(weekday.capitalize())) % 7 or 7
        day = anchor - dt.timedelta(days=back)
        return Anchored(start, end, day.isoformat(), day.isoformat(), "day")
    if what in ("yesterday", "today"):
        day = anchor - dt.timedelta(days=1 if what == "yesterday" else 0)
        return Anchored(start, end, day.isoformat(), day.isoformat(), "day")
    if what in ("last week", "this week"):
        monday = anchor - dt.timedelta(days=anchor.weekday()) - dt.timedelta(weeks=1 if what == "last week" else 0)
        return Anchored(start, end, monday.isoformat(), (monday + dt.timedelta(days=6)).isoformat(), "week")
    if what in ("last month", "this month"):
        first = anchor.replace(day=1)
        if what == "last month":
            first = (first - dt.timedelta(days=1)).replace(day=1)
        return _span_of(start, end, first.isoformat()[:7])
    return _span_of(start, end, str(anchor.year - (1 if what == "last year" else 0)))


def anchor_of(meta: dict[str, Any]) -> dt.date | None:
    """The day relative dates are counted from: the article's (earliest) publication date."""
    value = meta.get("published") or meta.get("date")
    if isinstance(value, dict):
        value = value.get("earliest", value.get("latest"))
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)) if value is not None else None
    except ValueError:
        return None


def year_of(value: Any) -> int | None:
    """The (earliest) year of a date field: '2025-01-20', 2025, {earliest: …}."""
    if isinstance(value, dict):
        value = value.get("earliest", value.get("latest"))
    match = re.match(r"\s*(\d{4})", str(value)) if value is not None else None
    return int(match.group(1)) if match else None


def years_of(individuals: list[dict[str, Any]]) -> dict[str, int]:
    """The year of each individual with a date (key → its earliest year)."""
    out = {}
    for item in individuals:
        year = year_of(item.get("date"))
        if year is not None and isinstance(item.get("key"), str):
            out[item["key"]] = year
    return out
