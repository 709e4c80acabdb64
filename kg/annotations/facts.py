"""What the checks across corpus files need from each file, as plain values, and those checks run
over them: keys defined twice, references to keys, ``'<article>#sN'`` references, reviewed items
that refer to drafts.

kg.annotations.corpus runs the same checks over the parsed documents (:func:`load_corpus`). The
build keeps every file's :class:`FileFacts` in one snapshot (kg.builder.corpus_index), so that a
build after a one-file edit parses that file only and still runs every check across files over
the whole corpus, with the same issues, at the same file and line, as a clean load.

A file's facts depend only on its own bytes (an annotation file's also on its article's, which its
quotes resolve against), the loader's code and the ontology's vocabulary: they are cached with the
file's parse (kg.builder.parse_cache) under the same key.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from kg.annotations.definitions import classes_refused, unknown_key, wrong_class
from kg.annotations.requirements import KEY_RANGE
from kg.annotations.review import (
    annotation_referrer_is_draft,
    article_drafts,
    drafted_text_issues,
    drafts_of_file,
    reference_referrer_is_draft,
)
from kg.annotations.values import STATEMENT_REF_PATTERN, Issue
from kg.annotations.vocabulary import VocabularyIndex
from kg.annotations.yaml_source import Path_, YamlDocument, dotted

if TYPE_CHECKING:
    from kg.annotations.articles import Article
    from kg.annotations.corpus import Annotations, KeyDefinition

# A reference to a key or a statement: (line, field path shown, field name, key, whether the item
# holding it is a draft). Its file is the FileFacts' ``file``.
Ref = tuple[int, str, str, str, bool]
# A key an annotation file defines: (key, class, line of the item defining it, and line and field
# path of its ``key``); it is defined at "<file>:<line of the item>"
Definition = tuple[str, str, int | None, int, str]

_intern = sys.intern  # keys and field names repeat across thousands of files: one string each


class FileFacts(NamedTuple):
    """What one article or annotation file contributes to the corpus and to the checks across
    files (reference files are read whole on every load: their facts are not kept). A tuple, so
    that the build's index of 20,000 of them unpickles fast; places are lines of ``file``."""

    file: str  # the name its problems are shown by
    issues: tuple[Issue, ...]  # found in the file alone (an annotation file's drafter's texts included)
    refs: tuple[Ref, ...]  # key and '<article>#sN' references
    local: tuple[Ref, ...] = ()  # an annotation file's '#sN', as '<article>#sN'
    definitions: tuple[Definition, ...] = ()  # keys defined, in file order
    loaded: str | None = None  # the id of the article or annotation file the corpus holds, if any
    statements: frozenset[str] = frozenset()  # statement ids an '<article>#sN' may name
    draft_keys: tuple[tuple[str, int | None], ...] = ()  # draft individuals and the line defining each
    draft_statements: tuple[tuple[str, int | None], ...] = ()  # '<article>#sN' of draft statements, line
    drafts: int = 0  # draft items (mentions, entities, roles, statements, exceptions)


def _refs(doc: YamlDocument, refs: Iterable[tuple[Path_, str]], draft: Any) -> tuple[Ref, ...]:
    return tuple(
        (doc.line(where) or 1, _intern(dotted(where)), _intern(_field_name(where)), _intern(key), draft(where))
        for where, key in refs
    )


def _field_name(where: Path_) -> str:
    return next((p for p in reversed(where) if isinstance(p, str)), "")


def article_facts(
    article: Article | None, issues: list[Issue], refs: list[tuple[YamlDocument, Path_, str]]
) -> FileFacts:
    """An article's facts from its parse (its metadata's references: never drafts)."""
    file = refs[0][0].file if refs else (article.doc.file if article else "")
    out = tuple(ref for doc, where, key in refs for ref in _refs(doc, [(where, key)], lambda _where: False))
    return FileFacts(file, tuple(issues), out, loaded=article.id if article else None)


def annotation_facts(
    loaded: Annotations | None,
    issues: list[Issue],
    refs: list[tuple[YamlDocument, Path_, str]],
    doc: YamlDocument | None,
    definitions: list[KeyDefinition],
) -> FileFacts:
    """An annotation file's facts from its parse (kg.annotations.corpus._parse_annotation_file)."""
    if doc is None or loaded is None:  # not parsed, or not a mapping: nothing defined nor referred to
        return FileFacts(issues[0].file if issues else "", tuple(issues), ())
    data = doc.data
    keys, statements = drafts_of_file(loaded)
    return FileFacts(
        doc.file,
        (*issues, *drafted_text_issues(loaded)),
        _refs(doc, [(p, k) for _d, p, k in refs], lambda where: annotation_referrer_is_draft(data, where)),
        _refs(doc, loaded.local_references, lambda where: annotation_referrer_is_draft(data, where)),
        tuple(
            (
                _intern(key),
                klass,
                _line_of(where, doc.file),
                doc.line((*path, "key")) or 1,
                dotted((*path, "key")) or "(document)",
            )
            for key, (klass, where), path in definitions
        ),
        loaded.article,
        frozenset(statement_ids(data)),
        tuple((_intern(k), _line_of(w, doc.file)) for k, w in keys.items()),
        tuple((k, _line_of(w, doc.file)) for k, w in statements.items()),
        article_drafts(loaded),
    )


def _line_of(where: str, file: str) -> int | None:
    """The line of a place "<file>:<line>" in ``file`` (None where the line was not known)."""
    assert where.startswith(file + ":"), (where, file)
    line = where[len(file) + 1 :]
    return None if line == "None" else int(line)


def _place(file: str, line: int | None) -> str:
    return f"{file}:{line}"


def statement_ids(data: Any) -> set[str]:
    """The ids of an annotation file's statements, as a '<article>#sN' reference is checked."""
    try:
        return {str(s.get("id")) for s in data.get("statements") or [] if isinstance(s, dict)}
    except TypeError:  # 'statements' is neither a list nor empty (reported by the file's own checks)
        return set()


def reference_refs(refs: list[tuple[YamlDocument, Path_, str]]) -> list[tuple[str, Ref]]:
    """The reference files' references as (file, ref); an entry marked ``review: draft`` refers
    as a draft."""
    return [
        (doc.file, ref)
        for doc, where, key in refs
        for ref in _refs(doc, [(where, key)], lambda w, data=doc.data: reference_referrer_is_draft(data, w))
    ]


@dataclass
class CrossFile:
    """The result of the checks across files: the corpus's keys and their problems."""

    keys: dict[str, tuple[str, str]]
    issues: list[Issue]


def check_across_files(
    keys: dict[str, tuple[str, str]],
    reference_refs: list[tuple[str, Ref]],
    reference_draft_keys: dict[str, str],
    articles: Iterable[FileFacts],
    annotations: list[FileFacts],
    vocabulary: VocabularyIndex,
) -> CrossFile:
    """Every check across files (as :func:`kg.annotations.corpus.load_corpus` runs them) over the
    files' facts. ``keys`` holds the reference data's keys, to which the annotation files' are
    added in order (``annotations`` in file order); ``reference_refs`` are (file, ref)."""
    checks = _Checks(dict(keys), vocabulary)
    for facts in annotations:
        checks.define(facts)
    checks.drafts(reference_draft_keys, annotations)
    for file, ref in reference_refs:
        checks.check(file, [ref])
    for facts in articles:
        checks.check(facts.file, facts.refs)
    for facts in annotations:
        checks.check(facts.file, facts.refs)
        checks.check(facts.file, facts.local, local=True)
    return CrossFile(checks.keys, checks.issues)


class _Checks:
    """The corpus's keys, statements and drafts as the files define them, and the problems of
    the references to them."""

    def __init__(self, keys: dict[str, tuple[str, str]], vocabulary: VocabularyIndex):
        self.keys = keys
        self.vocabulary = vocabulary
        self.issues: list[Issue] = []
        self.statements: dict[str, frozenset[str]] = {}
        self.draft_keys: dict[str, str] = {}
        self.draft_statements: dict[str, str] = {}
        self.refused: dict[tuple[str, str], tuple[str, ...] | None] = {}  # (field, class) -> classes it takes

    def define(self, facts: FileFacts) -> None:
        """An annotation file's keys (a key defined before is a problem at its ``key`` field, as
        kg.annotations.definitions.define_key tells it) and statements."""
        for key, klass, defined, line, where in facts.definitions:
            if key in self.keys:
                self.issues.append(
                    Issue(facts.file, line, where, f"key {key!r} is already defined in {self.keys[key][1]}")
                )
            else:
                self.keys[key] = (klass, _place(facts.file, defined))
        if facts.loaded is not None:
            self.statements[facts.loaded] = facts.statements

    def drafts(self, reference: dict[str, str], annotations: list[FileFacts]) -> None:
        self.draft_keys = dict(reference)
        for facts in annotations:
            if facts.draft_keys:
                self.draft_keys.update((key, _place(facts.file, line)) for key, line in facts.draft_keys)
            if facts.draft_statements:
                self.draft_statements.update((key, _place(facts.file, line)) for key, line in facts.draft_statements)

    def check(self, file: str, refs: Iterable[Ref], local: bool = False) -> None:
        """References to keys and statements (an annotation file's own '#sN', ``local``, were
        checked with the file), and reviewed items' references to drafts. The common case (a
        defined key in a field without a class range) is decided inline: 135,000 references at
        10,000 articles."""
        keys, draft_keys, draft_statements = self.keys, self.draft_keys, self.draft_statements
        for line, where, field_name, key, draft in refs:
            settled = local or (field_name not in KEY_RANGE and "#" not in key and key in keys)
            problem = None if settled else self._problem(key, field_name)
            if problem:
                self.issues.append(Issue(file, line, where, problem))
            if not draft and (key in draft_keys or key in draft_statements):
                what, at = (
                    (f"individual {key!r}", draft_keys[key])
                    if key in draft_keys
                    else (f"statement {key!r}", draft_statements[key])
                )
                self.issues.append(
                    Issue(
                        file,
                        line,
                        where,
                        f"a reviewed item refers to the draft {what} (at {at}): review {key} first "
                        "(or mark this item 'review: draft')",
                    )
                )

    def _problem(self, key: str, field_name: str) -> str | None:
        if "#" in key:
            return _statement_problem(key, self.statements)
        if key not in self.keys:
            return unknown_key(key)
        klass = self.keys[key][0]
        if (field_name, klass) not in self.refused:
            self.refused[field_name, klass] = classes_refused(field_name, klass, self.vocabulary)
        allowed = self.refused[field_name, klass]
        return None if allowed is None else wrong_class(key, klass, field_name, allowed)


def _statement_problem(key: str, statements: Mapping[str, frozenset[str]]) -> str | None:
    match = STATEMENT_REF_PATTERN.match(key)
    assert match is not None  # Checker.check_statement_ref records only well-formed references
    article, sid = match["article"], match["sid"]
    if not article:
        return f"a statement reference outside an annotation file names its article ('<article id>{key}')"
    if article not in statements:
        return f"no annotation file for article {article!r}"
    if sid not in statements[article]:
        return f"no statement with id {sid!r} in the annotations of article {article}"
    return None
