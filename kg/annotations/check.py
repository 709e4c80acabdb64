"""``peacekg annotations validate``: load the corpus with the ontology's vocabulary and report."""

from __future__ import annotations

from pathlib import Path

from kg.annotations.corpus import Corpus, load_corpus
from kg.annotations.format_docs import format_reference
from kg.annotations.vocabulary import VocabularyIndex
from kg.ontology.load import load_ontology
from kg.serialize import write_atomic
from kg.settings import Settings


def vocabulary_index(settings: Settings) -> VocabularyIndex:
    return VocabularyIndex.from_graph(load_ontology(Path(settings.ontology_dir)))


def open_corpus(settings: Settings) -> Corpus:
    """The corpus, loaded and checked against the ontology of ``settings``."""
    return load_corpus(Path(settings.corpus_dir), vocabulary_index(settings))


def write_format_reference(settings: Settings, out: Path | None = None) -> tuple[Path, bool]:
    """Write docs/annotation-format.md; returns its path and whether it changed."""
    path = out or Path(settings.docs_dir) / "annotation-format.md"
    return path, write_atomic(path, format_reference(vocabulary_index(settings)))


def validate_corpus(settings: Settings) -> str:
    """Raise AnnotationError listing every problem, or return a one-line summary."""
    corpus = open_corpus(settings)
    corpus.raise_for_issues()
    spans = sum(len(a.all_spans()) for a in corpus.annotations.values())
    statements = sum(len(a.data.get("statements") or []) for a in corpus.annotations.values())
    return (
        f"corpus ok: {len(corpus.articles)} articles, {len(corpus.reference)} reference individuals, "
        f"{len(corpus.annotations)} annotation files, {statements} statements, {spans} resolved spans"
    )
