"""The SHACL shapes: valid SHACL themselves; a conforming fixture passes; a broken one fails
with exactly the expected violations."""

from __future__ import annotations

import pytest
import rdflib

from kg.ontology.shacl import check_shapes, validate

from helpers.graphs import fixture_graph
from helpers.paths import DATA


def test_shapes_are_valid_shacl(shapes_graph: rdflib.Graph) -> None:
    report = check_shapes(shapes_graph)
    assert report.conforms, "\n".join(map(str, report.violations))


def test_shapes_look_only_forward(shapes_graph: rdflib.Graph) -> None:
    """The build validates an article against the part of the reference graph it can reach
    (kg.builder.pipeline._reachable); that equals validating against the whole reference only while no
    shape looks backwards (inverse paths), sideways (SPARQL constraints or targets) or at
    subjects of a property (targetSubjectsOf could pick reference nodes the article cannot reach)."""
    SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    for term in (SH.inversePath, SH.sparql, SH.SPARQLTarget, SH.SPARQLConstraint, SH.target):
        assert not list(shapes_graph.triples((None, term, None))) and not list(
            shapes_graph.triples((None, None, term))
        ), term


def test_an_invalid_shape_is_caught() -> None:
    bad = rdflib.Graph().parse(
        data="""@prefix sh: <http://www.w3.org/ns/shacl#> .
        <https://example.org/S> a sh:NodeShape ; sh:property [ sh:path <https://example.org/p> ; sh:minCount "one" ] .""",
        format="turtle",
    )
    assert not check_shapes(bad).conforms


def test_valid_fixture_conforms(shapes_graph: rdflib.Graph, ontology_graph: rdflib.Graph) -> None:
    report = validate(fixture_graph("valid-instances.ttl"), shapes_graph, ontology_graph)
    assert report.conforms, "\n".join(map(str, report.violations))


def _expected() -> set[tuple[str, str, str]]:
    rows = set()
    for line in (DATA / "ontology" / "invalid-instances.expected.tsv").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            focus, path, component = line.split("\t")
            rows.add((focus, path, component))
    return rows


def test_invalid_fixture_reports_exactly_the_expected_violations(
    shapes_graph: rdflib.Graph, ontology_graph: rdflib.Graph
) -> None:
    data = fixture_graph("invalid-instances.ttl")
    report = validate(data, shapes_graph, ontology_graph)
    assert not report.conforms
    found = {(v.focus, v.path, v.component) for v in report.violations}
    assert found == _expected()


# -- data checks: SPARQL over the instance data ----------------------------------------------------

from kg.ontology.load import OntologySources  # noqa: E402
from kg.ontology.quality import run_checks  # noqa: E402

from helpers.paths import ROOT  # noqa: E402

DATA_CHECKS = OntologySources.find(ROOT / "ontology").data_checks
DATA_DEFECTS = {
    "quote-mismatch": ("ex:span-ana-quote", 'oa:exact "Ana Exempla"', 'oa:exact "Ana Exemplar"'),
    "character-count": ("ex:article-1", 'pk:characterCount "234"', 'pk:characterCount "233"'),
    "proposal-lineage-cycle": (
        "ex:lakeside-plan",
        'rdfs:label "Lakeside Plan"@en ;',
        'rdfs:label "Lakeside Plan"@en ; pk:revises ex:lakeside-plan ;',
    ),
    "evidence-outside-article": (
        "ex:claim-1",
        "prov:wasDerivedFrom ex:article-1 ; pk:hasEvidence ex:ann-claim-1 .",
        "prov:wasDerivedFrom ex:treaty-text ; pk:hasEvidence ex:ann-claim-1 .",
    ),
}


# The linking-rule checks plant their defects in tests/unit/test_linking_rules.py.
LINKING_CHECKS = {"self-target", "stance-toward-war", "self-limiting-demand"}


def test_every_data_check_has_a_breaking_example() -> None:
    names = {p.name.removesuffix("-violation.rq") for p in DATA_CHECKS}
    assert names >= LINKING_CHECKS
    assert sorted(DATA_DEFECTS) == sorted(names - LINKING_CHECKS)


@pytest.mark.parametrize("check", DATA_CHECKS, ids=lambda p: p.name)
def test_data_check_passes_on_the_valid_fixture(check, ontology_graph) -> None:
    [result] = run_checks([check], fixture_graph("valid-instances.ttl") + ontology_graph)
    assert result.rows == [], result.describe_rows()


@pytest.mark.parametrize("name", sorted(DATA_DEFECTS))
def test_data_check_catches_its_defect(name, ontology_graph) -> None:
    _focus, old, new = DATA_DEFECTS[name]
    text = (DATA / "ontology" / "valid-instances.ttl").read_text(encoding="utf-8")
    assert old in text
    broken = rdflib.Graph().parse(data=text.replace(old, new, 1), format="turtle")
    [check] = [p for p in DATA_CHECKS if p.name == f"{name}-violation.rq"]
    [result] = run_checks([check], broken + ontology_graph)
    assert result.rows, f"{name} did not catch its defect"
