"""Keyset paging of stored queries: the header field ``# page: <param> <?variable>``.

A stored query whose answer grows too large to return whole pages by key (as Datasette's
``_next`` and grlc's pagination do): it declares a cursor parameter (a ``string`` whose default
``""`` means "from the start") and the variable that orders its rows. The next page is the same
request with the cursor bound to that variable's value in the last row of this page (an IRI's
text, a literal's lexical form); an empty page is the last. The query text does the rest: a
driver sub-SELECT that projects the cursor, keeps the keys ``> ?after`` and takes a fixed number
of them in key order, and an outer ``ORDER BY`` that starts with the page variable (format and
example: queries/README.md, "Paging").

Checked when the file is loaded, from rdflib's parse of the query (not from its text): the
parameter is declared, the variable is projected, and the outermost ``ORDER BY``'s first key is
the variable (or ``STR()`` of it), ascending. A mistake is a StoredQueryFileError at the
``# page:`` line.

The next page's cursor: :func:`next_cursor` of the page variable's value in the last row, read
by :func:`last_row_value` from a result (``peacekg query``) or by :func:`last_serialized_value`
from a page serialised as SPARQL JSON, XML, CSV or TSV (the service).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from kg.sparql.binding import BindingError

if TYPE_CHECKING:
    from kg.queries.stored import Param, StoredQuery

_PARSED = {"json": "JSON", "xml": "XML", "tsv": "TSV"}  # pyoxigraph.QueryResultsFormat members, by result kind
_PAGE = re.compile(r"(?P<param>\S+)\s+\?(?P<variable>[A-Za-z_][A-Za-z0-9_]*)")


@dataclass(frozen=True)
class Page:
    """``# page: <param> <?variable>`` on line ``line`` of its file."""

    param: str
    variable: str
    line: int


def parse_field(value: str, file: str, line: int) -> Page:
    """The value of a ``# page:`` field; its form only (the checks against the query come later)."""
    from kg.queries.stored import StoredQueryFileError

    match = _PAGE.fullmatch(value.strip())
    if not match:
        raise StoredQueryFileError(
            "paging is declared as `# page: PARAM ?variable` (the cursor parameter, then the variable "
            f"whose value in the last row is the next page's cursor), got {value!r}",
            file=file,
            line=line,
        )
    return Page(match.group("param"), match.group("variable"), line)


def check(page: Page, params: tuple[Param, ...], text: str, file: str) -> None:
    """The field agrees with the query: a declared parameter, a projected variable, and the
    outermost ORDER BY starting with that variable, ascending."""
    from kg.queries.stored import StoredQueryFileError

    def error(message: str) -> StoredQueryFileError:
        return StoredQueryFileError(message, file=file, line=page.line)

    param = next((p for p in params if p.name == page.param), None)
    if param is None:
        declared = ", ".join(p.name for p in params) or "none"
        raise error(f"page: {page.param} is not a declared parameter (parameters: {declared})")
    if param.required:
        raise error(f'page: the cursor parameter {page.param} needs a default ("" for the first page)')
    try:
        projected, first_key = _shape(text)
    except Exception as exc:  # rdflib raises pyparsing's ParseException and its own errors
        raise error(f"page: the query cannot be read by rdflib's SPARQL parser to check paging: {exc}") from None
    if page.variable not in projected:
        raise error(f"page: ?{page.variable} is not in the SELECT projection ({' '.join('?' + v for v in projected)})")
    if first_key is None:
        raise error(f"page: the query has no ORDER BY; pages need one that starts with ?{page.variable}")
    variable, descending = first_key
    if variable != page.variable:
        shown = f"?{variable}" if variable else "an expression"
        raise error(f"page: the ORDER BY starts with {shown}, not ?{page.variable}; pages need it first")
    if descending:
        raise error(f"page: the ORDER BY sorts ?{page.variable} descending; pages go up (ASC)")


@lru_cache(maxsize=256)
def _shape(text: str) -> tuple[tuple[str, ...], tuple[str | None, bool] | None]:
    """The projected variables of the query and its outermost ORDER BY's first key: (the
    variable, or None for another expression; whether it is DESC), or None without ORDER BY.
    Cached by text: the service loads a stored query on every request."""
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery

    algebra = translateQuery(parseQuery(text)).algebra
    projected = tuple(str(v) for v in algebra.get("PV") or ())
    node: Any = algebra.p
    while node is not None and getattr(node, "name", None) in ("Slice", "Distinct", "Reduced", "Project"):
        node = node.p
    if getattr(node, "name", None) != "OrderBy":
        return projected, None
    condition = node.expr[0]
    descending = getattr(condition, "name", None) == "OrderCondition" and condition.order == "DESC"
    expr = condition.expr if getattr(condition, "name", None) == "OrderCondition" else condition
    if getattr(expr, "name", None) == "Builtin_STR":
        expr = expr.arg
    from rdflib.term import Variable

    return projected, (str(expr) if isinstance(expr, Variable) else None, descending)


def next_cursor(query: StoredQuery, last: str | None) -> str | None:
    """The cursor of the page after one whose last row has ``last`` as the page variable's value
    (an IRI's text, a literal's lexical form; None when unbound or a blank node), or None when
    there is no next page to offer: the query does not page, the page was empty, or the value is
    not a valid, non-empty value of the cursor's type (an empty cursor would start again)."""
    from kg.queries.stored import to_term

    if query.page is None or not last:
        return None
    param = query.param(query.page.param)
    if param is None:
        return None
    try:
        to_term(param, last)
    except BindingError:
        return None
    return last


def last_row_value(query: StoredQuery, rows: list[dict[str, Any]]) -> str | None:
    """The page variable's value in the last of ``rows`` (pyoxigraph terms by variable name): the
    IRI's text or the literal's lexical form; None for no rows, unbound or a blank node."""
    import pyoxigraph

    if query.page is None or not rows:
        return None
    term = rows[-1].get(query.page.variable)
    if isinstance(term, (pyoxigraph.NamedNode, pyoxigraph.Literal)):
        return term.value
    return None


def last_serialized_value(data: bytes, kind: str, variable: str) -> str | None:
    """The value of ``?variable`` in the last row of SELECT results serialised as ``kind``
    (``json``, ``xml``, ``csv``, ``tsv``): an IRI's text or a literal's lexical form; None for no
    rows, an unbound value or a blank node.

    The service reads the cursor from the page as it was serialised for the client, so that the
    local workers and a remote store (whose rows it re-serialises) take one path; a page is a few
    thousand rows at most, cheap to read again next to running it (5,000 rows: 10 ms in JSON, 8 in
    XML, 5 in TSV, 6 in CSV, about half of serialising them, busy machine). JSON, XML and TSV by
    pyoxigraph; CSV (which pyoxigraph refuses to parse: it is lossy) by the csv module,
    where an IRI and a literal are both their text, which is all a cursor needs."""
    import pyoxigraph

    if kind == "csv":
        rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
        if len(rows) < 2 or variable not in rows[0]:
            return None
        value = rows[-1][rows[0].index(variable)]
        return None if value.startswith("_:") else value or None
    if kind not in _PARSED:
        return None
    solutions = pyoxigraph.parse_query_results(data, format=getattr(pyoxigraph.QueryResultsFormat, _PARSED[kind]))
    last = None
    if isinstance(solutions, pyoxigraph.QuerySolutions):
        for solution in solutions:
            last = solution
    term = None if last is None else last[variable]
    return term.value if isinstance(term, (pyoxigraph.NamedNode, pyoxigraph.Literal)) else None
