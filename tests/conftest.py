"""Shared fixtures. Each test builds what it needs from the repository's sources or small
fixtures in tests/data; nothing is shared through module globals."""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib

from kg.ontology.load import load_ontology, load_shapes
from kg.settings import Settings, load_settings

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"


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


def fixture_graph(name: str) -> rdflib.Graph:
    return rdflib.Graph().parse(DATA / "ontology" / name, format="turtle")
