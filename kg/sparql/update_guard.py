"""Which graphs a SPARQL update may write, worked out before it runs, so that writes to protected
graphs (the ones ``peacekg build`` produced) are refused instead of undone.

For each operation the target graphs are those it names: INSERT/DELETE DATA quads, the templates
of DELETE/INSERT (their GRAPH names, else the WITH graph, else the default graph), DELETE WHERE,
CLEAR/DROP/CREATE, ADD/MOVE/COPY (the destination, and MOVE's source), LOAD. A template that
names its graph with a variable could write to any graph, and CLEAR/DROP ALL or NAMED write to all
of them: those count as writing every graph.

The update is split into operations with the SPARQL lexer (kg.sparql.lexer). DATA operations and
graph management (CLEAR, DROP, CREATE, ADD, MOVE, COPY, LOAD) name their graphs in fixed places
and are read from the tokens: a large INSERT DATA costs a lexing pass, not a parse (rdflib's
parser took 35 s for 1,000 triples). DELETE/INSERT … WHERE and DELETE WHERE, usually short, are
parsed with rdflib's SPARQL 1.1 Update grammar (pyoxigraph gives no access to its parse).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

from pyparsing import ParseException
from rdflib import URIRef, Variable
from rdflib.plugins.sparql.algebra import translateUpdate
from rdflib.plugins.sparql.parser import parseUpdate

from kg.sparql.lexer import Token, significant

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
    return value[key] if key in value else None  # noqa: SIM401 (not .get(): see above)


def _template_graphs(clause: Any, with_graph: Any, targets: Targets, operation: str) -> None:
    if not clause:  # rdflib gives '' for an absent clause
        return
    for graph in _field(clause, "quads") or {}:
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


GRAPH_MANAGEMENT = {"CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "LOAD"}


def _iri(token: Token, prefixes: dict[str, str], base: str | None) -> str:
    if token.kind == "iri":
        iri = token.text[1:-1]
        if ":" not in iri.split("/", 1)[0] and base:  # relative: resolve as the engine would
            return urljoin(base, iri)
        return iri
    if token.kind == "pname":
        prefix, _, local = token.text.partition(":")
        if prefix in prefixes and "\\" not in local:
            return prefixes[prefix] + local
    raise UnreadableUpdate(f"cannot read a graph name at offset {token.start}: {token.text!r}")


def _data_graphs(op: list[Token], prefixes: dict[str, str], base: str | None, targets: Targets) -> None:
    """INSERT DATA / DELETE DATA: GRAPH names inside the block; any other term there is a triple
    of the default graph."""
    inside = [t for t in op[2:] if t.depth >= 1]
    for i, token in enumerate(inside):
        if token.depth != 1:
            continue
        if token.keyword == "GRAPH":
            targets.graphs.add(_iri(inside[i + 1], prefixes, base))
        elif token.text not in ("{", "}", ".") and not (i and inside[i - 1].keyword == "GRAPH"):
            targets.graphs.add(DEFAULT)


def _management_graphs(op: list[Token], prefixes: dict[str, str], base: str | None, targets: Targets) -> None:
    """CLEAR, DROP, CREATE, ADD, MOVE, COPY, LOAD: graph references in fixed places."""
    name = op[0].keyword
    refs: list[str] = []  # IRIs, DEFAULT, NAMED or ALL, in order
    words = [t for t in op[1:] if t.keyword not in ("SILENT", "GRAPH", "TO", "INTO")]
    for token in words:
        if token.keyword in ("DEFAULT", "NAMED", "ALL"):
            refs.append(token.keyword)
        else:
            refs.append(_iri(token, prefixes, base))
    if name == "LOAD":
        refs = refs[1:] or [DEFAULT]  # the source is fetched, not written
    elif name in ("ADD", "COPY"):
        refs = refs[1:]
    for ref in refs:
        if ref in ("NAMED", "ALL"):
            targets.every_graph.append(f"{name} {ref}")
        else:
            targets.graphs.add(ref)


def written_graphs(update: str, base_iri: str | None = None) -> Targets:
    """The graphs ``update`` may write; UnreadableUpdate when it cannot be read for that."""
    targets = Targets()
    prefixes: dict[str, str] = {}
    prologue: list[str] = []
    base = base_iri
    toks = significant(update)
    i = 0
    while i < len(toks):
        token = toks[i]
        if token.keyword == "PREFIX" and i + 2 < len(toks):
            prefixes[toks[i + 1].text[:-1]] = toks[i + 2].text[1:-1]
            prologue.append(update[token.start : toks[i + 2].start + len(toks[i + 2].text)])
            i += 3
            continue
        if token.keyword == "BASE" and i + 1 < len(toks):
            base = urljoin(base or "", toks[i + 1].text[1:-1])
            prologue.append(update[token.start : toks[i + 1].start + len(toks[i + 1].text)])
            i += 2
            continue
        if token.text == ";" and token.depth == 0:
            i += 1
            continue
        end = next((j for j in range(i, len(toks)) if toks[j].text == ";" and toks[j].depth == 0), len(toks))
        op = toks[i:end]
        if token.keyword in ("INSERT", "DELETE") and len(op) > 1 and op[1].keyword == "DATA":
            _data_graphs(op, prefixes, base, targets)
        elif token.keyword in GRAPH_MANAGEMENT:
            _management_graphs(op, prefixes, base, targets)
        else:  # DELETE/INSERT … WHERE, WITH …, DELETE WHERE: parsed
            stop = toks[end].start if end < len(toks) else len(update)
            _parsed_targets("\n".join(prologue) + "\n" + update[token.start : stop], base, targets)
        i = end
    return targets


def _parsed_targets(update: str, base_iri: str | None, targets: Targets) -> None:
    try:
        parsed = translateUpdate(parseUpdate(update), base=base_iri)
    except (ParseException, ValueError, TypeError, KeyError) as exc:
        raise UnreadableUpdate(str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from None
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
