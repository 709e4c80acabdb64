"""Turning annotated values into RDF, by field kind (see kg.annotations.fields). Pure: no I/O.

The corpus has been validated before mapping, so values are well-formed here; a value that is
not is a bug in validation, and raises.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, PROV, RDF, RDFS, XSD

from kg.annotations.fields import Field
from kg.annotations.values import parse_date_text
from kg.annotations.vocabulary import VocabularyIndex
from kg.mapping.iris import Minter
from kg.mapping.triples import Triples
from kg.ontology.load import PK
from kg.serialize import nt_iri

# Predicates whose range is xsd:string; every other text becomes an English literal.
PLAIN_STRING = {
    PK.title,
    PK.dateAsWritten,
    PK.wikidataId,
    PK.dbpediaId,
    PK.paxAgreementId,
    PK.ucdpAgreementId,
    PK.atopId,
    PK.cowCode,
}
NAMESPACES = {
    "pk": PK,
    "rdf": RDF,
    "rdfs": RDFS,
    "prov": PROV,
    "owl": OWL,
    "skos": URIRef("http://www.w3.org/2004/02/skos/core#"),
    "oa": URIRef("http://www.w3.org/ns/oa#"),
}


def curie(text: str) -> URIRef:
    prefix, local = text.split(":", 1)
    return URIRef(str(NAMESPACES[prefix]) + local)


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


@dataclass
class Emitter:
    """Writes triples for one named graph (into an rdflib graph, or into the :class:`Triples` the
    build serializes); knows how to mint IRIs and resolve concepts."""

    graph: Graph | Triples
    minter: Minter
    vocabulary: VocabularyIndex
    local: Callable[[str], URIRef] | None = None  # resolves '#sid' references inside an article

    def add(self, s: URIRef, p: URIRef, o: Any) -> None:
        self.graph.add((s, p, o))

    def key(self, value: str) -> URIRef:
        if "#" in value:  # a statement: '#s3' of this article, '<article id>#s3' of another
            article, sid = value.split("#", 1)
            if article:
                return self.minter.statement(article, sid)
            if self.local is None:
                raise ValueError(f"statement reference {value!r} outside an article")
            return self.local(sid)
        return self.minter.resource(value)

    def concept(self, name: str, scheme: str | None) -> URIRef:
        schemes = [scheme] if scheme else ["guarantee-kind", "commitment-kind"]
        for s in schemes:
            if name in self.vocabulary.schemes.get(s, {}):
                return URIRef(self.vocabulary.schemes[s][name])
        raise ValueError(f"{name!r} not in {schemes}")

    def text(self, predicate: URIRef, value: Any) -> Literal:
        if predicate in PLAIN_STRING:
            return Literal(str(value))
        return Literal(str(value), lang="en")

    # -- composite values ----------------------------------------------------------------------
    def time_span(self, subject: URIRef, value: Any, name: str = "time") -> URIRef:
        node = Minter.child(subject, name)
        if isinstance(value, dict):
            earliest = parse_date_text(str(value["earliest"]))
            latest = parse_date_text(str(value["latest"])) if "latest" in value else None
            assert earliest is not None  # the corpus check refuses an unparseable date
            lo, hi_default, precision = earliest
            hi = latest[1] if latest else None
            if latest is None and "precision" not in value:
                hi = hi_default  # "2025-01" alone: the whole month
            precision = value.get("precision", precision)
            inferred = value.get("inferred")
            as_written = value.get("as_written")
        else:
            parsed = parse_date_text(value.isoformat() if isinstance(value, dt.date) else str(value))
            assert parsed is not None  # the corpus check refuses an unparseable date
            lo, hi, precision = parsed
            inferred = as_written = None
        self.add(node, RDF.type, PK.TimeSpan)
        self.add(node, PK.earliest, Literal(lo.isoformat(), datatype=XSD.date))
        if hi is not None:
            self.add(node, PK.latest, Literal(hi.isoformat(), datatype=XSD.date))
        self.add(node, PK.precision, self.concept(precision, "date-precision"))
        if inferred is not None:
            self.add(node, PK.inferred, Literal(bool(inferred)))
        if as_written:
            self.add(node, PK.dateAsWritten, Literal(str(as_written)))
        self.add(node, RDFS.label, Literal(_date_label(lo, hi, precision)))
        return node

    def quantity(self, subject: URIRef, value: Any) -> URIRef:
        node = Minter.child(subject, "quantity")
        value = value if isinstance(value, dict) else {"value": value, "unit": "count"}
        self.add(node, RDF.type, PK.Quantity)
        for name, predicate in (("value", PK.numericValue), ("min", PK.minValue), ("max", PK.maxValue)):
            if name in value:
                self.add(node, predicate, Literal(_decimal(value[name]), datatype=XSD.decimal))
        self.add(node, PK.unit, self.concept(value["unit"], "unit"))
        if "qualifier" in value:
            self.add(node, PK.qualifier, self.concept(value["qualifier"], "quantity-qualifier"))
        if "count_of" in value:
            self.add(node, PK.countOf, Literal(str(value["count_of"]), lang="en"))
        return node

    def sources(self, subject: URIRef, value: list[dict[str, Any]]) -> None:
        for source in value:
            node = self.minter.source(str(source["cite"]))
            self.add(node, RDF.type, PK.Document)
            self.add(node, RDFS.label, Literal(str(source["cite"]), lang="en"))
            if source.get("iri"):  # as written in the corpus: checked (minted IRIs need not be)
                self.add(node, RDFS.seeAlso, URIRef(nt_iri(str(source["iri"]))[1:-1]))
            self.add(subject, PROV.hadPrimarySource, node)

    # -- one field -----------------------------------------------------------------------------
    def field(self, subject: URIRef, field: Field, value: Any) -> list[tuple[URIRef, Any]]:
        """Emit ``subject field value``; returns (predicate, object) pairs for callers that need them."""
        if field.predicate is None or field.kind in ("quotes", "provisions", "commitments", "violations", "roles"):
            return []  # handled by the caller (nested nodes, evidence) or not part of the graph
        predicate = curie(field.predicate)
        kind = field.kind
        objects: list[Any]
        if kind in ("text", "texts"):
            objects = [self.text(predicate, v) for v in as_list(value)]
        elif kind in ("key", "keys", "statements"):
            objects = [self.key(str(v)) for v in as_list(value)]
        elif kind in ("concept", "concepts"):
            objects = [self.concept(str(v), field.scheme) for v in as_list(value)]
        elif kind == "date":
            # A termination date is a plain date; other dates may be ranges (a time span node).
            is_plain = predicate == PK.terminationDate
            # pk:hasTimeSpan's node is {subject}/time; another time span (pk:refersToTime) is {subject}/refers-to-time
            name = "time" if predicate == PK.hasTimeSpan else _kebab(str(predicate).rsplit("/", 1)[-1])
            objects = [Literal(str(value), datatype=XSD.date)] if is_plain else [self.time_span(subject, value, name)]
        elif kind == "quantity":
            objects = [self.quantity(subject, value)]
        elif kind == "bool":
            objects = [Literal(bool(value))]
        elif kind == "identifier":
            verified = value.get("status") == "verified" and value.get("id")
            objects = [Literal(str(value["id"]))] if verified else []  # unverified ids stay out of the graph
        elif kind == "sources":
            self.sources(subject, value)
            return []
        else:
            raise AssertionError(f"unmapped kind {kind}")
        pairs = []
        for obj in objects:
            self.add(subject, predicate, obj)
            pairs.append((predicate, obj))
        return pairs


def _kebab(name: str) -> str:
    """refersToTime -> refers-to-time (the local name of a property, for a child node's IRI)."""
    return "".join("-" + c.lower() if c.isupper() else c for c in name)


def _decimal(number: Any) -> str:
    text = format(float(number), "f") if isinstance(number, float) else str(int(number))
    return text.rstrip("0").rstrip(".") if "." in text else text


def _date_label(lo: dt.date, hi: dt.date | None, precision: str) -> str:
    if precision == "day" and hi == lo:
        return lo.isoformat()
    if precision == "month" and hi is not None and (lo.year, lo.month) == (hi.year, hi.month):
        return lo.strftime("%Y-%m")
    if precision == "year" and hi is not None and lo.year == hi.year:
        return str(lo.year)
    return f"{lo.isoformat()}/{hi.isoformat() if hi else '..'}"
