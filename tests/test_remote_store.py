"""`peacekg serve --store URL`: the service in front of a remote SPARQL engine. The same checks run
against every engine available here: `oxigraph serve` (always) and Virtuoso (tests/test_virtuoso.py
runs them when Virtuoso can be installed and started). Each engine is a real server on 127.0.0.1,
stopped by PID."""

from __future__ import annotations

import pytest
from servers import free_port, running_oxigraph
from test_build import make_corpus, settings_for

from kg.builder.pipeline import build
from kg.store.builds import current_build
from service import create_app

PK = "https://w3id.org/peacekg/ontology/"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
ROOT_ENV_EXCLUDED = "PEACEKG_"  # a test process's own settings never leak into the servers it starts


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("remote")
    settings = settings_for(tmp, make_corpus(tmp, articles=1))
    build(settings)
    return settings


@pytest.fixture(scope="module")
def oxigraph_endpoint(built, tmp_path_factory):
    store = current_build(built.build_dir) / "oxigraph"
    log = tmp_path_factory.mktemp("oxigraph-log") / "oxigraph.log"
    with running_oxigraph(store, log, read_only=True, union_default_graph=True) as endpoint:
        yield endpoint


def check_fronted_engine(built, endpoint: str) -> None:
    """Everything a user does through the service, answered by the remote engine at ``endpoint``."""
    local_app, app = create_app(built), create_app(built.replace(store_url=endpoint, max_result_rows=5))
    local, remote = local_app.test_client(), app.test_client()
    try:
        health = remote.get("/health")
        assert health.status_code == 200 and health.json["store"] == {"remote": endpoint}
        ours = (
            "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
            f'FILTER(STRSTARTS(STR(?g), "{built.base_iri}")) }}'
        )  # engines may hold graphs of their own
        want = local.post("/sparql", data={"query": ours}).json["results"]["bindings"][0]["n"]["value"]
        got = remote.post("/sparql", data={"query": ours})
        assert got.status_code == 200 and got.json["results"]["bindings"][0]["n"]["value"] == want
        for accept in ("text/csv", "application/sparql-results+xml", "text/tab-separated-values"):
            response = remote.get(
                "/sparql", query_string={"query": "SELECT ?s WHERE { ?s ?p ?o }"}, headers={"Accept": accept}
            )
            assert response.status_code == 200 and response.mimetype == accept
            assert response.headers.get("X-PeaceKG-Truncated") == "true"  # max_result_rows=5 holds remotely too
        ask = remote.get(
            "/sparql",
            query_string={"query": f"ASK {{ ?c a <{PK}Claim> }}"},
            headers={"Accept": "application/sparql-results+json"},
        )
        assert ask.status_code == 200 and ask.json["boolean"] is True
        person = local.get(
            "/sparql", query_string={"query": f"SELECT ?p WHERE {{ ?p a <{PK}Person> }} ORDER BY ?p LIMIT 1"}
        ).json
        iri = person["results"]["bindings"][0]["p"]["value"]
        graph = remote.get(
            "/sparql", query_string={"query": f"CONSTRUCT WHERE {{ <{iri}> ?p ?o }}"}, headers={"Accept": "text/turtle"}
        )
        assert graph.status_code == 200 and graph.mimetype == "text/turtle" and iri.encode() in graph.data
        page = remote.get("/" + iri.removeprefix(built.base_iri), headers={"Accept": "text/html"})
        assert page.status_code == 200 and b"<html" in page.data
        store = remote.get(f"/store?graph={built.base_iri}graph/reference", headers={"Accept": "application/n-triples"})
        # The graph name is bound as a VALUES term remotely: found (and too large for max_result_rows=5), or not.
        assert store.status_code == 413 and "more than 5 triples" in store.json["message"]
        assert remote.get("/store?graph=http://example.org/none").status_code == 404
        bad = remote.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p }"})
        assert bad.status_code == 400 and bad.json["status"] == 400
        assert remote.post("/sparql", data={"update": "CLEAR ALL"}).status_code == 403
    finally:
        local_app.extensions["peacekg_pool"].close()


def test_fronting_oxigraph_serve(built, oxigraph_endpoint) -> None:
    check_fronted_engine(built, oxigraph_endpoint)


def test_unreachable_remote_store_is_503(built) -> None:
    app = create_app(built.replace(store_url=f"http://127.0.0.1:{free_port()}/sparql"))
    client = app.test_client()
    assert client.get("/health").status_code == 503
    response = client.get("/sparql", query_string={"query": COUNT})
    assert response.status_code == 503 and "unreachable" in response.json["message"]
