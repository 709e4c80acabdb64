"""Links from PeaceKG individuals to the same things in other knowledge bases. Pure: no I/O.

A verified identifier of a reference individual is in the graph twice, in two roles:

* as a **typed identifier**, a plain literal under the property of its scheme (``pk:wikidataId``,
  ``pk:dbpediaId``, ``pk:paxAgreementId``, ``pk:ucdpAgreementId``, ``pk:atopId``, ``pk:cowCode``,
  all ⊑ ``pk:externalId`` ⊑ ``schema:identifier``), emitted by :mod:`kg.mapping.values` for every
  scheme;
* as a **link**, ``skos:exactMatch`` to the IRI of the item, for the schemes that are RDF datasets
  with resolvable IRIs: Wikidata and DBpedia (below). PA-X, UCDP, ATOP and Correlates of War
  publish tables, not RDF: their identifiers stay typed literals.

Why ``skos:exactMatch`` and never ``owl:sameAs``: docs/links.md. Unverified identifiers reach
neither form (the mapping of the identifier field drops them).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from rdflib import URIRef

SKOS_EXACT_MATCH = URIRef("http://www.w3.org/2004/02/skos/core#exactMatch")
LINK_PREDICATE = SKOS_EXACT_MATCH

# Characters that may not appear in an IRI (RFC 3987) or would change its meaning; everything else
# (non-ASCII letters, en dashes, parentheses, commas) is kept as DBpedia publishes its IRIs.
_IRI_ESCAPES = {c: f"%{ord(c):02X}" for c in ' "<>\\^`{|}%?#'}


@dataclass(frozen=True)
class LinkTarget:
    """A knowledge base we link to: its name in the reference data and its IRI scheme."""

    field: str  # the identifier field of the reference data ("wikidata", "dbpedia")
    title: str
    uri_space: str  # the namespace of its item IRIs (VoID void:uriSpace)
    sparql_endpoint: str
    homepage: str

    def iri(self, identifier: str) -> URIRef:
        local = "".join(_IRI_ESCAPES.get(c, c) if c > " " else f"%{ord(c):02X}" for c in identifier)
        return URIRef(self.uri_space + local)


# Wikidata's RDF uses http://www.wikidata.org/entity/Q…; English DBpedia http://dbpedia.org/resource/…
# (the English Wikipedia title with spaces as underscores, as an IRI).
TARGETS: tuple[LinkTarget, ...] = (
    LinkTarget(
        "wikidata",
        "Wikidata",
        "http://www.wikidata.org/entity/",
        "https://query.wikidata.org/sparql",
        "https://www.wikidata.org/",
    ),
    LinkTarget(
        "dbpedia", "DBpedia", "http://dbpedia.org/resource/", "https://dbpedia.org/sparql", "https://www.dbpedia.org/"
    ),
)


def verified_id(value: Any) -> str | None:
    """The identifier of a reference-data identifier field when it is verified, else None."""
    if isinstance(value, dict) and value.get("status") == "verified" and value.get("id"):
        return str(value["id"])
    return None


def links(item: dict[str, Any]) -> Iterator[URIRef]:
    """The IRIs an individual is linked to: one per verified Wikidata or DBpedia identifier."""
    for target in TARGETS:
        identifier = verified_id(item.get(target.field))
        if identifier is not None:
            yield target.iri(identifier)
