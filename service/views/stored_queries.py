"""Stored queries over HTTP: ``GET /queries`` lists the ``queries/*.rq`` files (JSON, or HTML for
browsers), ``GET /queries/<name>?param=value…`` runs one (SPARQL JSON, XML, CSV or TSV by the Accept
header; an HTML table for browsers; ``?format=csv`` or ``tsv`` a download).

Parameters are bound as RDF terms of their declared types (kg.queries.stored) and reach the query
worker as ``Job.bindings``; a value is never pasted into query text. Errors use the service's one
JSON shape: 404 no such query, 400 a missing, unknown, repeated or invalid parameter, 406 no
acceptable format, 500 a broken query file (the server's fault), 503/504 from the worker pool.
Stored queries run through service.execution.outcomes like any other query, under the same limits.

A stored query that pages (``# page:``, kg.queries.paging) answers a non-empty, uncut page with
``Link: <URL of the next page>; rel="next"`` (every format) and "Next page" / "First page" links
in the HTML table; the cursor is read from the last row of the serialised page
(kg.queries.paging.last_serialized_value), so the local workers and a remote store (``serve --store``) page
the same way."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, quote, urlencode

from flask import Blueprint, Response, current_app, render_template, request, url_for

from kg.queries.paging import last_serialized_value, next_cursor
from kg.queries.stored import (
    QUERIES_DIR,
    StoredQuery,
    StoredQueryFileError,
    StoredQueryInputError,
    bind,
    find,
    load_all,
)
from service.errors import ApiError, html_security_headers
from service.execution.outcomes import collect
from service.execution.results import SELECT_TYPES
from service.execution.workers import Job
from service.protocol.federation import check_query
from service.protocol.negotiation import choose
from service.protocol.sparql import RESULT_OFFERS as SPARQL_RESULT_OFFERS
from service.state import state
from service.views import page_queries
from service.views.dossiers import labels_from
from service.views.page_model import Terms
from service.views.pages import SECURITY_HEADERS

blueprint = Blueprint("stored_queries", __name__)

RESULT_OFFERS = [*SPARQL_RESULT_OFFERS, "text/html"]  # the endpoint's formats, and a page
LIST_OFFERS = ["application/json", "text/html"]
LIST_FORMATS = {"json": "application/json", "html": "text/html"}
FORMATS = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "html": "text/html",
}
DOWNLOADS = {"csv": "csv", "tsv": "tsv"}  # ?format= values answered as an attachment, and its file suffix
JSON_RESULTS = "application/sparql-results+json"


def _queries_dir():
    return current_app.config.get("PEACEKG_QUERIES_DIR") or QUERIES_DIR


def _params() -> dict[str, str]:
    """The query string as {name: value}, decoded strictly; a name given twice is a 400."""
    settings = current_app.config["PEACEKG"]
    if len(request.query_string) > settings.max_request_bytes:
        raise ApiError(413, f"the query string is longer than {settings.max_request_bytes} bytes")
    try:
        parsed = parse_qs(request.query_string.decode("utf-8"), keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        raise ApiError(400, "the query string is not valid UTF-8") from None
    repeated = sorted(name for name, values in parsed.items() if len(values) > 1)
    if repeated:
        raise ApiError(400, f"parameter(s) given more than once: {', '.join(repeated)}; give each once")
    return {name: values[0] for name, values in parsed.items()}


def _media(fmt: str | None, offers: list[str], formats: dict[str, str] = FORMATS) -> str:
    if fmt is not None:
        allowed = {k: v for k, v in formats.items() if v in offers}
        if fmt not in allowed:
            raise ApiError(400, f"unknown format {fmt!r}; use one of: {', '.join(allowed)}")
        return allowed[fmt]
    media = choose(request.headers.get("Accept"), offers)
    if media is None:
        raise ApiError(406, f"no acceptable format; offered: {', '.join(offers)}")
    return media


def _find(name: str) -> StoredQuery:
    try:
        return find(name, _queries_dir())
    except StoredQueryInputError as exc:
        raise ApiError(404, str(exc)) from None
    except StoredQueryFileError as exc:  # a broken file is the server's fault, said precisely
        raise ApiError(500, f"the stored query {name} is broken: {exc}") from None


@blueprint.get("/queries")
def index() -> Response:
    params = _params()
    media = _media(params.pop("format", None), LIST_OFFERS, LIST_FORMATS)
    queries, errors = load_all(_queries_dir())
    listing = [{**q.summary(), "href": url_for("stored_queries.run", name=q.name)} for q in queries]
    headers = {"Vary": "Accept"}
    if media == "text/html":
        html = render_template(
            "queries.html", queries=listing, invalid=[str(e) for e in errors], root=request.script_root
        )
        return Response(html, status=200, content_type="text/html; charset=utf-8", headers=headers)
    body = {"queries": listing, "invalid": [str(e) for e in errors]}
    return Response(
        json.dumps(body, ensure_ascii=False, indent=1),
        status=200,
        content_type="application/json; charset=utf-8",
        headers=headers,
    )


@blueprint.get("/queries/<name>")
def run(name: str) -> Response:
    params = _params()
    fmt = params.pop("format", None)
    media = _media(fmt, RESULT_OFFERS)
    query = _find(name)
    try:
        terms = bind(query, params)
    except StoredQueryInputError as exc:
        raise ApiError(400, str(exc)) from None
    text = check_query(query.text, state().federation)  # SERVICE only to allowed endpoints
    settings = current_app.config["PEACEKG"]
    job = Job(
        text,
        JSON_RESULTS if media == "text/html" else media,
        [],
        [],
        union=True,
        max_rows=settings.max_result_rows,
        bindings=terms,
    )
    data, truncated = collect(job, what=f"the stored query {name}", evaluation_status=500)
    headers = {"Vary": "Accept"}
    if truncated:
        headers["X-PeaceKG-Truncated"] = "true"
    # a page cut at the row limit gets no next page: the rows of its last key may be incomplete
    cursor = None
    if query.page is not None and not truncated:
        cursor = next_cursor(query, last_serialized_value(data, _kind(media), query.page.variable))
        if cursor is not None:
            following = _query_string({**params, **_format(fmt), query.page.param: cursor})
            headers["Link"] = f'<{request.base_url}?{following}>; rel="next"'
    if media == "text/html":
        return Response(
            _html(query, params, json.loads(data), truncated, cursor),
            status=200,
            content_type="text/html; charset=utf-8",
            headers=headers,
        )
    if fmt in DOWNLOADS:
        headers["Content-Disposition"] = f'attachment; filename="{query.name}.{DOWNLOADS[fmt]}"'
    return Response(data, status=200, content_type=f"{media}; charset=utf-8", headers=headers)


def _query_string(values: dict[str, str]) -> str:
    """``values`` as a query string, every reserved character percent-encoded (spaces as %20)."""
    return urlencode(values, quote_via=quote, safe="")


def _kind(media: str) -> str:
    """The kind of SELECT results sent as ``media`` (an HTML page is made from SPARQL JSON)."""
    return "json" if media == "text/html" else SELECT_TYPES.get(media, "")


def _format(fmt: str | None) -> dict[str, str]:
    return {} if fmt is None else {"format": fmt}


def _html(query: StoredQuery, given: dict[str, str], results: dict, truncated: bool, cursor: str | None) -> str:
    """The result table: IRIs of this dataset link to their pages, other http(s) IRIs to themselves,
    literals are shown with their language or datatype; a form to change the parameters."""
    names = results["head"]["vars"]
    bindings = results["results"]["bindings"]
    shown = {row[n]["value"] for row in bindings for n in names if n in row and row[n]["type"] == "uri"}
    # an IRI is shown by its label where the result has one (the ?xLabel column of ?x)
    terms = Terms(current_app.config["PEACEKG"].base_iri, labels_from(bindings), page_queries.drafts(shown))
    rows = [[terms(row[n]) if n in row else None for n in names] for row in bindings]
    params = [
        {
            "name": p.name,
            "type": p.type,
            "help": p.help,
            "required": p.required,
            "value": given.get(p.name, p.default or ""),
        }
        for p in query.params
    ]
    downloads = {
        fmt: url_for("stored_queries.run", name=query.name) + "?" + urlencode({**given, "format": fmt})
        for fmt in ("csv", "tsv", "json")
    }
    here = url_for("stored_queries.run", name=query.name) + "?"
    paging = {}
    if query.page is not None:
        others = {k: v for k, v in given.items() if k != query.page.param}
        if cursor is not None:
            paging["next"] = here + _query_string({**others, query.page.param: cursor})
        if given.get(query.page.param):  # a cursor is set: not the first page
            paging["first"] = here + _query_string(others)
    return render_template(
        "queries_result.html",
        query=query,
        params=params,
        names=names,
        rows=rows,
        truncated=truncated,
        downloads=downloads,
        paging=paging,
        root=request.script_root,
    )


blueprint.after_request(html_security_headers(SECURITY_HEADERS))
