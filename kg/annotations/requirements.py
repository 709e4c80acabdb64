"""What the SHACL shapes require of annotated values, checked early by ``annotations validate`` so
that annotators see the file, line and field instead of a late build failure: the class a key must
have by field name, the fields a provision of a given class must have, and the fields an
individual of a class family must have beyond the field table's own (kg.annotations.fields)."""

# The class a key must have, by field name (as the SHACL shapes require; checked by the validator
# so annotators see the file and line, not a late build failure).
KEY_RANGE = {
    "proposed_by": "Agent",
    "backed_by": "Agent",
    "proposed_to": "Agent",
    "presented_at": "Event",
    "counters": "Proposal",
    "revises": "Proposal",
    "responds_to": "Proposal",
    "participants": "Agent",
    "perpetrator": "Agent",
    "location": "Place",
    "part_of": "Event",
    "in_response_to": "Event",
    "ended_by": "Event",
    "ceded_by": "Agent",
    "ceded_to": "Agent",
    "obligors": "Agent",
    "guarantors": "Agent",
    "beneficiary": "Agent",
    "veto_holders": "Agent",
    "parties": "Agent",
    "signatories": "Agent",
    "terminated_by": "Event",
    "violator": "Agent",
    "commitment": "Commitment",
    "member_of": "Agent",
    "members": "Agent",
    "based_in": "Place",
    "institution_of": "Agent",
    "governs": "State",
    "located_in": "Place",
    "holder": "Agent",
    "in": "Agent",
    "by": "Agent",
    "stated_at": "Event",
    "alliance": "Organisation",
    "candidate": "Agent",
    "limited_party": "Agent",
    "sanctioned": "Agent",
    "host": "Agent",
    "contributors": "Agent",
    "guarantee": "SecurityGuarantee",
    "territory": "Place",
    "affected": "Agent",
    "outlet": "MediaOutlet",
    "author": "Agent",
    "event": ("Event", "Agreement"),
    # a figure's (whose troops, losses, money; whose territory) and a role's (an ambassador's host)
    "concerns": ("Agent", "Place"),
    "precedent": ("Agreement", "Event"),
}

# Fields a provision of a given class must have (as its SHACL shape requires).
PROVISION_REQUIRED = {
    "SecurityGuaranteeProvision": ("guarantee",),
    "AllianceMembershipProvision": ("alliance", "membership_status"),
    "ArmedForcesLimitProvision": ("limited_party",),
    "SanctionsProvision": ("sanctions_action",),
}
# Fields an individual of a given class family must have (beyond the table's required ones).
CLASS_REQUIRED = {"Proposition": ("description",)}
