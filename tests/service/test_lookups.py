"""A worker sends a small result in one message and streams a larger one (head, chunks, end:
service.execution.worker_loop.WHOLE_BYTES); both paths give the whole answer, in every results
format and for every query form, and the worker goes back to the pool either way (the next
queries are answered by the same pool of workers)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from kg.settings import Settings
from kg.store.builds import open_store
from service import create_app
from service.execution.worker_loop import WHOLE_BYTES
from service.state import state

ALL = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o LIMIT %d"


@pytest.fixture(scope="module")
def built(fixture_build: Callable[[int], Settings]) -> Settings:
    return fixture_build(1)


@pytest.fixture(scope="module")
def client(built: Settings) -> Iterator[FlaskClient]:
    app = create_app(built)
    yield app.test_client()
    state(app).pool.close()


def _direct_rows(built: Settings, limit: int) -> int:
    store = open_store(Path(built.build_dir))
    return len(list(store.query(ALL % limit, use_default_graph_as_union=True)))


@pytest.mark.parametrize("limit", [1, 10, 3000])
@pytest.mark.parametrize("accept", ["application/sparql-results+json", "text/csv"])
def test_small_and_large_results_arrive_whole(client: FlaskClient, built: Settings, limit: int, accept: str) -> None:
    response = client.get("/sparql", query_string={"query": ALL % limit}, headers={"Accept": accept})
    assert response.status_code == 200
    if accept == "text/csv":
        rows = len(list(csv.reader(io.StringIO(response.data.decode("utf-8"))))) - 1  # quoted line breaks
    else:
        rows = len(json.loads(response.data)["results"]["bindings"])
    assert rows == _direct_rows(built, limit)
    if limit == 3000:
        assert len(response.data) > WHOLE_BYTES  # the streamed path was taken


def test_many_lookups_in_a_row_reuse_the_workers(client: FlaskClient) -> None:
    """A whole result gives its worker back when its body is read: 50 lookups on a small pool."""
    for _ in range(50):
        response = client.get(
            "/sparql",
            query_string={"query": "ASK { ?s ?p ?o }"},
            headers={"Accept": "application/sparql-results+json"},
        )
        assert response.status_code == 200 and response.json["boolean"] is True
    graph = client.get(
        "/sparql",
        query_string={"query": "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 5"},
        headers={"Accept": "application/n-triples"},
    )
    assert graph.status_code == 200 and len(graph.data.decode().strip().splitlines()) == 5
    assert client.get("/metrics").json["workers_replaced"] == 0
