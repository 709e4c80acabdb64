"""The corpus as named graphs: reference data, and one graph per article. Pure: takes a loaded,
validated corpus, returns rdflib graphs, or the same triples as :class:`~kg.mapping.triples.Triples`
(what the build serializes, without an rdflib graph's cost)."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph, Literal
from rdflib.namespace import PROV, RDF, RDFS

from kg.annotations.corpus import Corpus
from kg.annotations.review import is_draft
from kg.annotations.vocabulary import VocabularyIndex
from kg.mapping.articles import ArticleMapper, author_of, flag_draft
from kg.mapping.individuals import emit_individual
from kg.mapping.iris import Minter
from kg.mapping.triples import Triples
from kg.mapping.values import Emitter
from kg.ontology.load import PK

PREFIXES = {
    "pk": "https://w3id.org/peacekg/ontology/",
    "oa": "http://www.w3.org/ns/oa#",
    "prov": str(PROV),
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}


def new_graph(base: str) -> Graph:
    graph = Graph(bind_namespaces="none")
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns)
    graph.bind("res", base + "resource/")
    return graph


def reference_graph(corpus: Corpus, minter: Minter, vocabulary: VocabularyIndex, include_drafts: bool = False) -> Graph:
    """The reference data: its reviewed entries, and with ``include_drafts`` its drafts, flagged."""
    graph = new_graph(minter.base)
    out = Emitter(graph, minter, vocabulary)
    for doc, _index, item in corpus.reference:
        draft = is_draft(item)
        if draft and not include_drafts:
            continue
        node = emit_individual(out, item)
        if draft:
            flag_draft(out, node, item)
        # Every reference fact comes from a reference file (and, for precedents, their own sources).
        source = minter.source(f"PeaceKG reference data, {Path(doc.file).name}")
        out.add(source, RDF.type, PK.Document)
        out.add(source, RDFS.label, Literal(f"PeaceKG reference data, {Path(doc.file).name}", lang="en"))
        out.add(node, PROV.wasDerivedFrom, source)
        for commitment in item.get("commitments") or []:
            if "key" in commitment:  # a keyed commitment is its own resource, not a node of its agreement
                out.add(minter.resource(commitment["key"]), PROV.wasDerivedFrom, source)
    return graph


def article_graph(
    corpus: Corpus, article_id: str, minter: Minter, vocabulary: VocabularyIndex, include_drafts: bool = False
) -> Graph:
    """One article: its document and the reviewed items of its annotation file, and with
    ``include_drafts`` its draft items too, flagged."""
    graph = new_graph(minter.base)
    _article(Emitter(graph, minter, vocabulary), corpus, article_id, include_drafts)
    return graph


def article_triples(
    corpus: Corpus, article_id: str, minter: Minter, vocabulary: VocabularyIndex, include_drafts: bool = False
) -> Triples:
    """:func:`article_graph`'s triples, as the build serializes them (4x faster than the graph)."""
    triples = Triples()
    _article(Emitter(triples, minter, vocabulary), corpus, article_id, include_drafts)
    return triples


def _article(out: Emitter, corpus: Corpus, article_id: str, include_drafts: bool) -> None:
    article = corpus.articles[article_id]
    annotations = corpus.annotations.get(article_id)
    mapper = ArticleMapper(out, article, annotations, include_drafts)
    author = author_of(out, article)
    mapper.document(author)
    if annotations is not None:
        mapper.mentions()
        mapper.entities()
        mapper.roles()
        mapper.statements(author)
