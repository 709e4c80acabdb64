"""Dossier pages through the Flask app over the one-article fixture build: each kind gets its
panels, each panel names its stored query and links it to the query page with the individual
bound; a panel whose query breaks shows its error while the rest renders; statements are named
by their summaries; an IRI that names nothing is a 404 page offering entity search; the query page
opens a stored query with its parameter checked as its type. The browser tests are
tests/system/test_dossiers.py."""

from __future__ import annotations

import html as htmlmod
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from flask import Flask

from kg.queries.stored import QUERIES_DIR
from service import create_app
from service.state import state
from service.views.dossier_panels import KINDS

from helpers.draft_builds import draft_corpus_client

HTML = {"Accept": "text/html"}
BASE = "https://w3id.org/peacekg/"
PAGES = {  # the fixture corpus's individuals, one per kind it has
    "actor": "resource/ana-exempla",
    "proposal": "resource/lakeside-plan",
    "precedent": "resource/treaty-of-nowhere",
    "article": "article/fx-001",
}


@pytest.fixture(scope="module")
def app(fixture_build, tmp_path_factory) -> Iterator[Flask]:
    app = create_app(fixture_build(1))
    folder = tmp_path_factory.mktemp("queries") / "queries"
    shutil.copytree(QUERIES_DIR, folder, ignore=shutil.ignore_patterns("*.md"))
    app.config["PEACEKG_QUERIES_DIR"] = folder
    yield app
    state(app).pool.close()


def panels(html: str) -> dict[str, str]:
    """Each panel section's HTML, by its key."""
    return dict(re.findall(r'<section class="panel" id="panel-([a-z]+)".*?>(.*?)</section>', html, re.S))


@pytest.mark.parametrize("kind", list(PAGES))
def test_each_kind_shows_its_panels_each_linked_to_its_query(app, kind: str) -> None:
    response = app.test_client().get("/" + PAGES[kind], headers=HTML)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    shown = panels(html)
    expected = next(k for k in KINDS if k.name == kind).panels
    assert list(shown) == [p.key for p in expected]
    for panel in expected:
        body = shown[panel.key]
        assert "panel-error" not in body, body[:500]
        link = re.search(r'<a class="open-query" href="([^"]+)"', body)
        assert link, panel.key
        query = parse_qs(urlparse(htmlmod.unescape(link.group(1))).query)
        assert query == {"stored": [panel.query], panel.param: [BASE + PAGES[kind]]}
    for summary in re.findall(r'class="summary">([^<]*)</a>', html):  # statements by summary, never IRI
        assert not summary.startswith(("http", "article/", "resource/")), summary
    assert 'id="raw"' in html and '<table class="facts">' in html  # the raw facts stay, below


def test_the_actor_dossier_shows_the_actor_s_claim_with_its_quote(app) -> None:
    html = app.test_client().get("/resource/ana-exempla", headers=HTML).get_data(as_text=True)
    positions = panels(html)["positions"]
    assert ">Exempla calls the Lakeside Plan a trap.</a>" in positions
    assert "is a trap" in positions and "criticises" in positions


def test_a_broken_panel_shows_its_error_and_the_rest_renders(app) -> None:
    folder = Path(app.config["PEACEKG_QUERIES_DIR"])
    original = (folder / "actor-roles.rq").read_text(encoding="utf-8")
    try:
        (folder / "actor-roles.rq").write_text(
            original.replace("WHERE {", "WHERE { ?role pk:holder ?actor . FILTER(", 1)
        )
        response = app.test_client().get("/resource/ana-exempla", headers=HTML)
        assert response.status_code == 200
        shown = panels(response.get_data(as_text=True))
        assert "panel-error" in shown["roles"] and "actor-roles" in shown["roles"]
        assert all("panel-error" not in body for key, body in shown.items() if key != "roles")
        assert "Exempla calls the Lakeside Plan a trap." in shown["positions"]
    finally:
        (folder / "actor-roles.rq").write_text(original, encoding="utf-8")


def test_an_iri_that_names_nothing_is_a_404_page_offering_entity_search(app) -> None:
    response = app.test_client().get("/resource/ana-exemplar", headers=HTML)
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "no resource" in html
    assert 'action="/queries/entity-search"' in html and 'value="ana exemplar"' in html
    api = app.test_client().get("/resource/ana-exemplar", headers={"Accept": "text/turtle"})
    assert api.status_code == 404 and api.get_json()["status"] == 404  # API clients keep the JSON shape


def test_the_query_page_opens_a_stored_query_with_its_parameter_bound(app) -> None:
    client = app.test_client()
    iri = BASE + "resource/ana-exempla"
    page = client.get("/", query_string={"stored": "actor-roles", "actor": iri}).get_data(as_text=True)
    config = json.loads(
        htmlmod.unescape(re.search(r'id="peacekg-query-config">(.*?)</script>', page, re.S).group(1))  # type: ignore[union-attr]
    )
    opened = config["open"]
    assert opened["name"] == "actor-roles" and opened["title"]
    assert f"VALUES (?actor) {{ (<{iri}>) }}" in opened["query"]
    bad = client.get("/", query_string={"stored": "actor-roles", "actor": "not an iri>"})
    assert bad.status_code == 400 and "actor" in bad.get_json()["message"]
    assert client.get("/", query_string={"stored": "no-such-query"}).status_code == 404


def test_result_tables_show_labels_for_iris(app) -> None:
    html = (
        app.test_client()
        .get("/queries/actor-positions", query_string={"actor": BASE + "resource/ana-exempla"}, headers=HTML)
        .get_data(as_text=True)
    )
    assert re.search(r'<a href="/resource/lakeside-plan" title="[^"]+">Lakeside Plan</a>', html), html[-3000:]


def test_the_stylesheet_is_served_from_this_service(app) -> None:
    response = app.test_client().get("/static/dossier.css")
    assert response.status_code == 200 and response.mimetype == "text/css"
    response.close()


@pytest.fixture(scope="module")
def with_drafts(tmp_path_factory):
    """The fixture corpus with statement s2 (Ruritania's demand) a draft, built with drafts."""
    yield from draft_corpus_client(tmp_path_factory.mktemp("dossier-drafts"), include_drafts=True)


def test_a_dossier_marks_a_draft_statement(with_drafts) -> None:
    html = with_drafts.get("/resource/ruritania", headers=HTML).get_data(as_text=True)
    positions = panels(html)["positions"]
    row = next(r for r in positions.split("<tr>") if "Ruritania demands" in r)
    assert re.search(r'<span class="badge draft"[^>]*>draft</span>', row), row


@pytest.fixture(scope="module")
def seed_app(seed_build) -> Iterator[Flask]:
    app = create_app(seed_build)
    yield app
    state(app).pool.close()


def test_a_panel_whose_query_pages_links_its_next_page(seed_app) -> None:
    """actor-agreements pages by statement (# page: after ?statement): the actor dossier shows its
    first page, and links the results table's next page, whose cursor is a statement shown (the
    last ?statement) and whose rows come after it."""
    client = seed_app.test_client()
    html = client.get("/resource/russia", headers=HTML).get_data(as_text=True)
    body = panels(html)["agreements"]
    statements = {BASE + path for path in re.findall(r'href="/(article/[^"#?/]+/statement/[^"#?/]+)"', body)}
    assert statements, body[:500]
    link = re.search(r'<a href="([^"]+)">next page</a>', body)
    assert link, body[-800:]
    url = urlparse(htmlmod.unescape(link.group(1)))
    params = parse_qs(url.query)
    assert url.path == "/queries/actor-agreements" and params["actor"] == [BASE + "resource/russia"]
    assert params["after"][0] in statements  # the last ?statement shown (the page's order)
    following = client.get(url.path, query_string=url.query, headers={"Accept": "application/sparql-results+json"})
    assert following.status_code == 200
    rows = following.get_json()["results"]["bindings"]
    assert all(row["statement"]["value"] > params["after"][0] for row in rows)
