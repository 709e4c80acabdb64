"""Manchester-like rendering of OWL class and property expressions as HTML fragments.

Helper of :mod:`kg.ontology.docs.page`. Every function here is pure and deterministic: the output
depends only on the structure of the graph, never on blank-node identifiers or on the order in
which triples were added (when a node carries several values for a single-valued OWL property,
the value whose rendering sorts first wins).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, XSD
from rdflib.term import Node

Linker = Callable[[URIRef], str]
"""Renders a named resource (class, property, individual, datatype) as an HTML fragment."""

_TAG = re.compile(r"<[^>]*>")
_BARE_DATATYPES = frozenset({XSD.integer, XSD.decimal, XSD.boolean, XSD.nonNegativeInteger})
_FACETS = {
    XSD.minInclusive: ">=",
    XSD.minExclusive: ">",
    XSD.maxInclusive: "<=",
    XSD.maxExclusive: "<",
}
_QUANTIFIERS = ((OWL.someValuesFrom, "some"), (OWL.allValuesFrom, "only"), (OWL.hasValue, "value"))
_CARDINALITIES = (
    (OWL.minCardinality, "min"),
    (OWL.minQualifiedCardinality, "min"),
    (OWL.maxCardinality, "max"),
    (OWL.maxQualifiedCardinality, "max"),
    (OWL.cardinality, "exactly"),
    (OWL.qualifiedCardinality, "exactly"),
)
ANONYMOUS = "<em>anonymous expression</em>"


def text(value: str) -> str:
    """Escape ``value`` for HTML, normalising every line break to ``"\\n"``."""
    return html.escape(value.replace("\r\n", "\n").replace("\r", "\n"))


def plain_text(fragment: str) -> str:
    """Return the visible text of an HTML fragment (tags stripped, entities decoded)."""
    return html.unescape(_TAG.sub("", fragment))


def fragment_key(fragment: str) -> tuple[str, str]:
    """Stable sort key for rendered fragments: visible text first, markup as tie-breaker."""
    return (plain_text(fragment).casefold(), fragment)


def render_literal(lit: Literal, link: Linker) -> str:
    """Render a literal as in Manchester syntax: ``"text"@en``, ``5`` or ``"x"^^dt``."""
    lexical = text(str(lit))
    if lit.language:
        return f'"{lexical}"@{text(lit.language)}'
    if lit.datatype is None or lit.datatype == XSD.string:
        return f'"{lexical}"'
    if lit.datatype in _BARE_DATATYPES:
        return lexical
    return f'"{lexical}"^^{link(lit.datatype)}'


def rdf_list(graph: Graph, head: Node | None) -> list[Node]:
    """Return the members of the RDF collection starting at ``head`` (cycle-safe)."""
    items: list[Node] = []
    seen: set[Node] = set()
    node = head
    while node is not None and node != RDF.nil and node not in seen:
        seen.add(node)
        items.extend(sorted(graph.objects(node, RDF.first), key=_node_key)[:1])
        node = min(graph.objects(node, RDF.rest), key=_node_key, default=None)
    return items


def _node_key(node: Node) -> tuple[int, str]:
    return (1, "") if isinstance(node, BNode) else (0, str(node))


def render_expression(graph: Graph, node: Node, link: Linker) -> str:
    """Render a class, data range or property expression in Manchester-like syntax."""
    return _expr(graph, node, link, frozenset())[0]


def render_chain(graph: Graph, head: Node, link: Linker) -> str:
    """Render an ``owl:propertyChainAxiom`` list as ``p o q``."""
    return " o ".join(render_expression(graph, member, link) for member in rdf_list(graph, head))


def _expr(graph: Graph, node: Node, link: Linker, seen: frozenset[Node]) -> tuple[str, bool]:
    """Return ``(html, compound)``; compound fragments get parentheses when nested."""
    if isinstance(node, URIRef):
        return link(node), False
    if isinstance(node, Literal):
        return render_literal(node, link), False
    if node in seen:
        return "\u2026", False
    seen = seen | {node}

    def operand(value: Node) -> str:
        fragment, compound = _expr(graph, value, link, seen)
        return f"({fragment})" if compound else fragment

    def one(pred: URIRef) -> str | None:
        rendered = sorted(operand(value) for value in graph.objects(node, pred))
        return rendered[0] if rendered else None

    def members(pred: URIRef) -> list[list[str]]:
        return sorted([operand(m) for m in rdf_list(graph, head)] for head in graph.objects(node, pred))

    for pred, keyword in ((OWL.unionOf, " or "), (OWL.intersectionOf, " and ")):
        for parts in members(pred)[:1]:
            return keyword.join(parts), len(parts) > 1
    for pred in (OWL.complementOf, OWL.datatypeComplementOf):
        if (negated := one(pred)) is not None:
            return f"not {negated}", False
    for parts in members(OWL.oneOf)[:1]:
        return "{" + ", ".join(parts) + "}", False
    if (inverted := one(OWL.inverseOf)) is not None:
        return f"inverse {inverted}", False
    if (prop := one(OWL.onProperty)) is not None:
        return _restriction(graph, node, prop, one), True
    if (datatype := one(OWL.onDatatype)) is not None:
        facets: list[str] = []
        for head in sorted(graph.objects(node, OWL.withRestrictions), key=_node_key)[:1]:
            for facet_node in rdf_list(graph, head):
                for facet, value in sorted(graph.predicate_objects(facet_node), key=lambda t: (str(t[0]), str(t[1]))):
                    symbol = text(_FACETS.get(facet) or str(facet).rsplit("#", 1)[-1])
                    facets.append(f"{symbol} {operand(value)}")
        return f"{datatype}[{', '.join(facets)}]", False
    return ANONYMOUS, False


def _restriction(graph: Graph, node: Node, prop: str, one: Callable[[URIRef], str | None]) -> str:
    """Render an ``owl:Restriction`` whose (rendered) property is ``prop``."""
    for pred, keyword in _QUANTIFIERS:
        if (filler := one(pred)) is not None:
            return f"{prop} {keyword} {filler}"
    if (node, OWL.hasSelf, None) in graph:
        return f"{prop} Self"
    for pred, keyword in _CARDINALITIES:
        numbers = sorted(str(n) for n in graph.objects(node, pred))
        if numbers:
            filler = one(OWL.onClass) or one(OWL.onDataRange)
            suffix = f" {filler}" if filler else ""
            return f"{prop} {keyword} {text(numbers[0])}{suffix}"
    return f"{prop} {ANONYMOUS}"
