"""Lookups in the request thread (service.execution.inline, setting inline_lookups): which queries
are lookups (service.execution.lookup_shape's rule); a lookup answers exactly as a worker does
(the same status, headers that matter and bytes, over the seed graph, for SELECT, ASK and DESCRIBE
in every format); its time limit (504 in the one error shape) and row limit still hold on a hub
IRI with many triples; and a query that is not a lookup still goes to a worker, which is killed
when it runs away. Outcomes are asserted, never timings."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyoxigraph
import pytest
from flask import Flask, Response
from flask.testing import FlaskClient

from kg.settings import Settings
from kg.store.builds import open_store, write_store
from service import create_app
from service.execution.lookup_shape import lookup_form
from service.protocol.sparql import GRAPH_OFFERS, RESULT_OFFERS
from service.state import state

PK = "https://w3id.org/peacekg/ontology/"
EX = "http://example.org/"
HUB_TRIPLES = 3000

LOOKUPS = {
    "SELECT ?p ?o WHERE { <http://x/s> ?p ?o }": "select",
    "PREFIX ex: <http://x/> SELECT * { ex:s ?p ?o . } LIMIT 10 OFFSET 5": "select",
    "BASE <http://x/> SELECT $o WHERE { <s> <p> ?o } OFFSET 2 LIMIT 1": "select",
    "SELECT ?s WHERE { ?s <http://x/label> 'hi'@en }": "select",
    "SELECT ?s WHERE { ?s ?p 42 }": "select",
    'SELECT ?s WHERE { ?s ?p "1"^^<http://www.w3.org/2001/XMLSchema#int> }': "select",
    "SELECT ?p WHERE { <http://x/s> ?p ?o } # a comment { ?x ?y ?z }": "select",
    "ASK { ?s a <http://x/C> }": "ask",
    "ASK WHERE { <http://x/s> ?p ?o }": "ask",
    "DESCRIBE <http://x/s>": "describe",
    "PREFIX ex: <http://x/> DESCRIBE ex:s ex:t LIMIT 3": "describe",
}
NOT_LOOKUPS = [
    "SELECT ?s WHERE { ?s ?p ?o }",  # no constant: the whole store
    "SELECT ?x WHERE { ?x <http://x/p> ?x }",  # a variable twice: rows rejected inside the scan
    "SELECT ?x WHERE { ?x <http://x/p> $x }",
    "SELECT DISTINCT ?p WHERE { ?s ?p <http://x/o> }",
    "SELECT ?p WHERE { <http://x/s> ?p ?o } ORDER BY ?p",
    "SELECT (COUNT(*) AS ?n) WHERE { <http://x/s> ?p ?o }",
    "SELECT ?o WHERE { <http://x/s> <http://x/p>/<http://x/q> ?o }",
    "SELECT ?o WHERE { <http://x/s> <http://x/p>* ?o }",
    "SELECT ?o WHERE { <http://x/s> ^<http://x/p> ?o }",
    "SELECT ?p FROM <http://x/g> WHERE { <http://x/s> ?p ?o }",
    "SELECT ?p WHERE { <http://x/s> ?p ?o FILTER(true) }",
    "SELECT ?p WHERE { <http://x/s> ?p ?o . ?o ?q ?r }",
    "SELECT ?p WHERE { <http://x/s> ?p ?o ; ?q ?r }",
    "SELECT ?p WHERE { <http://x/s> ?p ?o , ?r }",
    "SELECT ?p WHERE { GRAPH ?g { <http://x/s> ?p ?o } }",
    "SELECT ?p WHERE { SERVICE <http://x/sparql> { <http://x/s> ?p ?o } }",
    "SELECT ?p WHERE { <http://x/s> ?p ?o } VALUES ?p { <http://x/p> }",
    "SELECT ?p WHERE { <http://x/s> ?p ?o } LIMIT 1 LIMIT 2",
    "SELECT ?p WHERE { <http://x/s> ?p ?o } OFFSET 1000001",  # beyond the row limit (max_offset below)
    "SELECT ?p WHERE { _:b ?p ?o }",
    "SELECT ?p WHERE { [] ?p <http://x/o> }",
    "DESCRIBE ?x WHERE { ?x ?p ?o }",
    "DESCRIBE *",
    "CONSTRUCT WHERE { <http://x/s> ?p ?o }",
    "ASK {}",
    "SELECT ?p WHERE { <http://x/s> ?p ?o",
    "SELECT ?p WHERE { <http://x/s> ?p 'unterminated }",
]


@pytest.mark.parametrize("query", list(LOOKUPS))
def test_lookups_by_the_rule(query: str) -> None:
    assert lookup_form(query, max_offset=1_000_000) == LOOKUPS[query]


@pytest.mark.parametrize("query", NOT_LOOKUPS)
def test_not_lookups_by_the_rule(query: str) -> None:
    assert lookup_form(query, max_offset=1_000_000) is None


def _client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture(scope="module")
def apps(seed_build: Settings) -> Iterator[dict[bool, Flask]]:
    made = {inline: create_app(seed_build.replace(inline_lookups=inline)) for inline in (True, False)}
    yield made
    for app in made.values():
        state(app).pool.close()


def _seed_queries(seed_build: Settings) -> dict[str, tuple[str, list[str]]]:
    """Lookups over the seed graph: a statement's triples, a label, the statements (a LIMIT), an
    ASK true and false, a DESCRIBE; each with the formats the service offers for its form."""
    store = open_store(Path(seed_build.build_dir))
    subject = next(
        iter(store.query(f"SELECT ?s WHERE {{ ?s a <{PK}Statement> }} LIMIT 1", use_default_graph_as_union=True))
    )["s"].value
    return {
        "subject": (f"SELECT ?p ?o WHERE {{ <{subject}> ?p ?o }}", RESULT_OFFERS),
        "typed": (f"PREFIX pk: <{PK}> SELECT * WHERE {{ ?s a pk:Statement }} LIMIT 7 OFFSET 2", RESULT_OFFERS),
        "object": (f"SELECT ?s ?p WHERE {{ ?s ?p <{subject}> }}", RESULT_OFFERS),
        "ask-true": (f"ASK {{ <{subject}> ?p ?o }}", RESULT_OFFERS),
        "ask-false": (f"ASK {{ <{subject}> <{EX}nothing> ?o }}", RESULT_OFFERS),
        "describe": (f"DESCRIBE <{subject}>", GRAPH_OFFERS),
    }


def test_the_inline_path_answers_as_the_workers_do(apps: dict[bool, Flask], seed_build: Settings) -> None:
    inline, workers = _client(apps[True]), _client(apps[False])
    cases = 0
    for name, (query, formats) in _seed_queries(seed_build).items():
        for media in formats:
            for method in ("GET", "HEAD"):
                answers = [
                    client.open("/sparql", method=method, query_string={"query": query}, headers={"Accept": media})
                    for client in (inline, workers)
                ]
                first, second = answers
                assert first.status_code == second.status_code == 200, (name, media, first.data[:200])
                for header in ("Content-Type", "Content-Length", "Vary", "X-PeaceKG-Truncated"):
                    assert first.headers.get(header) == second.headers.get(header), (name, media, header)
                assert first.data == second.data, (name, media, method)
                assert method == "HEAD" or first.data  # a lookup that answers nothing proves nothing
                cases += 1
    assert inline.get("/metrics").json["inline"] == cases
    assert workers.get("/metrics").json["inline"] == 0


def _hub_build(folder: Path) -> Path:
    """A store whose hub IRI has HUB_TRIPLES triples as subject (each in its own article graph,
    as a build writes them) and as many as object."""
    hub, link = pyoxigraph.NamedNode(EX + "hub"), pyoxigraph.NamedNode(EX + "link")
    quads = []
    for i in range(HUB_TRIPLES):
        graph = pyoxigraph.NamedNode(f"{EX}graph/{i % 10}")
        spoke = pyoxigraph.NamedNode(f"{EX}spoke/{i}")
        quads += [pyoxigraph.Quad(hub, link, spoke, graph), pyoxigraph.Quad(spoke, link, hub, graph)]
    write_store(folder, "hub", quads, {"graphs": {"default": len(quads)}})
    return folder


def _hub_app(settings: Settings, folder: Path, **changes: object) -> Flask:
    return create_app(settings.replace(build_dir=_hub_build(folder), **changes))


HUB_LOOKUPS = {
    "select": (f"SELECT ?o WHERE {{ <{EX}hub> <{EX}link> ?o }}", "application/sparql-results+json"),
    "subject": (f"SELECT ?s WHERE {{ ?s ?p <{EX}hub> }}", "text/csv"),
    "describe": (f"DESCRIBE <{EX}hub>", "application/n-triples"),
}


@pytest.mark.parametrize("which", list(HUB_LOOKUPS))
def test_a_lookup_past_its_time_limit_is_stopped(settings: Settings, tmp_path: Path, which: str) -> None:
    """A time limit no lookup of HUB_TRIPLES rows can meet: 504 in the one error shape, answered in
    the request thread (counted inline, no worker replaced)."""
    app = _hub_app(settings, tmp_path / "build", query_timeout_s=1e-9)
    try:
        client = _client(app)
        query, media = HUB_LOOKUPS[which]
        response = client.get("/sparql", query_string={"query": query}, headers={"Accept": media})
        assert response.status_code == 504
        assert response.json["status"] == 504 and "was stopped" in response.json["message"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        metrics = client.get("/metrics").json
        assert (metrics["inline"], metrics["timeouts"], metrics["workers_replaced"]) == (1, 1, 0)
    finally:
        state(app).pool.close()


@pytest.mark.parametrize("which", list(HUB_LOOKUPS))
def test_a_lookup_stops_at_the_row_limit(settings: Settings, tmp_path: Path, which: str) -> None:
    app = _hub_app(settings, tmp_path / "build", max_result_rows=10)
    try:
        client = _client(app)
        query, media = HUB_LOOKUPS[which]
        response = client.get("/sparql", query_string={"query": query}, headers={"Accept": media})
        assert response.status_code == 200
        assert response.headers["X-PeaceKG-Truncated"] == "true"
        if media == "application/sparql-results+json":
            rows = len(response.json["results"]["bindings"])
        else:  # CSV has a header line; N-Triples none
            rows = len(response.data.decode().strip().splitlines()) - (media == "text/csv")
        assert rows == 10
        assert client.get("/metrics").json["inline"] == 1
    finally:
        state(app).pool.close()


def test_a_query_that_is_no_lookup_goes_to_a_worker_and_is_killed(settings: Settings, tmp_path: Path) -> None:
    """Three unconnected patterns over the hub (27 billion rows to count) run away: only a worker
    can be stopped, and it is (504, one worker replaced, nothing answered inline)."""
    app = _hub_app(settings, tmp_path / "build", query_timeout_s=1.0)
    try:
        client = _client(app)
        runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
        response = client.get("/sparql", query_string={"query": runaway})
        assert response.status_code == 504 and response.json["status"] == 504
        metrics = client.get("/metrics").json
        assert (metrics["inline"], metrics["timeouts"], metrics["workers_replaced"]) == (0, 1, 1)
        lookup = client.get("/sparql", query_string={"query": HUB_LOOKUPS["select"][0]})
        assert lookup.status_code == 200 and len(lookup.json["results"]["bindings"]) == HUB_TRIPLES
        assert client.get("/metrics").json["inline"] == 1
    finally:
        state(app).pool.close()


def test_a_hook_added_to_the_app_sends_sparql_reads_back_through_flask(seed_build: Settings) -> None:
    """The WSGI-level dispatch of /sparql reads (service.protocol.hot_route) runs the app's own two
    hooks only; an app given another hook answers every request through Flask, that hook included."""
    app = create_app(seed_build)
    try:

        def mark(response: Response) -> Response:
            response.headers["X-Added-Hook"] = "ran"
            return response

        app.after_request(mark)
        response = app.test_client().get("/sparql", query_string={"query": f"ASK {{ ?s a <{PK}Statement> }}"})
        assert response.status_code == 200 and response.json["boolean"] is True
        assert response.headers["X-Added-Hook"] == "ran"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    finally:
        state(app).pool.close()
