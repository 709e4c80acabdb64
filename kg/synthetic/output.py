"""A synthetic article's annotations in the annotation format: the maker's :class:`Quote` objects
(character ranges of the text it wrote) become quotes as an annotator writes them, with an
``occurrence`` only where the quote recurs; names become mentions."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from kg.annotations.quotes import occurrences
from kg.synthetic.text import Quote

Windows = list[tuple[int, int]]


def exact_quotes(value: Any, text: str, windows: Windows) -> Any:
    """``value`` with every Quote replaced by its text (and its occurrence when it recurs)."""
    if isinstance(value, Quote):
        quote = text[value.start : value.end]
        starts = occurrences(text, quote, windows)
        return quote if len(starts) == 1 else {"quote": quote, "occurrence": starts.index(value.start) + 1}
    if isinstance(value, dict):
        return {k: exact_quotes(v, text, windows) for k, v in value.items()}
    if isinstance(value, list):
        return [exact_quotes(v, text, windows) for v in value]
    return value


def mention_items(named: Collection[tuple[str, str]], text: str, windows: Windows) -> list[dict[str, Any]]:
    """One mention per (surface, key) written, ``occurrence: all`` when the surface recurs; a
    surface that names two individuals is left out (it would be ambiguous)."""
    owners: dict[str, set[str]] = {}
    for surface, key in named:
        owners.setdefault(surface, set()).add(key)
    mentions = []
    for surface, key in named:
        if len(owners[surface]) == 1:
            single = len(occurrences(text, surface, windows)) == 1
            mentions.append(
                {"quote": surface, "ref": key} if single else {"quote": surface, "ref": key, "occurrence": "all"}
            )
    return mentions
