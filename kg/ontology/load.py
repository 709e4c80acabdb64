"""The hand-edited ontology sources and how to load them.

``ontology/`` holds ``peacekg.ttl`` (the OWL source), ``vocab/*.ttl`` (SKOS schemes),
``shapes/*.ttl`` (SHACL shapes for instance data), ``checks/*-violation.rq`` (quality checks of
the ontology) and ``data-checks/*-violation.rq`` (SPARQL checks of instance data).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import rdflib
from rdflib.namespace import OWL, RDF

from kg.errors import OntologyError
from kg.ontology.sources import parse_turtle

ONTOLOGY_IRI = "https://w3id.org/peacekg/ontology"
ONTOLOGY_NS = "https://w3id.org/peacekg/ontology/"
VOCAB_NS = "https://w3id.org/peacekg/vocab/"
OWN_NAMESPACES = (ONTOLOGY_NS, VOCAB_NS)

PK = rdflib.Namespace(ONTOLOGY_NS)


@dataclass(frozen=True)
class OntologySources:
    """The files of an ontology folder, in a fixed order."""

    root: Path
    main: Path
    vocab: tuple[Path, ...]
    shapes: tuple[Path, ...]
    checks: tuple[Path, ...]
    data_checks: tuple[Path, ...]

    @classmethod
    def find(cls, root: Path) -> OntologySources:
        root = Path(root)
        main = root / "peacekg.ttl"
        if not main.is_file():
            raise OntologyError("the ontology source peacekg.ttl is missing", file=str(main))
        return cls(
            root=root,
            main=main,
            vocab=tuple(sorted((root / "vocab").glob("*.ttl"))),
            shapes=tuple(sorted((root / "shapes").glob("*.ttl"))),
            checks=tuple(sorted((root / "checks").glob("*-violation.rq"))),
            data_checks=tuple(sorted((root / "data-checks").glob("*-violation.rq"))),
        )


def _bind_prefixes(graph: rdflib.Graph) -> None:
    graph.bind("pk", ONTOLOGY_NS, override=True, replace=True)
    graph.bind("sh", "http://www.w3.org/ns/shacl#", override=True)


def load_ontology(root: Path) -> rdflib.Graph:
    """The ontology and its SKOS vocabularies merged in one graph (no shapes)."""
    sources = OntologySources.find(root)
    graph = rdflib.Graph()
    for path in (sources.main, *sources.vocab):
        parse_turtle(path, graph)
    _bind_prefixes(graph)
    if (rdflib.URIRef(ONTOLOGY_IRI), RDF.type, OWL.Ontology) not in graph:
        raise OntologyError(f"no owl:Ontology <{ONTOLOGY_IRI}> declared", file=str(sources.main))
    return graph


def load_shapes(root: Path) -> rdflib.Graph:
    """The SHACL shapes graph."""
    sources = OntologySources.find(root)
    graph = rdflib.Graph()
    for path in sources.shapes:
        parse_turtle(path, graph)
    _bind_prefixes(graph)
    return graph
