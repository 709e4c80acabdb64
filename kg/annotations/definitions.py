"""What the corpus defines and refers to: individuals (reference data and the entities of annotation
files; each key is defined once in the whole corpus), statements (ids local to their file), and the
check that every key referred to names a defined individual of a class the field takes. Helpers of
:mod:`kg.annotations.corpus`: problems are collected in a Checker (or returned), never raised."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kg.annotations.fields import (
    INDIVIDUAL,
    STATEMENT,
    STATEMENT_TYPE,
    Field,
    fields_for_class_families,
)
from kg.annotations.requirements import CLASS_REQUIRED, KEY_RANGE
from kg.annotations.values import STATEMENT_REF_PATTERN, Checker, Issue
from kg.annotations.vocabulary import VocabularyIndex
from kg.annotations.yaml_source import Path_, YamlDocument, dotted

if TYPE_CHECKING:
    from kg.annotations.corpus import Annotations


def check_individual(
    item: Any, path: Path_, checker: Checker, keys: dict, vocabulary: VocabularyIndex, allow_evidence: bool
) -> None:
    if not isinstance(item, dict):
        checker.issue(path, "expected a mapping describing an individual")
        return
    klass, key = item.get("type"), item.get("key")
    if not isinstance(klass, str) or klass not in vocabulary.classes:
        checker.issue(path + ("type",), f"unknown class {klass!r}")
        fields: tuple[Field, ...] = INDIVIDUAL
    else:
        fields = fields_for_class_families(vocabulary.families(klass))
    # evidence is for entities of an annotation file; drafted_from for reference entries
    fields = tuple(f for f in fields if f.name != ("drafted_from" if allow_evidence else "evidence"))
    checker.check_object(item, path, fields, f"a {klass}")
    for family in vocabulary.families(str(klass)) | {str(klass)}:
        for name in CLASS_REQUIRED.get(family, ()):
            if name not in item:
                checker.issue(path, f"a {klass} needs {name!r}")
    define_key(key, klass, path, checker, keys)
    for i, commitment in enumerate(item.get("commitments") or []):
        if isinstance(commitment, dict) and "key" in commitment:
            define_key(
                commitment["key"], commitment.get("type", "SecurityGuarantee"), path + ("commitments", i), checker, keys
            )


def define_key(key: Any, klass: Any, path: Path_, checker: Checker, keys: dict) -> None:
    """Register a key definition; a key is defined once in the whole corpus."""
    if not isinstance(key, str):
        return
    checker.check_key(key, path + ("key",))
    if checker.references and checker.references[-1] == (path + ("key",), key):
        checker.references.pop()  # a definition, not a reference
    if key in keys:
        checker.issue(path + ("key",), f"key {key!r} is already defined in {keys[key][1]}")
    else:
        keys[key] = (klass if isinstance(klass, str) else "?", f"{checker.doc.file}:{checker.doc.line(path)}")


def check_statement(item: Any, path: Path_, checker: Checker, ids: set[str]) -> None:
    if not isinstance(item, dict):
        checker.issue(path, "expected a mapping describing a statement")
        return
    kind = item.get("type")
    if kind not in STATEMENT_TYPE:
        checker.issue(path + ("type",), f"unknown statement type {kind!r} (one of: {', '.join(STATEMENT_TYPE)})")
        return
    checker.check_object(item, path, STATEMENT + STATEMENT_TYPE[kind], f"a {kind}")
    sid = item.get("id")
    if sid in ids:
        checker.issue(path + ("id",), f"statement id {sid!r} is used twice in this file")
    ids.add(str(sid))


def check_reference_file(
    doc: YamlDocument, vocabulary: VocabularyIndex, keys: dict, issues: list[Issue], refs: list
) -> list[tuple[YamlDocument, int, dict[str, Any]]]:
    """Check a reference file (a list of individuals, defining their keys); return its individuals
    as (file, index, individual). Issues and key references are added to ``issues`` and ``refs``."""
    reference: list[tuple[YamlDocument, int, dict[str, Any]]] = []
    checker = Checker(doc, vocabulary)
    if not isinstance(doc.data, list):
        checker.issue((), "a reference file is a list of individuals")
    else:
        for i, item in enumerate(doc.data):
            check_individual(item, (i,), checker, keys, vocabulary, allow_evidence=False)
            if isinstance(item, dict):
                reference.append((doc, i, item))
    issues.extend(checker.issues)
    refs.extend((doc, p, k) for p, k in checker.references)
    return reference


def check_references(
    refs: list[tuple[YamlDocument, Path_, str]], keys: dict[str, tuple[str, str]], vocabulary: VocabularyIndex
) -> list[Issue]:
    """Every key referred to names an individual defined in the corpus, of a class that the field
    referring to it takes (kg.annotations.requirements.KEY_RANGE, by field name)."""
    issues: list[Issue] = []
    for doc, where, key in refs:
        if problem := reference_problem(where, key, keys, vocabulary):
            issues.append(Issue(doc.file, doc.line(where) or 1, dotted(where), problem))
    return issues


def reference_problem(
    where: Path_, key: str, keys: dict[str, tuple[str, str]], vocabulary: VocabularyIndex
) -> str | None:
    """What is wrong with the reference to ``key`` at ``where``, if anything: no individual has
    that key, or it is of a class that the field does not take."""
    if key not in keys:
        return unknown_key(key)
    field_name = next((p for p in reversed(where) if isinstance(p, str)), "")
    klass = keys[key][0]
    allowed = classes_refused(field_name, klass, vocabulary)
    return None if allowed is None else wrong_class(key, klass, field_name, allowed)


def unknown_key(key: str) -> str:
    return f"unknown individual {key!r} (not defined in reference data or any annotation file)"


def wrong_class(key: str, klass: str, field_name: str, allowed: tuple[str, ...]) -> str:
    return f"{key!r} is a {klass}, but {field_name!r} takes a {' or '.join(allowed)}"


def classes_refused(field_name: str, klass: str, vocabulary: VocabularyIndex) -> tuple[str, ...] | None:
    """The classes a field named ``field_name`` takes when an individual of ``klass`` is not one
    of them (kg.annotations.requirements.KEY_RANGE), else None."""
    expected = KEY_RANGE.get(field_name)
    if not expected:
        return None
    allowed = expected if isinstance(expected, tuple) else (expected,)
    if any(vocabulary.is_a(klass, a) for a in allowed):
        return None
    return allowed


def check_statement_references(
    refs: list[tuple[YamlDocument, Path_, str]], annotations: dict[str, Annotations]
) -> list[Issue]:
    """Every '<article id>#s3' names a statement of that article's annotation file (a bare '#s3'
    is checked against its own file by _load_annotations, and belongs in an annotation file)."""
    issues: list[Issue] = []
    for doc, where, key in refs:
        match = STATEMENT_REF_PATTERN.match(key)
        assert match is not None  # Checker.check_statement_ref records only well-formed references
        article, sid = match["article"], match["sid"]
        if not article:
            problem = f"a statement reference outside an annotation file names its article ('<article id>{key}')"
        elif article not in annotations:
            problem = f"no annotation file for article {article!r}"
        elif sid not in {
            str(s.get("id")) for s in annotations[article].data.get("statements") or [] if isinstance(s, dict)
        }:
            problem = f"no statement with id {sid!r} in the annotations of article {article}"
        else:
            continue
        issues.append(Issue(doc.file, doc.line(where) or 1, dotted(where), problem))
    return issues
