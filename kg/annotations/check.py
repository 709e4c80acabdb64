"""``peacekg annotations validate``: load the corpus with the ontology's vocabulary and report."""

from __future__ import annotations

from pathlib import Path

from kg.annotations.corpus import Corpus, load_corpus
from kg.annotations.format_docs import format_reference
from kg.annotations.linking import linking_warnings
from kg.annotations.vocabulary import VocabularyIndex
from kg.ontology.load import OntologySources, load_ontology
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
    """Raise AnnotationError listing every problem (errors), or return the warnings of the linking
    rules (:mod:`~kg.annotations.linking`, one per line, file:line: field: warning (rule): message)
    followed by a one-line summary. Warnings are looked for once there are no errors, and never
    fail the command."""
    vocabulary = vocabulary_index(settings)
    corpus = load_corpus(Path(settings.corpus_dir), vocabulary)
    corpus.raise_for_issues()
    checks = OntologySources.find(Path(settings.ontology_dir)).data_checks
    warnings = linking_warnings(corpus, vocabulary, {p.name.removesuffix("-violation.rq") for p in checks})
    spans = sum(len(a.all_spans()) for a in corpus.annotations.values())
    statements = sum(len(a.data.get("statements") or []) for a in corpus.annotations.values())
    summary = (
        f"corpus ok: {len(corpus.articles)} articles, {len(corpus.reference)} reference individuals, "
        f"{len(corpus.annotations)} annotation files, {statements} statements, {spans} resolved spans"
    )
    if not warnings:
        return summary
    lines = [str(w) for w in warnings]
    return "\n".join([*lines, f"{summary}; {len(warnings)} warning(s) of the linking rules (corpus/README.md)"])
