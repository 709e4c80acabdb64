"""The fields of a statement (the ``statements`` section of an annotation file): the ones every
statement may carry, then those of each statement type (Claim, Position, PrecedentInvocation,
ReportedFigure, EventReport). Part of the one field table: import them from
:mod:`kg.annotations.fields`, which holds the rest (individuals, class families, nested objects).

A statement is the annotation's own concept, a reified, attributed, evidenced assertion of an
article; individuals and their nested objects are the things statements are about.
"""

from __future__ import annotations

from kg.annotations.field_kinds import REVIEW
from kg.annotations.field_kinds import field_row as _f

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
