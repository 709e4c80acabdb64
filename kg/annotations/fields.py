"""The one table of annotation fields: what an annotator may write, what it means, and which
ontology property it becomes.

The JSON Schemas (``peacekg annotations schema``) and the format reference
(``docs/annotation-format.md``) are generated from this table; the validator checks values by
kind; the build (issue 4) maps each field to its property. Change a field here and everything
follows.
"""

from __future__ import annotations

from dataclasses import dataclass

# Value kinds an annotator can write:
#   text      a string (becomes an English literal)
#   texts     a string or a list of strings
#   key       the key of a reference individual or of an entity defined in an annotation file
#   keys      a key or a list of keys; a statement ('#s3', '<article id>#s3') where a field takes one
#   statements  a statement or a list of them: '#s3' of this file, '001_8d381c327fafc0c6#s54' of another
#   concept   the local name of a concept of the named scheme (e.g. "supports" in stance)
#   concepts  one or a list of such names
#   date      "2025", "2025-08", "2025-08-15", or a mapping {earliest, latest, precision, inferred, as_written}
#   quantity  a number, or a mapping {value | min | max, unit, qualifier, count_of}
#   bool      true / false
#   quotes    evidence: a quote, or a list of quotes (see QUOTE below)
#   provisions, commitments, violations, roles, sources: lists of nested objects (tables below)
#   identifier  {id, status: verified | unverified, checked: where it was verified}
#   review    reviewed | draft (docs/annotation-format.md, "Review status")
#   drafted_from  {article, quote, occurrence}: where a reference entry was found


@dataclass(frozen=True)
class Field:
    name: str
    kind: str
    predicate: str | None  # CURIE of the ontology property (None: used by the tooling only)
    help: str
    scheme: str | None = None  # for concept(s)
    required: bool = False


def _f(
    name: str, kind: str, predicate: str | None, help: str, scheme: str | None = None, required: bool = False
) -> Field:
    return Field(name, kind, predicate, help, scheme, required)


# Every item of a list section of an annotation file (mentions, entities, roles, statements,
# coverage_ignore) and every reference entry may say whether it is reviewed; an item without it
# takes its file's ``review`` (reference entries: reviewed). Not mapped as a field: the build leaves
# drafts out, or flags them (kg.annotations.review).
REVIEW = Field(
    "review",
    "review",
    None,
    "reviewed or draft; overrides the file's `review` for this item (reference entries: default reviewed). "
    "A draft is left out of the served graph unless the build includes drafts.",
)
DRAFTED_FROM = Field(
    "drafted_from",
    "drafted_from",
    None,
    "Reference entries: where a drafter or annotator found it, {article, quote, occurrence}.",
)

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

# Statement fields: common ones, then by statement type.
STATEMENT = (
    _f("id", "text", None, "Stable id within the article (s1, s2…); part of the statement's IRI.", required=True),
    _f(
        "type",
        "text",
        "rdf:type",
        "Claim, Position, PrecedentInvocation, ReportedFigure or EventReport.",
        required=True,
    ),
    _f(
        "by",
        "keys",
        "pk:attributedTo",
        "Who makes the statement. Default: the author of the region the evidence is in (the article's author; a comment's commenter).",
    ),
    _f("evidence", "quotes", "pk:hasEvidence", "The span(s) that support it.", required=True),
    _f("summary", "text", "pk:summary", "What it says, in the annotator's words.", required=True),
    _f(
        "modality",
        "concept",
        "pk:modality",
        "certain (default), probable, possible, hypothetical, conditional.",
        scheme="modality",
    ),
    _f("condition", "text", "pk:condition", "For conditional statements: the condition."),
    _f(
        "direct_quote",
        "bool",
        "pk:directQuote",
        "True when the evidence is the speaker's own words in quotation marks.",
    ),
    _f("stated_at", "key", "pk:statedAt", "The event where it was said (Davos)."),
    _f("stated_via", "keys", "pk:statedVia", "The outlet or document it was said through (an interview, an essay)."),
    _f("date", "date", "pk:hasTimeSpan", "When it was said, if the text says."),
    _f(
        "refers_to",
        "date",
        "pk:refersToTime",
        "When what it reports happened or held, as the article places it ('the war' of the text: 2022 onwards; "
        "'in 45': 1945); not when it was said (that is date).",
    ),
    _f(
        "about",
        "keys",
        "pk:about",
        "Entities it is about; a statement it bears on without a stance toward it: '#s3' in this file, "
        "'001_8d381c327fafc0c6#s54' in another article's (pk:bearsOn).",
    ),
    _f(
        "disputes",
        "statements",
        "pk:disputes",
        "Statements it contradicts when its own stance is toward something else (a position refusing any "
        "compromise disputes another article's 'ready for negotiations'); a Claim that denies, doubts, "
        "opposes… a statement says so with target instead.",
    ),
    _f(
        "endorses",
        "statements",
        "pk:endorses",
        "Statements it agrees with or corroborates when its own stance is toward something else (two "
        "articles reporting the same refusal); a Claim that asserts, supports… a statement uses target.",
    ),
    REVIEW,
    _f("note", "text", None, "A note for annotators; not part of the graph."),
)
STATEMENT_TYPE = {
    "Claim": (
        _f("stance", "concept", "pk:stance", "The speaker's stance toward the target.", scheme="stance", required=True),
        _f(
            "target",
            "keys",
            "pk:target",
            "What the stance is toward: a key, or a statement ('#s3' in this file, "
            "'001_8d381c327fafc0c6#s54' in another article's; its stance types the link: pk:disputes, "
            "pk:endorses).",
            required=True,
        ),
    ),
    "Position": (
        _f("holder", "keys", "pk:positionHolder", "The party whose position it is.", required=True),
        _f(
            "stance",
            "concept",
            "pk:stance",
            "The holder's stance (demands, refuses, supports, offers…).",
            scheme="stance",
            required=True,
        ),
        _f(
            "position_type",
            "concept",
            "pk:positionType",
            "demand, precondition, red-line, goal, offer, willingness.",
            scheme="position-type",
            required=True,
        ),
        _f("target", "keys", "pk:target", "What the position is about (a proposal, a guarantee…)."),
        _f("provisions", "provisions", "pk:hasProvision", "The terms demanded, offered or rejected (see PROVISION)."),
    ),
    "PrecedentInvocation": (
        _f("precedent", "keys", "pk:invokesPrecedent", "The agreement(s) or event(s) invoked.", required=True),
        _f("lesson", "text", "pk:lesson", "What the speaker says the precedent shows.", required=True),
        _f("applied_to", "keys", "pk:appliedTo", "The present matter the lesson is applied to."),
    ),
    "ReportedFigure": (
        _f("quantity", "quantity", "pk:hasQuantity", "The number or range with its unit.", required=True),
        _f("measures", "text", "pk:measures", "What the number measures.", required=True),
        _f(
            "category",
            "concept",
            "pk:figureCategory",
            "troop-strength, casualties, territory-share, money, distance…",
            scheme="figure-category",
            required=True,
        ),
        _f(
            "concerns",
            "keys",
            "pk:figureConcerns",
            "Whose or what the figure counts: the party whose troops, losses or money it is, or the place measured.",
        ),
    ),
    "EventReport": (_f("event", "key", "pk:reportsEvent", "The event reported.", required=True),),
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
