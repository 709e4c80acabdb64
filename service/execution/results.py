"""Serialising SPARQL SELECT results incrementally, row by row, so a row limit can stop them and
large results stream in chunks: JSON, XML, CSV and TSV as the W3C specifications define them."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any, Protocol
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph

from kg.sparql.json_terms import json_term

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
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


def serialize_solutions(
    names: list[str], rows: Iterable[Solution], kind: str, chunk_rows: int = 500
) -> Iterator[bytes]:
    """Yields the serialised results in chunks of ``chunk_rows`` rows."""
    buffer: list[str] = []
    if kind == "json":
        buffer.append('{"head":{"vars":' + json.dumps(names) + '},"results":{"bindings":[')
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
    for count, solution in enumerate(rows, 1):
        if kind == "json":
            row = {n: json_term(solution[n]) for n in names if solution[n] is not None}
            buffer.append(("," if count > 1 else "") + json.dumps(row, ensure_ascii=False))
        elif kind == "xml":
            cells = "".join(
                f"<binding name={quoteattr(n)}>{_xml_term(solution[n])}</binding>"
                for n in names
                if solution[n] is not None
            )
            buffer.append(f"<result>{cells}</result>")
        elif kind == "csv":
            buffer.append(",".join(_csv_cell(solution[n]) for n in names) + "\r\n")
        else:
            buffer.append("\t".join(_tsv_cell(solution[n]) for n in names) + "\n")
        if count % chunk_rows == 0:
            yield "".join(buffer).encode("utf-8")
            buffer = []
    if kind == "json":
        buffer.append("]}}")
    elif kind == "xml":
        buffer.append("</results></sparql>")
    yield "".join(buffer).encode("utf-8")
