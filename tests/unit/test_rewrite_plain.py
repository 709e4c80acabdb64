"""The rewriter's fast path (kg.sparql.rewrite): a query with no OPTIONAL, BIND, FILTER, UNION and
no property path runs as written without being parsed — first decided on the text alone by
regular expressions (``_surely_plain``), else by lexing. Two things must hold:

* the text check never skips a query lexing would send on: it is only a quicker way to the same
  answer (checked on generated queries and on texts built from the tokens that could fool it:
  IRIs holding ``/`` and ``?``, strings of both quotes, comments, blank node labels, operators);
* a query the fast path skips is one the rewriter's moves cannot change: through the whole
  rewriter (parse, rules, written back) it gets no rule but ``bgp-order`` (the order of a basic
  graph pattern's triples, which for such a query stays the engine's), and a lookup — one triple
  pattern — comes back exactly as written."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.sparql.lexer import significant
from kg.sparql.rewrite import _CANDIDATES, _IRI, _cached, _has_path, _surely_plain, rewrite

from helpers.query_gen import EDGES, PREFIXES, queries

PLAIN_EDGES = [e for e in EDGES if not any(c in e[1] for c in "/|^*+?")]
IRIS = [
    "<https://w3id.org/peacekg/id/statement/s1>",
    "<http://example.org/a?b=c&d=e#f>",
    "<http://example.org/x*y+z>",
    "<urn:x:y>",
    "<>",
    "<relative/path?q>",
]


def _lexing_says_plain(text: str) -> bool:
    """The lexer's fast path, as rewrite() decides it after the text check."""
    tokens = significant(text)
    keywords = {t.keyword for t in tokens if t.kind == "word"}
    return not keywords & _CANDIDATES and not _has_path(tokens)


# Pieces that could fool a check on the text: every path operator, things that look like one
# inside other tokens, both string quotes (escaped too), comments, blank nodes, comparisons, the
# stars that are no path (SELECT *, COUNT(*)) and names that end like a keyword.
SIMPLE = "?s ?p ?o $v ? ?) ( ) { } . ; , / | ^ ^^ * + < > <= a pk:x :y _:b _:b<x/y> ' '<' 'a/b' \n"
TRICKY = "SELECT WHERE ASK MINUS 2 1.5 select* (* COUNT(*) pk:x.SELECT ?SELECT @en-SELECT o DISTINCT ~ optional"
PIECES = [
    *IRIS,
    *(e[1] for e in EDGES),
    *SIMPLE.split(" "),
    *TRICKY.split(" "),
    '"<"',
    '"a/b\'"',
    '"\\""',
    "'''x/y'''",
    "# a comment / with ? and <x>\n",
    "SELECT *",
    "LIMIT 1",
]


@st.composite
def texts(draw: st.DrawFn) -> str:
    """Pieces glued with or without a space, inside a group (where paths count) or not."""
    glued = draw(st.lists(st.tuples(st.sampled_from(PIECES), st.sampled_from(["", " "])), max_size=12))
    body = "".join(piece + gap for piece, gap in glued)
    return draw(st.sampled_from(["SELECT * WHERE {{ {} }}", "{}", "ASK {{ ?s ?p ?o {} }}"])).format(body)


@settings(max_examples=1000, deadline=None)
@given(texts())
def test_the_text_check_never_skips_what_lexing_would_send_on(text: str) -> None:
    if _surely_plain(text):
        assert _lexing_says_plain(text), text


@pytest.mark.parametrize(
    "text",
    [
        "SELECT ?s { ?s pk:a?<http://e/x>o }",  # a ? after a name, then an IRI: a path, not a variable
        "SELECT ?s { ?s pk:x.SELECT * }",  # a prefixed name ending in SELECT, then a star: a path
        "SELECT ?s { ?s pk:a*<http://e/x> }",
        "SELECT ?s { ?s <http://e/p>/<http://e/q> ?o }",
        "SELECT ?s { ?s ^<http://e/p> ?o }",
        "SELECT ?s { ?s (<http://e/p>)* ?o }",
        "SELECT ?s { ?s (<http://e/p>*) ?o }",
    ],
)
def test_texts_that_look_plain_but_hold_a_path(text: str) -> None:
    assert not _lexing_says_plain(text)
    assert not _surely_plain(text)


@settings(max_examples=200, deadline=None)
@given(queries())
def test_generated_queries_the_text_check_skips_are_plain_to_the_lexer(text: str) -> None:
    if _surely_plain(text):
        assert _lexing_says_plain(text), text


def test_the_iri_pattern_is_the_lexers() -> None:
    text = " ".join(IRIS) + ' "<in a string>" # <in/a?comment>\n ?s <p> ?o'
    lexed = [t.text for t in significant(text) if t.kind == "iri"]
    assert lexed == [*IRIS, "<p>"]
    assert all(_IRI.fullmatch(iri) for iri in lexed)


@st.composite
def plain_queries(draw: st.DrawFn) -> str:
    """Queries with nothing the rules move: basic graph patterns of the ontology's edges (no
    paths), nested groups, MINUS, GRAPH, VALUES, a sub-SELECT, aggregates and solution modifiers."""
    edges = draw(st.lists(st.sampled_from(PLAIN_EDGES), min_size=1, max_size=4))
    parts = [f"?{s} {p} {'?' + o if ':' not in o else o} ." for s, p, o in edges]
    shape = draw(st.sampled_from(["bgp", "groups", "minus", "graph", "values", "subselect"]))
    first = edges[0][0]
    if shape == "groups":
        parts = ["{ " + part + " }" for part in parts]
    elif shape == "minus":
        parts.append(f"MINUS {{ ?{first} pk:stance stance:rejects }}")
    elif shape == "graph":
        parts = [f"GRAPH ?g {{ {' '.join(parts)} }}"]
    elif shape == "values":
        parts.insert(0, f"VALUES ?{first} {{ {draw(st.sampled_from(IRIS[:3]))} }}")
    elif shape == "subselect":
        parts = [f"{{ SELECT ?{first} WHERE {{ {' '.join(parts)} }} LIMIT 5 }}"]
    comment = draw(st.sampled_from(["", "# who said what / where?\n"]))
    where = f"{comment}{{ {' '.join(parts)} }}"
    head = draw(st.sampled_from(["*", "distinct", "count", "ask"]))
    if head == "ask":
        return f"{PREFIXES}ASK {where}"
    if head == "count":
        return f"{PREFIXES}SELECT ?{first} (COUNT(*) AS ?n) WHERE {where} GROUP BY ?{first} ORDER BY DESC(?n)"
    return f"{PREFIXES}SELECT {'DISTINCT ?' + first if head == 'distinct' else '*'} WHERE {where} LIMIT 10"


@settings(max_examples=100, deadline=None)
@given(plain_queries())
def test_a_query_the_fast_path_skips_gets_no_move(text: str) -> None:
    skipped = rewrite(text)
    assert skipped.text == text and not skipped.rules
    assert skipped.reason.startswith("no OPTIONAL")  # it took the fast path
    through = _cached(text, None)  # the whole rewriter: parsed, transformed, written back
    assert set(through.rules) <= {"bgp-order"}, (through.rules, text)


@settings(max_examples=100, deadline=None)
@given(
    st.sampled_from(IRIS[:3]),
    st.sampled_from(
        [
            "SELECT ?p ?o WHERE {{ {s} ?p ?o }}",
            "SELECT * WHERE {{ ?s ?p {s} }} LIMIT 100",
            "ASK {{ {s} ?p ?o }}",
            "DESCRIBE {s}",
            "CONSTRUCT WHERE {{ {s} ?p ?o }}",
            "SELECT (COUNT(*) AS ?n) WHERE {{ {s} ?p ?o }}",
        ]
    ),
)
def test_a_lookup_comes_back_exactly_as_written(subject: str, shape: str) -> None:
    text = shape.format(s=subject)
    assert _surely_plain(text)
    through = _cached(text, "http://127.0.0.1/sparql")
    assert through.text == text and not through.rules
