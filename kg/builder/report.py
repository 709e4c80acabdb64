"""Explaining a SHACL violation in the terms of the corpus: which article, which statement or
entity, the annotation file and line, and the quoted span it rests on."""

from __future__ import annotations

import re

import rdflib
from rdflib.query import ResultRow

from kg.annotations.corpus import Corpus
from kg.ontology.shacl import ShapeViolation

EVIDENCE_QUOTE = """
PREFIX pk: <https://w3id.org/peacekg/ontology/> PREFIX oa: <http://www.w3.org/ns/oa#>
SELECT ?exact ?start WHERE { ?node pk:hasEvidence/oa:hasTarget ?span . ?span oa:hasSelector ?q , ?p .
  ?q oa:exact ?exact . ?p oa:start ?start } ORDER BY ?start LIMIT 1"""


def _where(corpus: Corpus, article_id: str, kind: str, ident: str) -> str:
    annotations = corpus.annotations.get(article_id)
    if annotations is None:
        return f"corpus/articles/{article_id}.yaml"
    section, key = ("statements", "id") if kind == "statement" else ("entities", "key")
    for i, item in enumerate(annotations.data.get(section) or []):
        if isinstance(item, dict) and str(item.get(key)) == ident:
            return f"{annotations.doc.file}:{annotations.doc.line((section, i))}"
    return annotations.doc.file


def describe_violations(violations: list[ShapeViolation], corpus: Corpus, base: str, graph: rdflib.Graph) -> list[str]:
    """One line per violation: article, statement/entity, file:line, message, and the span."""
    lines = []
    pattern = re.compile(
        re.escape(base)
        + r"(article/(?P<article>[^/]+)(/(?P<kind>statement|role)/(?P<id>[^/]+))?|resource/(?P<key>[^/]+))"
    )
    for v in violations:
        focus = v.focus.strip("<>")
        match = pattern.match(focus)
        where, node = "", rdflib.URIRef(focus)
        if match and match.group("article"):
            article = match.group("article")
            kind, ident = match.group("kind") or "", match.group("id") or ""
            where = f"article {article}" + (f", {kind} {ident}" if kind else "")
            if kind == "statement":
                node = rdflib.URIRef(focus.split("/provision/")[0].split("/quantity")[0].split("/time")[0])
                where += f" ({_where(corpus, article, kind, ident)})"
        elif match and match.group("key"):
            key = match.group("key")
            defined = corpus.keys.get(key, ("?", "?"))[1]
            where = f"individual {key} (defined at {defined})"
            node = rdflib.URIRef(base + "resource/" + key)
        span = ""
        for row in graph.query(EVIDENCE_QUOTE, initBindings={"node": node}):
            assert isinstance(row, ResultRow)  # the rows of a SELECT query
            span = f'; span at {row.start}: "{str(row.exact)[:80]}"'
        lines.append(f"{where or focus}: {v.path + ': ' if v.path else ''}{v.message} [{v.component}]{span}")
    return lines
