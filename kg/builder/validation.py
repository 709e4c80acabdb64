"""``peacekg annotations validate``: every check that ``peacekg build`` runs on the annotations, so
that "ok" means buildable — the checks of the files (kg.annotations.check), then the mapped graph
through the build's own steps without writing a store: SHACL shapes, data checks, inference's
consistency. Drafts are checked as a build with ``include_drafts`` would build them (a default
build serves a part of that graph, which conforms when the whole does: the shapes look only at a
node's own triples and its values'). Graphs whose inputs a build has already validated come
from its cache; nothing is written.

Every problem is told as file:line: field: message — a shape violation at the annotation item
that produced its focus node (kg.builder.report.violation_issue)."""

from __future__ import annotations

import re

import rdflib

from kg.annotations.check import check_files
from kg.annotations.corpus import AnnotationError, Corpus
from kg.annotations.values import Issue
from kg.annotations.yaml_source import dotted
from kg.builder.pipeline import BuildReport, Progress, assemble, fingerprints
from kg.builder.report import locate_node, violation_issue
from kg.errors import OntologyError, ValidationError
from kg.ontology.shacl import ShapeViolation
from kg.settings import Settings


def graph_issues(settings: Settings, corpus: Corpus, progress: Progress = lambda message: None) -> list[Issue]:
    """The problems the build's graph checks find in a corpus whose files have none."""
    everything = settings.replace(include_drafts=True)
    base = settings.base_iri
    issues: list[Issue] = []

    def collect(failures: list[tuple[str, list[ShapeViolation], rdflib.Graph]]) -> None:
        for name, violations, _data in failures:
            for v in violations:
                issue = violation_issue(v, corpus, base)
                issues.append(issue or Issue(f"({name})", 1, v.path or "(graph)", str(v)))

    try:
        assemble(everything, corpus, fingerprints(everything, corpus), BuildReport(None), progress, collect)
    except ValidationError as error:  # the data checks: one row per detail, "check-name: row"
        issues.extend(_located(line, corpus, base, "data check ") for line in error.details)
    except OntologyError as error:  # inference met an individual of two disjoint classes
        issues.extend(_located(line, corpus, base, f"{error.message}: ") for line in error.details or [""])
    return sorted(set(issues))


def _located(line: str, corpus: Corpus, base: str, what: str) -> Issue:
    """A data check's row (or a class clash) at the item that produced the first node it names."""
    for iri in re.findall(re.escape(base) + r"[^\s>\"',()]+", line):
        if found := locate_node(iri, corpus, base):
            doc, path = found
            return Issue(doc.file, doc.line(path) or 1, dotted(path) or "(document)", f"{what}{line}")
    return Issue("(graph)", 1, "(graph)", f"{what}{line}")


def validate_corpus(settings: Settings, progress: Progress = lambda message: None) -> str:
    """Raise AnnotationError listing every problem, or return the warnings of the linking rules
    (one per line) followed by a one-line summary."""
    checked = check_files(settings)
    issues = graph_issues(settings, checked.corpus, progress)
    if issues:
        raise AnnotationError(
            f"{len(issues)} problem(s) in the graph the corpus maps to (the build's shapes and checks)",
            details=[str(i) for i in issues],
        )
    summary = f"corpus ok (buildable: shapes, data checks and inference pass): {checked.summary()}"
    if not checked.warnings:
        return summary
    lines = [str(w) for w in checked.warnings]
    return "\n".join([*lines, f"{summary}; {len(checked.warnings)} warning(s) of the linking rules (corpus/README.md)"])
