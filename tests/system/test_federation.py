"""Federated queries: the stored queries/federated-*.rq join PeaceKG's skos:exactMatch links with
Wikidata through SERVICE. Wikidata is played by a real `oxigraph serve` on 127.0.0.1 loaded with
tests/data/wikidata-fixture.ttl; the PeaceKG service routes SERVICE calls to Wikidata there by its
allow-list (PEACEKG_FEDERATION_ENDPOINTS), and refuses any endpoint not on it."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph
import pytest

from kg.builder.pipeline import build
from kg.store.builds import open_store

from helpers.corpora import corpus_with_ids, settings_for
from helpers.paths import ROOT
from helpers.servers import running_service
from helpers.wikidata import FIXTURE_IDS, wikidata_fixture_server

pytestmark = pytest.mark.slow

WIKIDATA = "https://query.wikidata.org/sparql"
RES = "https://w3id.org/peacekg/resource/"
WD = "http://www.wikidata.org/entity/"
HEADS = [  # what federated-heads-of-state answers on the fixture build
    {
        "actor": RES + "ana-exempla",
        "actorLabel": "Ana Exempla",
        "office": "head of state",
        "state": RES + "ruritania",
        "stateLabel": "Ruritania",
        "wikidataState": WD + "Q90000002",
        "birthDate": "1961-04-02T00:00:00Z",
        "description": "Ruritanian politician, President of Ruritania",
        "item": WD + "Q90000001",
    },
]
STATES = [  # what federated-state-facts answers: Freedonia has no capital or population there
    {
        "state": RES + "freedonia",
        "stateLabel": "Freedonia",
        "description": "fictional country",
        "item": WD + "Q90000006",
    },
    {
        "state": RES + "ruritania",
        "stateLabel": "Ruritania",
        "description": "fictional kingdom in central Europe",
        "capital": WD + "Q90000020",
        "capitalLabel": "Strelsau",
        "population": "2500000",
        "item": WD + "Q90000002",
    },
]


def stored(name: str) -> str:
    return (ROOT / "queries" / f"{name}.rq").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory):
    """A store of the fixture corpus in which three fictional individuals carry (test-only) verified ids."""
    tmp = tmp_path_factory.mktemp("federation")
    settings = settings_for(tmp, corpus_with_ids(tmp, FIXTURE_IDS))
    build(settings)
    return settings


@pytest.fixture(scope="module")
def wikidata(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with wikidata_fixture_server(tmp_path_factory.mktemp("wikidata")) as endpoint:
        yield endpoint


@pytest.fixture(scope="module")
def service(built, wikidata: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = tmp_path_factory.mktemp("service") / "service.log"
    with running_service(
        Path(built.build_dir),
        log,
        corpus_dir=Path(built.corpus_dir),
        extra_env={"PEACEKG_FEDERATION_ENDPOINTS": f"{WIKIDATA}={wikidata}"},
    ) as base:
        yield base


def plain(rows: list[dict]) -> list[dict]:
    return [{name: cell["value"] for name, cell in row.items()} for row in rows]


def local_rows(settings, query: str) -> list[dict]:
    """Run a query on the built store in this process (pyoxigraph), for comparison."""
    solutions = open_store(Path(settings.build_dir)).query(query, use_default_graph_as_union=True)
    names = [v.value for v in solutions.variables]
    return [{n: row[n].value for n in names if row[n] is not None} for row in solutions]


def post_query(base: str, query: str) -> tuple[int, dict]:
    request = urllib.request.Request(
        base + "/sparql",
        data=query.encode("utf-8"),
        method="POST",
        headers={"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.mark.parametrize("name, expected", [("federated-heads-of-state", HEADS), ("federated-state-facts", STATES)])
def test_the_stored_queries_join_our_links_with_wikidata_data(
    built, wikidata: str, name: str, expected: list[dict]
) -> None:
    """The queries themselves, run by pyoxigraph with SERVICE pointed at the stand-in."""
    query = stored(name)
    assert f"SERVICE <{WIKIDATA}>" in query
    assert local_rows(built, query.replace(f"<{WIKIDATA}>", f"<{wikidata}>")) == expected


@pytest.mark.parametrize("name, expected", [("federated-heads-of-state", HEADS), ("federated-state-facts", STATES)])
def test_the_service_routes_wikidata_to_the_allowed_endpoint(service: str, name: str, expected: list[dict]) -> None:
    status, body = post_query(service, stored(name))
    assert status == 200, body
    assert plain(body["results"]["bindings"]) == expected


@pytest.mark.parametrize("endpoint", ["{wikidata}", "http://169.254.169.254/latest/meta-data/", "?anywhere"])
def test_the_service_refuses_endpoints_not_on_its_allow_list(service: str, wikidata: str, endpoint: str) -> None:
    """The stand-in's own address is where Wikidata calls are routed, not an allowed name; a cloud
    metadata address and a variable are refused too, before any request leaves the server."""
    name = endpoint.format(wikidata=wikidata)
    target = name if name.startswith("?") else f"<{name}>"
    status, body = post_query(service, f"SELECT * WHERE {{ SERVICE {target} {{ ?s ?p ?o }} }} LIMIT 1")
    assert 400 <= status < 500, body
    assert set(body) >= {"status", "error", "message"} and body["status"] == status
    assert "allow" in body["message"]


def test_without_the_setting_federation_is_off(built, wikidata: str, tmp_path: Path) -> None:
    with running_service(Path(built.build_dir), tmp_path / "service.log", corpus_dir=Path(built.corpus_dir)) as base:
        status, body = post_query(base, stored("federated-state-facts"))
    assert 400 <= status < 500 and "none (federation is off)" in body["message"]


def test_the_service_description_announces_federation(service: str) -> None:
    request = urllib.request.Request(service + "/sparql", headers={"Accept": "text/turtle"})
    with urllib.request.urlopen(request, timeout=10) as response:
        description = response.read().decode("utf-8")
    graph = pyoxigraph.parse(description.encode("utf-8"), format=pyoxigraph.RdfFormat.TURTLE)
    assert any(t.object.value.endswith("#BasicFederatedQuery") for t in graph)
