"""Incremental builds: the parse cache (a damaged, wrong or stale entry is discarded and the file
parsed again, never trusted), the input stamp that answers "nothing changed" without reading the
corpus, and what is rebuilt after which edit. No timing assertions: what is re-read and rebuilt is
counted instead."""

from __future__ import annotations

import os
import pickle
import time
from pathlib import Path

import pytest

from kg.annotations.check import vocabulary_index
from kg.annotations.corpus import Corpus, load_corpus
from kg.builder import buckets, data_checks, dred, incremental, stamps
from kg.builder.parse_cache import MAGIC, ParseCache, decode_entry, encode_entry
from kg.builder.pipeline import build
from kg.store.builds import current_build, open_store

from helpers.corpora import make_corpus, settings_for

BASE = "https://w3id.org/peacekg/"
PK = "https://w3id.org/peacekg/ontology/"


def described(corpus: Corpus) -> tuple:
    """What a build takes from a loaded corpus, comparable across loads."""
    annotations = {
        aid: (a.data, sorted(a.doc.lines.items(), key=str), sorted(a.spans.items(), key=str), a.local_references)
        for aid, a in corpus.annotations.items()
    }
    articles = {aid: (a.text, a.meta, a.regions) for aid, a in corpus.articles.items()}
    return (articles, annotations, corpus.keys, corpus.issues, [(i, item) for _d, i, item in corpus.reference])


def load(settings, cache: ParseCache | None) -> Corpus:
    return load_corpus(Path(settings.corpus_dir), vocabulary_index(settings), cache)


@pytest.fixture
def corpus_settings(tmp_path: Path):
    return settings_for(tmp_path, make_corpus(tmp_path, articles=3))


def test_a_cached_load_equals_a_fresh_one_including_problems_across_files(tmp_path: Path, corpus_settings) -> None:
    corpus = Path(corpus_settings.corpus_dir)
    # a key defined in two annotation files: found when the files' definitions are merged
    second = corpus / "annotations" / "fx-002.yaml"
    second.write_text(second.read_text(encoding="utf-8").replace("key: lakeside-plan-2", "key: lakeside-plan-3"))
    fresh = load(corpus_settings, None)
    assert any("is already defined in" in i.message for i in fresh.issues), fresh.issues
    cache = ParseCache(tmp_path / "parse", "salt")
    first = load(corpus_settings, cache)
    assert cache.hits == 0 and cache.misses == 6  # three articles, three annotation files
    again = ParseCache(tmp_path / "parse", "salt")
    cached = load(corpus_settings, again)
    assert again.hits == 6 and again.misses == 0
    assert described(fresh) == described(first) == described(cached)


def _entries(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.entry"))


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])


def _flip_a_payload_byte(path: Path) -> None:
    blob = bytearray(path.read_bytes())
    blob[-10] ^= 0xFF
    path.write_bytes(bytes(blob))


def _wrong_hash_recomputed_length(path: Path) -> None:
    """A well-formed entry whose header names another payload's hash."""
    blob = path.read_bytes()
    path.write_bytes(MAGIC + bytes(32) + blob[len(MAGIC) + 32 :])


DAMAGE = {"truncated": _truncate, "flipped byte": _flip_a_payload_byte, "wrong hash": _wrong_hash_recomputed_length}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_a_damaged_entry_is_discarded_and_rebuilt(tmp_path: Path, corpus_settings, damage: str) -> None:
    folder = tmp_path / "parse"
    load(corpus_settings, ParseCache(folder, "salt"))
    fresh = described(load(corpus_settings, None))
    damaged = _entries(folder)
    for entry in damaged:
        DAMAGE[damage](entry)
    cache = ParseCache(folder, "salt")
    assert described(load(corpus_settings, cache)) == fresh
    assert cache.discarded == len(damaged) and cache.hits == 0
    healed = ParseCache(folder, "salt")
    load(corpus_settings, healed)
    assert healed.hits == len(damaged) and healed.discarded == 0  # rewritten whole


def test_an_entry_from_older_code_is_not_trusted(tmp_path: Path, corpus_settings) -> None:
    """An entry written by another version of the loader, even at the name this version looks for
    and with a valid hash, holds values that code made: it is discarded."""
    folder = tmp_path / "parse"
    old = ParseCache(folder, "old-code")
    load(corpus_settings, old)
    new = ParseCache(folder, "new-code")
    planted = 0
    for entry in _entries(folder):
        _salt, key, value = pickle.loads(entry.read_bytes()[len(MAGIC) + 40 :])
        assert decode_entry(entry.read_bytes(), "old-code", key) is not None
        target = new.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(encode_entry("old-code", key, value))  # the stale salt, at the new name
        planted += 1
    fresh = described(load(corpus_settings, None))
    assert described(load(corpus_settings, new)) == fresh
    assert new.discarded == planted and new.hits == 0
    assert new.prune() == planted  # the old version's own entries were not used: removed


def test_an_unwritable_cache_only_costs_time(tmp_path: Path, corpus_settings) -> None:
    build_dir = Path(corpus_settings.build_dir)
    (build_dir / "cache").mkdir(parents=True)
    (build_dir / "cache" / "parse").write_text("not a folder")  # every entry write fails
    report = build(corpus_settings)
    assert report.graphs and len(open_store(build_dir)) > 0


def test_what_is_rebuilt_after_which_edit(corpus_settings) -> None:
    settings = corpus_settings
    corpus = Path(settings.corpus_dir)
    lines: list[str] = []
    full = build(settings, lines.append)
    assert sorted(full.rebuilt) == ["article/fx-001", "article/fx-002", "article/fx-003", "reference"]
    assert "parse cache: 0 file(s) unchanged, 6 parsed" in lines

    # nothing changed: answered from the stamp, the corpus not read
    lines.clear()
    assert build(settings, lines.append).nothing_to_do
    assert not any(line.startswith("parse cache") for line in lines)

    # one annotation file edited: that file parsed, that graph mapped and validated
    annotation = corpus / "annotations" / "fx-002.yaml"
    annotation.write_text(annotation.read_text(encoding="utf-8") + "\n# a comment\n", encoding="utf-8")
    lines.clear()
    one = build(settings, lines.append)
    assert one.rebuilt == ["article/fx-002"] and "parse cache: 5 file(s) unchanged, 1 parsed" in lines

    # reference data edited: no annotation file is parsed again, but every article graph is
    # rebuilt (articles are mapped and validated against the reference)
    reference = next((corpus / "reference").glob("*.yaml"))
    reference.write_text(reference.read_text(encoding="utf-8") + "\n# a comment\n", encoding="utf-8")
    lines.clear()
    ref = build(settings, lines.append)
    assert sorted(ref.rebuilt) == ["article/fx-001", "article/fx-002", "article/fx-003", "reference"]
    assert "parse cache: 6 file(s) unchanged, 0 parsed" in lines

    # an article's text edited: its metadata and annotation file are checked again (quotes
    # resolve against the text), the other articles are not
    text = corpus / "articles" / "fx-003.txt"
    text.write_text(text.read_text(encoding="utf-8") + " ", encoding="utf-8")
    lines.clear()
    edited = build(settings, lines.append)
    assert edited.rebuilt == ["article/fx-003"] and "parse cache: 4 file(s) unchanged, 2 parsed" in lines

    # the setting include_drafts changes the output: not "nothing to do"
    assert not build(settings.replace(include_drafts=not settings.include_drafts)).nothing_to_do


def test_the_first_rebuild_after_a_full_build_compiles_nothing(corpus_settings, monkeypatch) -> None:
    """A full build leaves in the cache what a rebuild on the previous store compiles from the
    ontology alone (DRed's rules, the global data checks' patterns): the first one-article rebuild
    after it reads them (compiling them was 0.35 s of it)."""
    settings = corpus_settings
    build(settings)

    def compile_again(*args: object) -> None:
        raise AssertionError("compiled again")

    monkeypatch.setattr(dred, "_compiled", compile_again)
    monkeypatch.setattr(data_checks, "bindable", compile_again)
    annotation = Path(settings.corpus_dir) / "annotations" / "fx-002.yaml"
    annotation.write_text(annotation.read_text(encoding="utf-8") + "\n# a comment\n", encoding="utf-8")
    lines: list[str] = []
    assert build(settings, lines.append).rebuilt == ["article/fx-002"]
    assert any(line.startswith("made from the current build's store") for line in lines)


def test_the_stamp_trusts_times_only_when_they_cannot_hide_an_edit(corpus_settings) -> None:
    settings = corpus_settings
    # Times are set, not waited for, so that no outcome depends on how fast the builds run: the
    # corpus was written a minute ago (older than any stamp by more than RACY_NS) ...
    minute_ago = time.time_ns() - 60_000_000_000
    for path in Path(settings.corpus_dir).rglob("*"):
        os.utime(path, ns=(minute_ago, minute_ago))
    build(settings)
    previous = stamps.read(settings)
    assert previous is not None
    assert stamps.take(settings, previous.context["code"], previous).hashed == 0
    annotation = Path(settings.corpus_dir) / "annotations" / "fx-001.yaml"
    # ... and this edit's time is later than the stamp the next build takes, however long it runs
    later = time.time_ns() + 3_600_000_000_000
    os.utime(annotation, ns=(later, later))  # a new time, the same bytes: read, found equal, nothing to do
    assert build(settings).nothing_to_do
    # same size, same time, other bytes: a racily clean file is hashed and the edit is seen
    data = annotation.read_bytes()
    stat = annotation.stat()
    annotation.write_bytes(data.replace(b"a trap", b"a tarp"))
    os.utime(annotation, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    fresh = stamps.take(settings, previous.context["code"], stamps.read(settings))
    assert not stamps.same_inputs(stamps.read(settings), fresh)  # type: ignore[arg-type]


def test_a_damaged_stamp_or_a_stamp_of_another_store_is_not_trusted(corpus_settings) -> None:
    settings = corpus_settings
    first = build(settings).build
    path = stamps.stamp_path(settings)
    path.write_text(path.read_text()[:40])  # truncated: ignored, the corpus is read and found unchanged
    lines: list[str] = []
    assert build(settings, lines.append).nothing_to_do and any(line.startswith("parse cache") for line in lines)
    annotation = Path(settings.corpus_dir) / "annotations" / "fx-001.yaml"
    annotation.write_text(annotation.read_text(encoding="utf-8") + "\n# edit\n", encoding="utf-8")
    second = build(settings).build
    assert second != first and current_build(Path(settings.build_dir)) == second
    # a stamp naming the previous store (the current one was switched by someone else) is not used
    stamp = stamps.read(settings)
    assert stamp is not None
    stamp.build = first.name  # type: ignore[union-attr]
    stamps.write(settings, stamp)
    lines.clear()
    assert build(settings, lines.append).nothing_to_do and any(line.startswith("parse cache") for line in lines)


def _graph_cache_files(settings) -> list[Path]:
    return sorted((Path(settings.build_dir) / "cache").glob("*.nq"))


def _cached_graph_names(settings) -> list[str]:
    return sorted(p.name.rsplit("-", 1)[0] for p in _graph_cache_files(settings) if not p.name.startswith("inferred-"))


def _cut_at_a_line(path: Path) -> None:
    """Whole N-Quads lines, fewer of them: parses cleanly, so only the hash can tell."""
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines[: len(lines) // 2]))


@pytest.mark.parametrize("damage", ["cut at a line", "flipped byte"])
def test_a_damaged_graph_in_the_cache_is_rebuilt_not_served(
    tmp_path: Path, corpus_settings, damage: str, monkeypatch
) -> None:
    """A full build reads every cached graph (a rebuild on the previous store reads none of an
    unchanged article's, so it is made to build whole here)."""
    monkeypatch.setattr(incremental, "plan", lambda current, prints: (None, "made whole by the test"))
    settings = corpus_settings
    build(settings)
    for path in _graph_cache_files(settings):
        _cut_at_a_line(path) if damage == "cut at a line" else _flip_a_payload_byte(path)
    annotation = Path(settings.corpus_dir) / "annotations" / "fx-002.yaml"
    annotation.write_text(annotation.read_text(encoding="utf-8") + "\n# an edit\n", encoding="utf-8")
    again = build(settings)
    assert sorted(again.rebuilt) == ["article/fx-001", "article/fx-002", "article/fx-003", "reference"]
    fresh = settings.replace(build_dir=tmp_path / "fresh")
    build(fresh)
    served = {str(q) for q in open_store(Path(settings.build_dir))}
    assert served == {str(q) for q in open_store(Path(fresh.build_dir))}


# An edit whose inferences cross articles and reach the reference: a statement of fx-002 that
# denies fx-001's s1 (pk:bearsOn and pk:disputes need s1's type, in fx-001's graph: only the
# global pass can join them) and a new individual typed in fx-002 (pk:PeacePlan: its superclasses,
# pk:proposedBy's domain and range, its proposer, a reference individual, as a pk:Voice…).
CROSSING_EDIT = """
  - id: s4
    type: Claim
    by: [ana-exempla]
    stance: denies
    target: ['fx-001#s1']
    summary: Exempla denies that the plan is a trap.
    evidence: [Peace is near]
"""
NEW_INDIVIDUAL = """entities:
  - key: harbour-accord
    type: PeacePlan
    label: Harbour Accord
    proposed_by: [freedonia]
    evidence: [the Lakeside Plan]
    provisions:
      - {type: CeasefireProvision, text: a ceasefire}
"""


ON_PREVIOUS = "made from the current build's store without the union in memory"


def served(settings) -> set[str]:
    return {str(q) for q in open_store(Path(settings.build_dir))}


def clean_build(tmp_path: Path, corpus: Path, name: str):
    """A full build of ``corpus`` in a build folder of its own: nothing reused."""
    fresh = settings_for(tmp_path, corpus, name)
    lines: list[str] = []
    report = build(fresh, lines.append)
    assert not report.reused and not any(line.startswith("made from the current build") for line in lines)
    return fresh


@pytest.fixture
def small_buckets(monkeypatch):
    """One article per bucket (four buckets for three articles), so that a one-article rebuild
    reuses the other articles' inferences, as at scale."""
    monkeypatch.setattr(buckets, "ARTICLES_PER_BUCKET", 1)


def test_an_edit_that_changes_inferences_across_articles_rebuilds_what_a_clean_build_makes(
    tmp_path: Path, corpus_settings, small_buckets
) -> None:
    settings = corpus_settings
    corpus = Path(settings.corpus_dir)
    build(settings)
    before = served(settings)
    annotation = corpus / "annotations" / "fx-002.yaml"
    text = annotation.read_text(encoding="utf-8")
    text = text.replace("entities:\n", NEW_INDIVIDUAL, 1).replace(
        "coverage_ignore:", CROSSING_EDIT.lstrip("\n") + "coverage_ignore:", 1
    )
    annotation.write_text(text, encoding="utf-8")
    lines: list[str] = []
    again = build(settings, lines.append)
    assert again.rebuilt == ["article/fx-002"]
    made = next(line for line in lines if line.startswith(ON_PREVIOUS)), lines
    assert "1 graph(s) replaced" in made[0] and " 0 inserted" not in made[0], made  # the cross-article links
    assert not any(line.startswith(("full build", "inference: ")) for line in lines), lines  # no union in memory
    incremental = served(settings)
    clean = served(clean_build(tmp_path, corpus, "clean"))
    assert incremental == clean
    inferred = f"<{BASE}graph/inferred>"
    disputes = f"<{BASE}article/fx-002/statement/s4> <{PK}disputes> <{BASE}article/fx-001/statement/s1> {inferred}"
    assert disputes in incremental and disputes not in before
    accord = (
        f"<{BASE}resource/harbour-accord> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{PK}Proposal> {inferred}"
    )
    assert accord in incremental and accord not in before


def test_a_removed_article_leaves_what_a_clean_build_of_the_rest_makes(
    tmp_path: Path, corpus_settings, small_buckets
) -> None:
    settings = corpus_settings
    corpus = Path(settings.corpus_dir)
    build(settings)
    for path in (
        corpus / "articles" / "fx-003.txt",
        corpus / "articles" / "fx-003.yaml",
        corpus / "annotations" / "fx-003.yaml",
    ):
        path.unlink()
    lines: list[str] = []
    again = build(settings, lines.append)
    assert again.rebuilt == [] and sorted(again.reused) == ["article/fx-001", "article/fx-002", "reference"]
    assert any(line.startswith(f"{ON_PREVIOUS}: 1 graph(s) replaced") for line in lines), lines
    incremental = served(settings)
    assert not any("fx-003" in quad for quad in incremental)
    assert incremental == served(clean_build(tmp_path, corpus, "clean"))
    # the store keeps two builds, so the cache keeps the removed graph while the build that used
    # it is kept (going back finds it), and drops it after the next build
    assert "article--fx-003" in _cached_graph_names(settings)
    annotation = corpus / "annotations" / "fx-001.yaml"
    annotation.write_text(annotation.read_text(encoding="utf-8") + "\n# an edit\n", encoding="utf-8")
    build(settings)
    assert _cached_graph_names(settings) == ["article--fx-001", "article--fx-001", "article--fx-002", "reference"]


@pytest.mark.parametrize("damage", ["flipped byte", "missing"])
def test_a_damaged_inferred_graph_file_is_read_from_the_store_instead(
    tmp_path: Path, corpus_settings, small_buckets, damage: str, monkeypatch
) -> None:
    """A full build made from the previous store (here: a rebuild on the previous store refused)
    takes the previous build's inferred graph from the file it left beside its manifest only
    when the file is whole (its hash); otherwise from its store: the result is the same."""
    monkeypatch.setattr(incremental, "plan", lambda current, prints: (None, "made whole by the test"))
    settings = corpus_settings
    corpus = Path(settings.corpus_dir)
    previous = build(settings).build
    assert previous is not None
    saved = previous / "inferred.nt"
    _flip_a_payload_byte(saved) if damage == "flipped byte" else saved.unlink()
    annotation = corpus / "annotations" / "fx-002.yaml"
    text = annotation.read_text(encoding="utf-8")
    annotation.write_text(text.replace("coverage_ignore:", CROSSING_EDIT.lstrip("\n") + "coverage_ignore:", 1))
    lines: list[str] = []
    build(settings, lines.append)
    assert any(line.startswith("made from the current build's store: 1 graph(s) replaced") for line in lines), lines
    assert served(settings) == served(clean_build(tmp_path, corpus, "clean"))
