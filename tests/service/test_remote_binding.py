"""serve --store binds a stored query's parameters as VALUES blocks (service.execution.remote_pool):
one opening the outer WHERE group and one opening each sub-SELECT that projects a bound variable,
so that the remote engine answers as pyoxigraph does with substitutions. Checked here by running
both forms on pyoxigraph itself over a small graph."""

from __future__ import annotations

from collections import Counter

import pyoxigraph
import pytest

from kg.sparql.binding import BoundTerm
from service.execution.remote_pool import bind_with_values

EX = "http://example.org/"
PREFIX = f"PREFIX ex: <{EX}>\n"


@pytest.fixture(scope="module")
def store() -> pyoxigraph.Store:
    store = pyoxigraph.Store()
    for i in range(6):
        s = pyoxigraph.NamedNode(f"{EX}s{i}")
        store.add(pyoxigraph.Quad(s, pyoxigraph.NamedNode(f"{EX}p"), pyoxigraph.Literal(f"v{i % 3}")))
        store.add(pyoxigraph.Quad(s, pyoxigraph.NamedNode(f"{EX}q"), pyoxigraph.NamedNode(f"{EX}t{i % 2}")))
    return store


CASES = [
    # the cursor used only in a driver sub-SELECT that projects it (a paging query)
    (
        "SELECT ?after ?s ?t WHERE { { SELECT ?after ?s WHERE { ?s ex:p ?v FILTER(STR(?s) > ?after) } "
        "ORDER BY ?s LIMIT 2 } ?s ex:q ?t } ORDER BY ?s",
        {"after": BoundTerm.literal(f"{EX}s1")},
    ),
    # a sub-SELECT that does not project the variable keeps it its own (not bound inside)
    (
        "SELECT ?t ?n WHERE { { SELECT (COUNT(?s) AS ?n) WHERE { ?s ex:q ?t } } ?x ex:q ?t } ",
        {"t": BoundTerm.iri(f"{EX}t0")},
    ),
    # two levels, both projecting, and a string that needs escaping
    (
        "SELECT ?v ?s WHERE { { SELECT ?v ?s WHERE { { SELECT ?v ?s WHERE { ?s ex:p ?v } } } } } ",
        {"v": BoundTerm.literal("v1")},
    ),
    ("SELECT ?v ?s WHERE { ?s ex:p ?v }", {"v": BoundTerm.literal('a "quoted" {brace}')}),
]


def _rows(results: pyoxigraph.QuerySolutions) -> Counter[tuple[str | None, ...]]:
    names = [v.value for v in results.variables]
    return Counter(tuple(None if s[n] is None else str(s[n]) for n in names) for s in results)


@pytest.mark.parametrize("query, bindings", CASES)
def test_values_blocks_answer_as_substitutions(store: pyoxigraph.Store, query: str, bindings: dict) -> None:
    substituted = store.query(
        PREFIX + query,
        substitutions={
            pyoxigraph.Variable(n): pyoxigraph.NamedNode(t.value) if t.kind == "iri" else pyoxigraph.Literal(t.value)
            for n, t in bindings.items()
        },
    )
    bound = store.query(bind_with_values(PREFIX + query, bindings))
    assert _rows(bound) == _rows(substituted)


def test_only_subselects_projecting_a_bound_variable_get_a_block() -> None:
    text = bind_with_values(PREFIX + CASES[1][0], {"t": BoundTerm.iri(f"{EX}t0")})
    assert text.count("VALUES") == 1
    text = bind_with_values(PREFIX + CASES[2][0], {"v": BoundTerm.literal("v1")})
    assert text.count("VALUES") == 3
