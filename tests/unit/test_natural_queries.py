"""The natural-shapes suite (bench/natural/, issue 18): every ordering of every query, run as the
service runs it (service.execution.worker_loop.query_text: rewritten when the setting
query_rewrite is on, its default), returns the expected rows: those of the query's reference
ordering as written, on the seed graph built from the current corpus (the default graph as the
union). The corpus grows, so the expected rows are computed here; each folder's expected.srj is
their snapshot at its commit (``make natural-expect``), whose columns are checked. Compared as
multisets (lists where the query has ORDER BY), blank nodes matched; the parts of a ``# concat:``
column as a multiset, since GROUP_CONCAT's order is the engine's.

bench/natural.py times the same files through the service (never a timed test)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pyoxigraph
import pytest

from bench.natural import NaturalQuery, load
from kg.settings import Settings, load_settings
from kg.store.builds import current_build
from service.execution.worker_loop import query_text
from service.execution.workers import Job

from helpers.sparql_results import parse_results, rows_of, same_rows

QUERIES = load()
CASES = [(q, key) for q in QUERIES for key in q.orderings]


def test_the_suite_is_what_issue_18_asks_for() -> None:
    assert len(QUERIES) >= 40
    assert all(len(q.orderings) >= 2 and q.expected.exists() for q in QUERIES)
    assert all(q.title and q.shape for q in QUERIES)


@pytest.fixture(scope="module")
def store(seed_build: Settings) -> pyoxigraph.Store:
    location = current_build(Path(seed_build.build_dir))
    assert location is not None
    return pyoxigraph.Store.read_only(str(location / "oxigraph"))


def _normalised(rows: list[dict], concat: dict[str, str]) -> list[dict]:
    out = []
    for row in rows:
        row = dict(row)
        for column, separator in concat.items():
            if column in row:
                row[column] = tuple(sorted(str(row[column]).split(separator)))
        out.append(row)
    return out


def _rows(store: pyoxigraph.Store, text: str) -> tuple[list[str], list[dict]]:
    result = store.query(text, use_default_graph_as_union=True)
    data = result.serialize(format=pyoxigraph.QueryResultsFormat.JSON)
    return json.loads(data)["head"]["vars"], rows_of(parse_results(data, "json"))


@pytest.fixture(scope="module")
def expected_rows(store: pyoxigraph.Store) -> dict[str, list[dict]]:
    """Each query's reference ordering as written (what the engine answers without any rewriting)."""
    return {q.name: _rows(store, q.orderings[q.reference])[1] for q in QUERIES}


@pytest.mark.parametrize("query", QUERIES, ids=[q.name for q in QUERIES])
def test_the_snapshot_has_the_columns_and_answers(query: NaturalQuery, expected_rows: dict[str, list[dict]]) -> None:
    snapshot = json.loads(query.expected.read_text(encoding="utf-8"))
    reference = query.orderings[query.reference]
    head = reference.split("WHERE", 1)[0]
    assert all(f"?{name}" in head for name in snapshot["head"]["vars"]), "expected.srj's columns are not the query's"
    assert snapshot["results"]["bindings"] and expected_rows[query.name], (
        f"{query.name} answers nothing: a query that answers nothing proves little"
    )


@pytest.mark.parametrize(("query", "ordering"), CASES, ids=[f"{q.name}-{k}" for q, k in CASES])
def test_every_ordering_returns_the_expected_rows(
    query: NaturalQuery, ordering: str, store: pyoxigraph.Store, expected_rows: dict[str, list[dict]]
) -> None:
    text = query.orderings[ordering]
    rewrite_on = load_settings(config_file=None, environ={}).query_rewrite
    job = Job(text, "application/sparql-results+json", [], [], union=True, max_rows=100_000, rewrite=rewrite_on)
    _columns, actual = _rows(store, query_text(job))
    expected = expected_rows[query.name]
    ordered = re.search(r"\bORDER\s+BY\b", text.split("WHERE", 1)[-1].rsplit("}", 1)[-1], re.IGNORECASE) is not None
    assert same_rows(_normalised(expected, query.concat), _normalised(actual, query.concat), ordered), (
        f"{query.name} ordering {ordering}: {len(actual)} rows, expected {len(expected)}"
    )
