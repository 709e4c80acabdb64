"""What runs in a query worker process (started by :mod:`service.execution.workers`): a loop that
takes one Job at a time from the pipe, runs it read-only on the store and sends the answer back.
The heavy imports happen when the child process loads this module, before the loop reports
"ready", so that a query's time is the query's own.

Messages sent: ``("ready",)`` once; then for each job either ``("error", kind, message)``, or
``("form", form)`` (the negotiated type has no serialisation for this query form), or, for a
result of at most WHOLE_BYTES, ``("result", form, truncated, rules, bytes)``, or else
``("head", form, truncated, rules)``, ``("chunk", bytes)``… and ``("end",)``; ``rules`` are the
rewrite rules applied to the query (empty: it ran as written), counted in /metrics. One message
for a small result, not three: each is a wake-up of the service's thread and of this process,
which is most of a lookup's time through the service (bench/README.md, "Lookups").
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Iterable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph

from kg.sparql.binding import BindingError, substitutions
from kg.sparql.rewrite import Rewrite, rewrite
from kg.store.builds import current_build, store_root
from service.execution.results import NoFormat, result_chunks

if TYPE_CHECKING:
    from service.execution.workers import Job


class StoreUnavailable(Exception):
    """The store a job reads cannot be opened; the message is the answer."""


def serve(conn: Connection, build_dir: str) -> None:
    """The worker loop (runs in a child process), until the pipe closes or ``None`` arrives."""
    # What the imports made (rdflib's and pyparsing's grammars: ~60,000 objects) lives as long as
    # the worker: out of the collector's sight, a full collection during a query scans only what
    # queries made since (100 ms -> under 1 ms on a busy machine).
    gc.freeze()
    conn.send(("ready",))  # imports done: from now on, a query's time is the query's own
    reader = StoreReader(Path(build_dir))
    while True:
        try:
            job: Job | None = conn.recv()
        except (EOFError, OSError):  # the service went away: nothing left to do
            return
        if job is None:
            return
        try:
            store = reader.open(job)
        except StoreUnavailable as exc:
            conn.send(("error", "store", str(exc)))
            continue
        try:  # a term pyoxigraph refuses (an IRI with bad %-escapes, "http://[::1") is the request's fault: 400
            options = query_options(job)
        except (BindingError, ValueError) as exc:  # raised here, they killed the worker (503 and a respawn)
            conn.send(("error", "binding", str(exc)))
            continue
        _answer(conn, store, job, options)


class StoreReader:
    """The store this worker reads: the job's own folder, else the current build's; opened
    read-only, and reopened when that location changes (a new build became current)."""

    def __init__(self, build_dir: Path) -> None:
        self.build_dir = build_dir
        self.link = str(store_root(build_dir) / "current")
        self.store: pyoxigraph.Store | None = None
        self.opened: Path | None = None
        self.opened_link: str | None = None  # what ``current`` pointed to when self.store was opened

    def open(self, job: Job) -> pyoxigraph.Store:
        """The store ``job`` reads, opened; StoreUnavailable when there is none or it cannot be read."""
        if job.store is not None:
            location = Path(job.store)
            self.opened_link = None  # the store opened next is not the one ``current`` points to
        else:
            # A build becomes current by replacing the link (os.replace, kg.store.builds): while it
            # still points where it did, the open store is the current one. One readlink instead of
            # resolving the path and checking the manifest, a tenth of a lookup's time in the worker.
            try:
                pointed: str | None = os.readlink(self.link)
            except OSError:
                pointed = None
            if pointed is not None and pointed == self.opened_link and self.store is not None:
                return self.store
            build = current_build(self.build_dir)
            if build is None:
                raise StoreUnavailable("no built store: run `peacekg build`")
            location = build / "oxigraph"
            self.opened_link = pointed
        if location != self.opened or self.store is None:
            try:
                self.store, self.opened = pyoxigraph.Store.read_only(str(location)), location
            except OSError as exc:  # removed or unreadable: an answer, not a dead worker
                self.store = self.opened = self.opened_link = None
                # A worker is a child process: its stderr is the server log.
                print(f"peacekg query worker: cannot open the store at {location}: {exc}", file=sys.stderr, flush=True)  # noqa: T201
                raise StoreUnavailable("cannot open the store (the server's log says why); retry shortly") from None
        return self.store


def query_options(job: Job) -> dict[str, Any]:
    """pyoxigraph's query arguments for ``job``: union default graph, base IRI, bound terms and
    the dataset (default and named graphs). BindingError or ValueError for a refused term."""
    options: dict[str, Any] = {"use_default_graph_as_union": job.union, "base_iri": job.base_iri}
    if job.bindings:
        options["substitutions"] = substitutions(job.bindings)
    if job.default_graphs:
        options["default_graph"] = [pyoxigraph.NamedNode(g) for g in job.default_graphs]
    if job.named_graphs:
        options["named_graphs"] = [pyoxigraph.NamedNode(g) for g in job.named_graphs]
    return options


def query_text(job: Job) -> str:
    """The text the engine runs for ``job``: rewritten for pyoxigraph's planner when the job asks
    for it (kg.sparql.rewrite returns the query as written whenever it is not sure)."""
    return _rewritten(job).text


def _rewritten(job: Job) -> Rewrite:
    return rewrite(job.query, job.base_iri) if job.rewrite else Rewrite(job.query, reason="query_rewrite is off")


def _answer(conn: Connection, store: pyoxigraph.Store, job: Job, options: dict[str, Any]) -> None:
    """Run ``job`` and send its result by query form, or the error that stopped it."""
    try:
        ran = _rewritten(job)
        result = store.query(ran.text, **options)
        form, truncated, chunks = result_chunks(result, job.media, job.max_rows)
        _send(conn, form, truncated, ran.rules, chunks)
    except NoFormat as exc:
        conn.send(("form", exc.form))
    except SyntaxError as exc:
        conn.send(("error", "syntax", str(exc)))
    except (OSError, ValueError, TypeError, RuntimeError) as exc:  # RuntimeError: e.g. a binding not projected
        conn.send(("error", "evaluation", str(exc)))


WHOLE_BYTES = 64 * 1024  # a result up to this size goes in one message; a bigger one streams


def _send(conn: Connection, form: str, truncated: bool, rules: tuple[str, ...], chunks: Iterable[bytes]) -> None:
    """The serialised result: in one message when it is small, else the head and then its chunks."""
    buffered: list[bytes] = []
    size = 0
    streaming = False
    for chunk in chunks:
        if streaming:
            conn.send(("chunk", chunk))
            continue
        buffered.append(chunk)
        size += len(chunk)
        if size > WHOLE_BYTES:
            conn.send(("head", form, truncated, rules))
            for part in buffered:
                conn.send(("chunk", part))
            streaming = True
    if streaming:
        conn.send(("end",))
    else:
        conn.send(("result", form, truncated, rules, b"".join(buffered)))
