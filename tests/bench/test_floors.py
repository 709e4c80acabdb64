"""bench.floors' engine floor (waitress + the engine, for bench.lookups): its WSGI callable runs a
GET's query on a store opened read-only with the union default graph and answers exactly the
engine's own serialisation; and what bench.lookups' section says of issue 18's target from the
floor's ratio. The servers themselves run in the benchmark, not here."""

from __future__ import annotations

import urllib.parse
from typing import Any

import pyoxigraph
import pytest

from bench.floors import engine_app
from bench.lookups import ENGINE_FLOOR, engine_floor_text

EX = "http://example.org/"


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A store whose subject has triples in two named graphs (one of them in both)."""
    folder = tmp_path_factory.mktemp("floor") / "oxigraph"
    store = pyoxigraph.Store(str(folder))
    subject = pyoxigraph.NamedNode(EX + "s")
    for graph in ("g1", "g2"):
        store.add(
            pyoxigraph.Quad(
                subject, pyoxigraph.NamedNode(EX + "p"), pyoxigraph.Literal("both"), pyoxigraph.NamedNode(EX + graph)
            )
        )
        store.add(
            pyoxigraph.Quad(
                subject,
                pyoxigraph.NamedNode(EX + graph),
                pyoxigraph.Literal(f'"{graph}"', language="en"),
                pyoxigraph.NamedNode(EX + graph),
            )
        )
    store.flush()
    del store
    return str(folder)


def _get(wsgi: Any, query: str) -> tuple[str, dict[str, str], bytes]:
    answered: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        answered["status"], answered["headers"] = status, dict(headers)

    body = b"".join(
        wsgi({"REQUEST_METHOD": "GET", "QUERY_STRING": urllib.parse.urlencode({"query": query})}, start_response)
    )
    return answered["status"], answered["headers"], body


@pytest.mark.parametrize(
    ("query", "media"),
    [
        (f"SELECT ?p ?o WHERE {{ <{EX}s> ?p ?o }}", "application/sparql-results+json"),
        (f"ASK {{ <{EX}s> ?p ?o }}", "application/sparql-results+json"),
        (f"DESCRIBE <{EX}s>", "application/n-triples"),
    ],
)
def test_the_engine_floor_answers_the_engines_own_bytes(store_dir: str, query: str, media: str) -> None:
    status, headers, body = _get(engine_app(store_dir), query)
    result = pyoxigraph.Store.read_only(store_dir).query(query, use_default_graph_as_union=True)
    if isinstance(result, pyoxigraph.QueryTriples):
        expected = result.serialize(format=pyoxigraph.RdfFormat.N_TRIPLES)
    else:
        expected = result.serialize(format=pyoxigraph.QueryResultsFormat.JSON)
    assert status == "200 OK"
    assert headers == {"Content-Type": media, "Content-Length": str(len(body))}
    assert body == expected
    assert b"true" in body or (b"example.org/g1" in body and b"example.org/g2" in body)  # the graphs' union


def _results(oxigraph_ms: float, floor_ms: float, service_ms: float) -> dict[str, Any]:
    per = {"oxigraph serve": oxigraph_ms, ENGINE_FLOOR: floor_ms, "peacekg serve": service_ms}
    return {q: {name: {"p50_ms": ms} for name, ms in per.items()} for q in ("lookup", "describe")}


@pytest.mark.parametrize(
    ("floor_ms", "says"),
    [
        (0.60, "**The floor itself is at or beyond 1.5×**"),  # 2.00x
        (0.45, "**The floor itself is at or beyond 1.5×**"),  # exactly 1.5x: the service cannot be under it
        (0.36, "leaves the service lookup 90 µs, describe 90 µs per request"),  # 1.2x of 0.30 ms
    ],
)
def test_the_section_says_whether_the_fixed_stack_can_reach_the_target(floor_ms: float, says: str) -> None:
    text = engine_floor_text(_results(0.30, floor_ms, 0.75))
    assert says in text
    assert f"lookup {floor_ms / 0.30:.2f}×" in text
