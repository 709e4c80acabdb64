"""Ready-to-run example queries for the query page: the stored queries of ``queries/*.rq`` when that
folder exists (their headers, parsed by kg.queries.stored, give the title and description; a file
with a broken header is left out here and reported by ``GET /queries``), then a small built-in
list written against the ontology (see ontology/README.md)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kg.queries.stored import StoredQuery, load_all

PREFIXES = {
    "pk": "https://w3id.org/peacekg/ontology/",
    "res": "https://w3id.org/peacekg/resource/",
    "oa": "http://www.w3.org/ns/oa#",
    "prov": "http://www.w3.org/ns/prov#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "stance": "https://w3id.org/peacekg/vocab/stance/",
}
PROLOGUE = "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in PREFIXES.items())


@dataclass(frozen=True)
class Example:
    key: str
    title: str
    description: str
    query: str


BUILT_IN = (
    Example(
        "claims-with-quotes",
        "Claims with their quotes",
        "Every claim: who makes it, with what stance, its summary and the quoted span it rests on.",
        PROLOGUE
        + """
SELECT ?claim ?speaker ?stance ?summary ?quote ?source WHERE {
  ?claim a pk:Claim ; pk:hasEvidence/oa:hasTarget ?span .
  ?span oa:hasSource ?source ; oa:hasSelector/oa:exact ?quote .
  OPTIONAL { ?claim pk:summary ?summary }
  OPTIONAL { ?claim pk:attributedTo/rdfs:label ?speaker FILTER(LANGMATCHES(LANG(?speaker), "en")) }
  OPTIONAL { ?claim pk:stance/skos:prefLabel ?stance FILTER(LANGMATCHES(LANG(?stance), "en")) }
}
ORDER BY ?source ?claim
LIMIT 500
""",
    ),
    Example(
        "quoted-by-article",
        "Who is quoted, by article",
        "For each article, the people and bodies its statements are attributed to, how often, with one of their quotes.",
        PROLOGUE
        + """
SELECT ?article ?title ?who ?name (COUNT(DISTINCT ?statement) AS ?statements) (SAMPLE(?quote) AS ?aQuote) WHERE {
  ?statement a pk:Statement ; prov:wasDerivedFrom ?article ; pk:attributedTo ?who .
  ?article a pk:Article .
  OPTIONAL { ?article pk:title ?title }
  OPTIONAL { ?who rdfs:label ?name FILTER(LANGMATCHES(LANG(?name), "en")) }
  OPTIONAL { ?statement pk:hasEvidence/oa:hasTarget/oa:hasSelector/oa:exact ?quote }
}
GROUP BY ?article ?title ?who ?name
ORDER BY ?article DESC(?statements) ?name
""",
    ),
    Example(
        "precedents-with-lessons",
        "Precedents invoked, with their lesson",
        "Historical precedents (treaties, pacts, invasions) that articles invoke, the lesson drawn and the words used.",
        PROLOGUE
        + """
SELECT ?precedent ?name ?lesson ?speaker ?article (GROUP_CONCAT(DISTINCT ?quote; SEPARATOR=" … ") AS ?quotes) WHERE {
  ?invocation a pk:PrecedentInvocation ; pk:invokesPrecedent ?precedent ; prov:wasDerivedFrom ?article .
  OPTIONAL { ?precedent rdfs:label ?name FILTER(LANGMATCHES(LANG(?name), "en")) }
  OPTIONAL { ?invocation pk:lesson ?lesson }
  OPTIONAL { ?invocation pk:attributedTo/rdfs:label ?speaker FILTER(LANGMATCHES(LANG(?speaker), "en")) }
  OPTIONAL { ?invocation pk:hasEvidence/oa:hasTarget/oa:hasSelector/oa:exact ?quote }
}
GROUP BY ?precedent ?name ?lesson ?speaker ?article
ORDER BY ?name ?article
""",
    ),
)


def from_stored(query: StoredQuery) -> Example:
    """The example for a stored query: its parameters are variables in the editor (their defaults
    are named in the description; ``/queries/<name>`` runs it with values bound)."""
    description = query.description
    if query.params:
        described = "; ".join(
            f"{p.name} ({'required' if p.default is None else 'default ' + (p.default or chr(34) * 2)})"
            for p in query.params
        )
        description += f" Parameters, bound at /queries/{query.name}: {described}."
    if query.page is not None:  # here its cursor is unbound, and the FILTER on it keeps no row
        description += (
            f" It answers a page at a time at /queries/{query.name} (the next page: {query.page.param} ="
            f' the last ?{query.page.variable}); here, write "" for ?{query.page.param} to get the first page.'
        )
    return Example(query.name, query.title, description, query.text)


def examples(queries_dir: Path | None) -> list[Example]:
    """The stored queries (sorted by file name), then the built-in examples."""
    stored = []
    if queries_dir is not None and queries_dir.is_dir():
        stored = [from_stored(q) for q in load_all(queries_dir)[0]]
    keys = {e.key for e in stored}
    return stored + [e for e in BUILT_IN if e.key not in keys]
