"""What a field of the annotation field table (:mod:`kg.annotations.fields`) is: the :class:`Field`
record (name, kind of value, ontology property, help), the kinds of value an annotator can write,
and the two fields of the review workflow that every table shares (:data:`REVIEW`,
:data:`DRAFTED_FROM`).

The validator checks values by these kinds (kg.annotations.values), the mapping turns them into RDF
by kind (kg.mapping.values), the schemas and the format reference are generated from them.
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


def field_row(
    name: str, kind: str, predicate: str | None, help: str, scheme: str | None = None, required: bool = False
) -> Field:
    """One row of the table, written positionally (the tables' short form: ``_f``)."""
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
