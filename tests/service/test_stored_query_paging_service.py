"""Keyset paging through ``GET /queries/NAME`` (service/views/stored_queries.py and
stored_paging.py), with Flask's test client on the seed build and the paging fixtures of
tests/data/queries-paging: following ``Link: <…>; rel="next"`` from the first page to the empty
one gives exactly the unpaged answer, once; every result format links to the same next pages;
the link is absolute and carries the other parameters, percent-encoded, intact; the HTML table
links the next and the first page; an empty page has no link."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from urllib.parse import parse_qs, urlsplit

import pyoxigraph
import pytest

from kg.queries.stored import find
from service import create_app
from service.state import state
from service.views.query_examples import from_stored

from helpers.paths import ROOT

FIXTURES = ROOT / "tests" / "data" / "queries-paging"
HTML = {"Accept": "text/html"}
LINK = re.compile(r'<(?P<url>[^>]*)>; rel="next"')
# a value that needs encoding in a URL: reserved characters, spaces, '+', '%', non-ASCII, quotes
AWKWARD = "a&b=c d+e%20f/g?h#i é ü 'j' \"k\" <l> ;"
FORMATS = {
    "json": pyoxigraph.QueryResultsFormat.JSON,
    "xml": pyoxigraph.QueryResultsFormat.XML,
    "tsv": pyoxigraph.QueryResultsFormat.TSV,
}


@pytest.fixture(scope="module")
def app(seed_build):
    app = create_app(seed_build.replace(query_workers=1))
    app.config["PEACEKG_QUERIES_DIR"] = FIXTURES
    yield app
    state(app).pool.close()


@pytest.fixture()
def client(app):
    return app.test_client()


def _next(response) -> str | None:
    links = response.headers.getlist("Link")
    assert len(links) <= 1
    match = LINK.fullmatch(links[0]) if links else None
    assert not links or match, links
    return match.group("url") if match else None


def _rows(response, fmt: str, names: list[str]) -> list[tuple]:
    """The rows of a page as tuples of the values of ``names`` (None where unbound)."""
    if fmt == "csv":
        return [
            tuple(r[n] or None for n in names) for r in csv.DictReader(io.StringIO(response.get_data(as_text=True)))
        ]
    solutions = pyoxigraph.parse_query_results(response.data, format=FORMATS[fmt])
    return [tuple(s[n].value if s[n] is not None else None for n in names) for s in solutions]


def _walk(client, name: str, fmt: str, params: dict[str, str], names: list[str]) -> tuple[list[tuple], list[str]]:
    """Every row of every page from the first by the Link headers, and the links followed."""
    response = client.get(f"/queries/{name}", query_string={**params, "format": fmt})
    rows: list[tuple] = []
    links: list[str] = []
    for _ in range(1000):
        assert response.status_code == 200, response.data
        page = _rows(response, fmt, names)
        rows += page
        url = _next(response)
        if not page:
            assert url is None  # an empty page is the last
            return rows, links
        assert url is not None
        links.append(url)
        parts = urlsplit(url)
        assert parts.scheme == "http" and parts.netloc == "localhost" and parts.path == f"/queries/{name}"
        response = client.get(parts.path, query_string=parts.query)
    raise AssertionError("paging did not end")


@pytest.mark.parametrize(
    "paged, whole, names",
    [
        ("statement-classes-paged", "statement-classes", ["statement", "class"]),
        ("labels-paged", "labels", ["key", "thing", "label"]),
    ],
)
def test_following_the_links_gives_the_whole_answer_once_in_every_format(client, paged, whole, names) -> None:
    unpaged = client.get(f"/queries/{whole}", query_string={"format": "json"})
    assert unpaged.status_code == 200 and _next(unpaged) is None  # a query that does not page
    expected = _rows(unpaged, "json", names)
    walks = {fmt: _walk(client, paged, fmt, {}, names) for fmt in ("json", "xml", "csv", "tsv")}
    rows, links = walks["json"]
    assert len(links) > 3 and len(expected) > 20
    assert Counter(rows) == Counter(expected) and len(set(rows)) == len(rows)
    for fmt, (other_rows, other_links) in walks.items():  # the same pages, each in its format
        assert other_rows == rows, fmt
        assert [link.replace(f"format={fmt}", "format=json") for link in other_links] == links, fmt


def test_the_next_link_keeps_the_other_parameters_intact(client) -> None:
    response = client.get("/queries/labels-paged", query_string={"note": AWKWARD})
    assert response.status_code == 200
    body = response.json
    bindings = body["results"]["bindings"]
    assert bindings and {b["note"]["value"] for b in bindings} == {AWKWARD}
    url = _next(response)
    assert url is not None and " " not in url and "é" not in url  # percent-encoded
    query = parse_qs(urlsplit(url).query, keep_blank_values=True, strict_parsing=True)
    assert query == {"note": [AWKWARD], "after": [bindings[-1]["key"]["value"]]}
    second = client.get(urlsplit(url).path, query_string=urlsplit(url).query)
    assert second.status_code == 200 and {b["note"]["value"] for b in second.json["results"]["bindings"]} == {AWKWARD}
    assert second.json["results"]["bindings"][0]["key"]["value"] > query["after"][0]


def test_the_cursor_is_the_text_of_an_iri(client) -> None:
    response = client.get("/queries/statement-classes-paged")
    last = response.json["results"]["bindings"][-1]["statement"]
    url = _next(response)
    assert last["type"] == "uri" and url is not None
    assert parse_qs(urlsplit(url).query) == {"after": [last["value"]]}


def test_an_empty_page_has_no_link(client) -> None:
    for fmt in ("json", "xml", "csv", "tsv", "html"):
        response = client.get("/queries/statement-classes-paged", query_string={"after": "\U0010ffff", "format": fmt})
        assert response.status_code == 200 and _next(response) is None, fmt
    page = client.get("/queries/statement-classes-paged", query_string={"after": "\U0010ffff"}, headers=HTML)
    assert "This is the last page." in page.get_data(as_text=True)


def test_the_html_page_links_the_next_and_the_first_page(client) -> None:
    first = client.get("/queries/labels-paged", query_string={"note": AWKWARD}, headers=HTML)
    text = first.get_data(as_text=True)
    assert first.status_code == 200 and first.mimetype == "text/html"
    assert 'rel="next">Next page</a>' in text and "First page" not in text
    href = re.search(r'<a href="([^"]*)" rel="next">Next page</a>', text).group(1).replace("&amp;", "&")
    assert urlsplit(_next(first)).query == urlsplit(href).query  # the same next page as the Link
    second = client.get(urlsplit(href).path, query_string=urlsplit(href).query, headers=HTML)
    text = second.get_data(as_text=True)
    assert 'rel="next">Next page</a>' in text
    first_href = re.search(r'<a href="([^"]*)" rel="first">First page</a>', text).group(1).replace("&amp;", "&")
    assert parse_qs(urlsplit(first_href).query) == {"note": [AWKWARD]}


def test_the_list_says_how_each_query_pages(client) -> None:
    listed = {q["name"]: q for q in client.get("/queries").json["queries"]}
    assert listed["labels-paged"]["page"] == {"param": "after", "variable": "key"}
    assert listed["labels"]["page"] is None
    html = client.get("/queries", headers=HTML).get_data(as_text=True)
    assert "next page by <code>after</code> = last <code>?key</code>" in html


def test_a_page_cut_at_the_row_limit_has_no_next_page(seed_build) -> None:
    """The last key's rows may be incomplete on a cut page: a next page from it would skip rows."""
    app = create_app(seed_build.replace(query_workers=1, max_result_rows=2))
    app.config["PEACEKG_QUERIES_DIR"] = FIXTURES
    try:
        client = app.test_client()
        response = client.get("/queries/statement-classes-paged")
        assert response.status_code == 200 and response.headers.get("X-PeaceKG-Truncated") == "true"
        assert len(response.json["results"]["bindings"]) == 2 and _next(response) is None
        page = client.get("/queries/statement-classes-paged", headers=HTML).get_data(as_text=True)
        assert "cut at the row limit: no next page" in page and "Next page" not in page
    finally:
        state(app).pool.close()


def test_the_query_page_example_says_how_to_get_the_first_page() -> None:
    example = from_stored(find("labels-paged", FIXTURES))
    assert 'after (default "")' in example.description
    assert "a page at a time at /queries/labels-paged (the next page: after = the last ?key)" in example.description
