"""Small RDF fixtures of tests/data/ontology (conforming and planted-defect graphs)."""

import rdflib

from helpers.paths import DATA


def fixture_graph(name: str) -> rdflib.Graph:
    return rdflib.Graph().parse(DATA / "ontology" / name, format="turtle")
