"""SPARQL text from rdflib's query algebra, for the algebra a rewrite produces.

rdflib's own ``translateAlgebra`` works by string replacement and loses parts of a query (a
``BIND`` after a group, the ``FILTER`` of an ``OPTIONAL``: shown in tests/unit/test_rewrite.py),
so this module writes the text itself, for a closed set of algebra nodes and expressions, and
refuses the rest with :class:`Unsupported` (the caller then runs the query as written). Whatever
it writes is parsed again by :mod:`kg.sparql.rewrite` and compared with the algebra it came from;
text that would not mean the same algebra is never used.

Every expression is written in parentheses, every IRI in full (no prefixes), so precedence and
prefixes cannot change meaning.
"""

from __future__ import annotations

from typing import Any

from rdflib.paths import AlternativePath, InvPath, MulPath, NegatedPath, Path, SequencePath
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import BNode, Literal, URIRef, Variable


class Unsupported(Exception):
    """The algebra holds something this module does not write; the query runs as written."""


# Expression nodes written as ``left OP right``; their other operands are in ``other``.
_CHAINS = {"ConditionalOrExpression": "||", "ConditionalAndExpression": "&&"}
# EXISTS patterns: kg.sparql.rewrite has put rdflib's translation of the pattern in ``graph``.
_EXISTS = {"Builtin_EXISTS": "EXISTS", "Builtin_NOTEXISTS": "NOT EXISTS"}


def term(node: Any) -> str:
    """An RDF term or variable, in full."""
    if isinstance(node, Variable):
        return "?" + str(node)
    if isinstance(node, (URIRef, Literal)):
        return node.n3()
    if isinstance(node, BNode):
        return "_:" + str(node)
    raise Unsupported(f"term {node!r}")


def path(node: Any) -> str:
    """A predicate or property path."""
    if isinstance(node, URIRef):
        return node.n3()
    if isinstance(node, Variable):
        return term(node)
    if isinstance(node, SequencePath):
        return "(" + "/".join(path(p) for p in node.args) + ")"
    if isinstance(node, AlternativePath):
        return "(" + "|".join(path(p) for p in node.args) + ")"
    if isinstance(node, InvPath):
        return "^(" + path(node.arg) + ")"
    if isinstance(node, MulPath):
        return "(" + path(node.path) + ")" + str(node.mod)
    if isinstance(node, NegatedPath):
        parts = [p.n3() if isinstance(p, URIRef) else "^" + _inverse_iri(p) for p in node.args]
        return "!(" + "|".join(parts) + ")"
    if isinstance(node, Path):
        raise Unsupported(f"path {node!r}")
    raise Unsupported(f"predicate {node!r}")


def _inverse_iri(node: Any) -> str:
    if isinstance(node, InvPath) and isinstance(node.arg, URIRef):
        return node.arg.n3()
    raise Unsupported(f"negated path member {node!r}")


class Writer:
    """Writes one query; ``aggregates`` maps rdflib's ``__agg_N__`` variables to their aggregate."""

    def __init__(self) -> None:
        self.aggregates: dict[Variable, str] = {}

    # -- expressions -------------------------------------------------------------------------
    def expr(self, node: Any) -> str:
        if isinstance(node, Variable) and node in self.aggregates:
            return self.aggregates[node]
        if not isinstance(node, CompValue):
            return term(node)
        name = node.name
        if name in _CHAINS:
            parts = [self.expr(node.expr)] + [self.expr(o) for o in node.other or []]
            return "(" + f" {_CHAINS[name]} ".join(parts) + ")"
        if name == "RelationalExpression":
            if node.op in ("IN", "NOT IN"):
                return f"({self.expr(node.expr)} {node.op} ({', '.join(self.expr(o) for o in node.other)}))"
            return f"({self.expr(node.expr)} {node.op} {self.expr(node.other)})"
        if name in ("AdditiveExpression", "MultiplicativeExpression"):
            text = self.expr(node.expr)
            for op, other in zip(node.op or [], node.other or [], strict=True):
                text += f" {op} {self.expr(other)}"
            return "(" + text + ")"
        if name in ("UnaryNot", "UnaryMinus", "UnaryPlus"):
            sign = {"UnaryNot": "!", "UnaryMinus": "-", "UnaryPlus": "+"}[name]
            return f"({sign}{self.expr(node.expr)})"
        if name == "Function":
            distinct = "DISTINCT " if node.distinct else ""
            args = ", ".join(self.expr(a) for a in node.expr or [])
            return f"{node.iri.n3()}({distinct}{args})"
        if name in _EXISTS:
            return f"({_EXISTS[name]} {{ " + self.group(node.graph) + " })"
        if name.startswith("Builtin_"):
            return name[len("Builtin_") :] + "(" + ", ".join(self._args(node)) + ")"
        raise Unsupported(f"expression {name}")

    def _args(self, node: CompValue) -> list[str]:
        """A builtin's arguments, in the order the parser met them."""
        args: list[str] = []
        for key, value in node.items():
            if key.startswith("_"):
                continue
            for item in value if isinstance(value, list) else [value]:
                args.append(self.expr(item))
        return args

    def aggregate(self, node: CompValue) -> str:
        kind = node.name[len("Aggregate_") :]
        distinct = "DISTINCT " if dict.get(node, "distinct") else ""  # CompValue.get returns the key when absent
        arg = "*" if node.vars == "*" else self.expr(node.vars)
        if kind == "GroupConcat":
            separator = dict.get(node, "separator")
            tail = f"; SEPARATOR={Literal(separator).n3()}" if separator is not None else ""
            return f"GROUP_CONCAT({distinct}{arg}{tail})"
        if kind not in ("Count", "Sum", "Min", "Max", "Avg", "Sample"):
            raise Unsupported(f"aggregate {kind}")
        return f"{kind.upper()}({distinct}{arg})"

    # -- graph patterns ----------------------------------------------------------------------
    def group(self, node: CompValue) -> str:
        """The content of a ``{ }`` group that rdflib translates back to ``node``."""
        if node.name == "Filter":
            return self.group_elements(node.p) + f" FILTER({self.expr(node.expr)})"
        return self.group_elements(node)

    def group_elements(self, node: CompValue) -> str:
        """Group elements whose left-to-right translation is ``node`` (no FILTER at this level)."""
        name = node.name
        if name == "BGP":
            return self.triples(node.triples)
        if name == "Join":
            # A BGP joined to what precedes it is written inline, not as a nested { } group:
            # pyoxigraph plans a nested group on its own, before it knows what the group's
            # earlier patterns bind (a separate group made cq01 22x slower).
            right = self.triples(node.p2.triples) if node.p2.name == "BGP" else self.element(node.p2)
            return self.group_elements(node.p1) + " " + right
        if name == "LeftJoin":
            condition = dict.get(node, "expr")
            inner = self.group(node.p2)
            if condition is not None and not (isinstance(condition, CompValue) and condition.name == "TrueFilter"):
                inner += f" FILTER({self.expr(condition)})"
            return self.group_elements(node.p1) + " OPTIONAL { " + inner + " }"
        if name == "Minus":
            return self.group_elements(node.p1) + " MINUS { " + self.group(node.p2) + " }"
        if name == "Extend":
            return self.group_elements(node.p) + f" BIND({self.expr(node.expr)} AS {term(node.var)})"
        return self.element(node)

    def element(self, node: CompValue) -> str:
        """One group element standing for ``node`` (joined to what precedes it)."""
        name = node.name
        if name == "Union":
            return "{ " + self.group(node.p1) + " } UNION { " + self.group(node.p2) + " }"
        if name == "Graph":
            return f"GRAPH {term(node.term)} {{ " + self.group(node.p) + " }"
        if name == "ToMultiSet" and node.p.name == "values":
            return self.values(node.p.res)
        if name == "ToMultiSet":
            return "{ " + Writer().select(node.p) + " }"
        if name in ("BGP", "Join", "LeftJoin", "Minus", "Extend", "Filter"):
            return "{ " + self.group(node) + " }"
        raise Unsupported(f"graph pattern {name}")

    @staticmethod
    def triples(triples: list[tuple[Any, Any, Any]]) -> str:
        return " ".join(f"{term(s)} {path(p)} {term(o)} ." for s, p, o in triples)

    @staticmethod
    def values(rows: list[dict[Variable, Any]]) -> str:
        names: list[Variable] = []
        for row in rows:
            names.extend(v for v in row if v not in names)
        cells = [
            "(" + " ".join("UNDEF" if row.get(v, "UNDEF") == "UNDEF" else term(row[v]) for v in names) + ")"
            for row in rows
        ]
        return "VALUES (" + " ".join(term(v) for v in names) + ") { " + " ".join(cells) + " }"

    # -- queries -----------------------------------------------------------------------------
    def select(self, node: CompValue) -> str:
        """SELECT text for a (sub)query's modifiers: Slice? Distinct|Reduced? Project OrderBy?
        Extend* Filter(HAVING)? Extend* AggregateJoin Group, or Project over a plain pattern."""
        slice_ = modifier = None
        if node.name == "Slice":
            slice_, node = node, node.p
        if node.name in ("Distinct", "Reduced"):
            modifier, node = node.name.upper(), node.p
        if node.name != "Project":
            raise Unsupported(f"query modifier {node.name}")
        projected, node = list(node.PV), node.p
        order = None
        if node.name == "OrderBy":
            order, node = node.expr, node.p
        selected: dict[Variable, str] = {}
        having: list[str] = []
        pattern, group_by = self._aggregation(node, selected, having)
        head = " ".join(f"({selected[v]} AS {term(v)})" if v in selected else term(v) for v in projected)
        text = f"SELECT {modifier + ' ' if modifier else ''}{head or '*'} WHERE {{ {self.group(pattern)} }}"
        if group_by is not None:
            text += group_by
        if having:
            text += " HAVING(" + " && ".join(having) + ")"
        if order:
            text += " ORDER BY " + " ".join(
                f"{c.order}({self.expr(c.expr)})" if c.order else f"({self.expr(c.expr)})" for c in order
            )
        if slice_ is not None:
            if slice_.start:
                text += f" OFFSET {slice_.start}"
            if slice_.length is not None:
                text += f" LIMIT {slice_.length}"
        return text

    def _aggregation(
        self, node: CompValue, selected: dict[Variable, str], having: list[str]
    ) -> tuple[CompValue, str | None]:
        """Peel the select expressions, HAVING and GROUP BY off ``node``; the WHERE pattern
        and the GROUP BY text (None without grouping)."""
        chain: list[CompValue] = []
        while node.name in ("Extend", "Filter") and _above_aggregation(node):
            chain.append(node)
            node = node.p
        if node.name != "AggregateJoin":
            return node, None  # no grouping: select expressions are Extends of the pattern (BIND)
        for aggregate in node.A:
            self.aggregates[aggregate.res] = self.aggregate(aggregate)
        for step in reversed(chain):
            if step.name == "Extend":
                text = self.expr(step.expr)
                implicit = isinstance(step.expr, Variable) and text == f"SAMPLE({term(step.var)})"
                if text != term(step.var) and not implicit:  # rdflib adds SAMPLE(?v) AS ?v for group keys
                    selected[step.var] = text
            else:
                having.append(self.expr(step.expr))
        group = node.p
        if group.name != "Group":
            raise Unsupported("aggregation without Group")
        pattern = group.p
        keys: list[str] = []
        for key in group.expr or []:
            if isinstance(key, Variable):
                keys.append(term(key))
            else:
                raise Unsupported("GROUP BY expression")
        # GROUP BY (expr AS ?v) is an Extend right under the Group; written back as BIND.
        return pattern, (" GROUP BY " + " ".join(keys)) if keys else ""


def _above_aggregation(node: CompValue) -> bool:
    """Whether an Extend/Filter chain starting at ``node`` ends on an AggregateJoin."""
    while node.name in ("Extend", "Filter"):
        node = node.p
    return node.name == "AggregateJoin"


def query_text(query_name: str, algebra: CompValue) -> str:
    """The text of a SELECT or ASK query from its algebra; Unsupported for anything else."""
    writer = Writer()
    if query_name == "SelectQuery":
        return writer.select(algebra)
    if query_name == "AskQuery":
        if algebra.name == "Project":  # rdflib projects an ASK's pattern; ASK keeps no columns
            algebra = algebra.p
        return "ASK { " + writer.group(algebra) + " }"
    raise Unsupported(f"query form {query_name}")
