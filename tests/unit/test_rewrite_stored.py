"""Every stored query (queries/*.rq, except the federated ones) gives the same multiset of answers
rewritten (kg.sparql.rewrite, what the service runs with query_rewrite on) as written, on the seed
graph, with the parameter values of the stored-query answer tests (test_stored_queries.CASES)
bound as the service binds them (pyoxigraph substitutions). Most stored queries use FILTER NOT
EXISTS, which the rewriter now rewrites inside: this is where a rewriting bug would show first."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pyoxigraph
import pytest
from test_stored_queries import CASES, SAMPLE_VALUES, runnable

from kg.queries.stored import bind, find, paths
from kg.sparql.binding import substitutions
from kg.sparql.rewrite import rewrite
from kg.store.builds import open_store

RUNS = sorted(
    {(p.stem, tuple(sorted(SAMPLE_VALUES.get(p.stem, {}).items()))) for p in paths() if runnable(p)}
    | {(name, tuple(sorted(values.items()))) for name, values, _ in CASES}
)


@pytest.fixture(scope="module")
def store(seed_build) -> pyoxigraph.Store:
    return open_store(Path(seed_build.build_dir))


def _answers(store: pyoxigraph.Store, text: str, options: dict) -> tuple[list[str], Counter]:
    solutions = store.query(text, use_default_graph_as_union=True, **options)
    names = [v.value for v in solutions.variables]
    return names, Counter(tuple(str(s[n]) if s[n] is not None else None for n in names) for s in solutions)


@pytest.mark.parametrize(
    "name, values", RUNS, ids=["-".join([n, *(v.rsplit("/", 1)[-1] for _, v in vs)]) for n, vs in RUNS]
)
def test_a_stored_query_answers_the_same_rewritten(store, name: str, values: tuple) -> None:
    query = find(name)
    options = {"substitutions": substitutions(bind(query, dict(values)))}
    rewritten = rewrite(query.text)
    # never for want of stack: worked out on a fresh thread's (kg.sparql.fresh_stack), whatever the
    # depth pytest calls this test from (test_rewrite_depth.py)
    assert "recursion" not in rewritten.reason, rewritten.reason
    if not rewritten.rules:
        pytest.skip(f"runs as written: {rewritten.reason}")
    assert _answers(store, rewritten.text, options) == _answers(store, query.text, options), rewritten.text


def test_most_stored_queries_are_rewritten() -> None:
    """EXISTS no longer keeps a query as written: at most a handful run as written."""
    as_written = [p.stem for p in paths() if runnable(p) and not rewrite(find(p.stem).text).rules]
    assert len(as_written) <= 6, as_written
