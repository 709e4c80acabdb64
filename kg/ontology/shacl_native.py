"""SHACL validation that answers as pySHACL does, in a fraction of its time.

The build asks one question of almost every graph — does it conform? — and pySHACL (pure Python)
spent two thirds of a full build answering it. pyshacl-turbo compiles the shapes once and
validates in Rust, 7× faster than pySHACL on 200 synthetic articles (bench/analysis.md), but it
does not agree with pySHACL on everything: it finds a violation where pySHACL finds none when a
value cannot be compared under sh:lessThan (a year against an integer: a violation by the SHACL
specification, not by pySHACL), and it finds none where pySHACL finds one when a literal is
ill-typed ("seven"^^xsd:integer). So :func:`validate` uses it only as a filter:

- data with an ill-typed literal goes to pySHACL;
- data pyshacl-turbo finds with no result at all (no violation, no warning) conforms;
- anything else goes to pySHACL, whose report is the answer (verdict and every message).

The answer is pySHACL's whenever pyshacl-turbo never misses a result pySHACL reports on
well-typed data: tests/unit/test_shacl_agreement.py checks exactly that, over a fixture that
breaks each constraint of ontology/shapes/ and over the seed corpus, and checks that this
function's reports equal pySHACL's.

Validated like kg.ontology.shacl.validate: the ontology merged into the data (subclasses for
targets), no inference, SHACL-AF on, warnings allowed.

:func:`validate_union` answers for the union of several graphs (a batch of articles, what they
reach of the reference, the ontology) without building it: each distinct triple goes to
pyshacl-turbo once, as an N-Triples statement, and pyshacl-turbo parses them in Rust. Building the
union as an rdflib graph, scanning it for ill-typed literals and handing it to pyshacl-turbo cost
2.4x as much at 1,000 articles (bench/analysis.md, Validation). The build writes the statements
itself (kg.mapping.triples) and asks :func:`finds_nothing_in` directly.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Sequence
from typing import Any

import pyshacl_turbo
import rdflib
from pyshacl_turbo.rdf import Input
from rdflib.namespace import RDF, SH

from kg.ontology import shacl
from kg.ontology.shacl import ValidationReport, _report
from kg.serialize import nt_term

_PROGRAMS: dict[str, Any] = {}  # shapes (by content hash) -> compiled program
_SEEN: dict[int, tuple[rdflib.Graph, int, str]] = {}  # id(shapes) -> (shapes, its size, its hash)


def _program(shapes: rdflib.Graph) -> Any:
    # Hashing the shapes' 866 triples took 20 ms, once per batch: remembered for the graph object
    # (at its size: the shapes of a build are loaded once and never changed)
    seen = _SEEN.get(id(shapes))
    if seen is not None and seen[0] is shapes and seen[1] == len(shapes):
        key = seen[2]
    else:
        key = hashlib.sha256(shapes.serialize(format="nt", encoding="utf-8")).hexdigest()
        _SEEN.clear()
        _SEEN[id(shapes)] = (shapes, len(shapes), key)
    if key not in _PROGRAMS:
        _PROGRAMS.clear()  # one shapes graph per build; keep the last only
        _PROGRAMS[key] = pyshacl_turbo.compile_shapes(shapes, advanced=True)
    return _PROGRAMS[key]


def native_validate(data: rdflib.Graph, shapes: rdflib.Graph, ontology: rdflib.Graph | None = None) -> ValidationReport:
    """pyshacl-turbo's own report: every result, of any severity (the build uses :func:`validate`)."""
    merged = data if ontology is None else data + ontology
    conforms, report, _text = _program(shapes).validate(merged, inference="none", allow_warnings=True)
    names = rdflib.Graph()
    for prefix, ns in (*shapes.namespaces(), *data.namespaces()):
        names.bind(prefix, ns, override=False)
    return ValidationReport(bool(conforms), _report(report, names))


def ill_typed(data: rdflib.Graph) -> bool:
    """Whether a literal of ``data`` is not in its datatype's lexical space."""
    return any(isinstance(o, rdflib.Literal) and o.ill_typed for o in data.objects(unique=True))


def validate(data: rdflib.Graph, shapes: rdflib.Graph, ontology: rdflib.Graph | None = None) -> ValidationReport:
    """pySHACL's report on ``data`` (kg.ontology.shacl.validate), computed by pyshacl-turbo when
    it finds nothing to report (see the module docstring)."""
    if not ill_typed(data) and not native_validate(data, shapes, ontology).violations:  # no result of any severity
        return ValidationReport(True, [])
    return shacl.validate(data, shapes, ontology)


def validate_union(parts: Sequence[rdflib.Graph], shapes: rdflib.Graph) -> ValidationReport:
    """pySHACL's report on the union of ``parts`` (as :func:`validate` of that union, the ontology
    being one of the parts), the union built only when pyshacl-turbo finds something or a literal
    is ill-typed."""
    if finds_nothing(parts, shapes):
        return ValidationReport(True, [])
    union = rdflib.Graph()
    for part in parts:
        union += part
        for prefix, namespace in part.namespaces():  # the names the report gives nodes
            union.bind(prefix, namespace, override=False)
    return shacl.validate(union, shapes)


def finds_nothing(parts: Sequence[rdflib.Graph], shapes: rdflib.Graph) -> bool:
    """Whether the union of ``parts`` has no ill-typed literal and pyshacl-turbo finds no result
    of any severity in it: then pySHACL finds none either (tests/unit/test_shacl_agreement.py)."""
    statements: dict[str, None] = {}  # a graph is a set: a triple of two parts is one triple
    for part in parts:
        for s, p, o in part:
            if isinstance(o, rdflib.Literal) and o.ill_typed:
                return False
            statements[f"{nt_term(s)} {nt_term(p)} {nt_term(o)}"] = None
    return finds_nothing_in(statements, shapes)


def finds_nothing_in(statements: Collection[str], shapes: rdflib.Graph) -> bool:
    """Whether pyshacl-turbo finds no result of any severity in the graph of these N-Triples
    statements (each once, without the final " ."; kg.serialize.nt_term's syntax). When none of
    their literals is ill-typed (the caller's to know: pyshacl-turbo does not see those), pySHACL
    finds no result either. The statements go to pyshacl-turbo's parser as N-Triples text through
    its ``Input`` record (not public API, hence its pinned minor version in pyproject.toml and the
    agreement tests over :func:`finds_nothing`, which comes here)."""
    text = " .\n".join(statements) + " .\n" if statements else ""
    data = Input(text, "nt", None, {})
    _conforms, report, _text = _program(shapes).validate(data, inference="none", allow_warnings=True)
    return next(report.subjects(RDF.type, SH.ValidationResult), None) is None
