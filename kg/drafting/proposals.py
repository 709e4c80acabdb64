"""New individuals proposed from spaCy's named entities the gazetteer did not find
(:func:`propose_entities`), with a generated key and a class guessed from spaCy's label, from
GeoNames for places (:mod:`kg.drafting.places`) and from the words of an organisation's name
(:func:`organisation_class`); a spelling variant of a known name ("Nato", "U.S", "Kellog") is a
mention of the known individual, not a new one; demonyms of known places ("Russian") are mentions
of the place, and the surname of a proposed person ("Kovalenko") a mention of that person. A
proposal that speaks (the subject of a reporting verb) is an agent whatever spaCy called it
(:func:`retype_speakers`)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kg.annotations.values import KEY_PATTERN
from kg.drafting.gazetteer import TRAILING, Gazetteer, Hit, in_windows, overlaps, whole_word_occurrences
from kg.drafting.lexicon import REPORTING
from kg.drafting.places import geonames_names, place_class
from kg.drafting.roles import ROLE_TYPES

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
    if spacy_label == "ORG" and name:
        klass = organisation_class(name)
    if spacy_label == "FAC" and name and organisation_class(name) != "Organisation":
        return organisation_class(name), {}, "; typed by the words of its name"  # "Russian Embassy"
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
    (every whole-word occurrence of each proposed name that no other hit covers). A place named
    inside an organisation's name ("Kyiv" in "Kyiv Independent") is taken out of ``hits``."""
    spans = _entity_spans(doc, text, windows, hits, key_class)
    by_name: dict[str, Proposal] = {}
    names: dict[str, str] = {}  # name -> key of the proposed individual (demonyms are kept apart)
    new_hits: list[Hit] = []
    demonyms: dict[str, str] = {}
    variants: dict[str, str] = {}  # spelling variants of known names
    # full names first, so that a surname alone maps to the person
    surnames: dict[str, str] = {}
    for start, end, label in sorted(spans, key=lambda s: (-(s[1] - s[0]), s[0])):
        name = text[start:end]
        if name in names or name in demonyms:
            continue
        if label in ("NORP", "NORP-ADJ"):
            key = gazetteer.demonym_key(name)
            if key:
                demonyms[name] = key
                continue
            if label == "NORP-ADJ":
                continue  # an adjective of nationality or creed modifying a noun ("Baltic countries")
        if name in surnames:
            continue
        known = _known_by_another_name(name, label, gazetteer)
        if known:
            variants[name] = known
            continue
        if _not_a_name(name, label):
            continue
        longer = [p for n, p in by_name.items() if label == p.spacy_label == "ORG" and n.startswith(name + " ")]
        if longer:  # "MAGA" after "MAGA America First": the first words of a proposed organisation's name
            surnames.setdefault(name, longer[0].key)
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
        + [(n, k, "demonym", f"demonym (spaCy NORP) of {k}; check") for n, k in demonyms.items()]
        + [(n, k, "variant", f"spelling variant of a name of {k}; check") for n, k in variants.items()],
        key=lambda item: (-len(item[0]), item[0]),
    )
    for name, key, source, note in order:
        for start in whole_word_occurrences(text, name, windows):
            end = start + len(name)
            if INITIALS.fullmatch(name) and text[end : end + 1] == ".":
                end += 1  # "U.S." (spaCy's entity, trimmed of its final stop)
            if not overlaps(start, end, hits + new_hits):
                new_hits.append(Hit(start, end, key, note, source))
    proposals = sorted(by_name.values(), key=lambda p: p.start)
    used = {h.key for h in new_hits}
    return [p for p in proposals if p.key in used], sorted(new_hits, key=lambda h: h.start)


# Words of an organisation's name that say what kind it is (English; the first found wins).
ORGANISATION_WORDS = (
    ("University", ("University", "College")),
    ("ArmedForces", ("Armed Forces", "Army", "Navy", "Air Force")),
    ("ResearchInstitution", ("Institute", "Institution", "Center", "Centre", "Foundation", "Endowment", "Council on")),
    (
        "StateInstitution",
        (
            "Ministry",
            "Parliament",
            "Congress",
            "Senate",
            "Agency",
            "Council",
            "Committee",
            "Duma",
            "Embassy",
            "Department",
            "Commission",
            "White House",
            "Pentagon",
            "Kremlin",
        ),
    ),
    ("Company", ("Bank", "Company", "Corporation", "Corp", "Inc", "Ltd", "Group", "Holding")),
    (
        "MediaOutlet",
        (
            "Times",
            "News",
            "Post",
            "Journal",
            "Herald",
            "Guardian",
            "Telegraph",
            "Independent",
            "Affairs",
            "Review",
            "Magazine",
            "Radio",
            "TV",
            "Press",
            "Gazette",
            "Tribune",
        ),
    ),
)


def _known_by_another_name(name: str, label: str, gazetteer: Gazetteer) -> str | None:
    """The known individual a name designates under another spelling or name: a spelling variant
    (:meth:`Gazetteer.variant_key`), a demonym with a word for the form of a state ("Russian
    Federation", "Czech Republic"), another name GeoNames gives the place ("USA", "Kiev")."""
    if label == "NORP":
        return None
    known = gazetteer.variant_key(name)
    words = name.split()
    if not known and label == "GPE" and len(words) == 2 and words[1] in STATE_FORMS:
        known = gazetteer.demonym_key(words[0])
    if not known and label in ("GPE", "LOC", "ORG"):
        found = {k for other in geonames_names(name) for k in gazetteer.candidates.get(other, [])[:1]}
        known = next(iter(found)) if len(found) == 1 else None
    return known


def organisation_class(name: str) -> str:
    """The kind of organisation its name says ("Aberystwyth University", "Sky News"; of "A's B" the
    B: "Columbia University's Center on …" is a research centre; a web address is a media outlet),
    else Organisation."""
    name = re.split(r"[’']s\s", name)[-1]
    if re.search(r"\w\.(?:com|org|net|ph|ru|ua|io|info|news)\b", name):
        return "MediaOutlet"
    for klass, words in ORGANISATION_WORDS:
        if any(re.search(rf"\b{re.escape(w)}\b", name) for w in words):
            return klass
    return "Organisation"


def retype_speakers(doc: Any, hits: list[Hit], proposals: list[Proposal], families: Callable[[str], set[str]]) -> None:
    """A proposal spaCy took for a place or thing that is the subject of a reporting verb
    speaks, so it is an agent: a Person when its name is two or more capitalised words, else
    an Organisation ("…, said Tatiana Stanovaya" labelled FAC). ``families``: a class's families
    (VocabularyIndex.families)."""
    for proposal in proposals:
        if "Agent" in families(proposal.type):
            continue
        for hit in (h for h in hits if h.key == proposal.key):
            span = doc.char_span(hit.start, hit.end, alignment_mode="expand")
            token = span.root if span is not None else None
            subject = token if token is None or token.dep_ != "conj" else token.head  # "X and Y said"
            if subject is not None and subject.dep_ == "nsubj" and subject.head.lemma_.lower() in REPORTING:
                words = proposal.label.split()
                person = len(words) >= 2 and all(w[:1].isupper() and w.isalpha() for w in words)
                proposal.type = "Person" if person else organisation_class(proposal.label)
                proposal.extra = {}
                proposal.note += f"; typed {proposal.type}: it is the subject of '{subject.head.text}'"
                break


def _entity_spans(
    doc: Any, text: str, windows: list[tuple[int, int]], hits: list[Hit], key_class: dict[str, str]
) -> list[tuple[int, int, str]]:
    """(start, end, spaCy label) of the names left of spaCy's entities once the gazetteer's hits
    are taken out; a place named inside an organisation's name is taken out of ``hits`` instead."""
    spans = []
    for ent in doc.ents:
        if ent.label_ not in LABELS or not in_windows(ent.start_char, ent.end_char, windows):
            continue
        inner = [h for h in hits if ent.start_char <= h.start and h.end <= ent.end_char]
        if ent.label_ == "ORG" and inner and all(_names_a_place(h.key, key_class) for h in inner):
            # "Kyiv Independent", "Russian Embassy": an organisation named after a place is one name
            for hit in inner:
                hits.remove(hit)
        head = ent.root
        if any(h.start <= head.idx < h.end for h in hits):
            continue  # the name's head is known ("Nazi Germany"): what is left of it only modifies it
        if head.pos_ != "PROPN" and ent.label_ != "NORP":
            continue  # a common noun, verb or adjective spaCy took for a name ("Patriots", "Russified")
        segments = core_segments(text, ent.start_char, ent.end_char, hits)
        if segments:
            modifier = ent.label_ == "NORP" and head.pos_ == "ADJ" and head.dep_ in ("amod", "compound")
            spans.append((*segments[0], "NORP-ADJ" if modifier else ent.label_))
    return spans


def _names_a_place(key: str, key_class: dict[str, str]) -> bool:
    return key_class.get(key) in ("City", "State", "Region", "Place")


# Words for the form of a state, after the demonym of its people ("Russian Federation").
STATE_FORMS = frozenset(["Federation", "Republic", "Kingdom", "Confederation", "Commonwealth", "Emirates"])
INITIALS = re.compile(r"(?:[A-Z]\.)+[A-Z]")
COMPASS = frozenset(["North", "South", "East", "West", "Northeast", "Northwest", "Southeast", "Southwest"])


def _not_a_name(name: str, label: str) -> bool:
    """Entities spaCy gives that are not names of individuals: a compass point ("the East"), a
    single word ending in -ly ("Morally"), a title ("Special Emissary": its last word is one of
    the role lexicon's titles)."""
    words = name.split()
    if label in ("ORG", "PERSON") and words and words[-1].lower() in ROLE_TYPES:
        return True
    return len(words) == 1 and (name in COMPASS or (name.endswith("ly") and label == "PERSON"))


def _states_in_sentence(
    offset: int, sentences: list[tuple[int, int]], hits: list[Hit], key_class: dict[str, str]
) -> list[str]:
    for lo, hi in sentences:
        if lo <= offset < hi:
            keys = [h.key for h in hits if lo <= h.start < hi and key_class.get(h.key) == "State"]
            return list(dict.fromkeys(keys))
    return []
