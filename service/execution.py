"""Running a job through the worker pool from a request: the pool's outcomes counted in /metrics
(every pool query: endpoint, pages, graph store) and mapped to the one error shape (503 busy with Retry-After, 504 timeout, 400 syntax with its position, 406 no format
for the form), and whole results collected for callers that need bytes, not a stream."""

from __future__ import annotations

import re
import time

from flask import current_app, request

from kg.rdf_sources import sparql_position
from service.errors import ApiError
from service.workers import Busy, Job, QueryFailed, QueryTimeout, ResultStream


def start(job: Job, *, what: str = "the query", evaluation_status: int = 400) -> tuple[bool, ResultStream]:
    """Start ``job``; returns (truncated, body). ``evaluation_status``: the status when the query
    fails while evaluating (400 for a client's query, 500 for one of the service's own)."""
    settings = current_app.config["PEACEKG"]
    metrics, started = current_app.extensions["peacekg_metrics"], time.perf_counter()

    def elapsed_ms() -> float:
        return (time.perf_counter() - started) * 1000

    slots, client = current_app.extensions["peacekg_client_slots"], request.remote_addr or "unknown"
    if not slots.acquire(client):
        metrics.record("limited", elapsed_ms())
        raise ApiError(429, f"this client already has {slots.per_client} queries running (setting max_queries_per_client); "
                            "wait for one to finish", headers={"Retry-After": "1"})
    running = False
    try:
        writer = current_app.extensions.get("peacekg_writer")
        if writer is not None and job.store is None:
            job.store = writer.read_store()  # the newest generation of the live store
        _form, truncated, body = current_app.extensions["peacekg_pool"].run(job, settings.query_timeout_s)
        running = True
    except Busy:
        metrics.record("busy", elapsed_ms())
        raise ApiError(503, "all query workers are busy; retry shortly", headers={"Retry-After": "1"}) from None
    except QueryTimeout:
        metrics.record("timeout", elapsed_ms())
        raise ApiError(504, f"{what} ran longer than {settings.query_timeout_s:g} s and was stopped") from None
    except QueryFailed as exc:
        metrics.record("error", elapsed_ms())
        if exc.kind == "syntax":
            line, column = sparql_position(SyntaxError(exc.message))
            raise ApiError(400, f"SPARQL syntax error: {exc.message}",
                           position={"line": line, "column": column} if line else None) from None
        status = {"store": 503, "form": 406, "binding": 400}.get(exc.kind, evaluation_status)
        raise ApiError(status, exc.message) from None
    finally:
        if not running:  # the query did not start: its slot is free at once
            slots.release(client)
    body.on_close.append(lambda: slots.release(client))
    metrics.record("ok", elapsed_ms())
    return truncated, body


def collect(job: Job, *, what: str = "the query", evaluation_status: int = 400) -> tuple[bytes, bool]:
    """The whole result as bytes, and whether rows were cut at the limit; a stream that stops
    early (time ran out while serialising) is a 504, never a silently shortened result."""
    truncated, body = start(job, what=what, evaluation_status=evaluation_status)
    try:
        data = b"".join(body)
    finally:
        body.close()
    if not body.finished:
        settings = current_app.config["PEACEKG"]
        raise ApiError(504, f"{what} ran longer than {settings.query_timeout_s:g} s and was stopped")
    return data, truncated


_RDF_POSITION = re.compile(r"at line (\d+) column (\d+)")  # pyoxigraph's RDF parser errors
WRITE_STATUS = {"protected": 403, "notfound": 404, "unsupported": 415, "store": 503}


def write(message: tuple, *, what: str = "the update") -> dict:
    """Apply one write through the single writer; its outcomes mapped to the one error shape."""
    settings = current_app.config["PEACEKG"]
    metrics, started = current_app.extensions["peacekg_metrics"], time.perf_counter()
    writer = current_app.extensions.get("peacekg_writer")
    if writer is None:
        raise ApiError(403, "writes are disabled on this service (setting updates is off)")

    def elapsed_ms() -> float:
        return (time.perf_counter() - started) * 1000

    try:
        info = writer.write(message, settings.update_timeout_s)
    except Busy:
        metrics.record("busy", elapsed_ms())
        raise ApiError(503, "the writer is busy with other writes; retry shortly", headers={"Retry-After": "1"}) from None
    except QueryTimeout:
        metrics.record("timeout", elapsed_ms())
        raise ApiError(504, f"{what} ran longer than {settings.update_timeout_s:g} s and was stopped; nothing was written") from None
    except QueryFailed as exc:
        metrics.record("error", elapsed_ms())
        line, column = sparql_position(SyntaxError(exc.message)) if exc.kind == "syntax" else (None, None)
        if exc.kind == "payload" and (found := _RDF_POSITION.search(exc.message)):
            line, column = int(found.group(1)), int(found.group(2))
        position = {"line": line, "column": column} if line else None
        if exc.kind == "syntax":
            raise ApiError(400, f"SPARQL syntax error: {exc.message}", position=position) from None
        raise ApiError(WRITE_STATUS.get(exc.kind, 400), exc.message, position=position) from None
    metrics.record("ok", elapsed_ms())
    return info
