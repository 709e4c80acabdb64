"""The linked-data page's view model (:mod:`service.views.pages`): SPARQL JSON terms and rows
turned into what resource.html shows. :class:`Terms` makes a term text, a link on this service or
elsewhere (:func:`local_href`), a CURIE (:func:`curie`), a language or datatype, and marks drafts;
:func:`resource_view` makes the page of the fetched rows: types, description, identifiers in other
datasets, facts and inbound links by property, evidence quotes, an article's text cut around its
highlighted span (:func:`split_text`) with its statements and metadata.

The dossiers' panels (:mod:`service.views.dossiers`) and the stored queries' pages show their terms
with the same :class:`Terms`."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from flask import request

from kg.ontology.load import ONTOLOGY_NS as PK
from kg.store.export import PREFIXES as EXPORT_PREFIXES
from service.views import page_queries as queries
from service.views.page_queries import EVIDENCE_LIMIT, INBOUND_LIMIT, Binding, Fetched

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
SKOS_DEFINITION = "http://www.w3.org/2004/02/skos/core#definition"
PREFIXES = {  # the export's (kg.store.export), and the two vocabularies only a page shows
    **EXPORT_PREFIXES,
    "void": "http://rdfs.org/ns/void#",
    "sh": "http://www.w3.org/ns/shacl#",
}
EXTERNAL_IDS = {
    PK + "wikidataId": ("Wikidata", "https://www.wikidata.org/wiki/"),
    PK + "dbpediaId": ("DBpedia", "https://dbpedia.org/page/"),
    PK + "paxAgreementId": ("PA-X agreement", None),
    PK + "atopId": ("ATOP", None),
    PK + "ucdpAgreementId": ("UCDP agreement", None),
}
ARTICLE_META = [
    PK + p
    for p in (
        "title",
        "publishedIn",
        "author",
        "hasTimeSpan",
        "language",
        "genre",
        "translated",
        "characterCount",
        "sha256",
    )
]
_LOCAL_NAME = re.compile(r"[A-Za-z_][\w.-]*")


def local_href(iri: str, base: str, root: str = "") -> str | None:
    """The link to an IRI's page on this service, or its own address for http(s) IRIs elsewhere;
    None for anything else (javascript:, urn:…: shown as text, never as a link)."""
    if iri.startswith(base) and len(iri) > len(base):
        return f"{root}/{iri[len(base) :]}"
    return iri if re.match(r"(?i)https?://", iri) else None


def curie(iri: str) -> str | None:
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and _LOCAL_NAME.fullmatch(iri[len(ns) :]):
            return f"{prefix}:{iri[len(ns) :]}"
    return None


class Terms:
    """Turns SPARQL JSON terms into what the templates show: text, link, language, datatype."""

    def __init__(self, base: str, labels: dict[str, str], drafts: set[str] | None = None):
        self.base, self.labels, self.root = base, labels, request.script_root
        self.drafts = drafts or set()  # IRIs of drafts: the templates mark them

    def iri(self, value: str) -> dict[str, Any]:
        href = local_href(value, self.base, self.root)
        short = curie(value) or (value[len(self.base) :] if value.startswith(self.base) else value)
        return {
            "kind": "iri",
            "iri": value,
            "href": href,
            "local": value.startswith(self.base),
            "text": self.labels.get(value) or short,
            "curie": short,
            "draft": self.is_draft(value),
        }

    def is_draft(self, value: str) -> bool:
        """A draft, or a part of one (a provision of a draft statement)."""
        return bool(self.drafts) and (value in self.drafts or any(a in self.drafts for a in queries.ancestors(value)))

    def __call__(self, term: dict[str, str]) -> dict[str, Any]:
        if term["type"] == "uri":
            return self.iri(term["value"])
        if term["type"] == "bnode":
            return {"kind": "bnode", "text": "_:" + term["value"]}
        datatype = term.get("datatype")
        return {
            "kind": "literal",
            "text": term["value"],
            "lang": term.get("xml:lang"),
            "datatype": (curie(datatype) or datatype) if datatype else None,
        }


def split_text(text: str, spec: str | None) -> dict[str, Any]:
    """The article text cut around the highlighted span ``start-end`` (character offsets)."""
    match = re.fullmatch(r"(\d{1,9})-(\d{1,9})", spec or "")
    if match:
        start, end = int(match.group(1)), int(match.group(2))
        if 0 <= start < end <= len(text):
            return {"before": text[:start], "marked": text[start:end], "after": text[end:], "id": f"span-{start}-{end}"}
    return {"before": text, "marked": None, "after": "", "id": None}


def _quote(row: dict, terms: Terms, article: str) -> dict[str, Any]:
    start, end = int(row["start"]["value"]), int(row["end"]["value"])
    href = local_href(article, terms.base, terms.root)
    link = f"{href}?highlight={start}-{end}#span-{start}-{end}" if href and article.startswith(terms.base) else None
    return {"exact": row["exact"]["value"], "start": start, "end": end, "href": link, "article": terms.iri(article)}


def _in_graph(row: Binding, terms: Terms) -> dict[str, Any]:
    """The graph of a fact or link, and whether it is the graph of inferred triples."""
    return {**terms(row["g"]), "inferred": row["g"]["value"] == terms.base + "graph/inferred"}


def _fact_rows(facts: list[Binding], terms: Terms) -> list[dict[str, Any]]:
    """Outgoing facts by property (CURIE), asserted before inferred, then by value."""
    return sorted(
        ({"p": terms(f["p"]), "o": terms(f["o"]), "g": _in_graph(f, terms)} for f in facts),
        key=lambda r: (r["p"]["curie"], r["g"]["inferred"], r["o"]["text"]),
    )


def _inbound_rows(inbound: list[Binding], terms: Terms) -> list[dict[str, Any]]:
    """Links to the resource by property (CURIE), then by the linking resource."""
    return sorted(
        ({"s": terms(r["s"]), "p": terms(r["p"]), "g": _in_graph(r, terms)} for r in inbound),
        key=lambda r: (r["p"]["curie"], r["s"]["text"]),
    )


def _types(fact_rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rdf:type facts with an IRI value, one per (type, inferred), asserted ones first."""
    return sorted(
        {
            (f["o"]["iri"], f["g"]["inferred"]): f
            for f in fact_rows
            if f["p"]["iri"] == RDF_TYPE and f["o"]["kind"] == "iri"
        }.values(),
        key=lambda f: (f["g"]["inferred"], f["o"]["text"]),
    )


def _description(fact_rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The first pk:summary literal, else the first skos:definition literal."""
    described = [
        f["o"]
        for p in (PK + "summary", SKOS_DEFINITION)
        for f in fact_rows
        if f["p"]["iri"] == p and f["o"]["kind"] == "literal"
    ]
    return described[0] if described else None


def _external_ids(fact_rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Identifiers in other datasets (EXTERNAL_IDS), linked when the dataset has pages."""
    external = []
    for f in fact_rows:
        if f["p"]["iri"] in EXTERNAL_IDS and f["o"]["kind"] == "literal":
            name, prefix = EXTERNAL_IDS[f["p"]["iri"]]
            external.append(
                {
                    "name": name,
                    "id": f["o"]["text"],
                    "href": prefix + quote(f["o"]["text"], safe="_-.()',") if prefix else None,
                }
            )
    return external


def _evidence_rows(evidence: list[Binding], terms: Terms) -> list[dict[str, Any]]:
    """Quotes from articles, each with the node it supports and its kind (evidence or mention)."""
    return [
        {
            **_quote(r, terms, r["article"]["value"]),
            "node": terms(r["node"]),
            "kind": r["kind"]["value"],
            "draft": terms.is_draft(r["node"]["value"]) or ("ann" in r and terms.is_draft(r["ann"]["value"])),
        }
        for r in evidence
        if r["article"]["type"] == "uri"
    ]


def _statements(rows: list[Binding], terms: Terms, article: str) -> list[dict[str, Any]]:
    """The article's statements (one row per quote) grouped: node, summary, distinct quotes."""
    grouped: dict[str, dict] = {}
    for row in rows:
        entry = grouped.setdefault(row["st"]["value"], {"node": terms(row["st"]), "summary": None, "quotes": []})
        if "summary" in row and entry["summary"] is None:
            entry["summary"] = row["summary"]["value"]
        if "exact" in row and all(
            q["start"] != int(row["start"]["value"]) or q["end"] != int(row["end"]["value"]) for q in entry["quotes"]
        ):
            entry["quotes"].append(_quote(row, terms, article))
    return list(grouped.values())


def _article(data: Fetched, fact_rows: list[dict[str, Any]], terms: Terms, highlight: str | None) -> dict[str, Any]:
    """An article's text (``highlight``: the span to mark), its statements and asserted metadata."""
    assert data.text is not None
    return {
        "text": split_text(data.text, highlight),
        "statements": _statements(data.statements, terms, data.iri),
        "meta": [f for p in ARTICLE_META for f in fact_rows if f["p"]["iri"] == p and not f["g"]["inferred"]],
    }


def resource_view(data: Fetched, terms: Terms, highlight: str | None) -> dict[str, Any]:
    """What resource.html shows for the fetched rows (``terms`` knows the labels)."""
    fact_rows = _fact_rows(data.facts, terms)
    graph = None
    if data.graph_size is not None:
        graph = {"size": data.graph_size, "subjects": [terms(r["s"]) for r in data.graph_subjects]}
    return {
        "iri": data.iri,
        "label": terms.labels.get(data.iri) or data.iri,
        "draft": terms.is_draft(data.iri),
        "types": _types(fact_rows),
        "description": _description(fact_rows),
        "external": _external_ids(fact_rows),
        "facts": fact_rows,
        "facts_truncated": data.facts_truncated,
        "inbound": _inbound_rows(data.inbound, terms),
        "inbound_truncated": len(data.inbound) >= INBOUND_LIMIT,
        "evidence": _evidence_rows(data.evidence, terms),
        "article": _article(data, fact_rows, terms, highlight) if data.text is not None else None,
        "statements_truncated": len(data.statements) >= EVIDENCE_LIMIT,
        "graph": graph,
    }
