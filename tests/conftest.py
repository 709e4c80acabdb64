"""Shared fixtures. Each test builds what it needs from the repository's sources or the small
fixtures in tests/data; what several tests read but never change is built once per session by the
factories below. Shared code lives in tests/helpers/ (test modules never import each other).

The tiers, by folder: ``unit/`` runs in this process (no servers, JVM or browser: `make
test-fast` runs it), ``service/`` drives the Flask app with its worker processes, ``system/``
starts real servers, browsers, Virtuoso and kills processes. `make test` runs all three.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import rdflib

from kg.annotations.check import vocabulary_index
from kg.builder.pipeline import build
from kg.ontology.load import load_ontology, load_shapes
from kg.settings import Settings, load_settings
from kg.store.builds import current_build
from kg.synthetic.corpus import generate

from helpers.corpora import make_corpus, settings_for
from helpers.paths import ROOT


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture()
def settings(tmp_path: Path) -> Settings:
    """Settings pointing at the repository's ontology, with a private build folder."""
    return load_settings(
        config_file=None,
        environ={},
        overrides={"ontology_dir": ROOT / "ontology", "build_dir": tmp_path / "build", "docs_dir": tmp_path / "docs"},
    )


@pytest.fixture(scope="session")
def ontology_graph() -> rdflib.Graph:
    return load_ontology(ROOT / "ontology")


@pytest.fixture(scope="session")
def shapes_graph() -> rdflib.Graph:
    return load_shapes(ROOT / "ontology")


@pytest.fixture(scope="session")
def seed_build(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The repository's own corpus (the five seed articles), built once per session. Read it,
    never write to it: tests that change a store build their own."""
    settings = settings_for(tmp_path_factory.mktemp("seed"), ROOT / "corpus")
    if current_build(Path(settings.build_dir)) is None:
        build(settings)
    return settings


@pytest.fixture(scope="session")
def fixture_build(tmp_path_factory: pytest.TempPathFactory) -> Callable[[int], Settings]:
    """A factory: ``fixture_build(n)`` is the fixture corpus with ``n`` articles (tests/data/corpus,
    copied under further ids), built once per session for each ``n``. Read-only, like seed_build."""
    built: dict[int, Settings] = {}

    def factory(articles: int = 1) -> Settings:
        if articles not in built:
            folder = tmp_path_factory.mktemp(f"fixture-{articles}")
            settings = settings_for(folder, make_corpus(folder, articles=articles))
            build(settings)
            built[articles] = settings
        return built[articles]

    return factory


@pytest.fixture(scope="session")
def synthetic_build(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """60 synthetic articles (``peacekg synth``, seed 3; drafts, so built with include_drafts) over
    the repository's reference data, built once per session: enough statements across articles for
    the build's shortcut classes (tests/unit/test_contested_statements.py,
    test_first_of_contrary_pair.py). Read-only, like seed_build."""
    folder = tmp_path_factory.mktemp("synthetic")
    settings = load_settings(
        config_file=None,
        environ={},
        overrides={
            "corpus_dir": folder / "corpus",
            "ontology_dir": ROOT / "ontology",
            "build_dir": folder / "build",
            "include_drafts": True,
        },
    )
    generate(
        folder / "corpus", 60, 3, reference_dir=ROOT / "corpus" / "reference", vocabulary=vocabulary_index(settings)
    )
    build(settings)
    return settings
