"""The SPARQL 1.1 Protocol endpoint, /sparql: queries by GET, POST url-encoded and POST
application/sparql-query, with default-graph-uri and named-graph-uri; updates by POST url-encoded
and POST application/sparql-update, with using-graph-uri and using-named-graph-uri, when the
service has updates on and the request carries the token (service.auth); content negotiation;
the JSON error shape with the query position for syntax errors; time and row limits that hold;
SERVICE calls only to allow-listed endpoints (service.protocol.federation)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from functools import lru_cache
from urllib.parse import parse_qs, urlsplit

from flask import Blueprint, Flask, Request, Response, current_app, request
from werkzeug.sansio.utils import get_current_url

from kg.sparql.lexer import DatasetConflict, add_using, mentions, query_form, significant
from service.auth import require_writer
from service.errors import ApiError
from service.execution.outcomes import start, write
from service.execution.workers import Job, StreamBroken
from service.protocol.federation import check_query, check_update
from service.protocol.negotiation import choose
from service.state import state

blueprint = Blueprint("sparql", __name__)

RESULT_OFFERS = [
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
    "application/json",
    "application/xml",
]
GRAPH_OFFERS = [
    "text/turtle",
    "application/n-triples",
    "application/ld+json",
    "application/rdf+xml",
    "application/trig",
    "application/n-quads",
]
STREAM_AFTER_BYTES = 1 << 20
READ_METHODS = ("GET", "HEAD")  # the query in the URL; any other method reads the body


@lru_cache(maxsize=64)  # one endpoint, a few host names: computing it costs a lookup 20 µs (IRI decoding)
def _url(scheme: str, host: str, root_path: str, path: str) -> str:
    return get_current_url(scheme, host, root_path, path)


def endpoint_iri(req: Request) -> str:
    """The request's URL without its query string (``request.base_url``), the base IRI of its query."""
    return _url(req.scheme, req.host, req.root_path, req.path)


def _params(req: Request) -> dict[str, list[str]]:
    """URL parameters, decoded strictly (non-UTF-8 is a client error)."""
    raw = req.query_string
    try:
        return parse_qs(raw.decode("utf-8"), keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        raise ApiError(400, "the query string is not valid UTF-8") from None


def _form_body(req: Request) -> dict[str, list[str]]:
    data = req.get_data(cache=True)
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
        try:
            scheme = urlsplit(value).scheme
        except ValueError:  # urlsplit refuses some authorities ("http://[::1"): not an IRI either
            scheme = ""
        if not scheme or any(c in value for c in ' <>"{}|\\^`'):
            raise ApiError(400, f"{name} must be an absolute IRI, got {value!r}")
    return values


def _utf8_body(req: Request) -> str:
    try:
        return req.get_data(cache=True).decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError(400, "the request body is not valid UTF-8") from None


def _read_request(req: Request) -> tuple[str, str, dict[str, list[str]]]:
    """The operation ("query" or "update"), its text and the parameters that carry its dataset,
    from any of the protocol's five operations."""
    url = _params(req)
    if req.method in READ_METHODS:  # HEAD is GET without the body (Flask routes HEAD here too)
        if "update" in url:
            raise ApiError(400, f"updates are not allowed with {req.method}; use POST")
        return "query", _one(url, "query") or "", url
    media = (req.mimetype or "").lower()
    if media == "application/x-www-form-urlencoded":
        body = _form_body(req)
        if "query" in body and "update" in body:
            raise ApiError(400, "give either query or update, not both")
        if "query" in url or "update" in url:
            raise ApiError(400, "with a url-encoded body, the query or update goes in the body, not in the URL")
        kind = "update" if "update" in body else "query"
        return kind, _one(body, kind) or "", {**url, **body}
    if media == "application/sparql-query":
        return "query", _utf8_body(req), url
    if media == "application/sparql-update":
        return "update", _utf8_body(req), url
    raise ApiError(
        415,
        f"unsupported Content-Type {req.mimetype or '(none)'}: use application/x-www-form-urlencoded, "
        "application/sparql-query or application/sparql-update",
    )


def _update(req: Request, text: str, source: dict[str, list[str]]) -> Response:
    require_writer()
    for name in ("default-graph-uri", "named-graph-uri"):
        if name in source:
            raise ApiError(400, f"{name} applies to queries; an update takes using-graph-uri / using-named-graph-uri")
    try:
        text = add_using(
            text,
            _iris(source.get("using-graph-uri", []), "using-graph-uri"),
            _iris(source.get("using-named-graph-uri", []), "using-named-graph-uri"),
        )
    except DatasetConflict as exc:
        raise ApiError(400, str(exc)) from None
    text = check_update(text, state().federation)
    write(("update", text, endpoint_iri(req)))
    return Response(status=204)


@blueprint.route("/sparql", methods=["GET", "POST"])
def sparql() -> Response:
    return answer(request._get_current_object(), current_app)  # type: ignore[attr-defined]


def answer(req: Request, app: Flask) -> Response:
    """The response to a /sparql request; raises ApiError for the one error shape. Called by the
    Flask view and by the WSGI-level dispatch of lookups (service.protocol.hot_route) with the
    request and the app, so both run this one implementation of the protocol; the app's context
    must be pushed (current_app, service.state)."""
    if req.method in READ_METHODS and not req.query_string:
        return service_description(req)
    settings = app.config["PEACEKG"]
    if len(req.query_string) > settings.max_request_bytes:
        raise ApiError(413, f"the query string is longer than {settings.max_request_bytes} bytes")
    kind, query, source = _read_request(req)
    if not query.strip():
        raise ApiError(400, f"missing {kind}")
    if kind == "update":
        return _update(req, query, source)
    for name in ("using-graph-uri", "using-named-graph-uri"):
        if name in source:
            raise ApiError(400, f"{name} applies to updates; a query takes default-graph-uri / named-graph-uri")
    defaults = _iris(source.get("default-graph-uri", []), "default-graph-uri")
    named = _iris(source.get("named-graph-uri", []), "named-graph-uri")
    query = check_query(query, state().federation)
    form = query_form(query)
    offers = GRAPH_OFFERS if form in ("construct", "describe") else RESULT_OFFERS
    media = choose(req.headers.get("Accept"), offers)
    if media is None:
        raise ApiError(
            406,
            f"no acceptable format for the result of {(form or 'this').upper()} query; offered: {', '.join(offers)}",
        )
    # The union default graph only when neither the protocol nor the query (FROM, FROM NAMED) names a
    # dataset: the engine's union flag would override the query's own FROM.
    in_query = mentions(query, "from") and any(t.keyword == "FROM" for t in significant(query))
    job = Job(
        query,
        media,
        defaults,
        named,
        union=not defaults and not named and not in_query,
        max_rows=settings.max_result_rows,
        base_iri=endpoint_iri(req),
    )  # the protocol lets the service define the base
    truncated, body = start(job, client=req.remote_addr)
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
        body.close()  # runs the stream's callbacks (the client's slot) if the end did not
        if not body.finished:  # the worker stopped before the result was complete: an error, never a cut 200
            if body.failure == "timeout":
                raise ApiError(504, f"the query ran longer than {settings.query_timeout_s:g} s and was stopped")
            raise ApiError(
                503,
                "the query worker stopped unexpectedly while sending the result; it has been replaced",
                headers={"Retry-After": "1"},
            )
        return Response(b"".join(buffered), status=200, content_type=f"{media}; charset=utf-8", headers=headers)
    response = Response(
        _rest_or_abort(buffered, body), status=200, content_type=f"{media}; charset=utf-8", headers=headers
    )
    response.call_on_close(body.close)
    return response


def _rest_or_abort(buffered: list[bytes], body) -> Iterator[bytes]:
    """The rest of a streamed result; if the worker fails after the 200 went out, StreamBroken
    makes the WSGI server drop the connection (an incomplete transfer, not a cut result)."""
    yield from itertools.chain(buffered, body)
    if not body.finished:
        raise StreamBroken(f"the result stream ended early ({body.failure or 'closed'})")


def service_description(req: Request) -> Response:
    """An SPARQL 1.1 Service Description of this endpoint, in Turtle."""
    base = current_app.config["PEACEKG"].base_iri
    endpoint = endpoint_iri(req)
    formats = " , ".join(
        f"<http://www.w3.org/ns/formats/{f}>"
        for f in (
            "SPARQL_Results_JSON",
            "SPARQL_Results_XML",
            "SPARQL_Results_CSV",
            "SPARQL_Results_TSV",
            "Turtle",
            "N-Triples",
            "RDF_XML",
            "JSON-LD",
            "TriG",
            "N-Quads",
        )
    )
    languages = "sd:SPARQL11Query" + (" , sd:SPARQL11Update" if state().writer is not None else "")
    features = "sd:UnionDefaultGraph" + (" , sd:BasicFederatedQuery" if state().federation.routes else "")
    text = f"""@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .
@prefix void: <http://rdfs.org/ns/void#> .
<{endpoint}> a sd:Service ;
    sd:endpoint <{endpoint}> ;
    sd:supportedLanguage {languages} ;
    sd:feature {features} ;
    sd:resultFormat {formats} ;
    sd:defaultDataset [ a sd:Dataset ; void:sparqlEndpoint <{endpoint}> ;
        sd:defaultGraph [ a sd:Graph ; void:description "the union of all named graphs"@en ] ;
        sd:namedGraph [ sd:name <{base}graph/ontology> ] , [ sd:name <{base}graph/reference> ] , [ sd:name <{base}graph/inferred> ] ] .
"""
    return Response(text, status=200, content_type="text/turtle; charset=utf-8")
