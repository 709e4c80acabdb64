"""The SPARQL 1.1 Graph Store HTTP Protocol at /store: indirect identification (/store?graph=IRI,
/store?default) and direct identification (/store/any/path names the graph whose IRI is that
URL). GET and HEAD for everyone, with content negotiation; PUT, POST (also multipart/form-data,
and POST /store alone to make a new graph, 201 with its Location) and DELETE when the service has
updates on and the request carries the token (service.auth). Graph IRIs are bound as RDF terms,
never pasted into query text; writes go through the single writer as one transaction each."""

from __future__ import annotations

import uuid
from urllib.parse import parse_qs

from flask import Blueprint, Response, current_app, request

from service.auth import require_writer
from service.errors import ApiError
from service.execution.outcomes import collect, write
from service.execution.workers import Job
from service.protocol.negotiation import choose

blueprint = Blueprint("graph_store", __name__)
OFFERS = ["text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml"]
EXISTS = "ASK { GRAPH ?graph { } }"  # true for empty graphs too
EXISTS_REMOTE = "ASK { GRAPH ?graph { ?s ?p ?o } }"  # engines disagree on empty GRAPH patterns (Virtuoso: always true)
GRAPH = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?graph { ?s ?p ?o } }"
DEFAULT = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"


def _run(job: Job) -> bytes:
    data, truncated = collect(job, what="reading the graph")
    if truncated:
        limit = current_app.config["PEACEKG"].max_result_rows
        raise ApiError(413, f"the graph has more than {limit} triples; use a dump (peacekg export)")
    return data


_NO_GRAPH = object()  # POST /store with neither ?graph nor ?default: make a new graph


def _target(direct: bool) -> object:
    """The graph IRI, None for the default graph, or _NO_GRAPH; 400 unless at most one of graph / default."""
    try:
        params = parse_qs(request.query_string.decode("utf-8"), keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        raise ApiError(400, "the query string is not valid UTF-8") from None
    graphs, default = params.get("graph", []), "default" in params
    if direct:
        if graphs or default:
            raise ApiError(400, "a graph named by its own URL (direct identification) takes no ?graph or ?default")
        return request.base_url
    if (default and graphs) or len(graphs) > 1:
        raise ApiError(400, "name exactly one graph: ?graph=<IRI> or ?default")
    if default:
        return None
    if not graphs:
        return _NO_GRAPH
    iri = graphs[0]
    if ":" not in iri or any(c in iri for c in ' <>"{}|\\^`'):
        raise ApiError(400, f"graph must be an absolute IRI, got {iri!r}")
    return iri


def _payloads() -> list[tuple[bytes, str, str]]:
    """The RDF sent: the body, or each part of a multipart/form-data body."""
    media = (request.mimetype or "").lower()
    if media == "multipart/form-data":
        parts = [
            (f.read(), (f.mimetype or "").lower(), f"part {i} ({f.filename or f.name})")
            for i, f in enumerate(request.files.values(), start=1)
        ]
        if not parts:
            raise ApiError(400, "the multipart/form-data body has no parts with RDF in them")
        return parts
    if not media:
        raise ApiError(415, "a Content-Type naming the RDF format of the body is required (e.g. text/turtle)")
    return [(request.get_data(cache=False), media, "the request body")]


def _write(graph: object) -> Response:
    require_writer()
    method = request.method
    created_here = graph is _NO_GRAPH
    if created_here:
        if method != "POST":
            raise ApiError(400, "name exactly one graph: ?graph=<IRI> or ?default")
        graph = request.base_url.rstrip("/") + "/" + uuid.uuid4().hex
    if method == "DELETE":
        write(("delete", graph), what="deleting the graph")
        return Response(status=204)
    info = write((method.lower(), graph, _payloads(), graph or request.base_url), what="writing the graph")
    if created_here:
        return Response(status=201, headers={"Location": str(graph)})
    return Response(status=201 if info.get("created") else 204)


@blueprint.route("/store", methods=["GET", "HEAD", "PUT", "POST", "DELETE"])
@blueprint.route("/store/<path:_rest>", methods=["GET", "HEAD", "PUT", "POST", "DELETE"])
def graph_store(_rest: str | None = None) -> Response:
    graph = _target(direct=_rest is not None)
    if request.method in ("PUT", "POST", "DELETE"):
        return _write(graph)
    if graph is _NO_GRAPH:
        raise ApiError(400, "name exactly one graph: ?graph=<IRI> or ?default")
    media = choose(request.headers.get("Accept"), OFFERS)
    if media is None:
        raise ApiError(406, f"no acceptable format for a graph; offered: {', '.join(OFFERS)}")
    max_rows = current_app.config["PEACEKG"].max_result_rows
    if graph is not None:
        exists = _run(
            Job(
                EXISTS_REMOTE if current_app.config["PEACEKG"].store_url else EXISTS,
                "application/sparql-results+json",
                [],
                [],
                union=False,
                max_rows=1,
                bindings={"graph": graph},
            )
        )
        if b"true" not in exists:
            raise ApiError(404, f"no graph named <{graph}> in this dataset")
        data = _run(Job(GRAPH, media, [], [], union=False, max_rows=max_rows, bindings={"graph": graph}))
    else:
        data = _run(Job(DEFAULT, media, [], [], union=False, max_rows=max_rows))
    response = Response(b"" if request.method == "HEAD" else data, status=200, content_type=f"{media}; charset=utf-8")
    response.headers["Vary"] = "Accept"
    if request.method == "HEAD":
        response.headers["Content-Length"] = str(len(data))
    return response
