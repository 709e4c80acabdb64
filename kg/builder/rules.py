"""The rules the build materialises (kg.builder.inference runs them), as SPARQL CONSTRUCTs,
and which of them the inference by bucket and the global pass may skip (kg.builder.buckets).

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
statement toward a thing, on the way.
"""

from __future__ import annotations

import rdflib
from rdflib.collection import Collection
from rdflib.namespace import OWL

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
    # PeaceKG shortcut: the page key of queries/contradictions.rq, a statement with a statement of
    # greater IRI that takes the contrary stance (pk:contraryStance) on the same target: each pair
    # is listed under its first statement. Nested EXISTS, so that each step is a lookup from what
    # is bound (as one group the engine hash-joined every pk:target triple per statement) and
    # kg.builder.dred can bind any premise. It joins statements of two articles: the global pass.
    "pk-first-of-contrary-pair": "CONSTRUCT { ?s a pk:FirstOfContraryPair } WHERE { "
    "?s pk:stance ?st ; pk:target ?t . ?st pk:contraryStance ?ost . "
    "FILTER EXISTS { ?o pk:target ?t . FILTER(STR(?s) < STR(?o)) FILTER EXISTS { ?o pk:stance ?ost } } }",
}
PREFIXES = (
    "PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
    "PREFIX owl: <http://www.w3.org/2002/07/owl#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
    "PREFIX pk: <https://w3id.org/peacekg/ontology/> "
)


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
