"""What an attribution is, and whether a quotation is open at a point of the text: shared by the
sentence-level attribution (:mod:`kg.drafting.attributions`) and the rules that carry a speaker
over several sentences (:mod:`kg.drafting.carryover`)."""

from __future__ import annotations

import re
from dataclasses import dataclass

OPENING, CLOSING = "“", "”"


@dataclass(frozen=True)
class Attribution:
    sentence: tuple[int, int]
    speaker: str | None  # a key, or None when the cue names no known or proposed agent
    cue: str
    verb: str | None = None  # the reporting verb's lemma ("according to" has none)
    remark: str | None = None


def open_quote_at(text: str, offset: int, lo: int) -> bool:
    """Whether a quotation opened before ``offset`` (since ``lo``) is still open there (curly
    quotation marks by their balance, straight ones by their parity, single curly ones too)."""
    segment = text[lo:offset]
    if segment.count(OPENING) > segment.count(CLOSING) or segment.count('"') % 2 == 1:
        return True
    # British single quotation marks: ‘ opens; ’ closes when no letter follows (not "Putin’s")
    return segment.count("‘") > len(re.findall(r"’(?![A-Za-z])", segment))


__all__ = ["CLOSING", "OPENING", "Attribution", "open_quote_at"]
