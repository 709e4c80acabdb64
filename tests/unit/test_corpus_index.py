"""The build's load from its corpus index (kg.builder.corpus_index, kg.builder.facts_index): after
each kind of edit of one file, the problems found across files (keys defined twice, references to
a key or a '<article>#sN' another file removed, reviewed items referring to drafts) are exactly a
clean load's, at the same file and line, though only the edited file is parsed; a damaged index,
one of another loader or vocabulary, or a delta of another base is not trusted."""

from __future__ import annotations

import os
import pickle
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from kg.annotations.check import vocabulary_index
from kg.annotations.corpus import AnnotationError, Corpus, load_corpus
from kg.annotations.review import draft_count
from kg.builder import code, corpus_index, facts_index, parse_ahead, stamps
from kg.builder.corpus_index import Load, load_for_build
from kg.builder.parse_cache import ParseCache
from kg.builder.pipeline import build, code_fingerprint, fingerprints
from kg.builder.sealed import seal, sealed_parts, unseal

from helpers.corpora import make_corpus, settings_for
from helpers.paths import ROOT


def seen(corpus: Corpus) -> tuple:
    """What a build takes from a loaded corpus, comparable across loads."""
    return (
        [str(issue) for issue in corpus.issues],
        corpus.keys,
        list(corpus.articles),
        list(corpus.annotations),
        draft_count(corpus),
        {aid: (a.data, a.doc.lines, a.spans, a.local_references) for aid, a in corpus.annotations.items()},
        {aid: (a.text, a.meta, a.regions) for aid, a in corpus.articles.items()},
        [(i, item) for _doc, i, item in corpus.reference],
    )


def clean(settings) -> Corpus:
    return load_corpus(Path(settings.corpus_dir), vocabulary_index(settings))


def indexed(settings, folder: Path, salt: str = "loader", workers: int = 1) -> Load:
    stamp = stamps.take(settings, "code")
    cache = ParseCache(folder / "parse", salt)
    return load_for_build(Path(settings.corpus_dir), vocabulary_index(settings), stamp, cache, folder, workers)


def edit(corpus: Path, name: str, old: str, new: str) -> None:
    path = corpus / "annotations" / name
    text = path.read_text(encoding="utf-8")
    assert old in text, (name, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# fx-002 refers to fx-001's plan and to fx-001's statement s2: problems appear in fx-002, which
# is not edited, when fx-001 is.
def _refers_across(corpus: Path) -> None:
    edit(corpus, "fx-002.yaml", "target: [lakeside-plan-2]", "target: [lakeside-plan]")
    edit(corpus, "fx-002.yaml", "target: ['#s1']", "target: ['fx-001#s2']")


def _rename(corpus: Path, name: str, old: str, new: str) -> None:
    """The plan a file defines and its statement targets, renamed."""
    edit(corpus, name, f"key: {old}\n", f"key: {new}\n")
    edit(corpus, name, f"target: [{old}]", f"target: [{new}]")


EDITS: dict[str, tuple[Callable[[Path], None], Callable[[Path], None], str]] = {
    # name: (the corpus before, the edit of one file, a problem the edit makes or "" for none)
    "a key defined twice across two articles": (
        lambda c: None,
        lambda c: edit(c, "fx-002.yaml", "key: lakeside-plan-2", "key: lakeside-plan"),
        "key 'lakeside-plan' is already defined in",
    ),
    "a key another file refers to removed": (
        _refers_across,
        lambda c: edit(c, "fx-001.yaml", "key: lakeside-plan\n", "key: lakeside-plan-1\n"),
        "unknown individual 'lakeside-plan'",
    ),
    "a statement another file refers to removed": (
        _refers_across,
        lambda c: edit(c, "fx-001.yaml", "  - id: s2\n", "  - id: s9\n"),
        "no statement with id 's2' in the annotations of article fx-001",
    ),
    "an individual another file refers to made a draft": (
        _refers_across,
        lambda c: edit(c, "fx-001.yaml", "    type: PeacePlan\n", "    type: PeacePlan\n    review: draft\n"),
        "a reviewed item refers to the draft individual 'lakeside-plan'",
    ),
    "a statement another file refers to made a draft": (
        _refers_across,
        lambda c: edit(c, "fx-001.yaml", "    type: Position\n", "    type: Position\n    review: draft\n"),
        "a reviewed item refers to the draft statement 'fx-001#s2'",
    ),
    "the lines of a key defined twice moved": (
        lambda c: edit(c, "fx-002.yaml", "key: lakeside-plan-2", "key: lakeside-plan"),
        lambda c: edit(c, "fx-001.yaml", "article: fx-001\n", "# a\n# b\n# c\narticle: fx-001\n"),
        "fx-001.yaml:14",
    ),
    "a problem across files fixed": (
        lambda c: _rename(c, "fx-002.yaml", "lakeside-plan-2", "lakeside-plan"),
        lambda c: _rename(c, "fx-001.yaml", "lakeside-plan", "lakeside-plan-1"),
        "",
    ),
    "an annotation file another refers to removed": (
        _refers_across,
        lambda c: (c / "annotations" / "fx-001.yaml").unlink(),
        "no annotation file for article 'fx-001'",
    ),
    "an annotation file that does not parse": (
        _refers_across,
        lambda c: edit(c, "fx-001.yaml", "statements:\n", "statements: [\n"),
        "no annotation file for article 'fx-001'",
    ),
    "an article's text that no longer holds a quote": (
        lambda c: None,
        lambda c: (c / "articles" / "fx-002.txt").write_text("Nothing here.\n", encoding="utf-8"),
        "fx-002.yaml",
    ),
}


@pytest.mark.parametrize("name", sorted(EDITS))
def test_an_edit_of_one_file_is_checked_across_files_as_a_clean_load_does(tmp_path: Path, name: str) -> None:
    before, change, problem = EDITS[name]
    corpus = make_corpus(tmp_path, articles=3)
    settings = settings_for(tmp_path, corpus)
    before(corpus)
    first = indexed(settings, tmp_path / "cache")
    assert first.index == "rebased" and seen(first.corpus) == seen(clean(settings))
    change(corpus)
    again = indexed(settings, tmp_path / "cache")
    expected = seen(clean(settings))
    assert seen(again.corpus) == expected
    assert again.parsed <= 2 and again.indexed >= 4  # the edited file (and its article) parsed, not the rest
    issues = expected[0]
    assert any(problem in issue for issue in issues) if problem else not issues, issues
    third = indexed(settings, tmp_path / "cache")  # from the delta the second load wrote
    assert third.index == "used" and third.parsed == third.cached == 0 and seen(third.corpus) == expected


@pytest.mark.parametrize("name", sorted(EDITS))
def test_files_parsed_ahead_in_workers_load_as_a_clean_load_does(
    tmp_path: Path, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """kg.builder.parse_ahead (forced on three articles): the workers parse every file, this
    process none, and the corpus and its problems are a clean load's; after an edit too."""
    monkeypatch.setattr(parse_ahead, "MIN_FILES", 1)
    here: list[str] = []  # parses in this process (the workers' own lists are theirs)
    for parse in ("parse_article", "parse_annotation_file"):
        real = getattr(corpus_index, parse)
        monkeypatch.setattr(corpus_index, parse, lambda *a, real=real, parse=parse: here.append(parse) or real(*a))
    before, change, _problem = EDITS[name]
    corpus = make_corpus(tmp_path, articles=3)
    settings = settings_for(tmp_path, corpus)
    before(corpus)
    first = indexed(settings, tmp_path / "cache", workers=2)
    assert first.parsed == first.ahead == 6 and first.cached == 0 and here == []
    assert "6 parsed (6 in worker processes)" in first.summary()[0]
    assert seen(first.corpus) == seen(clean(settings))
    change(corpus)
    again = indexed(settings, tmp_path / "cache", workers=2)
    assert seen(again.corpus) == seen(clean(settings)) and here == []


def test_only_the_files_a_build_maps_are_read_from_the_parse_cache(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path, articles=3)
    settings = settings_for(tmp_path, corpus)
    indexed(settings, tmp_path / "cache")
    edit(corpus, "fx-002.yaml", "summary: Exempla", "summary: Ana Exempla")
    cache = ParseCache(tmp_path / "cache" / "parse", "loader")
    load = load_for_build(corpus, vocabulary_index(settings), stamps.take(settings, "code"), cache, tmp_path / "cache")
    # read: the reference data, and the edited file's article (its quotes resolve against it)
    assert (load.parsed, load.cached, load.indexed) == (1, 0, 5) and cache.hits == 2
    assert load.corpus.annotations["fx-001"].data == clean(settings).annotations["fx-001"].data  # read on demand
    assert cache.hits == 3


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])


def _flip_a_byte(path: Path) -> None:
    blob = bytearray(path.read_bytes())
    blob[len(blob) // 2] ^= 0xFF
    path.write_bytes(bytes(blob))


def _wrong_hash(path: Path) -> None:
    """Sealed again over other content: the payload is whole but not what was written."""
    data = unseal(path.read_bytes())
    assert data is not None
    path.write_bytes(data[:-1] + b"!" + sealed_parts(data)[1])


def _older_version(path: Path) -> None:
    """Whole and sealed, but of another format version."""
    data = unseal(path.read_bytes())
    assert data is not None
    fields = pickle.loads(data)
    path.write_bytes(seal(pickle.dumps((fields[0] - 1, *fields[1:]))))


DAMAGE = {
    "truncated": _truncate,
    "flipped byte": _flip_a_byte,
    "wrong hash": _wrong_hash,
    "older format": _older_version,
}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_a_damaged_index_is_not_used_and_is_rebuilt(tmp_path: Path, damage: str) -> None:
    corpus = make_corpus(tmp_path, articles=3)
    settings = settings_for(tmp_path, corpus)
    _refers_across(corpus)
    indexed(settings, tmp_path / "cache")
    edit(corpus, "fx-001.yaml", "key: lakeside-plan\n", "key: lakeside-plan-1\n")
    DAMAGE[damage](tmp_path / "cache" / facts_index.BASE)
    load = indexed(settings, tmp_path / "cache")
    assert load.indexed == 0 and load.index == "rebased"  # every file's facts from its parse-cache entry
    assert seen(load.corpus) == seen(clean(settings))
    assert indexed(settings, tmp_path / "cache").indexed == 6


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_a_damaged_delta_is_not_used(tmp_path: Path, damage: str) -> None:
    corpus = make_corpus(tmp_path, articles=3)
    settings = settings_for(tmp_path, corpus)
    _refers_across(corpus)
    indexed(settings, tmp_path / "cache")
    edit(corpus, "fx-001.yaml", "  - id: s2\n", "  - id: s9\n")
    assert indexed(settings, tmp_path / "cache").index == "updated"
    DAMAGE[damage](tmp_path / "cache" / facts_index.DELTA)
    load = indexed(settings, tmp_path / "cache")
    assert (load.indexed, load.cached) == (5, 1)  # the edited file's facts from its cache entry, not the delta
    assert seen(load.corpus) == seen(clean(settings))


def test_an_index_of_another_loader_or_vocabulary_is_not_trusted(tmp_path: Path) -> None:
    """An index (or parse-cache entry) made by other code, even whole and at its name: its facts
    were made by that code."""
    corpus = make_corpus(tmp_path, articles=3)
    settings = settings_for(tmp_path, corpus)
    indexed(settings, tmp_path / "cache", salt="old-code")
    edit(corpus, "fx-002.yaml", "key: lakeside-plan-2", "key: lakeside-plan")
    load = indexed(settings, tmp_path / "cache", salt="new-code")
    assert load.indexed == load.cached == 0 and load.parsed == 6 and load.index == "rebased"
    assert seen(load.corpus) == seen(clean(settings))


def test_a_delta_of_another_base_is_not_applied(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path, articles=3)
    settings = settings_for(tmp_path, corpus)
    _refers_across(corpus)
    folder = tmp_path / "cache"
    indexed(settings, folder)
    edit(corpus, "fx-001.yaml", "  - id: s2\n", "  - id: s9\n")
    indexed(settings, folder)
    delta = (folder / facts_index.DELTA).read_bytes()
    (folder / facts_index.BASE).unlink()
    indexed(settings, folder)  # a new base (another generation); its delta removed
    edit(corpus, "fx-001.yaml", "  - id: s9\n", "  - id: s2\n")
    (folder / facts_index.DELTA).write_bytes(delta)  # the old base's delta, whole and sealed
    load = indexed(settings, folder)
    assert load.indexed == 5 and load.cached == 1  # fx-001's facts are not the old delta's
    assert seen(load.corpus) == seen(clean(settings)) and not load.corpus.issues


def test_a_removed_parse_cache_entry_is_parsed_again_when_read(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path, articles=2)
    settings = settings_for(tmp_path, corpus)
    indexed(settings, tmp_path / "cache")
    for entry in (tmp_path / "cache" / "parse").rglob("*.entry"):
        _flip_a_byte(entry)
    load = indexed(settings, tmp_path / "cache")
    assert load.indexed == 4 and seen(load.corpus) == seen(clean(settings))  # read (and parsed) on demand


def test_a_delta_grows_until_the_base_is_rewritten(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(facts_index, "MIN_DELTA", 1)
    monkeypatch.setattr(facts_index, "REBASE", 0.0)
    corpus = make_corpus(tmp_path, articles=3)
    settings = settings_for(tmp_path, corpus)
    indexed(settings, tmp_path / "cache")
    edit(corpus, "fx-002.yaml", "summary: Exempla", "summary: Ana Exempla")
    assert indexed(settings, tmp_path / "cache").index == "updated"
    edit(corpus, "fx-003.yaml", "summary: Exempla", "summary: Ana Exempla")
    assert indexed(settings, tmp_path / "cache").index == "rebased"  # two files changed since the base
    assert not (tmp_path / "cache" / facts_index.DELTA).exists()
    load = indexed(settings, tmp_path / "cache")
    assert load.index == "used" and seen(load.corpus) == seen(clean(settings))


def test_fingerprints_from_the_stamp_are_those_of_the_files(tmp_path: Path) -> None:
    """The build's fingerprints take each file's hash from the stamp instead of reading it again."""
    corpus = make_corpus(tmp_path, articles=3)
    settings = settings_for(tmp_path, corpus)
    stamp = stamps.take(settings, code_fingerprint())
    load = indexed(settings, tmp_path / "cache")
    assert fingerprints(settings, load.corpus, stamp) == fingerprints(settings, clean(settings))


def test_a_build_after_a_cross_file_edit_reports_what_a_clean_load_reports(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path, articles=3)
    settings = settings_for(tmp_path, corpus)
    _refers_across(corpus)
    build(settings)
    edit(corpus, "fx-001.yaml", "  - id: s2\n", "  - id: s9\n")
    lines: list[str] = []
    with pytest.raises(AnnotationError) as raised:
        build(settings, lines.append)
    assert raised.value.details == [str(i) for i in clean(settings).issues]
    assert "parse cache: 5 file(s) unchanged, 1 parsed" in lines


def test_the_code_fingerprint_is_computed_again_only_when_a_source_file_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "kg"
    shutil.copytree(ROOT / "kg", copy, ignore=shutil.ignore_patterns("__pycache__"))
    for source in copy.rglob("*.py"):
        os.utime(source, ns=(0, 0))  # long before any stamp: not racy
    monkeypatch.setattr(code, "PACKAGE_DIR", copy)
    settings = settings_for(tmp_path, make_corpus(tmp_path))
    calls: list[str] = []

    def fingerprint() -> str:
        calls.append("walked")
        return code_fingerprint()

    first = stamps.take(settings, fingerprint)
    second = stamps.take(settings, fingerprint, first)
    assert len(calls) == 1 and second.context["code"] == first.context["code"]
    quotes = copy / "annotations" / "quotes.py"
    quotes.write_text(quotes.read_text(encoding="utf-8") + "\n# a fix\n", encoding="utf-8")
    os.utime(quotes, ns=(0, 0))  # the same time as before: the size tells
    third = stamps.take(settings, fingerprint, second)
    assert len(calls) == 2 and third.context["code"] != first.context["code"]
    quotes.write_text(quotes.read_text(encoding="utf-8").replace("# a fix", "# a fiX"), encoding="utf-8")
    fourth = stamps.take(settings, fingerprint, third)  # same size, new time
    assert len(calls) == 3 and fourth.context["code"] != third.context["code"]
