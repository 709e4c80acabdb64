"""The build's inference (semi-naive after the first round, over the work store's union graph)
infers exactly what the plain fixpoint infers — every rule over everything, every round — on the
seed corpus, and when inference itself makes an axiom (a triple the one-premise rules read as
part of the ontology), after which every rule must see every triple again."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph
import rdflib

from kg.annotations.check import vocabulary_index
from kg.annotations.corpus import load_corpus
from kg.builder.inference import GENERIC_RULES, PREFIXES, defined_class_rules, materialise
from kg.mapping.dataset import article_graph, reference_graph
from kg.mapping.iris import Minter
from kg.ontology.load import load_ontology
from kg.serialize import to_oxigraph_terms
from kg.settings import load_settings

from helpers.paths import ROOT


def plain_fixpoint(store: pyoxigraph.Store, ontology: rdflib.Graph) -> set[pyoxigraph.Triple]:
    """Every rule over every triple in every round, until nothing new: the definition."""
    rules = {**GENERIC_RULES, **defined_class_rules(ontology)}
    work = pyoxigraph.Store()
    work.extend(pyoxigraph.Quad(q.subject, q.predicate, q.object) for q in store)
    inferred: set[pyoxigraph.Triple] = set()
    while True:
        new = set()
        for rule in rules.values():
            for t in work.query(PREFIXES + rule):  # type: ignore[union-attr]
                if pyoxigraph.Quad(t.subject, t.predicate, t.object) not in work:
                    new.add(t)
        if not new:
            return inferred
        inferred |= new
        work.extend(pyoxigraph.Quad(t.subject, t.predicate, t.object) for t in new)


def store_of(graph: rdflib.Graph, ontology: rdflib.Graph) -> pyoxigraph.Store:
    store = pyoxigraph.Store()
    for name, g in (("urn:data", graph), ("urn:ontology", ontology)):
        store.extend(pyoxigraph.Quad(*to_oxigraph_terms(s, p, o), pyoxigraph.NamedNode(name)) for s, p, o in g)
    return store


def seed_graph() -> tuple[rdflib.Graph, rdflib.Graph]:
    settings = load_settings(config_file=None, environ={}, overrides={"corpus_dir": ROOT / "corpus"})
    vocabulary = vocabulary_index(settings)
    corpus = load_corpus(ROOT / "corpus", vocabulary)
    minter = Minter(settings.base_iri)
    data = reference_graph(corpus, minter, vocabulary, True)
    for article in sorted(corpus.articles):
        data += article_graph(corpus, article, minter, vocabulary, True)
    return data, load_ontology(Path(settings.ontology_dir))


def test_the_seed_corpus_infers_what_the_plain_fixpoint_infers() -> None:
    data, ontology = seed_graph()
    expected = plain_fixpoint(store_of(data, ontology), ontology)
    copied = store_of(data, ontology)
    result = materialise(copied, ontology)
    assert set(result.inferred) == expected and len(result.inferred) == len(expected) > 1000
    assert len(copied) == len(data) + len(ontology)  # left unchanged
    in_place = materialise(store_of(data, ontology), ontology, in_place=True)
    assert in_place.inferred == result.inferred


def test_an_inferred_axiom_is_seen_by_every_rule() -> None:
    """pk:memberOf's inverse is inferred to be a subproperty (prp-spo1 on a made-up
    super-property chain), after which prp-spo1 must apply it to old triples too."""
    data, ontology = seed_graph()
    pk = rdflib.Namespace("https://w3id.org/peacekg/ontology/")
    ex = rdflib.Namespace("urn:example:")
    extra = rdflib.Graph()
    extra += ontology
    # ex:alias rdfs:subPropertyOf ex:meta; ex:link ex:alias rdfs:subPropertyOf …: the axiom
    # (ex:link rdfs:subPropertyOf pk:mentionedIn) is inferred by prp-spo1 in round 1
    extra.add((ex.alias, rdflib.RDFS.subPropertyOf, rdflib.RDFS.subPropertyOf))
    extra.add((ex.link, ex.alias, pk.mentionedIn))
    data.add((ex.someone, ex.link, ex.somewhere))  # old triple the new axiom applies to
    expected = plain_fixpoint(store_of(data, extra), extra)
    assert any(t.subject == pyoxigraph.NamedNode(str(ex.someone)) for t in expected)
    assert set(materialise(store_of(data, extra), extra, in_place=True).inferred) == expected
