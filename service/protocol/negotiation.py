"""Content negotiation with real Accept parsing: media ranges, parameters, q-values, wildcards.

The best offer is the one with the highest q from the most specific matching range (RFC 9110
§12.5.1); ties go to the server's order of preference. ``None`` means nothing acceptable (406).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class MediaRange:
    type: str
    subtype: str
    q: float
    specificity: int


def parse_accept(header: str | None) -> list[MediaRange]:
    if not header or not header.strip():
        return [MediaRange("*", "*", 1.0, 0)]
    ranges = []
    for part in header.split(","):
        pieces = [p.strip() for p in part.split(";")]
        media = pieces[0].lower()
        if not media:
            continue
        if media == "*":
            media = "*/*"
        if "/" not in media:
            continue  # malformed range: ignored, as browsers send junk sometimes
        type_, subtype = media.split("/", 1)
        q = 1.0
        for param in pieces[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value.strip())))
                except ValueError:
                    q = 0.0
        specificity = 0 if type_ == "*" else (1 if subtype == "*" else 2)
        ranges.append(MediaRange(type_, subtype, q, specificity))
    return ranges


def quality(offer: str, ranges: list[MediaRange]) -> float:
    type_, subtype = offer.split("/", 1)
    best: MediaRange | None = None
    for r in ranges:
        matches = r.type in ("*", type_) and r.subtype in ("*", subtype)
        if matches and (best is None or r.specificity > best.specificity):
            best = r
    return best.q if best else 0.0


def choose(header: str | None, offers: list[str]) -> str | None:
    """The best of ``offers`` (server preference order) for the Accept ``header``."""
    return _choose(header, tuple(offers))


@lru_cache(maxsize=256)  # clients send the same few Accept headers; bounded, whatever they send
def _choose(header: str | None, offers: tuple[str, ...]) -> str | None:
    ranges = parse_accept(header)
    scored = [(quality(offer, ranges), -i, offer) for i, offer in enumerate(offers)]
    q, _, offer = max(scored)
    return offer if q > 0 else None
