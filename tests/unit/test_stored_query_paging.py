"""Keyset paging of stored queries (kg.queries.paging, the ``# page:`` header field): every
mistake in the field is an error at its file:line; the empty-string default; and the paging
fixtures of tests/data/queries-paging walked page by page on the seed graph, through the library
and through ``peacekg query`` (the next page's option on stderr), give exactly the unpaged answer.
"""

from __future__ import annotations

import csv
import io
import shlex
from collections import Counter
from pathlib import Path

import pyoxigraph
import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.queries.run import execute
from kg.queries.stored import StoredQueryFileError, find, load, load_all, parse
from kg.store.builds import open_store

from helpers.paged_query_values import REQUIRED_VALUES
from helpers.paths import ROOT

FIXTURES = ROOT / "tests" / "data" / "queries-paging"
PAGED = {"statement-classes-paged": "statement-classes", "labels-paged": "labels"}
CURSOR_ONLY = {"after", "note"}  # the paged queries' parameter columns, not in the unpaged answer


@pytest.fixture(scope="module")
def store(seed_build) -> pyoxigraph.Store:
    return open_store(Path(seed_build.build_dir))


def _key(row: dict, names: list[str]) -> tuple:
    return tuple(str(row[n]) if n in row else None for n in names)


def _walk(name: str, store: pyoxigraph.Store, values: dict[str, str] | None = None) -> tuple[list[tuple], int]:
    """Every row of every page of the paged fixture ``name``, and the number of pages (the empty
    last one included)."""
    query = find(name, FIXTURES)
    values = dict(values or {})
    rows: list[tuple] = []
    for pages in range(1, 1000):
        result = execute(query, values, store)
        names = [n for n in result.variables if n not in CURSOR_ONLY]
        rows += [_key(r, names) for r in result.rows]
        if not result.rows:
            assert result.next_page is None  # an empty page is the last
            return rows, pages
        assert result.next_page is not None and set(result.next_page) == {"after"}
        assert result.next_page["after"] > values.get("after", "")  # the cursor moves forward
        values.update(result.next_page)
    raise AssertionError("paging did not end")


@pytest.mark.parametrize("paged, whole", sorted(PAGED.items()))
def test_the_pages_together_are_the_whole_answer_once(store, paged: str, whole: str) -> None:
    rows, pages = _walk(paged, store)
    unpaged = execute(find(whole, FIXTURES), {}, store)
    expected = [_key(r, unpaged.variables) for r in unpaged.rows]
    assert pages > 3 and len(expected) > 20  # the fixture pages, several times
    assert Counter(rows) == Counter(expected) and len(set(rows)) == len(rows)


EVERY_PAGED = [(folder, q.name) for folder in (None, FIXTURES) for q in load_all(folder)[0] if q.page is not None]


@pytest.mark.parametrize("folder, name", EVERY_PAGED, ids=[name for _, name in EVERY_PAGED])
def test_each_stored_query_that_pages_gives_disjoint_pages_in_key_order(store, folder, name: str) -> None:
    """queries/*.rq (and the fixtures) with ``# page:``, walked with their defaults on the seed graph: the pages end,
    each page's keys come after the cursor and in order, and no key is on two pages (that the
    pages together are the unpaged answer is each query's own test)."""
    query = find(name, folder)
    assert query.page is not None
    variable, values = query.page.variable, dict(REQUIRED_VALUES.get(name, {}))
    seen: set[str] = set()
    for _ in range(10_000):
        result = execute(query, values, store)
        keys = [row[variable].value for row in result.rows if variable in row]
        if not result.rows:
            assert result.next_page is None
            return
        assert keys == sorted(keys) and all(k > values.get(query.page.param, "") for k in keys)
        assert not seen & set(keys), f"{name}: a key on two pages"
        seen |= set(keys)
        assert result.next_page is not None
        values = {**values, **result.next_page}
    raise AssertionError(f"{name}: paging did not end")


def test_a_paged_query_that_has_no_rows_has_no_next_page(store) -> None:
    result = execute(find("statement-classes-paged", FIXTURES), {"after": "\U0010ffff"}, store)
    assert result.rows == [] and result.next_page is None


def test_the_command_line_prints_the_next_page_on_stderr(seed_build) -> None:
    """Walk with ``peacekg query``: stdout is the CSV of each page, stderr the option for the next;
    the other parameters stay the user's (``note``)."""
    runner = CliRunner()
    env = {"PEACEKG_BUILD_DIR": str(seed_build.build_dir), "PEACEKG_ONTOLOGY_DIR": str(seed_build.ontology_dir)}
    args = ["query", "--queries-dir", str(FIXTURES), "--format", "csv"]
    note = "a b&c=d, 'e' \"f\""
    rows: list[tuple] = []
    extra: list[str] = []
    for _ in range(1000):
        result = runner.invoke(cli, [*args, "labels-paged", "--param", f"note={note}", *extra], env=env)
        assert result.exit_code == 0, result.output
        page = list(csv.DictReader(io.StringIO(result.stdout)))
        assert {r["note"] for r in page} <= {note}
        rows += [(r["key"], r["thing"], r["label"]) for r in page]
        if not page:
            assert "next page" not in result.stderr
            break
        told = result.stderr.strip()
        assert told.startswith("next page: --param after=")
        extra = shlex.split(told.removeprefix("next page: "))
    else:
        raise AssertionError("paging did not end")
    whole = runner.invoke(cli, [*args, "labels"], env=env)
    assert whole.exit_code == 0 and "next page" not in whole.stderr
    expected = [(r["key"], r["thing"], r["label"]) for r in csv.DictReader(io.StringIO(whole.stdout))]
    assert Counter(rows) == Counter(expected) and len(set(rows)) == len(rows) > 20


def test_the_listing_says_how_a_query_pages() -> None:
    result = CliRunner().invoke(cli, ["query", "--list", "--queries-dir", str(FIXTURES)])
    assert result.exit_code == 0
    assert '--param after=<string>  (default "")' in result.output
    assert "pages: the next page is --param after=<last ?statement>" in result.output


# --- the header field --------------------------------------------------------------------------

TEXT = (FIXTURES / "statement-classes-paged.rq").read_text(encoding="utf-8")


def _error(text: str) -> StoredQueryFileError:
    with pytest.raises(StoredQueryFileError) as caught:
        parse(text, Path("paging.rq"), display="paging.rq")
    return caught.value


@pytest.mark.parametrize(
    "old, new, line, message",
    [
        ("# page: after ?statement", "# page: cursor ?statement", 4, "cursor is not a declared parameter"),
        ("# page: after ?statement", "# page: after ?article", 4, "?article is not in the SELECT projection"),
        ("# page: after ?statement", "# page: after statement", 4, "# page: PARAM ?variable"),
        ("ORDER BY ?statement ?class\n", "\n", 4, "the query has no ORDER BY"),
        ("ORDER BY ?statement ?class\n", "ORDER BY ?class ?statement\n", 4, "starts with ?class, not ?statement"),
        ("ORDER BY ?statement ?class\n", "ORDER BY LCASE(STR(?statement))\n", 4, "starts with an expression"),
        ("ORDER BY ?statement ?class\n", "ORDER BY DESC(?statement)\n", 4, "descending"),
        ('after string ""', "after string required", 4, "needs a default"),
        ('after string ""', 'after iri ""', 3, "invalid default"),
        ("# tags: test", "# tags: test\n# page: after ?statement", 6, "page is given twice (first on line 4)"),
    ],
)
def test_each_mistake_in_the_page_field_is_an_error_at_its_line(old: str, new: str, line: int, message: str) -> None:
    assert TEXT.count(old) == 1
    error = _error(TEXT.replace(old, new))
    assert error.line == line and message in str(error), str(error)
    assert str(error).startswith(f"paging.rq:{line}")


def test_an_order_by_on_the_text_of_the_variable_pages_too() -> None:
    query = parse(
        TEXT.replace("ORDER BY ?statement ?class\n", "ORDER BY ASC(STR(?statement)) ?class\n"), Path("paging.rq")
    )
    assert query.page is not None and query.page.variable == "statement"


def test_an_empty_string_default_is_the_empty_string() -> None:
    query = load(FIXTURES / "statement-classes-paged.rq")
    after = query.param("after")
    assert after is not None and after.default == "" and not after.required
    assert query.summary()["page"] == {"param": "after", "variable": "statement"}
    assert find("statement-classes", FIXTURES).summary()["page"] is None
