"""Quality checks: SPARQL files named ``*-violation.rq``; every row a query returns is a failure.

Each file starts with a header of ``# title:`` and ``# description:`` lines. The checks run with
pyoxigraph over the union of the ontology, its vocabularies and its shapes, in the default graph.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph
import rdflib

from kg.errors import SourceSyntaxError
from kg.ontology.sources import header_fields, read_sparql


@dataclass
class CheckResult:
    """The outcome of one quality check."""

    path: Path
    title: str
    rows: list[dict[str, str]]

    @property
    def name(self) -> str:
        return self.path.name.removesuffix("-violation.rq")

    @property
    def passed(self) -> bool:
        return not self.rows

    def describe_rows(self, limit: int = 20) -> list[str]:
        lines = [", ".join(f"{k}={v}" for k, v in row.items()) for row in self.rows[:limit]]
        if len(self.rows) > limit:
            lines.append(f"... and {len(self.rows) - limit} more")
        return lines


def load_store(graph: rdflib.Graph) -> pyoxigraph.Store:
    """An in-memory pyoxigraph store holding ``graph`` in its default graph."""
    store = pyoxigraph.Store()
    data = graph.serialize(format="nt", encoding="utf-8")
    store.load(data, format=pyoxigraph.RdfFormat.N_TRIPLES, to_graph=pyoxigraph.DefaultGraph())
    return store


def _term_text(term: pyoxigraph.NamedNode | pyoxigraph.BlankNode | pyoxigraph.Literal | None) -> str:
    if term is None:
        return ""
    if isinstance(term, pyoxigraph.Literal):
        return term.value
    if isinstance(term, pyoxigraph.NamedNode):
        return term.value
    return str(term)


def run_check(
    path: Path, store: pyoxigraph.Store, *, union: bool = False, graphs: Sequence[pyoxigraph.NamedNode] = ()
) -> CheckResult:
    """Run one ``*-violation.rq`` file; its rows become the result's failures. ``union``: query the
    union of the store's named graphs (a built dataset) rather than its default graph. ``graphs``:
    query only these named graphs, their union as the default graph and they alone as the named
    graphs: what the check would answer over a store that held nothing else."""
    text = read_sparql(path)
    title = header_fields(text).get("title", path.stem)
    if graphs:
        result = store.query(text, default_graph=list(graphs), named_graphs=list(graphs))
    else:
        result = store.query(text, use_default_graph_as_union=union)
    if not isinstance(result, pyoxigraph.QuerySolutions):
        raise SourceSyntaxError("a quality check must be a SELECT query", file=str(path))
    names = [v.value for v in result.variables]
    rows = [{n: _term_text(solution[n]) for n in names} for solution in result]
    rows.sort(key=lambda r: tuple(r.values()))
    return CheckResult(path, title, rows)


def run_checks(paths: list[Path] | tuple[Path, ...], graph: rdflib.Graph) -> list[CheckResult]:
    """Run every check over ``graph``."""
    store = load_store(graph)
    return [run_check(path, store) for path in paths]
