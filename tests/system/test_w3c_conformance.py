"""W3C conformance of `peacekg serve`: every test of the W3C SPARQL 1.1 Protocol, Graph Store
Protocol and Service Description manifests, run over HTTP against a real server (waitress, started
once per module as a subprocess on 127.0.0.1, stopped by PID).

The manifests live outside the repository, in the folder named by PEACEKG_TEST_W3C_DIR (holding
sparql11-protocol/, graph-store-protocol/ and service-description/); default: ../shared/w3c next to
the repository. When the folder is absent the module is skipped with the reason.

How the manifests are read (their rdfs:comment defines the terms):

* a test (mf:ProtocolTest, mf:GraphStoreProtocolTest) is a list of ht:Request run in order on one
  connection; each has ht:methodName, ht:absolutePath, ht:httpVersion, ht:headers (ht:fieldName /
  ht:fieldValue), maybe ht:body (cnt:chars in cnt:characterEncoding: the body is sent encoded in
  that encoding, e.g. UTF-16), and ht:resp, the expected ht:Response;
* ht:absolutePath starts with /sparql/ (protocol) or /gsp (graph store): the prefix is replaced by
  the path of the endpoint under test (ENDPOINT_PATH, GSP_PATH), the query string is kept as is;
* mf:expectedStatus: one or more of hts:StatusCode2xx…5xx (a class of codes) or a named code
  (hts:OK, hts:Created, hts:NoContent, hts:NotFound…); the status must match one of them;
* mf:expectedBoolean: the SPARQL JSON or XML boolean result; mf:expectedFormat: "boolean" (SPARQL
  JSON/XML), "tabular" (SPARQL JSON/XML/CSV/TSV) or "RDF" (Turtle, N-Triples, RDF/XML, JSON-LD, N3):
  the Content-Type must be one the format allows, and the body must parse as that;
* ht:headers and ht:body on a response: the header must match (media type and the parameters
  given), and the body must be an RDF graph isomorphic to the one returned;
* mf:expectedLocation "$X$": the response must carry a Location header, whose value replaces $X$
  in the later requests of the test (path and body);
* ut:graphData [ ut:graph <file> ; rdfs:label "graph IRI" ]: the data a query test needs; every
  such file is preloaded into the store under its graph name (with kg.store.builds.write_store) before
  the server starts, and the store is put back to that state before a test when an earlier test
  may have changed it (the suites assume each test starts from its declared state);
* mf:requires (graph store tests) names optional features, recorded in the reason;
* ht:connectionAuthority is the manifest's example host; requests go to the server under test;
* a term the harness does not know fails the test that uses it, rather than being ignored.

The service-description manifest has no requests: its three tests are defined by the W3C
Service Description validator (returns-rdf, has-endpoint-triple, conforms-to-schema) and are
interpreted here by their names (see ``_sd_*``).

The server under test has writes on (setting ``updates``) with a bearer token, and the build's
graphs unprotected (the suites clear and rewrite whatever they like). The manifests predate
authentication: the harness adds ``Authorization: Bearer <token>`` to every request that writes
(SPARQL Update, Graph Store PUT/POST/DELETE), as a client of a real deployment would; nothing else
of a request is changed. Putting the store back to the preloaded data means a new baseline build
and no live store (kg.store.live), so user graphs from earlier tests are not carried over.

Known service bugs are strict expected failures, with the bug as the reason (none today).
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import shutil
import sys
import time
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit
from urllib.request import url2pathname

import pyoxigraph
import pytest
import rdflib
from rdflib import RDF, RDFS, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.compare import isomorphic

from kg.store.builds import write_store

from helpers.paths import ROOT
from helpers.servers import free_port, running_service

pytestmark = pytest.mark.slow

W3C_DIR = Path(os.environ.get("PEACEKG_TEST_W3C_DIR") or ROOT.parent / "shared" / "w3c")
if not W3C_DIR.is_dir():
    pytest.skip(
        f"the W3C test suites are not at {W3C_DIR} (set PEACEKG_TEST_W3C_DIR to the folder holding "
        "sparql11-protocol/, graph-store-protocol/ and service-description/)",
        allow_module_level=True,
    )

ENDPOINT_PATH = "/sparql"  # what the manifests' /sparql/ prefix stands for
GSP_PATH = "/store"  # the Graph Store Protocol endpoint (indirect ?graph=, and direct /store/<path>)

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
DAWGT = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-dawg#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
SRX = "{http://www.w3.org/2005/sparql-results#}"

WRITE_TOKEN = "w3c-harness-token-0123456789abcdef"

# Tests that fail because of a bug in the service (not a missing feature): test name -> the bug.
KNOWN_SERVICE_BUGS: dict[str, str] = {}

# Media types each mf:expectedFormat allows (and how to parse them).
BOOLEAN_TYPES = {"application/sparql-results+json", "application/sparql-results+xml"}
TABULAR_TYPES = BOOLEAN_TYPES | {"text/csv", "text/tab-separated-values"}
RDF_TYPES = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
    "application/ld+json": "json-ld",
    "text/n3": "n3",
}  # RDFa is allowed by the spec, but not parseable here
FORMATS = {"boolean": BOOLEAN_TYPES, "tabular": TABULAR_TYPES, "RDF": set(RDF_TYPES)}
RDF_ACCEPT = "text/turtle, application/rdf+xml;q=0.9, application/n-triples;q=0.8, application/ld+json;q=0.7"

# The SPARQL 1.1 Service Description vocabulary (https://www.w3.org/TR/sparql11-service-description/#vocab).
SD_CLASSES = {
    "Service",
    "Feature",
    "Language",
    "Function",
    "Aggregate",
    "EntailmentRegime",
    "EntailmentProfile",
    "GraphCollection",
    "Dataset",
    "Graph",
    "NamedGraph",
}
SD_INSTANCES = {
    "SPARQL10Query",
    "SPARQL11Query",
    "SPARQL11Update",
    "DereferencesURIs",
    "UnionDefaultGraph",
    "RequiresDataset",
    "EmptyGraphs",
    "BasicFederatedQuery",
}
SD_PROPERTIES = {
    "endpoint",
    "feature",
    "defaultEntailmentRegime",
    "entailmentRegime",
    "defaultSupportedEntailmentProfile",
    "supportedEntailmentProfile",
    "extensionFunction",
    "extensionAggregate",
    "languageExtension",
    "supportedLanguage",
    "propertyFeature",
    "defaultDataset",
    "availableGraphs",
    "resultFormat",
    "inputFormat",
    "defaultGraph",
    "namedGraph",
    "name",
    "graph",
}

KNOWN_TEST_TERMS = {
    RDF.type,
    MF.name,
    MF.action,
    MF.requires,
    RDFS.comment,
    RDFS.label,
    DAWGT.approval,
    DAWGT.approvedBy,
    UT.graphData,
}
KNOWN_REQUEST_TERMS = {RDF.type, HT.methodName, HT.absolutePath, HT.httpVersion, HT.headers, HT.body, HT.resp}
KNOWN_RESPONSE_TERMS = {
    RDF.type,
    MF.expectedStatus,
    MF.expectedBoolean,
    MF.expectedFormat,
    MF.expectedLocation,
    HT.headers,
    HT.body,
}
KNOWN_BODY_TERMS = {RDF.type, CNT.chars, CNT.characterEncoding}
KNOWN_HEADER_TERMS = {RDF.type, HT.fieldName, HT.fieldValue}
KNOWN_CONNECTION_TERMS = {RDF.type, HT.connectionAuthority, HT.requests}
TEST_TYPES = {MF.ProtocolTest, MF.GraphStoreProtocolTest, MF.ServiceDescriptionTest}
STATUS_BY_NAME = {re.sub(r"[^A-Za-z0-9]", "", s.phrase): int(s) for s in HTTPStatus}


def _status_matcher(term: URIRef) -> Callable[[int], bool] | None:
    if not str(term).startswith(str(HTS)):
        return None
    name = str(term)[len(str(HTS)) :]
    if match := re.fullmatch(r"StatusCode([1-5])xx", name):
        family = int(match.group(1))
        return lambda status: status // 100 == family
    if match := re.fullmatch(r"StatusCode(\d{3})", name):
        code = int(match.group(1))
        return lambda status: status == code
    if name in STATUS_BY_NAME:
        named = STATUS_BY_NAME[name]
        return lambda status: status == named
    return None


# ---------------------------------------------------------------------------------------------
# The manifests


@dataclass
class Body:
    chars: str
    encoding: str

    def encoded(self) -> bytes:
        return self.chars.encode(self.encoding)


@dataclass
class Expected:
    statuses: list[URIRef] = field(default_factory=list)
    boolean: bool | None = None
    format: str | None = None
    location: str | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: Body | None = None


@dataclass
class Request:
    method: str
    path: str
    http_version: str
    headers: list[tuple[str, str]]
    body: Body | None
    expected: Expected

    def header(self, name: str) -> str | None:
        return next((v for n, v in self.headers if n.lower() == name.lower()), None)

    def is_update(self) -> bool:
        """A SPARQL Update operation: direct POST, or an `update` parameter in the URL or a form body."""
        media = (self.header("content-type") or "").split(";")[0].strip().lower()
        if media == "application/sparql-update":
            return True
        if "update" in parse_qs(urlsplit(self.path).query, keep_blank_values=True):
            return True
        return (
            media == "application/x-www-form-urlencoded"
            and self.body is not None
            and "update" in parse_qs(self.body.chars, keep_blank_values=True)
        )


@dataclass
class W3CTest:
    suite: str  # "protocol", "gsp" or "sd"
    name: str  # the local name of the test IRI
    title: str
    kind: URIRef | None
    requests: list[Request] = field(default_factory=list)
    requires: list[str] = field(default_factory=list)
    graph_data: list[tuple[Path, str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # terms of the manifest this harness cannot interpret


def _local(term: Any) -> str:
    text = str(term)
    return re.split(r"[#/]", text)[-1]


def _unknown(graph: rdflib.Graph, node: Any, known: set[URIRef], what: str) -> list[str]:
    return [
        f"{what} uses {p.n3(graph.namespace_manager)}, which this harness does not interpret"
        for p in sorted(set(graph.predicates(node)))
        if p not in known
    ]


def _items(graph: rdflib.Graph, node: Any) -> list[Any]:
    return list(Collection(graph, node)) if node is not None else []


def _body(graph: rdflib.Graph, node: Any, problems: list[str], what: str) -> Body | None:
    if node is None:
        return None
    problems += _unknown(graph, node, KNOWN_BODY_TERMS, what)
    chars = graph.value(node, CNT.chars)
    if chars is None:
        problems.append(f"{what} has no cnt:chars")
        return None
    return Body(str(chars), str(graph.value(node, CNT.characterEncoding) or "UTF-8"))


def _headers(graph: rdflib.Graph, node: Any, problems: list[str], what: str) -> list[tuple[str, str]]:
    headers = []
    for item in _items(graph, node):
        problems += _unknown(graph, item, KNOWN_HEADER_TERMS, what)
        headers.append((str(graph.value(item, HT.fieldName)), str(graph.value(item, HT.fieldValue))))
    return headers


def _request(graph: rdflib.Graph, node: Any, problems: list[str], what: str) -> Request:
    problems += _unknown(graph, node, KNOWN_REQUEST_TERMS, what)
    resp = graph.value(node, HT.resp)
    expected = Expected()
    if resp is None:
        problems.append(f"{what} has no ht:resp")
    else:
        problems += _unknown(graph, resp, KNOWN_RESPONSE_TERMS, f"{what}'s response")
        expected.statuses = sorted(graph.objects(resp, MF.expectedStatus))
        boolean = graph.value(resp, MF.expectedBoolean)
        expected.boolean = None if boolean is None else bool(boolean.toPython())
        fmt = graph.value(resp, MF.expectedFormat)
        expected.format = None if fmt is None else str(fmt)
        if expected.format is not None and expected.format not in FORMATS:
            problems.append(f"{what}: unknown mf:expectedFormat {expected.format!r}")
        location = graph.value(resp, MF.expectedLocation)
        expected.location = None if location is None else str(location)
        expected.headers = _headers(graph, graph.value(resp, HT.headers), problems, f"{what}'s response header")
        expected.body = _body(graph, graph.value(resp, HT.body), problems, f"{what}'s response body")
        for status in expected.statuses:
            if _status_matcher(status) is None:
                problems.append(f"{what}: unknown mf:expectedStatus {status}")
    return Request(
        method=str(graph.value(node, HT.methodName)),
        path=str(graph.value(node, HT.absolutePath)),
        http_version=str(graph.value(node, HT.httpVersion) or "1.1"),
        headers=_headers(graph, graph.value(node, HT.headers), problems, f"{what}'s header"),
        body=_body(graph, graph.value(node, HT.body), problems, f"{what}'s body"),
        expected=expected,
    )


def load_manifest(path: Path, suite: str) -> list[W3CTest]:
    graph = rdflib.Graph().parse(path, format="turtle", publicID=path.resolve().as_uri())
    manifest = URIRef(path.resolve().as_uri())
    entries = _items(graph, graph.value(manifest, MF.entries))
    tests = []
    for entry in entries:
        test = W3CTest(
            suite=suite,
            name=_local(entry),
            title=str(graph.value(entry, MF.name) or ""),
            kind=graph.value(entry, RDF.type),
        )
        test.problems += _unknown(graph, entry, KNOWN_TEST_TERMS, "the test")
        if test.kind not in TEST_TYPES:
            test.problems.append(f"unknown test type {test.kind}")
        test.requires = sorted(_local(r) for r in graph.objects(entry, MF.requires))
        for data in graph.objects(entry, UT.graphData):
            source, name = graph.value(data, UT.graph), graph.value(data, RDFS.label)
            test.graph_data.append((Path(url2pathname(urlsplit(str(source)).path)), str(name)))
        action = graph.value(entry, MF.action)
        if action is not None:
            test.problems += _unknown(graph, action, KNOWN_CONNECTION_TERMS, "the connection")
            for i, node in enumerate(_items(graph, graph.value(action, HT.requests)), 1):
                test.requests.append(_request(graph, node, test.problems, f"request {i}"))
        elif test.kind != MF.ServiceDescriptionTest:
            test.problems.append("the test has no mf:action")
        tests.append(test)
    return tests


def _params(suite: str, manifests: list[str]) -> list[Any]:
    params = []
    for relative in manifests:
        path = W3C_DIR / relative
        if not path.is_file():
            params.append(
                pytest.param(
                    None,
                    id=f"missing-{Path(relative).name}",
                    marks=pytest.mark.skip(reason=f"no W3C manifest at {path}"),
                )
            )
            continue
        for test in load_manifest(path, suite):
            reason = KNOWN_SERVICE_BUGS.get(test.name)
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            params.append(pytest.param(test, id=test.name, marks=marks))
    return params


PROTOCOL_MANIFEST = "sparql11-protocol/manifest.ttl"
PROTOCOL_TESTS = _params("protocol", [PROTOCOL_MANIFEST])
GSP_TESTS = _params("gsp", ["graph-store-protocol/manifest-direct.ttl", "graph-store-protocol/manifest-indirect.ttl"])
SD_TESTS = _params("sd", ["service-description/manifest.ttl"])
SUITES = {"protocol": ("W3C protocol", PROTOCOL_TESTS), "gsp": ("W3C GSP", GSP_TESTS), "sd": ("W3C SD", SD_TESTS)}


# ---------------------------------------------------------------------------------------------
# The server


def _baseline_quads() -> tuple[list[pyoxigraph.Quad], dict[str, int]]:
    """Every ut:graphData file of the protocol manifest, each in its named graph."""
    path = W3C_DIR / PROTOCOL_MANIFEST
    sources: dict[str, Path] = {}
    if path.is_file():
        for test in load_manifest(path, "protocol"):
            for source, name in test.graph_data:
                if sources.setdefault(name, source) != source:
                    raise AssertionError(f"graph {name} is given two sources: {sources[name]} and {source}")
    quads, sizes = [], {}
    for name, source in sorted(sources.items()):
        graph = pyoxigraph.NamedNode(name)
        triples = [
            pyoxigraph.Quad(q.subject, q.predicate, q.object, graph)
            for q in pyoxigraph.parse(path=str(source), format=pyoxigraph.RdfFormat.N_TRIPLES)
        ]
        assert triples, f"{source} (for {name}) holds no triple"
        quads += triples
        sizes[name] = len(triples)
    return quads, sizes


class Server:
    """The server under test, and the store it serves (which can be put back to its initial state)."""

    def __init__(self, build_dir: Path, port: int):
        self.build_dir = build_dir
        self.host, self.port = "127.0.0.1", port
        self.base = f"http://{self.host}:{port}"
        self.dirty = False
        self.resets = 0

    def write_baseline(self) -> None:
        quads, sizes = _baseline_quads()
        build_id = f"w3c-{self.resets}"
        write_store(
            self.build_dir,
            build_id,
            quads,
            {"build": build_id, "graphs": sizes, "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())},
        )
        self.resets += 1
        self.dirty = False

    def fresh(self) -> None:
        """Put the store back to the preloaded data when an earlier test may have changed it."""
        if self.dirty:
            shutil.rmtree(self.build_dir / "live", ignore_errors=True)  # no carrying over of written graphs
            self.write_baseline()


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Any:
    tmp = tmp_path_factory.mktemp("w3c")
    srv = Server(tmp / "build", free_port())
    srv.write_baseline()
    env = {"PEACEKG_UPDATES": "true", "PEACEKG_UPDATE_TOKEN": WRITE_TOKEN, "PEACEKG_PROTECT_BUILT_GRAPHS": "false"}
    with running_service(srv.build_dir, tmp / "server.log", port=srv.port, extra_env=env):
        yield srv


@pytest.fixture(scope="module")
def outcomes(request) -> Any:
    """What each test did, for the summary lines written when the module ends."""
    results: dict[str, dict[str, str]] = {suite: {} for suite in SUITES}
    yield results
    lines = []
    for suite, (label, params) in SUITES.items():
        total = sum(1 for p in params if p.values[0] is not None)
        done = results[suite]
        count = Counter(done.values())
        line = f"{label}: {count['passed']} passed, {count['xfailed']} expected failures of {total}"
        extra = [
            f"{n} {what}"
            for n, what in (
                (count["failed"], "failed"),
                (count["xpassed"], "unexpectedly passed"),
                (total - len(done), "not run"),
            )
            if n
        ]
        lines.append(line + (f" ({', '.join(extra)})" if extra else ""))
    capture = request.config.pluginmanager.getplugin("capturemanager")
    with capture.global_and_fixture_disabled() if capture else contextlib.nullcontext():
        sys.stdout.write("\n" + "\n".join(lines) + "\n")
        sys.stdout.flush()


def _record(test: W3CTest, outcomes: dict, request: Any, run: Callable[[], None]) -> None:
    expected_failure = request.node.get_closest_marker("xfail") is not None
    finished = False
    try:
        run()
        finished = True
    finally:  # record the outcome whatever run() raised (assertion, pytest.fail, xfail…)
        if finished:
            outcomes[test.suite][test.name] = "xpassed" if expected_failure else "passed"
        else:
            outcomes[test.suite][test.name] = "xfailed" if expected_failure else "failed"


# ---------------------------------------------------------------------------------------------
# HTTP


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def header(self, name: str) -> str | None:
        return self.headers.get(name)

    def media_type(self) -> tuple[str, dict[str, str]]:
        return _parse_media(self.header("Content-Type") or "")

    def show(self) -> str:
        body = self.body[:500].decode("utf-8", errors="replace")
        return f"{self.status} Content-Type: {self.header('Content-Type')!r} body: {body!r}"


def _parse_media(value: str) -> tuple[str, dict[str, str]]:
    media, *params = [p.strip() for p in value.split(";")]
    parsed = {}
    for param in params:
        name, _, val = param.partition("=")
        parsed[name.strip().lower()] = val.strip().strip('"')
    return media.lower(), parsed


def _send(server: Server, method: str, path: str, headers: list[tuple[str, str]], body: bytes | None) -> Response:
    """One request, exactly as given (method, raw path and query string, headers, body bytes)."""
    connection = http.client.HTTPConnection(server.host, server.port, timeout=60)
    try:
        connection.putrequest(method, path, skip_accept_encoding=True)
        for name, value in headers:
            connection.putheader(name, value)
        if body is not None:
            connection.putheader("Content-Length", str(len(body)))
        elif method in ("POST", "PUT", "PATCH"):
            connection.putheader("Content-Length", "0")
        connection.endheaders(body)
        response = connection.getresponse()
        return Response(response.status, response.headers, response.read())
    finally:
        connection.close()


def _target(path: str) -> str:
    """The manifest's path with its prefix replaced by the endpoint under test; the query string is kept."""
    for prefix, replacement in (("/sparql/", ENDPOINT_PATH), ("/gsp", GSP_PATH)):
        if path.startswith(prefix):
            rest = path[len(prefix) :]
            if prefix == "/sparql/" and rest and not rest.startswith("?"):
                rest = "/" + rest
            return replacement + rest
    raise AssertionError(f"ht:absolutePath {path!r} does not start with /sparql/ or /gsp")


def _redirected(server: Server, request: Request, response: Response, sent: bytes | None) -> Response:
    """Follow a redirect (the expected statuses may allow 3xx) to check the content it leads to."""
    method, body = request.method, sent
    for _ in range(5):
        if response.status not in (301, 302, 303, 307, 308) or not response.header("Location"):
            return response
        url = urlsplit(urljoin(server.base + "/", response.header("Location")))
        assert (url.hostname, url.port) == (server.host, server.port), f"redirected off the server: {url.geturl()}"
        if response.status == 303 or (response.status in (301, 302) and method == "POST"):
            method, body = "GET", None
        path = url.path + (f"?{url.query}" if url.query else "")
        response = _send(server, method, path, request.headers if body is not None else [], body)
    return response


# ---------------------------------------------------------------------------------------------
# Checking responses


def _parse_rdf(response: Response, base: str) -> rdflib.Graph:
    media, params = response.media_type()
    assert media in RDF_TYPES, f"expected an RDF format, got Content-Type {response.header('Content-Type')!r}"
    text = response.body.decode(params.get("charset", "utf-8"))
    return rdflib.Graph().parse(data=text, format=RDF_TYPES[media], publicID=base)


def _boolean(response: Response) -> bool:
    media, params = response.media_type()
    if media == "application/sparql-results+json":
        data = json.loads(response.body.decode(params.get("charset", "utf-8")))
        assert isinstance(data.get("boolean"), bool), f"no JSON boolean result: {data!r}"
        return data["boolean"]
    if media == "application/sparql-results+xml":
        root = ET.fromstring(response.body)
        element = root.find(f"{SRX}boolean")
        assert root.tag == f"{SRX}sparql" and element is not None, "no XML boolean result"
        assert element.text in ("true", "false"), f"not an XML boolean: {element.text!r}"
        return element.text == "true"
    raise AssertionError(f"a boolean result must be SPARQL JSON or XML, got {response.header('Content-Type')!r}")


def _check_tabular(response: Response) -> None:
    media, params = response.media_type()
    text = response.body.decode(params.get("charset", "utf-8"))
    if media == "application/sparql-results+json":
        data = json.loads(text)
        assert isinstance(data["head"]["vars"], list) and isinstance(data["results"]["bindings"], list), data
    elif media == "application/sparql-results+xml":
        root = ET.fromstring(response.body)
        assert (
            root.tag == f"{SRX}sparql"
            and root.find(f"{SRX}head") is not None
            and root.find(f"{SRX}results") is not None
        )
    else:  # CSV/TSV: a header line of variables
        assert text.splitlines() and text.splitlines()[0].strip(), f"no header line in {text!r}"


def _check_format(response: Response, fmt: str, base: str) -> None:
    media, _ = response.media_type()
    assert media in FORMATS[fmt], (
        f"expected a {fmt!r} format ({', '.join(sorted(FORMATS[fmt]))}), got {response.header('Content-Type')!r}"
    )
    if fmt == "boolean":
        _boolean(response)
    elif fmt == "tabular":
        _check_tabular(response)
    else:
        _parse_rdf(response, base)


def _check_header(response: Response, name: str, value: str) -> None:
    actual = response.header(name)
    assert actual is not None, f"no {name} header"
    if name.lower() == "content-type":
        (want, want_params), (got, got_params) = _parse_media(value), _parse_media(actual)
        assert got == want, f"expected Content-Type {value!r}, got {actual!r}"
        for param, param_value in want_params.items():
            assert got_params.get(param, "").lower() == param_value.lower(), (
                f"expected Content-Type {value!r}, got {actual!r}"
            )
    else:
        assert actual.strip() == value.strip(), f"expected {name}: {value!r}, got {actual!r}"


def _run_requests(server: Server, test: W3CTest) -> None:
    assert not test.problems, "; ".join(test.problems)
    assert test.requests, "the test has no request"
    variables: dict[str, str] = {}
    for i, request in enumerate(test.requests, 1):

        def fill(text: str) -> str:
            for name, value in variables.items():
                text = text.replace(name, value)
            return text

        assert request.http_version == "1.1", f"request {i}: HTTP/{request.http_version} is not supported here"
        path = fill(_target(request.path))
        body = None if request.body is None else Body(fill(request.body.chars), request.body.encoding).encoded()
        headers = list(request.headers)
        if request.method not in ("GET", "HEAD") and (test.suite == "gsp" or request.is_update()):
            server.dirty = True  # the store may change: later tests get it back as it was
            headers.append(("Authorization", f"Bearer {WRITE_TOKEN}"))
        what = f"request {i} ({request.method} {path})"
        response = _send(server, request.method, path, headers, body)
        expected = request.expected
        matchers = [_status_matcher(s) for s in expected.statuses]
        assert any(m(response.status) for m in matchers if m), (
            f"{what}: expected status {' or '.join(_local(s) for s in expected.statuses)}, got {response.show()}"
        )
        if expected.location is not None:
            location = response.header("Location")
            assert location, f"{what}: expected a Location header"
            variables[expected.location] = location
        if 300 <= response.status < 400 and (
            expected.boolean is not None or expected.format or expected.body or expected.headers
        ):
            response = _redirected(server, request, response, body)
        base = server.base + path
        for name, value in expected.headers:
            _check_header(response, name, value)
        if expected.format is not None:
            _check_format(response, expected.format, base)
        if expected.boolean is not None:
            got = _boolean(response)
            assert got is expected.boolean, f"{what}: expected the boolean {expected.boolean}, got {got}"
        if expected.body is not None:
            media, _ = _parse_media(
                next((v for n, v in expected.headers if n.lower() == "content-type"), "text/turtle")
            )
            assert media in RDF_TYPES, f"{what}: cannot compare an expected body of type {media}"
            want = rdflib.Graph().parse(data=expected.body.chars, format=RDF_TYPES[media], publicID=base)
            got_graph = _parse_rdf(response, base)
            assert isomorphic(want, got_graph), (
                f"{what}: the graph returned is not the one expected; got:\n{got_graph.serialize(format='turtle')}"
            )


# ---------------------------------------------------------------------------------------------
# Service description (the W3C validator's three required tests)


def _service_description(server: Server) -> tuple[Response, str]:
    endpoint = server.base + ENDPOINT_PATH
    response = _send(server, "GET", ENDPOINT_PATH, [("Accept", RDF_ACCEPT)], None)
    return response, endpoint


def _sd_returns_rdf(server: Server) -> None:
    """GET on the endpoint (no query string) returns RDF."""
    response, endpoint = _service_description(server)
    assert 200 <= response.status < 300, f"GET {endpoint}: {response.show()}"
    _parse_rdf(response, endpoint)


def _sd_has_endpoint_triple(server: Server) -> None:
    """The RDF returned from endpoint <U> holds a triple ?service sd:endpoint <U>."""
    response, endpoint = _service_description(server)
    graph = _parse_rdf(response, endpoint)
    assert (None, SD.endpoint, URIRef(endpoint)) in graph, (
        f"no ?service sd:endpoint <{endpoint}> in:\n{graph.serialize(format='turtle')}"
    )


def _sd_conforms_to_schema(server: Server) -> None:
    """The description uses the SD vocabulary as specified: only terms the vocabulary defines, each
    in its role (property, class, instance); every sd:NamedGraph (typed, or the object of
    sd:namedGraph) has an sd:name, an IRI (the check of the W3C validator); sd:endpoint values are IRIs."""
    response, endpoint = _service_description(server)
    graph = _parse_rdf(response, endpoint)
    problems = []
    for _s, p, o in graph:
        for term, allowed, role in (
            (p, SD_PROPERTIES, "property"),
            (o if p == RDF.type else None, SD_CLASSES, "class"),
        ):
            if isinstance(term, URIRef) and str(term).startswith(str(SD)) and _local(term) not in allowed:
                problems.append(f"{term} is not an SD {role}")
        if (
            p != RDF.type
            and isinstance(o, URIRef)
            and str(o).startswith(str(SD))
            and _local(o) not in SD_INSTANCES | SD_CLASSES
        ):
            problems.append(f"{o} is not a term of the SD vocabulary")
    named = set(graph.subjects(RDF.type, SD.NamedGraph)) | set(graph.objects(None, SD.namedGraph))
    for node in named:
        names = list(graph.objects(node, SD.name))
        if not names:
            problems.append(f"the sd:NamedGraph {node.n3()} has no sd:name")
        problems += [f"the sd:name {n.n3()} of {node.n3()} is not an IRI" for n in names if not isinstance(n, URIRef)]
    for _service, value in graph.subject_objects(SD.endpoint):
        if not isinstance(value, URIRef):
            problems.append(f"the sd:endpoint {value.n3()} is not an IRI")
    assert not problems, "\n".join(sorted(set(problems)))


SD_CHECKS: dict[str, Callable[[Server], None]] = {
    "returns-rdf": _sd_returns_rdf,
    "has-endpoint-triple": _sd_has_endpoint_triple,
    "conforms-to-schema": _sd_conforms_to_schema,
}


# ---------------------------------------------------------------------------------------------
# The tests


@pytest.mark.parametrize("test", PROTOCOL_TESTS)
def test_sparql_protocol(test: W3CTest, server: Server, outcomes: dict, request) -> None:
    """One test of the SPARQL 1.1 Protocol manifest, its requests in order."""
    server.fresh()
    _record(test, outcomes, request, lambda: _run_requests(server, test))


@pytest.mark.parametrize("test", GSP_TESTS)
def test_graph_store_protocol(test: W3CTest, server: Server, outcomes: dict, request) -> None:
    """One test of the Graph Store Protocol manifests (direct and indirect graph identification)."""
    server.fresh()
    _record(test, outcomes, request, lambda: _run_requests(server, test))


@pytest.mark.parametrize("test", SD_TESTS)
def test_service_description(test: W3CTest, server: Server, outcomes: dict, request) -> None:
    """One test of the Service Description manifest: GET on the endpoint returns a description."""

    def run() -> None:
        assert not test.problems, "; ".join(test.problems)
        check = SD_CHECKS.get(test.name)
        assert check is not None, f"no interpretation of the service-description test {test.name!r}"
        check(server)

    _record(test, outcomes, request, run)
