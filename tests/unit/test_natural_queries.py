"""The natural-shapes suite (bench/natural/, issue 18): every ordering of every query returns the
expected rows, run as the service runs it (service.execution.worker_loop.query_text: rewritten
when the setting query_rewrite is on, its default) on the seed graph, the default graph as the
union. Compared as multisets (lists where the query has ORDER BY), blank nodes matched; the parts
of a ``# concat:`` column as a multiset, since GROUP_CONCAT's order is the engine's.

bench/natural.py times the same files through the service (never a timed test)."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph
import pytest

from bench.natural import NaturalQuery, load
from kg.settings import Settings, load_settings
from kg.store.builds import current_build
from service.execution.worker_loop import query_text
from service.execution.workers import Job

from helpers.sparql_results import expected_answer, parse_results, rows_of, same_rows

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


@pytest.mark.parametrize(("query", "ordering"), CASES, ids=[f"{q.name}-{k}" for q, k in CASES])
def test_every_ordering_returns_the_expected_rows(query: NaturalQuery, ordering: str, store: pyoxigraph.Store) -> None:
    text = query.orderings[ordering]
    rewrite_on = load_settings(config_file=None, environ={}).query_rewrite
    job = Job(text, "application/sparql-results+json", [], [], union=True, max_rows=100_000, rewrite=rewrite_on)
    result = store.query(query_text(job), use_default_graph_as_union=True)
    actual = rows_of(parse_results(result.serialize(format=pyoxigraph.QueryResultsFormat.JSON), "json"))
    kind, expected = expected_answer(query.expected)
    assert kind == "rows" and expected, f"{query.expected} holds no rows: a query that answers nothing proves little"
    ordered = re.search(r"\bORDER\s+BY\b", text.split("WHERE", 1)[-1].rsplit("}", 1)[-1], re.IGNORECASE) is not None
    assert same_rows(_normalised(expected, query.concat), _normalised(actual, query.concat), ordered), (
        f"{query.name} ordering {ordering}: {len(actual)} rows, expected {len(expected)}"
    )
