"""Small RDF fixtures of tests/data/ontology (conforming and planted-defect graphs), and the seed
corpus mapped to one graph."""

from pathlib import Path

import rdflib

from kg.annotations.check import vocabulary_index
from kg.annotations.corpus import load_corpus
from kg.mapping.dataset import article_graph, reference_graph
from kg.mapping.iris import Minter
from kg.settings import load_settings

from helpers.paths import DATA, ROOT


def fixture_graph(name: str) -> rdflib.Graph:
    return rdflib.Graph().parse(DATA / "ontology" / name, format="turtle")


def seed_corpus_graph() -> tuple[rdflib.Graph, Path]:
    """The seed corpus's reference and article graphs (drafts included) as one graph, and the
    ontology folder they were mapped against."""
    settings = load_settings(config_file=None, environ={}, overrides={"corpus_dir": ROOT / "corpus"})
    vocabulary = vocabulary_index(settings)
    corpus = load_corpus(ROOT / "corpus", vocabulary)
    minter = Minter(settings.base_iri)
    data = reference_graph(corpus, minter, vocabulary, True)
    for article in sorted(corpus.articles):
        data += article_graph(corpus, article, minter, vocabulary, True)
    return data, Path(settings.ontology_dir)
