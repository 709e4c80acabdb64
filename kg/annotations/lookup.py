"""Finding the key of an individual by what a text calls it (``peacekg reference search``, and the
review app's autocomplete): every individual the corpus defines — reference data and the entities of
annotation files — with its label, aliases, type, time span and where it is defined (file:line).

Matches are ranked: the key or label itself, then an alias (or a surface form an annotation file
links to it: a mention's quote), then a prefix of one of those, then a substring. Two warnings help
the annotator pick the right one (corpus/README.md, linking rules 1, 3 and 5):

- **ambiguous**: the words matched name several individuals ("Moscow" is the city's label and, in
  annotation files, a metonym linked to the state);
- **out of era**: an event or agreement whose time span lies far from the article's date ("Istanbul
  talks", the 2022 negotiations, for a 2025 article).

The files are read as they are, without the corpus checks (a file that does not parse is skipped
and reported in :attr:`ReferenceIndex.problems`), so a search works on a corpus being edited.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.annotations.articles import shown
from kg.annotations.vocabulary import VocabularyIndex
from kg.annotations.yaml_source import YamlDocument, load_yaml
from kg.errors import SourceSyntaxError
from kg.settings import Settings

RANKS = ("exact", "alias", "prefix", "substring")  # best first
ERA_CLASSES = ("Event", "Agreement")  # what "out of era" is judged for: things that happen or are signed
ERA_FILES = {"events", "agreements"}  # without the ontology: the reference files that hold them
ERA_MARGIN = dt.timedelta(days=365)  # how far from the article's date a time span may lie unremarked


@dataclass(frozen=True)
class Individual:
    """One individual as defined in the corpus."""

    key: str
    type: str
    label: str
    aliases: tuple[str, ...]
    start: dt.date | None  # first day of its time span (the ``date`` field), if dated
    end: dt.date | None  # last day
    file: str
    line: int
    review: str = "reviewed"
    era_checked: bool = False  # an event or agreement: its date is when it happened

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"

    @property
    def span_text(self) -> str:
        if self.start is None and self.end is None:
            return ""
        first = self.start.isoformat() if self.start else "?"
        last = self.end.isoformat() if self.end else ""
        return first if first == last else f"{first}–{last}"


@dataclass
class Match:
    individual: Individual
    rank: str  # one of RANKS
    matched: str  # the label, alias, key or surface form that matched
    warnings: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        i = self.individual
        return {
            "key": i.key,
            "label": i.label,
            "aliases": list(i.aliases),
            "type": i.type,
            "time_span": {
                "start": i.start.isoformat() if i.start else None,
                "end": i.end.isoformat() if i.end else None,
            },
            "defined_in": i.where,
            "review": i.review,
            "rank": self.rank,
            "matched": self.matched,
            "warnings": self.warnings,
        }


def normalise(text: str) -> str:
    """Case, spacing and typographic quotes and dashes do not matter for a search."""
    table = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-"})
    return " ".join(str(text).translate(table).casefold().split())


_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def _bound(value: Any, last: bool) -> dt.date | None:
    """The first (or last) day a date value of the format can mean: 2025 → 2025-01-01 (2025-12-31)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    match = _DATE.match(value) if isinstance(value, str) else None
    if not match:
        return None
    year, month, day = int(match.group(1)), match.group(2), match.group(3)
    try:
        if day:
            return dt.date(year, int(month), int(day))
        if month:
            first = dt.date(year, int(month), 1)
            following = dt.date(year + (first.month == 12), first.month % 12 + 1, 1)
            return following - dt.timedelta(days=1) if last else first
        return dt.date(year, 12, 31) if last else dt.date(year, 1, 1)
    except ValueError:
        return None


def time_span(value: Any) -> tuple[dt.date | None, dt.date | None]:
    """(first day, last day) of a date value of the annotation format (a date or {earliest, latest})."""
    if isinstance(value, dict):
        earliest, latest = value.get("earliest"), value.get("latest")
        return _bound(earliest if earliest is not None else latest, False), _bound(
            latest if latest is not None else earliest, True
        )
    return _bound(value, False), _bound(value, True)


def _texts(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(v for v in value if isinstance(v, str))
    return ()


class ReferenceIndex:
    """Every individual of a corpus folder, searchable by key, label, alias and linked surface form."""

    def __init__(self, individuals: Iterable[Individual], surface_forms: dict[str, dict[str, list[str]]]):
        self.individuals = {i.key: i for i in individuals}
        # normalised text -> key -> where it is used as a name of that key ("label", "alias", "mention in <file>")
        self.surface_forms = surface_forms
        self.problems: list[str] = []
        self.spelled: dict[str, str] = {}  # a mention quote as written, by its normalised form

    @classmethod
    def from_corpus_dir(cls, corpus_dir: Path, vocabulary: VocabularyIndex | None = None) -> ReferenceIndex:
        """Read ``reference/*.yaml`` and the ``entities`` and ``mentions`` of ``annotations/*.yaml``.
        With ``vocabulary``, events and agreements are told by their class; without, by their file."""
        corpus_dir = Path(corpus_dir)
        individuals: list[Individual] = []
        mentions: list[tuple[str, str, str]] = []  # (quote, key, file)
        problems: list[str] = []
        for path in sorted((corpus_dir / "reference").glob("*.yaml")):
            if path.name == "identifier-checks.yaml":
                continue
            doc = _load(path, problems)
            if doc is not None and isinstance(doc.data, list):
                individuals.extend(_individuals(doc, doc.data, (), path.stem, vocabulary))
        for path in sorted((corpus_dir / "annotations").glob("*.yaml")):
            doc = _load(path, problems)
            if doc is None or not isinstance(doc.data, dict):
                continue
            entities = doc.data.get("entities")
            if isinstance(entities, list):
                default = "draft" if doc.data.get("review") == "draft" else "reviewed"
                individuals.extend(_individuals(doc, entities, ("entities",), "", vocabulary, default))
            for mention in doc.data.get("mentions") or []:
                if (
                    isinstance(mention, dict)
                    and isinstance(mention.get("quote"), str)
                    and isinstance(mention.get("ref"), str)
                ):
                    mentions.append((mention["quote"], mention["ref"], path.stem))
        forms: dict[str, dict[str, list[str]]] = {}
        for individual in individuals:
            for name, how in [(individual.label, "label"), *((a, "alias") for a in individual.aliases)]:
                forms.setdefault(normalise(name), {}).setdefault(individual.key, []).append(how)
        for quote, key, article in mentions:
            uses = forms.setdefault(normalise(quote), {}).setdefault(key, [])
            if f"mention in {article}" not in uses:
                uses.append(f"mention in {article}")
        index = cls(individuals, forms)
        index.spelled = {normalise(quote): quote for quote, _, _ in mentions}
        index.problems = problems
        return index

    def search(self, text: str, *, date: dt.date | None = None, limit: int = 20) -> list[Match]:
        """The individuals ``text`` may name, best first (by rank, then reviewed before draft, then label)."""
        query = normalise(text)
        if not query:
            return []
        found: dict[str, Match] = {}
        for individual in self.individuals.values():
            match = self._match(individual, query)
            if match is not None:
                found[individual.key] = match
        for key in self.surface_forms.get(query, {}):  # a mention's quote that is no label or alias of its key
            if key in self.individuals and (key not in found or found[key].rank not in ("exact", "alias")):
                found[key] = Match(self.individuals[key], "alias", self.spelled.get(query, text))
        ordered = sorted(
            found.values(),
            key=lambda m: (RANKS.index(m.rank), m.individual.review != "reviewed", m.individual.label.casefold()),
        )[:limit]
        for match in ordered:
            match.warnings = self._warnings(match, query, date)
        return ordered

    def _match(self, individual: Individual, query: str) -> Match | None:
        label, key = normalise(individual.label), individual.key
        aliases = [(normalise(a), a) for a in individual.aliases]
        if query in (label, key):
            return Match(individual, "exact", individual.label if query == label else key)
        for norm, alias in aliases:
            if norm == query:
                return Match(individual, "alias", alias)
        names = [(label, individual.label), *aliases, (key, key)]
        for norm, name in names:
            if norm.startswith(query):
                return Match(individual, "prefix", name)
        for norm, name in names:
            if query in norm:
                return Match(individual, "substring", name)
        return None

    def _warnings(self, match: Match, query: str, date: dt.date | None) -> list[str]:
        out = []
        form = query if match.rank in ("exact", "alias") else normalise(match.matched)
        others = {k: how for k, how in self.surface_forms.get(form, {}).items() if k != match.individual.key}
        if others:
            named = "; ".join(
                f"{k} ({', '.join(how[:3])}{', …' if len(how) > 3 else ''})" for k, how in sorted(others.items())
            )
            out.append(f"ambiguous: {match.matched!r} also names {named} — check which one the text means")
        individual = match.individual
        if date is not None and individual.era_checked and (individual.start or individual.end):
            first = individual.start or individual.end
            last = individual.end or individual.start
            assert first is not None and last is not None
            if last < date - ERA_MARGIN:
                out.append(
                    f"out of era: {individual.key} is dated {individual.span_text}, "
                    f"{(date - last).days // 365 or 1} year(s) before the article ({date.isoformat()})"
                )
            elif first > date + ERA_MARGIN:
                out.append(
                    f"out of era: {individual.key} is dated {individual.span_text}, after the article ({date.isoformat()})"
                )
        if individual.review == "draft":
            out.append(f"draft: {individual.key} is a drafted entry not yet reviewed ({individual.where})")
        return out


def _load(path: Path, problems: list[str]) -> YamlDocument | None:
    try:
        return load_yaml(path, shown(path))
    except SourceSyntaxError as exc:
        problems.append(str(exc))
        return None


def _individuals(
    doc: YamlDocument,
    items: list[Any],
    at: tuple[str, ...],
    file_stem: str,
    vocabulary: VocabularyIndex | None,
    default_review: str = "reviewed",
) -> list[Individual]:
    """The individuals of a list (``review`` of each: its own, else the file's default)."""
    out = []
    for i, item in enumerate(items):
        if not isinstance(item, dict) or not isinstance(item.get("key"), str):
            continue
        klass = str(item.get("type") or "?")
        era = any(vocabulary.is_a(klass, c) for c in ERA_CLASSES) if vocabulary else file_stem in ERA_FILES
        start, end = time_span(item.get("date"))
        review = str(item["review"]) if item.get("review") in ("reviewed", "draft") else default_review
        out.append(
            Individual(
                key=item["key"],
                type=klass,
                label=str(item.get("label") or item["key"]),
                aliases=_texts(item.get("aliases")),
                start=start,
                end=end,
                file=doc.file,
                line=doc.line((*at, i)) or 1,
                review=review,
                era_checked=era,
            )
        )
    return out


def reference_index(settings: Settings) -> ReferenceIndex:
    """The index of the corpus of ``settings``, events and agreements told by the ontology's classes."""
    from kg.annotations.check import vocabulary_index  # the ontology, only when a command asks

    return ReferenceIndex.from_corpus_dir(Path(settings.corpus_dir), vocabulary_index(settings))
