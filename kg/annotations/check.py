"""Loading the corpus with the ontology's vocabulary and checking its files: the first half of
``peacekg annotations validate`` (the second, the build's checks of the mapped graph, is
kg.builder.validation, a layer above)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kg.annotations.corpus import Corpus, load_corpus
from kg.annotations.format_docs import format_reference
from kg.annotations.linking import linking_warnings
from kg.annotations.review import draft_count
from kg.annotations.values import Issue
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


@dataclass
class FileCheck:
    """The corpus files checked (no problem found) and the warnings of the linking rules."""

    corpus: Corpus
    warnings: list[Issue]

    def summary(self) -> str:
        annotations = self.corpus.annotations.values()
        spans = sum(len(a.all_spans()) for a in annotations)
        statements = sum(len(a.data.get("statements") or []) for a in annotations)
        drafts = draft_count(self.corpus)
        return (
            f"{len(self.corpus.articles)} articles, {len(self.corpus.reference)} reference individuals, "
            f"{len(self.corpus.annotations)} annotation files, {statements} statements, {spans} resolved spans"
            + (f", {drafts} draft(s) (served only by a build with include_drafts)" if drafts else "")
        )


def check_files(settings: Settings) -> FileCheck:
    """The checks of the corpus files (every value, key, quote and review status): raise
    AnnotationError listing every problem, or return the corpus with the warnings of the linking
    rules (:mod:`~kg.annotations.linking`), looked for once there are no errors. ``peacekg
    annotations validate`` adds the build's checks of the mapped graph (kg.builder.validation)."""
    vocabulary = vocabulary_index(settings)
    corpus = load_corpus(Path(settings.corpus_dir), vocabulary)
    corpus.raise_for_issues()
    checks = OntologySources.find(Path(settings.ontology_dir)).data_checks
    warnings = linking_warnings(corpus, vocabulary, {p.name.removesuffix("-violation.rq") for p in checks})
    return FileCheck(corpus, warnings)
