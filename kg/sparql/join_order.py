"""Where filters apply and in which order a basic graph pattern's triples are written: the two
things pyoxigraph 0.5.13's planner gets from the text rather than from the data.

Its join order comes from fixed estimates by which positions are constants, FILTERs are not
counted, and ties go to the pattern written first (../shared/design/query-engines.md, issue 18):
the same BGP written in two orders can differ 8× (bench/natural/22-all-agents-by-class). So:

* :func:`order_triples` writes every BGP of two or more triples in an order that depends on how it
  was written only where nothing better decides: each next pattern the one with the most
  variables bound, by what comes before the BGP (an OPTIONAL's or UNION branch's BGP is planned
  before the engine knows them) or by the patterns already chosen; among equals, closures (``*``,
  ``+``) with no end bound last; then patterns a *selective* FILTER of the same group tests
  (:func:`selective`: the value against a constant, ``= <c>``, ``sameTerm``, ``IN (…)``, a text
  search), then those another test of their variable alone reads (``LANG(?l) = "en"``,
  ``EXISTS { ?x … }``), then those with more constant ends; ties keep the written order (a
  well-written order stays: sorting ties by their text made cq01 3x slower). A BGP is a
  conjunction: any order has the same solutions. When any FILTER came first, ``?speaker
  rdfs:label ?l FILTER(LANG(?l) IN …)`` went before the invocation the OPTIONAL's base binds in
  precedent-invocations (10,000 articles: 11 ms as written, 376 ms rewritten), an open
  ``skos:broader*`` tested by an EXISTS first in proposal-precedents (0.3 -> 59 ms), and a cursor
  test of two variables reordered contradictions' page (643 -> 792 ms).
* :func:`filter_into_base` moves the conjuncts of a group's FILTER into the base of its OPTIONALs
  (or under a BIND) when every variable they read that the group mentions is bound in every
  solution of that base: the OPTIONAL extends each base row without changing those variables, so
  the filter keeps the same rows; in the base, the engine applies it before the OPTIONALs run.
  A ``FILTER NOT EXISTS`` on base variables thus runs once per base row, not per OPTIONAL row.

No I/O; used by :mod:`kg.sparql.rewrite`, which checks the text it writes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rdflib.paths import AlternativePath, InvPath, MulPath, Path, SequencePath
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import Literal, URIRef, Variable

# Functions whose value differs between evaluations: a filter on them is never moved.
_VOLATILE = {"Builtin_RAND", "Builtin_BNODE", "Builtin_UUID", "Builtin_STRUUID", "Builtin_NOW"}


def _variables(triple: tuple[Any, Any, Any]) -> set[Variable]:
    return {t for t in (triple[0], triple[2]) if isinstance(t, Variable)}


def _closure(path: Any) -> bool:
    if isinstance(path, MulPath):
        return True
    if isinstance(path, (SequencePath, AlternativePath)):
        return any(_closure(p) for p in path.args)
    if isinstance(path, InvPath):
        return _closure(path.arg)
    return False


def _score(
    triple: tuple[Any, Any, Any], filtered: dict[Variable, int], bound: set[Variable]
) -> tuple[int, int, int, int]:
    s, p, o = triple
    variables = _variables(triple)
    constants = (not isinstance(s, Variable)) + (not isinstance(o, Variable))
    keys = len(variables & bound)
    open_closure = isinstance(p, Path) and _closure(p) and constants + keys == 0
    # A bound variable is a key the engine looks up once per row; a filter only cuts the rows a
    # pattern has already read, so every such key ranks before it.
    tested = min((filtered.get(v, _UNTESTED) for v in variables), default=_UNTESTED)
    return (-keys, int(open_closure), tested, -constants)


def ordered(
    triples: list[tuple[Any, Any, Any]],
    filtered: dict[Variable, int],
    outer: frozenset[Variable] = frozenset(),
) -> list[tuple[Any, Any, Any]]:
    """The triples greedily, each next the best-scored given those chosen: most variables bound
    (by ``outer``, the variables the patterns before this BGP bind, such as an OPTIONAL's left
    side, or by the triples chosen), ties broken by :func:`_score`'s other keys, then by the
    written order; ``filtered``: the variables a FILTER of the group tests, by :func:`_tests`."""
    left = list(triples)
    chosen: list[tuple[Any, Any, Any]] = []
    bound: set[Variable] = set(outer)
    while left:
        pick = min(left, key=lambda t: _score(t, filtered, bound))  # the first of equals: written order
        left.remove(pick)
        chosen.append(pick)
        bound |= _variables(pick)
    return chosen


def order_triples(node: Any, rules: list[str], mentioned: Callable[[Any], set[Variable]]) -> Any:
    """``node`` with every BGP's triples in :func:`ordered` order (records "bgp-order" for each BGP of 2+)."""
    return _order(node, rules, mentioned, {}, frozenset())


def _order(
    node: Any,
    rules: list[str],
    mentioned: Callable[[Any], set[Variable]],
    filtered: dict[Variable, int],
    outer: frozenset[Variable],
) -> Any:
    if not isinstance(node, CompValue):
        return node
    name = node.name
    if name == "BGP":
        triples = list(node.triples)
        if len(triples) < 2:
            return node
        # rdflib has already reordered the triples (its own heuristic): whatever the text said is
        # lost, so the order is always written, the same for every way the BGP was written.
        rules.append("bgp-order")
        return CompValue("BGP", triples=ordered(triples, filtered, outer))
    if name == "values":
        return node
    # Which variables a FILTER of the same group tests, and which the patterns before a child
    # may bind (its BGP starts from them: the engine plans the child before it knows them).
    same_group = {"Filter": ("p",), "Join": ("p1", "p2"), "LeftJoin": ("p1",), "Extend": ("p",), "Minus": ("p1",)}
    after_left = {"Join": "p2", "LeftJoin": "p2", "Minus": "p2"}
    here = _merge(filtered, _tests(node.expr, mentioned)) if name == "Filter" else filtered
    values = {}
    for key, value in node.items():
        if key == "_vars":
            continue
        if after_left.get(name) == key:
            child_outer = outer | frozenset(mentioned(node.p1))
        elif name == "ToMultiSet":
            child_outer = frozenset()  # a sub-SELECT is evaluated on its own
        elif key == "expr" and name in ("Filter", "Extend", "LeftJoin"):
            # an EXISTS pattern in the expression runs per row of the pattern: it starts from those
            patterns = [v for k, v in node.items() if k in ("p", "p1", "p2")]
            child_outer = outer | frozenset().union(*(mentioned(p) for p in patterns))
        else:
            child_outer = outer
        if name == "LeftJoin" and key == "p2":
            child_filtered = _tests(dict.get(node, "expr"), mentioned)  # the OPTIONAL's own FILTER
        elif key in same_group.get(name, ()) or name == "Union":
            child_filtered = here
        else:
            child_filtered = {}
        if isinstance(value, CompValue):
            value = _order(value, rules, mentioned, child_filtered, child_outer)
        values[key] = value
    return CompValue(name, **values)


# Functions of a term that keep its value (not its shape: LANG, DATATYPE, isIRI…): a constant test
# on them keeps about as few rows as one on the variable.
_VALUE_OF = {"Builtin_STR", "Builtin_LCASE", "Builtin_UCASE"}
_SEARCH = {
    "Builtin_CONTAINS": ("arg1", "arg2"),
    "Builtin_STRSTARTS": ("arg1", "arg2"),
    "Builtin_STRENDS": ("arg1", "arg2"),
    "Builtin_REGEX": ("text", "pattern"),
}


def _value_of(expr: Any) -> Variable | None:
    """The variable whose value ``expr`` is, up to STR, case and casts; None otherwise."""
    while isinstance(expr, CompValue):
        if expr.name in _VALUE_OF:
            expr = expr.arg
        elif expr.name == "Function" and len(expr.expr or []) == 1:  # xsd:string(?x) and the other casts
            expr = expr.expr[0]
        else:
            return None
    return expr if isinstance(expr, Variable) else None


def _constant(expr: Any) -> bool:
    """An IRI or a literal written in the query (an empty string matches every text: not one)."""
    return isinstance(expr, (URIRef, Literal)) and str(expr) != ""


def selective(expr: Any) -> set[Variable]:
    """The variables a filter ``expr`` tests against constants: ``?x = <c>``, ``sameTerm(?x, <c>)``,
    ``?x IN (<c>, …)``, ``CONTAINS``/``STRSTARTS``/``STRENDS``/``REGEX`` of ``?x``'s text with a
    constant (a search keeps few labels: bench/natural/20, 30), up to ``STR``/``LCASE``/casts;
    for ``&&`` those of any part, for ``||`` those every part tests. Nothing for what keeps
    most rows or tells nothing about a pattern's rows alone: ``LANG(?l) IN ("en", "")``,
    ``LANGMATCHES``, ``BOUND``, ``!=``, ranges, ``?x = ?y``, ``EXISTS``."""
    if not isinstance(expr, CompValue):
        return set()
    name = expr.name
    if name == "ConditionalAndExpression":
        return set().union(*(selective(part) for part in _conjuncts(expr)))
    if name == "ConditionalOrExpression":
        parts = [selective(part) for part in [expr.expr, *(expr.other or [])]]
        return set.intersection(*parts)
    pairs: list[tuple[Any, Any]] = []
    if name == "RelationalExpression" and expr.op == "=":
        pairs = [(expr.expr, expr.other), (expr.other, expr.expr)]
    elif name == "RelationalExpression" and expr.op == "IN":
        others = list(expr.other or [])
        pairs = [(expr.expr, others[0])] if others and all(_constant(o) for o in others) else []
    elif name == "Builtin_sameTerm":
        pairs = [(expr.arg1, expr.arg2), (expr.arg2, expr.arg1)]
    elif name in _SEARCH:
        text, pattern = _SEARCH[name]
        pairs = [(expr[text], expr[pattern])]
    return {v for value, constant in pairs if _constant(constant) and (v := _value_of(value)) is not None}


_SELECTIVE, _ONE_VARIABLE, _UNTESTED = 0, 1, 2  # how a FILTER tests a variable: the order's third key


def _tests(expr: Any, mentioned: Callable[[Any], set[Variable]]) -> dict[Variable, int]:
    """The variables a FILTER ``expr`` tests, each with its rank: ``_SELECTIVE`` for a
    :func:`selective` test, ``_ONE_VARIABLE`` for any other conjunct that reads that variable
    alone (``LANG(?alt) = "en"``, ``EXISTS { ?x … }``: a test of one pattern's rows, which cuts
    them before the joins, a tie-break only). A conjunct over two variables (``?a < ?b``, cursor
    tests) compares rows of two patterns: it says nothing about either alone."""
    ranks: dict[Variable, int] = {}
    for part in _conjuncts(expr) if expr is not None else []:
        read = mentioned(part)
        found = dict.fromkeys(selective(part), _SELECTIVE)
        if not found and len(read) == 1 and not _volatile(part):
            found = dict.fromkeys(read, _ONE_VARIABLE)
        ranks = _merge(ranks, found)
    return ranks


def _merge(a: dict[Variable, int], b: dict[Variable, int]) -> dict[Variable, int]:
    return {v: min(a.get(v, _UNTESTED), b.get(v, _UNTESTED)) for v in a.keys() | b.keys()}


def _conjuncts(expr: Any) -> list[Any]:
    if isinstance(expr, CompValue) and expr.name == "ConditionalAndExpression":
        return [expr.expr, *(expr.other or [])]
    return [expr]


def _conjunction(parts: list[Any]) -> Any:
    if len(parts) == 1:
        return parts[0]
    return CompValue("ConditionalAndExpression", expr=parts[0], other=parts[1:])


def _volatile(expr: Any) -> bool:
    stack = [expr]
    while stack:
        item = stack.pop()
        if isinstance(item, CompValue):
            if item.name in _VOLATILE:
                return True
            stack.extend(v for k, v in item.items() if k != "_vars")
        elif isinstance(item, list):
            stack.extend(item)
    return False


def filter_into_base(
    node: CompValue,
    rules: list[str],
    mentioned: Callable[[Any], set[Variable]],
    certain: Callable[[CompValue], set[Variable]],
    outside_bound: bool = False,
) -> CompValue:
    """``Filter(F, p)`` with the conjuncts of F that are safe to move pushed into p's base;
    ``outside_bound``: the filter is inside an EXISTS pattern, so every variable it reads counts."""
    inner = node.p
    if inner.name not in ("LeftJoin", "Extend"):
        return node
    kept: list[Any] = []
    moved: list[Any] = []
    # A variable the pattern never mentions is unbound above and in the base alike (an EXISTS
    # pattern's own variables, typically): only the pattern's variables must be certain in the base.
    # Inside an EXISTS pattern the rows it is tested on bind more: there, every variable counts.
    in_pattern = mentioned(inner)
    for part in _conjuncts(node.expr):
        target = _base(inner)
        read = mentioned(part)
        needed = read if outside_bound else read & in_pattern
        safe = not _volatile(part) and needed <= certain(target) and not _binds(inner, read)
        (moved if safe else kept).append(part)
    if not moved:
        return node
    rules.append("filter-into-optional-base")
    pushed = _push(inner, _conjunction(moved))
    return CompValue("Filter", expr=_conjunction(kept), p=pushed) if kept else pushed


def _base(node: CompValue) -> CompValue:
    while node.name in ("LeftJoin", "Extend"):
        node = node.p1 if node.name == "LeftJoin" else node.p
    return node


def _binds(node: CompValue, variables: set[Variable]) -> bool:
    """Whether a BIND on the way down to the base sets one of ``variables``."""
    while node.name in ("LeftJoin", "Extend"):
        if node.name == "Extend" and node.var in variables:
            return True
        node = node.p1 if node.name == "LeftJoin" else node.p
    return False


def _push(node: CompValue, expr: Any) -> CompValue:
    if node.name == "LeftJoin":
        return CompValue("LeftJoin", p1=_push(node.p1, expr), p2=node.p2, expr=dict.get(node, "expr"))
    if node.name == "Extend":
        return CompValue("Extend", p=_push(node.p, expr), expr=node.expr, var=node.var)
    return CompValue("Filter", expr=expr, p=node)


def filter_down_left(
    node: CompValue,
    rules: list[str],
    mentioned: Callable[[Any], set[Variable]],
    certain: Callable[[CompValue], set[Variable]],
) -> CompValue:
    """``Filter(F, p)`` with each conjunct of F applied as far down the left spine of p as its
    meaning allows: into A of ``Join(A, B)`` or ``LeftJoin(A, B)`` when every variable it reads that
    B mentions is bound in every solution of A (B then cannot bind or change it, and A's rows
    keep the values the filter saw), past a BIND of another variable. pyoxigraph applies a
    group's FILTER after the whole group; on the left spine it cuts the rows before the rest is
    joined (cq06: the stance/position-type test before the UNION and the evidence hops). Only the
    left spine: the filtered part is then written as the group's first element, and a nested
    group first in its group loses nothing by being planned alone."""
    if node.name != "Filter":
        return node
    kept: list[Any] = []
    inner = node.p
    moved_any = False
    for part in _conjuncts(node.expr):
        read = mentioned(part)
        if _volatile(part) or _depth(inner, read, mentioned, certain) == 0:
            kept.append(part)
            continue
        inner = _down(inner, part, read, mentioned, certain)
        moved_any = True
    if not moved_any:
        return node
    rules.append("filter-down-left")
    return CompValue("Filter", expr=_conjunction(kept), p=inner) if kept else inner


def _step(node: CompValue, read: set[Variable], mentioned: Callable, certain: Callable) -> str | None:
    """The child of ``node`` a filter reading ``read`` may be applied to instead, if any."""
    if node.name in ("Join", "LeftJoin"):
        right = mentioned(node.p2) | (mentioned(dict.get(node, "expr")) if node.name == "LeftJoin" else set())
        return "p1" if read & right <= certain(node.p1) else None
    if node.name == "Extend":
        return "p" if node.var not in read else None
    return None


def _depth(node: CompValue, read: set[Variable], mentioned: Callable, certain: Callable) -> int:
    depth = 0
    while (key := _step(node, read, mentioned, certain)) is not None:
        node, depth = node[key], depth + 1
    return depth


def _down(node: CompValue, part: Any, read: set[Variable], mentioned: Callable, certain: Callable) -> CompValue:
    key = _step(node, read, mentioned, certain)
    if key is None:
        return CompValue("Filter", expr=part, p=node)
    return CompValue(
        node.name,
        **{**{k: v for k, v in node.items() if k != "_vars"}, key: _down(node[key], part, read, mentioned, certain)},
    )
