"""docs/annotation-format.md: the field-by-field reference of the annotation format, generated
from kg.annotations.fields (``make annotation-docs``)."""

from __future__ import annotations

from kg.annotations import fields as F
from kg.annotations import sections as S
from kg.annotations.vocabulary import VocabularyIndex

KIND_HELP = {
    "text": "text",
    "texts": "text or list of texts",
    "key": "key",
    "keys": "key or list of keys",
    "statements": "statement or list (`'#s3'`, `'<article id>#s3'`)",
    "concept": "concept",
    "concepts": "concept or list",
    "date": "date",
    "quantity": "quantity",
    "bool": "true/false",
    "quotes": "quote or list of quotes",
    "identifier": "identifier",
    "provisions": "list of PROVISION",
    "commitments": "list of COMMITMENT",
    "violations": "list of VIOLATION",
    "roles": "list of ROLE",
    "sources": "list of SOURCE",
    "review": "`reviewed` or `draft`",
    "drafted_from": "DRAFTED_FROM",
}


def _table(fields: tuple[F.Field, ...]) -> list[str]:
    lines = ["| field | value | required | becomes | meaning |", "|---|---|---|---|---|"]
    for f in fields:
        kind = KIND_HELP[f.kind] + (f" (`{f.scheme}` scheme)" if f.scheme else "")
        becomes = f"`{f.predicate}`" if f.predicate else "—"
        lines.append(f"| `{f.name}` | {kind} | {'yes' if f.required else ''} | {becomes} | {f.help} |")
    return lines + [""]


def format_reference(vocabulary: VocabularyIndex) -> str:
    out = [
        "<!-- Generated from kg/annotations/fields.py and sections.py by `make annotation-docs` "
        "(`peacekg annotations docs`); do not edit by hand. -->",
        "# Annotation format reference",
        "",
        "The guide, with an example, is [`corpus/README.md`](../corpus/README.md). JSON Schemas: "
        "`peacekg annotations schema annotation|reference|article`. `peacekg annotations validate` checks "
        "everything below and more (keys resolve, quotes occur once, concepts are in their scheme).",
        "",
        "## An annotation file (`corpus/annotations/<article id>.yaml`)",
        "",
        "| key | required | holds |",
        "|---|---|---|",
        *(f"| `{name}` | {'yes' if required else ''} | {text} |" for name, (required, text) in S.FILE.items()),
        "",
        "### Review status",
        "",
        "Every item of a list section (" + ", ".join(f"`{n}`" for n in S.LIST_SECTIONS) + ") is reviewed "
        "or a draft: its own `review` if it has one, else the file's `review`. A reference entry is reviewed "
        "unless it says `review: draft`. `peacekg build` serves only reviewed content; with the setting "
        "`include_drafts` (`peacekg build --include-drafts`) drafts are built too and flagged in the graph "
        "(`pk:reviewStatus review-status:draft`; see [review-status.md](review-status.md)). A reviewed item that refers to a draft "
        "(an individual, a statement) is an error: review the draft first. A top-level `status:` is an "
        "error: it was renamed to `review` (`draft` for what was `unreviewed`).",
        "",
        "## Every individual (reference files, and `entities` of annotation files)",
        "",
        *_table(F.INDIVIDUAL),
        "Further fields depend on the class (`type`):",
        "",
    ]
    for family, fields in F.FAMILY.items():
        if not fields:
            continue
        members = ", ".join(f"`{c}`" for c in vocabulary.subclasses_of(family))
        out += [f"### {family} ({members})", "", *_table(fields)]
    out += ["## Statements (`statements` of annotation files)", "", *_table(F.STATEMENT)]
    for kind, fields in F.STATEMENT_TYPE.items():
        out += [f"### {kind}", "", *_table(fields)]
    out += ["## Roles stated in an article (`roles` of annotation files)", "", *_table(F.ARTICLE_ROLE)]
    out += ["## MENTION (`mentions` of annotation files)", "", *_table(S.MENTION)]
    out += ["## COVERAGE_IGNORE (`coverage_ignore` of annotation files)", "", *_table(S.COVERAGE_IGNORE)]
    for name, fields in (
        ("PROVISION", F.PROVISION),
        ("COMMITMENT", F.COMMITMENT),
        ("VIOLATION", F.VIOLATION),
        ("ROLE (in reference files)", F.ROLE),
        ("SOURCE", F.SOURCE),
        ("QUOTE", F.QUOTE),
        ("DRAFTED_FROM (reference entries)", S.DRAFTED_FROM),
    ):
        out += [f"## {name}", "", *_table(fields)]
    out += ["## Concept schemes", ""]
    for scheme in sorted(vocabulary.schemes):
        out.append(f"- **{scheme}**: " + ", ".join(f"`{c}`" for c in sorted(vocabulary.schemes[scheme])))
    return "\n".join(out) + "\n"
