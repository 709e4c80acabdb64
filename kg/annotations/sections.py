"""The top-level layout of an annotation file and the small tables its list sections use beyond
kg.annotations.fields: mentions, coverage exceptions, and where a reference entry was drafted
from. The loader (kg.annotations.corpus), the JSON Schema and the format reference read them here.
"""

from __future__ import annotations

from kg.annotations.fields import QUOTE, REVIEW, Field

REVIEW_VALUES = ("reviewed", "draft")

MENTION = (
    Field("ref", "key", None, "The individual named.", required=True),
    Field("note", "text", None, "A note for annotators; not part of the graph."),
    *QUOTE,
    REVIEW,
)
COVERAGE_IGNORE = (
    Field(
        "text", "text", None, "The named entity's text as spaCy finds it (its core: no leading 'the').", required=True
    ),
    Field("label", "text", None, "Only for this spaCy label (PERSON, ORG, GPE, NORP, EVENT, LAW, FAC, LOC)."),
    Field("reason", "text", None, "Why it names nothing to annotate.", required=True),
    REVIEW,
)
DRAFTED_FROM = (
    Field("article", "text", None, "The id of the corpus article it was found in.", required=True),
    Field("quote", "text", None, "The exact text in that article.", required=True),
    Field("occurrence", "text", None, "Which occurrence (1, 2…) when the quote is not unique."),
)

# name -> (required, what it holds); the list sections are those whose items may carry `review`.
FILE = {
    "article": (True, "The article's id; equals the file name."),
    "review": (
        True,
        "`reviewed` or `draft`: the default of every item below that does not say. "
        "(Formerly `status: reviewed | unreviewed`.)",
    ),
    "annotators": (False, "Who annotated or reviewed it."),
    "note": (False, "A note for annotators; not part of the graph."),
    "mentions": (False, "Spans naming an individual (see MENTION)."),
    "entities": (False, "Individuals first defined in this article (fields of every individual, below)."),
    "roles": (False, "Roles the article states (see Roles stated in an article)."),
    "statements": (False, "What is said, by whom, with its evidence (see Statements)."),
    "coverage_ignore": (False, "Named entities that need no annotation, each with a reason (see COVERAGE_IGNORE)."),
}
LIST_SECTIONS = ("mentions", "entities", "roles", "statements", "coverage_ignore")
