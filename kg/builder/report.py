"""Explaining a SHACL violation in the terms of the corpus: the annotation item that produced the
focus node (file, line and field, as every other corpus problem is told), which article and
statement or entity it is, and the quoted span it rests on.

The focus node's IRI says where it came from (kg.mapping.iris): ``article/<id>/statement/<sid>``
and its children (``/provision/0``, ``/time``…), ``article/<id>/role/<n>``, ``article/<id>/mention/
<start>-<end>/<key>``, ``resource/<key>`` and its children; the shape's property path says which
field (the field table's predicates, kg.annotations.fields)."""

from __future__ import annotations

import functools
import re
from typing import Any

import rdflib
from rdflib.query import ResultRow

from kg.annotations import fields as F
from kg.annotations.corpus import Corpus
from kg.annotations.values import Issue
from kg.annotations.yaml_source import Path_, YamlDocument, dotted
from kg.ontology.shacl import ShapeViolation

EVIDENCE_QUOTE = """
PREFIX pk: <https://w3id.org/peacekg/ontology/> PREFIX oa: <http://www.w3.org/ns/oa#>
SELECT ?exact ?start WHERE { ?node pk:hasEvidence/oa:hasTarget ?span . ?span oa:hasSelector ?q , ?p .
  ?q oa:exact ?exact . ?p oa:start ?start } ORDER BY ?start LIMIT 1"""

# IRI path segments of child nodes (kg.mapping) -> the field of the annotation item they come from
CHILD_FIELDS = {
    "provision": "provisions",
    "commitment": "commitments",
    "violation": "violations",
    "role": "roles",
    "time": "date",
    "refers-to-time": "refers_to",
    "quantity": "quantity",
}


@functools.cache
def _field_names() -> dict[str, str]:
    """Predicate CURIE -> annotation field name, from the field table (first one wins)."""
    names: dict[str, str] = {"pk:claimant": "by", "pk:hasEvidence": "evidence"}
    tables: list[tuple[F.Field, ...]] = [F.INDIVIDUAL, *F.FAMILY.values(), F.STATEMENT, *F.STATEMENT_TYPE.values()]
    tables += [F.PROVISION, F.COMMITMENT, F.VIOLATION, F.ARTICLE_ROLE, F.ROLE]
    for table in tables:
        for field in table:
            if field.predicate:
                names.setdefault(field.predicate, field.name)
    return names


def _expand(text: str, base: str) -> str:
    """A focus node as pySHACL names it (``<iri>``, or ``res:key`` with the data's prefix) as an IRI."""
    if text.startswith("res:"):
        return base + "resource/" + text[4:]
    return text.strip("<>")


def _children(parts: list[str]) -> Path_:
    """``provision/0/quantity`` -> ('provisions', 0, 'quantity')."""
    path: list[str | int] = []
    i = 0
    while i < len(parts) and parts[i] in CHILD_FIELDS:
        path.append(CHILD_FIELDS[parts[i]])
        if i + 1 < len(parts) and parts[i + 1].isdigit():
            path.append(int(parts[i + 1]))
            i += 1
        i += 1
    return tuple(path)


def _index(items: Any, test: Any) -> int | None:
    for i, item in enumerate(items if isinstance(items, list) else []):
        if isinstance(item, dict) and test(item):
            return i
    return None


def _definition(corpus: Corpus, key: str) -> tuple[YamlDocument, Path_] | None:
    """Where the individual ``key`` is defined: a reference entry or an entity of an annotation file."""
    for doc, index, item in corpus.reference:
        if item.get("key") == key:
            return doc, (index,)
        if (n := _index(item.get("commitments"), lambda c: c.get("key") == key)) is not None:
            return doc, (index, "commitments", n)
    for file in corpus.annotations.values():
        entities = file.data.get("entities")
        if (i := _index(entities, lambda e: e.get("key") == key)) is not None:
            return file.doc, ("entities", i)
        for i, entity in enumerate(entities if isinstance(entities, list) else []):
            n = _index(entity.get("commitments"), lambda c: c.get("key") == key) if isinstance(entity, dict) else None
            if n is not None:
                return file.doc, ("entities", i, "commitments", n)
    return None


def _in_article(corpus: Corpus, article_id: str, parts: list[str]) -> tuple[YamlDocument, Path_] | None:
    """The annotation item (or article metadata) that ``article/<id>/<parts…>`` comes from."""
    article = corpus.articles.get(article_id)
    annotations = corpus.annotations.get(article_id)
    if not parts or annotations is None:
        return (article.doc, ()) if article else None
    data, kind = annotations.data, parts[0]
    found: int | None = None
    if kind == "statement" and len(parts) > 1:
        found = _index(data.get("statements"), lambda s: str(s.get("id")) == parts[1])
        section = "statements"
    elif kind == "role" and len(parts) > 1 and parts[1].isdigit():
        found, section = int(parts[1]), "roles"
    elif kind == "mention" and len(parts) > 2:
        start, _, end = parts[1].partition("-")
        section = "mentions"
        for (name, i, *_rest), spans in annotations.spans.items():
            if name == section and any(f"{s.start}" == start and f"{s.end}" == end for s in spans):
                found = int(i)
    elif kind == "region" and article is not None and len(parts) > 1:
        index = _index(article.meta.get("regions"), lambda r: r.get("id") == parts[1])
        return article.doc, ("regions", index) if index is not None else ()
    if found is None:
        return annotations.doc, ()
    return annotations.doc, (section, found, *_children(parts[2:]))


def locate_node(iri: str, corpus: Corpus, base: str) -> tuple[YamlDocument, Path_] | None:
    """The file and YAML path of the item that produced the node ``iri``; None when it does not
    come from the corpus."""
    if not iri.startswith(base):
        return None
    parts = iri[len(base) :].split("/")
    if parts[0] == "article" and len(parts) > 1:
        return _in_article(corpus, parts[1], parts[2:])
    if parts[0] == "resource" and len(parts) > 1 and (found := _definition(corpus, parts[1])):
        return found[0], found[1] + _children(parts[2:])
    return None


def locate(violation: ShapeViolation, corpus: Corpus, base: str) -> tuple[YamlDocument, Path_] | None:
    """The file and YAML path of the item that produced the violation's focus node, with the field
    its property path names; None when the node does not come from the corpus."""
    where = locate_node(_expand(violation.focus, base), corpus, base)
    if where is None:
        return None
    doc, path = where
    field = _field_names().get(violation.path)
    if field and path and path[-1] != field:
        path = (*path, field)
    return doc, path


def violation_issue(violation: ShapeViolation, corpus: Corpus, base: str) -> Issue | None:
    """The violation as a corpus problem: file, line and field of the item that produced it."""
    found = locate(violation, corpus, base)
    if found is None:
        return None
    doc, path = found
    shown_value = violation.value and violation.value != violation.focus  # an sh:or's value is its focus
    value = f" (value {violation.value})" if shown_value else ""
    message = f"{violation.message or 'violates ' + violation.shape}{value} [{violation.component}]"
    return Issue(doc.file, doc.line(path) or 1, dotted(path) or "(document)", message)


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
    """One line per violation: file:line: field: message (when it comes from the corpus), then
    the article, statement/entity and the span."""
    lines = []
    pattern = re.compile(
        re.escape(base)
        + r"(article/(?P<article>[^/]+)(/(?P<kind>statement|role)/(?P<id>[^/]+))?|resource/(?P<key>[^/]+))"
    )
    for v in violations:
        focus = _expand(v.focus, base)
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
        told = f"{where or focus}: {v.path + ': ' if v.path else ''}{v.message} [{v.component}]{span}"
        issue = violation_issue(v, corpus, base)
        lines.append(f"{issue} — {told}" if issue else told)
    return lines
