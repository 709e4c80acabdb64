"""JSON Schemas and the Markdown format reference, generated from kg.annotations.fields.

The schemas check structure (editors and other tools can use them); ``peacekg annotations
validate`` adds what a schema cannot: class-specific fields, keys that resolve, quotes that occur.
"""

from __future__ import annotations

import json
from typing import Any

from kg.annotations import fields as F
from kg.annotations.sections import COVERAGE_IGNORE, DRAFTED_FROM, FILE, MENTION, REVIEW_VALUES
from kg.annotations.values import DATE_PATTERN, KEY_PATTERN, STATEMENT_REF_PATTERN
from kg.annotations.vocabulary import VocabularyIndex

SCHEMA_BASE = "https://w3id.org/peacekg/schema/"


def _one_or_many(item: dict[str, Any]) -> dict[str, Any]:
    return {"oneOf": [item, {"type": "array", "items": item, "minItems": 1}]}


NESTED = {
    "provisions": F.PROVISION,
    "commitments": F.COMMITMENT,
    "violations": F.VIOLATION,
    "roles": F.ROLE,
    "sources": F.SOURCE,
}
KEY = {"type": "string", "pattern": KEY_PATTERN.pattern}
STATEMENT_REF = {"type": "string", "pattern": STATEMENT_REF_PATTERN.pattern}
KEY_OR_LOCAL = {"type": "string", "pattern": f"({KEY_PATTERN.pattern})|({STATEMENT_REF_PATTERN.pattern})"}
DATE = {
    "oneOf": [
        {"type": "string", "pattern": DATE_PATTERN.pattern},
        {"type": "integer"},
        {
            "type": "object",
            "required": ["earliest"],
            "additionalProperties": False,
            "properties": {
                # a year may be written as a number, as at the top level (`date: 2024`)
                "earliest": {"type": ["string", "integer"]},
                "latest": {"type": ["string", "integer"]},
                "precision": {"type": "string"},
                "inferred": {"type": "boolean"},
                "as_written": {"type": "string"},
                "note": {"type": "string"},
            },
        },
    ]
}
IDENTIFIER = {
    "type": "object",
    "required": ["status"],
    "additionalProperties": False,
    "properties": {
        "id": {"type": ["string", "null"]},
        "status": {"enum": ["verified", "unverified"]},
        "checked": {"type": "string"},
        "note": {"type": "string"},
    },
}
DRAFTED_FROM_PROPERTIES = {
    "article": {"type": "string"},
    "quote": {"type": "string", "minLength": 1},
    "occurrence": {"type": "integer", "minimum": 1},
}
QUOTE_OBJECT = {
    "type": "object",
    "required": ["quote"],
    "additionalProperties": False,
    "properties": {
        "quote": {"type": "string", "minLength": 1},
        "occurrence": {"type": "integer", "minimum": 1},
        "prefix": {"type": "string"},
        "suffix": {"type": "string"},
    },
}


def _kind(field: F.Field, vocabulary: VocabularyIndex) -> dict[str, Any]:
    """The JSON Schema of one field's value."""
    kind = field.kind
    if kind in NESTED:
        return {"type": "array", "items": _object(NESTED[kind], vocabulary), "description": field.help}
    if kind in ("concept", "concepts"):
        schemes = [field.scheme] if field.scheme else ["guarantee-kind", "commitment-kind"]
        enum = {"enum": sorted(c for s in schemes for c in vocabulary.schemes.get(s, {}))}
        schema = enum if kind == "concept" else _one_or_many(enum)
    elif kind == "drafted_from":
        schema = _object(DRAFTED_FROM, vocabulary) | {"properties": DRAFTED_FROM_PROPERTIES}
    elif kind == "quantity":
        schema = {
            "oneOf": [
                {"type": "number"},
                {
                    "type": "object",
                    "required": ["unit"],
                    "additionalProperties": False,
                    "properties": {n: {"type": "number"} for n in ("value", "min", "max")}
                    | {
                        "unit": {"enum": sorted(vocabulary.schemes.get("unit", {}))},
                        "qualifier": {"enum": sorted(vocabulary.schemes.get("quantity-qualifier", {}))},
                        "count_of": {"type": "string"},
                    },
                },
            ]
        }
    else:
        schema = {
            "text": {"type": ["string", "number"]},
            "texts": _one_or_many({"type": "string"}),
            "key": KEY_OR_LOCAL if field.name == "target" else KEY,
            "keys": _one_or_many(KEY_OR_LOCAL),
            "statements": _one_or_many(STATEMENT_REF),
            "date": DATE,
            "bool": {"type": "boolean"},
            "quotes": _one_or_many({"oneOf": [{"type": "string", "minLength": 1}, QUOTE_OBJECT]}),
            "identifier": IDENTIFIER,
            "review": {"enum": list(REVIEW_VALUES)},
        }[kind]
    return {**schema, "description": field.help}


def _object(
    fields: tuple[F.Field, ...], vocabulary: VocabularyIndex, extra: dict[str, Any] | None = None
) -> dict[str, Any]:
    properties = {f.name: _kind(f, vocabulary) for f in fields}
    properties.update(extra or {})
    required = sorted(f.name for f in fields if f.required)
    schema: dict[str, Any] = {"type": "object", "additionalProperties": False, "properties": properties}
    if required:
        schema["required"] = required
    return schema


def _all_individual_fields() -> tuple[F.Field, ...]:
    seen: dict[str, F.Field] = {}
    for field in F.INDIVIDUAL + tuple(f for family in F.FAMILY.values() for f in family):
        seen.setdefault(field.name, field)
    return tuple(_optional(f) if f.name not in ("key", "type", "label") else f for f in seen.values())


def _optional(field: F.Field) -> F.Field:
    """The same field, not required (the validator applies class-specific requirements)."""
    return F.Field(field.name, field.kind, field.predicate, field.help, field.scheme, False)


def individual_schema(vocabulary: VocabularyIndex) -> dict[str, Any]:
    schema = _object(_all_individual_fields(), vocabulary)
    schema["properties"]["type"] = {"enum": sorted(vocabulary.classes), "description": "A PeaceKG class."}
    return schema


def statement_schema(vocabulary: VocabularyIndex) -> dict[str, Any]:
    specific = {f.name: f for fields in F.STATEMENT_TYPE.values() for f in fields}
    fields = F.STATEMENT + tuple(_optional(f) for f in specific.values())
    schema = _object(fields, vocabulary)
    schema["properties"]["type"] = {"enum": sorted(F.STATEMENT_TYPE)}
    return schema


def schemas(vocabulary: VocabularyIndex) -> dict[str, dict[str, Any]]:
    """The three JSON Schemas (draft 2020-12): reference file, annotation file, article metadata."""
    dialect = "https://json-schema.org/draft/2020-12/schema"
    mention = _object(MENTION, vocabulary)
    mention["properties"]["occurrence"] = {"oneOf": [{"type": "integer", "minimum": 1}, {"const": "all"}]}
    ignore = _object(COVERAGE_IGNORE, vocabulary)
    ignore["properties"]["text"] = {"type": "string"}
    sections: dict[str, dict[str, Any]] = {
        "mentions": mention,
        "entities": individual_schema(vocabulary),
        "roles": _object(F.ARTICLE_ROLE, vocabulary),
        "statements": statement_schema(vocabulary),
        "coverage_ignore": ignore,
    }
    top: dict[str, Any] = {
        "article": {"type": "string"},
        "review": {"enum": list(REVIEW_VALUES)},
        "annotators": {"type": "array", "items": {"type": "string"}},
        "note": {"type": "string"},
    } | {name: {"type": "array", "items": item} for name, item in sections.items()}
    annotation = {
        "$schema": dialect,
        "$id": SCHEMA_BASE + "annotation.schema.json",
        "title": "PeaceKG annotation file",
        "type": "object",
        "required": sorted(name for name, (required, _) in FILE.items() if required),
        "additionalProperties": False,
        "properties": {name: top[name] | {"description": FILE[name][1]} for name in FILE},
    }
    reference = {
        "$schema": dialect,
        "$id": SCHEMA_BASE + "reference.schema.json",
        "title": "PeaceKG reference file",
        "type": "array",
        "items": individual_schema(vocabulary),
    }
    region = {
        "type": "object",
        "required": ["id", "type", "start", "end"],
        "additionalProperties": False,
        "properties": {
            "id": {"type": "string"},
            "type": {"enum": ["body", "headline", "byline", "reader-comment", "non-article", "duplicate"]},
            "start": {"type": "integer", "minimum": 0},
            "end": {"type": "integer", "minimum": 1},
            "author": {"type": "string"},
            "duplicate_of": {"type": "string"},
        },
    }
    article = {
        "$schema": dialect,
        "$id": SCHEMA_BASE + "article.schema.json",
        "title": "PeaceKG article metadata",
        "type": "object",
        "required": ["id", "title", "genre", "language", "published", "regions"],
        "additionalProperties": False,
        "properties": {
            "id": {"type": "string"},
            "title": {"type": "string"},
            "title_inferred": {"type": "boolean"},
            "outlet": {"type": ["string", "null"]},
            "author": {"type": ["string", "null"]},
            "genre": {"enum": sorted(vocabulary.schemes.get("genre", {}))},
            "language": {"type": "string"},
            "translated": {"type": "boolean"},
            "published": _kind(F.Field("published", "date", None, "Publication date."), vocabulary),
            "regions": {"type": "array", "minItems": 1, "items": region},
            "note": {"type": "string"},
            "sha256": {"type": "string"},
        },
    }
    return {"annotation": annotation, "reference": reference, "article": article}


def schema_json(vocabulary: VocabularyIndex, which: str) -> str:
    return json.dumps(schemas(vocabulary)[which], indent=2, ensure_ascii=False, sort_keys=True) + "\n"
