"""Running a job through the worker pool, or in the request thread when it is a lookup
(service.execution.inline), or a write through the single writer, from a request:
every outcome counted in /metrics and mapped to the one error shape (429 too many queries of
this client, 503 busy with Retry-After, 504 timeout, 400 syntax with its position, 406 no format
for the form, 403/404/415 for refused writes), and whole results collected for callers that need
bytes, not a stream."""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING

from flask import current_app, request

from kg.ontology.sources import sparql_position
from service.errors import ApiError
from service.execution.inline import InlineResult
from service.execution.remote_pool import Buffered
from service.execution.workers import Busy, Job, QueryFailed, QueryTimeout, ResultStream
from service.state import state

if TYPE_CHECKING:
    from service.health import Metrics

_RDF_POSITION = re.compile(r"at line (\d+) column (\d+)")  # pyoxigraph's RDF parser errors
QUERY_STATUS = {"store": 503, "form": 406, "binding": 400}
WRITE_STATUS = {"protected": 403, "notfound": 404, "unsupported": 415, "store": 503}


def _position(exc: QueryFailed) -> dict[str, int] | None:
    line, column = sparql_position(SyntaxError(exc.message)) if exc.kind == "syntax" else (None, None)
    if exc.kind == "payload" and (found := _RDF_POSITION.search(exc.message)):
        line, column = int(found.group(1)), int(found.group(2))
    return {"line": line, "column": column} if line and column is not None else None  # both or neither


class _Outcome:
    """Records the outcome of a ``with`` block in /metrics and turns the pool's exceptions into
    ApiErrors. A class rather than a generator-based context manager: it is entered by every query."""

    __slots__ = ("busy", "default_status", "metrics", "started", "statuses", "timeout")

    def __init__(self, metrics: Metrics, *, busy: str, timeout: str, statuses: dict[str, int], default_status: int):
        self.metrics, self.busy, self.timeout = metrics, busy, timeout
        self.statuses, self.default_status = statuses, default_status
        self.started = 0.0

    def __enter__(self) -> None:
        self.started = time.perf_counter()

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, _tb: object) -> None:
        outcome = "ok"
        if kind is None:
            pass
        elif issubclass(kind, Busy):
            outcome = "busy"
        elif issubclass(kind, QueryTimeout):
            outcome = "timeout"
        elif issubclass(kind, (QueryFailed, ApiError)):
            outcome = "limited" if isinstance(exc, ApiError) and exc.status == 429 else "error"
        else:
            return  # anything else propagates as it is, unrecorded
        self.metrics.record(outcome, (time.perf_counter() - self.started) * 1000)
        if outcome == "busy":
            raise ApiError(503, self.busy, headers={"Retry-After": "1"}) from None
        if outcome == "timeout":
            raise ApiError(504, self.timeout) from None
        if isinstance(exc, QueryFailed):
            if exc.kind == "syntax":
                raise ApiError(400, f"SPARQL syntax error: {exc.message}", position=_position(exc)) from None
            status = self.statuses.get(exc.kind, self.default_status)
            raise ApiError(status, exc.message, position=_position(exc)) from None
        # ok, or an ApiError: it propagates as it is


def start(
    job: Job, *, what: str = "the query", evaluation_status: int = 400, client: str | None = None
) -> tuple[bool, ResultStream | Buffered | InlineResult]:
    """Start ``job``; returns (truncated, body). ``evaluation_status``: the status when the query
    fails while evaluating (400 for a client's query, 500 for one of the service's own).
    ``client``: the client's address, when the caller has it (default: the current request's)."""
    settings = current_app.config["PEACEKG"]
    app_state = state()
    job.rewrite = settings.query_rewrite
    slots = app_state.client_slots
    client = (client if client is not None else request.remote_addr) or "unknown"
    with _Outcome(
        app_state.metrics,
        busy="all query workers are busy; retry shortly",
        timeout=f"{what} ran longer than {settings.query_timeout_s:g} s and was stopped",
        statuses=QUERY_STATUS,
        default_status=evaluation_status,
    ):
        if not slots.acquire(client):
            raise ApiError(
                429,
                f"this client already has {slots.per_client} queries running (setting "
                "max_queries_per_client); wait for one to finish",
                headers={"Retry-After": "1"},
            )
        running = False
        try:
            if app_state.writer is not None and job.store is None:
                job.store = app_state.writer.read_store()  # the newest generation of the live store
            inline = app_state.inline
            body: ResultStream | Buffered | InlineResult
            if inline is not None and inline.takes(job):  # a lookup: in this thread (service.execution.inline)
                app_state.metrics.record_inline()  # counted whatever its outcome (a 504 too)
                _form, truncated, body = inline.run(job, settings.query_timeout_s)
            else:
                _form, truncated, body = app_state.pool.run(job, settings.query_timeout_s)
            running = True
        finally:
            if not running:  # the query did not start: its slot is free at once
                slots.release(client)
    body.on_close.append(lambda: slots.release(client))
    if body.rewrite_rules:
        app_state.metrics.record_rewrite(body.rewrite_rules)
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


def write(message: tuple, *, what: str = "the update") -> dict:
    """Apply one write through the single writer; its outcomes mapped to the one error shape."""
    settings = current_app.config["PEACEKG"]
    writer = state().writer
    if writer is None:
        raise ApiError(403, "writes are disabled on this service (setting updates is off)")
    with _Outcome(
        state().metrics,
        busy="the writer is busy with other writes; retry shortly",
        timeout=f"{what} ran longer than {settings.update_timeout_s:g} s and was stopped; nothing was written",
        statuses=WRITE_STATUS,
        default_status=400,
    ):
        return writer.write(message, settings.update_timeout_s)
