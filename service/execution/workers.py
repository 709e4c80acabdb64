"""Queries run in worker processes that can be killed: pyoxigraph cannot be interrupted from
Python, so a query past its time limit is stopped by killing its process (SIGKILL) and starting
a fresh one, while the other workers keep answering.

Each worker (:mod:`service.execution.worker_loop`, the child's side) opens the current store
read-only and reopens it when a new build becomes current.
Results come back through a pipe in chunks; the parent waits for each chunk no longer than what
is left of the query's time.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import queue
import select
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from service.execution.worker_loop import serve


class QueryTimeout(Exception):
    pass


class Busy(Exception):
    pass


class QueryFailed(Exception):
    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind  # "syntax" | "evaluation" | "store" | "binding" | "form"
        self.message = message


@dataclass
class Job:
    query: str
    media: str  # the negotiated media type
    default_graphs: list[str]
    named_graphs: list[str]
    union: bool
    max_rows: int
    base_iri: str | None = None  # relative IRIs in the query resolve against it (the endpoint URL)
    bindings: dict[str, Any] | None = (
        None  # variable -> kg.sparql.binding.BoundTerm (or an IRI string), bound as RDF terms
    )
    store: str | None = None  # the store folder to read; None: the current build
    rewrite: bool = False  # run kg.sparql.rewrite first (setting query_rewrite; set by outcomes.start)


START_TIMEOUT_S = 60.0  # a fresh worker's imports (~2 s here; more on a loaded machine)


class StreamBroken(RuntimeError):
    """A result stream that failed after its 200 was sent: raised to the WSGI server, which then
    drops the connection, so clients see an incomplete transfer rather than a complete-looking,
    cut result."""


class Worker:
    def __init__(self, context: Any, build_dir: str):
        self.conn, child = context.Pipe()
        self.process = context.Process(target=serve, args=(child, build_dir), daemon=True)
        self.process.start()
        child.close()
        # One poll object per worker, registered once: Connection.poll builds a selector per call,
        # which a lookup would pay on every message it waits for.
        self.poller = select.poll()
        self.poller.register(self.conn.fileno(), select.POLLIN)

    def answered_within(self, seconds: float) -> bool:
        """Whether a message (or the end of the pipe) arrives within ``seconds``."""
        return seconds > 0 and bool(self.poller.poll(seconds * 1000))

    def wait_ready(self, timeout_s: float = START_TIMEOUT_S) -> bool:
        """Wait for the worker's "ready" (its imports done); False if it died or took too long."""
        try:
            return self.conn.poll(timeout_s) and self.conn.recv() == ("ready",)
        except (EOFError, OSError):
            return False

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)
        self.conn.close()


class WorkerPool:
    """A fixed number of workers; a query borrows one, and gives it back or kills it."""

    def __init__(self, build_dir: Path, size: int, queue_timeout_s: float):
        self.context = multiprocessing.get_context("spawn")
        self.build_dir = str(build_dir)
        self.queue_timeout_s = queue_timeout_s
        self.idle: queue.Queue[Worker] = queue.Queue()
        self.lock = threading.Lock()
        self.replaced = 0
        self.closed = False
        starting = [Worker(self.context, self.build_dir) for _ in range(size)]  # start together, then wait
        for worker in starting:
            worker.wait_ready()
            self.idle.put(worker)

    def close(self) -> None:
        self.closed = True
        while not self.idle.empty():
            worker = self.idle.get_nowait()
            with contextlib.suppress(OSError):
                worker.conn.send(None)
            worker.kill()

    def _replace(self, worker: Worker) -> None:
        """Kill ``worker`` and start another, which joins the idle workers once it is ready, so its
        start-up never counts against a query's time."""
        worker.kill()
        with self.lock:
            self.replaced += 1
        fresh = Worker(self.context, self.build_dir)

        def join_when_ready() -> None:
            fresh.wait_ready()
            if self.closed:
                fresh.kill()
            else:
                self.idle.put(fresh)

        threading.Thread(target=join_when_ready, name="peacekg-worker-start", daemon=True).start()

    def run(self, job: Job, timeout_s: float) -> tuple[str, bool, ResultStream]:
        """Start ``job``; returns the result form (select, ask, graph), whether rows were cut at
        the limit, and the body chunks. Raises Busy, QueryTimeout or QueryFailed (kind "form":
        no acceptable format for this query form, 406); a timeout while streaming ends the stream
        (the worker is replaced either way)."""
        try:
            worker = self.idle.get(timeout=self.queue_timeout_s)
        except queue.Empty:
            raise Busy() from None
        if not worker.process.is_alive():
            self._replace(worker)
            try:  # another request may take the replacement first
                worker = self.idle.get(timeout=self.queue_timeout_s)
            except queue.Empty:
                raise Busy() from None
        deadline = time.monotonic() + timeout_s
        try:
            worker.conn.send(job)
            message = self._receive(worker, deadline)
        except (QueryTimeout, EOFError, OSError) as exc:
            self._replace(worker)
            if isinstance(exc, QueryTimeout):
                raise
            raise QueryFailed("store", "the query worker stopped unexpectedly; it has been replaced") from None
        if message[0] == "error":
            self.idle.put(worker)
            raise QueryFailed(message[1], message[2])
        if message[0] == "form":
            self.idle.put(worker)
            raise QueryFailed("form", f"no acceptable format for the result of this {message[1].upper()} query")
        stream = ResultStream(self, worker, deadline, whole=message[4] if message[0] == "result" else None)
        stream.rewrite_rules = tuple(message[3])
        return message[1], message[2], stream

    def _receive(self, worker: Worker, deadline: float) -> tuple:
        if not worker.answered_within(deadline - time.monotonic()):
            raise QueryTimeout()
        return worker.conn.recv()

    def give_back(self, worker: Worker, clean: bool) -> None:
        if clean:
            self.idle.put(worker)
        else:  # timed out, or the client went away mid-stream: the worker's state is unknown
            self._replace(worker)


class ResultStream:
    """The body chunks of one result; WSGI servers call close(), which returns or replaces the
    worker even when the body was never read."""

    def __init__(self, pool: WorkerPool, worker: Worker, deadline: float, whole: bytes | None = None):
        """``whole``: the entire result, when the worker sent it in one message (a small one)."""
        self.pool, self.worker, self.deadline = pool, worker, deadline
        self.whole = whole
        self.finished, self.released = whole is not None, False
        self.failure: str | None = None  # why the stream ended early: "timeout" or "stopped" (the worker died)
        self.on_close: list[Callable[[], None]] = []  # run once, when the worker is given back
        self.rewrite_rules: tuple[str, ...] = ()  # kg.sparql.rewrite's rules the worker applied

    def __iter__(self) -> ResultStream:
        return self

    def __next__(self) -> bytes:
        if self.whole is not None:
            data, self.whole = self.whole, None
            return data
        if self.finished or self.released:
            self.close()  # a whole result's worker goes back here (a no-op once released)
            raise StopIteration
        try:
            message = self.pool._receive(self.worker, self.deadline)
        except (QueryTimeout, EOFError, OSError) as exc:
            self.failure = "timeout" if isinstance(exc, QueryTimeout) else "stopped"
            self.close()  # the status may already be sent: the stream ends early
            raise StopIteration from None
        if message[0] == "end":
            self.finished = True
            self.close()
            raise StopIteration
        return message[1]

    def close(self) -> None:
        if not self.released:
            self.released = True
            self.pool.give_back(self.worker, clean=self.finished)
            for callback in self.on_close:
                callback()
