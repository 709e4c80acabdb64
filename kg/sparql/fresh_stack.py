"""Running a call at the bottom of a new thread's stack, so that how deep it may recurse does not
depend on how deep its caller already is.

rdflib's SPARQL parser (pyparsing) and its algebra recurse: rewriting queries/actor-agreements.rq
takes about 700 of the interpreter's 1,000 frames (``sys.getrecursionlimit()``), entity-search
about 590. Asked from a deep stack (a Flask request inside waitress, pytest under xdist, a test
helper), the translation ran out and the query ran as written: which plan a user got depended on
the caller's depth. The limit is the interpreter's, but the depth is counted per thread, and a new
thread starts at the bottom: run there, a translation has the whole limit from any caller. (Raising
the limit instead, from library code, would change every other thread's behaviour.)

The C stack: a new thread gets ``threading.stack_size()`` bytes, 0 meaning the platform's default
(glibc: ``ulimit -s``, 8 MB here; musl: 128 KB). CPython 3.11 runs Python-to-Python calls without
C recursion, but re-enters C through generators, slots and builtins: a 1,000-branch UNION
translated up to the limit needed between 256 and 384 KB (it crashed with 256 KB), the stored
queries less. The thread gets :data:`STACK_BYTES`, twice the main thread's 8 MB, whatever the
platform's default (tests/unit/test_rewrite_depth.py runs that UNION). Only the pages touched are
memory.

A thread per call, not a long-lived pool: 30 to 90 µs to start and join (medians, a busy 2-core machine),
against the 10 to 700 ms of the parsing it carries; no thread waits idle in each process, and
nothing is left for a forked child to inherit half-alive. Where no thread can start (memory or
thread limits), ``threading`` raises RuntimeError to the caller (:func:`kg.sparql.rewrite.rewrite`
then runs the query as written).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

__all__ = ["STACK_BYTES", "on_fresh_stack"]

STACK_BYTES = 16 * 1024 * 1024

_T = TypeVar("_T")
# threading.stack_size is the process's setting for the threads started after it: set, start,
# put back, one caller at a time (a thread someone else starts in between gets 16 MB: harmless).
_STARTING = threading.Lock()


def on_fresh_stack(function: Callable[..., _T], *args: object) -> _T:
    """``function(*args)`` run on a new thread with :data:`STACK_BYTES` of C stack; its value, or
    its exception (RecursionError included) raised again here, as a future hands them over (a
    single-use executor: its one thread starts at ``submit``). The caller waits for it."""
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kg-fresh-stack")
    try:
        with _STARTING:
            previous = threading.stack_size(STACK_BYTES)
            try:
                future = executor.submit(function, *args)
            finally:
                threading.stack_size(previous)
        return future.result()
    finally:
        executor.shutdown(wait=True)
