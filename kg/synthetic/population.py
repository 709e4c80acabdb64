"""Who and what a synthetic corpus talks about: the real reference individuals (corpus/reference)
plus generated ones, ranked by prominence and drawn Zipf-like, as news is (a few actors in most
articles, a long tail in few).

The generated recurring individuals (officials, analysts, journalists, outlets, think tanks,
meetings) go into the synthetic corpus's ``reference/synthetic.yaml``; their number grows with the
square root of the corpus size (new names keep appearing, ever more slowly). One-off actors
(unnamed diplomats, reader commenters) are defined in the article that introduces them.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import math
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kg.annotations.vocabulary import VocabularyIndex
from kg.synthetic.names import (
    FIRST,
    INSTITUTE_FORMS,
    INSTITUTE_TOPICS,
    LAST,
    MEETING_PLACES,
    OBLASTS,
    OUTLET_FORMS,
    OUTLET_PLACES,
    ROLE_TITLES,
    TERRITORIES,
    WITH_THE,
)

ZIPF_EXPONENT = 1.1

# The most prominent real individuals first (rank 0 = most frequent); the rest follow in file order.
PROMINENT = [
    "russia",
    "ukraine",
    "vladimir-putin",
    "volodymyr-zelenskyy",
    "donald-trump",
    "united-states",
    "nato",
    "european-union",
    "european-allies",
    "the-west",
    "kremlin",
    "emmanuel-macron",
    "keir-starmer",
    "united-kingdom",
    "france",
    "germany",
    "armed-forces-of-ukraine",
    "russian-armed-forces",
    "trump-administration",
]


@dataclass(frozen=True)
class Individual:
    key: str
    type: str
    label: str
    surfaces: tuple[str, ...]  # how the text may name it: label first, then aliases usable as mentions
    role: tuple[str, str, str] | None = None  # (role label, role type, state key) for generated officials


class Ranked:
    """Individuals with Zipf weights by rank; ``draw`` is deterministic for a given Random."""

    def __init__(self, items: list[Individual], exponent: float = ZIPF_EXPONENT):
        self.items = items
        weights = [1.0 / (rank + 1) ** exponent for rank in range(len(items))]
        self.cumulative = list(itertools.accumulate(weights))

    def draw(self, rng: random.Random, exclude: frozenset[str] = frozenset()) -> Individual:
        for _ in range(50):
            item = self.items[bisect.bisect_left(self.cumulative, rng.random() * self.cumulative[-1])]
            if item.key not in exclude:
                return item
        return next(i for i in self.items if i.key not in exclude)

    def __len__(self) -> int:
        return len(self.items)


@dataclass
class Population:
    speakers: Ranked  # agents who say things (people, states, organisations)
    states: Ranked  # states (holders of positions, hosts, candidates)
    places: Ranked  # territories for territorial provisions
    outlets: Ranked  # media outlets (article metadata, stated_via)
    journalists: Ranked
    precedents: Ranked  # agreements and past events invoked as precedents
    events: Ranked  # events reported
    guarantees: Ranked  # security guarantees discussed across the corpus
    alliances: list[Individual]
    reference_yaml: list[dict[str, Any]] = field(default_factory=list)  # reference/synthetic.yaml


def _surfaces(item: dict[str, Any]) -> tuple[str, ...]:
    """The label (with "the" where English wants it), and for people a short alias (their
    surname) as later mentions use it."""
    label = str(item["label"])
    if (
        item["type"] in WITH_THE or item["key"] in ("united-states", "united-kingdom")
    ) and not label.lower().startswith("the "):
        label = "the " + label
    aliases = item.get("aliases") or []
    aliases = [aliases] if isinstance(aliases, str) else aliases
    usable = [a for a in aliases if item["type"] == "Person" and len(a) >= 4 and a[0].isupper() and " " not in a]
    return (label, *usable[:1])


def load_reference(reference_dir: Path) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for path in sorted(reference_dir.glob("*.yaml")):
        if path.name == "identifier-checks.yaml":
            continue
        items.extend(yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader) or [])
    return items


def _prominence(items: list[Individual]) -> list[Individual]:
    order = {k: i for i, k in enumerate(PROMINENT)}
    return sorted(items, key=lambda x: order.get(x.key, len(order)))  # stable: file order after the list


def _unique_surfaces(individuals: list[Individual]) -> list[Individual]:
    """Drop surface forms shared by several individuals (a mention must name one)."""
    owners: dict[str, set[str]] = {}
    for ind in individuals:
        for s in ind.surfaces:
            owners.setdefault(s, set()).add(ind.key)
    return [
        Individual(i.key, i.type, i.label, tuple(s for s in i.surfaces if len(owners[s]) == 1) or (i.label,), i.role)
        for i in individuals
    ]


def generated_count(articles: int, per_sqrt: float, minimum: int) -> int:
    return minimum + round(per_sqrt * math.sqrt(max(articles, 1)))


def build_population(reference_dir: Path, vocabulary: VocabularyIndex, articles: int, seed: int) -> Population:
    rng = random.Random(f"peacekg-synthetic-population:{seed}:{articles}")
    real = load_reference(reference_dir)
    taken = {str(s) for item in real for s in _surfaces(item)}
    names = [f"{first} {last}" for first in FIRST for last in LAST]
    rng.shuffle(names)
    names = [n for n in names if n not in taken]
    states = [i for i in real if i["type"] == "State" and i["key"] not in ("soviet-union",)]
    state_keys = [s["key"] for s in states[:12]]
    generated: list[dict[str, Any]] = []
    roles: dict[str, tuple[str, str, str]] = {}

    def person(kind: str, n: int) -> dict[str, Any]:
        label = names.pop()
        key = "syn-" + label.lower().replace(" ", "-")
        state = state_keys[min(int(rng.paretovariate(1.2)) - 1, len(state_keys) - 1)]
        return {
            "key": key,
            "type": "Person",
            "label": label,
            "description": f"A synthetic {kind} (generated person {n}).",
            "based_in": state,
        }

    for n in range(generated_count(articles, 6.0, 20)):
        item = person("official or analyst", n)
        title, role_type = ROLE_TITLES[n % len(ROLE_TITLES)]
        roles[item["key"]] = (title, role_type, item["based_in"])
        generated.append(item)
    journalists = [person("journalist", n) for n in range(generated_count(articles, 2.0, 5))]
    generated.extend(journalists)
    institutes = sorted({f.format(t=t.replace("-", " ")) for t in INSTITUTE_TOPICS for f in INSTITUTE_FORMS})
    rng.shuffle(institutes)
    for label in institutes[: min(len(institutes), generated_count(articles, 0.5, 4))]:
        generated.append(
            {
                "key": "syn-" + _slug(label),
                "type": "ResearchInstitution",
                "label": label,
                "description": "A synthetic think tank.",
            }
        )
    outlets = sorted({f.format(p=p) for p in OUTLET_PLACES for f in OUTLET_FORMS})
    rng.shuffle(outlets)
    for label in outlets[: min(len(outlets), generated_count(articles, 0.5, 4))]:
        generated.append(
            {
                "key": "syn-" + _slug(label),
                "type": "MediaOutlet",
                "label": label,
                "description": "A synthetic news outlet.",
            }
        )
    start = dt.date(2025, 1, 6)
    for n in range(generated_count(articles, 1.0, 5)):
        place = MEETING_PLACES[n % len(MEETING_PLACES)]
        label = f"{place} talks, round {n // len(MEETING_PLACES) + 1}"
        generated.append(
            {
                "key": "syn-" + _slug(label),
                "type": "Negotiation",
                "label": label,
                "description": "A synthetic round of negotiations.",
                "date": start + dt.timedelta(days=3 * n),
                "participants": ["russia", "ukraine"],
            }
        )

    for name in OBLASTS:
        generated.append(
            {
                "key": "syn-" + _slug(name),
                "type": "Region",
                "label": name,
                "located_in": "ukraine",
                "description": "A region of Ukraine (synthetic reference entry).",
            }
        )

    def individual(item: dict[str, Any]) -> Individual:
        surfaces = _surfaces(item)
        if (vocabulary.is_a(item["type"], "Event") or vocabulary.is_a(item["type"], "Agreement")) and not surfaces[
            0
        ].lower().startswith("the "):
            surfaces = ("the " + surfaces[0], *surfaces[1:])  # "recalled the Minsk Protocol"
        return Individual(item["key"], item["type"], str(item["label"]), surfaces, roles.get(item["key"]))

    everyone = _unique_surfaces([individual(i) for i in real + generated])
    by_key = {i.key: i for i in everyone}
    real_keys = {i["key"] for i in real}

    def pick(pred) -> list[Individual]:
        chosen = [i for i in everyone if pred(i)]
        return _prominence([i for i in chosen if i.key in real_keys]) + [i for i in chosen if i.key not in real_keys]

    def is_a(i: Individual, cls: str) -> bool:
        return vocabulary.is_a(i.type, cls)

    speakers = pick(
        lambda i: is_a(i, "Agent") and i.type != "AnonymousSource" and i.key not in {j["key"] for j in journalists}
    )
    return Population(
        speakers=Ranked(speakers),
        states=Ranked(pick(lambda i: i.type == "State" and i.key in state_keys + ["belarus", "poland"])),
        places=Ranked(pick(lambda i: i.key in TERRITORIES or i.label in OBLASTS)),
        outlets=Ranked(pick(lambda i: i.type == "MediaOutlet")),
        journalists=Ranked([by_key[j["key"]] for j in journalists]),
        precedents=Ranked(
            pick(
                lambda i: is_a(i, "Agreement") or (is_a(i, "Event") and i.key in real_keys and i.type != "Negotiation")
            )
        ),
        events=Ranked(
            pick(lambda i: is_a(i, "Event") and i.type in ("Negotiation", "Meeting", "Summit", "Attack", "Forum"))
        ),
        guarantees=Ranked(pick(lambda i: i.type == "SecurityGuarantee")),
        alliances=[by_key[k] for k in ("nato", "european-union") if k in by_key],
        reference_yaml=generated,
    )


def _slug(text: str) -> str:
    return "-".join("".join(c.lower() if c.isalnum() else " " for c in text).split())
