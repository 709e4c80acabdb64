"""How ``peacekg link`` scores a Wikidata candidate for a PeaceKG individual, with the reasons.

A score is a number in [0, 1], the sum of three parts (then clipped and rounded to 2 decimals):

1. **Name** — the best way one of our names meets one of the item's names, in the languages asked
   for: our label = its label 0.60; our label = one of its aliases 0.45; one of our aliases = its
   label 0.40; alias = alias 0.30. Matching is exact (case and punctuation count), as the lookup
   is an exact-literal lookup.
2. **Corroboration** — +0.05 for each further distinct name of ours that also matched, at most +0.10
   ("Volodymyr Zelensky" and "Zelenskyy" both naming the item is better evidence than one).
3. **Type** — the item's ``wdt:P31`` classes against the classes expected for our class
   (:data:`EXPECTED`, taken over our class and its ancestors, e.g. a ``pk:Summit`` expects a
   meeting or an event): an expected class +0.30; a Wikimedia page rather than a thing
   (disambiguation, list, category) or a name (family or given name) −0.50; a class we know
   that belongs to another kind of thing (a human for a state, a city for a person) −0.20; a
   class of the same kind that is not expected (a peace treaty for a non-aggression pact) or
   one not in the table 0; no ``P31`` at all −0.05. Only direct ``P31`` values are compared
   (walking ``P279`` upward would cost a query per candidate); "not in the table" is said so in
   the reasons, for the reviewer to judge.

So an exact label match on an item of an expected class scores 0.90 or more, an alias-only match
of an unknown class 0.30–0.45. Scores rank candidates for a reviewer; nothing is ever accepted
because of its score. Every QID in the tables was checked against public code using it (see
docs/links.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Wikidata classes expected for a PeaceKG class (and, through ancestry, for its subclasses).
EXPECTED: dict[str, dict[str, str]] = {
    "Person": {"Q5": "human"},
    "State": {"Q3624078": "sovereign state", "Q6256": "country", "Q3024240": "historical country", "Q7275": "state"},
    "City": {"Q515": "city", "Q5119": "capital city", "Q1549591": "big city"},
    "Region": {"Q82794": "geographic region"},
    "Organisation": {"Q43229": "organization"},
    "InternationalOrganisation": {"Q484652": "international organization"},
    "MilitaryAlliance": {"Q1127126": "military alliance"},
    "University": {"Q3918": "university"},
    "ResearchInstitution": {"Q31855": "research institute"},
    "MediaOutlet": {
        "Q11032": "newspaper",
        "Q1110794": "daily newspaper",
        "Q1153191": "online newspaper",
        "Q41298": "magazine",
        "Q1002697": "periodical literature",
    },
    "Government": {"Q7188": "government"},
    "StateInstitution": {"Q327333": "government agency"},
    "ArmedForces": {"Q8473": "military"},
    "Company": {"Q783794": "company", "Q4830453": "business", "Q891723": "public company", "Q6881511": "enterprise"},
    "Event": {"Q1656682": "event"},
    "War": {"Q198": "war"},
    "MilitaryOperation": {"Q645883": "military operation"},
    "Invasion": {"Q467011": "invasion"},
    "Election": {"Q40231": "election"},
    "Meeting": {"Q2761147": "meeting"},
    "Agreement": {"Q131569": "treaty"},
    "PeaceTreaty": {"Q625298": "peace treaty"},
}
# Items that are pages or names, not things an individual can be.
NOT_A_THING: dict[str, str] = {
    "Q4167410": "Wikimedia disambiguation page",
    "Q13406463": "Wikimedia list article",
    "Q4167836": "Wikimedia category",
    "Q101352": "family name",
    "Q202444": "given name",
}
# Kinds of things, for telling a wrong type from a related one (first match in this order wins).
KINDS = ("Person", "State", "Place", "Organisation", "Event", "Agreement")

NAME_SCORES = {("label", "label"): 0.60, ("label", "alias"): 0.45, ("alias", "label"): 0.40, ("alias", "alias"): 0.30}
NAME_WORDS = {
    ("label", "label"): "our label is its label",
    ("label", "alias"): "our label is one of its aliases",
    ("alias", "label"): 'our alias "{text}" is its label',
    ("alias", "alias"): 'our alias "{text}" is one of its aliases',
}
CORROBORATION_STEP, CORROBORATION_MAX = 0.05, 0.10
TYPE_EXPECTED, TYPE_NOT_A_THING, TYPE_OTHER_KIND, TYPE_MISSING = 0.30, -0.50, -0.20, -0.05


@dataclass(frozen=True)
class Match:
    text: str  # the name of ours that matched
    ours: str  # "label" or "alias": which of our names it is
    theirs: str  # "label" or "alias": which of the item's names it met
    language: str


@dataclass
class Scored:
    score: float
    why: list[str] = field(default_factory=list)


def kind_of(ancestors: frozenset[str] | set[str]) -> str | None:
    return next((k for k in KINDS if k in ancestors), None)


def expected_for(ancestors: frozenset[str] | set[str]) -> dict[str, str]:
    """The Wikidata classes expected for a class with these ancestors (itself included)."""
    out: dict[str, str] = {}
    for name in sorted(ancestors):
        out.update(EXPECTED.get(name, {}))
    return out


def _kind_of_qid(qid: str, classes: dict[str, frozenset[str]]) -> str | None:
    """The kind of thing a Wikidata class in our table stands for (None when not in the table)."""
    for ours, qids in EXPECTED.items():
        if qid in qids:
            return kind_of(classes.get(ours, frozenset({ours})))
    return None


def score(
    matches: list[Match], types: dict[str, str], ancestors: frozenset[str], classes: dict[str, frozenset[str]]
) -> Scored:
    """Score one candidate: ``matches`` how its names met ours, ``types`` its P31 classes
    (QID → label), ``ancestors`` our class with its ancestors, ``classes`` every class's ancestors."""
    best = max(matches, key=lambda m: NAME_SCORES[(m.ours, m.theirs)])
    total = NAME_SCORES[(best.ours, best.theirs)]
    why = [
        f"{NAME_WORDS[(best.ours, best.theirs)].format(text=best.text)} ({best.language}): "
        f"+{NAME_SCORES[(best.ours, best.theirs)]:.2f}"
    ]
    others = sorted({m.text for m in matches} - {best.text})
    if others:
        bonus = min(CORROBORATION_MAX, CORROBORATION_STEP * len(others))
        total += bonus
        quoted = ", ".join(f'"{text}"' for text in others)
        why.append(f"also matched by {quoted}: +{bonus:.2f}")
    expected = expected_for(ancestors)
    our_kind = kind_of(ancestors)
    ours = "/".join(sorted(a for a in ancestors if a in EXPECTED) or sorted(ancestors))
    hit = sorted(q for q in types if q in expected)
    if hit:
        total += TYPE_EXPECTED
        why.append(f"instance of {_named(hit[0], types, expected)}, expected for {ours}: +{TYPE_EXPECTED:.2f}")
    elif any(q in NOT_A_THING for q in types):
        q = sorted(q for q in types if q in NOT_A_THING)[0]
        total += TYPE_NOT_A_THING
        why.append(f"a {NOT_A_THING[q]} ({q}), not a thing: {TYPE_NOT_A_THING:.2f}")
    elif not types:
        total += TYPE_MISSING
        why.append(f"no instance-of (P31): {TYPE_MISSING:.2f}")
    else:
        kinds = {q: _kind_of_qid(q, classes) for q in sorted(types)}
        wrong = [q for q, k in kinds.items() if k is not None and k != our_kind]
        if wrong and all(k is not None and k != our_kind for k in kinds.values()):
            total += TYPE_OTHER_KIND
            why.append(
                f"instance of {_named(wrong[0], types, {})}, another kind of thing than {ours}: {TYPE_OTHER_KIND:.2f}"
            )
        else:
            listed = ", ".join(_named(q, types, {}) for q in sorted(types))
            why.append(f"instance of {listed}: not an expected class for {ours} (check by hand): +0.00")
    return Scored(round(min(1.0, max(0.0, total)), 2), why)


def _named(qid: str, types: dict[str, str], table: dict[str, str]) -> str:
    label = types.get(qid) or table.get(qid)
    return f"{label} ({qid})" if label else qid
