"""Review status: whether an annotation item or a reference entry is reviewed or a draft
(docs/annotation-format.md, "Review status").

An annotation file's ``review`` is the default of each item of its list sections (mentions,
entities, roles, statements, coverage_ignore); an item's own ``review`` overrides it. A reference
entry is reviewed unless it says ``review: draft``. The build serves only reviewed content unless
the setting ``include_drafts`` is on (kg.mapping skips or flags drafts by :func:`is_draft`).

Checks, collected as issues with file, line and field:

- a ``drafted_from`` names a corpus article and a quote that occurs in it;
- a reviewed item that refers to a draft (an individual, a statement) is an error: the reviewed
  graph would point at something it leaves out. Review the draft first;
- a reviewed item whose text still carries the drafter's mark (``DRAFT: …``, written by
  ``peacekg annotate suggest``) is an error: the served graph would say "DRAFT". Rewrite the text,
  or accept the item in ``peacekg review``, which takes the mark off the text it endorses.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from kg.annotations.articles import Article
from kg.annotations.quotes import QuoteError, resolve
from kg.annotations.sections import LIST_SECTIONS
from kg.annotations.values import Issue
from kg.annotations.yaml_source import Path_, YamlDocument, dotted

if TYPE_CHECKING:
    from kg.annotations.corpus import Annotations, Corpus


DRAFT_MARK = "DRAFT: "
"""How the drafter begins a text it made up from the article's words (a summary, a label)."""


def is_draft(item: Any, default: Any = "reviewed") -> bool:
    """Whether ``item`` (a mapping of a list section, or a reference entry) is a draft, given its
    file's default (an annotation file's ``review``; reference files: reviewed)."""
    own = item.get("review") if isinstance(item, dict) else None
    return (own or default) == "draft"


def file_default(data: Any) -> str:
    """An annotation file's ``review`` (its items' default)."""
    return str(data.get("review", "reviewed")) if isinstance(data, dict) else "reviewed"


def check_drafted_from(
    reference: list[tuple[YamlDocument, int, dict[str, Any]]], articles: Mapping[str, Article]
) -> list[Issue]:
    """Every reference entry's ``drafted_from`` names an article of the corpus and a quote in it."""
    issues: list[Issue] = []
    for doc, index, item in reference:
        origin = item.get("drafted_from")
        if not isinstance(origin, dict) or not isinstance(origin.get("quote"), str):
            continue  # absent, or malformed and reported by the field check
        path = (index, "drafted_from")
        article = articles.get(str(origin.get("article")))
        if article is None:
            where = path + ("article",)
            problem = f"no corpus article {origin.get('article')!r}"
        else:
            occurrence = origin.get("occurrence")
            try:
                resolve(
                    article.text,
                    origin["quote"],
                    article.windows,
                    occurrence=occurrence if isinstance(occurrence, int) else None,
                )
                continue
            except QuoteError as exc:
                where, problem = path + ("quote",), f"in article {article.id}: {exc}"
        issues.append(Issue(doc.file, doc.line(where) or 1, dotted(where), problem))
    return issues


def _drafts(corpus: Corpus) -> tuple[dict[str, str], dict[str, str]]:
    """The draft individuals (key -> where defined) and draft statements ('<article>#<sid>' ->
    where written) of the corpus."""
    keys = reference_draft_keys(corpus.reference)
    statements: dict[str, str] = {}
    for file in corpus.annotations.values():
        own_keys, own_statements = drafts_of_file(file)
        keys.update(own_keys)
        statements.update(own_statements)
    return keys, statements


def _individual(keys: dict[str, str], doc: YamlDocument, path: Path_, item: dict[str, Any]) -> None:
    where = f"{doc.file}:{doc.line(path)}"
    keys[str(item.get("key"))] = where
    for commitment in item.get("commitments") or []:
        if isinstance(commitment, dict) and "key" in commitment:
            keys[str(commitment["key"])] = where


def reference_draft_keys(reference: list[tuple[YamlDocument, int, dict[str, Any]]]) -> dict[str, str]:
    """The draft individuals of the reference data: key -> where defined."""
    keys: dict[str, str] = {}
    for doc, index, item in reference:
        if is_draft(item):
            _individual(keys, doc, (index,), item)
    return keys


def drafts_of_file(file: Annotations) -> tuple[dict[str, str], dict[str, str]]:
    """The draft individuals and draft statements ('<article>#<sid>') of one annotation file,
    with where each is written."""
    keys: dict[str, str] = {}
    statements: dict[str, str] = {}
    default = file_default(file.data)
    for i, entity in enumerate(section(file.data, "entities")):
        if isinstance(entity, dict) and is_draft(entity, default):
            _individual(keys, file.doc, ("entities", i), entity)
    for i, statement in enumerate(section(file.data, "statements")):
        if isinstance(statement, dict) and is_draft(statement, default):
            statements[f"{file.article}#{statement.get('id')}"] = f"{file.doc.file}:{file.doc.line(('statements', i))}"
    return keys, statements


def section(data: Any, name: str) -> list[Any]:
    value = data.get(name) if isinstance(data, dict) else None
    return value if isinstance(value, list) else []


def _referrer_is_draft(doc: YamlDocument, path: Path_, annotation_docs: dict[int, Annotations]) -> bool:
    """Whether the item holding the reference at ``path`` of ``doc`` is a draft: an item of an
    annotation file's list section, or a reference entry (article metadata is never a draft)."""
    if id(doc) in annotation_docs:
        return annotation_referrer_is_draft(doc.data, path)
    return reference_referrer_is_draft(doc.data, path)


def annotation_referrer_is_draft(data: Any, path: Path_) -> bool:
    """Whether the item of an annotation file (``data``) holding ``path`` is a draft."""
    if len(path) >= 2 and isinstance(path[0], str) and isinstance(path[1], int):
        items = section(data, path[0])
        if path[1] < len(items):
            return is_draft(items[path[1]], file_default(data))
    return False


def reference_referrer_is_draft(data: Any, path: Path_) -> bool:
    """Whether the entry of a reference file (``data``; else an article's metadata, never a
    draft) holding ``path`` is a draft."""
    if isinstance(data, list) and path and isinstance(path[0], int) and path[0] < len(data):
        return is_draft(data[path[0]])
    return False


def check_reviewed_refers_to_reviewed(corpus: Corpus, refs: list[tuple[YamlDocument, Path_, str]]) -> list[Issue]:
    """A reviewed item may not refer to a draft individual or statement: the default build would
    serve the reference and leave out what it names. ``refs`` are every key and statement reference
    of the corpus ('#s3' written as '<article>#s3')."""
    draft_keys, draft_statements = _drafts(corpus)
    if not draft_keys and not draft_statements:
        return []
    annotation_docs = {id(a.doc): a for a in corpus.annotations.values()}
    issues: list[Issue] = []
    for doc, path, key in refs:
        if key in draft_keys:
            what, where = f"individual {key!r}", draft_keys[key]
        elif key in draft_statements:
            what, where = f"statement {key!r}", draft_statements[key]
        else:
            continue
        if _referrer_is_draft(doc, path, annotation_docs):
            continue
        issues.append(
            Issue(
                doc.file,
                doc.line(path) or 1,
                dotted(path),
                f"a reviewed item refers to the draft {what} (at {where}): review {key} first "
                "(or mark this item 'review: draft')",
            )
        )
    return issues


def reference_drafts(corpus: Corpus) -> int:
    """How many reference entries are drafts."""
    return sum(1 for _doc, _index, item in corpus.reference if is_draft(item))


def article_drafts(annotations: Annotations | None) -> int:
    """How many items of an annotation file are drafts."""
    if annotations is None:
        return 0
    default = file_default(annotations.data)
    return sum(1 for name in LIST_SECTIONS for item in section(annotations.data, name) if is_draft(item, default))


def drafts_in_article(corpus: Corpus, article_id: str) -> int:
    """How many items of an article's annotation file are drafts: counted when the corpus was
    loaded (a corpus from the build's index does not hold every file parsed), else now."""
    if corpus.draft_counts is not None:
        return corpus.draft_counts.get(article_id, 0)
    return article_drafts(corpus.annotations.get(article_id))


def draft_count(corpus: Corpus) -> int:
    """How many drafts the corpus holds (reference entries and annotation items)."""
    return reference_drafts(corpus) + sum(drafts_in_article(corpus, a) for a in corpus.annotations)


def check_drafted_text(annotations: Mapping[str, Annotations]) -> list[Issue]:
    """Every text of a reviewed item that still begins with the drafter's mark, at its file, line
    and field (nested texts, such as a provision's, included)."""
    return [issue for file in annotations.values() for issue in drafted_text_issues(file)]


def drafted_text_issues(file: Annotations) -> list[Issue]:
    """:func:`check_drafted_text` for one annotation file."""
    issues: list[Issue] = []
    default = file_default(file.data)
    for name in LIST_SECTIONS:
        for index, item in enumerate(section(file.data, name)):
            if is_draft(item, default):
                continue
            for path in marked_texts(item, (name, index)):
                issues.append(
                    Issue(
                        file.doc.file,
                        file.doc.line(path) or 1,
                        dotted(path),
                        f"a reviewed item still has the drafter's text ({DRAFT_MARK.strip()} …): rewrite it, "
                        "or accept the item in `peacekg review`, which takes the mark off",
                    )
                )
    return issues


def marked_texts(node: Any, path: Path_) -> list[Path_]:
    if isinstance(node, str):
        return [path] if node.startswith(DRAFT_MARK) else []
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    return [found for key, value in children for found in marked_texts(value, (*path, key))]
