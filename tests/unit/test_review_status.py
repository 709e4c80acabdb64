"""Review status (docs/annotation-format.md, "Review status"): the format — a file default and
per-item overrides, the renamed top-level key, reference entries drafted from an article — each
bad value reported with file, line and field."""

from __future__ import annotations

import shutil
from pathlib import Path

import jsonschema
import pytest

from kg.annotations.corpus import load_corpus
from kg.annotations.review import file_default, is_draft
from kg.annotations.schema import schemas
from kg.annotations.vocabulary import VocabularyIndex

from helpers.paths import DATA

ANNOTATION = "annotations/fx-001.yaml"
REFERENCE = "reference/fixture.yaml"
RURITANIA = "{key: ruritania, type: State, label: Ruritania}"  # line 3, entry [1] of the reference file


@pytest.fixture(scope="module")
def vocabulary(ontology_graph) -> VocabularyIndex:
    return VocabularyIndex.from_graph(ontology_graph)


@pytest.fixture()
def corpus_copy(tmp_path: Path) -> Path:
    target = tmp_path / "corpus"
    shutil.copytree(DATA / "corpus", target)
    return target


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture changed: {old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# (name, file, old, new, line, field, message fragment); lines are those of the fixture files
FORMAT_ERRORS = [
    ("old-status-key", ANNOTATION, "review: reviewed", "status: unreviewed", 2, "status", "renamed to 'review'"),
    ("bad-file-review", ANNOTATION, "review: reviewed", "review: unreviewed", 2, "review", "'reviewed' or 'draft'"),
    (
        "bad-item-review",
        ANNOTATION,
        "{quote: Ruritania, ref: ruritania}",
        "{quote: Ruritania, ref: ruritania, review: maybe}",
        7,
        "mentions[2].review",
        "'reviewed' or 'draft'",
    ),
    (
        "drafted-from-unknown-article",
        REFERENCE,
        RURITANIA,
        RURITANIA[:-1] + ", review: draft, drafted_from: {article: fx-999, quote: Ruritania}}",
        3,
        "[1].drafted_from.article",
        "no corpus article 'fx-999'",
    ),
    (
        "drafted-from-quote-not-in-article",
        REFERENCE,
        RURITANIA,
        RURITANIA[:-1] + ", review: draft, drafted_from: {article: fx-001, quote: Ruritanya}}",
        3,
        "[1].drafted_from.quote",
        "quote not found",
    ),
    (
        "drafted-from-in-an-annotation-entity",
        ANNOTATION,
        "    label: Lakeside Plan\n",
        "    label: Lakeside Plan\n    drafted_from: {article: fx-001, quote: Lakeside Plan}\n",
        14,
        "entities[0].drafted_from",
        "unknown field 'drafted_from'",
    ),
]


@pytest.mark.parametrize("case", FORMAT_ERRORS, ids=[c[0] for c in FORMAT_ERRORS])
def test_bad_review_values_are_reported_where_they_are(case, corpus_copy: Path, vocabulary) -> None:
    _name, file, old, new, line, field, message = case
    edit(corpus_copy / file, old, new)
    issues = load_corpus(corpus_copy, vocabulary).issues
    hits = [i for i in issues if i.file.endswith(file) and i.field == field and message in i.message]
    assert hits, "\n".join(map(str, issues))
    assert hits[0].line == line, str(hits[0])


def test_item_review_overrides_the_file_default(corpus_copy: Path, vocabulary) -> None:
    edit(corpus_copy / ANNOTATION, "review: reviewed", "review: draft")
    edit(corpus_copy / ANNOTATION, "  - id: s1\n", "  - id: s1\n    review: reviewed\n")
    corpus = load_corpus(corpus_copy, vocabulary)
    assert corpus.issues == [] or all("draft" in i.message for i in corpus.issues)
    data = corpus.annotations["fx-001"].data
    default = file_default(data)
    assert default == "draft"
    assert [is_draft(s, default) for s in data["statements"]] == [False, True, True]
    assert all(is_draft(m, default) for m in data["mentions"])


def test_a_drafted_reference_entry_is_accepted_and_schema_valid(corpus_copy: Path, vocabulary) -> None:
    drafted = ", review: draft, drafted_from: {article: fx-001, quote: Ruritania, occurrence: 1}}"
    edit(corpus_copy / REFERENCE, RURITANIA, RURITANIA[:-1] + drafted)
    corpus = load_corpus(corpus_copy, vocabulary)
    entry = next(item for _doc, _i, item in corpus.reference if item["key"] == "ruritania")
    assert is_draft(entry) and entry["drafted_from"]["article"] == "fx-001"
    assert not [i for i in corpus.issues if i.file.endswith(REFERENCE)], corpus.issues
    schema = schemas(vocabulary)["reference"]
    assert not list(jsonschema.Draft202012Validator(schema).iter_errors([entry]))
    wrong = {**entry, "drafted_from": {"article": "fx-001", "quote": "Ruritania", "occurrence": 0}}
    assert list(jsonschema.Draft202012Validator(schema).iter_errors([wrong]))


@pytest.mark.parametrize(
    "document, valid",
    [
        ({"article": "x", "review": "draft", "mentions": [{"quote": "A", "ref": "a", "review": "reviewed"}]}, True),
        ({"article": "x", "review": "reviewed", "statements": []}, True),
        ({"article": "x", "status": "reviewed"}, False),
        ({"article": "x", "review": "unreviewed"}, False),
        ({"article": "x", "review": "draft", "coverage_ignore": [{"text": "A", "reason": "r", "review": "no"}]}, False),
    ],
)
def test_the_annotation_schema_knows_the_review_key(document, valid, vocabulary) -> None:
    errors = list(jsonschema.Draft202012Validator(schemas(vocabulary)["annotation"]).iter_errors(document))
    assert (not errors) == valid, errors
