"""What the service's stack costs before any query runs, for bench.lookups: three servers that
answer every GET with the bytes the service answered for the same query (read from files), built
as the service is built, one layer at a time:

* ``waitress``: a bare WSGI callable on waitress (the service's HTTP server, 8 threads);
* ``flask``: a Flask view on waitress;
* ``hop``: a Flask view that sends the bytes to a child process and back over a
  multiprocessing pipe, waiting with poll — the hand-off every query makes to a worker.

Set beside ``oxigraph serve``, they show how much of a lookup's time through the service is the
stack itself, which no change to the service's own code can remove.

    python -m bench.floors KIND PORT LOOKUP_BODY DESCRIBE_BODY
"""

from __future__ import annotations

import multiprocessing
import select
import sys
import threading
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import waitress
from flask import Flask, Response, request

KINDS = ("waitress", "flask", "hop")
MEDIA = {"lookup": "application/sparql-results+json", "describe": "application/n-triples"}


def _echo(conn: Connection) -> None:
    while True:
        conn.send_bytes(conn.recv_bytes())


def _which(query_string: bytes) -> str:
    return "describe" if b"DESCRIBE" in query_string.upper() else "lookup"


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
    kind, port, lookup, describe = argv
    bodies = {"lookup": Path(lookup).read_bytes(), "describe": Path(describe).read_bytes()}
    waitress.serve(app(kind, bodies), host="127.0.0.1", port=int(port), threads=8, _quiet=True)


if __name__ == "__main__":
    main(sys.argv[1:])
