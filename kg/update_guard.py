"""Which graphs a SPARQL update may write, worked out before it runs, so that writes to protected
graphs (the ones ``peacekg build`` produced) are refused instead of undone.

The update is parsed with rdflib's SPARQL 1.1 Update grammar (the engine, pyoxigraph, gives no
access to its parse). For each operation the target graphs are those it names: INSERT/DELETE
DATA quads, the templates of DELETE/INSERT (their GRAPH names, else the WITH graph, else the
default graph), DELETE WHERE, CLEAR/DROP/CREATE, ADD/MOVE/COPY (the destination, and MOVE's
source), LOAD. A template that names its graph with a variable could write to any graph, and
CLEAR/DROP ALL or NAMED write to all of them: those count as writing every graph.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pyparsing import ParseException
from rdflib import URIRef, Variable
from rdflib.plugins.sparql.algebra import translateUpdate
from rdflib.plugins.sparql.parser import parseUpdate

DEFAULT = "DEFAULT"  # the default graph, as a target


class UnreadableUpdate(ValueError):
    """rdflib cannot parse an update (the engine may still accept it)."""


@dataclass
class Targets:
    graphs: set[str] = field(default_factory=set)  # IRIs, and DEFAULT
    every_graph: list[str] = field(default_factory=list)  # why the update may write any graph

    def touching(self, protected: frozenset[str]) -> list[str]:
        """The reasons this update would write a protected graph (empty when it would not)."""
        if not protected:
            return []
        found = [f"<{g}>" for g in sorted(self.graphs & protected)]
        return found + self.every_graph


def _field(value: Any, key: str) -> Any:
    """A part of an rdflib algebra node, or None (its own .get() answers the key's name when absent)."""
    return value[key] if key in value else None


def _template_graphs(clause: Any, with_graph: Any, targets: Targets, operation: str) -> None:
    if not clause:  # rdflib gives '' for an absent clause
        return
    for graph in (_field(clause, "quads") or {}):
        if isinstance(graph, Variable):
            targets.every_graph.append(f"{operation} writes to GRAPH ?{graph} (a variable: any graph)")
        else:
            targets.graphs.add(str(graph))
    if _field(clause, "triples"):
        targets.graphs.add(str(with_graph) if with_graph is not None else DEFAULT)


def _graph_ref(ref: Any, targets: Targets, operation: str) -> None:
    if isinstance(ref, URIRef):
        targets.graphs.add(str(ref))
    elif ref in ("ALL", "NAMED"):
        targets.every_graph.append(f"{operation} {ref}")
    else:
        targets.graphs.add(DEFAULT)


def written_graphs(update: str, base_iri: str | None = None) -> Targets:
    """The graphs ``update`` may write; UnreadableUpdate when rdflib cannot parse it."""
    try:
        parsed = translateUpdate(parseUpdate(update), base=base_iri)
    except (ParseException, ValueError, TypeError, KeyError) as exc:
        raise UnreadableUpdate(str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from None
    targets = Targets()
    for op in parsed.algebra:
        name = op.name
        if name in ("InsertData", "DeleteData", "DeleteWhere"):
            _template_graphs(op, None, targets, name)
        elif name == "Modify":
            with_graph = _field(op, "withClause")
            _template_graphs(_field(op, "delete"), with_graph, targets, "DELETE")
            _template_graphs(_field(op, "insert"), with_graph, targets, "INSERT")
        elif name in ("Clear", "Drop", "Create"):
            _graph_ref(_field(op, "graphiri"), targets, name.upper())
        elif name in ("Add", "Copy", "Move"):
            source, destination = _field(op, "graph")
            _graph_ref(destination, targets, name.upper())
            if name == "Move":
                _graph_ref(source, targets, name.upper())
        elif name == "Load":
            _graph_ref(_field(op, "graphiri"), targets, "LOAD")
        else:
            targets.every_graph.append(f"an operation this check does not know ({name})")
    return targets
