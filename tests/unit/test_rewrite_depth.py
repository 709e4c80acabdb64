"""Whether the rewriter rewrites a query never depends on how deep its caller's stack is.

rdflib's SPARQL parser and algebra recurse: rewriting queries/actor-agreements.rq takes about 700 of
the interpreter's 1,000 frames, entity-search about 590. Asked from a deep stack (pytest's full
suite under xdist, a Flask request inside waitress, a test helper) the translation ran out and the
query ran as written, so the plan a user got depended on the caller. A text not seen before is now
worked out at the bottom of a new thread's stack (kg.sparql.fresh_stack), where it has the whole
limit; the fast paths and the cache stay in the caller's thread. Each "deep" call here is made
with only :data:`LEFT` frames left, fewer than any of these queries needs in the caller's thread
(checked: there it runs out)."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kg.queries.stored import find
from kg.sparql.fresh_stack import on_fresh_stack
from kg.sparql.rewrite import _cached, _rewritten, rewrite

LEFT = 100  # frames left below the recursion limit for a deep caller's callee
# Nested deeper than the whole limit from any stack: rdflib's algebra recurses once per UNION branch.
TOO_DEEP = "SELECT * WHERE { " + "{ ?s ?p ?o } UNION " * 1000 + "{ ?s ?p ?o } }"


def _depth() -> int:
    frame, depth = sys._getframe(1), 0
    while frame is not None:
        frame, depth = frame.f_back, depth + 1
    return depth


def _from_deep_stack(function: Callable[..., Any], *args: Any) -> Any:
    """``function(*args)`` called with only LEFT frames left before the recursion limit."""

    def deep(frames: int) -> Any:
        if frames == 0:
            assert sys.getrecursionlimit() - _depth() <= LEFT + 2
            return function(*args)
        return deep(frames - 1)

    return deep(sys.getrecursionlimit() - _depth() - LEFT)


def _own_text(name: str, why: str) -> str:
    """The stored query's text as the service gets it (parameters are bound as substitutions, not
    in the text), made a text of its own in the process-wide cache by a trailing comment."""
    return find(name).text + f"\n# {__name__}: {why}\n"


def _in_own_process(script: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """``script`` run by this interpreter in a process of its own, from the repository's root:
    a crash, a capped address space or a process-wide switch stays there."""
    return subprocess.run(
        [sys.executable, "-c", script],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
        timeout=300,
        check=False,
    )


@pytest.mark.parametrize("name", ["actor-agreements", "entity-search"])
def test_a_stored_query_asked_from_a_deep_stack_is_rewritten_as_from_a_shallow_one(name: str) -> None:
    text = _own_text(name, "asked from a deep stack")
    with pytest.raises(RecursionError):  # the stack is deep enough: in the caller's thread it runs out
        _from_deep_stack(_rewritten, text, None)
    deep = _from_deep_stack(rewrite, text)  # first asked there: a cache miss, worked out from the deep stack
    assert deep.rules, deep.reason
    assert deep == _cached.__wrapped__(text, None)  # worked out again from this shallow stack, not cached
    assert _from_deep_stack(rewrite, text) is deep is rewrite(text)  # and then cached, from any stack


def test_a_query_nested_deeper_than_the_whole_limit_runs_as_written_from_any_stack() -> None:
    """The new thread's C stack holds the interpreter's whole limit of rdflib's recursion: the
    RecursionError comes, not a crash (with 256 KB this query crashed the interpreter, silently:
    faulthandler's alternate stack is the main thread's). First in a process of its own, so that
    a crash fails this test, not the whole run. Then, as it is too deep for every caller alike,
    its outcome is cached like any other."""
    script = "import sys; from kg.sparql.rewrite import rewrite; print(rewrite(sys.stdin.read()).reason)"
    done = _in_own_process(script, TOO_DEEP)
    assert done.returncode == 0, f"crashed ({done.returncode}): {done.stderr[-2000:]}"
    assert "maximum recursion depth" in done.stdout
    shallow = _cached.__wrapped__(TOO_DEEP, None)
    assert shallow.text == TOO_DEEP and not shallow.rules
    assert "maximum recursion depth" in shallow.reason
    cached = _from_deep_stack(rewrite, TOO_DEEP)
    assert cached == shallow
    assert rewrite(TOO_DEEP) is cached


# In a process of its own: importing matplotlib's mathtext turns pyparsing's packrat on for the
# whole process (as kg.plots does in the service and the suite), which this test must not leave on.
WITH_PACKRAT = """
import sys
import matplotlib._mathtext  # enables pyparsing's packrat memoization, process-wide
from pyparsing import ParserElement
from kg.queries.stored import find
from kg.sparql.rewrite import rewrite
before = ParserElement._packratEnabled
rewritten = rewrite(find("actor-agreements").text)
print(before, bool(rewritten.rules), rewritten.reason, ParserElement._packratEnabled, sep="|")
"""


def test_a_query_is_rewritten_whatever_another_library_set_pyparsing_to() -> None:
    """With packrat on, rdflib's grammar costs more frames a level: actor-agreements ran out of the
    whole limit even on a fresh thread (the fresh clone's suite, after a plot test). The parse runs
    with it off, and it is on again afterwards for whoever turned it on."""
    done = _in_own_process(WITH_PACKRAT)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split("|") == ["True", "True", "", "True\n"]


# In a process of its own: its address space is capped at what it uses, so no thread's stack fits.
NO_THREAD = """
import resource, sys
from kg.sparql.rewrite import rewrite
text = sys.stdin.read()
used = int(open("/proc/self/status").read().split("VmSize:")[1].split()[0]) * 1024
resource.setrlimit(resource.RLIMIT_AS, (used + 4 * 1024 * 1024, resource.RLIM_INFINITY))
capped = rewrite(text)
resource.setrlimit(resource.RLIMIT_AS, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
print(capped.text == text, capped.rules, capped.reason, bool(rewrite(text).rules), sep="|")
"""


def test_when_no_thread_can_start_the_query_runs_as_written_and_is_asked_again_later() -> None:
    done = _in_own_process(NO_THREAD, "SELECT * WHERE { ?s ?p ?o OPTIONAL { ?s ?q ?x } ?s ?r ?y }")
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split("|") == ["True", "()", "not rewritten: can't start new thread", "True\n"]


def test_a_fresh_stack_starts_at_the_same_depth_from_any_caller() -> None:
    before = threading.stack_size()
    assert _from_deep_stack(on_fresh_stack, _depth) == on_fresh_stack(_depth) < 10
    assert on_fresh_stack(divmod, 7, 2) == (3, 1)
    with pytest.raises(ZeroDivisionError):
        on_fresh_stack(divmod, 7, 0)
    assert threading.stack_size() == before  # the process's setting for other threads is put back


def test_whatever_the_call_raises_is_raised_to_the_caller() -> None:
    with pytest.raises(SystemExit):  # even what a thread of its own would swallow
        on_fresh_stack(sys.exit, 3)


def _threads_started(query: str) -> int:
    """How many threads rewrite(query) started, seen by the profile function that threading
    installs in every thread it starts (not in this one)."""
    threads: set[int] = set()
    previous = threading.getprofile()
    threading.setprofile(lambda *_: threads.add(threading.get_ident()))
    try:
        rewrite(query)
    finally:
        threading.setprofile(previous)
    return len(threads)


def test_only_a_cache_miss_leaves_the_callers_thread() -> None:
    text = _own_text("cq12-disagreements", "a miss, then a hit")
    assert _threads_started(text) == 1
    assert _threads_started(text) == 0  # a hit
    assert _threads_started("SELECT ?o WHERE { <http://example.org/s> ?p ?o }") == 0  # the fast path
