"""The checks every remote engine fronted by ``peacekg serve --store URL`` must pass (oxigraph
serve in test_remote_store.py, Virtuoso in test_virtuoso.py)."""

from __future__ import annotations

from service import create_app
from service.state import state

PK = "https://w3id.org/peacekg/ontology/"
ROOT_ENV_EXCLUDED = "PEACEKG_"  # a test process's own settings never leak into the servers it starts


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
        state(local_app).pool.close()
