"""Comparing SPARQL answers the way the W3C test suites mean them (after rdflib's and pySHACL's
test runners): solutions as multisets of rows, equal up to a consistent renaming of blank nodes,
in order where the query has ORDER BY; graphs isomorphic; booleans equal.

Rows are dicts variable name -> rdflib term; unbound variables are absent."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import rdflib
from rdflib import XSD, BNode, Literal, Namespace
from rdflib.compare import isomorphic
from rdflib.query import Result

RS = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/result-set#")
Row = dict[str, Any]


def rows_of(result: Result) -> list[Row]:
    return [{str(k): v for k, v in row.asdict().items() if v is not None} for row in result]


def parse_results(data: bytes, fmt: str) -> Result:
    """A SPARQL results document (fmt: json, xml, tsv, csv) as rdflib's Result."""
    if fmt == "json":
        json.loads(data)  # a clear error for a body that is not JSON at all
    from io import BytesIO

    return Result.parse(BytesIO(data), format=fmt)


def expected_answer(path: Path) -> tuple[str, Any]:
    """The expected answer in a results file: ("bool", b), ("rows", rows + order known) or ("graph", g)."""
    suffix = path.suffix
    if suffix in (".srx", ".srj", ".tsv", ".csv"):
        fmt = {".srx": "xml", ".srj": "json", ".tsv": "tsv", ".csv": "csv"}[suffix]
        result = parse_results(path.read_bytes(), fmt)
        if result.type == "ASK":
            return "bool", bool(result.askAnswer)
        return "rows", rows_of(result)
    graph = rdflib.Graph()
    graph.parse(
        path, format="turtle" if suffix == ".ttl" else "xml" if suffix == ".rdf" else "nt", publicID=path.as_uri()
    )
    result_set = next(graph.subjects(rdflib.RDF.type, RS.ResultSet), None)
    if result_set is None:
        return "graph", graph
    boolean = graph.value(result_set, RS.boolean)
    if boolean is not None:
        return "bool", boolean.toPython() is True
    rows: list[tuple[int, Row]] = []
    indexed = True
    for solution in graph.objects(result_set, RS.solution):
        row = {str(graph.value(b, RS.variable)): graph.value(b, RS.value) for b in graph.objects(solution, RS.binding)}
        index = graph.value(solution, RS.index)
        indexed = indexed and index is not None
        rows.append((int(index) if index is not None else 0, row))
    if not indexed:  # an RDF result set without rs:index gives no order: compared as a multiset
        return "unordered rows", [row for _, row in rows]
    return "rows", [row for _, row in sorted(rows, key=lambda r: r[0])]


def _has_bnodes(rows: Iterable[Row]) -> bool:
    return any(isinstance(v, BNode) for row in rows for v in row.values())


_NUMERIC = {XSD.decimal, XSD.float, XSD.double}


def _term(value: Any) -> Any:
    """Decimals, floats and doubles by value ("1.0" and "1" as xsd:decimal are one number), the
    rest as terms: what the suites' results files mean (their lexical forms vary by engine)."""
    if isinstance(value, Literal) and value.datatype in _NUMERIC and value.ill_typed is False:
        return ("number", value.datatype, value.toPython())
    return value


def _key(row: Row) -> frozenset:
    return frozenset((name, _term(value)) for name, value in row.items())


def same_rows(expected: list[Row], actual: list[Row], ordered: bool) -> bool:
    """Whether two solution sequences are the same answer (multisets; lists when ``ordered``),
    with blank nodes matched by one consistent bijection."""
    if len(expected) != len(actual):
        return False
    if not _has_bnodes(expected) and not _has_bnodes(actual):
        if ordered:
            return [_key(r) for r in expected] == [_key(r) for r in actual]
        return Counter(_key(r) for r in expected) == Counter(_key(r) for r in actual)
    return _match(expected, actual, ordered, 0, {}, set())


def _unify(a: Row, b: Row, mapping: dict[BNode, BNode]) -> dict[BNode, BNode] | None:
    if a.keys() != b.keys():
        return None
    new = dict(mapping)
    used = set(new.values())
    for name, x in a.items():
        y = b[name]
        if isinstance(x, BNode) and isinstance(y, BNode):
            if x in new:
                if new[x] != y:
                    return None
            elif y in used:
                return None
            else:
                new[x], _ = y, used.add(y)
        elif _term(x) != _term(y):
            return None
    return new


def _match(expected: list[Row], actual: list[Row], ordered: bool, i: int, mapping: dict, taken: set[int]) -> bool:
    if i == len(expected):
        return True
    candidates = [i] if ordered else [j for j in range(len(actual)) if j not in taken]
    for j in candidates:
        unified = _unify(expected[i], actual[j], mapping)
        if unified is not None and _match(expected, actual, ordered, i + 1, unified, taken | {j}):
            return True
    return False


def same_answer(expected: tuple[str, Any], actual: tuple[str, Any], ordered: bool) -> bool:
    kind, value = expected
    if kind == "unordered rows":
        kind, ordered = "rows", False
    if kind != actual[0]:
        return False
    if kind == "bool":
        return value == actual[1]
    if kind == "graph":
        return isomorphic(value, actual[1])
    return same_rows(value, actual[1], ordered)
