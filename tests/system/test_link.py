"""External links: verified Wikidata/DBpedia ids become skos:exactMatch links (never owl:sameAs)
next to their typed identifiers, VoID linksets count them from the store, and `peacekg link`
finds candidates for unlinked individuals from a real SPARQL server (oxigraph loaded with a
Wikidata-shaped fixture), scored and explained, in a review file — applied to nothing."""

from __future__ import annotations

import contextlib
import hashlib
import http.server
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import rdflib
import yaml
from click.testing import CliRunner
from rdflib.compare import isomorphic

from kg.annotations.check import open_corpus, vocabulary_index
from kg.annotations.vocabulary import VocabularyIndex
from kg.builder.pipeline import build
from kg.cli import cli
from kg.link.candidates import Endpoint, LinkError, reconcile
from kg.link.review import review_yaml
from kg.mapping.dataset import reference_graph
from kg.mapping.individuals import emit_individual
from kg.mapping.iris import Minter
from kg.mapping.values import Emitter
from kg.settings import load_settings
from kg.store.builds import open_store
from kg.store.export import export

from helpers.corpora import corpus_with_ids
from helpers.paths import DATA, ROOT
from helpers.servers import free_port
from helpers.wikidata import FIXTURE_IDS, wikidata_fixture_server

BASE = "https://w3id.org/peacekg/"
SKOS = rdflib.Namespace("http://www.w3.org/2004/02/skos/core#")
VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
WD, DBR = "http://www.wikidata.org/entity/", "http://dbpedia.org/resource/"


def settings_for(tmp_path: Path, corpus: Path = DATA / "corpus", **overrides):
    return load_settings(
        config_file=None,
        environ={},
        overrides={
            "corpus_dir": corpus,
            "ontology_dir": ROOT / "ontology",
            "build_dir": tmp_path / "build",
            "link_interval_s": 0,
            **overrides,
        },
    )


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with wikidata_fixture_server(tmp_path_factory.mktemp("wikidata")) as url:
        yield url


# -- links in the graph ---------------------------------------------------------------------------


def test_verified_ids_become_typed_identifiers_and_exact_matches(ontology_graph: rdflib.Graph) -> None:
    item = {
        "key": "x-treaty",
        "type": "NonAggressionPact",
        "label": "X Treaty",
        "wikidata": {"id": "Q123", "status": "verified", "checked": "t"},
        "dbpedia": {"id": "Soviet–Polish_Non-Aggression_Pact", "status": "verified", "checked": "t"},
        "atop": {"id": "2295", "status": "verified", "checked": "t"},
        "pax": {"id": "1363", "status": "unverified", "checked": "t"},
    }
    out = Emitter(rdflib.Graph(), Minter(BASE), VocabularyIndex.from_graph(ontology_graph))
    emit_individual(out, item)
    expected = rdflib.Graph().parse(
        format="turtle",
        data=f"""
        @prefix pk: <https://w3id.org/peacekg/ontology/> . @prefix skos: <{SKOS}> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        <{BASE}resource/x-treaty> a pk:NonAggressionPact ; rdfs:label "X Treaty"@en ;
            pk:wikidataId "Q123" ; pk:dbpediaId "Soviet–Polish_Non-Aggression_Pact" ; pk:atopId "2295" ;
            skos:exactMatch <{WD}Q123> , <{DBR}Soviet–Polish_Non-Aggression_Pact> .""",
    )
    assert isomorphic(out.graph, expected), out.graph.serialize(format="turtle")


def test_reference_graph_links_exactly_the_verified_ids(tmp_path: Path) -> None:
    """Over the real reference data: one skos:exactMatch per verified Wikidata/DBpedia id, none for
    an unverified one, and no owl:sameAs at all."""
    settings = load_settings(
        config_file=None, environ={}, overrides={"ontology_dir": ROOT / "ontology", "build_dir": tmp_path}
    )
    corpus = open_corpus(settings)
    graph = reference_graph(corpus, Minter(BASE), vocabulary_index(settings))
    expected = set()
    for _doc, _i, item in corpus.reference:
        for field, space in (("wikidata", WD), ("dbpedia", DBR)):
            value = item.get(field) or {}
            if value.get("status") == "verified":
                expected.add((f"{BASE}resource/{item['key']}", space + value["id"]))
    linked = {(str(s), str(o)) for s, o in graph.subject_objects(SKOS.exactMatch) if str(o).startswith((WD, DBR))}
    assert linked == expected
    assert len([1 for _, o in expected if o.startswith(WD)]) >= 60
    assert not list(graph.triples((None, rdflib.OWL.sameAs, None)))


def test_void_linksets_count_the_links_in_the_store(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, corpus_with_ids(tmp_path, FIXTURE_IDS))
    build(settings)
    export(settings)
    void = rdflib.Graph().parse(Path(settings.build_dir) / "dumps" / "void.ttl", format="turtle")
    store = open_store(Path(settings.build_dir))
    [row] = list(
        store.query(
            f"SELECT (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT ?s ?o WHERE {{ GRAPH ?g {{ ?s <{SKOS.exactMatch}> ?o "
            f'FILTER(STRSTARTS(STR(?o), "{WD}")) }} }} }}'
        )
    )
    assert int(row["n"].value) == len(FIXTURE_IDS)
    linkset = rdflib.URIRef(BASE + "dataset/linkset/wikidata/exactMatch")
    assert (linkset, rdflib.RDF.type, VOID.Linkset) in void
    assert int(void.value(linkset, VOID.triples)) == len(FIXTURE_IDS)
    assert void.value(linkset, VOID.linkPredicate) == SKOS.exactMatch
    target = void.value(linkset, VOID.objectsTarget)
    assert str(void.value(target, VOID.uriSpace)) == WD
    assert void.value(linkset, VOID.subjectsTarget) == rdflib.URIRef(BASE + "dataset")
    assert not list(
        void.subjects(VOID.objectsTarget, rdflib.URIRef(BASE + "dataset/external/dbpedia"))
    )  # no DBpedia ids here
    partition = rdflib.URIRef(BASE + "dataset/property/wikidataId")
    assert int(void.value(partition, VOID.triples)) == len(FIXTURE_IDS)


# -- peacekg link -----------------------------------------------------------------------------


def entries(document: dict) -> dict[str, dict]:
    return {e["key"]: e for e in document["entities"]}


def test_link_finds_scores_and_explains_candidates(tmp_path: Path, endpoint: str) -> None:
    document = reconcile(settings_for(tmp_path), endpoint=endpoint)
    found = entries(document)
    assert list(found) == sorted(found)  # deterministic order: by key
    assert "reader-fx-1" not in found  # anonymous sources are not linkable
    ana = found["ana-exempla"]
    assert ana["status"] == "single"
    assert [(c["id"], c["score"]) for c in ana["candidates"]] == [("Q90000001", 0.95), ("Q90000011", 0.0)]
    best = ana["candidates"][0]
    assert best["label"] == "Ana Exempla" and best["description"] == "Ruritanian politician, President of Ruritania"
    assert best["instance_of"] == ["human (Q5)"]
    assert best["why"] == [
        "our label is its label (en): +0.60",
        'also matched by "Exempla": +0.05',
        "instance of human (Q5), expected for Person: +0.30",
    ]
    assert "disambiguation" in " ".join(ana["candidates"][1]["why"])
    # ambiguous: two items labelled "Northern Pact"; the alliance ranks above the album
    pact = found["northern-pact"]
    assert pact["status"] == "ambiguous"
    assert [(c["id"], c["score"]) for c in pact["candidates"]] == [("Q90000004", 0.9), ("Q90000005", 0.6)]
    # no match at all
    assert found["fictional-gazette"]["status"] == "none" and found["fictional-gazette"]["candidates"] == []
    # a label only in Wikidata's language-independent "mul"
    assert found["freedonia"]["candidates"][0]["matched"] == ['"Freedonia" is its label (mul)']
    # an unverified id of the reference data is shown, not trusted
    treaty = found["treaty-of-nowhere"]
    assert treaty["unverified_id"] == "Q99999999" and treaty["candidates"][0]["id"] == "Q90000007"
    assert (document["single"], document["ambiguous"], document["weak"], document["none"]) == (4, 1, 0, 1)


def test_languages_restrict_the_match(tmp_path: Path, endpoint: str) -> None:
    found = entries(reconcile(settings_for(tmp_path), endpoint=endpoint, languages=["en"], keys=["freedonia"]))
    assert found["freedonia"]["status"] == "none"


def test_individuals_already_linked_are_skipped(tmp_path: Path, endpoint: str) -> None:
    corpus = corpus_with_ids(tmp_path, FIXTURE_IDS)
    found = entries(reconcile(settings_for(tmp_path, corpus), endpoint=endpoint))
    assert set(FIXTURE_IDS).isdisjoint(found) and "northern-pact" in found


def test_cli_writes_a_deterministic_review_file_and_applies_nothing(tmp_path: Path, endpoint: str) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(DATA / "corpus", corpus)
    before = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(corpus.rglob("*")) if p.is_file()}
    env = {"PEACEKG_CORPUS_DIR": str(corpus), "PEACEKG_LINK_INTERVAL_S": "0"}
    outputs = []
    for n in (1, 2):
        out = tmp_path / f"review-{n}.yaml"
        result = CliRunner().invoke(
            cli,
            [
                "--build-dir",
                str(tmp_path / "build"),
                "--ontology-dir",
                str(ROOT / "ontology"),
                "link",
                "--endpoint",
                endpoint,
                "--out",
                str(out),
            ],
            env=env,
        )
        assert result.exit_code == 0, result.output
        assert "nothing was applied" in result.output
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    assert (
        outputs[0]
        .decode("utf-8")
        .startswith("# Candidate Wikidata items from `peacekg link`. NOTHING HERE IS APPLIED.")
    )
    assert yaml.safe_load(outputs[0])["endpoint"] == endpoint
    after = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(corpus.rglob("*")) if p.is_file()}
    assert after == before


def test_the_endpoint_setting_is_the_default(tmp_path: Path, endpoint: str) -> None:
    document = reconcile(settings_for(tmp_path, link_endpoint=endpoint), keys=["ruritania"])
    assert document["endpoint"] == endpoint and entries(document)["ruritania"]["candidates"][0]["id"] == "Q90000002"


def test_unknown_keys_are_refused(tmp_path: Path, endpoint: str) -> None:
    result = CliRunner().invoke(
        cli,
        ["--build-dir", str(tmp_path), "link", "--endpoint", endpoint, "--key", "no-such-key"],
        env={"PEACEKG_CORPUS_DIR": str(DATA / "corpus")},
    )
    assert result.exit_code == 3 and "no-such-key" in result.output


# -- politeness and failures (a scripted HTTP server in a thread) ---------------------------------

EMPTY = b'{"head": {"vars": []}, "results": {"bindings": []}}'


@contextlib.contextmanager
def scripted_server(answers: list[tuple[int, dict[str, str], bytes, float]]) -> Iterator[tuple[str, list[dict]]]:
    """An HTTP server answering each request with the next (status, headers, body, delay_s); the
    last answer repeats. Yields its URL and the requests it saw (headers and body)."""
    seen: list[dict] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            seen.append({"headers": dict(self.headers), "body": body.decode("utf-8")})
            status, headers, payload, delay = answers[min(len(seen), len(answers)) - 1]
            time.sleep(delay)
            self.send_response(status)
            for name, value in {"Content-Type": "application/sparql-results+json", **headers}.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/sparql", seen
    finally:
        server.shutdown()
        server.server_close()


def test_requests_are_batched_identified_and_spaced(tmp_path: Path) -> None:
    waits: list[float] = []
    with scripted_server([(200, {}, EMPTY, 0)]) as (url, seen):
        settings = settings_for(tmp_path, link_batch_size=2, link_interval_s=1.5)
        client = Endpoint(
            url,
            "PeaceKG/test (peacekg link; https://w3id.org/peacekg/)",
            1.5,
            10,
            sleep=waits.append,
            clock=lambda: 100.0,
        )
        document = reconcile(settings, endpoint=url, client=client)
    assert document["individuals"] == 6 and len(seen) == 3  # six linkable individuals, two per request
    assert waits == [1.5, 1.5]  # the clock stands still: every later request waits the whole interval
    agent = seen[0]["headers"]["User-Agent"]
    assert agent.startswith("PeaceKG/") and "w3id.org/peacekg" in agent


def test_default_user_agent_names_peacekg(tmp_path: Path) -> None:
    with scripted_server([(200, {}, EMPTY, 0)]) as (url, seen):
        reconcile(settings_for(tmp_path), endpoint=url, keys=["ruritania"])
    assert (
        seen[0]["headers"]["User-Agent"].startswith("PeaceKG/")
        and "https://w3id.org/peacekg/" in seen[0]["headers"]["User-Agent"]
    )


def test_retry_after_is_honoured_on_429(tmp_path: Path) -> None:
    waits: list[float] = []
    with scripted_server([(429, {"Retry-After": "7"}, b"slow down", 0), (200, {}, EMPTY, 0)]) as (url, seen):
        client = Endpoint(url, "PeaceKG/test", 0, 10, sleep=waits.append)
        reconcile(settings_for(tmp_path), endpoint=url, keys=["ruritania"], client=client)
    assert len(seen) == 2 and 7.0 in waits


@pytest.mark.parametrize(
    "answer, message",
    [
        ((500, {}, b"boom", 0), "refused the query"),
        ((429, {"Retry-After": "0"}, b"slow down", 0), "HTTP 429"),
        ((200, {}, b"<html>not json</html>", 0), "did not answer with SPARQL JSON"),
        ((200, {}, EMPTY, 3), "did not answer within 1 s"),
    ],
)
def test_endpoint_failures_exit_14(tmp_path: Path, answer, message: str) -> None:
    with scripted_server([answer]) as (url, _seen):
        result = CliRunner().invoke(
            cli,
            ["--build-dir", str(tmp_path), "link", "--endpoint", url, "--key", "ruritania"],
            env={
                "PEACEKG_CORPUS_DIR": str(DATA / "corpus"),
                "PEACEKG_LINK_INTERVAL_S": "0",
                "PEACEKG_LINK_TIMEOUT_S": "1",
            },
        )
    assert result.exit_code == 14, result.output
    assert message in result.output


def test_unreachable_endpoint_exits_14(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}/sparql"  # nothing listens there
    with pytest.raises(LinkError, match="cannot reach") as failure:
        reconcile(settings_for(tmp_path), endpoint=url, keys=["ruritania"])
    assert failure.value.exit_code == 14


def test_review_yaml_is_valid_yaml_with_the_header() -> None:
    document = {
        "endpoint": "x",
        "languages": ["en"],
        "individuals": 0,
        "single": 0,
        "ambiguous": 0,
        "weak": 0,
        "none": 0,
        "entities": [],
    }
    text = review_yaml(document)
    assert yaml.safe_load(text) == document and text.startswith("# ")
