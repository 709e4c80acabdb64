"""The inferred graph of a store kept up to date after a few asserted graphs changed, by DRed
(delete and rederive: Gupta, Mumick and Subrahmanian, 1993), with every rule evaluated against
the store on disk with one premise bound to the few triples that changed (docs/reasoning.md,
"A one-article rebuild on the previous store").

The store holds the fixpoint of the rules (kg.builder.inference) over its asserted graphs: the
asserted graphs and the inferred graph, which is the fixpoint minus what some graph asserts. Every
build leaves that, so the previous store is the bookkeeping: nothing else is kept. With ``removed``
the triples no graph asserts any more and ``added`` the new graphs' triples:

1. *overdelete*, over the store as it was: every inferred triple with a derivation that uses a
   removed or overdeleted triple, transitively (each rule with one data premise bound to them);
2. the changed graphs are replaced and the overdeleted triples removed (the caller's step);
3. *rederive*: of the overdeleted (and removed) triples, those one rule instance still derives
   from what remains (each rule with its head bound to them);
4. *insert*: semi-naive from the added and the rederived triples (each rule with one premise bound
   to the triples new in the last round), to the fixpoint.

A premise is bound by a ``VALUES`` block over the pattern's variables, so a rule instance is
found through the index of the bound pattern instead of a scan. This is exact only while the
rules' schema premises (subclasses, domains, inverses, the SKOS broader chains, the disjoint
pairs) do not change: a changed triple that is one of them, or that names a blank node (which a
query cannot name), stops it (``NotIncremental``) and the caller builds the whole inferred graph.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph
import rdflib
from rdflib.namespace import OWL, RDF, RDFS, SKOS
from rdflib.paths import Path as RdflibPath

from kg.builder.inference import AXIOM_TYPE
from kg.builder.rules import GENERIC_RULES, PREFIXES, defined_class_rules
from kg.builder.sealed import cached_pickle

PK = "https://w3id.org/peacekg/ontology/"
# Premises about the ontology and vocabularies, never about the data: a rule instance's schema
# premises come from the ontology graph (or its closure), which an article-only rebuild keeps.
SCHEMA_PREDICATES = frozenset(
    str(iri)
    for iri in (
        RDFS.subClassOf,
        RDFS.subPropertyOf,
        RDFS.domain,
        RDFS.range,
        OWL.inverseOf,
        OWL.equivalentClass,
        OWL.intersectionOf,
        OWL.onProperty,
        OWL.someValuesFrom,
        OWL.hasValue,
        OWL.disjointWith,
        OWL.members,
        RDF.first,
        RDF.rest,
        SKOS.broader,
        rdflib.URIRef(PK + "contraryStance"),
    )
)
SCHEMA_CLASSES = frozenset(str(c) for c in (OWL.SymmetricProperty, OWL.TransitiveProperty, OWL.AllDisjointClasses))
CHUNK = 1000  # rows of one VALUES block
MAX_ROUNDS = 50


class NotIncremental(Exception):
    """The change cannot be followed incrementally (a schema triple, a blank node): build whole."""


Term = rdflib.term.Node
Pattern = tuple[Term, Term, Term]


@dataclass(frozen=True)
class Rule:
    name: str
    text: str  # CONSTRUCT … WHERE { … }, without the prefixes
    premises: tuple[Pattern, ...]  # its data premises (not the schema ones)
    negated: tuple[Pattern, ...]  # the patterns of a FILTER NOT EXISTS
    heads: tuple[Pattern, ...]


def is_schema(pattern: Pattern) -> bool:
    _s, p, o = pattern
    if isinstance(p, RdflibPath):
        return True  # checked by compile_rules: a path over schema predicates only
    return str(p) in SCHEMA_PREDICATES or (
        str(p) == str(RDF.type) and not isinstance(o, rdflib.Variable) and str(o) in SCHEMA_CLASSES
    )


def path_iris(path: object) -> Iterator[str]:
    if isinstance(path, rdflib.URIRef):
        yield str(path)
    for attr in ("args", "path", "arg"):
        inner = getattr(path, attr, None)
        if isinstance(inner, list):
            for item in inner:
                yield from path_iris(item)
        elif inner is not None:
            yield from path_iris(inner)


def patterns(node: object, negated: bool, positive: list[Pattern], negative: list[Pattern], name: str) -> None:
    from rdflib.plugins.sparql.parserutils import CompValue  # loaded with the parser that made ``node``

    if isinstance(node, CompValue):
        if node.name in ("BGP", "TriplesBlock"):
            for s, p, o in node.triples:
                (negative if negated else positive).append((s, p, o))
        if node.name == "Union":
            sides = [[], []]  # type: list[list[Pattern]]
            patterns(node.p1, negated, sides[0], [], name)
            patterns(node.p2, negated, sides[1], [], name)
            data = [[t for t in side if not is_schema(t)] for side in sides]
            if any(data) and {v for t in data[0] for v in t if isinstance(v, rdflib.Variable)} != {
                v for t in data[1] for v in t if isinstance(v, rdflib.Variable)
            }:  # a premise bound in one branch would leave the other's variables bound by VALUES
                raise ValueError(f"rule {name}: the branches of a UNION over data bind different variables")
        for key, value in node.items():
            if key in ("template", "_vars", "PV"):
                continue
            patterns(value, negated or node.name == "Builtin_NOTEXISTS", positive, negative, name)
    elif isinstance(node, list | tuple):
        for item in node:
            patterns(item, negated, positive, negative, name)


def compile_rules(ontology: rdflib.Graph, cache: Path | None = None, code: str = "") -> list[Rule]:
    """The build's rules with their data premises and heads. Raises ValueError for a rule this
    module cannot bind (a property path over data, a UNION whose branches bind different variables).
    With ``cache`` (a folder), kept there by the rules' text and ``code`` (a fingerprint of the
    build's code, this module's included): parsing the 29 rules with rdflib's SPARQL parser was
    0.46 s of a 2.7 s one-article rebuild at 10,000 articles under a profiler."""
    texts = {**GENERIC_RULES, **defined_class_rules(ontology)}
    if cache is None:
        return _compiled(texts)
    return cached_pickle(cache, "rules", (sorted(texts.items()), PREFIXES, code), lambda: _compiled(texts))


def _compiled(texts: dict[str, str]) -> list[Rule]:
    # rdflib's SPARQL parser is imported here, not with the module: building its grammar is 0.06 s
    # of a one-article rebuild, which reads the rules compiled from the build cache
    from rdflib.plugins.sparql import prepareQuery

    rules = []
    for name, text in texts.items():
        algebra = prepareQuery(PREFIXES + text).algebra
        positive: list[Pattern] = []
        negative: list[Pattern] = []
        patterns(algebra, False, positive, negative, name)
        for s, p, o in positive + negative:
            if isinstance(p, RdflibPath) and not set(path_iris(p)) <= SCHEMA_PREDICATES | {str(RDF.type)}:
                raise ValueError(f"rule {name}: a property path over data predicates ({p})")
            if isinstance(s, rdflib.BNode) or isinstance(o, rdflib.BNode):
                raise ValueError(f"rule {name}: a blank node in a premise")
        data = tuple(dict.fromkeys(t for t in positive if not is_schema(t)))
        heads = tuple((t[0], t[1], t[2]) for t in algebra["template"])
        rules.append(Rule(name, text, data, tuple(negative), heads))
    return rules


def matches(pattern: Pattern, triples: Iterable[pyoxigraph.Triple]) -> tuple[list[str], list[tuple[str, ...]]]:
    """The pattern's variables and, for each triple that matches its constants, their values (as
    SPARQL terms)."""
    names: list[str] = []
    for term in pattern:
        if isinstance(term, rdflib.Variable) and str(term) not in names:
            names.append(str(term))
    rows: set[tuple[str, ...]] = set()
    for t in triples:
        bound: dict[str, object] = {}
        for term, value in zip(pattern, (t.subject, t.predicate, t.object), strict=True):
            if isinstance(term, rdflib.Variable):
                if bound.setdefault(str(term), value) != value:
                    break
            elif isinstance(term, rdflib.URIRef):
                if not isinstance(value, pyoxigraph.NamedNode) or value.value != str(term):
                    break
            elif str(term) != str(value):  # a literal constant
                break
        else:
            rows.add(tuple(str(bound[n]) for n in names))
    return names, sorted(rows)


def _bound(rule: Rule, names: list[str], rows: list[tuple[str, ...]]) -> Iterator[str]:
    """The rule's query with ``names`` bound to ``rows``, in chunks."""
    head = "(" + " ".join(f"?{n}" for n in names) + ")"
    for i in range(0, len(rows), CHUNK):
        values = " ".join("(" + " ".join(row) + ")" for row in rows[i : i + CHUNK])
        yield PREFIXES + rule.text.replace("WHERE {", f"WHERE {{ VALUES {head} {{ {values} }} ", 1)


def _construct(store: pyoxigraph.Store, query: str) -> Iterator[pyoxigraph.Triple]:
    result = store.query(query, use_default_graph_as_union=True)
    assert isinstance(result, pyoxigraph.QueryTriples)
    yield from result


def derived_from(
    store: pyoxigraph.Store,
    rules: list[Rule],
    delta: set[pyoxigraph.Triple],
    negated: set[pyoxigraph.Triple] | None = None,
) -> set[pyoxigraph.Triple]:
    """The heads of every rule instance over ``store`` with a data premise in ``delta``, or whose
    negated pattern ``negated`` matches (its instances where the pattern's outer variables are
    those of a ``negated`` triple)."""
    found: set[pyoxigraph.Triple] = set()
    for rule in rules:
        for pattern, triples in [*((p, delta) for p in rule.premises), *((p, negated or set()) for p in rule.negated)]:
            if not triples:
                continue
            names, rows = matches(pattern, triples)
            if pattern in rule.negated:  # bind only the variables the rule binds outside the pattern
                outer = {str(v) for t in rule.premises for v in t if isinstance(v, rdflib.Variable)}
                keep = [i for i, n in enumerate(names) if n in outer]
                names, rows = [names[i] for i in keep], sorted({tuple(r[i] for i in keep) for r in rows})
            if not rows or not names:
                continue
            for query in _bound(rule, names, rows):
                found.update(_construct(store, query))
    return found


def rederivable(
    store: pyoxigraph.Store, rules: list[Rule], candidates: set[pyoxigraph.Triple]
) -> set[pyoxigraph.Triple]:
    """Those of ``candidates`` one rule instance over ``store`` derives (each rule with a head
    bound to them)."""
    found: set[pyoxigraph.Triple] = set()
    for rule in rules:
        for head in rule.heads:
            names, rows = matches(head, candidates)
            if not rows or not names:
                continue
            for query in _bound(rule, names, rows):
                found.update(t for t in _construct(store, query) if t in candidates)
    return found


def check_followable(triples: Iterable[pyoxigraph.Triple], negated_predicates: frozenset[str] = frozenset()) -> None:
    """Raise NotIncremental for a triple the bound rules cannot follow: a schema premise, a blank
    node, or (for derived triples) a triple a negated premise reads."""
    for t in triples:
        if isinstance(t.subject, pyoxigraph.BlankNode) or isinstance(t.object, pyoxigraph.BlankNode):
            raise NotIncremental(f"a changed triple names a blank node ({t})")
        p = t.predicate.value
        if (
            p in SCHEMA_PREDICATES
            or p in negated_predicates
            or (
                t.predicate == AXIOM_TYPE
                and isinstance(t.object, pyoxigraph.NamedNode)
                and t.object.value in SCHEMA_CLASSES
            )
        ):
            raise NotIncremental(f"a changed triple is a schema premise of the rules ({t})")


@dataclass
class Outcome:
    overdeleted: set[pyoxigraph.Triple] = field(default_factory=set)
    rederived: set[pyoxigraph.Triple] = field(default_factory=set)
    inserted: set[pyoxigraph.Triple] = field(default_factory=set)
    rounds: dict[str, int] = field(default_factory=dict)


def holds(store: pyoxigraph.Store, t: pyoxigraph.Triple, graph: pyoxigraph.NamedNode | None = None) -> bool:
    return next(store.quads_for_pattern(t.subject, t.predicate, t.object, graph), None) is not None


def negated_predicates(rules: list[Rule]) -> frozenset[str]:
    return frozenset(str(p) for rule in rules for _s, p, _o in rule.negated if isinstance(p, rdflib.URIRef))


def overdelete(
    store: pyoxigraph.Store,
    rules: list[Rule],
    inferred: pyoxigraph.NamedNode,
    removed: set[pyoxigraph.Triple],
    added: set[pyoxigraph.Triple],
    outcome: Outcome,
) -> None:
    """Step 1, over the store before the change: the inferred triples that may have lost their
    last derivation (a removed premise, or an added triple a negated premise matches)."""
    guard = negated_predicates(rules)
    delta, negated = set(removed), set(added)
    for round_ in range(1, MAX_ROUNDS + 1):
        heads = derived_from(store, rules, delta, negated)
        new = {t for t in heads if t not in outcome.overdeleted and holds(store, t, inferred)}
        check_followable(new, guard)
        outcome.overdeleted |= new
        outcome.rounds["overdelete"] = round_
        if not new:
            return
        delta, negated = new, set()
    raise NotIncremental(f"overdeletion did not end in {MAX_ROUNDS} rounds")


def rederive_and_insert(
    store: pyoxigraph.Store,
    rules: list[Rule],
    inferred: pyoxigraph.NamedNode,
    removed: set[pyoxigraph.Triple],
    added: set[pyoxigraph.Triple],
    outcome: Outcome,
) -> None:
    """Steps 3 and 4, over the store after the change (the new graphs in, the overdeleted triples
    out): what still follows goes back in the inferred graph, then what newly follows."""
    guard = negated_predicates(rules)
    candidates = {t for t in outcome.overdeleted | removed if not holds(store, t)}
    outcome.rederived = rederivable(store, rules, candidates)
    store.extend(pyoxigraph.Quad(t.subject, t.predicate, t.object, inferred) for t in outcome.rederived)
    delta, negated = added | outcome.rederived, set(removed)
    for round_ in range(1, MAX_ROUNDS + 1):
        heads = derived_from(store, rules, delta, negated)
        new = {t for t in heads if not holds(store, t)}
        check_followable(new, guard)
        outcome.rounds["insert"] = round_
        if not new:
            return
        store.extend(pyoxigraph.Quad(t.subject, t.predicate, t.object, inferred) for t in new)
        outcome.inserted |= new
        delta, negated = new, set()
    raise NotIncremental(f"insertion did not end in {MAX_ROUNDS} rounds")
