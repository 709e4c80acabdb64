"""The SPARQL queries behind a linked-data page (:mod:`service.views.pages`): one function per
thing fetched, each run through the worker pool (:func:`service.execution.outcomes.collect`) on
the union of the named graphs. IRIs reach a query only once they are known to be safe to write
between ``<…>`` (:data:`UNSAFE_IRI` finds those that are not)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import current_app

from kg.ontology.load import ONTOLOGY_NS as PK
from service.execution.outcomes import collect
from service.execution.workers import Job

INBOUND_LIMIT, EVIDENCE_LIMIT, GRAPH_SUBJECTS = 1000, 500, 200
DOSSIER_INBOUND_LIMIT = 100  # a dossier's raw section: the first links (all of them on ?view=raw)
LOOKUP_LIMIT = 5000  # IRIs whose labels (and review status) one page looks up
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
DRAFT = "https://w3id.org/peacekg/vocab/review-status/draft"
UNSAFE_IRI = re.compile(r'[\x00-\x20<>"{}|\\^`]')
SPARQL_PROLOGUE = (
    f"PREFIX pk: <{PK}> PREFIX oa: <http://www.w3.org/ns/oa#> "
    "PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
)

Binding = dict[str, dict[str, str]]
"""One row of a SPARQL JSON result: variable name to term (``type``, ``value``, …)."""


@dataclass
class Fetched:
    """Everything the page of ``iri`` shows, as the queries returned it (before labels)."""

    iri: str
    facts: list[Binding]
    facts_truncated: bool
    inbound: list[Binding]
    evidence: list[Binding]
    text: str | None = None  # pk:text: the resource is an article
    statements: list[Binding] = field(default_factory=list)  # an article's statements, with quotes
    graph_size: int | None = None  # a named graph: its size and first subjects
    graph_subjects: list[Binding] = field(default_factory=list)

    def mentioned(self) -> set[str]:
        """The IRIs the page shows (the resource itself included): the ones to find labels for."""
        rows = (self.facts, self.inbound, self.evidence, self.statements, self.graph_subjects)
        return {self.iri} | {
            r[k]["value"]
            for found in rows
            for r in found
            for k in ("p", "o", "g", "s", "node", "article", "st", "ann")
            if k in r and r[k]["type"] == "uri"
        }


def run(query: str, media: str) -> tuple[bytes, bool]:
    """The whole result of one of the page's queries in ``media``, and whether it was cut."""
    settings = current_app.config["PEACEKG"]
    job = Job(SPARQL_PROLOGUE + query, media, [], [], union=True, max_rows=settings.max_result_rows)
    return collect(job, what="the page's query", evaluation_status=500)


def _select(query: str) -> tuple[list[Binding], bool]:
    data, truncated = run(query, "application/sparql-results+json")
    return json.loads(data)["results"]["bindings"], truncated


def exists(iri: str) -> bool:
    """Whether ``iri`` occurs in the dataset at all (as subject, object, predicate or graph)."""
    data, _ = run(
        f"ASK {{ {{ <{iri}> ?p ?o }} UNION {{ ?s ?p <{iri}> }} UNION {{ ?s <{iri}> ?o }} "
        f"UNION {{ GRAPH <{iri}> {{ ?s ?p ?o }} }} }}",
        "application/sparql-results+json",
    )
    return bool(json.loads(data)["boolean"])


def describe(iri: str, media: str) -> tuple[bytes, bool]:
    """The resource's outgoing triples and inbound links (a CONSTRUCT), serialised in ``media``."""
    return run(
        f"CONSTRUCT {{ <{iri}> ?p ?o . ?s ?q <{iri}> }} WHERE {{ {{ <{iri}> ?p ?o }} UNION {{ ?s ?q <{iri}> }} }}",
        media,
    )


def facts(iri: str) -> tuple[list[Binding], bool]:
    """Outgoing triples ``?p ?o`` and the graph ``?g`` of each; whether they were cut."""
    return _select(f"SELECT ?p ?o ?g WHERE {{ GRAPH ?g {{ <{iri}> ?p ?o }} }}")


def inbound(iri: str, limit: int = INBOUND_LIMIT) -> list[Binding]:
    """Links to the resource ``?s ?p`` and their graph ``?g`` (the first ``limit``)."""
    rows, _ = _select(f"SELECT ?s ?p ?g WHERE {{ GRAPH ?g {{ ?s ?p <{iri}> }} }} LIMIT {limit}")
    return rows


def evidence(iri: str) -> list[Binding]:
    """Quoted evidence for the resource, for statements about it, and its mentions: ``?node
    ?kind ?article ?start ?end ?exact``, and ``?ann`` the annotation (a mention may be a draft)."""
    rows, _ = _select(f"""SELECT DISTINCT ?node ?kind ?ann ?article ?start ?end ?exact WHERE {{
        {{ BIND(<{iri}> AS ?node) ?node pk:hasEvidence ?ann . BIND("evidence" AS ?kind) }}
        UNION {{ ?node ?q <{iri}> . ?node pk:hasEvidence ?ann . BIND("evidence" AS ?kind) }}
        UNION {{ ?ann oa:hasBody <{iri}> ; a pk:Mention . BIND(<{iri}> AS ?node) BIND("mention" AS ?kind) }}
        ?ann oa:hasTarget ?span . ?span oa:hasSource ?article ; oa:hasSelector ?ps , ?qs .
        ?ps oa:start ?start ; oa:end ?end . ?qs oa:exact ?exact .
    }} ORDER BY ?article ?start ?node LIMIT {EVIDENCE_LIMIT}""")
    return rows


def article_statements(iri: str) -> list[Binding]:
    """The statements derived from the article ``iri``: ``?st ?summary`` and the quotes from
    this article that support them (``?start ?end ?exact``), one row per quote."""
    rows, _ = _select(f"""SELECT DISTINCT ?st ?summary ?start ?end ?exact WHERE {{
            ?st a pk:Statement ; prov:wasDerivedFrom <{iri}> . OPTIONAL {{ ?st pk:summary ?summary }}
            OPTIONAL {{ ?st pk:hasEvidence ?ann . ?ann oa:hasTarget ?span . ?span oa:hasSource <{iri}> ;
                oa:hasSelector ?ps , ?qs . ?ps oa:start ?start ; oa:end ?end . ?qs oa:exact ?exact }}
        }} ORDER BY ?st ?start LIMIT {EVIDENCE_LIMIT}""")
    return rows


def graph_size(iri: str) -> int:
    """The number of triples in the named graph ``iri``."""
    count, _ = _select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{iri}> {{ ?s ?p ?o }} }}")
    return int(count[0]["n"]["value"]) if count else 0


def graph_subjects(iri: str) -> list[Binding]:
    """The first GRAPH_SUBJECTS subjects ``?s`` of the named graph ``iri``, in order."""
    rows, _ = _select(f"SELECT DISTINCT ?s WHERE {{ GRAPH <{iri}> {{ ?s ?p ?o }} }} ORDER BY ?s LIMIT {GRAPH_SUBJECTS}")
    return rows


def labels(iris: set[str]) -> dict[str, str]:
    """rdfs:label, else pk:title, else pk:summary (a statement is named by its summary, never by
    its IRI); English or untagged first."""
    safe = sorted(i for i in iris if not UNSAFE_IRI.search(i))
    if not safe:
        return {}
    values = " ".join(f"<{i}>" for i in safe[:LOOKUP_LIMIT])
    rows, _ = _select(
        f"SELECT ?x ?p ?l WHERE {{ VALUES ?x {{ {values} }} VALUES ?p {{ rdfs:label pk:title }} ?x ?p ?l }}"
    )
    best: dict[str, tuple] = {}
    for row in rows:
        lang = row["l"].get("xml:lang", "")
        rank = {RDFS_LABEL: 2, PK + "title": 1}.get(row["p"]["value"], 0)
        score = (rank, lang in ("en", ""), lang == "en", row["l"]["value"])
        key = row["x"]["value"]
        if key not in best or score[:3] > best[key][:3]:
            best[key] = score
    return {k: v[3] for k, v in best.items()}


def ancestors(iri: str) -> list[str]:
    """The IRIs a minted node's IRI extends (``…/statement/s2`` for ``…/statement/s2/provision/0``):
    a part of a draft (its provisions, time spans, roles) is shown as a draft too."""
    found: list[str] = []
    while iri.count("/") > 3 and len(found) < 4:
        iri = iri.rsplit("/", 1)[0]
        found.append(iri)
    return found


def drafts(iris: set[str]) -> set[str]:
    """Those of ``iris`` and of their :func:`ancestors` that are drafts (``pk:reviewStatus
    review-status:draft``): a build with include_drafts serves them, and every page marks them and
    their parts (docs/review-status.md)."""
    iris = iris | {a for i in iris for a in ancestors(i)}
    safe = sorted(i for i in iris if not UNSAFE_IRI.search(i))
    if not safe:
        return set()
    values = " ".join(f"<{i}>" for i in safe[:LOOKUP_LIMIT])
    rows, _ = _select(f"SELECT DISTINCT ?x WHERE {{ VALUES ?x {{ {values} }} ?x pk:reviewStatus <{DRAFT}> }}")
    return {row["x"]["value"] for row in rows}


def types_of(found: list[Binding]) -> set[str]:
    """The rdf:types (IRIs) among outgoing facts, asserted and inferred."""
    return {f["o"]["value"] for f in found if f["p"]["value"] == RDF_TYPE and f["o"]["type"] == "uri"}


def fetch(iri: str, base: str, *, dossier: Callable[[set[str]], bool] = lambda _: False) -> Fetched:
    """Run the page's queries for ``iri`` (in this order): facts, inbound links, evidence; the
    statements of an article; the size and subjects of a named graph (an IRI under ``base +
    "graph/"``). When ``dossier(types)`` says the page is a dossier, its panels show the evidence:
    the evidence query (the costliest of these) is left out and only the first links are read."""
    found, cut = facts(iri)
    if dossier(types_of(found)):
        data = Fetched(iri, found, cut, inbound(iri, DOSSIER_INBOUND_LIMIT), [])
    else:
        data = Fetched(iri, found, cut, inbound(iri), evidence(iri))
    data.text = next(
        (f["o"]["value"] for f in found if f["p"]["value"] == PK + "text" and f["o"]["type"] == "literal"), None
    )
    if data.text is not None:
        data.statements = article_statements(iri)
    if iri.startswith(base + "graph/"):
        data.graph_size = graph_size(iri)
        data.graph_subjects = graph_subjects(iri)
    return data
