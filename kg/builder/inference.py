"""Materialising what the ontology implies, at build time and at scale: the OWL 2 RL rules the
PeaceKG ontology uses, run as SPARQL over pyoxigraph until nothing new follows.

Why not HermiT for the data: on the five seed articles (about 27,000 asserted triples) HermiT's
realisation ran for more than ten minutes (with property-value inference it did not finish);
these rules take about a second, and grow with the data, not exponentially. HermiT still checks
the ontology itself (``peacekg ontology check``). See docs/reasoning.md.

The rules and their classification are kg.builder.rules'. Inconsistency: cax-dw and cax-adc
(instances of disjoint classes).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import pyoxigraph
import rdflib
from rdflib.namespace import OWL, RDF, RDFS

from kg.builder.graphs import may_hold_blank_nodes
from kg.builder.rules import GENERIC_RULES, LINEAR_RULES, PREFIXES, defined_class_rules


class InconsistentDataError(Exception):
    """Instances of disjoint classes; ``clashes`` lists (individual, class, class)."""

    def __init__(self, clashes: list[tuple[str, str, str]]):
        super().__init__(f"{len(clashes)} individual(s) belong to disjoint classes")
        self.clashes = clashes


@dataclass
class InferenceResult:
    data: bytes = b""  # the inferred triples as N-Triples, one a line: each round's lines sorted
    rounds: int = 0
    seconds: float = 0.0
    per_rule: dict[str, int] = field(default_factory=dict)  # triples each rule's query returned
    rule_seconds: dict[str, float] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return self.data.count(b"\n")

    @property
    def inferred(self) -> list[pyoxigraph.Triple]:
        """The inferred triples, in the order of ``data`` (blank-node labels kept)."""
        return [pyoxigraph.Triple(q.subject, q.predicate, q.object) for q in pyoxigraph.parse(self.data, format=NQ)]


# Triples that are axioms for the linear rules: if inference ever made one, the linear rules would
# have to see it with every old triple, so the next round runs them on the whole graph.
AXIOM_PREDICATES = frozenset(
    pyoxigraph.NamedNode(str(iri))
    for iri in (RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain, RDFS.range, OWL.inverseOf, RDF.type)
)
AXIOM_TYPE = pyoxigraph.NamedNode(str(RDF.type))  # an axiom only as `?p a owl:SymmetricProperty` (prp-symp)
PROPERTY_CLASSES = frozenset(pyoxigraph.NamedNode(str(c)) for c in (OWL.SymmetricProperty, OWL.TransitiveProperty))
SCRATCH = pyoxigraph.NamedNode("urn:peacekg:inference-scratch")  # inferred so far, in the work store
FOUND = pyoxigraph.NamedNode("urn:peacekg:inference-found")  # what a round's rules returned, in the work store
NT = pyoxigraph.RdfFormat.N_TRIPLES
NQ = pyoxigraph.RdfFormat.N_QUADS
# a round's results less what some other graph holds (FILTER EXISTS: a lookup by the bound triple
# for each result, never a scan of the store), and the rest kept as inferred
KEEP_NEW = (
    f"DELETE {{ GRAPH {FOUND} {{ ?s ?p ?o }} }} WHERE {{ GRAPH {FOUND} {{ ?s ?p ?o }} "
    f"FILTER EXISTS {{ {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != {FOUND}) }} UNION {{ ?s ?p ?o }} }} }}"
)


def load_keeping_labels(
    store: pyoxigraph.Store, data: bytes, graph: pyoxigraph.NamedNode | pyoxigraph.DefaultGraph | None = None
) -> None:
    """N-Quads (or N-Triples, into ``graph``) into a store as they are. ``Store.load`` parses in
    Rust, without a Python object per triple, but gives blank nodes new labels, which must stay
    the same nodes as in the other graphs (the ontology's restrictions): data that may hold one
    goes through Python objects instead."""
    if not may_hold_blank_nodes(data):
        if graph is None:
            store.load(data, format=NQ, lenient=True)
        else:
            store.load(data, format=NT, to_graph=graph, lenient=True)
    elif graph is None:
        store.bulk_extend(pyoxigraph.parse(data, format=NQ))
    else:
        store.bulk_extend(
            pyoxigraph.Quad(q.subject, q.predicate, q.object, graph) for q in pyoxigraph.parse(data, format=NT)
        )


# (predicate, object) of the triples that are axioms for the linear rules
AXIOM_PATTERNS: list[tuple[pyoxigraph.NamedNode, pyoxigraph.NamedNode | None]] = [
    *((p, None) for p in AXIOM_PREDICATES - {AXIOM_TYPE}),
    *((AXIOM_TYPE, c) for c in PROPERTY_CLASSES),
]


def axiom_quads(store: pyoxigraph.Store, graph: pyoxigraph.NamedNode | None = None) -> list[pyoxigraph.Quad]:
    """The store's (or one graph's) triples that the linear rules read as axioms, in the default graph."""
    return [
        pyoxigraph.Quad(q.subject, q.predicate, q.object)
        for p, o in AXIOM_PATTERNS
        for q in store.quads_for_pattern(None, p, o, graph)
    ]


def _has_axiom(store: pyoxigraph.Store, graph: pyoxigraph.NamedNode | None = None) -> bool:
    """Whether the store (or one graph of it) holds a triple the linear rules read as an axiom."""
    return any(next(store.quads_for_pattern(None, p, o, graph), None) is not None for p, o in AXIOM_PATTERNS)


def _touched(scope: pyoxigraph.Store) -> set[object]:
    """What the new triples (the scope store's, before its axioms) could match in a premise: their
    predicates and, for rdf:type, classes."""
    query = "SELECT DISTINCT ?x WHERE { { ?s ?x ?o } UNION { ?s a ?x } }"
    solutions = scope.query(query, use_default_graph_as_union=True)
    assert isinstance(solutions, pyoxigraph.QuerySolutions)
    return {solution["x"] for solution in solutions}


def materialise(
    store: pyoxigraph.Store,
    ontology: rdflib.Graph,
    *,
    max_rounds: int = 20,
    in_place: bool = False,
    closed_except: bytes | None = None,
    skip_in_first_round: frozenset[str] = frozenset(),
    check_consistency: bool = True,
    threads: int = 1,
) -> InferenceResult:
    """Run the rules over the union of the store's graphs (the ontology must be among them) to a
    fixpoint; return the triples that were not already there. The store is left unchanged, unless
    ``in_place`` (a work store the caller throws away: no copy of it is made, and the inferred
    triples are left in a scratch graph).

    What the caller knows saves work, and is its promise: ``closed_except`` (N-Quads) says every
    other triple of the store is already closed under the rules (a closed base plus these new
    ones), so the first round is semi-naive on them; ``skip_in_first_round`` names rules whose
    every instance over the store is known to hold already (kg.builder.buckets: the one-premise
    rules over a union of closed parts that share their axioms). Without ``check_consistency``
    the caller checks disjointness itself, over a larger store.

    With ``threads`` above one, a round's rules are queried at once on that many threads (the
    engine evaluates without holding the GIL) over the store as the round found it, and their
    results are loaded after the last has answered: a rule no longer sees what another found in
    the same round, so a chain may take a round more to the same fixpoint, and the result does
    not depend on which thread ends first. The global pass at 10,000 articles: its first round's
    queries took 2.4 s one after the other, 1.8 s on two threads.

    Triples stay in the store: each rule's results go from its query to the work store's FOUND
    graph as N-Triples bytes, one update takes out what the store held already, and the rest is
    the round's new triples (the next round's delta, loaded from the same bytes). A Python object
    per inferred triple cost a bucket of 160 articles more than its queries (kg.builder.buckets)."""
    started = time.perf_counter()
    rules = {**GENERIC_RULES, **defined_class_rules(ontology)}
    terms = {name: premise_terms(rule) for name, rule in rules.items()}
    if in_place:
        work = store
    else:
        work = pyoxigraph.Store()
        work.extend(pyoxigraph.Quad(q.subject, q.predicate, q.object, SCRATCH) for q in store)
    axioms = axiom_quads(work)
    result = InferenceResult()
    delta = closed_except  # None: every rule runs on the whole graph
    rounds: list[bytes] = []
    pool = ThreadPoolExecutor(threads) if threads > 1 else None
    try:
        for round_ in range(1, max_rounds + 1):
            scope = None  # the new triples with the axioms, for the linear rules
            touched: set[object] = set()
            if delta is not None:
                scope = pyoxigraph.Store()
                load_keeping_labels(scope, delta)
                touched = _touched(scope)
                if _has_axiom(scope):
                    scope = None  # a new axiom among them: every rule must see every triple
                else:
                    scope.extend(axioms)
            chosen: list[tuple[str, pyoxigraph.Store]] = []
            for name in rules:
                # a rule whose premises no new triple can match infers nothing new (semi-naive)
                names = terms[name]
                if scope is not None and name not in LINEAR_RULES and names is not None and not names & touched:
                    continue
                if round_ == 1 and name in skip_in_first_round:
                    continue
                chosen.append((name, scope if (scope is not None and name in LINEAR_RULES) else work))
            answers: Iterator[tuple[str, tuple[bytes, float]]]
            if pool is None:  # each rule's results loaded before the next rule's query
                answers = ((name, _construct(target, rules[name])) for name, target in chosen)
            else:  # every query answered before any result is loaded
                futures = [(name, pool.submit(_construct, target, rules[name])) for name, target in chosen]
                answers = iter([(name, future.result()) for name, future in futures])
            for name, (data, seconds) in answers:
                load_keeping_labels(work, data, FOUND)
                result.per_rule[name] = result.per_rule.get(name, 0) + data.count(b"\n")
                result.rule_seconds[name] = result.rule_seconds.get(name, 0.0) + seconds
            work.update(KEEP_NEW)
            new = work.dump(format=NT, from_graph=FOUND) or b""  # without an output, dump returns the bytes
            result.rounds = round_
            if not new:
                break
            rounds.append(b"".join(sorted(new.splitlines(keepends=True))))
            if _has_axiom(work, FOUND):
                axioms += axiom_quads(work, FOUND)
            work.update(f"ADD {FOUND} TO {SCRATCH} ; CLEAR GRAPH {FOUND}")
            delta = new
        else:
            raise RuntimeError(f"inference did not reach a fixpoint in {max_rounds} rounds")
    finally:
        if pool is not None:
            pool.shutdown()
    result.data = b"".join(rounds)
    clashes = disjointness_clashes(work) if check_consistency else []
    if clashes:
        raise InconsistentDataError(clashes)
    result.seconds = time.perf_counter() - started
    return result


def _construct(target: pyoxigraph.Store, rule: str) -> tuple[bytes, float]:
    """A rule's results over the union of ``target``'s graphs as N-Triples, and its seconds."""
    started = time.perf_counter()
    triples = target.query(PREFIXES + rule, use_default_graph_as_union=True)
    assert isinstance(triples, pyoxigraph.QueryTriples)  # every rule is a CONSTRUCT
    return triples.serialize(format=NT) or b"", time.perf_counter() - started


PREFIX_IRIS = dict(re.findall(r"PREFIX (\w+): <([^>]+)>", PREFIXES))
VARIABLE_PREDICATE = re.compile(r"(?:[.;{]|^)\s*\?\w+\s+\?\w+|;\s*\?\w+|\ba\s+\?\w+")


def premise_terms(rule: str) -> frozenset[pyoxigraph.NamedNode] | None:
    """The IRIs a rule's WHERE clause names (predicates, classes, path steps, constants), or None
    when a premise has a variable predicate or class (any new triple may match it)."""
    where = rule[rule.index("WHERE") :]
    if VARIABLE_PREDICATE.search(where.replace("WHERE {", "{")):
        return None
    names = set(re.findall(r"<([^>]+)>", where))
    names |= {
        PREFIX_IRIS[p] + local for p, local in re.findall(r"\b(\w+):([A-Za-z_][\w-]*)", where) if p in PREFIX_IRIS
    }
    return frozenset(pyoxigraph.NamedNode(n) for n in names)


DISJOINT_PAIRS = (
    PREFIXES
    + """
    SELECT DISTINCT ?c1 ?c2 WHERE {
      { ?c1 owl:disjointWith ?c2 } UNION
      { ?d a owl:AllDisjointClasses ; owl:members ?list .
        ?list rdf:rest*/rdf:first ?c1 . ?list rdf:rest*/rdf:first ?c2 . FILTER(?c1 != ?c2) }
    }"""
)


def disjointness_clashes(
    store: pyoxigraph.Store, individuals: Iterable[object] | None = None
) -> list[tuple[str, str, str]]:
    """(individual, class, class) for every individual of two disjoint classes (cax-dw, cax-adc),
    sorted. The pairs come from one query; each pair's members are then intersected from the
    type index: one SPARQL join of every typed node with every pair took 19 s on a 74,000-triple
    on-disk store, this 0.4 s. With ``individuals``, only theirs (those whose types were added:
    kg.builder.incremental), each read by its subject."""
    solutions = store.query(DISJOINT_PAIRS, use_default_graph_as_union=True)
    assert isinstance(solutions, pyoxigraph.QuerySolutions)
    pairs = {(s["c1"], s["c2"]) for s in solutions}
    members: dict[object, set[object]] = {}
    if individuals is not None:
        for x in individuals:
            types = {q.object for q in store.quads_for_pattern(x, AXIOM_TYPE, None)}  # type: ignore[arg-type]
            for c1, c2 in pairs:
                if c1 in types and c2 in types:
                    members.setdefault(c1, set()).add(x)
                    members.setdefault(c2, set()).add(x)

    def of(klass: object) -> set[object]:
        if klass not in members and individuals is None:
            members[klass] = {q.subject for q in store.quads_for_pattern(None, AXIOM_TYPE, klass)}  # type: ignore[arg-type]
        return members.get(klass, set())

    found = {(x, c1, c2) for c1, c2 in pairs for x in of(c1) & of(c2)}
    return [
        (str(x.value), str(c1.value), str(c2.value))  # type: ignore[attr-defined]
        for x, c1, c2 in sorted(found, key=lambda row: tuple((type(t).__name__, str(t)) for t in row))
    ]
