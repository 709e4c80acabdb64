"""Comparing a stored query's rows with its expected answers, as RDF terms (the expected values
written as CURIEs, IRIs, numbers and booleans): shared by the answer tests on the embedded engine
(tests/unit/test_stored_queries.py) and on Virtuoso (tests/system/test_virtuoso_stored.py)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

import pyoxigraph

from kg.sparql.binding import XSD

RES, PK = "https://w3id.org/peacekg/resource/", "https://w3id.org/peacekg/ontology/"
VOCAB = "https://w3id.org/peacekg/vocab/"
A000, A001, A002, A003, A004 = (
    f"https://w3id.org/peacekg/article/{i}"
    for i in (
        "000_f8d9a80233053aef",
        "001_8d381c327fafc0c6",
        "002_812b4db44989ec20",
        "003_4f3bc5a24f05ce64",
        "004_e4a9586795b55eb4",
    )
)
BOUND = object()  # an expected value: "any value, but bound"
BOOLEANS = {"true": True, "1": True, "false": False, "0": False}  # the lexical forms of xsd:boolean


def iri(curie: str) -> pyoxigraph.NamedNode:
    prefixes = {
        "res": RES,
        "pk": PK,
        "stance": VOCAB + "stance/",
        "gk": VOCAB + "guarantee-kind/",
        "unit": VOCAB + "unit/",
        "vocab": VOCAB,
        "wd": "http://www.wikidata.org/entity/",
        "skos": "http://www.w3.org/2004/02/skos/core#",
        "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    }
    prefix, _, local = curie.partition(":")
    return pyoxigraph.NamedNode(
        prefixes[prefix] + local if prefix in prefixes and not local.startswith("//") else curie
    )


def date(value: str) -> pyoxigraph.Literal:
    return pyoxigraph.Literal(value, datatype=pyoxigraph.NamedNode(XSD + "date"))


def key(term: Any) -> tuple:
    """A term's identity for comparison: numbers and booleans by value (200000 = 200000.0, 1 = true),
    others as terms."""
    if isinstance(term, pyoxigraph.Literal) and term.datatype.value in (
        XSD + "decimal",
        XSD + "integer",
        XSD + "double",
    ):
        try:
            return ("number", Decimal(term.value))
        except InvalidOperation:
            pass
    if isinstance(term, pyoxigraph.Literal) and term.datatype.value == XSD + "boolean" and term.value in BOOLEANS:
        return ("boolean", BOOLEANS[term.value])  # Virtuoso 7 writes every xsd:boolean as 1/0
    return ("term", str(term))


def expected_term(value: Any) -> Any:
    if isinstance(value, bool):
        return pyoxigraph.Literal("true" if value else "false", datatype=pyoxigraph.NamedNode(XSD + "boolean"))
    if isinstance(value, (int, float, Decimal)):
        return pyoxigraph.Literal(str(value), datatype=pyoxigraph.NamedNode(XSD + "decimal"))
    if isinstance(value, str):
        return (
            pyoxigraph.NamedNode(value)
            if value.startswith("http")
            else iri(value)
            if ":" in value
            else pyoxigraph.Literal(value)
        )
    return value


def matches(row: dict[str, Any], pattern: dict[str, Any]) -> bool:
    for name, value in pattern.items():
        if name not in row:
            return False
        if value is not BOUND and key(row[name]) != key(expected_term(value)):
            return False
    return True
