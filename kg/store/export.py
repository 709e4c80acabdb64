"""``peacekg export``: dumps of the current store and a VoID/DCAT description of the dataset.

Writes into ``<build_dir>/dumps/`` (generated, never committed): ``peacekg.trig``, ``peacekg.nq``,
``graphs/<graph>.ttl`` (one Turtle file per named graph), ``peacekg.jsonld`` (named graphs, compacted
with ``context.jsonld``, published as https://w3id.org/peacekg/context.jsonld) and ``void.ttl``.
Every file is a pure function of the store: the same build gives the same bytes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph

from kg.serialize import rdf_bytes, write_atomic
from kg.settings import Settings
from kg.store.builds import current_build, open_store, read_manifest
from kg.store.void import void_description

PREFIXES = {
    "pk": "https://w3id.org/peacekg/ontology/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "prov": "http://www.w3.org/ns/prov#",
    "oa": "http://www.w3.org/ns/oa#",
    "schema": "https://schema.org/",
    "time": "http://www.w3.org/2006/time#",
    "dcterms": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "org": "http://www.w3.org/ns/org#",
}
CONTEXT_URL = "https://w3id.org/peacekg/context.jsonld"


@dataclass
class ExportedFile:
    path: Path
    changed: bool
    bytes: int


def _sorted_quads(store: pyoxigraph.Store) -> list[pyoxigraph.Quad]:
    return sorted(store, key=lambda q: (str(q.graph_name), str(q.subject), str(q.predicate), str(q.object)))


def jsonld_context(base: str) -> dict:
    """The published JSON-LD context: prefixes, the resource base, and typed PeaceKG terms."""
    context: dict = {**PREFIXES, "res": base + "resource/", "@language": "en"}
    for term, datatype in (
        ("earliest", "xsd:date"),
        ("latest", "xsd:date"),
        ("numericValue", "xsd:decimal"),
        ("minValue", "xsd:decimal"),
        ("maxValue", "xsd:decimal"),
    ):
        context[term] = {"@id": f"pk:{term}", "@type": datatype}
    for term in ("label",):
        context[term] = {"@id": "rdfs:label"}
    return {"@context": context}


def _jsonld(quads: list[pyoxigraph.Quad], base: str) -> str:
    """Named graphs as JSON-LD, compacted with the context; stable order of graphs and nodes."""
    graphs: dict[str, dict[str, dict]] = {}
    for q in quads:
        nodes = graphs.setdefault(_graph_name(q), {})
        node = nodes.setdefault(_id(q.subject), {"@id": _id(q.subject)})
        if q.predicate.value == PREFIXES["rdf"] + "type":
            assert not isinstance(q.object, pyoxigraph.Triple)  # a class is a node, never a quoted triple
            node.setdefault("@type", []).append(_compact(q.object.value))
        else:
            node.setdefault(_compact(q.predicate.value), []).append(_value(q.object))
    document = {
        "@context": CONTEXT_URL,
        "@graph": [{"@id": name, "@graph": [graphs[name][k] for k in sorted(graphs[name])]} for name in sorted(graphs)],
    }
    return json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def _graph_name(quad: pyoxigraph.Quad) -> str:
    """The name of the graph of a quad of a build, which has named graphs only."""
    assert not isinstance(quad.graph_name, pyoxigraph.DefaultGraph)
    return quad.graph_name.value


def _compact(iri: str) -> str:
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and iri[len(ns) :] and "/" not in iri[len(ns) :] and "#" not in iri[len(ns) :]:
            return f"{prefix}:{iri[len(ns) :]}"
    return iri


def _id(term) -> str:
    return f"_:{term.value}" if isinstance(term, pyoxigraph.BlankNode) else term.value


def _value(term) -> dict:
    if isinstance(term, (pyoxigraph.NamedNode, pyoxigraph.BlankNode)):
        return {"@id": _id(term)}
    if term.language:
        return {"@value": term.value, "@language": term.language}
    if term.datatype.value == PREFIXES["xsd"] + "string":
        return {"@value": term.value}  # a value object: the context's default language does not apply
    return {"@value": term.value, "@type": _compact(term.datatype.value)}


def export(settings: Settings, out: Path | None = None) -> list[ExportedFile]:
    """Write every dump of the current store; returns what was written."""
    build = current_build(Path(settings.build_dir))
    store = open_store(Path(settings.build_dir))
    manifest = read_manifest(build) if build else {}
    folder = out or Path(settings.build_dir) / "dumps"
    quads = _sorted_quads(store)
    files: dict[Path, str] = {
        folder / "peacekg.nq": rdf_bytes(quads, pyoxigraph.RdfFormat.N_QUADS).decode("utf-8"),
        folder / "peacekg.trig": rdf_bytes(quads, pyoxigraph.RdfFormat.TRIG, PREFIXES).decode("utf-8"),
        folder / "context.jsonld": json.dumps(jsonld_context(settings.base_iri), indent=1, sort_keys=True) + "\n",
        folder / "peacekg.jsonld": _jsonld(quads, settings.base_iri),
    }
    by_graph: dict[str, list[pyoxigraph.Triple]] = {}
    for q in quads:
        by_graph.setdefault(_graph_name(q), []).append(pyoxigraph.Triple(q.subject, q.predicate, q.object))
    for name, triples in sorted(by_graph.items()):
        relative = name[len(settings.base_iri + "graph/") :] if name.startswith(settings.base_iri + "graph/") else name
        path = folder / "graphs" / (relative.replace("/", "--") + ".ttl")
        header = f"# Graph <{name}> of PeaceKG build {manifest.get('build', '?')}. Generated by `peacekg export`.\n"
        files[path] = header + rdf_bytes(triples, pyoxigraph.RdfFormat.TURTLE, PREFIXES).decode("utf-8")
    files[folder / "void.ttl"] = void_description(
        store, settings, manifest, {p.name: len(t.encode("utf-8")) for p, t in files.items() if p.parent == folder}
    )
    return [ExportedFile(path, write_atomic(path, text), len(text.encode("utf-8"))) for path, text in files.items()]
