"""The stored queries of queries/ that page by key (``# page: <param> <?variable>``): walked page
by page on the seed graph, with their page size cut down so that the seeds take several pages,
they give exactly the query's whole answer — the same multiset of rows as one page holding every
key — with no key on two pages, and the last page is the empty one. (The machinery, header field
and service links are tested in test_stored_query_paging.py; the answers in test_stored_queries.py.)"""

from __future__ import annotations

import dataclasses
import json
import re
from collections import Counter
from pathlib import Path

import pytest

from kg.queries.run import execute
from kg.queries.stored import StoredQuery, load, paths
from kg.sparql.json_terms import json_term
from kg.store.builds import open_store

from helpers.paged_query_values import REQUIRED_VALUES

PAGED = [load(p) for p in paths() if load(p).page is not None]
# The driver's page size: the LIMIT right after the ORDER BY that ends with the page variable (the
# outer sub-SELECTs' LIMIT 1000000 only keeps pyoxigraph's estimates small). cq12-disagreements'
# driver orders by short pieces of the key's text first, then the key (the same order, cheaper).
_DRIVER_LIMIT = r"(ORDER BY (?:\?\w+ )*\?{variable}\s+LIMIT )(\d+)"


def with_page_size(query: StoredQuery, size: int) -> StoredQuery:
    """The query with its driver's LIMIT replaced by ``size`` (exactly one such LIMIT)."""
    assert query.page is not None
    pattern = _DRIVER_LIMIT.format(variable=query.page.variable.lstrip("?"))
    text, count = re.subn(pattern, lambda m: m.group(1) + str(size), query.text)
    assert count == 1, f"{query.name}: one driver `ORDER BY {query.page.variable} LIMIT N` expected, found {count}"
    return dataclasses.replace(query, text=text)


def _row(row: dict, names: list[str]) -> str:
    return json.dumps([json_term(row[n]) if n in row else None for n in names], sort_keys=True)


@pytest.fixture(scope="module")
def store(seed_build):
    return open_store(Path(seed_build.build_dir))


def test_some_stored_queries_page() -> None:
    assert {"contradictions", "cq12-disagreements"} & {q.name for q in PAGED}


@pytest.mark.parametrize("query", PAGED, ids=lambda q: q.name)
def test_the_pages_together_are_the_whole_answer(store, query: StoredQuery) -> None:
    assert query.page is not None
    param, variable = query.page.param, query.page.variable.lstrip("?")
    given = REQUIRED_VALUES.get(query.name, {})
    whole = execute(with_page_size(query, 1_000_000), given, store)
    names = [n for n in whole.variables if n != param]
    small = with_page_size(query, 2)
    walked: Counter[str] = Counter()
    keys_seen: set[str] = set()
    cursor, pages = "", 0
    while True:
        result = execute(small, {**given, param: cursor}, store)
        if not result.rows:
            break
        pages += 1
        keys = [row[variable].value for row in result.rows]
        assert keys == sorted(keys), f"{query.name}: page {pages} is not ordered by {variable} first"
        assert not set(keys) & keys_seen, f"{query.name}: page {pages} repeats a key of an earlier page"
        assert len(set(keys)) <= 2, f"{query.name}: page {pages} has more keys than its page size"
        keys_seen |= set(keys)
        walked.update(_row(row, names) for row in result.rows)
        cursor = keys[-1]
    assert pages > 2, f"{query.name}: the seeds fit in {pages} page(s): the walk proves little"
    expected = Counter(_row(row, names) for row in whole.rows)
    assert walked == expected, (
        f"{query.name}: {sum(walked.values())} rows over {pages} pages, {sum(expected.values())} in one; "
        f"only paged: {list(walked - expected)[:1]}; only whole: {list(expected - walked)[:1]}"
    )
