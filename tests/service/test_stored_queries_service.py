"""Stored queries over HTTP (service/views/stored_queries.py), with Flask's test client on the seed build
that test_stored_queries.py makes (one build per session): the list in JSON and HTML, results
negotiated as SPARQL JSON/XML/CSV/TSV or an HTML table, CSV downloads, the same answers as the
library, the one JSON error shape for every failure, hostile parameter values refused (400) or
bound harmlessly, limits and federation policy applied as to any query, and the query page's
examples taken from the headers."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from xml.etree import ElementTree

import pytest

from kg.queries.run import execute
from kg.queries.stored import find, load_all
from kg.store.builds import open_store
from service import create_app
from service.state import state

from helpers.hostile import HOSTILE_IRIS, HOSTILE_TEXT, RES

HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
PUTIN = RES + "vladimir-putin"
ERROR_KEYS = {"status", "error", "message"}


@pytest.fixture(scope="module")
def seed_settings(seed_build):
    return seed_build.replace(query_workers=1)


@pytest.fixture(scope="module")
def app(seed_settings):
    app = create_app(seed_settings)
    yield app
    state(app).pool.close()


@pytest.fixture()
def client(app):
    app.config.pop("PEACEKG_QUERIES_DIR", None)
    yield app.test_client()
    app.config.pop("PEACEKG_QUERIES_DIR", None)


def rows_of(body: dict) -> set[tuple]:
    names = body["head"]["vars"]
    return {tuple(json.dumps(b.get(n), sort_keys=True) for n in names) for b in body["results"]["bindings"]}


def error_of(response, status: int) -> str:
    assert response.status_code == status, response.data
    assert response.mimetype == "application/json" and set(response.json) == ERROR_KEYS
    return response.json["message"]


# --- the list ----------------------------------------------------------------------------------


def test_the_list_in_json_names_every_query_with_its_parameters(client) -> None:
    response = client.get("/queries")
    assert (
        response.status_code == 200 and response.mimetype == "application/json" and response.headers["Vary"] == "Accept"
    )
    listed = {q["name"]: q for q in response.json["queries"]}
    assert set(listed) == {q.name for q in load_all()[0]} and response.json["invalid"] == []
    search = listed["entity-search"]
    assert search["href"] == "/queries/entity-search" and search["params"] == [
        {
            "name": "text",
            "type": "string",
            "required": True,
            "default": None,
            "help": "the text to look for, e.g. budapest or Zelensky",
        },
        {
            "name": "after",
            "type": "string",
            "required": False,
            "default": "",
            "help": "the last ?entity of the previous page (empty: the first page)",
        },
    ]
    assert "cq-8" in listed["cq08-actor-claims"]["tags"]


def test_the_list_in_html_for_browsers(client) -> None:
    response = client.get("/queries", headers=HTML)
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert '<a href="/queries/cq01-troop-proposals">Foreign troops in Ukraine: proposals, proposers, sizes</a>' in page
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert client.get("/queries?format=json").mimetype == "application/json"


# --- results -----------------------------------------------------------------------------------


def test_results_are_the_library_s(client, seed_settings) -> None:
    response = client.get("/queries/cq08-actor-claims", query_string={"actor": PUTIN})
    assert response.status_code == 200 and response.mimetype == "application/sparql-results+json"
    result = execute(find("cq08-actor-claims"), {"actor": PUTIN}, open_store(Path(seed_settings.build_dir)))
    from kg.sparql.json_terms import json_term

    library = {
        tuple(json.dumps(json_term(r[n]) if n in r else None, sort_keys=True) for n in result.variables)
        for r in result.rows
    }
    assert rows_of(response.json) == library and len(library) > 5


@pytest.mark.parametrize(
    "accept, media",
    [
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("application/json", "application/json"),
        ("*/*", "application/sparql-results+json"),
    ],
)
def test_results_are_negotiated(client, accept: str, media: str) -> None:
    response = client.get("/queries/cq09-figures", headers={"Accept": accept})
    assert response.status_code == 200 and response.mimetype == media and response.headers["Vary"] == "Accept"
    text = response.get_data(as_text=True)
    if media.endswith("xml"):
        assert ElementTree.fromstring(response.data).find("{http://www.w3.org/2005/sparql-results#}results") is not None
    elif media == "text/csv":
        assert next(csv.reader(io.StringIO(text)))[:2] == ["figure", "value"]
    elif media == "text/tab-separated-values":
        assert text.startswith("?figure\t?value")
    assert "Content-Disposition" not in response.headers


@pytest.mark.parametrize("fmt, media", [("csv", "text/csv"), ("tsv", "text/tab-separated-values")])
def test_format_downloads_a_file(client, fmt: str, media: str) -> None:
    response = client.get(f"/queries/entity-search?text=budapest&format={fmt}", headers=HTML)
    assert response.status_code == 200 and response.mimetype == media
    assert response.headers["Content-Disposition"] == f'attachment; filename="entity-search.{fmt}"'
    assert RES + "budapest-memorandum" in response.get_data(as_text=True)


def test_the_html_table_links_iris_to_their_pages_and_shows_literals(client) -> None:
    response = client.get("/queries/cq08-actor-claims", query_string={"actor": PUTIN}, headers=HTML)
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert f'<a href="/resource/vladimir-putin" title="{PUTIN}">' in page  # a link to the entity's page
    assert '<span class="lit">' in page and "<th>quote</th>" in page
    assert f'name="actor" value="{PUTIN}"' in page  # the form shows the value it ran with
    assert (
        "/queries/cq08-actor-claims?actor=https%3A%2F%2Fw3id.org%2Fpeacekg%2Fresource%2Fvladimir-putin&amp;format=csv"
        in page
    )
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]


def test_the_html_page_escapes_what_it_shows(client) -> None:
    response = client.get("/queries/entity-search", query_string={"text": '<script>alert(1)</script>"'}, headers=HTML)
    page = response.get_data(as_text=True)
    assert (
        response.status_code == 200
        and "<script>alert(1)" not in page
        and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    )


# --- errors: one JSON shape --------------------------------------------------------------------


@pytest.mark.parametrize(
    "url, status, message",
    [
        ("/queries/no-such-query", 404, "no stored query 'no-such-query'"),
        ("/queries/Bad.Name", 404, "not a stored query name"),
        ("/queries/entity-search", 400, "parameter text (string) is required"),
        ("/queries/entity-search?text=a&txt=b", 400, "unknown parameter(s) txt"),
        ("/queries/entity-search?text=a&text=b", 400, "given more than once: text"),
        ("/queries/cq09-figures?format=pdf", 400, "unknown format 'pdf'"),
        ("/queries/actor-timeline?actor=%3Chttps%3A%2F%2Fw3id.org%2Fx%3E", 400, "not an absolute IRI"),
        ("/queries/entity-search?text=%FF", 400, "not valid UTF-8"),
        ("/queries?format=csv", 400, "unknown format 'csv'"),
    ],
)
def test_errors_have_the_json_shape(client, url: str, status: int, message: str) -> None:
    assert message in error_of(client.get(url), status)


def test_no_acceptable_format_is_406(client) -> None:
    assert "no acceptable format" in error_of(client.get("/queries/cq09-figures", headers={"Accept": "image/png"}), 406)


@pytest.mark.parametrize("value", HOSTILE_IRIS)
def test_hostile_iris_are_refused(client, value: str) -> None:
    assert "actor" in error_of(client.get("/queries/actor-profile", query_string={"actor": value}), 400)


@pytest.mark.parametrize("text", HOSTILE_TEXT)
def test_hostile_text_matches_nothing_and_changes_nothing(client, text: str) -> None:
    count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    before = client.get("/sparql", query_string={"query": count}).json
    response = client.get("/queries/entity-search", query_string={"text": text})
    assert response.status_code == 200 and response.json["results"]["bindings"] == []
    assert client.get("/sparql", query_string={"query": count}).json == before


def test_a_broken_file_is_a_500_that_says_where_and_is_listed_as_invalid(app, client, tmp_path: Path) -> None:
    folder = tmp_path / "queries"
    folder.mkdir()
    (folder / "broken.rq").write_text(
        "# title: Broken\n# description: D.\nSELECT ?s WHERE { ?s ?p ?o BIND(1 AS) }\n", encoding="utf-8"
    )
    (folder / "fine.rq").write_text(
        "# title: Fine\n# description: D.\nSELECT ?s WHERE { ?s ?p ?o } LIMIT 2\n", encoding="utf-8"
    )
    app.config["PEACEKG_QUERIES_DIR"] = folder
    message = error_of(client.get("/queries/broken"), 500)
    assert "broken.rq:3:" in message and "SPARQL syntax error" in message
    listing = client.get("/queries").json
    assert [q["name"] for q in listing["queries"]] == ["fine"] and "broken.rq:3:" in listing["invalid"][0]
    assert len(client.get("/queries/fine").json["results"]["bindings"]) == 2
    page = client.get("/", headers=HTML).get_data(as_text=True)  # the query page still works, with the valid one
    assert ">Fine</button>" in page and "Broken" not in page


def test_a_federated_query_obeys_the_federation_policy(client) -> None:
    assert "not allowed on this service" in error_of(client.get("/queries/federated-state-facts"), 403)


def test_the_row_limit_applies(seed_settings) -> None:
    app = create_app(seed_settings.replace(max_result_rows=3))
    try:
        response = app.test_client().get("/queries/cq09-figures")
        assert response.status_code == 200 and response.headers["X-PeaceKG-Truncated"] == "true"
        assert len(response.json["results"]["bindings"]) == 3
    finally:
        state(app).pool.close()


# --- the query page ----------------------------------------------------------------------------


def test_the_query_page_lists_the_stored_queries_by_their_header_titles(client) -> None:
    page = client.get("/", headers=HTML).get_data(as_text=True)
    titles = [q.title.replace("'", "&#39;") for q in load_all()[0]]  # as the page escapes them
    for title in titles:
        assert f">{title}</button>" in page, title
    assert "Parameters, bound at /queries/cq08-actor-claims: actor (default" in page
    assert page.index(titles[-1]) < page.index("Claims with their quotes")  # stored queries first, then built-in ones


def test_the_list_takes_format_json_too(client) -> None:
    response = client.get("/queries?format=json", headers={"Accept": "text/html"})
    assert response.status_code == 200 and response.mimetype == "application/json"
