"""Security: what tests/service/test_updates.py, test_pages.py and test_browser.py do not already prove.
Writes need the token on every write route (401 none, 403 wrong) and the token never shows in
logs, bodies or settings; read-only mode refuses every write route; no request makes the server
fetch a URL or read a local file (SERVICE, LOAD, FROM, file://); no path traversal through a real
server's raw request line (encoded, double-encoded, overlong, backslash, NUL); no stack trace or
filesystem path in error bodies; security headers on every HTML page; bodies past the limit
refused even when chunked."""

from __future__ import annotations

import http.client
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.builder.pipeline import build
from kg.cli import cli
from kg.store.export import export
from service import create_app
from service.state import state

from helpers.corpora import make_corpus, settings_for
from helpers.paths import ROOT
from helpers.servers import running_service

pytestmark = pytest.mark.slow
TOKEN = "sec-token-5f1c0e9a7b3d2468"
WRONG = "sec-token-5f1c0e9a7b3d2469"
NT = "<http://example.org/s> <http://example.org/p> <http://example.org/o> ."
MINE = "http://example.org/mine"
HTML = {"Accept": "text/html"}
SECRET_FILES = (b"root:x:0:0", b'"fingerprints"', b"[build-system]")  # /etc/passwd, a build manifest, pyproject.toml


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("security")
    settings = settings_for(tmp, make_corpus(tmp, articles=1))
    build(settings)
    export(settings)
    return settings


@pytest.fixture(scope="module")
def server(built, tmp_path_factory):
    """A real `peacekg serve` with updates on; yields (base URL, log path)."""
    log = tmp_path_factory.mktemp("security-log") / "server.log"
    env = {
        "PEACEKG_UPDATES": "true",
        "PEACEKG_UPDATE_TOKEN": TOKEN,
        "PEACEKG_MAX_REQUEST_BYTES": "200000",
        "PEACEKG_QUERY_WORKERS": "1",
    }
    with running_service(built.build_dir, log, corpus_dir=built.corpus_dir, extra_env=env) as base:
        yield base, log


@pytest.fixture(scope="module")
def readonly(built):
    app = create_app(built.replace(query_workers=1))
    yield app.test_client()
    state(app).pool.close()


def raw(
    base: str, method: str, path: str, body: bytes | None = None, headers: dict | None = None, chunked: bool = False
) -> tuple[int, http.client.HTTPMessage, bytes]:
    """One request with the path sent exactly as given (no client-side normalisation)."""
    host, port = base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=60)
    try:
        conn.putrequest(method, path, skip_accept_encoding=True)
        for name, value in (headers or {}).items():
            conn.putheader(name, value)
        if chunked:
            conn.putheader("Transfer-Encoding", "chunked")
        elif body is not None:
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders()
        if chunked and body is not None:
            for i in range(0, len(body), 65536):
                piece = body[i : i + 65536]
                conn.send(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            conn.send(b"0\r\n\r\n")
        elif body is not None:
            conn.send(body)
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


def assert_clean_error(body: bytes, *paths: Path) -> None:
    """No stack trace, no server file system path, nothing of a secret file."""
    text = body.decode("utf-8", errors="replace")
    assert "Traceback" not in text and 'File "' not in text and "site-packages" not in text, text[:500]
    for path in (ROOT, *paths):
        assert str(path) not in text, f"{path} leaked: {text[:500]}"
    assert not any(secret in body for secret in SECRET_FILES), text[:500]


# -- the token -----------------------------------------------------------------------------------

WRITES = [
    ("PUT", f"/store?graph={MINE}", NT, "application/n-triples"),
    ("POST", f"/store?graph={MINE}", NT, "application/n-triples"),
    ("POST", "/store", NT, "application/n-triples"),
    ("PUT", "/store/direct/graph", NT, "application/n-triples"),
    ("DELETE", f"/store?graph={MINE}", None, None),
    ("POST", "/sparql", f"INSERT DATA {{ GRAPH <{MINE}> {{ {NT} }} }}", "application/sparql-update"),
    ("POST", "/sparql", "update=" + f"CLEAR GRAPH <{MINE}>", "application/x-www-form-urlencoded"),
]


@pytest.mark.parametrize(
    "method, path, body, media", WRITES, ids=[f"{w[0]} {w[1].split('?')[0]} {w[3]}" for w in WRITES]
)
def test_every_write_route_needs_the_token(server, method, path, body, media) -> None:
    base, _log = server
    content = {"Content-Type": media} if media else {}
    cases = [
        ({}, 401),
        ({"Authorization": f"Bearer {WRONG}"}, 403),
        ({"Authorization": f"bearer  {TOKEN[:-1]}"}, 403),
        ({"Authorization": f"Basic {TOKEN}"}, 401),
        ({"Authorization": TOKEN}, 401),
        ({"X-Token": TOKEN}, 401),
    ]
    for headers, status in cases:
        got, answer, data = raw(
            base,
            method,
            path + ("&" if "?" in path else "?") + f"access_token={TOKEN}" if not headers else path,
            body.encode() if body else None,
            {**content, **headers},
        )
        assert got == status, (headers, data)
        assert json.loads(data)["status"] == status and TOKEN.encode() not in data and WRONG.encode() not in data
        if status == 401:
            assert answer.get("WWW-Authenticate", "").startswith("Bearer")
    got, _h, data = raw(base, "GET", f"/store?graph={MINE}", headers={"Accept": "application/n-triples"})
    assert got == 404, data  # none of them wrote anything


def test_the_token_is_in_no_log_body_or_settings_output(server, built) -> None:
    base, log = server
    for token in (TOKEN, WRONG):
        raw(
            base,
            "POST",
            "/sparql",
            b"INSERT DATA { GRAPH <http://example.org/t> { <http://example.org/a> <http://example.org/b> 1 } }",
            {"Content-Type": "application/sparql-update", "Authorization": f"Bearer {token}"},
        )
        raw(
            base,
            "PUT",
            "/store?graph=http://example.org/t",
            b"not turtle at all",
            {"Content-Type": "text/turtle", "Authorization": f"Bearer {token}"},
        )  # a 400 with the right token
    for path in ("/health", "/metrics", "/sparql", "/dataset"):
        assert TOKEN.encode() not in raw(base, "GET", path)[2]
    assert TOKEN not in log.read_text(errors="replace") and WRONG not in log.read_text(errors="replace")
    result = CliRunner().invoke(cli, ["settings"], env={"PEACEKG_UPDATE_TOKEN": TOKEN, "PEACEKG_UPDATES": "true"})
    assert result.exit_code == 0 and TOKEN not in result.output


READONLY_WRITES = WRITES + [
    (
        "POST",
        "/store",
        "--b\r\nContent-Disposition: form-data; name=f; filename=a.nt\r\n"
        "Content-Type: application/n-triples\r\n\r\n" + NT + "\r\n--b--\r\n",
        "multipart/form-data; boundary=b",
    )
]


@pytest.mark.parametrize(
    "method, path, body, media",
    READONLY_WRITES,
    ids=[f"{w[0]} {w[1].split('?')[0]} {(w[3] or '').split(';')[0]}" for w in READONLY_WRITES],
)
def test_read_only_mode_refuses_every_write_even_with_a_token(readonly, method, path, body, media) -> None:
    response = readonly.open(
        path, method=method, data=body, content_type=media, headers={"Authorization": f"Bearer {TOKEN}"}
    )
    assert response.status_code == 403 and "disabled" in response.json["message"], response.data
    assert readonly.get(f"/store?graph={MINE}").status_code == 404


# -- no fetching of URLs, no local files -----------------------------------------------------------

REFUSED_QUERIES = [
    "SELECT * WHERE { SERVICE <file:///etc/passwd> { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE SILENT <http://127.0.0.1:22/> { ?s ?p ?o } }",
    "select * where { optional { ?x ?y ?z } { select ?s where { service <http://localhost:8765/sparql> { ?s ?p ?o } } } }",
    "PREFIX e: <http://169.254.169.254/latest/> SELECT * WHERE { SERVICE e:meta-data { ?s ?p ?o } }",
    "BASE <http://10.0.0.1/> SELECT * WHERE { SERVICE <sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE <http://x\\u002F> { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE#hidden\n<gopher://127.0.0.1:6379/_INFO> { ?s ?p ?o } }",
    "CONSTRUCT { ?s ?p ?o } WHERE { SERVICE <ftp://example.org/> { ?s ?p ?o } }",
]


@pytest.mark.parametrize("query", REFUSED_QUERIES)
def test_service_off_the_allow_list_is_refused(readonly, query) -> None:
    response = readonly.get("/sparql", query_string={"query": query})
    assert response.status_code in (400, 403), (response.status_code, response.data)
    assert_clean_error(response.data)


@pytest.mark.parametrize(
    "update",
    [
        "LOAD <file:///etc/passwd>",
        f"LOAD SILENT <file:///etc/passwd> INTO GRAPH <{MINE}>",
        "load <http://127.0.0.1:1/x.ttl>",
        f"INSERT {{ GRAPH <{MINE}> {{ ?s ?p ?o }} }} WHERE {{ SERVICE <file:///etc/passwd> {{ ?s ?p ?o }} }}",
        f"INSERT DATA {{ GRAPH <{MINE}> {{ <http://a> <http://b> 1 }} }} ; LOAD <file:///etc/hostname>",
    ],
)
def test_load_and_service_in_updates_are_refused(server, update) -> None:
    base, _log = server
    status, _h, data = raw(
        base,
        "POST",
        "/sparql",
        update.encode(),
        {"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"},
    )
    assert status in (400, 403), data
    assert_clean_error(data)
    assert raw(base, "GET", f"/store?graph={MINE}", headers={"Accept": "text/turtle"})[0] == 404  # nothing written


def test_dataset_names_are_graph_names_never_files(readonly) -> None:
    for params in (
        {"query": "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }"},
        {"query": "SELECT * WHERE { GRAPH <file:///etc/passwd> { ?s ?p ?o } }"},
        {"query": "SELECT * WHERE { ?s ?p ?o }", "default-graph-uri": "file:///etc/passwd"},
    ):
        response = readonly.get("/sparql", query_string=params)
        assert response.status_code == 200 and response.json["results"]["bindings"] == [], response.data
    assert readonly.get("/store", query_string={"graph": "file:///etc/passwd"}).status_code == 404
    # and a query's own FROM is its dataset (the union default graph is only for queries naming none)
    count = "SELECT (COUNT(*) AS ?n) FROM <https://w3id.org/peacekg/graph/reference> WHERE { ?s ?p ?o }"
    in_graph = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <https://w3id.org/peacekg/graph/reference> { ?s ?p ?o } }"
    sizes = [
        readonly.get("/sparql", query_string={"query": q}).json["results"]["bindings"][0]["n"]["value"]
        for q in (count, in_graph)
    ]
    assert sizes[0] == sizes[1] and int(sizes[0]) > 0


# -- paths -----------------------------------------------------------------------------------------

TRAVERSALS = [
    "/static/yasgui/../../../../../../etc/passwd",
    "/static/yasgui/..%2f..%2f..%2f..%2fpyproject.toml",
    "/static/yasgui/%2e%2e/%2e%2e/%2e%2e/%2e%2e/pyproject.toml",
    "/static/yasgui/%252e%252e%252fpyproject.toml",
    "/static/yasgui/%c0%ae%c0%ae/%c0%ae%c0%ae/pyproject.toml",
    "/static/yasgui/..%5c..%5c..%5cpyproject.toml",
    "/static/yasgui/yasgui.min.js%00.txt",
    "/static/..%2f..%2fpyproject.toml",
    "/static/yasr-chart.js/../../pyproject.toml",
    "/dumps/../store/current/manifest.json",
    "/dumps/..%2fstore%2fcurrent%2fmanifest.json",
    "/dumps/%2e%2e%2f%2e%2e%2fetc%2fpasswd.ttl",
    "/dumps/..%252f..%252fetc%252fpasswd.ttl",
    "/dumps//etc/passwd.ttl",
    "/dumps/%2fetc%2fpasswd.ttl",
    "/dumps/..\\..\\etc\\passwd.ttl",
    "/resource/..%2f..%2f..%2fetc%2fpasswd",
    "/article/%2e%2e/%2e%2e/%2e%2e/pyproject.toml",
    "/%2e%2e/%2e%2e/etc/passwd",
    "/queries/..%2f..%2fpyproject",
    "/queries/%2e%2e",
    "/plots/..%2f..%2fetc%2fpasswd.svg",
    "/store/../../../etc/passwd",
    "//etc/passwd",
    "/..;/..;/etc/passwd",
]


def test_no_path_traversal_through_a_real_server(server, built) -> None:
    base, _log = server
    for path in TRAVERSALS:
        for headers in ({}, HTML):
            status, _answer, body = raw(base, "GET", path, headers=headers)
            assert status in (400, 404, 406), (path, status, body[:200])  # 406: /store/… names a graph, not HTML
            assert_clean_error(body, built.build_dir)
    status, _h, body = raw(base, "GET", "/dumps/peacekg.nq")  # the route works: refusals are not blanket
    assert status == 200 and body.count(b"\n") > 100


# -- error bodies, headers, sizes -----------------------------------------------------------------------


def test_error_bodies_hold_no_trace_or_path(server, built) -> None:
    base, _log = server
    auth = {"Authorization": f"Bearer {TOKEN}"}
    requests = [
        ("GET", "/sparql?query=SELECT%20*%20WHERE%20%7B", None, {}),
        ("GET", "/sparql?query=%ff%fe", None, {}),
        ("POST", "/sparql", b"\xff\xfe\x00", {"Content-Type": "application/sparql-query"}),
        ("POST", "/sparql", b"query=ASK%7B%7D", {"Content-Type": "text/plain"}),
        ("PUT", f"/store?graph={MINE}", b"{ not json-ld", {**auth, "Content-Type": "application/ld+json"}),
        ("PUT", f"/store?graph={MINE}", b"<a> <b> ", {**auth, "Content-Type": "application/rdf+xml"}),
        ("POST", "/store", b"--x\r\nbroken", {**auth, "Content-Type": "multipart/form-data; boundary=x"}),
        ("GET", "/store?graph=relative", None, {}),
        ("PATCH", "/sparql", b"x", {}),
        ("BREW", "/", None, {}),
        ("GET", "/queries/no-such-query", None, {}),
        ("GET", "/plots/nothing.svg", None, {}),
        ("GET", "/resource/%3Cscript%3E", None, HTML),
        ("POST", "/sparql", b"CLEAR ALL", {**auth, "Content-Type": "application/sparql-update"}),
    ]
    for method, path, body, headers in requests:
        status, _h, data = raw(base, method, path, body, headers)
        assert 400 <= status < 500, (method, path, status, data[:300])
        assert_clean_error(data, built.build_dir, built.corpus_dir)


def test_unexpected_exceptions_are_a_bare_500(built) -> None:
    app = create_app(built.replace(query_workers=1))
    app.add_url_rule("/boom", "boom", lambda: (Path(built.build_dir) / "no" / "such" / "file").read_text())
    try:
        response = app.test_client().get("/boom")
        assert response.status_code == 500 and response.json["status"] == 500
        assert_clean_error(response.data, built.build_dir)
    finally:
        state(app).pool.close()


def test_a_store_that_cannot_be_opened_is_a_503_without_its_path(built, tmp_path: Path) -> None:
    copy = tmp_path / "build"
    shutil.copytree(built.build_dir, copy, symlinks=True)
    app = create_app(built.replace(build_dir=copy, query_workers=1))
    try:
        shutil.rmtree(next((copy / "store" / "builds").iterdir()) / "oxigraph")
        response = app.test_client().get("/sparql", query_string={"query": "ASK {}"})
        assert response.status_code == 503 and response.json["status"] == 503
        assert_clean_error(response.data, copy)
    finally:
        state(app).pool.close()


HTML_PAGES = [
    "/",
    "/queries",
    "/plots",
    "/resource/ana-exempla",
    "/article/fx-001",
    "/resource/no-such-thing",
    "/queries/entity-search?text=%3Cscript%3Ealert(1)%3C/script%3E",
    "/graph/reference",
]


def test_every_html_page_has_the_security_headers_and_escapes_what_it_reflects(readonly) -> None:
    for path in HTML_PAGES + [
        "/resource/%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        "/article/fx-001?highlight=%22%3E%3Cscript%3E",
    ]:
        response = readonly.get(path, headers=HTML)
        if response.mimetype != "text/html":
            assert response.status_code in (404, 503), (path, response.status_code)  # e.g. no such stored query here
            continue
        headers = response.headers
        csp = headers.get("Content-Security-Policy", "")
        assert "default-src 'self'" in csp or "default-src 'none'" in csp, (path, csp)
        assert "unsafe-eval" not in csp and "'unsafe-inline'" not in csp.split("script-src")[-1].split(";")[0], (
            path,
            csp,
        )
        assert headers["X-Content-Type-Options"] == "nosniff" and headers["X-Frame-Options"] == "DENY", path
        assert b"<script>alert(1)" not in response.data and b'"><script>' not in response.data, path
    assert readonly.get("/sparql", query_string={"query": "ASK {}"}).headers["X-Content-Type-Options"] == "nosniff"


def test_large_bodies_are_refused_even_when_chunked(server) -> None:
    base, _log = server
    big = b"ASK {} #" + b"x" * 600_000
    for chunked in (False, True):
        status, _h, data = raw(
            base, "POST", "/sparql", big, {"Content-Type": "application/sparql-query"}, chunked=chunked
        )
        assert status == 413 and json.loads(data)["status"] == 413, (chunked, status, data[:200])
    status, _h, data = raw(base, "GET", "/sparql?query=" + "ASK%7B%7D%23" + "x" * 250_000)
    assert status in (413, 414, 431) or status == 400, status
    assert raw(base, "GET", "/sparql?query=ASK%7B%7D")[0] == 200  # and it keeps serving
