"""Rewriting a query's algebra into an equivalent one that pyoxigraph 0.5.13 plans well.

pyoxigraph plans each ``{ }`` group, OPTIONAL and BIND side on its own, before it knows what the
enclosing loop binds (../shared/design/query-engines.md): a required pattern written *after* an
OPTIONAL group is joined to the whole group afterwards (t8: 15 s), the same pattern written inside
the group drives it (t9: 30 ms). The rewrite moves required patterns to where they drive:

* **required into the base of OPTIONALs**: ``Join(LeftJoin(P, Q, F), R)`` becomes
  ``LeftJoin(Join(P, R), Q, F)`` when every variable R shares with Q or F is bound in every
  solution of P (then both sides pair the same P, Q and R solutions, and F sees the same values);
  through chains of OPTIONALs, level by level;
* **required before a BIND**: ``Join(Extend(P, ?v, e), R)`` becomes ``Extend(Join(P, R), ?v, e)``
  when ?v is not in R and every variable R shares with e is bound in every solution of P;
* **required before a UNION**: ``Join(Join(P, U), B)``, U a UNION and B a BGP sharing a variable
  bound in every solution of P, becomes ``Join(Join(P, B), U)`` (a join is commutative and
  associative), so that B can then move into P's OPTIONAL base too;
* **filters down the left spine**: a group's filter conjunct is applied to the leftmost part of
  the group it reads (:func:`kg.sparql.join_order.filter_down_left`);
* basic graph patterns that end up next to each other are merged into one.

The same rules apply inside the pattern of a ``FILTER EXISTS`` / ``NOT EXISTS`` (and of an
EXISTS in a BIND): rdflib translates that pattern but keeps the translation beside the syntax
(an attribute of the expression, not one of its fields), so :mod:`kg.sparql.translation` puts the
translation in its place before the rules run, and refuses (the query runs as written) where
rdflib left an EXISTS untranslated (in a SELECT expression, HAVING or ORDER BY).

Conservative by construction (issue 18, "Bad input"): the query is parsed and translated by
rdflib (never by hand); the rewrite runs only on SELECT and ASK queries without FROM, SERVICE
or constructs :mod:`kg.sparql.algebra_text` does not write; the new text is parsed again
and must translate to exactly the rewritten algebra. Anything else — an error anywhere, a rule
that does not apply — returns the query as written. The W3C query suites and a differential
test (tests/system/test_w3c_query_eval.py, tests/unit/test_rewrite_differential.py) check it.

Parsing and translating recurse (about 700 of the interpreter's 1,000 frames for
queries/actor-agreements.rq): a text not seen before is worked out on a new thread's stack
(:mod:`kg.sparql.fresh_stack`), so that whether a query is rewritten never depends on how deep
its caller is (a request handler, a test); the checks that need no parsing, and the cache, stay
in the caller's thread.

No I/O here: the caller (service.execution.worker_loop) decides when to use it.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pyparsing import ParseException
from rdflib.paths import Path
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import BNode, Variable

from kg.sparql.algebra_text import Unsupported, query_text
from kg.sparql.fresh_stack import on_fresh_stack
from kg.sparql.join_order import filter_down_left, filter_into_base, order_triples
from kg.sparql.lexer import Token, significant
from kg.sparql.translation import EXISTS, translate

# Only these can hold what the rules move; other queries are not even parsed (a lookup pays nothing).
_CANDIDATES = {"OPTIONAL", "BIND", "FILTER", "UNION"}
_PATH_OPERATORS = {"/", "|", "^"}  # and "*", "+" after a predicate: property paths
# SERVICE and FROM change the dataset.
_REFUSED = {"SERVICE", "FROM"}


@dataclass(frozen=True)
class Rewrite:
    """The text to run and the rules that produced it (empty: the query as written)."""

    text: str
    rules: tuple[str, ...] = ()
    reason: str = ""  # why the query runs as written, when it does


def rewrite(query: str, base_iri: str | None = None) -> Rewrite:
    """The query rewritten for pyoxigraph, or as written when no rule applies or anything is unsure."""
    if _surely_plain(query):
        return Rewrite(query, reason=_PLAIN)
    tokens = significant(query)
    keywords = {t.keyword for t in tokens if t.kind == "word"}
    if not keywords & _CANDIDATES and not _has_path(tokens):
        return Rewrite(query, reason=_PLAIN)
    if keywords & _REFUSED:
        return Rewrite(query, reason="SERVICE or FROM")
    try:
        if len(query) > _CACHED_CHARACTERS:  # the cache holds texts: its entries stay small, whatever clients send
            return _cached.__wrapped__(query, base_iri)
        return _cached(query, base_iri)
    except RuntimeError as exc:  # no thread could start (memory or thread limits): not cached, may pass next time
        return Rewrite(query, reason=f"not rewritten: {exc}")


# The lexer's IRI token (kg.sparql.lexer); what may stand before a star that is no path operator
# (SELECT *, COUNT(*)): the word or the bracket, not the end of a prefixed name, variable or tag.
_IRI = re.compile(r"<[^<>\"{}|^`\\\x00-\x20]*>")
_NAME_CHARACTER = r"[\w.\-:%\\?$@\u00B7\u00C0-\uFFFF]"
_BEFORE_A_STAR = re.compile(rf"(?<!{_NAME_CHARACTER})(?:SELECT|DISTINCT|REDUCED)\s*\Z|\(\s*\Z", re.IGNORECASE)
_PATH_CHARACTER = re.compile(r"[|^+/]|\?(?![A-Za-z0-9_\u00B7\u00C0-\uFFFF])")
_PLAIN = "no OPTIONAL, BIND, FILTER, UNION or property path"
_CACHED_CHARACTERS = 64 * 1024  # 512 entries of at most this (and its rewrite): tens of MB per worker


def _surely_plain(query: str) -> bool:
    """Whether the text alone shows what lexing would: no candidate keyword and no property path
    (then the query runs as written). A few microseconds of C-speed string searches instead of the
    lexer's Python loop, a lookup's largest cost in the rewriter: no candidate word anywhere in the
    text (every keyword token is a substring of it), and no path character once the IRIs are set
    aside (each replaced by ``~``, which no token continues), but the stars of ``SELECT *`` and
    ``COUNT(*)``. A path operator is a punctuation token, never inside an IRI; with no ``'``
    string and no blank node label in the text, an IRI-shaped run that starts inside another
    token (a comment, a "…" string) ends inside it too. False only means "lex it"
    (tests/unit/test_rewrite_plain.py)."""
    upper = query.upper()
    if any(word in upper for word in _CANDIDATES) or "'" in query or "_:" in query:
        return False
    rest = _IRI.sub("~", query)
    if _PATH_CHARACTER.search(rest):
        return False
    star = rest.find("*")
    while star >= 0:  # the look-behind sees past the window's start: a name cut there still counts
        if _BEFORE_A_STAR.search(rest, max(0, star - 40), star) is None:
            return False
        star = rest.find("*", star + 1)
    return True


@lru_cache(maxsize=512)
def _cached(query: str, base_iri: str | None) -> Rewrite:
    """The rewrite of a text, worked out at the bottom of a new thread's stack: the same from any
    caller. So a RecursionError there means the text is nested deeper than the interpreter's whole
    limit, from every caller alike: it runs as written, and that outcome is cached like any other
    (asking again would only parse it to the limit again)."""
    try:
        return on_fresh_stack(_rewritten, query, base_iri)
    except RecursionError as exc:
        return Rewrite(query, reason=f"not written back: {exc}")


def _rewritten(query: str, base_iri: str | None) -> Rewrite:
    """Translated, rewritten, written back and checked; a RecursionError goes to the caller."""
    try:
        parsed = translate(query, base_iri)
    except Unsupported as exc:
        return Rewrite(query, reason=f"not rewritten: {exc}")
    except RecursionError:
        raise
    except (ParseException, Exception) as exc:  # rdflib raises many kinds; the engine will say its own
        return Rewrite(query, reason=f"rdflib cannot translate it: {type(exc).__name__}")
    form = parsed.algebra.name
    if form not in ("SelectQuery", "AskQuery") or _field(parsed.algebra, "datasetClause"):
        return Rewrite(query, reason=f"{form} with its dataset is run as written")
    rules: list[str] = []
    try:
        rewritten = order_triples(_transform(parsed.algebra.p, rules), rules, mentioned)
        if not rules:
            return Rewrite(query, reason="no rule applies")
        if _selects_all(query):
            _keep_column_order(rewritten)
        text = query_text(form, rewritten)
        check = translate(text, base_iri).algebra.p
    except Unsupported as exc:
        return Rewrite(query, reason=f"not written back: {exc}")
    except RecursionError:
        raise
    except Exception as exc:  # the text we made does not parse: a bug here, never the user's
        return Rewrite(query, reason=f"rewritten text refused by rdflib: {type(exc).__name__}")
    if canonical(check) != canonical(rewritten):
        return Rewrite(query, reason="rewritten text does not translate back to the rewritten algebra")
    return Rewrite(text, tuple(dict.fromkeys(rules)))


def _has_path(tokens: list[Token]) -> bool:
    for before, token in itertools.pairwise(tokens):
        if token.kind == "punct" and token.depth > 0:
            if token.text in _PATH_OPERATORS:
                return True
            if token.text in ("*", "+", "?") and (before.kind in ("pname", "iri") or before.text in (")", "a")):
                return True
    return False


def _selects_all(query: str) -> bool:
    """Whether the query is SELECT * (its columns are then the engine's choice, not the text's)."""
    tokens = significant(query)
    for i, token in enumerate(tokens):
        if token.keyword == "SELECT":
            following = [t for t in tokens[i + 1 : i + 3] if t.keyword not in ("DISTINCT", "REDUCED")]
            return bool(following) and following[0].text == "*"
    return False


def _keep_column_order(node: CompValue) -> None:
    """Give the top Project of a SELECT * the columns pyoxigraph gives the query as written: sorted
    by name (rdflib's come from a set)."""
    while node.name in ("Slice", "Distinct", "Reduced"):
        node = node.p
    if node.name != "Project":
        raise Unsupported("SELECT * without a projection")
    node["PV"] = sorted(in_scope(node.p), key=str)


def in_scope(node: CompValue) -> set[Variable]:
    """The variables SELECT * projects from ``node`` (rdflib's list also has those of MINUS)."""
    name = node.name
    if name == "BGP":
        return {t for triple in node.triples for t in triple if isinstance(t, Variable)}
    if name in ("Join", "Union", "LeftJoin"):
        return in_scope(node.p1) | in_scope(node.p2)
    if name == "Minus":
        return in_scope(node.p1)
    if name == "Filter":
        return in_scope(node.p)
    if name == "Extend":
        return in_scope(node.p) | {node.var}
    if name == "Graph":
        return in_scope(node.p) | ({node.term} if isinstance(node.term, Variable) else set())
    if name == "ToMultiSet" and node.p.name == "values":
        return {v for row in node.p.res for v in row}
    if name == "ToMultiSet":
        inner = node.p
        while inner.name in ("Slice", "Distinct", "Reduced"):
            inner = inner.p
        if inner.name == "Project":
            return set(inner.PV)
    raise Unsupported(f"the columns of SELECT * over {name}")


# -- variables ---------------------------------------------------------------------------------
def mentioned(node: Any) -> set[Variable]:
    """Every variable anywhere under ``node`` (a superset of those in scope: safe for the checks)."""
    found: set[Variable] = set()
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, Variable):
            found.add(item)
        elif isinstance(item, CompValue):
            stack.extend(v for k, v in item.items() if k != "_vars")
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, Path):
            continue  # paths hold IRIs only
    return found


def certain(node: CompValue) -> set[Variable]:
    """Variables bound in every solution of ``node``; empty where unsure."""
    name = node.name
    if name == "BGP":
        return {t for triple in node.triples for t in triple if isinstance(t, Variable)}
    if name == "Join":
        return certain(node.p1) | certain(node.p2)
    if name in ("LeftJoin", "Minus"):
        return certain(node.p1)
    if name in ("Filter", "Extend"):
        return certain(node.p)
    if name == "Union":
        return certain(node.p1) & certain(node.p2)
    if name == "Graph":
        return certain(node.p) | ({node.term} if isinstance(node.term, Variable) else set())
    return set()


# -- rules -------------------------------------------------------------------------------------
def _transform(node: Any, rules: list[str], in_exists: bool = False) -> Any:
    """``node`` with the rules applied bottom-up; ``in_exists``: inside an EXISTS pattern, where
    a variable the pattern does not mention may still be bound (by the rows EXISTS is tested on)."""
    if not isinstance(node, CompValue):
        return node
    if node.name in ("values",):
        return node
    inner = in_exists or node.name in EXISTS
    children = CompValue(node.name, **{k: _transform(v, rules, inner) for k, v in node.items() if k != "_vars"})
    if children.name == "Join":
        return _join(children.p1, children.p2, rules)
    if children.name == "Filter":
        placed = filter_into_base(children, rules, mentioned, certain, outside_bound=in_exists)
        return placed if in_exists else filter_down_left(placed, rules, mentioned, certain)
    return children


def _join(left: CompValue, right: CompValue, rules: list[str]) -> CompValue:
    """Join(left, right), with a required pattern moved into an OPTIONAL or BIND base."""
    for base, required in ((left, right), (right, left)):
        if required.name == "BGP" and base.name in ("LeftJoin", "Extend"):
            moved = _into_base(base, required)
            if moved is not None:
                rules.append("required-into-optional-base" if base.name == "LeftJoin" else "required-before-bind")
                return moved
    # A join is commutative and associative: a BGP written after a UNION that it shares a variable
    # with what precedes the UNION goes before the UNION (cq06 at 1,000 articles: 2 s -> 0.16 s;
    # pyoxigraph plans the UNION on its own, and joins it better to fewer rows).
    if right.name == "BGP" and left.name == "Join" and left.p2.name == "Union" and mentioned(right) & certain(left.p1):
        rules.append("required-before-union")
        return CompValue("Join", p1=_join(left.p1, right, rules), p2=left.p2)
    if left.name == "BGP" and right.name == "BGP":
        return _merged(left, right)
    return CompValue("Join", p1=left, p2=right)


def _into_base(node: CompValue, required: CompValue) -> CompValue | None:
    """``node`` with ``required`` joined into its leftmost base; None when unsafe."""
    shared = mentioned(required)
    if node.name == "LeftJoin":
        inner = node.p1
        right_side = mentioned(node.p2) | mentioned(_field(node, "expr"))
        if not (shared & right_side) <= certain(inner):
            return None
        moved = _into_base(inner, required)
        if moved is None:
            moved = _merged(inner, required) if inner.name == "BGP" else CompValue("Join", p1=inner, p2=required)
        return CompValue("LeftJoin", p1=moved, p2=node.p2, expr=_field(node, "expr"))
    if node.name == "Extend":
        inner = node.p
        if node.var in shared or not (shared & mentioned(node.expr)) <= certain(inner):
            return None
        moved = _into_base(inner, required)
        if moved is None:
            moved = _merged(inner, required) if inner.name == "BGP" else CompValue("Join", p1=inner, p2=required)
        return CompValue("Extend", p=moved, expr=node.expr, var=node.var)
    return None


def _merged(a: CompValue, b: CompValue) -> CompValue:
    """Two BGPs as one (blank node labels cannot be shared between BGPs of a query, so none clash)."""
    return CompValue("BGP", triples=list(a.triples) + list(b.triples))


_AGGREGATE_VAR = re.compile(r"__agg_\d+__")
_NOT_MEANING = {"_vars", "lazy"}  # rdflib's annotations for its own evaluator


# -- comparison --------------------------------------------------------------------------------
def canonical(node: Any, names: dict[Variable, str] | None = None) -> Any:
    """A comparable form of an algebra tree: blank nodes anonymised, rdflib's ``__agg_N__``
    variables numbered by first occurrence, BGP triples as a sorted multiset, adjacent BGPs of a
    Join merged (the same meaning), rdflib's evaluator annotations dropped."""
    names = {} if names is None else names
    if isinstance(node, CompValue):
        if node.name == "Join" and node.p1.name == "BGP" and node.p2.name == "BGP":
            return canonical(_merged(node.p1, node.p2), names)
        if node.name == "BGP":
            triples = (repr(tuple(canonical(t, names) for t in triple)) for triple in node.triples)
            return ("BGP", tuple(sorted(triples)))
        items = sorted((k, v) for k, v in node.items() if k not in _NOT_MEANING)
        return (node.name, tuple((k, canonical(v, names)) for k, v in items))
    if isinstance(node, Variable) and _AGGREGATE_VAR.fullmatch(str(node)):
        return names.setdefault(node, f"?agg{len(names)}")
    if isinstance(node, BNode):
        return "_:"
    if isinstance(node, (list, tuple)):
        return tuple(canonical(v, names) for v in node)
    if isinstance(node, dict):
        return tuple(sorted((repr(canonical(k, names)), repr(canonical(v, names))) for k, v in node.items()))
    if isinstance(node, set):
        return tuple(sorted(repr(canonical(v, names)) for v in node))
    return repr(node)


def _field(node: CompValue, key: str) -> Any:
    """A field of a CompValue, None when absent (CompValue.get resolves variables instead)."""
    return dict.get(node, key)
