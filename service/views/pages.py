"""Linked-data pages: every IRI under the dataset's base dereferences here. A request for
http(s)://HOST/<path> stands for the IRI ``base_iri + <path>`` (so it works both when the base is
the service's own address and behind a public base such as https://w3id.org/peacekg/).

Content negotiation: text/html (the default), text/turtle, application/ld+json and
application/n-triples (a CONSTRUCT of the resource's outgoing triples and inbound links); ``?format=``
(html, ttl, jsonld, nt) overrides the Accept header. Every query goes through the worker pool.
URL paths are only ever turned into IRIs, never into file names."""

from __future__ import annotations

import json
import re
from http import HTTPStatus
from typing import Any
from urllib.parse import quote

from flask import Blueprint, Response, current_app, render_template, request

from kg.ontology.load import ONTOLOGY_NS as PK
from service.errors import ApiError, error_response, html_security_headers
from service.execution.outcomes import collect
from service.execution.workers import Job
from service.protocol.negotiation import choose, parse_accept

blueprint = Blueprint("pages", __name__)

OFFERS = ["text/html", "text/turtle", "application/ld+json", "application/n-triples"]
FORMATS = {
    "html": "text/html",
    "ttl": "text/turtle",
    "turtle": "text/turtle",
    "jsonld": "application/ld+json",
    "json-ld": "application/ld+json",
    "nt": "application/n-triples",
    "ntriples": "application/n-triples",
}
RESERVED = {
    "sparql",
    "store",
    "health",
    "metrics",
    "static",
    "queries",
    "plots",
    "dumps",
    "dataset",
    ".well-known",
}  # other services' path space: never shadowed
MINT_SAFE = "/-_.~"  # the characters kg.mapping.iris.Minter leaves unencoded
INBOUND_LIMIT, EVIDENCE_LIMIT, GRAPH_SUBJECTS = 1000, 500, 200
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; style-src 'self' 'unsafe-inline'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS_DEFINITION = "http://www.w3.org/2004/02/skos/core#definition"
PREFIXES = {
    "pk": PK,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "prov": "http://www.w3.org/ns/prov#",
    "oa": "http://www.w3.org/ns/oa#",
    "schema": "https://schema.org/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "org": "http://www.w3.org/ns/org#",
    "time": "http://www.w3.org/2006/time#",
    "dcterms": "http://purl.org/dc/terms/",
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
_UNSAFE_IRI = re.compile(r'[\x00-\x20<>"{}|\\^`]')
_LOCAL_NAME = re.compile(r"[A-Za-z_][\w.-]*")
SPARQL_PROLOGUE = (
    f"PREFIX pk: <{PK}> PREFIX oa: <http://www.w3.org/ns/oa#> "
    "PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
)


def _base() -> str:
    return current_app.config["PEACEKG"].base_iri


def iri_for_path(path: str, base: str) -> str | None:
    """The IRI a (decoded) request path stands for, encoded as the minter encodes keys; None when
    the path cannot name a resource (dot segments, unsafe characters, reserved prefixes)."""
    segments = path.split("/")
    if not path or segments[0] in RESERVED or any(s in (".", "..") for s in segments):
        return None
    iri = base + quote(path, safe=MINT_SAFE)
    return None if _UNSAFE_IRI.search(iri) else iri


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


def _arg(name: str, *, strict: bool = True) -> str | None:
    """A URL parameter. Werkzeug decodes a raw (not %-escaped) query string as strict UTF-8 and
    raises UnicodeDecodeError otherwise: a 400 here (None when ``strict`` is off), never a 500."""
    try:
        return request.args.get(name)
    except UnicodeDecodeError:
        if strict:
            raise ApiError(400, "the query string is not valid UTF-8") from None
        return None


def _wants_html() -> bool:
    """A browser: text/html is asked for explicitly (plain API clients get the JSON error shape)."""
    return (
        any(
            r.type == "text" and r.subtype in ("html", "*") and r.q > 0
            for r in parse_accept(request.headers.get("Accept"))
        )
        or _arg("format", strict=False) == "html"
    )


def _run(query: str, media: str) -> tuple[bytes, bool]:
    settings = current_app.config["PEACEKG"]
    job = Job(SPARQL_PROLOGUE + query, media, [], [], union=True, max_rows=settings.max_result_rows)
    return collect(job, what="the page's query", evaluation_status=500)


def _select(query: str) -> tuple[list[dict[str, dict]], bool]:
    data, truncated = _run(query, "application/sparql-results+json")
    return json.loads(data)["results"]["bindings"], truncated


def _exists(iri: str) -> bool:
    data, _ = _run(
        f"ASK {{ {{ <{iri}> ?p ?o }} UNION {{ ?s ?p <{iri}> }} UNION {{ ?s <{iri}> ?o }} "
        f"UNION {{ GRAPH <{iri}> {{ ?s ?p ?o }} }} }}",
        "application/sparql-results+json",
    )
    return bool(json.loads(data)["boolean"])


def _labels(iris: set[str]) -> dict[str, str]:
    """rdfs:label, else pk:title; English or untagged first."""
    safe = sorted(i for i in iris if not _UNSAFE_IRI.search(i))
    if not safe:
        return {}
    values = " ".join(f"<{i}>" for i in safe[:5000])
    rows, _ = _select(
        f"SELECT ?x ?p ?l WHERE {{ VALUES ?x {{ {values} }} VALUES ?p {{ rdfs:label pk:title }} ?x ?p ?l }}"
    )
    best: dict[str, tuple] = {}
    for row in rows:
        lang = row["l"].get("xml:lang", "")
        score = (row["p"]["value"] == RDFS_LABEL, lang in ("en", ""), lang == "en", row["l"]["value"])
        key = row["x"]["value"]
        if key not in best or score[:3] > best[key][:3]:
            best[key] = score
    return {k: v[3] for k, v in best.items()}


class Terms:
    """Turns SPARQL JSON terms into what the templates show: text, link, language, datatype."""

    def __init__(self, base: str, labels: dict[str, str]):
        self.base, self.labels, self.root = base, labels, request.script_root

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
        }

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


def _page(iri: str) -> dict[str, Any]:
    base, inferred = _base(), _base() + "graph/inferred"
    facts, facts_cut = _select(f"SELECT ?p ?o ?g WHERE {{ GRAPH ?g {{ <{iri}> ?p ?o }} }}")
    inbound, _ = _select(f"SELECT ?s ?p ?g WHERE {{ GRAPH ?g {{ ?s ?p <{iri}> }} }} LIMIT {INBOUND_LIMIT}")
    evidence, _ = _select(f"""SELECT DISTINCT ?node ?kind ?article ?start ?end ?exact WHERE {{
        {{ BIND(<{iri}> AS ?node) ?node pk:hasEvidence ?ann . BIND("evidence" AS ?kind) }}
        UNION {{ ?node ?q <{iri}> . ?node pk:hasEvidence ?ann . BIND("evidence" AS ?kind) }}
        UNION {{ ?ann oa:hasBody <{iri}> ; a pk:Mention . BIND(<{iri}> AS ?node) BIND("mention" AS ?kind) }}
        ?ann oa:hasTarget ?span . ?span oa:hasSource ?article ; oa:hasSelector ?ps , ?qs .
        ?ps oa:start ?start ; oa:end ?end . ?qs oa:exact ?exact .
    }} ORDER BY ?article ?start ?node LIMIT {EVIDENCE_LIMIT}""")
    text = next(
        (f["o"]["value"] for f in facts if f["p"]["value"] == PK + "text" and f["o"]["type"] == "literal"), None
    )
    statements: list[dict] = []
    if text is not None:
        statements, _ = _select(f"""SELECT DISTINCT ?st ?summary ?start ?end ?exact WHERE {{
            ?st a pk:Statement ; prov:wasDerivedFrom <{iri}> . OPTIONAL {{ ?st pk:summary ?summary }}
            OPTIONAL {{ ?st pk:hasEvidence ?ann . ?ann oa:hasTarget ?span . ?span oa:hasSource <{iri}> ;
                oa:hasSelector ?ps , ?qs . ?ps oa:start ?start ; oa:end ?end . ?qs oa:exact ?exact }}
        }} ORDER BY ?st ?start LIMIT {EVIDENCE_LIMIT}""")
    graph = None
    if iri.startswith(base + "graph/"):
        count, _ = _select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{iri}> {{ ?s ?p ?o }} }}")
        subjects, _ = _select(
            f"SELECT DISTINCT ?s WHERE {{ GRAPH <{iri}> {{ ?s ?p ?o }} }} ORDER BY ?s LIMIT {GRAPH_SUBJECTS}"
        )
        graph = {"size": int(count[0]["n"]["value"]) if count else 0, "subjects": subjects}

    mentioned = {iri} | {
        r[k]["value"]
        for rows in (facts, inbound, evidence, statements, graph["subjects"] if graph else [])
        for r in rows
        for k in ("p", "o", "g", "s", "node", "article", "st")
        if k in r and r[k]["type"] == "uri"
    }
    labels = _labels(mentioned)
    terms = Terms(base, labels)

    def in_graph(row):
        return {**terms(row["g"]), "inferred": row["g"]["value"] == inferred}

    fact_rows = sorted(
        ({"p": terms(f["p"]), "o": terms(f["o"]), "g": in_graph(f)} for f in facts),
        key=lambda r: (r["p"]["curie"], r["g"]["inferred"], r["o"]["text"]),
    )
    types = sorted(
        {
            (f["o"]["iri"], f["g"]["inferred"]): f
            for f in fact_rows
            if f["p"]["iri"] == RDF_TYPE and f["o"]["kind"] == "iri"
        }.values(),
        key=lambda f: (f["g"]["inferred"], f["o"]["text"]),
    )
    described = [
        f["o"]
        for p in (PK + "summary", SKOS_DEFINITION)
        for f in fact_rows
        if f["p"]["iri"] == p and f["o"]["kind"] == "literal"
    ]
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
    grouped: dict[str, dict] = {}
    for row in statements:
        entry = grouped.setdefault(row["st"]["value"], {"node": terms(row["st"]), "summary": None, "quotes": []})
        if "summary" in row and entry["summary"] is None:
            entry["summary"] = row["summary"]["value"]
        if "exact" in row and all(
            q["start"] != int(row["start"]["value"]) or q["end"] != int(row["end"]["value"]) for q in entry["quotes"]
        ):
            entry["quotes"].append(_quote(row, terms, iri))
    article = None
    if text is not None:
        article = {
            "text": split_text(text, _arg("highlight")),
            "statements": list(grouped.values()),
            "meta": [f for p in ARTICLE_META for f in fact_rows if f["p"]["iri"] == p and not f["g"]["inferred"]],
        }
    return {
        "iri": iri,
        "label": labels.get(iri) or iri,
        "types": types,
        "description": described[0] if described else None,
        "external": external,
        "facts": fact_rows,
        "facts_truncated": facts_cut,
        "inbound": sorted(
            ({"s": terms(r["s"]), "p": terms(r["p"]), "g": in_graph(r)} for r in inbound),
            key=lambda r: (r["p"]["curie"], r["s"]["text"]),
        ),
        "inbound_truncated": len(inbound) >= INBOUND_LIMIT,
        "evidence": [
            {**_quote(r, terms, r["article"]["value"]), "node": terms(r["node"]), "kind": r["kind"]["value"]}
            for r in evidence
            if r["article"]["type"] == "uri"
        ],
        "article": article,
        "statements_truncated": len(statements) >= EVIDENCE_LIMIT,
        "graph": graph and {"size": graph["size"], "subjects": [terms(r["s"]) for r in graph["subjects"]]},
    }


@blueprint.get("/<path:path>")
def resource(path: str) -> Response:
    fmt = _arg("format")
    if fmt is not None and fmt not in FORMATS:
        raise ApiError(400, f"unknown format {fmt!r}; use one of: html, ttl, jsonld, nt")
    media = FORMATS[fmt] if fmt else choose(request.headers.get("Accept"), OFFERS)
    if media is None:
        raise ApiError(406, f"no acceptable format for this resource; offered: {', '.join(OFFERS)}")
    iri = iri_for_path(path, _base())
    if iri is None or not _exists(iri):
        raise ApiError(404, f"no resource {iri or '/' + path} in this dataset")
    headers = {"Vary": "Accept"}
    if media == "text/html":
        html = render_template("resource.html", page=_page(iri), root=request.script_root)
        return Response(html, status=200, content_type="text/html; charset=utf-8", headers=headers)
    data, truncated = _run(
        f"CONSTRUCT {{ <{iri}> ?p ?o . ?s ?q <{iri}> }} WHERE {{ {{ <{iri}> ?p ?o }} UNION {{ ?s ?q <{iri}> }} }}",
        media,
    )
    if truncated:
        headers["X-PeaceKG-Truncated"] = "true"
    return Response(data, status=200, content_type=f"{media}; charset=utf-8", headers=headers)


@blueprint.errorhandler(ApiError)
def _error(error: ApiError) -> Response:
    if not _wants_html():
        return error_response(error.status, error.message, error.position, error.headers)
    html = render_template(
        "error.html",
        status=error.status,
        phrase=HTTPStatus(error.status).phrase,
        message=error.message,
        root=request.script_root,
    )
    return Response(html, status=error.status, content_type="text/html; charset=utf-8", headers=error.headers)


blueprint.after_request(html_security_headers(SECURITY_HEADERS))
