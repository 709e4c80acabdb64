"""Which store a query worker reads (service.execution.worker_loop.StoreReader): it keeps the store it
opened while the build's ``current`` link points where it did (one readlink per job), and opens
the new store as soon as another build becomes current, or a job names its own store folder (the
writer's live store), and the current build again after that."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph

from kg.store.builds import write_store
from service.execution.worker_loop import StoreReader
from service.execution.workers import Job

EX = "http://example.org/"
WHICH = "SELECT ?o WHERE { <http://example.org/store> <http://example.org/is> ?o }"


def _build(build_dir: Path, name: str) -> Path:
    quad = pyoxigraph.Quad(
        pyoxigraph.NamedNode(EX + "store"), pyoxigraph.NamedNode(EX + "is"), pyoxigraph.Literal(name)
    )
    return write_store(build_dir, name, [quad], {"graphs": {"default": 1}})


def _job(store: Path | None = None) -> Job:
    return Job(WHICH, "application/sparql-results+json", [], [], union=False, max_rows=10, store=store and str(store))


def _name(store: pyoxigraph.Store) -> str:
    return next(iter(store.query(WHICH)))["o"].value


def test_the_reader_follows_the_current_link(tmp_path: Path) -> None:
    _build(tmp_path, "first")
    reader = StoreReader(tmp_path)
    opened = reader.open(_job())
    assert _name(opened) == "first"
    assert reader.open(_job()) is opened  # the link did not move: the same store, not reopened

    second = _build(tmp_path, "second")
    assert _name(reader.open(_job())) == "second"

    assert _name(reader.open(_job(tmp_path / "store" / "builds" / "first" / "oxigraph"))) == "first"
    assert _name(reader.open(_job())) == "second"  # back to the current build after a job's own store

    third = _build(tmp_path, "third")
    assert third != second
    assert _name(reader.open(_job())) == "third"
