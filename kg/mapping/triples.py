"""A graph as the build writes it: each triple once, as its N-Triples statement, in the order first
added. Pure.

The mapping used to write each article into an rdflib graph that the build then only iterated, to
turn every term into a pyoxigraph term and serialize it: at 1,000 articles the graph's indexes
took 2 s of the 3 s of mapping, and the terms 0.8 s more. :class:`Triples` takes the same
``add((s, p, o))`` of rdflib terms (:class:`~kg.mapping.values.Emitter` writes into either), writes
each statement at once in the syntax pyoxigraph writes (kg.serialize.nt_term), and keeps the terms
for the few callers that need a graph (:meth:`Triples.graph`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from kg.serialize import nt_iri, nt_term

Triple = tuple[Node, Node, Node]


class Triples:
    """Triples of rdflib terms, each once, with their N-Triples statements (without the final
    " ."), in the order first added; the subjects and objects that are not literals (in
    N-Triples syntax: what another graph's triples are about, kg.builder.graphs), and whether a
    literal is ill-typed (not in its datatype's lexical space: rdflib's ``Literal.ill_typed``)."""

    __slots__ = ("ill_typed", "nodes", "terms")

    def __init__(self, triples: Iterable[Triple] = ()) -> None:
        self.terms: dict[str, Triple] = {}  # statement -> the terms it was made of
        self.nodes: set[str] = set()
        self.ill_typed = False
        for triple in triples:
            self.add(triple)

    def add(self, triple: Triple) -> None:
        s, p, o = triple
        if type(p) is not URIRef:
            raise TypeError(f"not an RDF triple: {triple!r}")
        # The mapping's IRIs are minted (percent-encoded) or the ontology's; the one IRI it takes
        # from the corpus as written (a source's iri) is checked where it is read (Emitter.sources).
        # Checking every IRI again here was a fifth of the mapping's time.
        subject = f"<{s}>" if type(s) is URIRef else nt_term(s)
        value = f"<{o}>" if type(o) is URIRef else nt_term(o)
        statement = f"{subject} <{p}> {value}"
        if statement in self.terms:
            return
        self.terms[statement] = triple
        self.nodes.add(subject)
        if value[0] != '"':
            self.nodes.add(value)
        elif not self.ill_typed and isinstance(o, Literal) and o.ill_typed:
            self.ill_typed = True

    def __len__(self) -> int:
        return len(self.terms)

    def __iter__(self) -> Iterator[Triple]:
        return iter(self.terms.values())

    def objects(self, subject: Node, predicate: Node) -> Iterator[Node]:
        """The objects of ``subject predicate`` (rdflib's ``Graph.objects``; a scan, for the rare
        caller that reads back what it wrote)."""
        return (o for s, p, o in self.terms.values() if s == subject and p == predicate)

    def predicate_objects(self, subject: Node) -> Iterator[tuple[Node, Node]]:
        return ((p, o) for s, p, o in self.terms.values() if s == subject)

    def statements(self) -> Iterable[str]:
        return self.terms.keys()

    def nquads(self, graph: str) -> str:
        """The triples as N-Quads of the named graph ``graph`` (an IRI), one quad a line."""
        if not self.terms:
            return ""
        end = f" {nt_iri(graph)} .\n"
        return end.join(self.terms) + end

    def graph(self, into: Graph | None = None) -> Graph:
        """The triples as an rdflib graph (``into``, with its namespace bindings, or a new one)."""
        graph = Graph() if into is None else into
        for triple in self.terms.values():
            graph.add(triple)
        return graph
