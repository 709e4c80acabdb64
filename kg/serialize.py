"""Deterministic RDF serialisations: the same graph always gives the same bytes.

Blank nodes get canonical labels (rdflib.compare.to_canonical_graph), then N-Triples lines are
sorted, and Turtle uses rdflib's ``longturtle`` serialiser, which orders its output.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph
import rdflib
from rdflib.compare import to_canonical_graph


def canonical(graph: rdflib.Graph) -> rdflib.Graph:
    """A copy of ``graph`` with canonical blank-node labels and the same namespace bindings."""
    result = rdflib.Graph(bind_namespaces="none")
    for triple in to_canonical_graph(graph):
        result.add(triple)
    for prefix, namespace in graph.namespaces():
        result.bind(prefix, namespace, override=True, replace=True)
    return result


def ntriples(graph: rdflib.Graph) -> str:
    """Sorted canonical N-Triples."""
    text = canonical(graph).serialize(format="nt", encoding="utf-8").decode("utf-8")
    lines = sorted(line for line in text.splitlines() if line.strip())
    return "\n".join(lines) + ("\n" if lines else "")


def turtle(graph: rdflib.Graph) -> str:
    """Ordered, canonical Turtle."""
    return canonical(graph).serialize(format="longturtle", encoding="utf-8").decode("utf-8")


def to_oxigraph(term: rdflib.term.Node) -> pyoxigraph.NamedNode | pyoxigraph.BlankNode | pyoxigraph.Literal:
    """The pyoxigraph term equal to an rdflib term."""
    if isinstance(term, rdflib.URIRef):
        return pyoxigraph.NamedNode(str(term))
    if isinstance(term, rdflib.BNode):
        return pyoxigraph.BlankNode(str(term))
    if isinstance(term, rdflib.Literal):
        if term.language:
            return pyoxigraph.Literal(str(term), language=term.language)
        if term.datatype:
            return pyoxigraph.Literal(str(term), datatype=pyoxigraph.NamedNode(str(term.datatype)))
        return pyoxigraph.Literal(str(term))
    raise TypeError(f"not an RDF term: {term!r}")


def to_oxigraph_terms(
    s: rdflib.term.Node, p: rdflib.term.Node, o: rdflib.term.Node
) -> tuple[
    pyoxigraph.NamedNode | pyoxigraph.BlankNode,
    pyoxigraph.NamedNode,
    pyoxigraph.NamedNode | pyoxigraph.BlankNode | pyoxigraph.Literal,
]:
    """The pyoxigraph terms of an rdflib triple, checked for their positions (no literal subject,
    an IRI predicate), as ``pyoxigraph.Triple`` and ``pyoxigraph.Quad`` take them."""
    subject, predicate, object_ = to_oxigraph(s), to_oxigraph(p), to_oxigraph(o)
    if isinstance(subject, pyoxigraph.Literal) or not isinstance(predicate, pyoxigraph.NamedNode):
        raise TypeError(f"not an RDF triple: {(s, p, o)!r}")
    return subject, predicate, object_


# N-Triples as pyoxigraph writes it: these characters of a literal escaped, every other one as is.
_NT_ESCAPED = re.compile(r'[\x00-\x1f"\\\x7f]')
_NT_ESCAPES = str.maketrans(
    {chr(c): f"\\u{c:04X}" for c in (*range(0x20), 0x7F)}
    | {"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r", '"': '\\"', "\\": "\\\\"}
)
# An absolute IRI without a character that N-Triples cannot hold between < and >.
_NT_IRI = re.compile(r'[A-Za-z][A-Za-z0-9+.\-]*:[^\x00-\x20<>"{}|^`\\]*')
_XSD_STRING = str(rdflib.XSD.string)


def nt_iri(iri: str) -> str:
    """An IRI in N-Triples syntax. Checks only what N-Triples needs (a scheme, no character it
    cannot hold); pyoxigraph's parser checks the rest of RFC 3987 where the bytes are loaded."""
    if _NT_IRI.fullmatch(iri) is None:
        raise ValueError(f"not an absolute IRI that N-Triples can hold: {iri!r}")
    return f"<{iri}>"


def nt_literal(lexical: str, language: str | None = None, datatype: str | None = None) -> str:
    """A literal in N-Triples syntax, as pyoxigraph writes it (an xsd:string without its datatype,
    the language tag in lower case)."""
    text = lexical.translate(_NT_ESCAPES) if _NT_ESCAPED.search(lexical) else lexical
    if language:
        return f'"{text}"@{language.lower()}'
    if datatype and datatype != _XSD_STRING:
        return f'"{text}"^^{nt_iri(datatype)}'
    return f'"{text}"'


def nt_term(term: rdflib.term.Node) -> str:
    """An rdflib term in N-Triples syntax: the bytes pyoxigraph writes for ``to_oxigraph(term)``,
    made without building a pyoxigraph term (a third of the mapping's time at 1,000 articles)."""
    if isinstance(term, rdflib.URIRef):
        return nt_iri(term)
    if isinstance(term, rdflib.Literal):
        datatype = term.datatype
        return nt_literal(str(term), term.language, None if datatype is None else str(datatype))
    if isinstance(term, rdflib.BNode):
        return f"_:{term}"
    raise TypeError(f"not an RDF term: {term!r}")


def rdf_bytes(
    data: Iterable[pyoxigraph.Triple] | Iterable[pyoxigraph.Quad],
    format: pyoxigraph.RdfFormat,
    prefixes: dict[str, str] | None = None,
) -> bytes:
    """``pyoxigraph.serialize`` into memory. Given no ``output`` it always returns the bytes; its
    declared result is ``bytes | None`` (None when it writes to ``output``), narrowed here."""
    result = pyoxigraph.serialize(data, format=format, prefixes=prefixes)
    if result is None:  # cannot happen without ``output``
        raise RuntimeError("pyoxigraph.serialize returned nothing")
    return result


def rdfxml(graph: rdflib.Graph) -> str:
    """RDF/XML of the canonical graph, triples in sorted order (for tools that read only RDF/XML).

    pyoxigraph's serialiser streams triples in the order given; rdflib's orders subjects by hash,
    which changes from one process to the next.
    """
    ordered = sorted(canonical(graph), key=lambda t: tuple(term.n3() for term in t))
    triples = [pyoxigraph.Triple(*to_oxigraph_terms(s, p, o)) for s, p, o in ordered]
    iris = {str(term) for triple in ordered for term in triple if isinstance(term, rdflib.URIRef)}
    prefixes = {
        prefix: str(ns)
        for prefix, ns in sorted(graph.namespaces())
        if prefix and any(iri.startswith(str(ns)) for iri in iris)
    }
    return rdf_bytes(triples, pyoxigraph.RdfFormat.RDF_XML, prefixes).decode("utf-8")


def write_atomic(path: Path, text: str) -> bool:
    """Write ``text`` to ``path`` via a temporary file and a rename; False when unchanged."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = text.encode("utf-8")
    if path.exists() and path.read_bytes() == data:
        return False
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    done = False
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
        done = True
    finally:
        if not done:  # never leave a half-written temporary file behind
            Path(tmp).unlink(missing_ok=True)
    return True
