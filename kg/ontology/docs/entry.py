"""One term's entry on the ontology reference page: the rows it shows, in order (:data:`ENTRY_ROWS`,
each a function giving ``(title, html)`` rows), and the HTML they fill in (:data:`ENTRY`,
:data:`ROW`). A row whose value is empty is left out. Helper of :mod:`kg.ontology.docs.page`,
whose document renders links, CURIEs and texts (and records the prefixes they use)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from string import Template
from typing import TYPE_CHECKING

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, SKOS

from kg.ontology.docs.layout import AXIOM_ROWS, CHARACTERISTICS, LINK_ROWS, TEXT_ROWS
from kg.ontology.docs.syntax import fragment_key, render_chain, text

if TYPE_CHECKING:
    from kg.ontology.docs.page import _Document

Row = tuple[str, str]
"""(title, value as an HTML fragment)."""
RowMaker = Callable[["_Document", URIRef, str], Iterator[Row]]
"""Gives the rows of one part of an entry, from the document, the term and its badge."""

ENTRY = Template(
    '<section class="entry" id="$anchor">\n<h3>$name<span class="badge">$badge</span>$flag</h3>\n'
    "<dl>\n$rows\n</dl>\n</section>"
)
ROW = Template("<dt>$title</dt><dd>$value</dd>")
DEPRECATED_FLAG = ' <span class="badge deprecated">deprecated</span>'


def is_deprecated(graph: Graph, term: URIRef) -> bool:
    """owl:deprecated is true (or 1) for ``term``."""
    return any(isinstance(o, Literal) and str(o).lower() in ("true", "1") for o in graph.objects(term, OWL.deprecated))


def identity(doc: _Document, term: URIRef, badge: str) -> Iterator[Row]:
    """The IRI, its CURIE (when a prefix of the graph gives one) and the SKOS notations."""
    yield "IRI", f'<a href="{text(str(term))}"><code>{text(str(term))}</code></a>'
    if (curie := doc.curie(str(term))) != str(term):
        yield "CURIE", f"<code>{text(curie)}</code>"
    notations = sorted({str(n) for n in doc.g.objects(term, SKOS.notation)})
    yield "Notation", ", ".join(f"<code>{text(n)}</code>" for n in notations)


def _example(example: str) -> str:
    """A multi-line example keeps its lines (``<pre>``); a one-line example is a paragraph."""
    return f"<pre>{text(example)}</pre>" if "\n" in example.replace("\r", "\n") else f"<p>{text(example)}</p>"


def descriptions(doc: _Document, term: URIRef, badge: str) -> Iterator[Row]:
    """Labels, definitions, comments and notes (TEXT_ROWS), one paragraph a value; the examples."""
    for title, pred in TEXT_ROWS:
        yield title, "".join(f"<p>{text(v)}</p>" for v in doc.texts(term, pred))
    examples = doc.texts(term, SKOS.example)
    yield ("Examples" if len(examples) > 1 else "Example"), "".join(_example(e) for e in examples)


def status(doc: _Document, term: URIRef, badge: str) -> Iterator[Row]:
    """Whether the term is deprecated."""
    yield "Deprecated", "yes" if is_deprecated(doc.g, term) else ""


def individual_types(doc: _Document, term: URIRef, badge: str) -> Iterator[Row]:
    """An individual's types (owl:NamedIndividual aside)."""
    if badge == "individual":
        types = {doc.render(t) for t in doc.g.objects(term, RDF.type) if t != OWL.NamedIndividual}
        yield "Types", ", ".join(sorted(types, key=fragment_key))


def axioms(doc: _Document, term: URIRef, badge: str) -> Iterator[Row]:
    """Class and property axioms (AXIOM_ROWS): super-, sub-, equivalent classes, domain, range…"""
    for title, forward, backward in AXIOM_ROWS:
        yield title, doc.links(term, forward, backward)


def property_features(doc: _Document, term: URIRef, badge: str) -> Iterator[Row]:
    """A property's chains (``p o q``) and characteristics (Functional, Transitive…)."""
    chains = (render_chain(doc.g, c, doc.link) for c in doc.g.objects(term, OWL.propertyChainAxiom))
    yield "Property chain", "<br>".join(sorted(chains, key=fragment_key))
    characteristics = [c for c in CHARACTERISTICS if (term, RDF.type, c) in doc.g]
    yield "Characteristics", ", ".join(str(c)[len(str(OWL)) : -len("Property")] for c in characteristics)


def class_usage(doc: _Document, term: URIRef, badge: str) -> Iterator[Row]:
    """For a class: the properties having it as domain or range, and its named instances."""
    if badge != "class":
        return
    for title, index in (("Used as domain of", doc.domain_of), ("Used as range of", doc.range_of)):
        yield title, ", ".join(sorted((doc.link(p) for p in index.get(term, ())), key=fragment_key))
    instances = {doc.link(s) for s in doc.g.subjects(RDF.type, term) if isinstance(s, URIRef)}
    yield "Instances", ", ".join(sorted(instances, key=fragment_key))


def concept_links(doc: _Document, term: URIRef, badge: str) -> Iterator[Row]:
    """SKOS hierarchy, schemes and mappings, owl:sameAs and rdfs:seeAlso (LINK_ROWS)."""
    for title, forward, backward in LINK_ROWS:
        yield title, doc.links(term, forward, backward)


ENTRY_ROWS: tuple[RowMaker, ...] = (
    identity,
    descriptions,
    status,
    individual_types,
    axioms,
    property_features,
    class_usage,
    concept_links,
)


def render_entry(doc: _Document, term: URIRef, badge: str) -> str:
    """The ``<section>`` of ``term``: heading with its badge (and a deprecation flag), then the
    non-empty rows of ENTRY_ROWS as a definition list."""
    rows = [
        ROW.substitute(title=title, value=value)
        for make in ENTRY_ROWS
        for title, value in make(doc, term, badge)
        if value
    ]
    return ENTRY.substitute(
        anchor=text(doc.anchors[term]),
        name=text(doc.display(term)),
        badge=badge,
        flag=DEPRECATED_FLAG if is_deprecated(doc.g, term) else "",
        rows="\n".join(rows),
    )
