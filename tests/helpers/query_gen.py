"""Hypothesis strategies for SPARQL queries over PeaceKG's ontology terms, shaped like the queries
people write: joins through the evidence hops (statement → annotation → span → selector),
OPTIONAL groups, UNION, FILTER, BIND, property paths, sub-SELECTs, FILTER EXISTS and NOT EXISTS
(with FILTERs inside on variables of the row tested), MINUS and aggregates, with required patterns before and after the groups (where kg.sparql.rewrite moves them).

Every pattern after the first shares a variable with those written before it, so the answers stay
small (no accidental cartesian products over the store) while the variable a later pattern
shares may or may not be bound in every row — the case the rewriter must get right."""

from __future__ import annotations

from hypothesis import strategies as st

PREFIXES = """PREFIX pk: <https://w3id.org/peacekg/ontology/>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX stance: <https://w3id.org/peacekg/vocab/stance/>
"""

# (subject variable, predicate or path, object variable or constant): the ontology's edges as data has them.
EDGES = [
    ("statement", "pk:attributedTo", "agent"),
    ("statement", "pk:stance", "stance"),
    ("statement", "pk:target", "thing"),
    ("statement", "pk:about", "thing"),
    ("statement", "pk:hasEvidence", "ev"),
    ("ev", "oa:hasTarget", "span"),
    ("span", "oa:hasSource", "doc"),
    ("span", "oa:hasSelector", "sel"),
    ("sel", "oa:exact", "quote"),
    ("statement", "pk:hasEvidence/oa:hasTarget", "span"),
    ("span", "oa:hasSelector/oa:exact", "quote"),
    ("agent", "rdfs:label", "label"),
    ("agent", "rdfs:label|skos:altLabel", "name"),
    ("thing", "rdfs:label", "tlabel"),
    ("statement", "a", "pk:Claim"),
    ("statement", "a", "pk:Statement"),
    ("agent", "a", "pk:Person"),
    ("agent", "a/rdfs:subClassOf*", "pk:Agent"),
    ("role", "pk:holder", "agent"),
    ("role", "pk:roleIn", "org"),
    ("org", "rdfs:label", "olabel"),
    ("agent", "pk:mentionedIn", "doc"),
    ("statement", "prov:wasDerivedFrom", "doc"),
    ("agent", "^pk:attributedTo", "statement"),
]

FILTERS = {
    "label": ['CONTAINS(LCASE(STR(?label)), "ukr")', 'LANG(?label) = "en"', 'REGEX(?label, "^V", "i")'],
    "name": ['CONTAINS(LCASE(?name), "russia")', "STRLEN(?name) > 12"],
    "stance": ["?stance = stance:demands", "?stance != stance:rejects"],
    "quote": ["STRLEN(?quote) > 80", 'CONTAINS(?quote, "peace")'],
    "thing": ["isIRI(?thing)", "BOUND(?thing)"],
    "agent": ["BOUND(?agent)", "!BOUND(?agent)", "isIRI(?agent)"],
    "doc": ['STRENDS(STR(?doc), "ec20")'],
    "tlabel": ['CONTAINS(LCASE(?tlabel), "guarantee")'],
}
BINDS = {
    "quote": "STRLEN(?quote)",
    "label": "LCASE(?label)",
    "agent": "STR(?agent)",
    "statement": "pk:someConstant",
    "stance": 'COALESCE(?stance, "none")',
}


class _Scope:
    """The variables of one group so far (text order), those of the groups around it (a group's
    first pattern shares one of them), and a shared counter for BIND's fresh names."""

    def __init__(self, outer: list[str] | None = None, counter: list[int] | None = None) -> None:
        self.outer = list(outer or [])
        self.seen: list[str] = []
        self.counter = counter if counter is not None else [0]

    def connectable(self) -> list[str]:
        return self.seen or self.outer

    def add(self, *names: str) -> None:
        self.seen.extend(n for n in names if not n.startswith("pk:") and n not in self.seen)

    def inner(self) -> _Scope:
        return _Scope(self.seen or self.outer, self.counter)

    def fresh(self) -> int:
        self.counter[0] += 1
        return self.counter[0]


def _vars(edge: tuple[str, str, str]) -> list[str]:
    return [v for v in (edge[0], edge[2]) if not v.startswith("pk:")]


def _triple(edge: tuple[str, str, str]) -> str:
    s, p, o = edge
    return f"?{s} {p} {o if o.startswith('pk:') else '?' + o} ."


@st.composite
def triple(draw: st.DrawFn, scope: _Scope) -> str:
    """One triple pattern sharing a variable with the group (or, first in it, with the groups
    around it): every group is connected, so none is a cartesian product over the store."""
    joinable = set(scope.connectable())
    eligible = [e for e in EDGES if not joinable or set(_vars(e)) & joinable]
    edge = draw(st.sampled_from(eligible))
    scope.add(*_vars(edge))
    return _triple(edge)


@st.composite
def element(draw: st.DrawFn, scope: _Scope, depth: int, kind: str | None = None) -> str:
    kinds = ["triple", "triple", "triple", "filter", "bind"]
    if depth > 0:
        kinds += ["optional", "optional", "union", "group", "subquery", "not-exists", "exists", "minus"]
    kind = kind or draw(st.sampled_from(kinds))
    if kind == "triple" or not scope.seen:
        return draw(triple(scope))
    if kind == "filter":
        # constants too: rdflib's algebra dropped a FILTER(false) and the rewritten query gained rows
        options = [f for v in scope.seen for f in FILTERS.get(v, [])] + ["false", "0", "true"]
        return f"FILTER({draw(st.sampled_from(options))})" if options else draw(triple(scope))
    if kind == "bind":
        options = [v for v in scope.seen if v in BINDS]
        if not options:
            return draw(triple(scope))
        return f"BIND({BINDS[draw(st.sampled_from(options))]} AS ?bound{scope.fresh()})"
    if kind in ("optional", "group", "not-exists", "exists", "minus"):
        inner = scope.inner()
        text = draw(group(inner, depth - 1))
        if kind in ("optional", "group"):  # MINUS and (NOT) EXISTS bind nothing outside
            scope.add(*inner.seen)
        elif kind in ("exists", "not-exists") and draw(st.booleans()):
            # a FILTER inside the EXISTS on a variable of the row it is tested on
            options = [f for v in scope.seen for f in FILTERS.get(v, [])]
            text += f" FILTER({draw(st.sampled_from(options))})" if options else ""
        word = {
            "optional": "OPTIONAL ",
            "group": "",
            "not-exists": "FILTER NOT EXISTS ",
            "exists": draw(st.sampled_from(["FILTER EXISTS ", "FILTER(!BOUND(?nothing) && EXISTS "])),
            "minus": "MINUS ",
        }[kind]
        close = ")" if word.endswith("&& EXISTS ") else ""
        return f"{word}{{ {text} }}{close}"
    if kind == "union":
        left, right = scope.inner(), scope.inner()
        text = f"{{ {draw(group(left, depth - 1))} }} UNION {{ {draw(group(right, depth - 1))} }}"
        scope.add(*left.seen, *right.seen)
        return text
    # A sub-SELECT is evaluated on its own: connected in itself, from a variable of this group.
    inner = _Scope([draw(st.sampled_from(scope.seen))], scope.counter)
    body = draw(group(inner, 0))
    projected = draw(st.lists(st.sampled_from(inner.seen), min_size=1, max_size=3, unique=True))
    scope.add(*projected)
    return f"{{ SELECT {' '.join('?' + v for v in projected)} WHERE {{ {body} }} }}"


@st.composite
def group(draw: st.DrawFn, scope: _Scope, depth: int, min_size: int = 1) -> str:
    size = draw(st.integers(min_value=min_size, max_value=3))
    return " ".join(draw(element(scope, depth)) for _ in range(size))


@st.composite
def queries(draw: st.DrawFn) -> str:
    """A SELECT query: the pattern, and either all variables, DISTINCT some, or an aggregate."""
    scope = _Scope()
    if draw(st.booleans()):
        where = draw(group(scope, 2, min_size=2))
    else:  # the newcomer's shape: required patterns written after an OPTIONAL group or a BIND
        before = draw(group(scope, 1))
        middle = draw(element(scope, 2, kind=draw(st.sampled_from(["optional", "optional", "bind", "group"]))))
        after = " ".join(draw(triple(scope)) for _ in range(draw(st.integers(1, 2))))
        tail = draw(element(scope, 1))
        where = f"{before} {middle} {after} {tail}"
    head = draw(st.sampled_from(["*", "distinct", "count"]))
    if head == "*" or not scope.seen:
        return f"{PREFIXES}SELECT * WHERE {{ {where} }}"
    chosen = draw(st.lists(st.sampled_from(scope.seen), min_size=1, max_size=3, unique=True))
    names = " ".join("?" + v for v in chosen)
    if head == "distinct":
        return f"{PREFIXES}SELECT DISTINCT {names} WHERE {{ {where} }}"
    counted = draw(st.sampled_from(scope.seen))
    return (
        f"{PREFIXES}SELECT {names} (COUNT(DISTINCT ?{counted}) AS ?n) (MIN(STR(?{counted})) AS ?first) "
        f"WHERE {{ {where} }} GROUP BY {names}"
    )
