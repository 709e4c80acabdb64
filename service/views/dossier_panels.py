"""What each dossier shows: for each kind of individual (actor, proposal, precedent, event,
article) its panels, each backed by one stored query of ``queries/`` with the individual bound as
a typed parameter, and the columns a panel's table shows. Declarations only: running and shaping
are in :mod:`service.views.dossiers`.

A column names query variables, never positions: ``term`` shows an IRI by its ``?xLabel``
(the label convention of queries/README.md) or a literal; ``statement`` shows a statement by its
summary, speaker, stance and quote (never its IRI); ``quote`` the quoted span linked to its place
in the article; ``coded`` gathers ``property: value`` pairs of the merged rows."""

from __future__ import annotations

from dataclasses import dataclass, field

from kg.ontology.load import ONTOLOGY_NS as PK


@dataclass(frozen=True)
class Column:
    header: str
    var: str
    kind: str = "term"  # term | statement | quote | coded
    prefix: str = ""  # statement / quote columns: the variable prefix ("other" for ?otherStatement…)
    value: str = ""  # coded columns: the value variable (``var`` is the property)


@dataclass(frozen=True)
class Panel:
    key: str  # the panel's HTML id
    title: str
    query: str  # the stored query (queries/NAME.rq)
    param: str  # its parameter that takes the individual
    columns: tuple[Column, ...] = ()
    view: str = "table"  # table | timeline (drawn dates) | lineage (drawn graph) | text (the article's text)
    group: tuple[str, ...] = ()  # variables whose values head groups of rows
    merge: str = ""  # rows with the same value of this variable are one entry (quotes and coded values gathered)
    empty: str = "Nothing in the graph."
    note: str = ""


def statement(header: str = "Statement", prefix: str = "") -> Column:
    return Column(header, "statement", "statement", prefix)


def quote(header: str = "Quote", prefix: str = "") -> Column:
    return Column(header, "quote", "quote", prefix)


ACTOR = (
    Panel(
        "roles",
        "Roles over time",
        "actor-roles",
        "actor",
        (
            Column("Role", "roleLabel"),
            Column("In", "org"),
            Column("Status", "status"),
            Column("From", "start"),
            Column("Until", "end"),
            Column("As of", "asOf"),
            quote(),
        ),
        merge="role",
        empty="No roles in the articles.",
    ),
    Panel(
        "positions",
        "Positions and claims, by target",
        "actor-positions",
        "actor",
        (
            Column("Kind", "kind"),
            Column("Date", "date"),
            statement(),
        ),
        group=("targetKind", "target"),
        merge="statement",
        empty="No positions or claims on record.",
    ),
    Panel(
        "proposals",
        "Proposals made, backed or opposed",
        "actor-proposals",
        "actor",
        (Column("Relation", "relation"), Column("Proposal", "proposal"), statement("Statement or evidence")),
        merge="",
        empty="No proposals on record.",
    ),
    Panel(
        "agreements",
        "Agreements and disagreements with other actors",
        "actor-agreements",
        "actor",
        (
            Column("Other actor", "other"),
            Column("On", "target"),
            statement("This actor"),
            statement("The other actor", "other"),
        ),
        group=("relation",),
        empty="No other actor takes a stance on the same targets.",
    ),
    Panel(
        "timeline",
        "Stance timeline",
        "actor-timeline",
        "actor",
        (Column("Date", "date"), Column("Target", "target"), statement()),
        view="timeline",
        merge="statement",
        empty="No dated stances.",
    ),
    Panel(
        "comentions",
        "Mentioned with",
        "actor-comentions",
        "actor",
        (Column("Actor", "other"), Column("Shared articles", "articles"), Column("For example", "sampleDocument")),
        empty="No other actor is mentioned in the same articles.",
    ),
)

PROPOSAL = (
    Panel(
        "provisions",
        "Provisions and their coding",
        "proposal-coding",
        "proposal",
        (
            Column("Provision", "provisionType"),
            Column("Wording", "text"),
            Column("Coding", "property", "coded", value="value"),
            Column("Figure", "amount"),
            Column("Guarantee", "guarantee"),
        ),
        merge="provision",
        empty="No provisions coded.",
    ),
    Panel(
        "sponsors",
        "Proposer and backers",
        "proposal-sponsors",
        "proposal",
        (Column("Relation", "relation"), Column("Who", "who"), quote()),
        merge="who",
        empty="No proposer on record.",
    ),
    Panel(
        "stances",
        "Supporters and opponents",
        "proposal-stances",
        "proposal",
        (Column("Actor", "actor"), Column("Date", "date"), statement()),
        group=("side",),
        merge="statement",
        empty="No one takes a stance on it in the articles.",
    ),
    Panel(
        "lineage",
        "Lineage: revisions and counter-proposals",
        "proposal-lineage",
        "proposal",
        (Column("Proposal", "from"), Column("Relation", "relation"), Column("Of", "to"), Column("Date", "fromDate")),
        view="lineage",
        empty="No revisions or counter-proposals.",
    ),
    Panel(
        "precedents",
        "Compared with precedents' guarantees",
        "proposal-precedents",
        "proposal",
        (
            Column("Guarantee", "guarantee"),
            Column("Kind", "kind"),
            Column("Match", "match"),
            Column("Agreement", "precedent"),
            Column("Commitment", "commitment"),
            Column("Its kind", "commitmentKind"),
            Column("Violated", "violated"),
        ),
        empty="No agreement has a commitment of the same kind.",
    ),
)

PRECEDENT = (
    Panel(
        "parties",
        "Parties and signatories",
        "precedent-parties",
        "precedent",
        (Column("Relation", "relation"), Column("Who", "who"), Column("Source", "source")),
        empty="No parties on record.",
    ),
    Panel(
        "commitments",
        "Commitments and their coding",
        "precedent-commitments",
        "precedent",
        (Column("Commitment", "commitment"), Column("Coding", "property", "coded", value="value")),
        merge="commitment",
        empty="No commitments coded.",
    ),
    Panel(
        "violations",
        "Violations",
        "precedent-violations",
        "precedent",
        (
            Column("Violator", "violator"),
            Column("When", "when"),
            Column("By", "event"),
            Column("Commitment", "commitment"),
            Column("Source", "source"),
        ),
        empty="No violations on record.",
    ),
    Panel(
        "invocations",
        "Invoked as a precedent",
        "precedent-invocations",
        "precedent",
        (Column("Lesson", "lesson"), Column("Applied to", "appliedTo"), Column("Date", "date"), statement()),
        merge="invocation",
        empty="No article invokes it.",
    ),
)

EVENT = (
    Panel(
        "facts",
        "Date, place and participants",
        "event-facts",
        "event",
        (Column("", "property"), Column("", "value")),
        empty="No date, place or participants on record.",
    ),
    Panel(
        "reports",
        "What was reported about it",
        "event-reports",
        "event",
        (Column("Relation", "relation"), Column("Date", "date"), statement()),
        merge="statement",
        empty="No statements report it.",
    ),
)

ARTICLE = (
    Panel(
        "metadata",
        "Metadata",
        "article-metadata",
        "document",
        (Column("", "property"), Column("", "value")),
        empty="No metadata.",
    ),
    Panel(
        "text",
        "Text, with the evidence marked",
        "article-statements",
        "document",
        view="text",
        note="Each marked passage is the evidence of a statement: follow it to the statement below.",
    ),
    Panel(
        "statements",
        "Statements, by kind and speaker",
        "article-statements",
        "document",
        (Column("Target", "target"), statement()),
        group=("kind", "speaker"),
        merge="statement",
        empty="No statements annotated.",
    ),
)


@dataclass(frozen=True)
class Kind:
    name: str
    title: str
    classes: frozenset[str]  # any of these types (asserted or inferred) makes a dossier of this kind
    panels: tuple[Panel, ...]
    unless: frozenset[str] = field(default=frozenset())  # …unless it also has one of these


# In this order: the first kind whose classes the individual has is its dossier.
KINDS = (
    Kind("article", "Article", frozenset({PK + "Article"}), ARTICLE),
    Kind("proposal", "Proposal", frozenset({PK + "Proposal"}), PROPOSAL),
    Kind("precedent", "Agreement", frozenset({PK + "Agreement"}), PRECEDENT),
    Kind(
        "precedent", "Precedent", frozenset({PK + "HistoricalPrecedent"}), PRECEDENT, unless=frozenset({PK + "Event"})
    ),
    Kind("event", "Event", frozenset({PK + "Event"}), EVENT),
    Kind("actor", "Actor", frozenset({PK + "Agent"}), ACTOR),
)
# An event held up as a precedent (an invasion, a war) also shows who invokes it.
EVENT_AS_PRECEDENT = PRECEDENT[-1]


def kind_of(types: set[str]) -> Kind | None:
    """The dossier kind of an individual with these rdf:types; None when it has none."""
    for kind in KINDS:
        if types & kind.classes and not types & kind.unless:
            return kind
    return None


def panels_for(kind: Kind, types: set[str]) -> tuple[Panel, ...]:
    if kind.name == "event" and PK + "HistoricalPrecedent" in types:
        return (*kind.panels, EVENT_AS_PRECEDENT)
    return kind.panels
