"""Serialising SPARQL results: SELECT results incrementally, row by row, so a row limit can stop
them and large results stream in chunks (JSON, XML, CSV and TSV as the W3C specifications define
them); and :func:`result_chunks`, an engine's answer of any query form in the negotiated format,
the one serialisation both a query worker and a lookup in the request thread use (so they answer
the same bytes)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from json.encoder import encode_basestring as _json_string  # json.dumps' own, without ensure_ascii
from typing import Any, Protocol
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph

from kg.sparql.json_terms import json_term

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
# json.dumps' arguments for the text pyoxigraph's own SPARQL JSON writer writes (QuerySolutions.serialize):
# the rows below are written the same way, term for term, so that a lookup in the request thread may
# answer the engine's bytes (service.execution.inline; tests/service/test_inline_engine_json.py).
JSON_AS_ENGINE: dict[str, Any] = {"ensure_ascii": False, "separators": (",", ":")}
RDF_FORMATS = {
    "text/turtle": pyoxigraph.RdfFormat.TURTLE,
    "application/n-triples": pyoxigraph.RdfFormat.N_TRIPLES,
    "application/rdf+xml": pyoxigraph.RdfFormat.RDF_XML,
    "application/ld+json": pyoxigraph.RdfFormat.JSON_LD,
    "application/trig": pyoxigraph.RdfFormat.TRIG,
    "application/n-quads": pyoxigraph.RdfFormat.N_QUADS,
}
BOOLEAN_FORMATS = {
    "json": pyoxigraph.QueryResultsFormat.JSON,
    "xml": pyoxigraph.QueryResultsFormat.XML,
    "csv": pyoxigraph.QueryResultsFormat.CSV,
    "tsv": pyoxigraph.QueryResultsFormat.TSV,
}
SELECT_TYPES = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}


def _xml_term(term) -> str:
    if isinstance(term, pyoxigraph.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, pyoxigraph.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if term.language:
        return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
    if term.datatype.value != XSD_STRING:
        return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
    return f"<literal>{escape(term.value)}</literal>"


def _csv_cell(term) -> str:
    if term is None:
        return ""
    value = f"_:{term.value}" if isinstance(term, pyoxigraph.BlankNode) else term.value
    if any(c in value for c in ',"\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


def _tsv_cell(term) -> str:
    return "" if term is None else str(term).replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


class Solution(Protocol):
    """One row of results: a pyoxigraph.QuerySolution, or a row read from another store's answer."""

    def __getitem__(self, name: str, /) -> Any: ...


def _json_term_text(term: Any) -> str:
    """``json_term(term)`` as JSON text, written directly: a lookup's rows serialise about five
    times faster than through a dict and ``json.dumps`` per row, the largest share of a lookup's
    time in the worker (bench/README.md, "Lookups"). The same escaping as ``json.dumps`` with
    ``ensure_ascii=False`` (its own C encoder); tests/unit/test_results_json.py compares both."""
    kind = type(term)
    if kind is pyoxigraph.NamedNode:
        return '{"type":"uri","value":' + _json_string(term.value) + "}"
    if kind is pyoxigraph.Literal:
        value = _json_string(term.value)
        if term.language:
            return '{"type":"literal","value":' + value + ',"xml:lang":' + _json_string(term.language) + "}"
        datatype = term.datatype.value
        if datatype != XSD_STRING:
            return '{"type":"literal","value":' + value + ',"datatype":' + _json_string(datatype) + "}"
        return '{"type":"literal","value":' + value + "}"
    if kind is pyoxigraph.BlankNode:
        return '{"type":"bnode","value":' + _json_string(term.value) + "}"
    return json.dumps(json_term(term), ensure_ascii=False, separators=(",", ":"))


def _cells(names: list[str], solution: Solution) -> Sequence[Any]:
    """The row's terms in the order of ``names`` (None where unbound): an engine's solution by
    position (it holds them in the order of its variables, ``names``), eight times quicker than
    by name; another store's row by name."""
    if type(solution) is pyoxigraph.QuerySolution:
        return tuple(solution)
    return [solution[n] for n in names]


def _json_rows(
    names: list[str], keys: list[str], rows: Iterable[Solution], buffer: list[str], chunk_rows: int
) -> Iterator[bytes]:
    """The rows of a SPARQL JSON result after its head (in ``buffer``), and its end: each row one
    JSON object of its bound terms (``keys`` are the names already written as ``"name":``), in a
    loop of its own with the per-row calls inlined (14 rows 36 -> 23 us in process)."""
    term_text, solution_type = _json_term_text, pyoxigraph.QuerySolution
    for count, solution in enumerate(rows, 1):
        cells = tuple(solution) if type(solution) is solution_type else [solution[n] for n in names]
        row = ",".join([key + term_text(term) for key, term in zip(keys, cells, strict=True) if term is not None])
        buffer.append(("{" if count == 1 else ",{") + row + "}")
        if count % chunk_rows == 0:
            yield "".join(buffer).encode("utf-8")
            buffer.clear()
    buffer.append("]}}")
    yield "".join(buffer).encode("utf-8")


def serialize_solutions(
    names: list[str], rows: Iterable[Solution], kind: str, chunk_rows: int = 500
) -> Iterator[bytes]:
    """Yields the serialised results in chunks of ``chunk_rows`` rows."""
    buffer: list[str] = []
    keys = [_json_string(n) + ":" for n in names]
    if kind == "json":  # the head as the engine writes it (no spaces, UTF-8): a lookup's body may be the engine's
        buffer.append('{"head":{"vars":' + json.dumps(names, **JSON_AS_ENGINE) + '},"results":{"bindings":[')
    elif kind == "xml":
        buffer.append(
            '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>'
            + "".join(f"<variable name={quoteattr(n)}/>" for n in names)
            + "</head><results>"
        )
    elif kind == "csv":
        buffer.append(",".join(names) + "\r\n")
    else:
        buffer.append("\t".join("?" + n for n in names) + "\n")
    if kind == "json":  # the common case, in a loop of its own: a lookup's largest share of Python
        yield from _json_rows(names, keys, rows, buffer, chunk_rows)
        return
    for count, solution in enumerate(rows, 1):
        cells = _cells(names, solution)
        if kind == "xml":
            bound = "".join(
                f"<binding name={quoteattr(n)}>{_xml_term(term)}</binding>"
                for n, term in zip(names, cells, strict=True)
                if term is not None
            )
            buffer.append(f"<result>{bound}</result>")
        elif kind == "csv":
            buffer.append(",".join(_csv_cell(term) for term in cells) + "\r\n")
        else:
            buffer.append("\t".join(_tsv_cell(term) for term in cells) + "\n")
        if count % chunk_rows == 0:
            yield "".join(buffer).encode("utf-8")
            buffer = []
    if kind == "xml":
        buffer.append("</results></sparql>")
    yield "".join(buffer).encode("utf-8")


class NoFormat(Exception):
    """The negotiated media type has no serialisation for this query form (406)."""

    def __init__(self, form: str):
        super().__init__(form)
        self.form = form  # select, ask or graph


CHECK_EVERY = 256  # rows read between two calls of a result's ``check`` (the time limit of a lookup)


def result_chunks(
    result: Any, media: str, max_rows: int, check: Callable[[], None] | None = None
) -> tuple[str, bool, Iterable[bytes]]:
    """An engine's answer in ``media``: its form (select, ask, graph), whether rows were cut at
    ``max_rows``, and the body chunks. The rows are read here (at most ``max_rows`` + 1), calling
    ``check`` every CHECK_EVERY rows (it raises to stop them); the chunks of a SELECT are written
    lazily. NoFormat when ``media`` has no serialisation for the form."""
    if isinstance(result, pyoxigraph.QuerySolutions):
        kind = SELECT_TYPES.get(media)
        if kind is None:
            raise NoFormat("select")
        names = [v.value for v in result.variables]
        rows, truncated = _bounded(result, max_rows, check)
        return "select", truncated, serialize_solutions(names, rows, kind)
    if isinstance(result, pyoxigraph.QueryBoolean):
        kind = SELECT_TYPES.get(media)
        if kind is None:
            raise NoFormat("ask")
        return "ask", False, [result.serialize(format=BOOLEAN_FORMATS[kind]) or b""]
    fmt = RDF_FORMATS.get(media)  # CONSTRUCT or DESCRIBE: triples
    if fmt is None:
        raise NoFormat("graph")
    triples, truncated = _bounded(result, max_rows, check)
    return "graph", truncated, [pyoxigraph.serialize(triples, format=fmt) or b""]


def _bounded(results: Iterable[Any], limit: int, check: Callable[[], None] | None) -> tuple[list[Any], bool]:
    """At most ``limit`` items, and whether there were more; ``check`` called every CHECK_EVERY items."""
    items: list[Any] = []
    for item in results:
        if len(items) >= limit:
            return items, True
        items.append(item)
        if check is not None and len(items) % CHECK_EVERY == 0:
            check()
    return items, False
