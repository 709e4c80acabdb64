"""rdflib's algebra of a SPARQL text, as :mod:`kg.sparql.rewrite` reads it: the triples of each
BGP in the order written, the pattern of each EXISTS / NOT EXISTS translated in its place, and a
FILTER on a constant refused (rdflib's algebra drops it). Raises :class:`Unsupported` for what
the rewriter must not touch; rdflib's own exceptions (ParseException and others) for the rest.

No I/O; it recurses deeply (the parser and the algebra), so the rewriter calls it on a fresh
thread's stack (:mod:`kg.sparql.fresh_stack`). The parse runs with pyparsing's packrat memoization
off: it is one switch for the whole process, and importing matplotlib turns it on (its mathtext
parser wants it; kg.plots draws with matplotlib). With it on, every level of the grammar costs more
frames: queries/actor-agreements.rq, about 700 frames without it, ran out of the interpreter's
1,000 even on a fresh thread (the fresh clone's suite, where a plot test had run before).
"""

from __future__ import annotations

import threading
from typing import Any

from pyparsing import ParserElement, ParseResults
from rdflib.plugins.sparql import algebra
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import Variable

from kg.sparql.algebra_text import Unsupported

__all__ = ["EXISTS", "translate"]

EXISTS = ("Builtin_EXISTS", "Builtin_NOTEXISTS")
_SWAPPING = threading.Lock()  # rdflib's reorderTriples and pyparsing's memoization, swapped for one translation


def translate(text: str, base_iri: str | None) -> Any:
    """rdflib's algebra of ``text``, its BGPs' triples in the order written: rdflib sorts them for
    its own evaluator (by bound terms, then by the terms themselves), which would lose the author's
    order, the one pyoxigraph uses to break ties (kg.sparql.join_order keeps it where it has no
    better reason). Swapped for this call only, one call at a time: each translation runs on a
    thread of its own (kg.sparql.fresh_stack), and the swap is the whole module's."""
    with _SWAPPING:
        tree = _parsed_without_memoization(text)
    if _constant_filter(tree):
        raise Unsupported("a FILTER on a constant, which rdflib's algebra drops when the constant is false")
    with _SWAPPING:
        original = algebra.reorderTriples
        algebra.reorderTriples = list  # type: ignore[assignment]
        try:
            query = algebra.translateQuery(tree, base=base_iri)
        finally:
            algebra.reorderTriples = original
    query.algebra = _exists_translated(query.algebra)
    return query


def _parsed_without_memoization(text: str) -> Any:
    """rdflib's parse of ``text`` with pyparsing's packrat and left-recursion memoization off for
    its length (module docstring), put back as they were: another thread parsing meanwhile (a
    mathtext label) only parses without its cache, with the same result."""
    saved = (ParserElement._parse, ParserElement._packratEnabled, ParserElement._left_recursion_enabled)
    ParserElement._parse = ParserElement._parseNoCache
    ParserElement._packratEnabled = ParserElement._left_recursion_enabled = False
    try:
        return parseQuery(text)
    finally:
        ParserElement._parse, ParserElement._packratEnabled, ParserElement._left_recursion_enabled = saved


def _constant_filter(node: Any) -> bool:
    """Whether the parse tree holds a FILTER whose expression is a constant: rdflib keeps a group's
    filters only ``if filters:``, so ``FILTER(false)``, ``FILTER(0)`` or ``FILTER("")`` vanish from
    its algebra (and from any text written back from it), and the query would gain rows."""
    if isinstance(node, CompValue):
        if node.name == "Filter":
            expr = node.get("expr")
            while isinstance(expr, CompValue) and set(expr) == {"expr"}:  # one operand, no operator
                expr = expr["expr"]
            if not isinstance(expr, (CompValue, Variable, list)) or getattr(expr, "name", "") == "literal":
                return True
        return any(_constant_filter(value) for value in node.values())
    if isinstance(node, (list, tuple, ParseResults)):
        return any(_constant_filter(value) for value in node)
    return False


def _exists_translated(node: Any) -> Any:
    """``node`` with each EXISTS / NOT EXISTS holding its translated pattern as its ``graph``
    field. rdflib's translateExists assigns the translation as an *attribute* of the expression
    (what rdflib's evaluator reads), leaving the parsed syntax in the field; it also skips
    rdflib's ``simplify`` pass (empty BGPs joined in), applied here. An EXISTS rdflib did not
    translate raises :class:`Unsupported`."""
    if isinstance(node, CompValue):
        fields = {k: _exists_translated(v) for k, v in node.items()}
        if node.name in EXISTS:
            translated = vars(node).get("graph")
            if not isinstance(translated, CompValue) or translated.name in ("GroupGraphPatternSub", "SubSelect"):
                raise Unsupported("an EXISTS rdflib left untranslated")
            fields["graph"] = _exists_translated(algebra.traverse(translated, visitPost=algebra.simplify))
        return CompValue(node.name, **fields)
    if isinstance(node, list):
        return [_exists_translated(v) for v in node]
    return node
