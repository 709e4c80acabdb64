"""The build maps each graph straight to N-Triples statements (kg.mapping.triples) and validates
them as text (kg.builder.graphs): the graphs it writes are the graphs of the rdflib path
(kg.mapping.dataset.article_graph, serialized by pyoxigraph), on the seed corpus and on a
synthetic corpus, with one worker and with two; a term is written as pyoxigraph writes it; the
part of the reference a batch reaches is the rdflib path's."""

from __future__ import annotations

import functools
from pathlib import Path

import pyoxigraph
import pytest
import rdflib
from rdflib.compare import isomorphic

from kg.annotations.check import vocabulary_index
from kg.annotations.corpus import Corpus, load_corpus
from kg.builder import graphs
from kg.builder.pipeline import fingerprints
from kg.mapping.dataset import article_graph, article_triples, reference_graph
from kg.mapping.iris import Minter
from kg.mapping.triples import Triples
from kg.ontology.load import load_ontology, load_shapes
from kg.serialize import nt_term, to_oxigraph
from kg.settings import Settings, load_settings
from kg.synthetic.corpus import generate

from helpers.paths import ROOT

NQ = pyoxigraph.RdfFormat.N_QUADS
EVERY_ESCAPE = "".join(chr(c) for c in range(0x80)) + "é\u2028\ufeff\U0001f600 \\u0041 \\\\"


@pytest.mark.parametrize(
    "term",
    [
        rdflib.URIRef("https://w3id.org/peacekg/resource/x%20y#z"),
        rdflib.BNode("b0"),
        rdflib.Literal(EVERY_ESCAPE),
        rdflib.Literal(EVERY_ESCAPE, lang="en-GB"),
        rdflib.Literal("plain", datatype=rdflib.XSD.string),
        rdflib.Literal(7, datatype=rdflib.XSD.nonNegativeInteger),
        rdflib.Literal("seven", datatype=rdflib.XSD.integer),  # ill-typed: kept as written
        rdflib.Literal(True),
        rdflib.Literal("2025-01-31", datatype=rdflib.XSD.date),
        rdflib.Literal("1.50", datatype=rdflib.XSD.decimal),
    ],
    ids=repr,
)
def test_a_term_is_written_as_pyoxigraph_writes_it(term: rdflib.term.Node) -> None:
    assert nt_term(term) == str(to_oxigraph(term))


def test_an_iri_n_triples_cannot_hold_is_refused() -> None:
    for iri in ("no-scheme", "https://x/a b", "https://x/<a>"):
        with pytest.raises(ValueError):
            nt_term(rdflib.URIRef(iri))


def _settings(corpus: Path, build_dir: Path, workers: int) -> Settings:
    return load_settings(
        config_file=None,
        environ={},
        overrides={
            "corpus_dir": corpus,
            "ontology_dir": ROOT / "ontology",
            "build_dir": build_dir,
            "include_drafts": True,
            "build_workers": workers,
        },
    )


@functools.cache
def _synthetic(folder: Path) -> Path:
    corpus = folder / "synthetic-20"
    vocabulary = vocabulary_index(_settings(ROOT / "corpus", folder / "unused", 1))
    generate(corpus, 20, 1, reference_dir=ROOT / "corpus" / "reference", vocabulary=vocabulary)
    return corpus


@pytest.fixture(scope="module", params=["seed", "synthetic-20"])
def corpus_dir(request, tmp_path_factory) -> Path:
    return ROOT / "corpus" if request.param == "seed" else _synthetic(tmp_path_factory.mktemp("synthetic"))


def _quads(data: bytes) -> set[pyoxigraph.Quad]:
    return set(pyoxigraph.parse(data, format=NQ))


def _rdflib_path(corpus: Corpus, settings: Settings, name: str) -> rdflib.Graph:
    minter, vocabulary = Minter(settings.base_iri), vocabulary_index(settings)
    if name == "reference":
        return reference_graph(corpus, minter, vocabulary, settings.include_drafts)
    return article_graph(corpus, name.split("/", 1)[1], minter, vocabulary, settings.include_drafts)


@pytest.mark.parametrize("workers", [1, 2])
def test_the_build_writes_the_graphs_of_the_rdflib_path(corpus_dir: Path, tmp_path: Path, workers: int) -> None:
    settings = _settings(corpus_dir, tmp_path / "build", workers)
    vocabulary = vocabulary_index(settings)
    corpus = load_corpus(corpus_dir, vocabulary)
    minter = Minter(settings.base_iri)
    ontology_dir = Path(settings.ontology_dir)
    reference = reference_graph(corpus, minter, vocabulary, True)
    built, rebuilt, _reused = graphs.map_and_validate(
        settings,
        corpus,
        fingerprints(settings, corpus),
        minter,
        vocabulary,
        reference,
        load_shapes(ontology_dir),
        load_ontology(ontology_dir),
        lambda message: None,
        workers=workers,
    )
    assert sorted(built) == sorted(rebuilt) == sorted(["reference", *(f"article/{a}" for a in corpus.articles)])
    for name, data in built.items():
        expected = graphs.nquads_of(_rdflib_path(corpus, settings, name), str(minter.graph(name)))
        assert _quads(data) == _quads(expected), name
        assert graphs.size(data) == len(_quads(expected)), f"{name}: one quad a line, each once"


def test_the_triples_are_the_rdflib_graph(corpus_dir: Path) -> None:
    settings = _settings(corpus_dir, corpus_dir / "unused", 1)
    vocabulary = vocabulary_index(settings)
    corpus = load_corpus(corpus_dir, vocabulary)
    minter = Minter(settings.base_iri)
    pairs = [
        (article_triples(corpus, a, minter, vocabulary, True), article_graph(corpus, a, minter, vocabulary, True))
        for a in sorted(corpus.articles)
    ]
    for triples, graph in pairs:
        assert len(triples) == len(graph)
        assert isomorphic(triples.graph(), graph)


def test_a_batch_reaches_the_part_of_the_reference_the_rdflib_path_does(corpus_dir: Path) -> None:
    settings = _settings(corpus_dir, corpus_dir / "unused", 1)
    vocabulary = vocabulary_index(settings)
    corpus = load_corpus(corpus_dir, vocabulary)
    minter = Minter(settings.base_iri)
    reference = reference_graph(corpus, minter, vocabulary, True)
    reach = graphs.Reach(reference)
    articles = sorted(corpus.articles)
    batches = [[a] for a in articles] + [articles]
    for batch in batches:
        mapped = [article_graph(corpus, a, minter, vocabulary, True) for a in batch]
        statements, ill_typed = reach.reachable([Triples(graph) for graph in mapped])
        expected = Triples(graphs._reachable(reference, *mapped))
        assert set(statements) == set(expected.statements()) and len(statements) == len(expected)
        assert not ill_typed
    assert reach.about, "the reference reaches something"


def test_an_ill_typed_literal_is_seen() -> None:
    subject, predicate = rdflib.URIRef("https://x/s"), rdflib.URIRef("https://x/p")
    assert not Triples([(subject, predicate, rdflib.Literal(7, datatype=rdflib.XSD.integer))]).ill_typed
    assert Triples([(subject, predicate, rdflib.Literal("seven", datatype=rdflib.XSD.integer))]).ill_typed
    reach = graphs.Reach(
        rdflib.Graph().parse(
            data='<https://x/o> <https://x/p> "x"^^<http://www.w3.org/2001/XMLSchema#date> .', format="nt"
        )
    )
    _found, ill_typed = reach.reachable([Triples([(subject, predicate, rdflib.URIRef("https://x/o"))])])
    assert ill_typed


def test_a_batch_passes_only_when_turbo_finds_nothing_and_no_literal_is_ill_typed(tmp_path: Path) -> None:
    """What the build lets through without pySHACL: the seed articles; not the same with a
    required triple removed (a violation), nor with an ill-typed literal (pyshacl-turbo does not
    see those: kg.ontology.shacl_native)."""
    settings = _settings(ROOT / "corpus", tmp_path / "build", 1)
    vocabulary = vocabulary_index(settings)
    corpus = load_corpus(ROOT / "corpus", vocabulary)
    minter = Minter(settings.base_iri)
    ontology_dir = Path(settings.ontology_dir)
    reference = reference_graph(corpus, minter, vocabulary, True)
    inputs = graphs._Inputs(
        settings, corpus, minter, vocabulary, reference, load_shapes(ontology_dir), load_ontology(ontology_dir)
    )
    batch = [inputs.triples(f"article/{a}") for a in sorted(corpus.articles)]
    assert inputs.conforms(batch)
    sha256 = rdflib.URIRef("https://w3id.org/peacekg/ontology/sha256")
    violating = Triples(triple for triple in batch[0] if triple[1] != sha256)
    assert len(violating) == len(batch[0]) - 1
    assert not inputs.conforms([violating, *batch[1:]])
    article = minter.article(sorted(corpus.articles)[0])
    translated = rdflib.URIRef("https://w3id.org/peacekg/ontology/translated")
    ill_typed = Triples(triple for triple in batch[0] if triple[1] != translated)
    with pytest.warns(UserWarning, match="weird boolean"):  # rdflib says so, and keeps it
        ill_typed.add((article, translated, rdflib.Literal("perhaps", datatype=rdflib.XSD.boolean)))
    assert ill_typed.ill_typed and not inputs.conforms([ill_typed, *batch[1:]])
