"""Lookups in the request thread: a query whose cost is bounded by its output
(:mod:`service.execution.lookup_shape` says which) runs on a store this process opens once per
build, instead of going to a worker process: the hand-off to a worker is most of a lookup's time
through the service (bench/README.md, "Lookups"). Everything else goes to the workers, which can
be killed; a lookup needs no killing, since its rows are read one by one and the time is checked
between them (every CHECK_EVERY rows, and before each chunk of the body), so the time limit (504)
and the row limit (X-PeaceKG-Truncated) hold as they do in a worker. The rows are read and the
body serialised exactly as a worker does (:func:`service.execution.results.result_chunks`): the
same bytes for the same query and format (tests/service/test_inline_lookups.py).

The store is the one a worker would read (:class:`service.execution.worker_loop.StoreReader`): the
current build's, reopened when the build's ``current`` link moves, or the folder a job names (the
writer's live store). One reader for the process, shared by the request threads under a lock:
pyoxigraph's store may be queried from any thread, but a result iterator only from the thread that
made it, which is why the rows are all read in :meth:`InlineLookups.run`.

A SELECT lookup answered in SPARQL JSON whose rows stay within CHECK_EVERY (and the row limit) is
serialised by the engine itself (``QuerySolutions.serialize``), whose bytes results.py writes too,
term for term: the engine's writer in Rust instead of reading the rows into Python and writing
them there (a 14-row lookup's ``run`` 156 -> 119 us in process, bench/README.md "Lookups"). The
query runs with a LIMIT of one row more than that bound (its own LIMIT when it has one within the
bound), so the engine never reads more rows between two checks of the time than the row-by-row
path does; an answer that may have reached the bound (or that holds an RDF-star triple term,
which results.py writes as a string) is dropped and the lookup runs again the row-by-row way,
which counts the rows and cuts them at the row limit.

Setting ``inline_lookups`` turns this off (every query to the workers).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pyoxigraph

from service.execution.lookup_shape import lookup_form, lookup_limit
from service.execution.results import CHECK_EVERY, SELECT_TYPES, NoFormat, result_chunks
from service.execution.worker_loop import StoreReader, StoreUnavailable, query_options
from service.execution.workers import Job, QueryFailed, QueryTimeout

ENGINE_JSON = pyoxigraph.QueryResultsFormat.JSON
ROW_START = b",{"  # between two rows of the engine's SPARQL JSON (and perhaps inside a string: counted, never missed)
TRIPLE_TERM = b'"type":"triple"'  # outside a string only: a string's quotes are escaped


def engine_serialised(job: Job) -> tuple[str, int | None] | None:
    """When the engine may serialise ``job`` (a lookup, per InlineLookups.takes): the text to run,
    and the number of row separators at which its answer may be incomplete (None: it cannot be, the
    query's own LIMIT is within the bound); None when the rows must be read one by one."""
    if SELECT_TYPES.get(job.media) != "json" or lookup_form(job.query, job.max_rows) != "select":
        return None
    bound = min(CHECK_EVERY, job.max_rows)
    limit = lookup_limit(job.query)
    if limit is None:  # the grammar ends a lookup with its modifiers: one more LIMIT is valid after them
        return f"{job.query}\nLIMIT {bound + 1}", bound  # "\n": the text may end in a comment
    return (job.query, None) if limit <= bound else None


def engine_answer_kept(body: bytes, separators: int | None) -> bool:
    """Whether the engine's answer to the text of :func:`engine_serialised` is the whole answer,
    written as results.py writes it: fewer row separators than ``separators`` (counted over-, never
    under-: one inside a string counts too) and no triple term."""
    return (separators is None or body.count(ROW_START) < separators) and TRIPLE_TERM not in body


class InlineLookups:
    """Runs lookups in the calling thread, with the interface of WorkerPool.run."""

    def __init__(self, build_dir: Path, max_offset: int) -> None:
        self.reader = StoreReader(build_dir)
        self.lock = threading.Lock()  # the reader's state (which store is open) changes on reopen
        self.max_offset = max_offset

    def takes(self, job: Job) -> bool:
        """Whether ``job`` is a lookup this path answers: by the rule of lookup_shape, on the
        union default graph (no protocol dataset, no FROM: the grammar has none), with no bound
        parameters (those are stored queries, run as their text says by the workers)."""
        if job.default_graphs or job.named_graphs or job.bindings or not job.union:
            return False
        return lookup_form(job.query, self.max_offset) is not None

    def run(self, job: Job, timeout_s: float) -> tuple[str, bool, InlineResult]:
        """Run ``job``: its form, whether rows were cut at the limit, and its body. Raises
        QueryTimeout or QueryFailed as WorkerPool.run does."""
        deadline = time.monotonic() + timeout_s

        def check() -> None:
            if time.monotonic() > deadline:
                raise QueryTimeout()

        with self.lock:
            try:
                store = self.reader.open(job)
            except StoreUnavailable as exc:
                raise QueryFailed("store", str(exc)) from None
        try:
            options = query_options(job)
            engine = engine_serialised(job)
            if engine is not None:
                text, separators = engine
                solutions = store.query(text, **options)  # a SELECT: read whole here, in this thread
                if isinstance(solutions, pyoxigraph.QuerySolutions):
                    body = solutions.serialize(format=ENGINE_JSON) or b""  # bytes: no output given
                    if engine_answer_kept(body, separators):
                        check()
                        return "select", False, InlineResult(iter([body]), check)
                del solutions
            result = store.query(job.query, **options)  # a lookup: the rewriter would return it as written
            form, truncated, chunks = result_chunks(result, job.media, job.max_rows, check)
            del result  # an engine iterator lives only in the thread that made it: not past this call
        except NoFormat as exc:
            raise QueryFailed("form", f"no acceptable format for the result of this {exc.form.upper()} query") from None
        except SyntaxError as exc:
            raise QueryFailed("syntax", str(exc)) from None
        except (OSError, ValueError, TypeError, RuntimeError) as exc:
            raise QueryFailed("evaluation", str(exc)) from None
        check()
        return form, truncated, InlineResult(iter(chunks), check)


class InlineResult:
    """A lookup's body chunks, with the interface of workers.ResultStream: ``failure`` is
    "timeout" when the time ran out while the body was written (the caller then answers 504, or
    drops the connection if the 200 went out)."""

    def __init__(self, chunks: Iterator[bytes], check: Callable[[], None]) -> None:
        self.chunks, self.check = chunks, check
        self.finished = self.released = False
        self.failure: str | None = None
        self.on_close: list[Callable[[], None]] = []
        self.rewrite_rules: tuple[str, ...] = ()  # a lookup runs as written

    def __iter__(self) -> InlineResult:
        return self

    def __next__(self) -> bytes:
        if self.released:
            raise StopIteration
        try:
            self.check()
            return next(self.chunks)
        except StopIteration:
            self.finished = True
            self.close()
            raise
        except QueryTimeout:
            self.failure = "timeout"
            self.close()
            raise StopIteration from None

    def close(self) -> None:
        if not self.released:
            self.released = True
            for callback in self.on_close:
                callback()
