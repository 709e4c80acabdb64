"""A Wikidata-shaped SPARQL endpoint for tests of ``peacekg link`` and federation: a read-only
``oxigraph serve`` holding tests/data/wikidata-fixture.ttl."""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from helpers.paths import DATA
from helpers.servers import OXIGRAPH, running_oxigraph

FIXTURE = DATA / "wikidata-fixture.ttl"
# Test-only verified ids for the fictional fixture individuals (they exist in wikidata-fixture.ttl).
FIXTURE_IDS = {"ana-exempla": "Q90000001", "ruritania": "Q90000002", "freedonia": "Q90000006"}


@contextlib.contextmanager
def wikidata_fixture_server(folder: Path) -> Iterator[str]:
    """A read-only `oxigraph serve` on 127.0.0.1 holding tests/data/wikidata-fixture.ttl; yields its
    query endpoint and is always stopped by its PID."""
    folder.mkdir(parents=True, exist_ok=True)
    if OXIGRAPH is None:
        pytest.skip("the oxigraph server (pip package `oxigraph`) is not installed")
    subprocess.run(
        [OXIGRAPH, "load", "--location", str(folder / "db"), "--file", str(FIXTURE)], check=True, capture_output=True
    )
    with running_oxigraph(folder / "db", folder / "oxigraph.log", read_only=True) as endpoint:
        yield endpoint
