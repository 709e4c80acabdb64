"""What the annotation tooling needs to know of the ontology: class names with their field
families, and the concepts of each scheme (annotators write local names)."""

from __future__ import annotations

from dataclasses import dataclass

import rdflib
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from kg.annotations.fields import FAMILY_ROOTS
from kg.ontology.load import ONTOLOGY_NS, VOCAB_NS


@dataclass(frozen=True)
class VocabularyIndex:
    classes: dict[str, frozenset[str]]  # class local name -> local names of all its ancestors (and itself)
    schemes: dict[str, dict[str, str]]  # scheme local name -> concept local name -> concept IRI

    @classmethod
    def from_graph(cls, graph: rdflib.Graph) -> VocabularyIndex:
        classes: dict[str, frozenset[str]] = {}
        for klass in graph.subjects(RDF.type, OWL.Class):
            if isinstance(klass, rdflib.URIRef) and str(klass).startswith(ONTOLOGY_NS):
                ancestors = set()
                for ancestor in graph.transitive_objects(klass, RDFS.subClassOf):
                    if isinstance(ancestor, rdflib.URIRef) and str(ancestor).startswith(ONTOLOGY_NS):
                        ancestors.add(str(ancestor)[len(ONTOLOGY_NS) :])
                classes[str(klass)[len(ONTOLOGY_NS) :]] = frozenset(ancestors)
        schemes: dict[str, dict[str, str]] = {}
        for concept, scheme in graph.subject_objects(SKOS.inScheme):
            if str(scheme).startswith(VOCAB_NS):
                name = str(scheme)[len(VOCAB_NS) :]
                schemes.setdefault(name, {})[str(concept).rsplit("/", 1)[-1]] = str(concept)
        return cls(classes, schemes)

    def families(self, class_name: str) -> set[str]:
        return {f for f in FAMILY_ROOTS if f in self.classes.get(class_name, ())}

    def is_a(self, class_name: str, ancestor: str) -> bool:
        return ancestor in self.classes.get(class_name, ())

    def subclasses_of(self, ancestor: str) -> list[str]:
        return sorted(c for c, ancestors in self.classes.items() if ancestor in ancestors)
