"""The setting query_rewrite switches the rewriter in the service's workers (issue 18): with it on,
a query the rewriter changes is run rewritten — the worker reports the rules it applied with the
result, and /metrics counts them — and the answer is the same either way; with it off, nothing is
rewritten. Through POST /sparql and GET /queries/NAME, real workers, the fixture build."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import replace

import pytest
from flask.testing import FlaskClient

from kg.settings import Settings
from kg.sparql.rewrite import rewrite
from service import create_app
from service.state import state

# t8 of issue 18: a required pattern written after the group with the OPTIONAL (and a NOT EXISTS)
QUERY = """PREFIX pk: <https://w3id.org/peacekg/ontology/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?statement ?agent ?label ?target WHERE {
  { ?statement pk:attributedTo ?agent . OPTIONAL { ?statement pk:target ?target } }
  ?agent rdfs:label ?label .
  FILTER NOT EXISTS { ?agent pk:noSuchProperty ?x }
}"""
LOOKUP = "SELECT ?o WHERE { <https://w3id.org/peacekg/resource/x> ?p ?o }"  # nothing to rewrite


@pytest.fixture(scope="module", params=[True, False], ids=["rewrite-on", "rewrite-off"])
def client(request: pytest.FixtureRequest, fixture_build: Callable[[int], Settings]) -> Iterator[FlaskClient]:
    app = create_app(replace(fixture_build(1), query_rewrite=request.param))
    yield app.test_client()
    state(app).pool.close()


def _rows(response) -> Counter:
    assert response.status_code == 200, response.data
    body = response.json
    names = body["head"]["vars"]
    return Counter(tuple(json.dumps(b.get(n), sort_keys=True) for n in names) for b in body["results"]["bindings"])


def _rewritten(client: FlaskClient) -> dict:
    return client.get("/metrics").json["rewritten"]


def test_the_setting_switches_rewriting_and_the_answer_stays(client: FlaskClient, fixture_build) -> None:
    assert rewrite(QUERY).rules, "the query must be one the rewriter changes"
    on = client.application.config["PEACEKG"].query_rewrite
    before = _rewritten(client)
    response = client.post("/sparql", data={"query": QUERY}, headers={"Accept": "application/sparql-results+json"})
    rows = _rows(response)
    after = _rewritten(client)
    assert after["queries"] - before["queries"] == (1 if on else 0)
    if on:
        assert after["rules"].get("required-into-optional-base", 0) > before["rules"].get(
            "required-into-optional-base", 0
        )
    # the same answer as the engine gives the query as written, in this service's own store
    store_rows = _rows_direct(fixture_build(1))
    assert rows == store_rows and sum(rows.values()) > 0


def test_a_query_with_nothing_to_rewrite_is_not_counted(client: FlaskClient) -> None:
    before = _rewritten(client)["queries"]
    client.get("/sparql", query_string={"query": LOOKUP}, headers={"Accept": "application/sparql-results+json"})
    assert _rewritten(client)["queries"] == before


def _rows_direct(settings: Settings) -> Counter:
    """The rows of QUERY as written, from pyoxigraph on the same store, as SPARQL JSON terms."""
    from pathlib import Path

    from kg.sparql.json_terms import json_term
    from kg.store.builds import open_store

    solutions = open_store(Path(settings.build_dir)).query(QUERY, use_default_graph_as_union=True)
    names = [v.value for v in solutions.variables]
    return Counter(
        tuple(json.dumps(json_term(s[n]), sort_keys=True) if s[n] is not None else json.dumps(None) for n in names)
        for s in solutions
    )
