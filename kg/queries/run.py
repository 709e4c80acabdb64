"""Running stored queries (kg.queries.stored) on a pyoxigraph store, and writing their results as
a text table, CSV or SPARQL JSON for the command line.

Parameters reach the query only as RDF terms (pyoxigraph ``substitutions``): a value such as
``>} ; DROP ALL`` is the literal string it is, never query text.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kg.errors import PeaceKGError
from kg.queries.paging import last_row_value, next_cursor
from kg.queries.stored import StoredQuery, bind, find
from kg.sparql.binding import BoundTerm, substitutions
from kg.sparql.json_terms import json_term

if TYPE_CHECKING:
    from pathlib import Path

    import pyoxigraph

    from kg.settings import Settings

FORMATS = ("table", "csv", "json")
SHORT = {
    "https://w3id.org/peacekg/resource/": "res:",
    "https://w3id.org/peacekg/ontology/": "pk:",
    "https://w3id.org/peacekg/vocab/": "vocab:",
    "https://w3id.org/peacekg/article/": "article:",
    "http://www.w3.org/2001/XMLSchema#": "xsd:",
}
MAX_CELL = 60


class StoredQueryRunError(PeaceKGError):
    """A stored query failed while running (an evaluation error)."""


@dataclass
class Result:
    variables: list[str]
    rows: list[dict[str, Any]]  # variable -> pyoxigraph term (unbound variables absent)
    bindings: dict[str, BoundTerm]
    next_page: dict[str, str] | None = None  # a paging query's cursor for the next page: {param: value}


def execute(query: StoredQuery, values: Mapping[str, str], store: pyoxigraph.Store) -> Result:
    """Run ``query`` with the user's string ``values`` (defaults fill the rest) on ``store``, the
    default graph being the union of its named graphs."""
    terms = bind(query, values)
    return execute_bound(query, terms, store)


def run_stored(
    name: str,
    values: Mapping[str, str],
    *,
    settings: Settings,
    queries_dir: Path | None = None,
    store: pyoxigraph.Store | None = None,
) -> Result:
    """``peacekg query NAME``: find the query, bind the values (errors before the store is opened),
    run it on ``store`` or the current build."""
    from pathlib import Path

    from kg.store.builds import open_store

    query = find(name, queries_dir)
    terms = bind(query, values)
    return execute_bound(query, terms, store if store is not None else open_store(Path(settings.build_dir)))


def listing(queries: list[StoredQuery]) -> str:
    """``peacekg query --list``: each query's name, title and parameters."""
    lines = []
    for query in queries:
        lines.append(f"{query.name}  {query.title}")
        for p in query.params:
            default = "required" if p.required else "default " + (p.default or '""')
            lines.append(f"    --param {p.name}=<{p.type}>  ({default}) {p.help}")
        if query.page is not None:
            lines.append(f"    pages: the next page is --param {query.page.param}=<last ?{query.page.variable}>")
    return "\n".join(lines) + ("\n" if lines else "")


def execute_bound(query: StoredQuery, terms: Mapping[str, BoundTerm], store: pyoxigraph.Store) -> Result:
    import pyoxigraph

    try:
        solutions = store.query(query.text, substitutions=substitutions(dict(terms)), use_default_graph_as_union=True)
    except (OSError, ValueError, RuntimeError) as exc:
        raise StoredQueryRunError(f"{query.name}: the query failed: {exc}") from None
    if not isinstance(solutions, pyoxigraph.QuerySolutions):
        raise StoredQueryRunError(f"{query.name}: not a SELECT query")
    names = [v.value for v in solutions.variables]
    rows = [{n: s[n] for n in names if s[n] is not None} for s in solutions]
    cursor = next_cursor(query, last_row_value(query, rows))
    next_page = {query.page.param: cursor} if query.page is not None and cursor is not None else None
    return Result(names, rows, dict(terms), next_page)


def _short(term: Any) -> str:
    import pyoxigraph

    if isinstance(term, pyoxigraph.NamedNode):
        for namespace, prefix in SHORT.items():
            if term.value.startswith(namespace):
                return prefix + term.value[len(namespace) :]
        return term.value
    if isinstance(term, pyoxigraph.BlankNode):
        return "_:" + term.value
    return term.value


def table(result: Result) -> str:
    """A plain text table: IRIs shortened with the usual prefixes, long values cut."""

    def cell(row: dict, name: str) -> str:
        text = _short(row[name]).replace("\n", " ") if name in row else ""
        return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"

    cells = [[cell(row, n) for n in result.variables] for row in result.rows]
    widths = [max([len(n)] + [len(c[i]) for c in cells]) for i, n in enumerate(result.variables)]
    lines = [
        "  ".join(n.ljust(w) for n, w in zip(result.variables, widths, strict=True)).rstrip(),
        "  ".join("-" * w for w in widths),
    ]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    lines.append(f"({len(result.rows)} row{'s' if len(result.rows) != 1 else ''})")
    return "\n".join(lines) + "\n"


def csv_text(result: Result) -> str:
    """CSV as SPARQL 1.1 Query Results CSV: plain values, IRIs in full, a header of names."""
    import csv

    import pyoxigraph

    def value(term: Any) -> str:
        return "_:" + term.value if isinstance(term, pyoxigraph.BlankNode) else term.value

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(result.variables)
    for row in result.rows:
        writer.writerow([value(row[n]) if n in row else "" for n in result.variables])
    return out.getvalue()


def json_text(result: Result) -> str:
    """SPARQL 1.1 Query Results JSON."""
    body = {
        "head": {"vars": result.variables},
        "results": {"bindings": [{n: json_term(t) for n, t in row.items()} for row in result.rows]},
    }
    return json.dumps(body, ensure_ascii=False, indent=1) + "\n"


def render(result: Result, fmt: str) -> str:
    return {"table": table, "csv": csv_text, "json": json_text}[fmt](result)
