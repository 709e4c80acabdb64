"""What the service's stack costs before any query runs, for bench.lookups: three servers that
answer every GET with the bytes the service answered for the same query (read from files), built
as the service is built, one layer at a time:

* ``waitress``: a bare WSGI callable on waitress (the service's HTTP server, 8 threads);
* ``flask``: a Flask view on waitress;
* ``hop``: a Flask view that sends the bytes to a child process and back over a
  multiprocessing pipe, waiting with poll — the hand-off every query makes to a worker.

Set beside ``oxigraph serve``, they show how much of a lookup's time through the service is the
stack itself, which no change to the service's own code can remove.

And a fourth that does run the query: ``engine``, a bare WSGI callable on waitress that runs each
GET's ``query`` on the same store as the service reads it (pyoxigraph, read-only, the union of
the named graphs as the default graph) and answers the engine's own serialisation (SPARQL JSON for
a SELECT or ASK, N-Triples for a DESCRIBE or CONSTRUCT), with no protocol, negotiation or limits:
the least any Python service on waitress over this engine can do for a lookup. If it is itself
further than issue 18's 1.5x from ``oxigraph serve``, no service built on that stack reaches it.

    python -m bench.floors KIND PORT LOOKUP_BODY DESCRIBE_BODY
    python -m bench.floors engine PORT STORE_DIR
"""

from __future__ import annotations

import multiprocessing
import select
import sys
import threading
import urllib.parse
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import pyoxigraph
import waitress
from flask import Flask, Response, request

KINDS = ("waitress", "flask", "hop", "engine")
MEDIA = {"lookup": "application/sparql-results+json", "describe": "application/n-triples"}


def _echo(conn: Connection) -> None:
    while True:
        conn.send_bytes(conn.recv_bytes())


def _which(query_string: bytes) -> str:
    return "describe" if b"DESCRIBE" in query_string.upper() else "lookup"


def engine_app(store_dir: str) -> Any:
    """The ``engine`` floor's WSGI callable, on the store at ``store_dir`` (opened once, read-only,
    as the service's request threads and workers open it). A result is read and serialised inside
    the call that made it: a pyoxigraph result iterator may be read only in the thread that made it."""
    store = pyoxigraph.Store.read_only(store_dir)
    json_format, triples_format = pyoxigraph.QueryResultsFormat.JSON, pyoxigraph.RdfFormat.N_TRIPLES

    def engine(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        query = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""))["query"][0]
        result = store.query(query, use_default_graph_as_union=True)
        if isinstance(result, pyoxigraph.QueryTriples):
            media, body = MEDIA["describe"], result.serialize(format=triples_format)
        else:  # QuerySolutions or QueryBoolean
            media, body = MEDIA["lookup"], result.serialize(format=json_format)
        del result
        body = body or b""
        start_response("200 OK", [("Content-Type", media), ("Content-Length", str(len(body)))])
        return [body]

    return engine


def app(kind: str, bodies: dict[str, bytes]) -> Any:
    """The WSGI application of ``kind``."""
    if kind == "waitress":

        def bare(environ: dict[str, Any], start_response: Any) -> list[bytes]:
            which = _which(environ.get("QUERY_STRING", "").encode())
            start_response("200 OK", [("Content-Type", MEDIA[which]), ("Content-Length", str(len(bodies[which])))])
            return [bodies[which]]

        return bare
    flask = Flask("floor")
    hop: tuple[Connection, Any, threading.Lock] | None = None
    if kind == "hop":
        context = multiprocessing.get_context("spawn")
        parent, child = context.Pipe()
        context.Process(target=_echo, args=(child,), daemon=True).start()
        poller = select.poll()
        poller.register(parent.fileno(), select.POLLIN)
        hop = (parent, poller, threading.Lock())

    @flask.route("/sparql")
    def sparql() -> Response:
        which = _which(request.query_string)
        data = bodies[which]
        if hop is not None:
            conn, poller, lock = hop
            with lock:
                conn.send_bytes(data)
                poller.poll(10_000)
                data = conn.recv_bytes()
        return Response(data, content_type=MEDIA[which])

    return flask


def main(argv: list[str]) -> None:
    kind, port, *paths = argv
    if kind == "engine":
        (store_dir,) = paths
        wsgi = engine_app(store_dir)
    else:
        lookup, describe = paths
        wsgi = app(kind, {"lookup": Path(lookup).read_bytes(), "describe": Path(describe).read_bytes()})
    waitress.serve(wsgi, host="127.0.0.1", port=int(port), threads=8, _quiet=True)


if __name__ == "__main__":
    main(sys.argv[1:])
