"""Numbers written in words ("three and a half years", "six-eight months", "one-fifth",
"seventeen thousand"), for the figures of the draft.

Written by hand: measured against the seeds' figures, the registry's libraries did not fit —
quantulum3 needs its own trained classifier data and maps "rubles"/"drones" to units of its own
ontology, number-parser rewrites the whole text (offsets are lost). This grammar covers cardinal
numbers up to the billions, "and a half", ranges with "-", "to" or "or", and simple fractions.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal

SMALL = {
    w: i
    for i, w in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
        ]
    )
}
TENS = {
    w: 10 * i
    for i, w in enumerate(["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"])
    if i >= 2
}
SCALE_WORDS = {"hundred": 100, "thousand": 1000, "million": 10**6, "billion": 10**9, "trillion": 10**12}
DENOMINATORS = {"half": 2, "third": 3, "quarter": 4, "fourth": 4, "fifth": 5, "sixth": 6, "tenth": 10}

_ATOM = rf"(?:{'|'.join(TENS)})(?:[- ](?:{'|'.join(w for w in SMALL if w != 'zero')}))?|{'|'.join(sorted(SMALL, key=len, reverse=True))}"
_NUMBER = rf"(?:{_ATOM})(?:\s+(?:and\s+)?(?:{_ATOM}|{'|'.join(SCALE_WORDS)}))*(?:\s+and\s+a\s+half)?"
WORD_NUMBER = re.compile(
    rf"(?<![\w-])(?P<n1>{_NUMBER})(?:\s?(?:-|–|\sto\s|\sor\s)\s?(?P<n2>{_NUMBER}))?(?![\w-])", re.IGNORECASE
)
FRACTION = re.compile(
    rf"(?<![\w-])(?P<num>one|two|three|a)[- ](?P<den>{'|'.join(DENOMINATORS)})s?(?![\w-])", re.IGNORECASE
)


def word_value(words: str) -> int | float | None:
    """The value of a cardinal written in words, or None."""
    total, current = Decimal(0), Decimal(0)
    half = bool(re.search(r"\band\s+a\s+half$", words, re.IGNORECASE))
    words = re.sub(r"\s+and\s+a\s+half$", "", words, flags=re.IGNORECASE)
    for word in re.split(r"[\s-]+", words.lower()):
        if word == "and":
            continue
        if word in SMALL:
            current += SMALL[word]
        elif word in TENS:
            current += TENS[word]
        elif word == "hundred":
            current = (current or Decimal(1)) * 100
        elif word in SCALE_WORDS:
            total += (current or Decimal(1)) * SCALE_WORDS[word]
            current = Decimal(0)
        else:
            return None
    value = total + current + (Decimal("0.5") if half else 0)
    return int(value) if value == value.to_integral_value() else float(value)


def word_numbers(text: str, lo: int, hi: int) -> Iterator[tuple[int, int, int | float, int | float | None]]:
    """(start, end, first value, second value of a range or None) of numbers in words."""
    for m in WORD_NUMBER.finditer(text, lo, hi):
        first = word_value(m.group("n1"))
        second = word_value(m.group("n2")) if m.group("n2") else None
        if first is not None:
            yield m.start(), m.end(), first, second


def fractions(text: str, lo: int, hi: int) -> Iterator[tuple[int, int, float]]:
    """(start, end, value) of simple fractions in words ("one-fifth": 0.2)."""
    for m in FRACTION.finditer(text, lo, hi):
        numerator = 1 if m.group("num").lower() == "a" else SMALL[m.group("num").lower()]
        yield m.start(), m.end(), round(numerator / DENOMINATORS[m.group("den").lower()], 4)
