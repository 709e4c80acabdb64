"""The annotation tooling: a valid fixture corpus loads with every quote resolved exactly; each
kind of bad input is reported with file, line, field and what is wrong — never a traceback."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.annotations.corpus import load_corpus
from kg.annotations.quotes import QuoteError, resolve, resolve_all
from kg.annotations.vocabulary import VocabularyIndex
from kg.cli import cli

from helpers.paths import DATA

FIXTURE = DATA / "corpus"


@pytest.fixture(scope="module")
def vocabulary(ontology_graph) -> VocabularyIndex:
    return VocabularyIndex.from_graph(ontology_graph)


@pytest.fixture()
def corpus_copy(tmp_path: Path) -> Path:
    target = tmp_path / "corpus"
    shutil.copytree(FIXTURE, target)
    return target


def test_fixture_corpus_loads_without_issue(vocabulary) -> None:
    corpus = load_corpus(FIXTURE, vocabulary)
    assert corpus.issues == []
    annotations = corpus.annotations["fx-001"]
    text = corpus.articles["fx-001"].text
    spans = annotations.all_spans()
    assert spans and all(text[s.start : s.end] == s.exact for s in spans)
    # 'Exempla' (occurrence: all) is found twice in annotatable text, and not inside the
    # duplicate region, and not where it is nested in the longer mention 'Ana Exempla'.
    exempla = annotations.spans[("mentions", 1)]
    assert [text[s.start - 5 : s.end] for s in exempla] == ["said Exempla"]


def test_statement_in_a_comment_is_resolved_in_the_comment(vocabulary) -> None:
    corpus = load_corpus(FIXTURE, vocabulary)
    [span] = corpus.annotations["fx-001"].spans[("statements", 2, "evidence", 0)]
    region = corpus.articles["fx-001"].region_at(span.start)
    assert region is not None and region.type == "reader-comment" and region.author == "reader-fx-1"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture changed: {old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


ANNOTATION = "annotations/fx-001.yaml"
CASES = [
    # (file, old, new, expected file, line, field, message fragment)
    (ANNOTATION, "Peace is near]", "Peace is far]", ANNOTATION, 43, "statements[2].evidence[0]", "quote not found"),
    (
        ANNOTATION,
        "{quote: Ana Exempla, ref: ana-exempla}",
        "{quote: Exempla, ref: ana-exempla}",
        ANNOTATION,
        5,
        "mentions[0]",
        "ambiguous",
    ),
    (
        ANNOTATION,
        "{quote: Ruritania, ref: ruritania}",
        "{quote: Ruritania, ref: ruritania, occurrence: 3}",
        ANNOTATION,
        7,
        "mentions[2]",
        "occurrence 3",
    ),
    (
        ANNOTATION,
        "ref: freedonia}",
        "ref: fredonia}",
        ANNOTATION,
        8,
        "mentions[3].ref",
        "unknown individual 'fredonia'",
    ),
    (
        ANNOTATION,
        "stance: criticises",
        "stance: disapproves",
        ANNOTATION,
        24,
        "statements[0].stance",
        "not in the stance scheme",
    ),
    (
        ANNOTATION,
        "{earliest: 2025-03-02, precision: day}",
        "{earliest: 2025-13-02, precision: day}",
        ANNOTATION,
        44,
        "statements[2].date.earliest",
        "unparseable date",
    ),
    (
        ANNOTATION,
        "target: ['#s1']",
        "target: ['#s9']",
        ANNOTATION,
        41,
        "statements[2].target[0]",
        "no statement with id 's9'",
    ),
    (
        ANNOTATION,
        "type: Claim\n    by",
        "type: Rumour\n    by",
        ANNOTATION,
        22,
        "statements[0].type",
        "unknown statement type",
    ),
    (
        ANNOTATION,
        "summary: Exempla calls",
        "sumary: Exempla calls",
        ANNOTATION,
        26,
        "statements[0].sumary",
        "unknown field 'sumary'",
    ),
    (
        ANNOTATION,
        "membership_status: excluded",
        "membership_status: frozen",
        ANNOTATION,
        35,
        "statements[1].provisions[0].membership_status",
        "membership-status scheme",
    ),
    (ANNOTATION, "mentions:\n", "mentions:\n  - {quote: [broken\n", ANNOTATION, 6, "(syntax)", "YAML syntax error"),
    (
        "articles/fx-001.yaml",
        "start: 70, end: 147",
        "start: 60, end: 147",
        "articles/fx-001.yaml",
        12,
        "regions[1]",
        "overlap",
    ),
    (
        "articles/fx-001.yaml",
        "start: 218, end: 248",
        "start: 218, end: 300",
        "articles/fx-001.yaml",
        14,
        "regions[3]",
        "not a range within the text",
    ),
    (
        "articles/fx-001.yaml",
        "duplicate_of: first-sentence",
        "duplicate_of: body",
        "articles/fx-001.yaml",
        13,
        "regions[2]",
        "is not a copy of",
    ),
    (
        "reference/fixture.yaml",
        "commitment: nowhere-non-aggression",
        "commitment: nowhere-peace",
        "reference/fixture.yaml",
        16,
        "[6].violations[0].commitment",
        "unknown individual",
    ),
    (
        "reference/fixture.yaml",
        "{key: freedonia, type: State",
        "{key: ruritania, type: State",
        "reference/fixture.yaml",
        4,
        "[2].key",
        "already defined",
    ),
    (
        "reference/fixture.yaml",
        'status: unverified, checked: "fictional"}',
        "status: verified}",
        "reference/fixture.yaml",
        18,
        "[6].wikidata",
        "where it was checked",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c[6].split()[0] + "-" + c[5] for c in CASES])
def test_bad_input_is_reported_precisely(case, corpus_copy: Path, vocabulary) -> None:
    file, old, new, where, line, field, message = case
    edit(corpus_copy / file, old, new)
    issues = load_corpus(corpus_copy, vocabulary).issues
    matching = [i for i in issues if i.file.endswith(where) and i.field == field and message in i.message]
    assert matching, "\n".join(map(str, issues))
    assert matching[0].line == line, str(matching[0])


def test_non_utf8_annotation_file_is_reported(corpus_copy: Path, vocabulary) -> None:
    (corpus_copy / ANNOTATION).write_bytes("article: fx-001\nreview: reviewed\nnote: caf\xe9\n".encode("latin-1"))
    issues = load_corpus(corpus_copy, vocabulary).issues
    assert any(i.file.endswith(ANNOTATION) and "not UTF-8" in i.message for i in issues)


def test_validate_command_exits_8_with_every_problem(corpus_copy: Path) -> None:
    edit(corpus_copy / ANNOTATION, "ref: freedonia}", "ref: fredonia}")
    edit(corpus_copy / ANNOTATION, "stance: criticises", "stance: disapproves")
    result = CliRunner().invoke(cli, ["annotations", "validate"], env={"PEACEKG_CORPUS_DIR": str(corpus_copy)})
    assert result.exit_code == 8
    assert "2 problem(s)" in result.output and "fredonia" in result.output and "disapproves" in result.output
    assert "Traceback" not in result.output


def test_quote_resolution_rules() -> None:
    text = "US and USA; the US said. Kyiv Independent reports from Kyiv."
    everything = [(0, len(text))]
    assert [s.start for s in resolve_all(text, "US", everything)] == [0, 16]  # not inside "USA"
    with pytest.raises(QuoteError, match="ambiguous"):
        resolve(text, "US", everything)
    assert resolve(text, "US", everything, occurrence=2).start == 7  # plain occurrences count "USA"
    assert resolve(text, "Kyiv", everything, suffix=".").start == 55
    assert resolve(text, "US", everything, prefix="the ").start == 16
    with pytest.raises(QuoteError, match="typographic"):
        resolve("He said “no”.", 'He said "no".', [(0, 13)])
