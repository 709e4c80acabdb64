"""The generated format reference is current, and the generated JSON Schemas accept every real
and fixture file (so editors and other tools can rely on them)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from kg.annotations.format_docs import format_reference
from kg.annotations.schema import schema_json
from kg.annotations.vocabulary import VocabularyIndex

from helpers.paths import DATA, ROOT


@pytest.fixture(scope="module")
def vocabulary(ontology_graph) -> VocabularyIndex:
    return VocabularyIndex.from_graph(ontology_graph)


def test_format_reference_is_up_to_date(vocabulary) -> None:
    committed = (ROOT / "docs" / "annotation-format.md").read_text(encoding="utf-8")
    assert committed == format_reference(vocabulary), "run `make annotation-docs`"


def _plain(value):
    """YAML dates become ISO strings, as JSON has no date type."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _files(kind: str) -> list[Path]:
    corpora = [ROOT / "corpus", DATA / "corpus"]
    if kind == "reference":
        return [
            p for c in corpora for p in sorted((c / "reference").glob("*.yaml")) if p.name != "identifier-checks.yaml"
        ]
    if kind == "article":
        return [p for c in corpora for p in sorted((c / "articles").glob("*.yaml"))]
    return [p for c in corpora for p in sorted((c / "annotations").glob("*.yaml"))]


@pytest.mark.parametrize("kind", ["annotation", "reference", "article"])
def test_schemas_are_valid_and_accept_the_corpus(kind: str, vocabulary) -> None:
    schema = json.loads(schema_json(vocabulary, kind))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for path in _files(kind):
        data = _plain(yaml.safe_load(path.read_text(encoding="utf-8")))
        errors = sorted(validator.iter_errors(data), key=lambda e: list(e.path))
        assert not errors, f"{path}: " + "; ".join(f"{list(e.path)}: {e.message[:200]}" for e in errors[:5])


def test_schema_rejects_an_unknown_stance(vocabulary) -> None:
    schema = json.loads(schema_json(vocabulary, "annotation"))
    bad = {
        "article": "x",
        "review": "reviewed",
        "statements": [
            {"id": "s1", "type": "Claim", "stance": "disapproves", "target": "x", "summary": "s", "evidence": "q"}
        ],
    }
    assert list(jsonschema.Draft202012Validator(schema).iter_errors(bad))
