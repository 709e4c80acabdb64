"""SELECTs of statements over a built store, as the tests of the build's shortcut classes read
them (tests/unit/test_contested_statements.py, test_first_of_contrary_pair.py)."""

from __future__ import annotations

import pyoxigraph


def selected_statements(store: pyoxigraph.Store, query: str) -> set[str]:
    """The ``?statement`` of every row of ``query`` over the union of the store's graphs."""
    solutions = store.query(query, use_default_graph_as_union=True)
    assert isinstance(solutions, pyoxigraph.QuerySolutions)
    return {str(row["statement"]) for row in solutions}
