"""Sentences of a synthetic article and the annotations they support.

A ``Writer`` assembles the text piece by piece and remembers where every named individual was
written (the mentions) and where every sentence lies (the evidence). Statement makers return the
sentence pieces and the statement, with ``Quote`` placeholders that kg.synthetic.corpus turns into exact
quotes (with ``occurrence`` when a quote is not unique) once the whole text is known.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from kg.synthetic.population import Individual, Population


@dataclass(frozen=True)
class Quote:
    start: int
    end: int


Piece = str | Individual


@dataclass
class Writer:
    """The article text so far; ``surface`` picks how an individual is named (label first)."""

    rng: random.Random
    text: str = ""
    mentions: dict[tuple[str, str], None] = field(default_factory=dict)  # (surface, key), in order
    named: set[str] = field(default_factory=set)

    def surface(self, ind: Individual) -> str:
        if ind.key in self.named and len(ind.surfaces) > 1 and self.rng.random() < 0.6:
            return ind.surfaces[1]
        self.named.add(ind.key)
        return ind.surfaces[0]

    def write(self, pieces: list[Piece]) -> Quote:
        start = len(self.text)
        for piece in pieces:
            if isinstance(piece, Individual):
                surface = self.surface(piece)
                if self.text == "" or self.text.endswith((". ", "\n", "“")):
                    surface = surface[0].upper() + surface[1:]  # "The Kremlin said…"
                self.mentions[(surface, piece.key)] = None
                self.text += surface
            else:
                self.text += piece
        return Quote(start, len(self.text))

    def raw(self, text: str) -> Quote:
        start = len(self.text)
        self.text += text
        return Quote(start, len(self.text))


def fill(template: str, **slots: Piece) -> list[Piece]:
    """``"{S} rejected {T}."`` → ["", S, " rejected ", T, "."]; slots are individuals or text."""
    pieces: list[Piece] = []
    rest = template
    while "{" in rest:
        before, _, after = rest.partition("{")
        name, _, rest = after.partition("}")
        pieces.extend([before, slots[name]])
    pieces.append(rest)
    return [p for p in pieces if p != ""]


DAYS = [
    "on Monday",
    "on Tuesday",
    "on Wednesday",
    "on Thursday",
    "on Friday",
    "at the weekend",
    "this week",
    "in an interview",
    "in a televised address",
    "at a press conference",
    "in a statement",
    "late on Sunday",
]

CLAIMS = {  # stance -> templates; {S} speaker, {T} target, {D} when/where
    "supports": ["{S} said {D} that {T} deserved support.", "{S} voiced support for {T} {D}."],
    "accepts": ["{S} said {D} that {T} could be accepted in principle."],
    "rejects": ["{S} rejected {T} outright {D}.", "“{T} is unacceptable to us,” {S} said {D}."],
    "opposes": ["{S} came out against {T} {D}."],
    "criticises": ["{S} criticised {T} {D}, calling it a mistake.", "{S} described {T} {D} as a dangerous illusion."],
    "doubts": ["{S} questioned {D} whether {T} could work in practice.", "{S} expressed doubts about {T} {D}."],
    "distrusts": ["{S} said {D} that there was no reason to trust {T}."],
    "trusts": ["{S} said {D} that {T} could be relied upon."],
    "warns": ["{S} warned {D} that {T} would only prolong the war.", "“{T} will not bring peace,” {S} warned {D}."],
    "predicts": ["{S} predicted {D} that {T} would fall apart within months."],
    "urges": ["{S} urged allies {D} to move quickly on {T}."],
    "asserts": ["{S} insisted {D} that {T} remained the main obstacle to peace."],
    "considers": ["{S} said {D} that {T} was under consideration."],
    "denies": ["{S} denied {D} that {T} had been discussed."],
}
CLAIM_VERBS = {
    "supports": "supports",
    "accepts": "accepts",
    "rejects": "rejects",
    "opposes": "opposes",
    "criticises": "criticises",
    "doubts": "doubts",
    "distrusts": "distrusts",
    "trusts": "trusts",
    "warns": "warns against",
    "predicts": "predicts the failure of",
    "urges": "urges action on",
    "asserts": "calls an obstacle",
    "considers": "considers",
    "denies": "denies discussing",
}
STANCE_WEIGHTS = {
    "supports": 14,
    "rejects": 12,
    "criticises": 12,
    "doubts": 8,
    "warns": 9,
    "predicts": 6,
    "distrusts": 5,
    "urges": 6,
    "asserts": 10,
    "opposes": 7,
    "accepts": 3,
    "considers": 3,
    "trusts": 2,
    "denies": 3,
}
POSITIONS = [  # (position type, stance, template); {H} holder, {X} provision text or target
    ("demand", "demands", "{H} demanded {X} {D}."),
    ("precondition", "demands", "{H} said {D} that {X} was a precondition for any talks."),
    ("red-line", "rejects", "{H} said {D} that {X} was a red line it would never accept."),
    ("offer", "offers", "{H} offered {X} {D} in exchange for a ceasefire."),
    ("willingness", "supports", "{H} signalled {D} that it was ready to back {X}."),
    ("willingness", "opposes", "{H} made clear {D} that it would not take part in {X}."),
    ("goal", "supports", "{H} said {D} that its goal remained {X}."),
]
LESSONS = [
    "security assurances without enforcement are worthless",
    "Russia keeps agreements only while they suit it",
    "a frozen front line only postpones the next war",
    "written guarantees need troops behind them",
    "ceasefires without monitors collapse quickly",
    "neutrality did not protect small states from invasion",
    "concessions to an aggressor invite new demands",
]
PRECEDENT_TEMPLATES = [
    "{S} recalled {P}, arguing that {L}.",
    "{S} pointed to {P} as proof that {L}.",
    "“Remember {P}: {L},” {S} said.",
]
EVENT_TEMPLATES = [
    "{E} ended without a breakthrough, officials said.",
    "Delegations met again for {E}.",
    "Officials described {E} as constructive but inconclusive.",
]
FILLERS = [
    "The talks are expected to resume next week.",
    "Fighting continued along much of the front line.",
    "Details of the proposal were not made public.",
    "Diplomats cautioned against expecting a quick result.",
    "Air-raid alerts sounded across several regions overnight.",
    "Officials declined to comment further.",
    "Markets reacted calmly to the news.",
    "The remarks drew a swift response from several capitals.",
    "Analysts said the coming weeks would be decisive.",
    "It was not immediately clear how the plan would be enforced.",
]
FIGURES = [  # (category, unit, count_of, value range, qualifier options, phrase, measures)
    (
        "troop-strength",
        "count",
        "soldiers",
        (20_000, 250_000),
        ["approximate", "up-to", None],
        "{V} troops would be needed to secure the front line",
        "troops needed to secure the front line",
    ),
    (
        "casualties",
        "count",
        "people",
        (1_000, 90_000),
        ["more-than", "at-least", None],
        "{V} people had been killed or wounded in the region",
        "people killed or wounded",
    ),
    (
        "territory-share",
        "percent",
        None,
        (5, 25),
        ["approximate", None],
        "{V} percent of Ukraine's territory remained under occupation",
        "share of Ukraine's territory under occupation",
    ),
    (
        "money",
        "usd",
        None,
        (1, 120),
        ["approximate", None],
        "{V} billion dollars had been pledged for reconstruction",
        "money pledged for reconstruction",
    ),
    (
        "distance",
        "kilometre",
        None,
        (50, 1_300),
        ["approximate", None],
        "a buffer zone of {V} kilometres was under discussion",
        "width of a proposed buffer zone",
    ),
]
PROVISIONS = [
    "TerritorialProvision",
    "AllianceMembershipProvision",
    "ArmedForcesLimitProvision",
    "SanctionsProvision",
    "ForeignTroopPresenceProvision",
    "SecurityGuaranteeProvision",
    "CeasefireProvision",
    "EconomicProvision",
]


def weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def provision(rng: random.Random, pop: Population) -> tuple[list[Piece], dict[str, Any]]:
    """A provision: the words that state it, and its annotation."""
    kind = rng.choice(PROVISIONS)
    if kind == "TerritorialProvision":
        place = pop.places.draw(rng)
        arrangement = rng.choice(["withdrawal", "cession", "freeze-at-front-line", "retention-of-annexed-territory"])
        words = {
            "withdrawal": "the withdrawal of Russian forces from ",
            "cession": "the cession of ",
            "freeze-at-front-line": "a freeze of the front line in ",
            "retention-of-annexed-territory": "Russian control over ",
        }[arrangement]
        return (
            [words, place],
            {
                "type": kind,
                "text": f"{words}{place.label}",
                "territory": [place.key],
                "arrangement": arrangement,
                "affected": ["russia", "ukraine"],
            },
        )
    if kind == "AllianceMembershipProvision":
        alliance = rng.choice(pop.alliances)
        status = rng.choice(["excluded", "deferred", "granted", "open"])
        words = {
            "excluded": "a permanent bar on Ukraine joining ",
            "deferred": "postponing Ukraine's accession to ",
            "granted": "Ukraine's swift accession to ",
            "open": "keeping the door open for Ukraine to join ",
        }[status]
        return (
            [words, alliance],
            {
                "type": kind,
                "text": words + alliance.label,
                "alliance": alliance.key,
                "candidate": ["ukraine"],
                "membership_status": status,
            },
        )
    if kind == "ArmedForcesLimitProvision":
        size = rng.randrange(50, 400, 10) * 1000
        text = f"a cap of {size:,} soldiers on Ukraine's army"
        return (
            [text],
            {
                "type": kind,
                "text": text,
                "limited_party": ["ukraine"],
                "quantity": {"value": size, "unit": "count", "count_of": "soldiers"},
            },
        )
    if kind == "SanctionsProvision":
        action = rng.choice(["lift", "relieve", "tighten", "impose"])
        text = {
            "lift": "the lifting of sanctions on Russia",
            "relieve": "partial sanctions relief for Russia",
            "tighten": "tighter sanctions on Russia",
            "impose": "new sanctions on Russian oil exports",
        }[action]
        return ([text], {"type": kind, "text": text, "sanctions_action": action, "sanctioned": ["russia"]})
    if kind == "ForeignTroopPresenceProvision":
        contributor = pop.states.draw(rng, exclude=frozenset({"ukraine", "russia"}))
        size = rng.randrange(5, 60) * 1000
        mission = rng.choice(["peacekeeping", "monitoring", "deterrence", "training"])
        return (
            ["a ", mission, f" force of {size:,} troops including soldiers from ", contributor],
            {
                "type": kind,
                "text": f"a {mission} force of {size:,} troops including soldiers from {contributor.label}",
                "host": ["ukraine"],
                "contributors": [contributor.key],
                "missions": [mission],
                "quantity": {"value": size, "unit": "count", "qualifier": "approximate", "count_of": "soldiers"},
            },
        )
    if kind == "SecurityGuaranteeProvision":
        guarantee = pop.guarantees.draw(rng)
        return (
            [guarantee],
            {"type": kind, "text": guarantee.label, "guarantee": guarantee.key, "affected": ["ukraine"]},
        )
    if kind == "CeasefireProvision":
        text = rng.choice(
            [
                "an immediate ceasefire along the front line",
                "a thirty-day truce",
                "a halt to strikes on energy infrastructure",
            ]
        )
        return ([text], {"type": kind, "text": text, "affected": ["russia", "ukraine"]})
    text = rng.choice(
        [
            "a reconstruction fund for Ukraine",
            "joint management of the Zaporizhzhia power plant",
            "the reopening of Black Sea shipping routes",
        ]
    )
    return ([text], {"type": kind, "text": text, "affected": ["ukraine"]})


def figure(rng: random.Random, speaker: Individual) -> tuple[list[Piece], dict[str, Any]]:
    category, unit, count_of, (lo, hi), qualifiers, phrase, measures = rng.choice(FIGURES)
    value = rng.randint(lo, hi)
    if value >= 10_000:
        value = round(value, -3)
    qualifier = rng.choice(qualifiers)
    words = {"approximate": "about ", "up-to": "up to ", "more-than": "more than ", "at-least": "at least ", None: ""}[
        qualifier
    ]
    number = f"{words}{value:,}"
    quantity: dict[str, Any] = {"value": value * 1_000_000_000 if unit == "usd" else value, "unit": unit}
    if qualifier:
        quantity["qualifier"] = qualifier
    if count_of:
        quantity["count_of"] = count_of
    text = phrase.replace("{V}", number)
    return (
        fill("{S} said that ", S=speaker) + [text + "."],
        {
            "type": "ReportedFigure",
            "by": [speaker.key],
            "quantity": quantity,
            "measures": measures,
            "category": category,
            "summary": f"{speaker.label}: {text}.",
        },
    )


# The author's own claims, and reader comments, about a target {T}: (stance, template).
AUTHOR_CLAIMS = [
    ("doubts", "Few observers expect {T} to hold for long."),
    ("criticises", "{T} has been widely seen as a step backwards."),
    ("predicts", "{T} is likely to dominate the next round of talks."),
]
COMMENTS = [
    ("distrusts", "Nobody where I live believes {T} will last."),
    ("supports", "Finally some sense: {T} is the only way out."),
    ("rejects", "{T} is a betrayal, plain and simple."),
]
