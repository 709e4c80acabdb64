"""Who speaks, for ``peacekg annotate suggest``: :func:`find_attributions` gives a sentence to the
agent named next to an attribution cue ("said X", "X said", "according to X", "X told", "X wrote",
"X added", "X stated", with titles or an apposition in between); "he/she said" is given to the
last person named. Agents are the gazetteer's hits (:mod:`kg.drafting.gazetteer`); offsets are
character offsets of the article text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kg.drafting.gazetteer import Hit

AFTER_SPEAKER = re.compile(r"\b(said|says|told|wrote|added|stated)\b")
BEFORE_SPEAKER = re.compile(r"\b(said|[Aa]ccording to)\b")
PRONOUN = re.compile(
    r"\b(he|she|He|She)\s+(?:(?:has|had|also|later|then|again|once)\s+)?(said|says|told|wrote|added|stated)\b"
)
ADVERB = r"(?:has|have|had|also|later|then|previously|repeatedly|once|again|recently|reportedly|earlier|publicly|\w+ly)"
GAP_BEFORE_CUE = (
    re.compile(rf"^(?:’s|'s)?\s+(?:{ADVERB}\s+){{0,2}}$"),  # Zelensky (has also) said
    re.compile(rf"^,\s[^,;:\"“”\n]{{1,120}},\s+(?:{ADVERB}\s+){{0,2}}$"),  # Kellogg, the US envoy, said
)
NOT_A_TITLE = {
    "that",
    "on",
    "in",
    "at",
    "during",
    "after",
    "before",
    "when",
    "while",
    "which",
    "who",
    "it",
    "this",
    "there",
    "they",
    "he",
    "she",
    "we",
    "i",
    "you",
    "last",
    "yesterday",
    "today",
    "tomorrow",
    "earlier",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "not",
    "no",
    "would",
    "will",
}


@dataclass(frozen=True)
class Attribution:
    sentence: tuple[int, int]
    speaker: str | None  # a key, or None when the cue names no known or proposed agent
    cue: str
    remark: str | None = None


def _forward_gap_ok(gap: str) -> bool:
    if re.search(r"[,;:\"“”()\n]", gap):
        return False
    words = gap.split()
    return len(words) <= 6 and not any(
        w.lower().strip(".") in NOT_A_TITLE or any(c.isdigit() for c in w) for w in words
    )


def find_attributions(
    text: str, sentences: list[tuple[int, int]], hits: list[Hit], agents: set[str], persons: set[str]
) -> list[Attribution]:
    """One attribution per sentence that has a cue, the first of: an agent before the cue, an agent
    after it, a pronoun standing for the last person named, the cue alone (no speaker)."""
    out = []
    for lo, hi in sentences:
        inside = [h for h in hits if lo <= h.start and h.end <= hi and h.key in agents]
        found = (
            _speaker_before_cue(text, (lo, hi), inside)
            or _speaker_after_cue(text, (lo, hi), inside)
            or _pronoun_speaker(text, (lo, hi), hits, persons)
            or _cue_alone(text, (lo, hi))
        )
        if found:
            out.append(found)
    return out


def _speaker_before_cue(text: str, sentence: tuple[int, int], inside: list[Hit]) -> Attribution | None:
    """ "X said", "Kellogg, the US envoy, said": for the first cue that has one, the nearest agent
    before it with a gap GAP_BEFORE_CUE allows."""
    lo, hi = sentence
    for cue in AFTER_SPEAKER.finditer(text[lo:hi]):
        at = lo + cue.start()
        for hit in sorted((h for h in inside if h.end <= at), key=lambda h: -h.start):
            if any(p.match(text[hit.end : at]) for p in GAP_BEFORE_CUE):
                return Attribution(sentence, hit.key, f"{text[hit.start : hit.end]} {cue.group(1)}")
    return None


def _speaker_after_cue(text: str, sentence: tuple[int, int], inside: list[Hit]) -> Attribution | None:
    """ "said Kovalenko", "according to a study by the FT": for the first cue that has one, the agent
    right after it (the first one only), past a short gap of title words."""
    lo, hi = sentence
    for cue in BEFORE_SPEAKER.finditer(text[lo:hi]):
        at = lo + cue.end()
        hit = min((h for h in inside if h.start >= at), key=lambda h: h.start, default=None)
        if hit is not None and _forward_gap_ok(text[at : hit.start]) and text[at : hit.start][:1].isspace():
            return Attribution(sentence, hit.key, f"{cue.group(1)} {text[hit.start : hit.end]}")
    return None


def _pronoun_speaker(text: str, sentence: tuple[int, int], hits: list[Hit], persons: set[str]) -> Attribution | None:
    """ "he said", "she told": the last person named before the pronoun (anywhere earlier in the
    text), with a remark asking to check."""
    lo, hi = sentence
    pronoun = PRONOUN.search(text[lo:hi])
    if not pronoun:
        return None
    before = [h for h in hits if h.end <= lo + pronoun.start() and h.key in persons]
    if not before:
        return None
    last = max(before, key=lambda h: h.start)
    return Attribution(
        sentence,
        last.key,
        f"{pronoun.group(1)} {pronoun.group(2)}",
        f"speaker {pronoun.group(1)!r} taken to be the last person named ({last.key}); check",
    )


def _cue_alone(text: str, sentence: tuple[int, int]) -> Attribution | None:
    """A cue that names no known or proposed agent: an attribution without a speaker."""
    lo, hi = sentence
    cue = AFTER_SPEAKER.search(text[lo:hi]) or BEFORE_SPEAKER.search(text[lo:hi])
    return Attribution(sentence, None, cue.group(1)) if cue else None
