"""HTTP semantics every route keeps: HEAD is GET without a body (same status, same headers, for
errors too), and CORS by the Fetch standard's protocol: a preflight (OPTIONS with Origin and
Access-Control-Request-Method) is answered with the methods the route allows, an explicit list of
the request headers the service reads (never the requested list reflected), a max age and Vary;
no credentials ever; no CORS header at all when ``cors_allow_origin`` is ''."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from service import create_app
from service.state import state

TOKEN = "t0ken-for-tests-0123456789"
ORIGIN = "https://elsewhere.example"
ASK = "/sparql?query=" + quote("ASK { ?s ?p ?o }")
BAD = "/sparql?query=" + quote("SELECT * WHERE {\n  ?s ?p \n}")
SELECT = "/sparql?query=" + quote("SELECT ?s WHERE { ?s ?p ?o } LIMIT 3")


def _names(value: str | None) -> set[str]:
    return {part.strip().lower() for part in (value or "").split(",") if part.strip()}


def _preflight(client, path: str, method: str = "POST", headers: str = "content-type, authorization"):
    return client.options(
        path,
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": headers,
        },
    )


@pytest.fixture(scope="module")
def settings(fixture_build):
    return fixture_build(1)


@pytest.fixture()
def writable(settings, monkeypatch):
    """The same store with updates on (nothing here writes: every write lacks the token)."""
    monkeypatch.setenv("PEACEKG_UPDATE_TOKEN", TOKEN)
    app = create_app(settings.replace(updates=True))
    yield app.test_client()
    state(app).pool.close()
    state(app).writer.close()


# --- HEAD is GET without a body --------------------------------------------------------------


@pytest.mark.parametrize(
    "path, headers",
    [
        (ASK, {}),
        (SELECT, {"Accept": "text/csv"}),
        (BAD, {}),  # GET's 400, without its JSON body
        ("/sparql", {}),  # the service description
        ("/store?default", {}),
        ("/store?graph=https%3A%2F%2Fw3id.org%2Fpeacekg%2Fgraph%2Freference", {"Accept": "application/n-triples"}),
        ("/store?graph=http%3A%2F%2Fexample.org%2Fno-such-graph", {}),  # 404
        ("/article/fx-001", {}),  # a linked-data page
        ("/article/fx-001", {"Accept": "text/turtle"}),
        ("/queries", {}),
        ("/queries", {"Accept": "text/html"}),
        ("/queries/cq01-troop-proposals", {}),
        ("/queries/cq01-troop-proposals", {"Accept": "text/html"}),
        ("/queries/no-such-query", {}),  # 404
        ("/health", {}),
        ("/", {}),  # the query page
    ],
)
def test_head_is_get_without_a_body(client, path: str, headers: dict[str, str]) -> None:
    got = client.get(path, headers=headers)
    head = client.head(path, headers=headers)
    assert head.status_code == got.status_code, (path, head.status_code, got.status_code, got.data[:300])
    assert dict(head.headers) == dict(got.headers), path
    assert head.data == b""
    got.close()
    head.close()


def test_head_sparql_answers_like_get(client) -> None:
    """The defect: HEAD /sparql?query=… was read as a POST without a Content-Type (415)."""
    response = client.head(ASK)
    assert response.status_code == 200
    assert response.mimetype == "application/sparql-results+json"
    assert client.head(BAD).status_code == 400
    assert client.head("/sparql?update=" + quote("CLEAR ALL")).status_code == 400  # updates never by GET/HEAD


# --- CORS -------------------------------------------------------------------------------------


def test_preflight_for_a_sparql_post_with_content_type_and_authorization(client) -> None:
    response = _preflight(client, "/sparql")
    assert response.status_code in (200, 204) and response.data == b""
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert _names(response.headers.get("Access-Control-Allow-Methods")) == {"get", "head", "post"}
    allowed = _names(response.headers.get("Access-Control-Allow-Headers"))
    assert {"accept", "content-type", "authorization"} <= allowed and "*" not in allowed
    assert int(response.headers["Access-Control-Max-Age"]) > 0
    assert {"origin", "access-control-request-method", "access-control-request-headers"} <= _names(
        response.headers.get("Vary")
    )
    assert "Access-Control-Allow-Credentials" not in response.headers


def test_preflight_never_reflects_unknown_request_headers(client) -> None:
    response = _preflight(client, "/sparql", headers="content-type, x-evil, cookie")
    allowed = _names(response.headers.get("Access-Control-Allow-Headers"))
    assert "x-evil" not in allowed and "cookie" not in allowed
    assert "content-type" in allowed


def test_preflight_offers_no_write_methods_when_updates_are_off(client) -> None:
    for method in ("PUT", "DELETE", "POST"):
        response = _preflight(client, "/store?graph=http%3A%2F%2Fexample.org%2Fg", method=method)
        assert response.status_code in (200, 204)
        methods = _names(response.headers.get("Access-Control-Allow-Methods"))
        assert methods == {"get", "head"}, method
    direct = _preflight(client, "/store/mine", method="PUT")
    assert _names(direct.headers.get("Access-Control-Allow-Methods")) == {"get", "head"}
    page = _preflight(client, "/article/fx-001", method="GET", headers="accept")
    assert _names(page.headers.get("Access-Control-Allow-Methods")) == {"get", "head"}


def test_preflight_offers_writes_when_updates_are_on_and_writes_still_need_the_token(writable) -> None:
    response = _preflight(writable, "/store?graph=http%3A%2F%2Fexample.org%2Fg", method="PUT")
    assert _names(response.headers.get("Access-Control-Allow-Methods")) == {"get", "head", "put", "post", "delete"}
    assert "authorization" in _names(response.headers.get("Access-Control-Allow-Headers"))
    assert "Access-Control-Allow-Credentials" not in response.headers
    no_token = writable.put(
        "/store?graph=http%3A%2F%2Fexample.org%2Fg",
        data="<http://example.org/s> <http://example.org/p> 1 .",
        content_type="text/turtle",
        headers={"Origin": ORIGIN},
    )
    assert no_token.status_code == 401 and no_token.headers["Access-Control-Allow-Origin"] == "*"
    wrong = writable.post(
        "/sparql",
        data="CLEAR ALL",
        content_type="application/sparql-update",
        headers={"Origin": ORIGIN, "Authorization": "Bearer not-the-token-at-all"},
    )
    assert wrong.status_code == 403


def test_actual_cross_origin_requests_carry_allow_origin_and_expose_headers(client) -> None:
    for response in (
        client.get(ASK, headers={"Origin": ORIGIN}),
        client.post(
            "/sparql", data="ASK { ?s ?p ?o }", content_type="application/sparql-query", headers={"Origin": ORIGIN}
        ),
    ):
        assert response.status_code == 200
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        exposed = _names(response.headers.get("Access-Control-Expose-Headers"))
        assert {"x-peacekg-truncated", "location", "retry-after", "www-authenticate"} <= exposed
        assert "Access-Control-Allow-Credentials" not in response.headers


def test_no_cors_headers_when_the_setting_is_empty(settings) -> None:
    app = create_app(settings.replace(cors_allow_origin=""))
    try:
        client = app.test_client()
        for response in (_preflight(client, "/sparql"), client.get(ASK, headers={"Origin": ORIGIN})):
            assert not [name for name, _ in response.headers.items() if name.lower().startswith("access-control-")]
    finally:
        state(app).pool.close()
