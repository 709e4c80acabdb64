"""Loading and checking the whole corpus: articles (text + metadata with regions), reference
data, annotation files. Every problem is collected with file, line and field; quotes are resolved
to offsets and checked against the text.

Layout (``corpus_dir``)::

    articles/<id>.txt      the article, byte for byte
    articles/<id>.yaml     its metadata: title, outlet, author, genre, language, date, regions
    reference/*.yaml       canonical individuals (lists of mappings)
    annotations/<id>.yaml  what the article says: mentions, entities, statements, coverage_ignore

Parsing and checking one file does not depend on the other files (a key defined twice is found
when the files' definitions are merged, in file order), so a :class:`ParseCache` may keep each
file's result by the hash of the bytes it was made from: an article by its text and metadata, an
annotation file by its own bytes and its article's (kg.builder.parse_cache). The checks across
files (references, cross-article statement references, review status) always run on the whole
corpus; the build runs them over each file's facts (kg.annotations.facts, kept in its corpus
index: kg.builder.corpus_index) instead of over every file's parse, with the same issues.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from kg.annotations.articles import (
    Article,
    _load_article,
    shown,
    syntax_issue,
)
from kg.annotations.definitions import (
    check_individual,
    check_reference_file,
    check_references,
    check_statement,
    check_statement_references,
)
from kg.annotations.fields import ARTICLE_ROLE
from kg.annotations.quotes import QuoteError, Span, resolve, resolve_all
from kg.annotations.review import check_drafted_from, check_drafted_text, check_reviewed_refers_to_reviewed
from kg.annotations.sections import COVERAGE_IGNORE, FILE, LIST_SECTIONS, MENTION
from kg.annotations.values import Checker, Issue
from kg.annotations.vocabulary import VocabularyIndex
from kg.annotations.yaml_source import Path_, YamlDocument, dotted, load_yaml
from kg.errors import PeaceKGError, SourceSyntaxError


class ParseCache(Protocol):
    """Where the result of parsing and checking one file is kept, by a hash of its inputs."""

    def get(self, key: str) -> Any | None: ...

    def put(self, key: str, value: Any) -> None: ...


# (key, (class, "file:line"), YAML path of the item) of each key an annotation file defines
KeyDefinition = tuple[str, tuple[str, str], Path_]


class AnnotationError(PeaceKGError):
    """The corpus has problems; ``details`` lists every one as file:line: field: message."""

    exit_code = 8


@dataclass
class Annotations:
    article: str
    doc: YamlDocument
    spans: dict[Path_, list[Span]] = field(default_factory=dict)  # every resolved quote, by YAML path
    # references to statements of this file ('#s3'), as (where, '<article>#s3')
    local_references: list[tuple[Path_, str]] = field(default_factory=list)

    @property
    def data(self) -> dict[str, Any]:
        return self.doc.data

    def all_spans(self) -> list[Span]:
        return sorted({s for spans in self.spans.values() for s in spans}, key=lambda s: (s.start, s.end))


@dataclass
class Corpus:
    """The loaded corpus. ``articles`` and ``annotations`` may be read on demand, file by file
    (the build's corpus from its index, kg.builder.corpus_index): iterating their ids reads nothing."""

    articles: Mapping[str, Article]
    reference: list[tuple[YamlDocument, int, dict[str, Any]]]  # (file, index, individual)
    annotations: Mapping[str, Annotations]
    keys: dict[str, tuple[str, str]]  # key -> (class name, defined in file)
    issues: list[Issue]
    draft_counts: dict[str, int] | None = None  # article id -> draft items of its file, when counted at load

    def raise_for_issues(self) -> None:
        if self.issues:
            raise AnnotationError(
                f"{len(self.issues)} problem(s) in the corpus", details=[str(i) for i in sorted(self.issues)]
            )


def _load_annotations(
    path: Path,
    corpus_articles: Mapping[str, Article],
    vocabulary: VocabularyIndex,
    keys: dict,
    issues: list[Issue],
    refs: list,
) -> Annotations | None:
    """Parse and check one annotation file; ``keys`` receives the keys it defines (the caller
    passes an empty dict and merges, see :func:`_merge_keys`)."""
    doc = load_yaml(path, shown(path))
    checker = Checker(doc, vocabulary)
    data = doc.data
    if not isinstance(data, dict):
        checker.issue((), "expected a mapping with article, review, mentions, entities, statements")
        issues.extend(checker.issues)
        return None
    _check_top_level(data, path, checker, corpus_articles)
    for i, mention in enumerate(_items(data, "mentions")):
        if checker.check_object(mention, ("mentions", i), MENTION, "a mention"):
            checker.quote_fields.append((("mentions", i), mention))
    for i, entity in enumerate(_items(data, "entities")):
        check_individual(entity, ("entities", i), checker, keys, vocabulary, allow_evidence=True)
    for i, role in enumerate(_items(data, "roles")):
        checker.check_object(role, ("roles", i), ARTICLE_ROLE, "a role stated in the article")
    ids: set[str] = set()
    for i, statement in enumerate(_items(data, "statements")):
        check_statement(statement, ("statements", i), checker, ids)
    for i, ignore in enumerate(_items(data, "coverage_ignore")):
        checker.check_object(ignore, ("coverage_ignore", i), COVERAGE_IGNORE, "a coverage exception")
    annotations = Annotations(path.stem, doc)
    article = corpus_articles.get(path.stem)
    if article is not None:
        _resolve_quotes(checker, annotations, article)
        _drop_nested_mentions(annotations, _items(data, "mentions"))
    for where, key in checker.references:
        if key.startswith("#") and key[1:] not in ids:
            checker.issue(where, f"no statement with id {key[1:]!r} in this file")
    issues.extend(checker.issues)
    # '<article>#s3' is resolved by load_corpus once every annotation file is loaded
    refs.extend((doc, p, k) for p, k in checker.references if not k.startswith("#"))
    annotations.local_references = [(p, path.stem + k) for p, k in checker.references if k.startswith("#")]
    return annotations


def _check_top_level(
    data: dict[str, Any], path: Path, checker: Checker, corpus_articles: Mapping[str, Article]
) -> None:
    """The file's own keys: known sections, its article, its review status, lists that are lists."""
    for name in data:
        if name == "status":
            checker.issue(
                (name,),
                "the top-level 'status' was renamed to 'review': write 'review: reviewed' or 'review: draft' "
                "(draft for what was 'unreviewed')",
            )
        elif name not in FILE:
            checker.issue((name,), f"unknown section {name!r} (allowed: {', '.join(sorted(FILE))})")
    if data.get("article") != path.stem or path.stem not in corpus_articles:
        checker.issue(
            ("article",), f"article {data.get('article')!r} must equal the file name and name an article of the corpus"
        )
    if "review" in data:
        checker.check_review(data["review"], ("review",))
    elif "status" not in data:
        checker.issue((), "missing 'review: reviewed' or 'review: draft' (the default of every item of the file)")
    for name in LIST_SECTIONS:
        if name in data and data[name] is not None and not isinstance(data[name], list):
            checker.issue((name,), f"{name} is a list")


def _items(data: dict[str, Any], section: str) -> list[Any]:
    """The items of a list section (none when it is missing or, an error reported once, not a list)."""
    value = data.get(section)
    return value if isinstance(value, list) else []


def _resolve_quotes(checker: Checker, annotations: Annotations, article: Article) -> None:
    for path, value in checker.quote_fields:
        items = value if isinstance(value, list) else [value]
        for i, item in enumerate(items):
            where = path + (i,) if isinstance(value, list) else path
            spec = {"quote": item} if isinstance(item, str) else item
            if not isinstance(spec, dict) or not isinstance(spec.get("quote"), str):
                continue
            try:
                if spec.get("occurrence") == "all":
                    spans = resolve_all(article.text, spec["quote"], article.windows)
                else:
                    occurrence = spec.get("occurrence")
                    spans = [
                        resolve(
                            article.text,
                            spec["quote"],
                            article.windows,
                            occurrence=occurrence if isinstance(occurrence, int) else None,
                            prefix=spec.get("prefix"),
                            suffix=spec.get("suffix"),
                        )
                    ]
            except QuoteError as exc:
                checker.issue(where, str(exc))
                continue
            for span in spans:
                assert article.text[span.start : span.end] == span.exact  # resolution is exact by construction
            annotations.spans[where] = spans


def _drop_nested_mentions(annotations: Annotations, mentions: list[Any]) -> None:
    """An ``occurrence: all`` mention does not count where it lies inside a longer mention
    ("Kyiv" inside "Kyiv Independent"; "Exempla" inside "Ana Exempla")."""
    spans = {("mentions", i): annotations.spans.get(("mentions", i), []) for i in range(len(mentions))}
    for path, own in spans.items():
        if not (isinstance(mentions[path[1]], dict) and mentions[path[1]].get("occurrence") == "all"):
            continue
        others = [(s, p) for p, ss in spans.items() if p != path for s in ss]
        kept = [
            span
            for span in own
            if not any(
                o.start <= span.start and span.end <= o.end and (o.end - o.start) > (span.end - span.start)
                for o, _ in others
            )
        ]
        if kept:
            annotations.spans[path] = kept


def load_corpus(corpus_dir: Path, vocabulary: VocabularyIndex, cache: ParseCache | None = None) -> Corpus:
    """Load and check everything; problems are collected in ``Corpus.issues``. With ``cache``,
    a file whose inputs are unchanged is not parsed again (the result is the same)."""
    corpus_dir = Path(corpus_dir)
    issues: list[Issue] = []
    refs: list[tuple[YamlDocument, Path_, str]] = []
    keys: dict[str, tuple[str, str]] = {}
    articles = _load_articles(corpus_dir / "articles", vocabulary, issues, refs, cache)
    reference = load_reference(corpus_dir / "reference", vocabulary, keys, issues, refs)
    annotations = _load_annotation_files(corpus_dir / "annotations", articles, vocabulary, keys, issues, refs, cache)
    issues.extend(check_statement_references([r for r in refs if "#" in r[2]], annotations))
    issues.extend(check_references([r for r in refs if "#" not in r[2]], keys, vocabulary))
    issues.extend(check_drafted_from(reference, articles))
    corpus = Corpus(articles, reference, annotations, keys, issues)
    local = [(a.doc, p, k) for a in annotations.values() for p, k in a.local_references]
    issues.extend(check_reviewed_refers_to_reviewed(corpus, refs + local))
    issues.extend(check_drafted_text(annotations))
    corpus.issues = sorted(set(issues))
    return corpus


def load_reference(
    folder: Path, vocabulary: VocabularyIndex, keys: dict, issues: list[Issue], refs: list
) -> list[tuple[YamlDocument, int, dict[str, Any]]]:
    """The individuals of every reference file, checked; their keys are defined in ``keys``."""
    reference: list[tuple[YamlDocument, int, dict[str, Any]]] = []
    for path in sorted(folder.glob("*.yaml")):
        if path.name == "identifier-checks.yaml":
            continue  # research notes: where identifiers were looked for (see corpus/README.md)
        try:
            doc = load_yaml(path, shown(path))
        except SourceSyntaxError as exc:
            issues.append(syntax_issue(exc, path))
            continue
        reference.extend(check_reference_file(doc, vocabulary, keys, issues, refs))
    return reference


def content_key(kind: str, *paths: Path) -> str:
    """A hash of what parsing and checking a file reads: the bytes of ``paths`` (a missing file
    counts as such) and the names they are shown by in messages."""
    h = hashlib.sha256(kind.encode("utf-8") + b"\0")
    for path in paths:
        h.update(shown(path).encode("utf-8") + b"\0")
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            h.update(b"missing\0")
            continue
        h.update(len(data).to_bytes(8, "big") + data)
    return h.hexdigest()


def parse_article(txt: Path, vocabulary: VocabularyIndex) -> tuple[Article | None, list[Issue], list]:
    """One article (``<id>.txt`` and its ``<id>.yaml``) on its own: (the article if it could be
    read, its issues, its key references)."""
    issues: list[Issue] = []
    refs: list = []
    try:
        return _load_article(txt, vocabulary, issues, refs), issues, refs
    except SourceSyntaxError as exc:
        return None, [*issues, syntax_issue(exc, txt)], refs


def _load_articles(
    folder: Path, vocabulary: VocabularyIndex, issues: list[Issue], refs: list, cache: ParseCache | None
) -> dict[str, Article]:
    """Every article (``<id>.txt`` with its ``<id>.yaml``) that could be read, by id."""
    articles: dict[str, Article] = {}
    for txt in sorted(folder.glob("*.txt")):
        key = content_key("article", txt, txt.with_suffix(".yaml")) if cache is not None else ""
        entry = cache.get(key) if cache is not None else None
        if entry is None:
            entry = parse_article(txt, vocabulary)
            if cache is not None:
                cache.put(key, entry)
        article, own_issues, own_refs = entry
        issues.extend(own_issues)
        refs.extend(own_refs)
        if article:
            articles[article.id] = article
    return articles


def _definitions(doc: YamlDocument, defined: dict[str, tuple[str, str]]) -> list[KeyDefinition]:
    """The keys an annotation file defined (``defined``, in order), each with the path of the
    entity or commitment that defines it (where kg.annotations.definitions.define_key looks)."""
    out: list[KeyDefinition] = []
    data = doc.data if isinstance(doc.data, dict) else {}
    for i, entity in enumerate(_items(data, "entities")):
        if not isinstance(entity, dict):
            continue
        candidates: list[tuple[Any, Path_]] = [(entity.get("key"), ("entities", i))]
        for n, commitment in enumerate(entity.get("commitments") or []):
            if isinstance(commitment, dict) and "key" in commitment:
                candidates.append((commitment["key"], ("entities", i, "commitments", n)))
        for key, path in candidates:
            where = f"{doc.file}:{doc.line(path)}"
            if isinstance(key, str) and key in defined and defined[key][1] == where:
                out.append((key, defined[key], path))
    return out


def _merge_keys(doc: YamlDocument, definitions: list[KeyDefinition], keys: dict, issues: list[Issue]) -> None:
    """Add a file's key definitions to the corpus's; a key defined before is a problem at its
    ``key`` field, as define_key tells it."""
    for key, value, path in definitions:
        if key in keys:
            where = (*path, "key")
            message = f"key {key!r} is already defined in {keys[key][1]}"
            issues.append(Issue(doc.file, doc.line(where) or 1, dotted(where) or "(document)", message))
        else:
            keys[key] = value


def parse_annotation_file(
    path: Path, articles: Mapping[str, Article], vocabulary: VocabularyIndex
) -> tuple[Annotations | None, list[Issue], list, YamlDocument | None, list[KeyDefinition]]:
    """One annotation file on its own: (annotations, its issues, its key references, its
    document, the keys it defines)."""
    own_issues: list[Issue] = []
    own_refs: list = []
    defined: dict[str, tuple[str, str]] = {}
    try:
        loaded = _load_annotations(path, articles, vocabulary, defined, own_issues, own_refs)
    except SourceSyntaxError as exc:
        return None, [syntax_issue(exc, path)], [], None, []
    doc = loaded.doc if loaded else None
    return loaded, own_issues, own_refs, doc, _definitions(doc, defined) if doc else []


def _load_annotation_files(
    folder: Path,
    articles: dict[str, Article],
    vocabulary: VocabularyIndex,
    keys: dict,
    issues: list[Issue],
    refs: list,
    cache: ParseCache | None = None,
) -> dict[str, Annotations]:
    """Every annotation file that could be read, by the id of its article."""
    annotations: dict[str, Annotations] = {}
    for path in sorted(folder.glob("*.yaml")):
        key = ""
        if cache is not None:
            txt = path.parent.parent / "articles" / f"{path.stem}.txt"
            key = content_key("annotations", path, txt, txt.with_suffix(".yaml"))
        entry = cache.get(key) if cache is not None else None
        if entry is None:
            entry = parse_annotation_file(path, articles, vocabulary)
            if cache is not None:
                cache.put(key, entry)
        loaded, own_issues, own_refs, doc, definitions = entry
        issues.extend(own_issues)
        if doc is not None:
            _merge_keys(doc, definitions, keys, issues)
        refs.extend(own_refs)
        if loaded:
            annotations[loaded.article] = loaded
    return annotations
