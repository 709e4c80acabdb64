"""The linking rules of corpus/README.md, checked where a machine can see a likely break: each
finding is a *warning* (file:line: field: message), printed by ``peacekg annotations validate``
after the corpus has no errors; warnings never fail a command. The rules a build must never break
are SPARQL data checks instead (ontology/data-checks/).

- rule 1, metonyms: a capital city or the continent as a statement's speaker, holder or target
  (:func:`metonym_warnings`); a state as the speaker or holder of a statement whose evidence names
  the population by its demonym and not the state (:func:`population_warnings`); a state as the
  only member of a Group (:func:`group_member_warnings`);
- rule 2, historical states: a state linked by a mention in a sentence dated (by a year) before
  the state existed, or named as a party, signatory, participant (or, in a provision, as ceding or
  gaining territory) of something dated before it existed or after it ended
  (:func:`historical_warnings`; dates: the state's ``date`` in reference data);
- rule 3, aliases: generic phrases (lower-case words only), dates, and one alias naming two
  individuals without a note that mentions it (:func:`alias_warnings`);
- rule 4, attribution: the polarity patterns of :mod:`~kg.annotations.polarity`, as long as their
  SPARQL data check is not in ontology/data-checks/;
- rule 5, one thing one key: the same surface form linked to different individuals in different
  articles (:func:`surface_form_warnings`), reported at both places.

Slurs, misspellings and whether an addressee was taken for a target cannot be told mechanically;
they stay with the reviewer. A mention with a ``note`` is taken as a reviewed exception to rule 2
and to the surface-form check.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from kg.annotations.corpus import Annotations, Corpus
from kg.annotations.polarity import polarity_warnings
from kg.annotations.values import Issue
from kg.annotations.vocabulary import VocabularyIndex
from kg.annotations.yaml_source import Path_, YamlDocument, dotted

# Capitals of states (city key -> the state it stands for when used as a metonym). Reference data
# has no "capital of" property, so this is a documented list; a reference City whose description
# begins "Capital of" and that has ``located_in`` is added to it (see :func:`_metonyms`).
CAPITALS = {
    "kyiv": "ukraine",
    "moscow": "russia",
    "washington-dc": "united-states",
    "london": "united-kingdom",
    "paris": "france",
    "berlin": "germany",
    "warsaw": "poland",
    "minsk": "belarus",
    "helsinki": "finland",
    "beijing": "china",
    "brussels": "european-union",
}
# Places standing for an actor: the continent for "Europe must" -> the European allies.
PLACE_METONYMS = {"europe": "european-allies"}
# State key -> how its people are named as a population (rule 1: "Ukrainians" are not the state).
DEMONYMS = {
    "ukraine": ("Ukrainians",),
    "russia": ("Russians",),
    "united-states": ("Americans",),
    "united-kingdom": ("Britons", "the British"),
    "poland": ("Poles",),
    "germany": ("Germans",),
    "france": ("the French",),
    "belarus": ("Belarusians",),
    "finland": ("Finns",),
    "lithuania": ("Lithuanians",),
    "latvia": ("Latvians",),
    "estonia": ("Estonians",),
}
STATEMENT_ACTOR_FIELDS = ("by", "holder", "target")
PARTY_FIELDS = ("parties", "signatories", "participants")
PROVISION_PARTY_FIELDS = ("ceded_by", "ceded_to")
MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
DATE_ALIAS = re.compile(rf"^(?:(?:\d{{1,2}} )?(?:{MONTHS})(?: \d{{1,2}},?)?(?: \d{{4}})?|\d{{4}}(?:-\d{{2}}){{0,2}})$")
GENERIC_ALIAS = re.compile(r"^[a-z][a-z' -]*$")  # words only, none capitalised: "the war", "allies"
YEAR = re.compile(r"\b(1[0-9]{3}|20[0-9]{2})\b")
SENTENCE_END = re.compile(r"[.!?][\"'”’)]*\s+|\n+")


@dataclass(frozen=True)
class Individual:
    """An individual as written: its key, class, the file and YAML path it is defined at, its fields."""

    key: str
    type: str
    doc: YamlDocument
    path: Path_
    data: dict[str, Any]


def _warning(doc: YamlDocument, path: Path_, rule: str, message: str) -> Issue:
    return Issue(doc.file, doc.line(path) or 1, dotted(path) or "(document)", f"warning ({rule}): {message}")


def _place(doc: YamlDocument, path: Path_) -> str:
    return f"{doc.file}:{doc.line(path) or 1}"


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


def individuals(corpus: Corpus) -> dict[str, Individual]:
    """Every individual with a key: reference data and the ``entities`` of every annotation file."""
    out: dict[str, Individual] = {}
    for doc, index, item in corpus.reference:
        if isinstance(item.get("key"), str):
            out[item["key"]] = Individual(item["key"], str(item.get("type")), doc, (index,), item)
    for afile in corpus.annotations.values():
        for i, item in enumerate(afile.data.get("entities") or []):
            if isinstance(item, dict) and isinstance(item.get("key"), str):
                out[item["key"]] = Individual(item["key"], str(item.get("type")), afile.doc, ("entities", i), item)
    return out


def _statements(corpus: Corpus) -> Iterator[tuple[Annotations, int, dict[str, Any]]]:
    for afile in corpus.annotations.values():
        for i, statement in enumerate(afile.data.get("statements") or []):
            if isinstance(statement, dict):
                yield afile, i, statement


def _mentions(corpus: Corpus) -> Iterator[tuple[Annotations, int, dict[str, Any]]]:
    for afile in corpus.annotations.values():
        for i, mention in enumerate(afile.data.get("mentions") or []):
            if isinstance(mention, dict) and isinstance(mention.get("ref"), str):
                yield afile, i, mention


# -- rule 1: metonyms -------------------------------------------------------------------------


def _metonyms(known: dict[str, Individual]) -> dict[str, str]:
    """Place key -> the actor it stands for, for the places of the corpus."""
    out = {**CAPITALS, **PLACE_METONYMS}
    for key, individual in known.items():
        description = str(individual.data.get("description") or "")
        if individual.type == "City" and description.startswith("Capital of") and individual.data.get("located_in"):
            out.setdefault(key, str(_as_list(individual.data["located_in"])[0]))
    return {k: v for k, v in out.items() if k in known}


def metonym_warnings(corpus: Corpus, known: dict[str, Individual]) -> list[Issue]:
    """A capital (or the continent) as a statement's speaker, holder or target."""
    metonyms = _metonyms(known)
    out: list[Issue] = []
    for afile, i, statement in _statements(corpus):
        for name in STATEMENT_ACTOR_FIELDS:
            for j, key in enumerate(_as_list(statement.get(name))):
                if key in metonyms:
                    out.append(
                        _warning(
                            afile.doc,
                            ("statements", i, name, j),
                            "linking rule 1",
                            f"{key!r} is the place itself; a place named for those in power links to "
                            f"{metonyms[key]!r} (or to the body the text names, e.g. 'the Kremlin')",
                        )
                    )
    return out


def _names(individual: Individual) -> list[str]:
    names = [individual.data.get("label"), *_as_list(individual.data.get("aliases"))]
    return [n for n in names if isinstance(n, str) and n.strip()]


def _evidence_text(afile: Annotations, i: int) -> str:
    spans = [s for path, ss in afile.spans.items() if path[:3] == ("statements", i, "evidence") for s in ss]
    return " … ".join(s.exact for s in spans)


def population_warnings(corpus: Corpus, known: dict[str, Individual], vocabulary: VocabularyIndex) -> list[Issue]:
    """A state as speaker or holder where the evidence names its population ("Ukrainians") and
    never the state itself."""
    out: list[Issue] = []
    for afile, i, statement in _statements(corpus):
        for name in ("by", "holder"):
            for j, key in enumerate(_as_list(statement.get(name))):
                individual = known.get(key)
                if individual is None or not vocabulary.is_a(individual.type, "State") or key not in DEMONYMS:
                    continue
                text = _evidence_text(afile, i)
                said = [d for d in DEMONYMS[key] if re.search(rf"\b{re.escape(d)}\b", text)]
                if said and not any(re.search(rf"\b{re.escape(n)}\b", text) for n in _names(individual)):
                    out.append(
                        _warning(
                            afile.doc,
                            ("statements", i, name, j),
                            "linking rule 1",
                            f"the evidence names the population ({said[0]!r}), not the state {key!r}: "
                            "attribute it to a population Group individual",
                        )
                    )
    return out


def group_member_warnings(known: dict[str, Individual], vocabulary: VocabularyIndex) -> list[Issue]:
    """A Group whose only member is a state: a population (a public) given the state as its member.
    Groups of several states ("the Baltic countries") are fine."""
    out: list[Issue] = []
    for individual in known.values():
        members = _as_list(individual.data.get("members"))
        member = known.get(members[0]) if len(members) == 1 else None
        if vocabulary.is_a(individual.type, "Group") and member and vocabulary.is_a(member.type, "State"):
            out.append(
                _warning(
                    individual.doc,
                    individual.path + ("members", 0),
                    "linking rule 1",
                    f"the state {member.key!r} is the only member of the group {individual.key!r}: a population's "
                    "members are people or groups, not the state",
                )
            )
    return out


# -- rule 2: historical states ----------------------------------------------------------------


def _year(value: Any, end: str) -> int | None:
    """The year of a date value (``end``: 'earliest' or 'latest' of a range)."""
    if isinstance(value, dict):
        value = value.get(end) or value.get("earliest" if end == "latest" else "latest")
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, dt.date):
        return value.year
    if isinstance(value, str) and re.match(r"^\d{4}", value):
        return int(value[:4])
    return None


def _lifetimes(known: dict[str, Individual], vocabulary: VocabularyIndex) -> dict[str, tuple[int | None, int | None]]:
    """State key -> (first year, last year) of the states whose reference data dates them."""
    out: dict[str, tuple[int | None, int | None]] = {}
    for key, individual in known.items():
        date = individual.data.get("date")
        if vocabulary.is_a(individual.type, "State") and date is not None:
            first = _year(date, "earliest")
            last = _year(date, "latest") if isinstance(date, dict) and date.get("latest") else None
            out[key] = (first, last)
    return out


def _sentence(text: str, start: int, end: int) -> str:
    begin = max((m.end() for m in SENTENCE_END.finditer(text, 0, start)), default=0)
    stop = SENTENCE_END.search(text, end)
    return text[begin : stop.start() if stop else len(text)]


def historical_warnings(corpus: Corpus, known: dict[str, Individual], vocabulary: VocabularyIndex) -> list[Issue]:
    """A dated state linked where the text (a year in the same sentence) or the linking individual's
    date lies before the state existed (or, for parties, after it ended)."""
    lifetimes = _lifetimes(known, vocabulary)
    out: list[Issue] = []
    for afile, i, mention in _mentions(corpus):
        first = lifetimes.get(mention["ref"], (None, None))[0]
        if first is None or mention.get("note"):
            continue
        text = corpus.articles[afile.article].text
        for span in afile.spans.get(("mentions", i), []):
            years = [int(y) for y in YEAR.findall(_sentence(text, span.start, span.end))]
            if any(y < first for y in years):
                out.append(
                    _warning(
                        afile.doc,
                        ("mentions", i),
                        "linking rule 2",
                        f"{span.exact!r} at offset {span.start} is in a sentence dated {min(years)}, before "
                        f"{mention['ref']!r} existed ({first}): link the state of that time (or add a note)",
                    )
                )
                break
    for individual in known.values():
        when = _year(individual.data.get("date"), "earliest")
        if when is None:
            continue
        for path, key in _party_links(individual):
            first, last = lifetimes.get(key, (None, None))
            if (first is not None and when < first) or (last is not None and when > last):
                out.append(
                    _warning(
                        individual.doc,
                        path,
                        "linking rule 2",
                        f"{individual.key!r} is dated {when}, when {key!r} did not exist "
                        f"({first or '?'}–{last or ''}): name the state of that time",
                    )
                )
    return out


def _party_links(individual: Individual) -> Iterator[tuple[Path_, str]]:
    """The parties an individual names: its parties, signatories and participants, and who cedes
    or gains territory in its provisions."""
    for name in PARTY_FIELDS:
        for j, key in enumerate(_as_list(individual.data.get(name))):
            yield individual.path + (name, j), key
    for n, provision in enumerate(_as_list(individual.data.get("provisions"))):
        for name in PROVISION_PARTY_FIELDS:
            for j, key in enumerate(_as_list(provision.get(name) if isinstance(provision, dict) else None)):
                yield individual.path + ("provisions", n, name, j), key


# -- rule 3: aliases --------------------------------------------------------------------------


def _normal(name: str) -> str:
    name = " ".join(name.casefold().split())
    return name[4:] if name.startswith("the ") else name


def alias_warnings(known: dict[str, Individual]) -> list[Issue]:
    """Aliases that are generic phrases or dates, or that also name another individual."""
    owners: dict[str, set[str]] = {}
    for key, individual in known.items():
        for name in _names(individual):
            owners.setdefault(_normal(name), set()).add(key)
    out: list[Issue] = []
    for key, individual in known.items():
        for j, alias in enumerate(_as_list(individual.data.get("aliases"))):
            if not isinstance(alias, str):
                continue
            path = individual.path + ("aliases", j)
            if DATE_ALIAS.match(alias.strip()):
                out.append(_warning(individual.doc, path, "linking rule 3", f"alias {alias!r} is a date"))
            elif GENERIC_ALIAS.match(alias.strip()):
                out.append(
                    _warning(
                        individual.doc,
                        path,
                        "linking rule 3",
                        f"alias {alias!r} is a generic phrase (no proper name): the gazetteer would link every "
                        "occurrence; leave it to mentions",
                    )
                )
            others = sorted(owners.get(_normal(alias), set()) - {key})
            noted = [k for k in (key, *others) if _normal(alias) in _normal(str(known[k].data.get("note") or ""))]
            if others and not noted:
                out.append(
                    _warning(
                        individual.doc,
                        path,
                        "linking rule 3",
                        f"alias {alias!r} also names {', '.join(repr(k) for k in others)} "
                        f"({', '.join(_place(known[k].doc, known[k].path) for k in others)}); "
                        "remove it, or document the ambiguity in a note that quotes it",
                    )
                )
    return out


# -- one surface form, one individual ---------------------------------------------------------


def surface_form_warnings(corpus: Corpus) -> list[Issue]:
    """The same quote linked to different individuals in different articles (both places reported)."""
    forms: dict[str, list[tuple[Annotations, int, str]]] = {}
    for afile, i, mention in _mentions(corpus):
        if isinstance(mention.get("quote"), str) and not mention.get("note"):
            forms.setdefault(mention["quote"].strip(), []).append((afile, i, mention["ref"]))
    out: list[Issue] = []
    for quote, uses in sorted(forms.items()):
        for afile, i, ref in uses:
            elsewhere = [(a, n, r) for a, n, r in uses if r != ref and a.article != afile.article]
            if elsewhere:
                where = "; ".join(f"{r!r} at {_place(a.doc, ('mentions', n))}" for a, n, r in elsewhere)
                out.append(
                    _warning(
                        afile.doc,
                        ("mentions", i),
                        "linking rule 5",
                        f"{quote!r} is linked to {ref!r} here but to {where}: link it the same way, "
                        "or add a note to the mention saying why it differs",
                    )
                )
    return out


def linking_warnings(
    corpus: Corpus, vocabulary: VocabularyIndex, data_checks: set[str] | frozenset[str] = frozenset()
) -> list[Issue]:
    """Every warning of the linking rules, sorted by file and line. ``data_checks``: the names of
    the build's data checks; a polarity pattern (:mod:`~kg.annotations.polarity`) that has one is
    left to the build."""
    known = individuals(corpus)
    warnings = [
        *polarity_warnings(corpus, vocabulary, skip=data_checks),
        *metonym_warnings(corpus, known),
        *population_warnings(corpus, known, vocabulary),
        *group_member_warnings(known, vocabulary),
        *historical_warnings(corpus, known, vocabulary),
        *alias_warnings(known),
        *surface_form_warnings(corpus),
    ]
    return sorted(set(warnings))
