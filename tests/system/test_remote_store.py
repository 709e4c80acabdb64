"""`peacekg serve --store URL`: the service in front of a remote SPARQL engine. The same checks run
against every engine available here: `oxigraph serve` (always) and Virtuoso (tests/system/test_virtuoso.py
runs them when Virtuoso can be installed and started). Each engine is a real server on 127.0.0.1,
stopped by PID."""

from __future__ import annotations

import pytest

from kg.store.builds import current_build
from service import create_app

from helpers.remote import check_fronted_engine
from helpers.servers import free_port, running_oxigraph

PK = "https://w3id.org/peacekg/ontology/"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


@pytest.fixture(scope="module")
def built(fixture_build):
    return fixture_build(1)


@pytest.fixture(scope="module")
def oxigraph_endpoint(built, tmp_path_factory):
    store = current_build(built.build_dir) / "oxigraph"
    log = tmp_path_factory.mktemp("oxigraph-log") / "oxigraph.log"
    with running_oxigraph(store, log, read_only=True, union_default_graph=True) as endpoint:
        yield endpoint


def test_fronting_oxigraph_serve(built, oxigraph_endpoint) -> None:
    check_fronted_engine(built, oxigraph_endpoint)


def test_unreachable_remote_store_is_503(built) -> None:
    app = create_app(built.replace(store_url=f"http://127.0.0.1:{free_port()}/sparql"))
    client = app.test_client()
    assert client.get("/health").status_code == 503
    response = client.get("/sparql", query_string={"query": COUNT})
    assert response.status_code == 503 and "unreachable" in response.json["message"]
