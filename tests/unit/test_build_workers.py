"""A build with worker processes (setting build_workers: mapping and SHACL validation by batch,
inference by bucket) makes the same store as a build without, and tells a shape violation the
same way: a batch that fails in a worker is validated again in the build's own process."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.builder import buckets, graphs, pipeline, stamps
from kg.builder.pipeline import build
from kg.errors import ValidationError
from kg.store.builds import open_store

from helpers.corpora import make_corpus, ontology_requiring_direct_quote, settings_for

ARTICLES = 30  # two validation batches (of 25 or fewer) with two workers


def served(settings) -> set[str]:
    return {str(q) for q in open_store(Path(settings.build_dir))}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    return make_corpus(tmp_path_factory.mktemp("workers"), articles=ARTICLES)


def test_workers_build_the_same_store(tmp_path: Path, corpus: Path, monkeypatch) -> None:
    monkeypatch.setattr(buckets, "ARTICLES_PER_BUCKET", 10)  # four buckets
    alone = settings_for(tmp_path, corpus, "alone").replace(build_workers=1)
    two = settings_for(tmp_path, corpus, "two").replace(build_workers=2)
    assert len(graphs._batches([f"article/{n}" for n in range(ARTICLES - 1)], 2)) > 1
    lines: list[str] = []
    build(two, lines.append)
    build(alone)
    assert any("4 of 4 buckets inferred" in line for line in lines), lines
    assert served(two) == served(alone)


def test_a_violation_found_in_a_worker_is_told_as_without_workers(tmp_path: Path, corpus: Path) -> None:
    ontology = ontology_requiring_direct_quote(tmp_path)
    errors = []
    for workers in (1, 2):
        settings = settings_for(tmp_path, corpus, f"build-{workers}", ontology).replace(build_workers=workers)
        with pytest.raises(ValidationError) as caught:
            build(settings)
        errors.append((caught.value.message, caught.value.details))
    assert errors[0] == errors[1] and "violates the shapes" in errors[0][0]


def _stamp(files: dict[str, str], code: str = "c1") -> stamps.Stamp:
    return stamps.Stamp({name: [1, 1, sha] for name, sha in files.items()}, {"code": code}, 0)


CORPUS = {f"corpus/annotations/a{n}.yaml": f"h{n}" for n in range(8)} | {"ontology/peacekg.ttl": "o"}
LIKELY = {  # the next stamp from the previous one, and whether a full build is to be expected
    "the same inputs": (lambda s: _stamp(CORPUS), False),
    "one article edited": (lambda s: _stamp(CORPUS | {"corpus/annotations/a3.yaml": "x"}), False),
    "a quarter edited and one more": (
        lambda s: _stamp(CORPUS | {f"corpus/annotations/a{n}.yaml": "x" for n in range(3)}),
        True,
    ),
    "an ontology file edited": (lambda s: _stamp(CORPUS | {"ontology/peacekg.ttl": "x"}), True),
    "other code": (lambda s: _stamp(CORPUS, code="c2"), True),
}


@pytest.mark.parametrize("case", sorted(LIKELY))
def test_the_workers_start_early_when_a_full_build_is_likely(tmp_path: Path, case: str) -> None:
    """kg.builder.pipeline starts the inference's workers before loading the corpus when a full
    build is likely (their start-up then overlaps the load), not for a rebuild of a few articles."""
    after, full = LIKELY[case]
    previous = _stamp(CORPUS)
    assert pipeline._full_build_likely(tmp_path, previous, after(previous)) is full
    assert pipeline._full_build_likely(None, previous, after(previous)) is True  # no build yet
    assert pipeline._full_build_likely(tmp_path, None, after(previous)) is True  # no stamp of it
