"""The SHACL shapes: valid SHACL themselves; a conforming fixture passes; a broken one fails
with exactly the expected violations."""

from __future__ import annotations

import rdflib

from kg.validation import check_shapes, validate

from conftest import DATA, fixture_graph


def test_shapes_are_valid_shacl(shapes_graph: rdflib.Graph) -> None:
    report = check_shapes(shapes_graph)
    assert report.conforms, "\n".join(map(str, report.violations))


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
