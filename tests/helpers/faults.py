"""What the fault tests of the build and of the service share: how they count what is served."""

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
SEED = 20260808


def served_count(client) -> int:
    response = client.get("/sparql", query_string={"query": COUNT})
    assert response.status_code == 200, response.data
    return int(response.json["results"]["bindings"][0]["n"]["value"])
