"""The build's inference (semi-naive after the first round, over the work store's union graph)
infers exactly what the plain fixpoint infers — every rule over everything, every round — on the
seed corpus, and when inference itself makes an axiom (a triple the one-premise rules read as
part of the ontology), after which every rule must see every triple again; inference by buckets
of articles with a global pass (kg.builder.buckets) infers exactly what inference over the whole
store infers, and finds a clash of disjoint classes that only the union shows."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph
import pytest
import rdflib

from kg.annotations.check import vocabulary_index
from kg.annotations.corpus import load_corpus
from kg.builder import buckets
from kg.builder.dred import compile_rules
from kg.builder.graphs import NQ, load_graphs
from kg.builder.inference import InconsistentDataError, materialise
from kg.builder.rules import GENERIC_RULES, LINEAR_RULES, ONE_ARTICLE_RULES, PREFIXES, defined_class_rules
from kg.mapping.dataset import article_graph, reference_graph
from kg.mapping.iris import Minter
from kg.ontology.load import load_ontology
from kg.serialize import rdf_bytes, to_oxigraph_terms
from kg.settings import load_settings

from helpers.graphs import seed_corpus_graph
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
    data, ontology_dir = seed_corpus_graph()
    return data, load_ontology(ontology_dir)


def test_the_seed_corpus_infers_what_the_plain_fixpoint_infers() -> None:
    data, ontology = seed_graph()
    expected = plain_fixpoint(store_of(data, ontology), ontology)
    copied = store_of(data, ontology)
    result = materialise(copied, ontology)
    assert set(result.inferred) == expected and len(result.inferred) == len(expected) > 1000
    assert len(copied) == len(data) + len(ontology)  # left unchanged
    in_place = materialise(store_of(data, ontology), ontology, in_place=True)
    assert in_place.inferred == result.inferred
    # a round's rules queried at once on two threads: the same fixpoint
    assert set(materialise(store_of(data, ontology), ontology, in_place=True, threads=2).inferred) == expected


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
    assert set(materialise(store_of(data, extra), extra, in_place=True, threads=2).inferred) == expected


def seed_graphs() -> tuple[dict[str, bytes], rdflib.Graph]:
    """The seed corpus's graphs by name, as the build has them (kg.builder.buckets.infer's input: N-Quads)."""
    settings = load_settings(config_file=None, environ={}, overrides={"corpus_dir": ROOT / "corpus"})
    vocabulary = vocabulary_index(settings)
    corpus = load_corpus(ROOT / "corpus", vocabulary)
    minter = Minter(settings.base_iri)
    ontology = load_ontology(Path(settings.ontology_dir))

    def quads(graph: rdflib.Graph, name: str) -> bytes:
        node = pyoxigraph.NamedNode(str(minter.graph(name)))
        return rdf_bytes([pyoxigraph.Quad(*to_oxigraph_terms(s, p, o), node) for s, p, o in graph], NQ)

    graphs = {"reference": quads(reference_graph(corpus, minter, vocabulary, True), "reference")}
    for article in sorted(corpus.articles):
        graphs[f"article/{article}"] = quads(
            article_graph(corpus, article, minter, vocabulary, True), f"article/{article}"
        )
    graphs["ontology"] = quads(ontology, "ontology")
    return graphs, ontology


def by_buckets(graphs: dict[str, bytes], ontology: rdflib.Graph, workers: int = 1) -> set[pyoxigraph.Triple]:
    work = pyoxigraph.Store()
    load_graphs(work, graphs.values())
    prints = {name: name for name in graphs}  # no cache: the keys are not used
    cache = buckets.Cache(None, write=False)
    return set(buckets.infer(work, graphs, prints, ontology, cache, workers=workers).inferred)


@pytest.mark.parametrize(("per_bucket", "workers"), [(1, 1), (1, 2), (3, 1), (1000, 1)])
def test_inference_by_buckets_equals_the_global_fixpoint(monkeypatch, per_bucket: int, workers: int) -> None:
    """Whatever the buckets (one article each, a few, all in one) and wherever they are inferred
    (here or in worker processes), their union and the global pass infer exactly what inference
    over the whole store infers: the seed corpus's statements target statements of other
    articles, and its articles type reference individuals."""
    monkeypatch.setattr(buckets, "ARTICLES_PER_BUCKET", per_bucket)
    graphs, ontology = seed_graphs()
    whole = pyoxigraph.Store()
    load_graphs(whole, graphs.values())
    expected = set(materialise(whole, ontology).inferred)
    assert by_buckets(graphs, ontology, workers) == expected and len(expected) > 1000


def test_the_global_pass_skips_the_one_premise_rules_when_no_bucket_adds_an_axiom(monkeypatch) -> None:
    """The work store is loaded from the graphs' N-Quads keeping blank-node labels, so the
    ontology's restrictions there are the base's own nodes: its axioms equal the base's and the
    one-premise rules are skipped in the global pass's first round (with Store.load's new labels
    they were not, and the global pass at 10,000 articles ran every rule over the union)."""
    monkeypatch.setattr(buckets, "ARTICLES_PER_BUCKET", 1)
    graphs, ontology = seed_graphs()
    skipped: list[frozenset[str]] = []
    real = buckets.materialise

    def recording(*args, **kwargs):  # type: ignore[no-untyped-def]
        if "skip_in_first_round" in kwargs:  # the global pass (a bucket's closure skips nothing)
            skipped.append(kwargs["skip_in_first_round"])
        return real(*args, **kwargs)

    monkeypatch.setattr(buckets, "materialise", recording)
    by_buckets(graphs, ontology)
    assert skipped == [frozenset(LINEAR_RULES) | frozenset(ONE_ARTICLE_RULES)]


def test_the_rules_left_out_of_the_first_global_round_read_one_articles_nodes() -> None:
    """The argument for ONE_ARTICLE_RULES, as data: each such rule's every data premise names one
    of its listed variables (or the rule has a single positive premise), and on the seed corpus
    every node those variables take in the global fixpoint is named by exactly one asserted graph,
    an article's; so every premise triple of an instance is in that article's bucket's closure."""
    graphs, ontology = seed_graphs()
    rules = {rule.name: rule for rule in compile_rules(ontology)}
    whole = pyoxigraph.Store()
    load_graphs(whole, graphs.values())
    whole.extend(pyoxigraph.Quad(t.subject, t.predicate, t.object) for t in materialise(whole, ontology).inferred)
    naming: dict[object, set[str]] = {}
    for name, data in graphs.items():
        for q in pyoxigraph.parse(data, format=NQ):
            for node in (q.subject, q.object):
                naming.setdefault(node, set()).add(name)
    for name, variables in ONE_ARTICLE_RULES.items():
        premises = rules[name].premises
        if not variables:
            assert len(premises) == 1, name  # one positive premise: the bucket that holds it ran the rule
            continue
        for premise in premises:
            assert {str(t) for t in premise if isinstance(t, rdflib.Variable)} & set(variables), (name, premise)
        where = GENERIC_RULES[name][GENERIC_RULES[name].index("WHERE") :]
        query = PREFIXES + f"SELECT DISTINCT {' '.join('?' + v for v in variables)} {where}"
        solutions = list(whole.query(query, use_default_graph_as_union=True))  # type: ignore[arg-type]
        assert len(solutions) > 100, name
        for solution in solutions:
            for variable in variables:
                holders = naming[solution[variable]]
                assert len(holders) == 1 and next(iter(holders)).startswith("article/"), (name, variable, holders)


def test_a_rule_whose_instance_joins_two_buckets_stays_in_the_first_global_round(monkeypatch) -> None:
    """pk-head-of is not a one-article rule: a role stated in one article may be in a government
    that only another article's entity types pk:Government. Its pk:headOf comes only from the
    global pass's first round, and leaving the rule out of that round loses it."""
    monkeypatch.setattr(buckets, "ARTICLES_PER_BUCKET", 1)
    graphs, ontology = seed_graphs()
    pk, resource = "https://w3id.org/peacekg/ontology/", "https://w3id.org/peacekg/resource/"
    role, person, government = (pyoxigraph.NamedNode(resource + n) for n in ("a-role", "a-person", "a-government"))
    head = pyoxigraph.NamedNode("https://w3id.org/peacekg/vocab/role-type/head-of-state")
    articles = sorted(name for name in graphs if name.startswith("article/"))
    count = buckets.bucket_count(len(articles))
    first = articles[0]
    second = next(n for n in articles if buckets.bucket_of(n[8:], count) != buckets.bucket_of(first[8:], count))
    planted = {
        first: [(role, pk + "holder", person), (role, pk + "roleType", head), (role, pk + "roleIn", government)],
        second: [(government, str(rdflib.RDF.type), pyoxigraph.NamedNode(pk + "Government"))],
    }
    for name, triples in planted.items():
        graph = next(pyoxigraph.parse(graphs[name], format=NQ)).graph_name
        graphs[name] += rdf_bytes([pyoxigraph.Quad(s, pyoxigraph.NamedNode(p), o, graph) for s, p, o in triples], NQ)
    head_of = pyoxigraph.Triple(person, pyoxigraph.NamedNode(pk + "headOf"), government)
    whole = pyoxigraph.Store()
    load_graphs(whole, graphs.values())
    expected = set(materialise(whole, ontology).inferred)
    assert head_of in expected and by_buckets(graphs, ontology) == expected
    monkeypatch.setattr(buckets, "ONE_ARTICLE_RULES", {**ONE_ARTICLE_RULES, "pk-head-of": ()})
    assert head_of not in by_buckets(graphs, ontology)


@pytest.mark.parametrize("workers", [1, 2])
def test_what_one_bucket_infers_and_another_asserts_is_not_inferred(monkeypatch, workers: int) -> None:
    """An individual typed by a class in one article and by its superclass in another:
    the first article's bucket infers the superclass, which the second asserts. The inferred graph
    holds only what no graph asserts, so it is left out, on one thread or several
    (kg.builder.buckets._not_asserted)."""
    monkeypatch.setattr(buckets, "ARTICLES_PER_BUCKET", 1)
    graphs, ontology = seed_graphs()
    pk = "https://w3id.org/peacekg/ontology/"
    rdf_type = pyoxigraph.NamedNode(str(rdflib.RDF.type))
    sub, sup = next(
        (pyoxigraph.NamedNode(str(c1)), pyoxigraph.NamedNode(str(c2)))
        for c1, c2 in sorted(ontology.subject_objects(rdflib.RDFS.subClassOf))
        if str(c1).startswith(pk) and str(c2).startswith(pk)
    )
    odd = pyoxigraph.NamedNode("https://w3id.org/peacekg/resource/typed-twice")
    articles = sorted(name for name in graphs if name.startswith("article/"))
    count = buckets.bucket_count(len(articles))
    first = articles[0]
    second = next(n for n in articles if buckets.bucket_of(n[8:], count) != buckets.bucket_of(first[8:], count))
    for name, klass in ((first, sub), (second, sup)):
        graph = next(pyoxigraph.parse(graphs[name], format=NQ)).graph_name
        graphs[name] += rdf_bytes([pyoxigraph.Quad(odd, rdf_type, klass, graph)], NQ)
    whole = pyoxigraph.Store()
    load_graphs(whole, graphs.values())
    expected = set(materialise(whole, ontology).inferred)
    inferred = by_buckets(graphs, ontology, workers)
    assert pyoxigraph.Triple(odd, rdf_type, sup) not in inferred
    assert inferred == expected


def test_individuals_of_disjoint_classes_in_two_articles_fail_the_build(monkeypatch) -> None:
    """An individual typed in one article as a place and in another as a document: each bucket is
    consistent, the union is not, and the build names the individual and both classes."""
    monkeypatch.setattr(buckets, "ARTICLES_PER_BUCKET", 1)
    graphs, ontology = seed_graphs()
    pk = "https://w3id.org/peacekg/ontology/"
    rdf_type = pyoxigraph.NamedNode(str(rdflib.RDF.type))
    odd = pyoxigraph.NamedNode("https://w3id.org/peacekg/resource/somewhere-odd")
    articles = sorted(name for name in graphs if name.startswith("article/"))
    count = buckets.bucket_count(len(articles))

    def bucket(name: str) -> int:
        return buckets.bucket_of(name.split("/", 1)[1], count)

    first = articles[0]
    second = next(name for name in articles if bucket(name) != bucket(first))
    for name, klass in ((first, "Place"), (second, "Document")):
        graph = next(pyoxigraph.parse(graphs[name], format=NQ)).graph_name
        graphs[name] += rdf_bytes([pyoxigraph.Quad(odd, rdf_type, pyoxigraph.NamedNode(pk + klass), graph)], NQ)
    with pytest.raises(InconsistentDataError) as caught:
        by_buckets(graphs, ontology)
    assert (odd.value, pk + "Place", pk + "Document") in caught.value.clashes


def test_a_blank_node_in_an_article_keeps_its_label_through_buckets_and_workers(monkeypatch) -> None:
    """Inferred triples travel between stores as N-Triples, loaded by Store.load where they hold
    no blank node (it would give one a new label: the same node would be two). A blank node
    planted in one article, typed by a class with superclasses and with a speaker, is inferred
    about under its own label, exactly as over the whole store, here and in worker processes."""
    monkeypatch.setattr(buckets, "ARTICLES_PER_BUCKET", 1)
    graphs, ontology = seed_graphs()
    pk = "https://w3id.org/peacekg/ontology/"
    planted = pyoxigraph.BlankNode("planted")
    first = sorted(name for name in graphs if name.startswith("article/"))[0]
    graph = next(pyoxigraph.parse(graphs[first], format=NQ)).graph_name
    speaker = pyoxigraph.NamedNode("https://w3id.org/peacekg/resource/someone")
    rdf_type = pyoxigraph.NamedNode(str(rdflib.RDF.type))
    graphs[first] += rdf_bytes(
        [
            pyoxigraph.Quad(
                planted, rdf_type, pyoxigraph.NamedNode("http://www.w3.org/2006/time#ProperInterval"), graph
            ),
            pyoxigraph.Quad(planted, pyoxigraph.NamedNode(pk + "attributedTo"), speaker, graph),
        ],
        NQ,
    )
    whole = pyoxigraph.Store()
    load_graphs(whole, graphs.values())
    expected = set(materialise(whole, ontology).inferred)
    about = {t for t in expected if t.subject == planted}
    assert pyoxigraph.Triple(planted, rdf_type, pyoxigraph.NamedNode("http://www.w3.org/2006/time#Interval")) in about
    assert pyoxigraph.Triple(planted, pyoxigraph.NamedNode(pk + "heldBy"), speaker) in about
    assert by_buckets(graphs, ontology) == expected
    assert by_buckets(graphs, ontology, workers=2) == expected


@pytest.mark.parametrize("data", [b"", b'<urn:x> <urn:p> "no blank node, though _: in a literal" .\n'])
def test_loading_triples_keeps_blank_node_labels(data: bytes) -> None:
    """kg.builder.inference.load_keeping_labels: N-Triples into a graph and N-Quads as they are,
    a blank node under its own label (the fast path, Store.load, is only for data without one)."""
    from kg.builder.inference import load_keeping_labels

    b, g = pyoxigraph.BlankNode("b1"), pyoxigraph.NamedNode("urn:g")
    nt = data + b"_:b1 <urn:p> <urn:o> .\n<urn:s> <urn:p> _:b1 .\n"
    store = pyoxigraph.Store()
    load_keeping_labels(store, nt, g)
    load_keeping_labels(store, b"_:b1 <urn:q> <urn:o> <urn:h> .\n<urn:s> <urn:q> <urn:o> <urn:h> .\n")
    assert {q.graph_name for q in store.quads_for_pattern(b, None, None)} == {g, pyoxigraph.NamedNode("urn:h")}
    assert len(store) == 4 + (len(data) > 0)
    plain = pyoxigraph.Store()
    load_keeping_labels(plain, b"<urn:s> <urn:p> <urn:o> .\n", g)
    assert list(plain) == [pyoxigraph.Quad(*(pyoxigraph.NamedNode(n) for n in ("urn:s", "urn:p", "urn:o", "urn:g")))]
