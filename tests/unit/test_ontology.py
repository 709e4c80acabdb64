"""The ontology: it parses, HermiT finds it consistent and realises instance data as designed,
every quality check passes (and can fail), and the shapes are valid SHACL."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import OWL, RDF, RDFS

from kg.errors import SourceSyntaxError
from kg.ontology.load import ONTOLOGY_IRI, PK, OntologySources, load_ontology
from kg.ontology.quality import run_checks
from kg.ontology.reasoning import run_hermit
from kg.ontology.sources import parse_turtle

from helpers.graphs import fixture_graph
from helpers.paths import ROOT

SOURCES = OntologySources.find(ROOT / "ontology")
EX = rdflib.Namespace("https://example.org/fixture/")


@pytest.mark.parametrize("path", [SOURCES.main, *SOURCES.vocab, *SOURCES.shapes], ids=lambda p: p.name)
def test_every_source_parses_on_its_own(path: Path) -> None:
    assert len(parse_turtle(path)) > 0


def test_ontology_header(ontology_graph: rdflib.Graph) -> None:
    ontology = rdflib.URIRef(ONTOLOGY_IRI)
    assert (ontology, RDF.type, OWL.Ontology) in ontology_graph
    version = ontology_graph.value(ontology, OWL.versionInfo)
    assert version is not None, "the ontology has no owl:versionInfo"
    assert ontology_graph.value(ontology, OWL.versionIRI) == rdflib.URIRef(f"{ONTOLOGY_IRI}/releases/{version}")


@pytest.mark.slow
def test_hermit_finds_the_ontology_consistent(ontology_graph: rdflib.Graph) -> None:
    result = run_hermit(ontology_graph)
    assert result.consistent
    assert result.unsatisfiable == []


@pytest.mark.parametrize("check", SOURCES.checks, ids=lambda p: p.name)
def test_quality_check_returns_no_row(check: Path, ontology_graph: rdflib.Graph, shapes_graph: rdflib.Graph) -> None:
    [result] = run_checks([check], ontology_graph + shapes_graph)
    assert result.rows == [], "\n".join(result.describe_rows())


BROKEN = {
    # check name -> Turtle that must make it fail
    "missing-label": 'pk:Unlabelled a owl:Class ; rdfs:subClassOf prov:Entity ; skos:definition "x"@en .',
    "missing-definition": 'pk:Undefined a owl:Class ; rdfs:subClassOf prov:Entity ; rdfs:label "undefined"@en .',
    "undeclared-term": "pk:Claim rdfs:subClassOf pk:Statment .",
    "orphan-class": 'pk:Orphan a owl:Class ; rdfs:label "orphan"@en ; skos:definition "x"@en .',
    "unaligned-class": "pk:Island a owl:Class ; rdfs:subClassOf pk:Island2 . pk:Island2 a owl:Class ; rdfs:subClassOf pk:Island .",
    "property-kind-clash": "pk:text a owl:ObjectProperty .",
    "duplicate-label": 'pk:Person2 a owl:Class ; rdfs:subClassOf pk:Agent ; rdfs:label "person"@en .',
    "datatype-outside-map": "pk:born a owl:DatatypeProperty ; rdfs:range xsd:gYear .",
    "concept-placement": '<https://w3id.org/peacekg/vocab/stance/floating> a skos:Concept ; skos:prefLabel "floating"@en .',
    "ontology-metadata": "DELETE owl:versionInfo",
    "shape-term-undeclared": "<https://w3id.org/peacekg/shapes/Bad> a sh:NodeShape ; sh:targetClass pk:Claim ; sh:property [ sh:path pk:stanse ; sh:minCount 1 ] .",
}
PREFIXES = """
@prefix pk: <https://w3id.org/peacekg/ontology/> . @prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix prov: <http://www.w3.org/ns/prov#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
"""


def test_every_check_has_a_breaking_example() -> None:
    assert sorted(BROKEN) == sorted(p.name.removesuffix("-violation.rq") for p in SOURCES.checks)


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_quality_check_fails_on_a_defect(name: str, ontology_graph: rdflib.Graph, shapes_graph: rdflib.Graph) -> None:
    graph = ontology_graph + shapes_graph
    defect = BROKEN[name]
    if defect.startswith("DELETE "):
        graph.remove((rdflib.URIRef(ONTOLOGY_IRI), OWL.versionInfo, None))
    else:
        graph.parse(data=PREFIXES + defect, format="turtle")
    [check] = [p for p in SOURCES.checks if p.name == f"{name}-violation.rq"]
    [result] = run_checks([check], graph)
    assert result.rows, f"{name} did not catch: {defect}"


def test_turtle_syntax_errors_name_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix pk: <https://w3id.org/peacekg/ontology/> .\n\npk:a pk:b .\n", encoding="utf-8")
    with pytest.raises(SourceSyntaxError) as caught:
        parse_turtle(bad)
    assert caught.value.line == 3
    assert "bad.ttl:3" in str(caught.value)


def test_a_broken_ontology_folder_is_reported_with_its_file(tmp_path: Path) -> None:
    copy = tmp_path / "ontology"
    shutil.copytree(ROOT / "ontology", copy)
    (copy / "vocab" / "stance.ttl").write_text("this is not turtle", encoding="utf-8")
    with pytest.raises(SourceSyntaxError) as caught:
        load_ontology(copy)
    assert caught.value.file.endswith("stance.ttl")


@pytest.mark.slow
def test_hermit_realises_the_fixture_as_designed(ontology_graph: rdflib.Graph) -> None:
    """The defined classes do their job: the reasoner adds the memberships a user queries for."""
    result = run_hermit(ontology_graph + fixture_graph("valid-instances.ttl"))
    assert result.consistent
    inferred = set(result.inferred.triples((None, RDF.type, None)))
    expected = {
        (EX["lakeside-plan"], RDF.type, PK.TroopDeploymentProposal),
        (EX["ana"], RDF.type, PK.Voice),
        (EX["ruritania"], RDF.type, PK.Guarantor),
        (EX["treaty-of-nowhere"], RDF.type, PK.ViolatedAgreement),
        (EX["treaty-of-nowhere"], RDF.type, PK.HistoricalPrecedent),
        (EX["position-1"], RDF.type, PK.Demand),
    }
    assert expected <= inferred, expected - inferred


@pytest.mark.slow
def test_hermit_rejects_a_thing_that_is_both_a_person_and_an_event(ontology_graph: rdflib.Graph) -> None:
    bad = rdflib.Graph()
    bad.add((EX["chimera"], RDF.type, PK.Person))
    bad.add((EX["chimera"], RDF.type, PK.Summit))
    bad.add((EX["chimera"], RDFS.label, rdflib.Literal("chimera")))
    assert not run_hermit(ontology_graph + bad).consistent
