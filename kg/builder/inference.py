"""Materialising what the ontology implies, at build time and at scale: the OWL 2 RL rules the
PeaceKG ontology uses, run as SPARQL over pyoxigraph until nothing new follows.

Why not HermiT for the data: on the five seed articles (about 27,000 asserted triples) HermiT's
realisation ran for more than ten minutes (with property-value inference it did not finish);
these rules take about a second, and grow with the data, not exponentially. HermiT still checks
the ontology itself (``peacekg ontology check``). See docs/reasoning.md.

Rules (names from the OWL 2 RL profile): cax-sco, prp-spo1, prp-dom, prp-rng, prp-inv1/2,
prp-symp, prp-trp, cls-int/cls-svf/cls-hv for the defined classes (each
``owl:equivalentClass [ owl:intersectionOf ( A R… ) ]`` with R a someValuesFrom or hasValue
restriction, on a property or its inverse), plus PeaceKG shortcuts (not OWL entailments,
documented in the ontology and docs/querying.md): pk:mentionedIn, derived from the mentions;
pk:heldBy for statements without a position holder (their speaker, pk:attributedTo; a position's
holder is pk:heldBy by prp-spo1); and pk:quote, pk:start, pk:end, pk:inDocument on every
annotation (mention or evidence), copied from its target span's two selectors so that one hop
gives a quote with its offsets; pk:bearsOn, pk:disputes and pk:endorses between statements,
from a statement target or about and the stance toward it; pk:headOf (pk:ledBy by prp-inv) from a
head of state's or government's role in a government; pk:ContestedStatement, the page key of
queries/cq12-disagreements.rq (a "for" statement with an "against" statement held by another party
on a shared subject: the pk-contested-* rules), with pk:opposedBy, the parties that hold an "against"
statement toward a thing, on the way. Inconsistency: cax-dw and cax-adc
(instances of disjoint classes).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph
import rdflib
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS

# cq12-disagreements' two stance lists (queries/cq12-disagreements.rq), for pk:ContestedStatement
STANCE = "https://w3id.org/peacekg/vocab/stance/"
FOR = ("supports", "accepts", "proposes", "offers", "considers", "trusts", "demands", "urges", "asserts", "predicts")
AGAINST = ("opposes", "rejects", "refuses", "criticises", "distrusts", "doubts", "denies", "warns")
GENERIC_RULES = {
    "cax-sco": "CONSTRUCT { ?x a ?c2 } WHERE { ?x a ?c1 . ?c1 rdfs:subClassOf ?c2 . FILTER(isIRI(?c2) && ?c2 != owl:Thing) }",
    "prp-spo1": "CONSTRUCT { ?x ?p2 ?y } WHERE { ?p1 rdfs:subPropertyOf ?p2 . ?x ?p1 ?y . FILTER(isIRI(?p2)) }",
    "prp-dom": "CONSTRUCT { ?x a ?c } WHERE { ?p rdfs:domain ?c . ?x ?p ?y . FILTER(isIRI(?c)) }",
    "prp-rng": "CONSTRUCT { ?y a ?c } WHERE { ?p rdfs:range ?c . ?x ?p ?y . FILTER(isIRI(?c) && !isLiteral(?y) && ?c != rdfs:Literal) }",
    # two rules, not one UNION: kg.builder.dred binds a premise by VALUES, which a branch that does
    # not bind its variables would join as a cross product
    "prp-inv1": "CONSTRUCT { ?y ?q ?x } WHERE { ?p owl:inverseOf ?q . ?x ?p ?y }",
    "prp-inv2": "CONSTRUCT { ?b ?p ?a } WHERE { ?p owl:inverseOf ?q . ?a ?q ?b }",
    "prp-symp": "CONSTRUCT { ?y ?p ?x } WHERE { ?p a owl:SymmetricProperty . ?x ?p ?y }",
    "prp-trp": "CONSTRUCT { ?x ?p ?z } WHERE { ?p a owl:TransitiveProperty . ?x ?p ?y . ?y ?p ?z }",
    # PeaceKG shortcut (not OWL): what a document names, from its mentions.
    "pk-mentioned-in": "CONSTRUCT { ?x <https://w3id.org/peacekg/ontology/mentionedIn> ?doc } WHERE { "
    "?m a <https://w3id.org/peacekg/ontology/Mention> ; <http://www.w3.org/ns/oa#hasBody> ?x ; "
    "<http://www.w3.org/ns/oa#hasTarget> ?span . ?span <http://www.w3.org/ns/oa#hasSource> ?doc }",
    # PeaceKG shortcut: whose view a statement is. A position's holder comes by prp-spo1
    # (pk:positionHolder ⊑ pk:heldBy); any other statement is held by its speaker. pk:positionHolder
    # is only ever asserted, so the negation is stable across rounds.
    "pk-held-by": "CONSTRUCT { ?s <https://w3id.org/peacekg/ontology/heldBy> ?a } WHERE { "
    "?s <https://w3id.org/peacekg/ontology/attributedTo> ?a . "
    "FILTER NOT EXISTS { ?s <https://w3id.org/peacekg/ontology/positionHolder> ?h } }",
    # PeaceKG shortcut: an annotation's quote, offsets and document, from its span's two selectors.
    "pk-quote": "CONSTRUCT { ?a <https://w3id.org/peacekg/ontology/quote> ?exact ; "
    "<https://w3id.org/peacekg/ontology/start> ?start ; <https://w3id.org/peacekg/ontology/end> ?end ; "
    "<https://w3id.org/peacekg/ontology/inDocument> ?doc } WHERE { "
    "?a <http://www.w3.org/ns/oa#hasTarget> ?span . "
    "?span a <https://w3id.org/peacekg/ontology/TextSpan> ; <http://www.w3.org/ns/oa#hasSource> ?doc ; "
    "<http://www.w3.org/ns/oa#hasSelector> ?quote , ?position . "
    "?quote a <http://www.w3.org/ns/oa#TextQuoteSelector> ; <http://www.w3.org/ns/oa#exact> ?exact . "
    "?position a <http://www.w3.org/ns/oa#TextPositionSelector> ; <http://www.w3.org/ns/oa#start> ?start ; "
    "<http://www.w3.org/ns/oa#end> ?end }",
    # PeaceKG shortcuts: links between statements, typed by the stance (annotators write stance +
    # target; disputes/endorses fields only where the statement's own stance is toward something
    # else, and those reach pk:bearsOn by prp-spo1). A statement that targets or is about
    # another bears on it; its stance toward it types the link, by the stance scheme: a negative
    # stance or a contrary of asserts (denies, doubts) disputes it, a positive stance or asserts
    # endorses it; directive and predictive stances (demands, warns, predicts) stay untyped.
    "pk-bears-on": "CONSTRUCT { ?s pk:bearsOn ?o } WHERE { "
    "{ ?s pk:target ?o } UNION { ?s pk:about ?o } ?s a pk:Statement . ?o a pk:Statement }",
    "pk-disputes": "CONSTRUCT { ?s pk:disputes ?o } WHERE { ?s a pk:Statement ; pk:target ?o ; pk:stance ?stance . "
    "?o a pk:Statement . "
    "{ ?stance skos:broader+ <https://w3id.org/peacekg/vocab/stance/negative> } UNION "
    "{ ?stance pk:contraryStance <https://w3id.org/peacekg/vocab/stance/asserts> } }",
    "pk-endorses": "CONSTRUCT { ?s pk:endorses ?o } WHERE { ?s a pk:Statement ; pk:target ?o ; pk:stance ?stance . "
    "?o a pk:Statement . "
    "{ ?stance skos:broader+ <https://w3id.org/peacekg/vocab/stance/positive> } UNION "
    "{ VALUES ?stance { <https://w3id.org/peacekg/vocab/stance/asserts> } } }",
    # PeaceKG shortcut: who leads a government or administration, from a head of state's or of
    # government's role in it (the inverse, pk:ledBy, by prp-inv); the time is on the role.
    "pk-head-of": "CONSTRUCT { ?person pk:headOf ?government } WHERE { "
    "?role pk:holder ?person ; pk:roleType ?type ; pk:roleIn ?government . ?government a pk:Government . "
    "?type skos:broader* ?top . VALUES ?top { <https://w3id.org/peacekg/vocab/role-type/head-of-state> "
    "<https://w3id.org/peacekg/vocab/role-type/head-of-government> } }",
    # PeaceKG shortcut: the parties that hold an "against" statement (opposes, rejects, refuses,
    # criticises, distrusts, doubts, denies, warns: cq12-disagreements' list) toward a thing. One
    # row per against statement, so that pk-contested-shared below joins a "for" statement with
    # the few parties against its target, not with every against statement on it: 536,352 pairs at
    # 10,000 synthetic articles, 13 s of the global pass, before this shortcut.
    "pk-opposed-by": "CONSTRUCT { ?x pk:opposedBy ?b } WHERE { ?o pk:target ?x ; pk:stance ?ost ; pk:heldBy ?b . "
    f"FILTER(?ost IN ({', '.join(f'<{STANCE}{s}>' for s in AGAINST)})) }}",
    # PeaceKG shortcut: the page key of queries/cq12-disagreements.rq, a "for" statement with an
    # "against" statement (the query's two stance lists) by another actor on a shared subject. The
    # actor is pk:heldBy, which is the query's COALESCE(position holder or claimant, speaker): a
    # claim's claimants are its speakers (kg.mapping.articles), so pk-held-by adds no other. One
    # rule per way of sharing a subject (not a UNION: kg.builder.dred binds each premise). They
    # join statements of two articles, so the global pass runs them.
    "pk-contested-shared": "CONSTRUCT { ?s a pk:ContestedStatement } WHERE { "
    "?s pk:target ?x ; pk:stance ?st ; pk:heldBy ?a . ?x pk:opposedBy ?b . "
    f"FILTER(?a != ?b && ?st IN ({', '.join(f'<{STANCE}{s}>' for s in FOR)})) }}",
    **{
        f"pk-contested-{case}": "CONSTRUCT { ?s a pk:ContestedStatement } WHERE { "
        + pairs
        + " ?s pk:stance ?st ; pk:heldBy ?a . ?o pk:stance ?ost ; pk:heldBy ?b . FILTER(?a != ?b && ?st IN ("
        + ", ".join(f"<{STANCE}{s}>" for s in FOR)
        + ") && ?ost IN ("
        + ", ".join(f"<{STANCE}{s}>" for s in AGAINST)
        + ")) }"
        for case, pairs in (
            ("targeted", "?o pk:target ?s ."),  # the against statement targets the for statement
            ("targets", "?s pk:target ?o ."),  # the for statement targets the against statement
        )
    },
}
PREFIXES = (
    "PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
    "PREFIX owl: <http://www.w3.org/2002/07/owl#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
    "PREFIX pk: <https://w3id.org/peacekg/ontology/> "
)


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


def _n3(node: rdflib.term.Node) -> str:
    return node.n3()


def defined_class_rules(ontology: rdflib.Graph) -> dict[str, str]:
    """One CONSTRUCT per defined class: A ⊓ ∃P.C / ∃P⁻.C / P∋v  ⇒  member."""
    rules = {}
    for klass, expression in ontology.subject_objects(OWL.equivalentClass):
        if not isinstance(klass, rdflib.URIRef):
            continue
        members = ontology.value(expression, OWL.intersectionOf)
        if members is None:
            continue
        patterns = []
        for i, part in enumerate(Collection(ontology, members)):
            if isinstance(part, rdflib.URIRef):
                patterns.append(f"?x a {_n3(part)} .")
                continue
            on = ontology.value(part, OWL.onProperty)
            inverse = ontology.value(on, OWL.inverseOf) if isinstance(on, rdflib.BNode) else None
            some, value = ontology.value(part, OWL.someValuesFrom), ontology.value(part, OWL.hasValue)
            if on is None or (some is None and value is None):
                raise ValueError(f"unsupported class expression in the definition of {klass}")
            if value is not None:
                patterns.append(f"?x {_n3(on)} {_n3(value)} .")
                continue
            assert some is not None  # checked above: without a hasValue, a someValuesFrom
            if inverse is not None:
                patterns.append(f"?y{i} {_n3(inverse)} ?x . ?y{i} a {_n3(some)} .")
            else:
                patterns.append(f"?x {_n3(on)} ?y{i} . ?y{i} a {_n3(some)} .")
        rules[f"cls-int:{klass}"] = f"CONSTRUCT {{ ?x a {_n3(klass)} }} WHERE {{ {' '.join(patterns)} }}"
    return rules


# Rules with one data premise (the others are the ontology's axioms): a triple they infer in round
# k > 1 comes from a triple new in round k - 1, so after the first round they run on the new
# triples only (semi-naive evaluation), not on the whole graph again.
LINEAR_RULES = ("cax-sco", "prp-spo1", "prp-dom", "prp-rng", "prp-inv1", "prp-inv2", "prp-symp")
# Rules whose every instance over a union of closed buckets lies inside one bucket's closure
# (docs/reasoning.md, "Which rules can join two articles"), so the global pass's first round skips
# them; the semi-naive rounds after it still run them on whatever the global pass finds. For each,
# the variables one of which every data premise names: nodes minted for one article's annotations
# (a mention, a span, a selector), which no other graph names (checked on the seed corpus by
# tests/unit/test_build_inference.py), so every triple that names one is in that article's
# bucket. pk-held-by has one positive premise: wherever that triple is, the bucket that holds it
# ran the rule, with a negation over fewer triples than the union's. pk-head-of is not here: the
# government a role is in may be typed pk:Government only by another article's entity.
ONE_ARTICLE_RULES: dict[str, tuple[str, ...]] = {
    "pk-mentioned-in": ("m", "span"),
    "pk-quote": ("span", "quote", "position"),
    "pk-held-by": (),
}
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
    if b"_:" not in data:
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


def _has_axiom(store: pyoxigraph.Store, graph: pyoxigraph.NamedNode | None = None) -> bool:
    """Whether the store (or one graph of it) holds a triple the linear rules read as an axiom."""
    patterns: list[tuple[pyoxigraph.NamedNode, pyoxigraph.NamedNode | None]] = [
        (p, None) for p in AXIOM_PREDICATES - {AXIOM_TYPE}
    ]
    patterns += [(AXIOM_TYPE, c) for c in PROPERTY_CLASSES]
    return any(next(store.quads_for_pattern(None, p, o, graph), None) is not None for p, o in patterns)


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
    axioms = [
        pyoxigraph.Quad(q.subject, q.predicate, q.object)
        for predicate in AXIOM_PREDICATES - {AXIOM_TYPE}
        for q in work.quads_for_pattern(None, predicate, None)
    ]
    axioms += [
        pyoxigraph.Quad(q.subject, q.predicate, q.object)
        for klass in PROPERTY_CLASSES
        for q in work.quads_for_pattern(None, AXIOM_TYPE, klass)
    ]
    result = InferenceResult()
    delta = closed_except  # None: every rule runs on the whole graph
    rounds: list[bytes] = []
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
        for name, rule in rules.items():
            # a rule whose premises no new triple can match infers nothing new (semi-naive)
            names = terms[name]
            if scope is not None and name not in LINEAR_RULES and names is not None and not names & touched:
                continue
            if round_ == 1 and name in skip_in_first_round:
                continue
            rule_started = time.perf_counter()
            target = scope if (scope is not None and name in LINEAR_RULES) else work
            triples = target.query(PREFIXES + rule, use_default_graph_as_union=True)
            assert isinstance(triples, pyoxigraph.QueryTriples)  # every rule is a CONSTRUCT
            data = triples.serialize(format=NT) or b""
            load_keeping_labels(work, data, FOUND)
            result.per_rule[name] = result.per_rule.get(name, 0) + data.count(b"\n")
            result.rule_seconds[name] = result.rule_seconds.get(name, 0.0) + time.perf_counter() - rule_started
        work.update(KEEP_NEW)
        new = work.dump(format=NT, from_graph=FOUND) or b""  # without an output, dump returns the bytes
        result.rounds = round_
        if not new:
            break
        rounds.append(b"".join(sorted(new.splitlines(keepends=True))))
        if _has_axiom(work, FOUND):
            axioms += [pyoxigraph.Quad(q.subject, q.predicate, q.object) for q in _axioms_in(work, FOUND)]
        work.update(f"ADD {FOUND} TO {SCRATCH} ; CLEAR GRAPH {FOUND}")
        delta = new
    else:
        raise RuntimeError(f"inference did not reach a fixpoint in {max_rounds} rounds")
    result.data = b"".join(rounds)
    clashes = disjointness_clashes(work) if check_consistency else []
    if clashes:
        raise InconsistentDataError(clashes)
    result.seconds = time.perf_counter() - started
    return result


def _axioms_in(store: pyoxigraph.Store, graph: pyoxigraph.NamedNode) -> list[pyoxigraph.Quad]:
    quads = [q for p in AXIOM_PREDICATES - {AXIOM_TYPE} for q in store.quads_for_pattern(None, p, None, graph)]
    return quads + [q for c in PROPERTY_CLASSES for q in store.quads_for_pattern(None, AXIOM_TYPE, c, graph)]


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
