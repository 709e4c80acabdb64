"""The service's SPARQL JSON results (service.execution.results) write each term's JSON text
directly instead of building a dict and calling json.dumps per row; the document must still be
exactly what kg.sparql.json_terms.json_term says, for every kind of term and every string the
engine can return (quotes, backslashes, control characters, line separators, non-ASCII)."""

from __future__ import annotations

import json

import pyoxigraph
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.sparql.json_terms import json_term
from service.execution.results import _json_term_text, serialize_solutions

XSD = "http://www.w3.org/2001/XMLSchema#"
TRICKY = ["plain", 'say "no"', "back\\slash", "line\nbreak\ttab\r", "\x00\x01\x1f\x7f", "\u2028\u2029", "Київ — 🕊", ""]

TERMS = [
    pyoxigraph.NamedNode("https://w3id.org/peacekg/id/statement/x"),
    pyoxigraph.NamedNode("http://example.org/a?b=c&d=%22"),
    pyoxigraph.BlankNode("b0"),
    pyoxigraph.Literal("2022-02-24", datatype=pyoxigraph.NamedNode(XSD + "date")),
    pyoxigraph.Literal("42", datatype=pyoxigraph.NamedNode(XSD + "integer")),
    pyoxigraph.Literal("true", datatype=pyoxigraph.NamedNode(XSD + "boolean")),
    pyoxigraph.Literal("перемир'я", language="uk"),
    pyoxigraph.Literal("ceasefire", language="en-GB"),
    pyoxigraph.Triple(
        pyoxigraph.NamedNode("http://example.org/s"),
        pyoxigraph.NamedNode("http://example.org/p"),
        pyoxigraph.Literal('o "quoted"'),
    ),
    *(pyoxigraph.Literal(text) for text in TRICKY),
]


@pytest.mark.parametrize("term", TERMS, ids=repr)
def test_each_kind_of_term_is_written_as_json_term_says(term: object) -> None:
    assert json.loads(_json_term_text(term)) == json_term(term)


# Text pyoxigraph can hold: any Unicode scalar value (no lone surrogates).
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)


@settings(max_examples=300, deadline=None)
@given(value=TEXT, language=st.sampled_from([None, "en", "uk", "ru-Latn"]))
def test_any_literal_text_is_escaped_as_json_dumps_would(value: str, language: str | None) -> None:
    term = pyoxigraph.Literal(value, language=language) if language else pyoxigraph.Literal(value)
    text = _json_term_text(term)
    assert json.loads(text) == json_term(term)
    assert json.dumps(value, ensure_ascii=False) in text  # the same escaping, character for character


def test_a_document_with_unbound_cells_and_many_chunks() -> None:
    """Unbound variables are left out of a row; chunking does not change the document."""
    names = ["s", "label", "when"]
    rows = [{"s": TERMS[0], "label": TERMS[6 + (i % 3)], "when": TERMS[3] if i % 2 else None} for i in range(1200)] + [
        {"s": None, "label": None, "when": None}
    ]
    data = b"".join(serialize_solutions(names, rows, "json", chunk_rows=500))
    expected = {
        "head": {"vars": names},
        "results": {
            "bindings": [{n: json_term(row[n]) for n in names if row[n] is not None} for row in rows],
        },
    }
    assert json.loads(data) == expected


@pytest.mark.parametrize("kind", ["json", "xml", "csv", "tsv"])
def test_engine_solutions_read_by_position_as_rows_read_by_name(kind: str) -> None:
    """The engine's solutions are read by position, another store's rows by name: the same
    document either way, unbound cells included, in every results format."""
    store = pyoxigraph.Store()
    for i, term in enumerate(TERMS[:8]):
        subject = pyoxigraph.NamedNode(f"http://example.org/s{i}")
        store.add(pyoxigraph.Quad(subject, pyoxigraph.NamedNode("http://example.org/p"), term))
    query = (
        "SELECT ?o ?s ?none ?n WHERE { ?s <http://example.org/p> ?o OPTIONAL { ?s <http://e/q> ?none } BIND(1 AS ?n) }"
    )
    result = store.query(query)
    names = [v.value for v in result.variables]
    solutions = list(result)
    by_name = [{n: solution[n] for n in names} for solution in solutions]
    assert len(solutions) == 8
    assert b"".join(serialize_solutions(names, solutions, kind)) == b"".join(serialize_solutions(names, by_name, kind))
