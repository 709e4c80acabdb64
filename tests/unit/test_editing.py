"""Editing the corpus's YAML for the review app (kg.annotations.editing) and saving it
(kg.annotations.saving): byte-for-byte round trips, quotes and occurrences computed from offsets
exactly as validation resolves them, accept/edit/reject keeping comments and order, reference
entries added/accepted/removed as text, and saves that are conditional, validated and atomic."""

from __future__ import annotations

import difflib
import re
from pathlib import Path

import pytest

from kg.annotations.articles import Article, load_articles
from kg.annotations.check import vocabulary_index
from kg.annotations.corpus import load_corpus
from kg.annotations.editing import (
    AnnotationEdit,
    EditError,
    accept_reference_entry,
    append_reference_entry,
    new_reference_entry,
    quote_spec,
    reference_file_for,
    remove_reference_entry,
)
from kg.annotations.quotes import resolve
from kg.annotations.saving import InvalidEditError, PendingWrite, StaleFileError, check_corpus, save_edits
from kg.annotations.vocabulary import VocabularyIndex
from kg.settings import load_settings

from helpers.corpora import make_corpus
from helpers.paths import ROOT

COMMENTED = "# reviewed by hand\n"  # a comment put into the fixture file; every edit must keep it


@pytest.fixture(scope="module")
def vocabulary() -> VocabularyIndex:
    return vocabulary_index(load_settings(None, environ={}, overrides={"ontology_dir": ROOT / "ontology"}))


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    corpus = make_corpus(tmp_path, articles=1)
    path = corpus / "annotations" / "fx-001.yaml"
    text = path.read_text(encoding="utf-8").replace("mentions:\n", "mentions:\n  " + COMMENTED, 1)
    path.write_text(text.replace("statements:\n", "statements:\n  # the minister's words\n", 1), encoding="utf-8")
    return corpus


@pytest.fixture()
def article(corpus: Path, vocabulary: VocabularyIndex) -> Article:
    return load_articles(corpus / "articles", vocabulary, [], [])["fx-001"]


def changed_lines(before: str, after: str) -> list[str]:
    return [
        line
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


@pytest.mark.parametrize(
    "path",
    sorted((ROOT / "corpus" / "annotations").glob("*.yaml")) + [ROOT / "tests/data/corpus/annotations/fx-001.yaml"],
)
def test_round_trip_is_byte_for_byte(path: Path) -> None:
    assert AnnotationEdit.open(path).text() == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("word", ["Ana Exempla", "Exempla", "Lakeside Plan", "Peace is near", "Ruritania", "a"])
def test_every_occurrence_resolves_back_to_its_offsets(article: Article, word: str) -> None:
    starts = [m.start() for m in re.finditer(re.escape(word), article.text)]
    annotatable = [s for s in starts if any(lo <= s and s + len(word) <= hi for lo, hi in article.windows)]
    assert annotatable
    for start in annotatable:
        spec = quote_spec(article, start, start + len(word))
        assert spec["quote"] == word
        assert ("occurrence" in spec) is (len(annotatable) > 1)
        span = resolve(article.text, word, article.windows, occurrence=spec.get("occurrence"))
        assert (span.start, span.end) == (start, start + len(word))


def test_selection_is_trimmed_and_must_be_annotatable(article: Article) -> None:
    start = article.text.index("Ruritania demands")
    assert quote_spec(article, start - 1, start + len("Ruritania") + 1) == {"quote": "Ruritania"}
    duplicate = article.text.index("Minister Ana Exempla", 100)  # the copy in the duplicate region
    with pytest.raises(EditError, match="duplicate region 'body-copy'"):
        quote_spec(article, duplicate, duplicate + 8)
    with pytest.raises(EditError, match="white space"):
        quote_spec(article, start - 1, start)
    with pytest.raises(EditError, match="not a range"):
        quote_spec(article, 10, 5000)


def test_accept_edit_reject_keep_comments_and_order(corpus: Path, article: Article) -> None:
    path = corpus / "annotations" / "fx-001.yaml"
    before = path.read_text(encoding="utf-8")
    edit = AnnotationEdit.open(path)
    edit.accept("statements", 0)
    edit.edit("statements", 2, {"stance": "doubts", "modality": "probable"})
    edit.reject("mentions", 3)  # Freedonia
    start = article.text.index("Lakeside Plan")
    assert edit.add_mention(article, start, start + len("Lakeside Plan"), "lakeside-plan") == 4
    after = edit.text()
    assert COMMENTED.strip() in after and "# the minister's words" in after
    assert changed_lines(before, after) == [
        "-  - {quote: Freedonia, ref: freedonia}",
        "+  - {quote: Lakeside Plan, ref: lakeside-plan}",  # its copy in the duplicate region does not count
        "+    review: reviewed",
        "-    stance: predicts",
        "+    stance: doubts",
        "+    modality: probable",
    ]


def test_add_statement_numbers_it_and_computes_the_evidence(corpus: Path, article: Article) -> None:
    edit = AnnotationEdit.open(corpus / "annotations" / "fx-001.yaml")
    start = article.text.index("Peace is near")
    index = edit.add_statement(
        article, start, start + 13, {"type": "Claim", "stance": "predicts", "target": ["lakeside-plan"], "summary": "x"}
    )
    assert changed_lines((corpus / "annotations" / "fx-001.yaml").read_text(encoding="utf-8"), edit.text()) == [
        "+  - id: s4",
        "+    type: Claim",
        "+    stance: predicts",
        "+    target: [lakeside-plan]",
        "+    summary: x",
        "+    evidence: [Peace is near]",
    ]
    assert index == 3
    with pytest.raises(EditError, match="no item 7"):
        edit.accept("statements", 7)
    with pytest.raises(EditError, match="unknown section"):
        edit.accept("articles", 0)


@pytest.mark.parametrize(
    ("klass", "file"),
    [
        ("Person", "people.yaml"),
        ("State", "states-and-places.yaml"),
        ("City", "states-and-places.yaml"),
        ("MediaOutlet", "organisations.yaml"),
        ("Summit", "events.yaml"),
        ("PeaceTreaty", "agreements.yaml"),
        ("PeacePlan", "discussed.yaml"),
    ],
)
def test_reference_file_for(vocabulary: VocabularyIndex, klass: str, file: str) -> None:
    assert reference_file_for(klass, vocabulary) == file


@pytest.mark.parametrize("path", sorted((ROOT / "corpus" / "reference").glob("*.yaml")), ids=lambda p: p.name)
def test_reference_entries_are_added_accepted_and_removed_as_text(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    entry = new_reference_entry(
        key="test-entry", klass="Person", label="Test Entry", aliases=["T. Entry"], wikidata="Q1", review="draft"
    )
    added = append_reference_entry(text, entry)
    assert added.startswith(text.rstrip("\n")) and "  review: draft\n" in added
    assert "  wikidata:\n    id: Q1\n    status: unverified\n" in added
    accepted = accept_reference_entry(added, "test-entry")
    assert changed_lines(added, accepted) == ["-  review: draft"]
    assert remove_reference_entry(accepted, "test-entry") == text.rstrip("\n") + "\n"
    first = re.search(r"^- key: ([a-z0-9-]+)", text, re.M)
    if first:  # removing an entry in the middle removes its lines and nothing else
        removed = remove_reference_entry(text, first.group(1))
        assert all(line.startswith("-") for line in changed_lines(text, removed))
        assert f"key: {first.group(1)}\n" not in removed


def test_new_reference_entry_checks_its_key_and_label() -> None:
    with pytest.raises(EditError, match="lower-case"):
        new_reference_entry(key="Bad Key", klass="Person", label="x")
    with pytest.raises(EditError, match="label"):
        new_reference_entry(key="ok", klass="Person", label=" ")


def test_save_validates_and_writes(corpus: Path, article: Article, vocabulary: VocabularyIndex) -> None:
    path = corpus / "annotations" / "fx-001.yaml"
    ref = corpus / "reference" / "people.yaml"
    edit = AnnotationEdit.open(path)
    start = article.text.index("a reader")
    entry = new_reference_entry(
        key="a-reader", klass="Person", label="A reader", drafted_from={"article": "fx-001", "quote": "a reader"}
    )
    edit.add_mention(article, start, start + 8, "a-reader")
    outcome = save_edits(
        corpus,
        [PendingWrite(path, edit.version, edit.text()), PendingWrite(ref, "", append_reference_entry("", entry))],
        vocabulary,
    )
    assert outcome.check.errors == []
    assert check_corpus(load_corpus(corpus, vocabulary), vocabulary).errors == []
    assert "- key: a-reader\n" in ref.read_text(encoding="utf-8")
    assert AnnotationEdit.open(path).version == outcome.versions[path]


def test_stale_save_is_refused_and_writes_nothing(corpus: Path, vocabulary: VocabularyIndex) -> None:
    path = corpus / "annotations" / "fx-001.yaml"
    first, second = AnnotationEdit.open(path), AnnotationEdit.open(path)  # two tabs
    first.accept("statements", 0)
    save_edits(corpus, [PendingWrite(path, first.version, first.text())], vocabulary)
    saved = path.read_bytes()
    second.reject("statements", 1)
    with pytest.raises(StaleFileError, match="changed on disk"):
        save_edits(corpus, [PendingWrite(path, second.version, second.text())], vocabulary)
    assert path.read_bytes() == saved


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda e: e.edit("statements", 0, {"stance": "adores"}), "not in the stance scheme"),
        (lambda e: e.edit("statements", 0, {"target": ["no-such-key"]}), "no-such-key"),
        (lambda e: e.reject("statements", 0), "no statement with id 's1'"),  # s3 targets '#s1'
        (lambda e: e.edit("mentions", 0, {"quote": "Ana  Exempla"}), "quote not found"),
        (lambda e: e.edit("entities", 0, {"review": "draft"}), "review lakeside-plan first"),  # s1 targets it
    ],
)
def test_invalid_save_is_refused_with_the_reasons(
    corpus: Path, vocabulary: VocabularyIndex, change, message: str
) -> None:
    path = corpus / "annotations" / "fx-001.yaml"
    before = path.read_bytes()
    edit = AnnotationEdit.open(path)
    change(edit)
    with pytest.raises(InvalidEditError) as raised:
        save_edits(corpus, [PendingWrite(path, edit.version, edit.text())], vocabulary)
    assert any(message in i.message and i.file.endswith("fx-001.yaml") and i.line > 1 for i in raised.value.issues)
    assert not any(
        "peacekg-review-" in str(i) for i in raised.value.issues
    )  # named as the corpus's files, not the check's copy
    assert path.read_bytes() == before


def test_malformed_file_cannot_be_opened_for_editing(corpus: Path) -> None:
    path = corpus / "annotations" / "fx-001.yaml"
    path.write_text("article: fx-001\nmentions: [unclosed\n", encoding="utf-8")
    with pytest.raises(Exception, match="YAML syntax error") as raised:
        AnnotationEdit.open(path)
    assert getattr(raised.value, "line", None) == 3


def test_writes_outside_the_corpus_are_refused(corpus: Path, tmp_path: Path, vocabulary: VocabularyIndex) -> None:
    with pytest.raises(EditError, match="not a reference or annotation file"):
        save_edits(corpus, [PendingWrite(tmp_path / "elsewhere.yaml", "", "x: 1\n")], vocabulary)


def test_accepting_takes_the_drafters_mark_off_the_texts_it_endorses(corpus: Path, vocabulary) -> None:
    path = corpus / "annotations" / "fx-001.yaml"
    text = path.read_text(encoding="utf-8")
    summary = "Exempla calls the Lakeside Plan a trap."
    text = text.replace(f"summary: {summary}", f"summary: 'DRAFT: {summary}'", 1)
    text = text.replace("text: Freedonia stays out of the Northern Pact,", "text: 'DRAFT: Freedonia stays out',", 1)
    text = text.replace("review: reviewed", "review: draft", 1)
    path.write_text(text, encoding="utf-8")
    edit = AnnotationEdit.open(path)
    edit.accept("statements", 0)
    edit.accept("statements", 1)  # the mark of a nested text (a provision's) comes off too
    after = edit.text()
    assert "DRAFT:" not in after
    assert f"summary: '{summary}'" in after  # the text keeps its quoting style
    path.write_text(after, encoding="utf-8")
    assert not [i for i in load_corpus(corpus, vocabulary).issues if "drafter's text" in i.message]
