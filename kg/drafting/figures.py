"""Finding figures (numbers with units and qualifiers) in an article's text, for the draft
annotations of ``peacekg annotate suggest``. Pure text processing: no spaCy, no I/O."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from kg.drafting.gazetteer import Hit, overlaps
from kg.drafting.numbers import fractions, word_numbers

NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
FIGURE = re.compile(
    rf"(?<![\w.,$€£])(?P<cur>US\$|\$|€)?(?P<n1>{NUMBER})"
    rf"(?:(?P<sep>\s?(?:-|–)\s?|\s(?:to|and)\s)(?P<cur2>US\$|\$|€)?(?P<n2>{NUMBER}))?"
    r"(?P<scale>\s?(?i:million|billion|trillion|thousand|bn)\b)?"
)
NOT_COUNTED = {"centuries", "minutes", "seconds", "percent"}
SCALES = {"million": 10**6, "billion": 10**9, "trillion": 10**12, "thousand": 10**3, "bn": 10**9}
TROOPS = {
    "soldiers",
    "troops",
    "servicemen",
    "personnel",
    "fighters",
    "peacekeepers",
    "men",
    "women",
    "reservists",
    "recruits",
    "conscripts",
}
WEAPONS = {
    "drones",
    "missiles",
    "tanks",
    "shells",
    "rockets",
    "strikes",
    "weapons",
    "aircraft",
    "jets",
    "warheads",
    "howitzers",
    "munitions",
    "rounds",
}
CASUALTIES = {"killed", "dead", "wounded", "casualties", "deaths", "died", "injured"}
STOP = {
    "to",
    "of",
    "in",
    "and",
    "or",
    "the",
    "a",
    "an",
    "for",
    "per",
    "at",
    "on",
    "by",
    "with",
    "from",
    "as",
    "than",
    "is",
    "was",
    "were",
    "are",
}
QUALIFIERS = (
    ("approximate", ("about", "around", "some", "roughly", "approximately", "nearly", "almost", "an estimated")),
    ("more-than", ("more than", "over", "exceeding")),
    ("at-least", ("at least",)),
    ("up-to", ("up to",)),
    ("at-most", ("at most", "no more than")),
)


@dataclass(frozen=True)
class Figure:
    start: int
    end: int
    quantity: dict[str, Any]
    category: str
    remark: str


def _number(text: str, scale: int) -> int | float:
    value = Decimal(text.replace(",", "")) * scale
    return int(value) if value == value.to_integral_value() else float(value)


def _unit(rest: str, cur: str | None) -> tuple[str, int, str | None] | None:
    """(unit, length of the unit text after the number, counted noun) or None."""
    if cur:
        return ("usd" if "$" in cur else "eur"), 0, None
    for pattern, unit in (
        (r"\s?%", "percent"),
        (r"\s(?:percent|per cent)\b", "percent"),
        (r"\s?(?:km|kilomet(?:er|re)s?)\b", "kilometre"),
        (r"\s(?:US\s)?dollars\b", "usd"),
        (r"\s(?:euros?)\b", "eur"),
        (r"\s(?:roubles|rubles)\b", "rub"),
        (r"\smonths?\b(?![-\s]old)", "month"),
        (r"\syears?\b(?![-\s]old)", "year"),
        (r"\sdecades?\b", "decade"),  # turned into years by the caller
        (r"\stimes\b", "ratio"),  # "prices inflated by 2-3 times"
        (r"-strong\b", "count"),
    ):
        m = re.match(pattern, rest)
        if m:
            return unit, m.end(), "troops" if pattern.startswith("-strong") else None
    if rest[:1].isalpha() or not rest[:1].isspace():
        return None
    at = 0
    partitive = re.match(r"\s+of\s+(?:its|their|his|her|our|the|these|those)(?=\s)", rest)
    if partitive:  # "600,000 of its troops"
        at = partitive.end()
    for _ in range(3):  # the counted noun: the first known or plural word among the next three
        m = re.match(r"\s+([A-Za-z][a-z-]*)\b", rest[at:])
        if not m or m.group(1).lower() in STOP | NOT_COUNTED:
            return None
        at += m.end()
        word = m.group(1)
        if word.islower() and (
            word in TROOPS | WEAPONS | CASUALTIES or (word.endswith("s") and len(word) > 3) or word == "people"
        ):
            return "count", at, word
    return None


def _qualifier(before: str) -> str | None:
    before = before.lower().rstrip()
    if before.endswith(">"):
        return "more-than"
    for name, phrases in QUALIFIERS:
        if any(re.search(rf"(?:^|\W){re.escape(p)}$", before) for p in phrases):
            return name
    return None


def _category(unit: str, noun: str | None, clause: str, after: str) -> tuple[str, str]:
    if unit in ("usd", "eur", "rub"):
        return "money", ""
    if unit == "kilometre":
        return "distance", ""
    if unit in ("month", "year"):
        return "duration", ""
    if unit == "percent":
        if re.search(r"territor|occup|land\b|control", clause):
            return "territory-share", "; territory-share because the clause speaks of territory"
        return "economic-indicator", ""
    words = set(re.findall(r"[a-z]+", after.lower())[:4]) | {noun or ""}
    if words & CASUALTIES:
        return "casualties", ""
    if noun in WEAPONS:
        return "weapons", ""
    if noun in TROOPS:
        if re.search(r"\b(?:each|per|a|every) (?:month|week|year)\b", after):
            return "recruitment", ""
        return "troop-strength", ""
    return "economic-indicator", f"; no figure category fits a count of {noun}: economic-indicator is a placeholder"


def _candidates(text: str, lo: int, hi: int) -> list[tuple[int, int, Any, Any, str, str | None]]:
    """(start, end, first value, second value or None, scale word, currency) of numbers in
    digits and in words."""
    out = []
    for m in FIGURE.finditer(text, lo, hi):
        n1, n2, scale_text = m.group("n1"), m.group("n2"), (m.group("scale") or "").strip()
        if not m.group("cur") and not scale_text and re.fullmatch(r"(?:1[89]|20)\d\d", n1):
            continue  # a year
        scale = SCALES.get(scale_text.lower(), 1)
        second = _number(n2, scale) if n2 else None
        out.append((m.start(), m.end(), _number(n1, scale), second, scale_text, m.group("cur") or m.group("cur2")))
    taken = [(s, e) for s, e, *_ in out]
    for start, end, first, second in word_numbers(text, lo, hi):
        if not any(s < end and start < e for s, e in taken):
            out.append((start, end, first, second, "", None))
    return sorted(out)


def find_figures(
    text: str, windows: list[tuple[int, int]], sentences: list[tuple[int, int]], dates: list[tuple[int, int, str]]
) -> list[Figure]:
    out = []
    date_hits = [Hit(s, e, "") for s, e, _ in dates]
    for lo, hi in windows:
        for start, stop, first, second, _, currency in _candidates(text, lo, hi):
            if overlaps(start, stop, date_hits):
                continue
            unit = _unit(text[stop:hi], currency)
            if unit is None:
                continue
            name, length, noun = unit
            end = stop + length
            if name == "decade":
                name, first, second = "year", first * 10, None if second is None else second * 10
            quantity: dict[str, Any] = {"min": first, "max": second} if second is not None else {"value": first}
            quantity["unit"] = name
            qualifier = None if second is not None else _qualifier(text[max(lo, start - 30) : start])
            if qualifier:
                quantity["qualifier"] = qualifier
            if noun:
                quantity["count_of"] = noun
            sentence = next(((s, e) for s, e in sentences if s <= start < e), (start, end))
            clause = clause_of(text, sentence, start)
            category, why = _category(name, noun, clause, text[end : end + 40])
            out.append(Figure(start, min(end, hi), quantity, category, why))
        taken = [Hit(f.start, f.end, "") for f in out]
        for start, end, value in fractions(text, lo, hi):
            if not overlaps(start, end, taken):
                out.append(Figure(start, end, {"value": value, "unit": "ratio"}, "economic-indicator", _RATIO_NOTE))
    return sorted(out, key=lambda f: f.start)


_RATIO_NOTE = "; a fraction in words: check the category and what it is a fraction of"


SEPARATOR = r"[;:]\s|,[”\"’]?\s"


def clause_of(text: str, sentence: tuple[int, int], offset: int) -> str:
    """The part of the sentence around ``offset`` between ';', ':' or ', ' separators."""
    lo, hi = sentence
    start = max([lo] + [lo + m.end() for m in re.finditer(SEPARATOR, text[lo:offset])])
    rest = re.search(SEPARATOR, text[offset:hi])
    end = offset + rest.start() if rest else hi
    return text[start:end].strip(' “”"') or text[lo:hi]
