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
METADATA = "articles/fx-001.yaml"
RURITANIA = "{key: ruritania, type: State, label: Ruritania}"  # line 3, entry [1] of the reference file
PACT = "{key: northern-pact, type: MilitaryAlliance, label: Northern Pact}"
GAZETTE = "{key: fictional-gazette, type: MediaOutlet, label: The Fictional Gazette}"


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
    edit(corpus_copy / ANNOTATION, "  - id: s2\n", "  - id: s2\n    review: reviewed\n")
    corpus = load_corpus(corpus_copy, vocabulary)
    assert corpus.issues == []
    data = corpus.annotations["fx-001"].data
    default = file_default(data)
    assert default == "draft"
    assert [is_draft(s, default) for s in data["statements"]] == [True, False, True]
    assert all(is_draft(m, default) for m in data["mentions"])


DRAFTED = "- {key: drafted-place, type: State, label: Drafted Place, review: draft, drafted_from: {article: fx-001, quote: Freedonia, occurrence: 1}}\n"


def test_a_drafted_reference_entry_is_accepted_and_schema_valid(corpus_copy: Path, vocabulary) -> None:
    (corpus_copy / REFERENCE).write_text((corpus_copy / REFERENCE).read_text(encoding="utf-8") + DRAFTED)
    corpus = load_corpus(corpus_copy, vocabulary)
    assert corpus.issues == []
    entry = next(item for _doc, _i, item in corpus.reference if item["key"] == "drafted-place")
    assert is_draft(entry) and entry["drafted_from"]["article"] == "fx-001"
    schema = schemas(vocabulary)["reference"]
    assert not list(jsonschema.Draft202012Validator(schema).iter_errors([entry]))
    wrong = {**entry, "drafted_from": {"article": "fx-001", "quote": "Freedonia", "occurrence": 0}}
    assert list(jsonschema.Draft202012Validator(schema).iter_errors([wrong]))


# A reviewed item that refers to a draft: (name, edits, [(file, text of the line, field, draft named)]).
REVIEWED_REFERS_TO_DRAFT = [
    (
        "statement-targets-a-draft-entity",
        [(ANNOTATION, "  - key: lakeside-plan\n", "  - key: lakeside-plan\n    review: draft\n")],
        [(ANNOTATION, "target: [lakeside-plan]", "statements[0].target[0]", "individual 'lakeside-plan'")],
    ),
    (
        "statement-targets-a-draft-statement",
        [(ANNOTATION, "  - id: s1\n", "  - id: s1\n    review: draft\n")],
        [(ANNOTATION, "target: ['#s1']", "statements[2].target[0]", "statement 'fx-001#s1'")],
    ),
    (
        "mention-and-provision-name-a-draft-reference-entry",
        [(REFERENCE, PACT, PACT[:-1] + ", review: draft}")],
        [
            (ANNOTATION, "{quote: Northern Pact, ref: northern-pact}", "mentions[4].ref", "individual 'northern-pact'"),
            (
                ANNOTATION,
                "alliance: northern-pact",
                "statements[1].provisions[0].alliance",
                "individual 'northern-pact'",
            ),
        ],
    ),
    (
        "article-metadata-names-a-draft-outlet",
        [(REFERENCE, GAZETTE, GAZETTE[:-1] + ", review: draft}")],
        [(METADATA, "outlet: fictional-gazette", "outlet", "individual 'fictional-gazette'")],
    ),
    (
        "a-draft-may-refer-to-a-draft",
        [
            (ANNOTATION, "  - key: lakeside-plan\n", "  - key: lakeside-plan\n    review: draft\n"),
            (ANNOTATION, "  - id: s1\n", "  - id: s1\n    review: draft\n"),
            (ANNOTATION, "  - id: s3\n", "  - id: s3\n    review: draft\n"),
        ],
        [],
    ),
]


@pytest.mark.parametrize("case", REVIEWED_REFERS_TO_DRAFT, ids=[c[0] for c in REVIEWED_REFERS_TO_DRAFT])
def test_a_reviewed_item_may_not_refer_to_a_draft(case, corpus_copy: Path, vocabulary) -> None:
    _name, edits, expected = case
    for file, old, new in edits:
        edit(corpus_copy / file, old, new)
    issues = [i for i in load_corpus(corpus_copy, vocabulary).issues if "refers to the draft" in i.message]
    lines = {f: (corpus_copy / f).read_text(encoding="utf-8").splitlines() for f in (ANNOTATION, REFERENCE, METADATA)}
    wanted = {
        (f, next(n for n, text in enumerate(lines[f], 1) if needle in text), field): named
        for f, needle, field, named in expected
    }
    found = {(next(f for f in lines if i.file.endswith(f)), i.line, i.field): i.message for i in issues}
    assert sorted(found) == sorted(wanted), "\n".join(map(str, issues))
    for where, named in wanted.items():
        assert named in found[where] and f"review {named.split()[-1].strip(chr(39))} first" in found[where]


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


# the drafter's mark on a text ("DRAFT: …", kg.annotations.review.DRAFT_MARK): (name, old, new, field)
DRAFTED_TEXTS = [
    (
        "summary",
        "summary: Exempla calls the Lakeside Plan a trap.",
        "summary: 'DRAFT: Exempla calls the Lakeside Plan a trap.'",
        "statements[0].summary",
    ),
    ("entity-label", "    label: Lakeside Plan\n", "    label: 'DRAFT: Lakeside Plan'\n", "entities[0].label"),
]


@pytest.mark.parametrize("case", DRAFTED_TEXTS, ids=[c[0] for c in DRAFTED_TEXTS])
def test_a_reviewed_item_may_not_keep_the_drafters_text(case, corpus_copy: Path, vocabulary) -> None:
    _name, old, new, field = case
    edit(corpus_copy / ANNOTATION, old, new)
    issues = load_corpus(corpus_copy, vocabulary).issues
    hits = [i for i in issues if i.field == field and "drafter's text" in i.message]
    assert [i.file.endswith(ANNOTATION) for i in hits] == [True], "\n".join(map(str, issues))
    lines = (corpus_copy / ANNOTATION).read_text(encoding="utf-8").splitlines()
    assert hits[0].line == next(n for n, text in enumerate(lines, 1) if new.strip() in text)
    # the same text in a draft is what a draft looks like: no issue
    edit(corpus_copy / ANNOTATION, "review: reviewed", "review: draft")
    assert not [i for i in load_corpus(corpus_copy, vocabulary).issues if "drafter's text" in i.message]
