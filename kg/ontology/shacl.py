"""SHACL validation with pySHACL, reported as plain records rather than a report graph."""

from __future__ import annotations

import importlib.resources
from dataclasses import dataclass

import rdflib
from rdflib.namespace import RDF, SH


@dataclass(frozen=True, order=True)
class ShapeViolation:
    """One validation result: the node, the property path, the value and the constraint broken."""

    focus: str
    path: str
    component: str
    value: str
    message: str
    severity: str
    shape: str

    def __str__(self) -> str:
        where = self.focus + (f" {self.path}" if self.path else "")
        value = f" (value {self.value})" if self.value else ""
        return f"{where}: {self.message}{value} [{self.component}]"


@dataclass
class ValidationReport:
    conforms: bool
    violations: list[ShapeViolation]


def _text(graph: rdflib.Graph, node: rdflib.term.Node | None) -> str:
    if node is None:
        return ""
    if isinstance(node, rdflib.URIRef):
        return graph.namespace_manager.normalizeUri(node)
    if isinstance(node, rdflib.BNode):
        return "[]"  # anonymous path expressions or shapes have no stable name
    return str(node)


def _report(report: rdflib.Graph, names: rdflib.Graph) -> list[ShapeViolation]:
    results = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        component = report.value(result, SH.sourceConstraintComponent)
        results.append(
            ShapeViolation(
                focus=_text(names, report.value(result, SH.focusNode)),
                path=_text(names, report.value(result, SH.resultPath)),
                component=_text(names, component).replace("sh:", ""),
                value=_text(names, report.value(result, SH.value)),
                message=str(report.value(result, SH.resultMessage) or ""),
                severity=_text(names, report.value(result, SH.resultSeverity)).replace("sh:", ""),
                shape=_text(names, report.value(result, SH.sourceShape)),
            )
        )
    return sorted(results)


def validate(data: rdflib.Graph, shapes: rdflib.Graph, ontology: rdflib.Graph | None = None) -> ValidationReport:
    """Validate ``data`` against ``shapes``; the ontology supplies rdfs:subClassOf for targets.

    The ontology is merged into a copy of the data here rather than passed as pySHACL's
    ``ont_graph``: pySHACL "inoculates" an ontology by recursive cloning, which takes minutes
    on ours; a plain union gives SHACL the same subclass links in milliseconds.
    """
    import pyshacl  # here: importing it (and rdflib's SPARQL parser) is 0.08 s of every build, most never call it

    merged = data if ontology is None else data + ontology
    conforms, report, _text_report = pyshacl.validate(
        merged,
        shacl_graph=shapes,
        inference="none",
        advanced=True,
        allow_warnings=True,
    )
    names = rdflib.Graph()
    for prefix, ns in (*shapes.namespaces(), *data.namespaces()):
        names.bind(prefix, ns, override=False)
    return ValidationReport(bool(conforms), _report(report, names))


def check_shapes(shapes: rdflib.Graph) -> ValidationReport:
    """Validate the shapes graph itself against SHACL-SHACL (the W3C shapes for shapes)."""
    import pyshacl

    conforms, report, _text_report = pyshacl.validate(
        shapes,
        shacl_graph=_shacl_shacl(),
        inference="none",
    )
    return ValidationReport(bool(conforms), _report(report, shapes))


def _shacl_shacl() -> rdflib.Graph:
    """The SHACL-SHACL shapes graph shipped with pySHACL."""
    data = importlib.resources.files("pyshacl.assets").joinpath("shacl-shacl.ttl").read_bytes()
    return rdflib.Graph().parse(data=data, format="turtle")
