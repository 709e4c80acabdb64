"""Serving a remote SPARQL 1.1 engine (``peacekg serve --store URL``): the same interface as the
local worker pool (service.execution.workers.WorkerPool.run), so the endpoint, the stored queries, the
graph store reads and the linked-data pages work unchanged in front of Virtuoso, Fuseki or
``oxigraph serve``.

Each query is sent by url-encoded POST (the one form every engine here accepts; Virtuoso hangs on
``application/sparql-query``), always with an Accept header (Virtuoso answers HTML without one),
as SPARQL JSON for SELECT/ASK and N-Triples for CONSTRUCT/DESCRIBE. The answer is re-serialised
here in the negotiated format, so limits hold the same way: at most ``max_rows`` rows or triples,
the time limit as the HTTP timeout (the remote engine should have its own, e.g. Virtuoso's
``MaxQueryExecutionTime``), and at most ``size`` queries in flight (then 503).

Bindings become a VALUES block at the start of the WHERE group, built from validated terms
(kg.sparql.binding): like pyoxigraph's substitutions, a join at the top of the query's pattern.
"""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any

import pyoxigraph

from kg.sparql.binding import BoundTerm, check
from kg.sparql.lexer import query_form, subselect_group_starts, where_group_start
from service.execution.results import BOOLEAN_FORMATS, RDF_FORMATS, SELECT_TYPES, serialize_solutions
from service.execution.workers import Busy, Job, QueryFailed, QueryTimeout


def _sparql_term(term: BoundTerm | str) -> str:
    """A validated term in SPARQL syntax (IRIs checked for forbidden characters; literals escaped)."""
    term = check(BoundTerm.iri(term) if isinstance(term, str) else term)
    if term.kind == "iri":
        return f"<{term.value}>"
    escaped = json.dumps(term.value, ensure_ascii=False)  # a valid SPARQL string: ECHAR and \\u00XX escapes only
    if term.language:
        return f"{escaped}@{term.language}"
    return f"{escaped}^^<{term.datatype}>" if term.datatype else escaped


def bind_with_values(query: str, bindings: dict[str, Any] | None) -> str:
    """``query`` with ``bindings`` as a VALUES block opening its WHERE group (a join at the top of
    the pattern; Virtuoso accepts a trailing VALUES only after SELECT, so it goes inside), and
    opening the WHERE group of each sub-SELECT that projects a bound variable, with those: a
    sub-SELECT is evaluated on its own, so without it the variable is unbound inside (a paging
    query's cursor, ``FILTER(STR(?statement) > ?after)`` in its driver, matched nothing), where
    pyoxigraph's substitutions bind it (tests/system/test_virtuoso_paging.py)."""
    if not bindings:
        return query
    at = where_group_start(query)
    if at is None:
        raise QueryFailed("syntax", "error at 1:1: no WHERE group to bind the parameters in")
    inserts = [(at, sorted(bindings))]
    for offset, projected in subselect_group_starts(query):
        names = sorted(n for n in bindings if n in projected)  # SELECT *: left as written
        if names:
            inserts.append((offset, names))
    for offset, names in sorted(inserts, reverse=True):
        block = (
            " VALUES ("
            + " ".join(f"?{n}" for n in names)
            + ") { ("
            + " ".join(_sparql_term(bindings[n]) for n in names)
            + ") } "
        )
        query = query[:offset] + block + query[offset:]
    return query


def _term(value: dict[str, Any]) -> Any:
    kind = value.get("type")
    if kind == "uri":
        return pyoxigraph.NamedNode(value["value"])
    if kind == "bnode":
        return pyoxigraph.BlankNode(value["value"])
    if "xml:lang" in value:
        return pyoxigraph.Literal(value["value"], language=value["xml:lang"])
    if value.get("datatype"):
        return pyoxigraph.Literal(value["value"], datatype=pyoxigraph.NamedNode(value["datatype"]))
    return pyoxigraph.Literal(value["value"])


class _Row:
    def __init__(self, binding: dict[str, Any]):
        self.binding = binding

    def __getitem__(self, name: str) -> Any:
        value = self.binding.get(name)
        return None if value is None else _term(value)


class Buffered:
    """A whole result, with the interface of service.execution.workers.ResultStream."""

    def __init__(self, chunks: Iterator[bytes]):
        self.chunks = chunks
        self.finished, self.released, self.closed = True, True, False
        self.failure: str | None = None  # a buffered result is whole: it never ends early
        self.on_close: list[Callable[[], None]] = []
        self.rewrite_rules: tuple[str, ...] = ()  # a remote store gets the query as written

    def __iter__(self) -> Buffered:
        return self

    def __next__(self) -> bytes:
        try:
            return next(self.chunks)
        except StopIteration:
            self.close()
            raise

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            for callback in self.on_close:
                callback()


class RemotePool:
    def __init__(self, endpoint: str, size: int, queue_timeout_s: float):
        self.endpoint = endpoint
        self.slots = threading.BoundedSemaphore(size)
        self.queue_timeout_s = queue_timeout_s
        self.replaced = 0  # nothing to replace: /metrics reports 0

    def close(self) -> None:
        pass

    def _post(self, job: Job, form: str, timeout_s: float) -> bytes:
        fields = [("query", bind_with_values(job.query, job.bindings))]
        fields += [("default-graph-uri", g) for g in job.default_graphs] + [
            ("named-graph-uri", g) for g in job.named_graphs
        ]
        accept = "application/sparql-results+json" if form in ("select", "ask") else "application/n-triples"
        request = urllib.request.Request(
            self.endpoint,
            data=urllib.parse.urlencode(fields).encode("utf-8"),
            method="POST",
            headers={"Accept": accept, "Content-Type": "application/x-www-form-urlencoded", "User-Agent": "PeaceKG"},
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout_s) as response:
                return response.read()
        except urllib.error.HTTPError as error:
            message = error.read(2000).decode("utf-8", errors="replace").strip()
            if error.code in (400, 422):
                kind = "syntax" if "syntax" in message.lower() or "pars" in message.lower() else "evaluation"
                raise QueryFailed(kind, f"the remote store refused the query: {message}") from None
            raise QueryFailed("store", f"the remote store answered {error.code}: {message[:300]}") from None
        except TimeoutError:
            raise QueryTimeout() from None
        except urllib.error.URLError as error:
            if isinstance(error.reason, (TimeoutError, socket.timeout)):
                raise QueryTimeout() from None
            raise QueryFailed("store", f"the remote store at {self.endpoint} is unreachable: {error.reason}") from None
        except (http.client.HTTPException, ConnectionError) as error:  # it closed the connection mid-answer
            # (Virtuoso 7 crashed on a stored query; tests/system/test_virtuoso_stored.py): a 503, not a 500
            raise QueryFailed(
                "store", f"the remote store at {self.endpoint} dropped the connection: {error!r}"
            ) from None

    def run(self, job: Job, timeout_s: float) -> tuple[str, bool, Buffered]:
        form = query_form(job.query)
        if form is None:
            raise QueryFailed("syntax", "error at 1:1: expected SELECT, ASK, CONSTRUCT or DESCRIBE")
        if not self.slots.acquire(timeout=self.queue_timeout_s):
            raise Busy()
        started = time.monotonic()
        try:
            data = self._post(job, form, timeout_s)
        finally:
            self.slots.release()
        if time.monotonic() - started > timeout_s:
            raise QueryTimeout()
        if form in ("select", "ask"):
            kind = SELECT_TYPES.get(job.media)
            if kind is None:
                raise QueryFailed("form", f"no acceptable format for the result of this {form.upper()} query")
            try:
                document = json.loads(data)
            except ValueError:
                raise QueryFailed("store", "the remote store's answer is not SPARQL JSON") from None
            if "boolean" in document:
                result = pyoxigraph.parse_query_results(data, format=pyoxigraph.QueryResultsFormat.JSON)
                answer = result.serialize(format=BOOLEAN_FORMATS[kind])
                assert answer is not None  # given no output, serialize returns the bytes
                return "ask", False, Buffered(iter([answer]))
            names = document["head"].get("vars", [])
            bindings = document["results"]["bindings"]
            truncated = len(bindings) > job.max_rows
            rows = [_Row(b) for b in bindings[: job.max_rows]]
            return "select", truncated, Buffered(serialize_solutions(names, rows, kind))
        fmt = RDF_FORMATS.get(job.media)
        if fmt is None:
            raise QueryFailed("form", "no acceptable format for the result of this GRAPH query")
        try:
            triples = [q.triple for q in pyoxigraph.parse(data, format=pyoxigraph.RdfFormat.N_TRIPLES)]
        except SyntaxError:
            raise QueryFailed("store", "the remote store's answer is not N-Triples") from None
        truncated = len(triples) > job.max_rows
        return "graph", truncated, Buffered(iter([pyoxigraph.serialize(triples[: job.max_rows], format=fmt) or b""]))
