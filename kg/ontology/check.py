"""``peacekg ontology check``: everything that must hold of the hand-edited ontology.

1. every source parses (Turtle, SPARQL);
2. HermiT finds the ontology and vocabularies consistent, with no unsatisfiable class;
3. every ``checks/*-violation.rq`` returns no row (over ontology + vocabularies + shapes);
4. the SHACL shapes are valid SHACL (SHACL-SHACL).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from kg.ontology.load import OntologySources, load_ontology, load_shapes
from kg.ontology.quality import CheckResult, run_checks
from kg.ontology.reasoning import ReasoningResult, run_hermit
from kg.ontology.shacl import ValidationReport, check_shapes
from kg.ontology.sources import read_sparql
from kg.settings import Settings


@dataclass
class OntologyReport:
    """The outcome of every ontology check, printable line by line."""

    triples: int
    reasoning: ReasoningResult
    checks: list[CheckResult]
    shapes: ValidationReport
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (
            self.reasoning.consistent
            and not self.reasoning.unsatisfiable
            and all(c.passed for c in self.checks)
            and self.shapes.conforms
        )

    def lines(self) -> list[str]:
        out = [f"ontology and vocabularies: {self.triples} triples"]
        r = self.reasoning
        if not r.consistent:
            out.append("FAIL HermiT: the ontology is inconsistent")
        elif r.unsatisfiable:
            out.append(f"FAIL HermiT: {len(r.unsatisfiable)} unsatisfiable class(es)")
            out.extend(f"  - {iri}" for iri in r.unsatisfiable)
        else:
            out.append(
                f"ok   HermiT: consistent, no unsatisfiable class ({r.seconds:.1f} s, "
                f"{len(r.inferred)} inferred triples)"
            )
        for check in self.checks:
            if check.passed:
                out.append(f"ok   check {check.name}: {check.title}")
            else:
                out.append(f"FAIL check {check.name}: {check.title} ({len(check.rows)} row(s))")
                out.extend(f"  - {line}" for line in check.describe_rows())
        if self.shapes.conforms:
            out.append("ok   SHACL shapes are valid SHACL")
        else:
            out.append(f"FAIL SHACL shapes: {len(self.shapes.violations)} problem(s)")
            out.extend(f"  - {v}" for v in self.shapes.violations)
        return out


def check_ontology(settings: Settings) -> OntologyReport:
    """Run every ontology check with the ontology folder and Java named in ``settings``."""
    root = Path(settings.ontology_dir)
    sources = OntologySources.find(root)
    ontology = load_ontology(root)
    shapes = load_shapes(root)
    reasoning = run_hermit(ontology, java=settings.java, memory_mb=settings.reasoner_memory_mb)
    checks = run_checks(sources.checks, ontology + shapes)
    for path in sources.data_checks:  # data checks are run on data, but must at least parse
        read_sparql(path)
    return OntologyReport(len(ontology), reasoning, checks, check_shapes(shapes))
