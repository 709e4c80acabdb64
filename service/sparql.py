"""The SPARQL 1.1 Protocol endpoint, /sparql: queries by GET, POST url-encoded and POST
application/sparql-query, with default-graph-uri and named-graph-uri; content negotiation; the
JSON error shape with the query position for syntax errors; time and row limits that hold.
Updates are off in this service (403) until update support lands."""

from __future__ import annotations

import itertools
import re
from urllib.parse import parse_qs, urlsplit

from flask import Blueprint, Response, current_app, request

from service.errors import ApiError
from service.negotiation import choose
from service.execution import start
from service.workers import Job

blueprint = Blueprint("sparql", __name__)

RESULT_OFFERS = ["application/sparql-results+json", "application/sparql-results+xml", "text/csv",
                 "text/tab-separated-values", "application/json", "application/xml"]
GRAPH_OFFERS = ["text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml",
                "application/trig", "application/n-quads"]
STREAM_AFTER_BYTES = 1 << 20
_PROLOGUE = re.compile(r"(\s+|#[^\n]*\n?|(?i:BASE)\s*<[^>]*>|(?i:PREFIX)\s*[\w.-]*:\s*<[^>]*>)*")
_FORM = re.compile(r"(?i)(SELECT|ASK|CONSTRUCT|DESCRIBE)\b")


def query_form(query: str) -> str | None:
    """select/ask/construct/describe from the first keyword after the prologue, or None."""
    match = _FORM.match(query, _PROLOGUE.match(query).end())
    return match.group(1).lower() if match else None


def _params() -> dict[str, list[str]]:
    """URL parameters, decoded strictly (non-UTF-8 is a client error)."""
    raw = request.query_string
    try:
        return parse_qs(raw.decode("utf-8"), keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        raise ApiError(400, "the query string is not valid UTF-8") from None


def _form_body() -> dict[str, list[str]]:
    data = request.get_data(cache=True)
    try:
        return parse_qs(data.decode("utf-8"), keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        raise ApiError(400, "the request body is not valid UTF-8") from None


def _one(params: dict[str, list[str]], name: str) -> str | None:
    values = params.get(name, [])
    if len(values) > 1:
        raise ApiError(400, f"the parameter {name!r} is given {len(values)} times; give it once")
    return values[0] if values else None


def _iris(values: list[str], name: str) -> list[str]:
    for value in values:
        parts = urlsplit(value)
        if not parts.scheme or any(c in value for c in ' <>"{}|\\^`'):
            raise ApiError(400, f"{name} must be an absolute IRI, got {value!r}")
    return values


def _read_request() -> tuple[str, list[str], list[str]]:
    """The query and its dataset, from any of the protocol's three query operations."""
    url = _params()
    if request.method == "GET":
        if "update" in url:
            raise ApiError(400, "updates are not allowed with GET; use POST")
        query, source = _one(url, "query"), url
    else:
        media = (request.mimetype or "").lower()
        if media == "application/x-www-form-urlencoded":
            body = _form_body()
            if "update" in body:
                raise ApiError(403, "updates are disabled on this service")
            if "query" in url:
                raise ApiError(400, "the query is given both in the URL and in the body")
            query, source = _one(body, "query"), {**url, **body}
        elif media == "application/sparql-query":
            try:
                query = request.get_data(cache=True).decode("utf-8")
            except UnicodeDecodeError:
                raise ApiError(400, "the request body is not valid UTF-8") from None
            source = url
        elif media == "application/sparql-update":
            raise ApiError(403, "updates are disabled on this service")
        else:
            raise ApiError(415, f"unsupported Content-Type {request.mimetype or '(none)'}: use "
                                "application/x-www-form-urlencoded or application/sparql-query")
    if query is None or not query.strip():
        raise ApiError(400, "missing query")
    defaults = _iris(source.get("default-graph-uri", []), "default-graph-uri")
    named = _iris(source.get("named-graph-uri", []), "named-graph-uri")
    return query, defaults, named


@blueprint.route("/sparql", methods=["GET", "POST"])
def sparql() -> Response:
    if request.method == "GET" and not request.query_string:
        return service_description()
    settings = current_app.config["PEACEKG"]
    if len(request.query_string) > settings.max_request_bytes:
        raise ApiError(413, f"the query string is longer than {settings.max_request_bytes} bytes")
    query, defaults, named = _read_request()
    form = query_form(query)
    offers = GRAPH_OFFERS if form in ("construct", "describe") else RESULT_OFFERS
    media = choose(request.headers.get("Accept"), offers)
    if media is None:
        raise ApiError(406, f"no acceptable format for the result of {(form or 'this').upper()} query; offered: {', '.join(offers)}")
    job = Job(query, media, defaults, named, union=not defaults and not named, max_rows=settings.max_result_rows,
              base_iri=request.base_url)  # the protocol lets the service define the base: the endpoint
    truncated, body = start(job)
    headers = {"X-PeaceKG-Truncated": "true"} if truncated else {}
    headers["Vary"] = "Accept"
    # Small results are read at once and the worker goes back to the pool; larger ones stream,
    # and the WSGI server's close() returns (or replaces) the worker when the body is done.
    buffered, size = [], 0
    for chunk in body:
        buffered.append(chunk)
        size += len(chunk)
        if size > STREAM_AFTER_BYTES:
            break
    if body.released:
        return Response(b"".join(buffered), status=200, content_type=f"{media}; charset=utf-8", headers=headers)
    response = Response(itertools.chain(buffered, body), status=200, content_type=f"{media}; charset=utf-8", headers=headers)
    response.call_on_close(body.close)
    return response


def service_description() -> Response:
    """An SPARQL 1.1 Service Description of this endpoint, in Turtle."""
    base = current_app.config["PEACEKG"].base_iri
    endpoint = request.base_url
    formats = " , ".join(f"<http://www.w3.org/ns/formats/{f}>" for f in (
        "SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
        "Turtle", "N-Triples", "RDF_XML", "JSON-LD", "TriG", "N-Quads"))
    text = f"""@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .
@prefix void: <http://rdfs.org/ns/void#> .
<{endpoint}> a sd:Service ;
    sd:endpoint <{endpoint}> ;
    sd:supportedLanguage sd:SPARQL11Query ;
    sd:feature sd:UnionDefaultGraph ;
    sd:resultFormat {formats} ;
    sd:defaultDataset [ a sd:Dataset ; void:sparqlEndpoint <{endpoint}> ;
        sd:defaultGraph [ a sd:Graph ; void:description "the union of all named graphs"@en ] ;
        sd:namedGraph [ sd:name <{base}graph/ontology> ] , [ sd:name <{base}graph/reference> ] , [ sd:name <{base}graph/inferred> ] ] .
"""
    return Response(text, status=200, content_type="text/turtle; charset=utf-8")
