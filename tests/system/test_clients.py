"""Clients users already have work unchanged against `peacekg serve` (a real waitress server on
127.0.0.1, started by the test and stopped by PID): SPARQLWrapper in every result format,
rdflib's SPARQLStore, and curl."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import rdflib
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, N3, RDFXML, TSV, TURTLE, XML, SPARQLWrapper

from helpers.servers import running_service

pytestmark = pytest.mark.slow
PK = "https://w3id.org/peacekg/ontology/"
CLAIMS = f"SELECT ?claim ?summary WHERE {{ ?claim a <{PK}Claim> ; <{PK}summary> ?summary }} ORDER BY ?claim"


@pytest.fixture(scope="module")
def endpoint(fixture_build, tmp_path_factory):
    settings = fixture_build(1)
    log = tmp_path_factory.mktemp("clients") / "server.log"
    with running_service(Path(settings.build_dir), log, corpus_dir=Path(settings.corpus_dir)) as base:
        yield base + "/sparql"


@pytest.mark.parametrize("fmt", [JSON, XML, CSV, TSV])
def test_sparqlwrapper_select_in_every_format(endpoint: str, fmt: str) -> None:
    client = SPARQLWrapper(endpoint)
    client.setQuery(CLAIMS)
    client.setReturnFormat(fmt)
    result = client.queryAndConvert()
    if fmt == JSON:
        assert len(result["results"]["bindings"]) == 2
    elif fmt == XML:
        assert len(result.getElementsByTagName("result")) == 2
    else:
        text = result.decode("utf-8") if isinstance(result, bytes) else result
        assert len(text.strip().splitlines()) == 3  # header and two rows


@pytest.mark.parametrize("fmt", [JSON, XML])
def test_sparqlwrapper_ask(endpoint: str, fmt: str) -> None:
    client = SPARQLWrapper(endpoint)
    client.setQuery(f"ASK {{ ?s a <{PK}Claim> }}")
    client.setReturnFormat(fmt)
    result = client.queryAndConvert()
    value = result["boolean"] if fmt == JSON else result.getElementsByTagName("boolean")[0].firstChild.data == "true"
    assert value is True


@pytest.mark.parametrize("fmt", [TURTLE, N3, RDFXML, "json-ld"])
def test_sparqlwrapper_construct(endpoint: str, fmt: str) -> None:
    client = SPARQLWrapper(endpoint)
    client.setQuery(f"CONSTRUCT {{ ?s a <{PK}Claim> }} WHERE {{ ?s a <{PK}Claim> }}")
    client.setReturnFormat(fmt)
    result = client.queryAndConvert()
    graph = (
        result
        if isinstance(result, rdflib.Graph)
        else rdflib.Graph().parse(
            data=result, format={"json-ld": "json-ld", TURTLE: "turtle", N3: "turtle", RDFXML: "xml"}[fmt]
        )
    )
    assert len(graph) == 2


def test_sparqlwrapper_post(endpoint: str) -> None:
    client = SPARQLWrapper(endpoint)
    client.setMethod("POST")
    client.setQuery(CLAIMS)
    client.setReturnFormat(JSON)
    assert len(client.queryAndConvert()["results"]["bindings"]) == 2


def test_rdflib_sparqlstore(endpoint: str) -> None:
    graph = rdflib.Graph(store=SPARQLStore(endpoint, returnFormat="json"))
    rows = list(graph.query(CLAIMS))
    assert len(rows) == 2 and all(isinstance(r.claim, rdflib.URIRef) for r in rows)
    claims = list(graph.triples((None, rdflib.RDF.type, rdflib.URIRef(PK + "Claim"))))
    assert len(claims) == 2


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed on this machine")
def test_curl(endpoint: str) -> None:
    done = subprocess.run(
        [
            "curl",
            "-s",
            "-f",
            "-H",
            "Accept: application/sparql-results+json",
            "--data-urlencode",
            f"query={CLAIMS}",
            endpoint,
        ],
        capture_output=True,
        check=True,
    )
    assert len(json.loads(done.stdout)["results"]["bindings"]) == 2
    bad = subprocess.run(
        ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--data-urlencode", "query=SELEC", endpoint],
        capture_output=True,
        text=True,
        check=True,
    )
    assert bad.stdout == "400"
