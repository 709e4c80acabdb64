"""The text units of a draft: the sentences of an article (spaCy's, split at line breaks and
clipped to the annotatable windows), which of them may carry a statement, and quotes and mentions
written so that they resolve to exactly the span meant (``occurrence`` when a quote recurs)."""

from __future__ import annotations

import re
from typing import Any

from kg.annotations.quotes import occurrences, resolve
from kg.drafting.gazetteer import Hit, whole_word_occurrences


def sentences_of(doc: Any, text: str, windows: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """spaCy's sentences, split at line breaks, clipped to the windows, without outer whitespace."""
    out = []
    for sent in doc.sents:
        for lo, hi in windows:
            start, end = max(sent.start_char, lo), min(sent.end_char, hi)
            for part in re.finditer(r"[^\n]+", text[start:end]) if start < end else ():
                s, e = start + part.start(), start + part.end()
                while s < e and text[s].isspace():
                    s += 1
                while e > s and text[e - 1].isspace():
                    e -= 1
                if e - s >= 2:
                    out.append((s, e))
    return sorted(set(out))


def quote_spec(text: str, windows: list[tuple[int, int]], start: int, end: int) -> str | dict[str, Any]:
    """A quote that designates exactly ``text[start:end]``: plain when unique, else with occurrence."""
    quote = text[start:end]
    starts = occurrences(text, quote, windows)
    spec: str | dict[str, Any] = quote if starts == [start] else {"quote": quote, "occurrence": starts.index(start) + 1}
    occurrence = spec.get("occurrence") if isinstance(spec, dict) else None
    assert resolve(text, quote, windows, occurrence=occurrence).start == start
    return spec


def mention_items(text: str, windows: list[tuple[int, int]], hits: list[Hit]) -> list[dict[str, Any]]:
    """One mention per name and key: ``occurrence: all`` when the name recurs and every other
    whole-word occurrence lies inside a longer mention; otherwise one per occurrence."""
    groups: dict[tuple[str, str, str | None], list[Hit]] = {}
    for hit in hits:
        groups.setdefault((text[hit.start : hit.end], hit.key, hit.note), []).append(hit)
    items = []
    for (quote, key, note), group in groups.items():
        starts = {h.start for h in group}
        others = [
            s
            for s in whole_word_occurrences(text, quote, windows)
            if s not in starts
            and not any(h.start <= s and s + len(quote) <= h.end and h.end - h.start > len(quote) for h in hits)
        ]
        if len(group) > 1 and not others:
            entries = [(group[0].start, {"quote": quote, "ref": key, "occurrence": "all"})]
        else:
            entries = []
            for hit in group:
                spec = quote_spec(text, windows, hit.start, hit.end)
                item: dict[str, Any] = {"quote": quote, "ref": key}
                if isinstance(spec, dict):
                    item["occurrence"] = spec["occurrence"]
                entries.append((hit.start, item))
        for start, item in entries:
            items.append((start, {**item, "note": note} if note else item))
    return [item for _, item in sorted(items, key=lambda i: i[0])]


def states_something(text: str, lo: int, hi: int, span: Any) -> bool:
    """Whether a sentence may carry a statement: four words or more, not a question, not a line
    that leads into a list (ending with a colon), not a heading (a line of its own in title case
    without final punctuation)."""
    sentence = text[lo:hi].rstrip()
    if len([t for t in span if t.is_alpha]) < 4 or sentence.endswith(("?", ":")):
        return False
    whole_line = (lo == 0 or text[lo - 1] == "\n") and (hi == len(text) or text[hi:].startswith("\n"))
    capitalised = [w for w in sentence.split() if w[:1].isalpha()]
    title_case = sum(w[0].isupper() for w in capitalised) >= 0.6 * len(capitalised)
    return not (whole_line and title_case and sentence[-1:] not in '.!"”')
