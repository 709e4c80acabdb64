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
_FACETS: dict[Node, str] = {
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
    return _Anonymous(graph, node, link, seen | {node}).render()


class _Anonymous:
    """A blank-node expression being rendered. ``seen`` holds it and the nodes enclosing it (a
    cycle renders as "…"). Its forms are tried in a fixed order; the first that applies wins."""

    def __init__(self, graph: Graph, node: Node, link: Linker, seen: frozenset[Node]) -> None:
        self.graph, self.node, self.link, self.seen = graph, node, link, seen

    def operand(self, value: Node) -> str:
        """``value`` rendered as an operand: in parentheses when compound."""
        fragment, compound = _expr(self.graph, value, self.link, self.seen)
        return f"({fragment})" if compound else fragment

    def one(self, pred: URIRef) -> str | None:
        """The node's value for a single-valued ``pred``: the one whose rendering sorts first."""
        rendered = sorted(self.operand(value) for value in self.graph.objects(self.node, pred))
        return rendered[0] if rendered else None

    def members(self, pred: URIRef) -> list[list[str]]:
        """The rendered members of each RDF list that is a value of ``pred``, lists sorted."""
        lists = self.graph.objects(self.node, pred)
        return sorted([self.operand(m) for m in rdf_list(self.graph, head)] for head in lists)

    def render(self) -> tuple[str, bool]:
        forms = (self.boolean, self.complement, self.enumeration, self.inverse, self.restriction, self.datatype)
        for form in forms:
            if (rendered := form()) is not None:
                return rendered
        return ANONYMOUS, False

    def boolean(self) -> tuple[str, bool] | None:
        """``a or b``, ``a and b`` (compound when there are several operands)."""
        for pred, keyword in ((OWL.unionOf, " or "), (OWL.intersectionOf, " and ")):
            for parts in self.members(pred)[:1]:
                return keyword.join(parts), len(parts) > 1
        return None

    def complement(self) -> tuple[str, bool] | None:
        """``not a``, for classes and data ranges."""
        for pred in (OWL.complementOf, OWL.datatypeComplementOf):
            if (negated := self.one(pred)) is not None:
                return f"not {negated}", False
        return None

    def enumeration(self) -> tuple[str, bool] | None:
        """``{a, b}``."""
        for parts in self.members(OWL.oneOf)[:1]:
            return "{" + ", ".join(parts) + "}", False
        return None

    def inverse(self) -> tuple[str, bool] | None:
        """``inverse p``, an inverse property expression."""
        if (inverted := self.one(OWL.inverseOf)) is not None:
            return f"inverse {inverted}", False
        return None

    def restriction(self) -> tuple[str, bool] | None:
        """``p some C``, ``p min 2 C``…: an owl:Restriction (compound)."""
        if (prop := self.one(OWL.onProperty)) is not None:
            return _restriction(self.graph, self.node, prop, self.one), True
        return None

    def datatype(self) -> tuple[str, bool] | None:
        """``xsd:integer[>= 0, < 10]``: a datatype restricted by facets."""
        if (datatype := self.one(OWL.onDatatype)) is None:
            return None
        facets: list[str] = []
        for head in sorted(self.graph.objects(self.node, OWL.withRestrictions), key=_node_key)[:1]:
            for facet_node in rdf_list(self.graph, head):
                facets.extend(self.facets(facet_node))
        return f"{datatype}[{', '.join(facets)}]", False

    def facets(self, facet_node: Node) -> list[str]:
        """The facets on one node of an owl:withRestrictions list, as ``>= value``."""
        found: list[str] = []
        for facet, value in sorted(self.graph.predicate_objects(facet_node), key=lambda t: (str(t[0]), str(t[1]))):
            symbol = text(_FACETS.get(facet) or str(facet).rsplit("#", 1)[-1])
            found.append(f"{symbol} {self.operand(value)}")
        return found


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
