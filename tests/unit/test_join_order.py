"""kg.sparql.join_order: which FILTERs count as selective, and the order the rewriter writes a
basic graph pattern in, on the shapes of the stored queries it once made slower (issue 18:
precedent-invocations 22 -> 423 ms and proposal-precedents 4 -> 77 ms at 10,000 articles, when
any FILTER put its pattern first). Answers with and without the rewrite are compared in
test_rewrite_differential.py and test_rewrite_stored.py; these tests pin the order itself."""

from __future__ import annotations

import re

import pytest
from rdflib.plugins.sparql import algebra
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import Variable

from kg.sparql.join_order import selective
from kg.sparql.rewrite import rewrite

P = (
    "PREFIX pk: <https://w3id.org/peacekg/ontology/> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
    "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n"
)

# FILTER expression -> the variables it tests selectively (by name)
SELECTIVE = {
    "?x = pk:a": {"x"},
    "pk:a = ?x": {"x"},
    'STR(?x) = "Kyiv"': {"x"},
    'LCASE(STR(?x)) = "kyiv"': {"x"},
    'xsd:string(?x) = "kyiv"': {"x"},
    "sameTerm(?x, pk:a)": {"x"},
    "?x IN (pk:a, pk:b)": {"x"},
    'CONTAINS(LCASE(?l), "guarantee")': {"l"},
    'STRSTARTS(STR(?l), "Kyiv")': {"l"},
    'REGEX(?l, "^peace", "i")': {"l"},
    "?x = pk:a && BOUND(?y)": {"x"},
    "?x = pk:a || ?x = pk:b": {"x"},
    # keeps most rows, or says nothing about one pattern's rows
    'LANG(?l) IN ("en", "")': set(),
    'LANG(?l) = "en"': set(),
    'LANGMATCHES(LANG(?l), "en")': set(),
    "BOUND(?x)": set(),
    "?x != pk:a": set(),
    "?x NOT IN (pk:a)": set(),
    "?x = ?y": set(),
    "STR(?x) < STR(?y)": set(),
    '?d > "2025-01-01"^^xsd:date': set(),
    'CONTAINS(?l, "")': set(),
    "?x = pk:a || BOUND(?y)": set(),
    "EXISTS { ?x skos:topConceptOf pk:scheme }": set(),
    "NOT EXISTS { ?x a pk:Draft }": set(),
}


def _filter_expression(text: str) -> CompValue:
    query = algebra.translateQuery(
        parseQuery(P + f"SELECT * WHERE {{ ?x ?p ?y . ?y ?q ?l . ?l ?r ?d FILTER({text}) }}")
    )
    node = query.algebra
    while node.name != "Filter":
        node = node.p
    return node.expr


@pytest.mark.parametrize("text", SELECTIVE)
def test_which_filters_are_selective(text: str) -> None:
    assert selective(_filter_expression(text)) == {Variable(v) for v in SELECTIVE[text]}


def _optional_bodies(text: str) -> list[str]:
    """The text of each OPTIONAL group of the rewritten query, in order (no nested groups here)."""
    return re.findall(r"OPTIONAL \{(.*?)\}", text)


def _order(body: str, *terms: str) -> list[int]:
    return [body.index(term) for term in terms]


def test_patterns_bound_from_outside_come_before_a_label_filtered_by_language() -> None:
    """precedent-invocations: the OPTIONAL's pattern on the invocation (bound by the base) first,
    the speaker's label, tested by LANG IN (which keeps nearly every label), last."""
    query = P + (
        "SELECT * WHERE { ?invocation pk:invokesPrecedent ?precedent ; pk:attributedTo ?speaker . "
        "?invocation pk:hasEvidence ?e . "
        "OPTIONAL { ?invocation pk:invokesPrecedent ?precedent ; pk:attributedTo ?speaker . "
        '?speaker rdfs:label ?speakerLabel FILTER(LANG(?speakerLabel) IN ("en", "")) } }'
    )
    body = _optional_bodies(rewrite(query).text)[0]
    invokes, attributed, label = _order(body, "invokesPrecedent", "attributedTo", "rdf-schema#label")
    assert invokes < attributed < label, body


def test_an_open_closure_stays_last_though_an_exists_tests_its_end() -> None:
    """proposal-precedents: `?kind skos:broader* ?family` with a FILTER EXISTS on ?family went first
    (the whole closure of every concept); the chain from the proposal stays as written."""
    query = P + (
        "SELECT * WHERE { { ?proposal pk:hasProvision ?provision . ?provision pk:providesGuarantee ?guarantee . "
        "?guarantee pk:commitmentKind ?kind . ?kind skos:broader* ?family . "
        "FILTER EXISTS { ?family skos:topConceptOf pk:scheme } "
        "OPTIONAL { ?guarantee rdfs:label ?l } } }"
    )
    text = rewrite(query).text
    base = text[: text.index("FILTER")]
    assert _order(base, "hasProvision", "providesGuarantee", "commitmentKind", "broader") == sorted(
        _order(base, "hasProvision", "providesGuarantee", "commitmentKind", "broader")
    ), base


@pytest.mark.parametrize(
    "test",
    ["?l = pk:a", 'CONTAINS(LCASE(?l), "guarantee")', "sameTerm(?l, pk:a)", 'REGEX(STR(?l), "peace")'],
)
def test_a_selective_filter_still_puts_its_pattern_first(test: str) -> None:
    """With nothing bound from outside, the pattern a selective FILTER tests starts the BGP, however written."""
    first = P + f"SELECT * WHERE {{ ?s pk:target ?t . ?t rdfs:label ?l FILTER({test}) }}"
    second = P + f"SELECT * WHERE {{ ?t rdfs:label ?l FILTER({test}) ?s pk:target ?t }}"
    text = rewrite(first).text
    assert text == rewrite(second).text
    assert text.index("rdf-schema#label") < text.index("target"), text


@pytest.mark.parametrize("test", ['LANG(?l) = "en"', "BOUND(?l)", "EXISTS { ?l a pk:Label }"])
def test_a_test_of_one_variable_only_breaks_ties(test: str) -> None:
    """A test of the label alone that keeps most rows still breaks the tie between two patterns
    with nothing bound (bench/natural/21: the filtered altLabel first, 1.8 ms; the label first,
    11 ms), but never outranks a bound variable (the OPTIONAL test above)."""
    first = P + f"SELECT * WHERE {{ ?s pk:target ?t . ?t rdfs:label ?l FILTER({test}) }}"
    second = P + f"SELECT * WHERE {{ ?t rdfs:label ?l FILTER({test}) ?s pk:target ?t }}"
    text = rewrite(first).text
    assert text == rewrite(second).text
    assert text.index("rdf-schema#label") < text.index("target"), text


@pytest.mark.parametrize("test", ["STR(?s) < STR(?l)", "?s != ?l", "?s = ?l || BOUND(?l)"])
def test_a_test_of_two_variables_leaves_the_written_order(test: str) -> None:
    """A comparison of two patterns' rows (contradictions' cursor test) says nothing about either alone."""
    for written in (
        f"?s pk:target ?t . ?t rdfs:label ?l FILTER({test})",
        f"?t rdfs:label ?l . ?s pk:target ?t FILTER({test})",
    ):
        text = rewrite(P + f"SELECT * WHERE {{ {written} }}").text
        first = "target" if written.startswith("?s") else "rdf-schema#label"
        second = "rdf-schema#label" if first == "target" else "target"
        assert text.index(first) < text.index(second), text


def test_more_bound_variables_first_then_the_written_order() -> None:
    """Inside an OPTIONAL whose base binds ?a and ?b: the pattern joining both first; after it,
    patterns with one bound variable each keep their written order (cq07's role span: through
    the role's evidence, not every span of the article)."""
    query = P + ("SELECT * WHERE { ?a pk:p ?b . OPTIONAL { ?a pk:q ?c . ?c pk:r ?d . ?d pk:s ?b . ?a pk:t ?b } }")
    body = _optional_bodies(rewrite(query).text)[0]
    both, q, r, s = _order(body, "ontology/t>", "ontology/q>", "ontology/r>", "ontology/s>")
    assert both < q < r < s, body
