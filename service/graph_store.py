"""The SPARQL 1.1 Graph Store HTTP Protocol at /store (indirect graph identification, as oxigraph
lays it out): GET and HEAD for everyone, with content negotiation; writes (PUT, POST, DELETE) are
refused in this version (403), as updates are. Graph IRIs are bound as RDF terms, never pasted
into query text."""

from __future__ import annotations

from urllib.parse import parse_qs

from flask import Blueprint, Response, current_app, request

from service.errors import ApiError
from service.negotiation import choose
from service.execution import collect
from service.workers import Job

blueprint = Blueprint("graph_store", __name__)
OFFERS = ["text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml"]
EXISTS = "ASK { GRAPH ?graph { ?s ?p ?o } }"
GRAPH = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?graph { ?s ?p ?o } }"
DEFAULT = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"


def _run(job: Job) -> bytes:
    data, truncated = collect(job, what="reading the graph")
    if truncated:
        limit = current_app.config["PEACEKG"].max_result_rows
        raise ApiError(413, f"the graph has more than {limit} triples; use a dump (peacekg export)")
    return data


def _target() -> str | None:
    """The graph IRI, or None for the default graph; 400 unless exactly one of graph / default."""
    try:
        params = parse_qs(request.query_string.decode("utf-8"), keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        raise ApiError(400, "the query string is not valid UTF-8") from None
    graphs, default = params.get("graph", []), "default" in params
    if default == bool(graphs) or len(graphs) > 1:
        raise ApiError(400, "name exactly one graph: ?graph=<IRI> or ?default")
    if default:
        return None
    iri = graphs[0]
    if ":" not in iri or any(c in iri for c in ' <>"{}|\\^`'):
        raise ApiError(400, f"graph must be an absolute IRI, got {iri!r}")
    return iri


@blueprint.route("/store", methods=["GET", "HEAD", "PUT", "POST", "DELETE"])
def graph_store() -> Response:
    if request.method in ("PUT", "POST", "DELETE"):
        raise ApiError(403, "writes are disabled on this service (the Graph Store Protocol is read-only here)")
    graph = _target()
    media = choose(request.headers.get("Accept"), OFFERS)
    if media is None:
        raise ApiError(406, f"no acceptable format for a graph; offered: {', '.join(OFFERS)}")
    max_rows = current_app.config["PEACEKG"].max_result_rows
    if graph is not None:
        exists = _run(Job(EXISTS, "application/sparql-results+json", [], [], union=False, max_rows=1, bindings={"graph": graph}))
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
