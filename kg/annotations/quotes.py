"""Resolving quotes to character offsets, and checking them.

A quote is found only inside the regions of an article that may be annotated (body, headline,
byline, reader comments), never in duplicates or non-article text. It must be unique there, or be
made unique by an occurrence number (1-based) or a prefix/suffix.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    exact: str
    prefix: str
    suffix: str


class QuoteError(ValueError):
    """A quote that cannot be resolved; the message says why."""


CONTEXT = 32  # characters of prefix/suffix stored with each resolved span


def occurrences(text: str, quote: str, windows: list[tuple[int, int]]) -> list[int]:
    """Start offsets of ``quote`` lying wholly inside one of ``windows``."""
    found = []
    for lo, hi in windows:
        at = text.find(quote, lo, hi)
        while at != -1:
            found.append(at)
            at = text.find(quote, at + 1, hi)
    return sorted(found)


def make_span(text: str, start: int, end: int) -> Span:
    return Span(start, end, text[start:end], text[max(0, start - CONTEXT) : start], text[end : end + CONTEXT])


def resolve(
    text: str,
    quote: str,
    windows: list[tuple[int, int]],
    *,
    occurrence: int | None = None,
    prefix: str | None = None,
    suffix: str | None = None,
) -> Span:
    """The one span ``quote`` designates, or QuoteError."""
    if not quote:
        raise QuoteError("empty quote")
    starts = occurrences(text, quote, windows)
    if prefix is not None:
        starts = [s for s in starts if text[:s].endswith(prefix)]
    if suffix is not None:
        starts = [s for s in starts if text[s + len(quote) :].startswith(suffix)]
    if not starts:
        near = _near_miss(text, quote, windows)
        raise QuoteError(f"quote not found in the annotatable text{near}: {quote!r}")
    if occurrence is not None:
        if not 1 <= occurrence <= len(starts):
            raise QuoteError(f"occurrence {occurrence} requested but the quote occurs {len(starts)} time(s): {quote!r}")
        start = starts[occurrence - 1]
    elif len(starts) > 1:
        raise QuoteError(
            f"quote is ambiguous: it occurs {len(starts)} times (at offsets {', '.join(map(str, starts[:6]))}); "
            f"add occurrence, prefix or suffix: {quote!r}"
        )
    else:
        start = starts[0]
    return make_span(text, start, start + len(quote))


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def at_word_boundaries(text: str, start: int, end: int) -> bool:
    """True when the span neither starts nor ends inside a word ("US" in "USA" does not count)."""
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return not (_is_word_char(before) and _is_word_char(text[start])) and not (
        _is_word_char(after) and _is_word_char(text[end - 1])
    )


def resolve_all(text: str, quote: str, windows: list[tuple[int, int]]) -> list[Span]:
    """Every whole-word occurrence (for mentions with occurrence: all); at least one."""
    starts = [s for s in occurrences(text, quote, windows) if at_word_boundaries(text, s, s + len(quote))]
    if not starts:
        raise QuoteError(f"quote not found in the annotatable text{_near_miss(text, quote, windows)}: {quote!r}")
    return [make_span(text, s, s + len(quote)) for s in starts]


def _near_miss(text: str, quote: str, windows: list[tuple[int, int]]) -> str:
    """A hint when the quote differs only in case, spaces or typographic quotes."""

    def norm(s: str) -> str:
        table = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-"})
        return " ".join(s.translate(table).lower().split())

    target = norm(quote)
    for lo, hi in windows:
        window = norm(text[lo:hi])
        if target and target in window:
            return " (it matches if case, spaces or typographic quotes/dashes are ignored: copy the text exactly)"
    if text.find(quote) != -1:
        return " (it occurs only in a duplicate or non-article region)"
    return ""
