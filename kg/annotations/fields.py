"""The one table of annotation fields: what an annotator may write, what it means, and which
ontology property it becomes.

The JSON Schemas (``peacekg annotations schema``) and the format reference
(``docs/annotation-format.md``) are generated from this table; the validator checks values by
kind; the build (issue 4) maps each field to its property. Change a field here and everything
follows.

Every part of the table is imported from here. This module holds the fields of individuals (by
class family) and of the nested objects (provisions, commitments, violations, roles, sources,
quotes); what a field is, its value kinds and the review fields every table shares are in
:mod:`kg.annotations.field_kinds`, the fields of statements in :mod:`kg.annotations.statement_fields`.
"""

from __future__ import annotations

from kg.annotations.field_kinds import DRAFTED_FROM, REVIEW, Field
from kg.annotations.field_kinds import field_row as _f
from kg.annotations.statement_fields import STATEMENT, STATEMENT_TYPE

# Fields every individual (reference or annotation entity) may carry.
INDIVIDUAL = (
    _f(
        "key",
        "text",
        None,
        "Stable identifier, lower-case words joined by '-'; the IRI is {base_iri}resource/{key}.",
        required=True,
    ),
    _f(
        "type",
        "text",
        "rdf:type",
        "Local name of a PeaceKG class (Person, State, PeacePlan, Summit, Treaty…).",
        required=True,
    ),
    _f("label", "text", "rdfs:label", "The usual English name.", required=True),
    _f("aliases", "texts", "skos:altLabel", "Other names and spelling variants (Zelenskyy, Zelenskiy; Kiev)."),
    _f("description", "text", "pk:summary", "One sentence saying what it is."),
    _f("date", "date", "pk:hasTimeSpan", "When it happened, was signed, proposed, or (for states) existed."),
    _f("wikidata", "identifier", "pk:wikidataId", "Wikidata item (Q-number) with where it was verified."),
    _f("dbpedia", "identifier", "pk:dbpediaId", "English DBpedia resource name with where it was verified."),
    _f("pax", "identifier", "pk:paxAgreementId", "PA-X Peace Agreements Database AgtId."),
    _f("ucdp", "identifier", "pk:ucdpAgreementId", "UCDP Peace Agreement Dataset identifier."),
    _f("atop", "identifier", "pk:atopId", "ATOP alliance identifier (atopid)."),
    _f("cow", "identifier", "pk:cowCode", "Correlates of War state code or war number."),
    _f("sources", "sources", "prov:hadPrimarySource", "Where facts not taken from the articles come from."),
    _f(
        "evidence",
        "quotes",
        "pk:hasEvidence",
        "For entities defined in an annotation file: the span(s) that introduce it.",
    ),
    REVIEW,
    DRAFTED_FROM,
    _f("note", "text", None, "A note for annotators; not part of the graph."),
)

# Fields by the class family they apply to (a class gets the fields of every family it belongs to).
FAMILY = {
    "Agent": (
        _f("member_of", "keys", "pk:memberOf", "Organisations, alliances or groups it belongs to."),
        _f("members", "keys", "pk:hasMember", "For groups and alliances: their members."),
        _f("based_in", "key", "pk:basedIn", "Where it is based; for a person, their country."),
        _f("institution_of", "key", "pk:institutionOf", "For an institution: the state or organisation it belongs to."),
        _f("governs", "key", "pk:governs", "For a government: the state it governs."),
        _f("roles", "roles", "pk:hasRole", "Roles held over time (see ROLE)."),
    ),
    "Place": (_f("located_in", "key", "pk:locatedIn", "The place it lies in (by international law)."),),
    "Event": (
        _f("participants", "keys", "pk:participant", "Who took part."),
        _f("perpetrator", "keys", "pk:perpetrator", "Who carried out an attack, invasion or annexation."),
        _f("target_of_event", "keys", "pk:targetOf", "Who or what the event was directed against."),
        _f("location", "keys", "pk:location", "Where it took place."),
        _f("part_of", "key", "pk:subEventOf", "The larger event it belongs to."),
        _f(
            "in_response_to",
            "keys",
            "pk:inResponseTo",
            "The event(s) it answers or protests (a resignation in protest over an invasion).",
        ),
    ),
    "Proposal": (
        _f("proposed_by", "keys", "pk:proposedBy", "Who made or originated it.", required=True),
        _f("backed_by", "keys", "pk:backedBy", "Who endorses it without having originated it."),
        _f("proposed_to", "keys", "pk:proposedTo", "To whom it was presented."),
        _f("presented_at", "key", "pk:presentedAt", "The event where it was presented."),
        _f("counters", "keys", "pk:counters", "The proposal(s) it answers."),
        _f("revises", "keys", "pk:revises", "The proposal(s) it revises."),
        _f("responds_to", "keys", "pk:respondsTo", "Other lineage: the proposal(s) it builds on."),
        _f("provisions", "provisions", "pk:hasProvision", "Its terms (see PROVISION).", required=True),
    ),
    "Commitment": (
        _f(
            "kind",
            "concepts",
            "pk:commitmentKind",
            "Guarantee kind (guarantee-kind scheme) or other commitment kind (commitment-kind scheme).",
            required=True,
        ),
        _f("obligors", "keys", "pk:obligor", "Who takes the commitment on."),
        _f("guarantors", "keys", "pk:guarantor", "For security guarantees: who gives it."),
        _f("beneficiary", "keys", "pk:beneficiary", "To or for whom."),
        _f("veto_holders", "keys", "pk:vetoHolder", "Who could block its activation."),
        _f("trigger", "text", "pk:trigger", "What activates it."),
        _f("enforcement", "text", "pk:enforcement", "How it would be enforced."),
        _f(
            "bindingness",
            "concept",
            "pk:bindingness",
            "legally-binding, politically-binding or unspecified.",
            scheme="bindingness",
        ),
        _f("duration", "text", "pk:duration", "How long it lasts, in words."),
    ),
    "Agreement": (
        _f("parties", "keys", "pk:party", "The states or organisations party to it.", required=True),
        _f("signatories", "keys", "pk:signatory", "The people who signed it."),
        _f("commitments", "commitments", "pk:hasCommitment", "What the parties committed to (see COMMITMENT)."),
        _f("violations", "violations", None, "Recorded breaches (see VIOLATION)."),
        _f("terminated_by", "key", "pk:terminatedBy", "The event that ended its force."),
        _f("termination_date", "date", "pk:terminationDate", "The day it ceased to be in force."),
        _f("outcome", "text", "pk:outcome", "What became of it."),
        _f(
            "provisions",
            "provisions",
            "pk:hasProvision",
            "What it provides, as structured terms: the territory ceded (a TerritorialProvision with arrangement "
            "cession, ceded_by, ceded_to), troop limits… (see PROVISION).",
        ),
    ),
    "Proposition": (),
}


# Nested objects.
PROVISION = (
    _f(
        "type",
        "text",
        "rdf:type",
        "TerritorialProvision, AllianceMembershipProvision, ArmedForcesLimitProvision, SanctionsProvision, "
        "ForeignTroopPresenceProvision, SecurityGuaranteeProvision, ElectionProvision, EconomicProvision or "
        "CeasefireProvision.",
        required=True,
    ),
    _f("text", "text", "pk:provisionText", "The provision in words.", required=True),
    _f("territory", "keys", "pk:concernsTerritory", "Territorial: the territory concerned."),
    _f(
        "arrangement",
        "concept",
        "pk:territorialArrangement",
        "Territorial: what happens to it.",
        scheme="territorial-arrangement",
    ),
    _f(
        "recognition",
        "concept",
        "pk:recognition",
        "Territorial: de-jure, de-facto or non-recognition.",
        scheme="recognition",
    ),
    _f("alliance", "key", "pk:alliance", "Membership: the alliance or union."),
    _f("candidate", "keys", "pk:candidate", "Membership: the state whose membership is at issue."),
    _f(
        "membership_status",
        "concept",
        "pk:membershipStatus",
        "Membership: granted, deferred, excluded, open.",
        scheme="membership-status",
    ),
    _f("limited_party", "keys", "pk:limitedParty", "Force limit: whose forces are limited."),
    _f(
        "sanctions_action",
        "concept",
        "pk:sanctionsAction",
        "Sanctions: impose, tighten, relieve, lift.",
        scheme="sanctions-action",
    ),
    _f("sanctioned", "keys", "pk:sanctionedParty", "Sanctions: who is sanctioned."),
    _f("host", "keys", "pk:hostState", "Troops: the state on whose soil they would be."),
    _f("contributors", "keys", "pk:troopContributor", "Troops: who would send them."),
    _f(
        "missions",
        "concepts",
        "pk:mission",
        "Troops: peacekeeping, monitoring, deterrence, training, combat.",
        scheme="troop-mission",
    ),
    _f("quantity", "quantity", "pk:hasQuantity", "Troops or force limit: the size."),
    _f("ceded_by", "keys", "pk:cededBy", "Territorial: the party that gives the territory (or its control) up."),
    _f("ceded_to", "keys", "pk:cededTo", "Territorial: the party that gains the territory (or its control)."),
    _f("guarantee", "key", "pk:providesGuarantee", "Security guarantee: the key of the guarantee entity."),
    _f("affected", "keys", "pk:affectedParty", "Any other party it binds or benefits."),
)
COMMITMENT = (
    _f("key", "text", None, "Optional stable key, when a violation or another file must refer to it."),
    _f("type", "text", "rdf:type", "SecurityGuarantee (default when kind is a guarantee kind) or Commitment."),
) + FAMILY["Commitment"]
VIOLATION = (
    _f("violator", "keys", "pk:violator", "Who breached it.", required=True),
    _f("event", "keys", "pk:violatingEvent", "The event that was the breach."),
    _f("commitment", "key", "pk:violatedCommitment", "The key of the commitment breached."),
    _f("sources", "sources", "prov:hadPrimarySource", "Where this is established.", required=True),
)
ROLE = (
    _f("label", "text", "pk:roleLabel", "The role as worded ('former US ambassador to Russia').", required=True),
    _f(
        "role_type", "concept", "pk:roleType", "head-of-state, minister, ambassador, envoy, expert…", scheme="role-type"
    ),
    _f("in", "keys", "pk:roleIn", "The state or organisation in or for which it is held."),
    _f("concerns", "keys", "pk:roleConcerns", "What it is directed at (the host state of an ambassador)."),
    _f(
        "status",
        "concept",
        "pk:roleStatus",
        "current, former, designated (at the time of the source).",
        scheme="role-status",
    ),
    _f("date", "date", "pk:hasTimeSpan", "When it was held."),
    _f("ended_by", "key", "pk:roleEndedBy", "The event that ended it (a Resignation, a dismissal, a lost election)."),
    _f("evidence", "quotes", "pk:hasEvidence", "The span that states the role (in annotation files)."),
)
# A role as an article states it (annotation files, section ``roles``): the same fields plus the
# holder, and evidence is required.
ARTICLE_ROLE = (
    (_f("holder", "key", "pk:holder", "The person (or agent) who holds the role.", required=True),)
    + tuple(
        Field(f.name, f.kind, f.predicate, f.help, f.scheme, True if f.name == "evidence" else f.required) for f in ROLE
    )
    + (REVIEW,)
)
SOURCE = (
    _f(
        "cite", "text", None, "What the source is: a dataset and record, a treaty text, a Wikidata item.", required=True
    ),
    _f("iri", "text", None, "Its IRI, if it has one."),
)
QUOTE = (
    _f("quote", "text", "oa:exact", "The exact text, character for character.", required=True),
    _f(
        "occurrence",
        "text",
        None,
        "Which occurrence (1, 2…) when the quote is not unique; 'all' in mentions for every occurrence.",
    ),
    _f("prefix", "text", "oa:prefix", "Text just before the quote, to pick one occurrence."),
    _f("suffix", "text", "oa:suffix", "Text just after the quote, to pick one occurrence."),
)

FAMILY_ROOTS = tuple(FAMILY)


def fields_for_class_families(families: set[str]) -> tuple[Field, ...]:
    """The fields an individual of a class with the given families may carry."""
    out = list(INDIVIDUAL)
    for family in FAMILY_ROOTS:
        if family in families:
            out.extend(FAMILY[family])
    return tuple(out)


__all__ = [
    "ARTICLE_ROLE",
    "COMMITMENT",
    "DRAFTED_FROM",
    "FAMILY",
    "FAMILY_ROOTS",
    "INDIVIDUAL",
    "PROVISION",
    "QUOTE",
    "REVIEW",
    "ROLE",
    "SOURCE",
    "STATEMENT",
    "STATEMENT_TYPE",
    "VIOLATION",
    "Field",
    "fields_for_class_families",
]
