"""Review status: whether an annotation item or a reference entry is reviewed or a draft
(docs/annotation-format.md, "Review status").

An annotation file's ``review`` is the default of each item of its list sections (mentions,
entities, roles, statements, coverage_ignore); an item's own ``review`` overrides it. A reference
entry is reviewed unless it says ``review: draft``. The build serves only reviewed content unless
the setting ``include_drafts`` is on (kg.mapping skips or flags drafts by :func:`is_draft`).

Checks, collected as issues with file, line and field:

- a ``drafted_from`` names a corpus article and a quote that occurs in it;
- a reviewed item that refers to a draft (an individual, a statement) is an error: the reviewed
  graph would point at something it leaves out. Review the draft first.
"""

from __future__ import annotations

from typing import Any

from kg.annotations.articles import Article
from kg.annotations.quotes import QuoteError, resolve
from kg.annotations.values import Issue
from kg.annotations.yaml_source import YamlDocument, dotted


def is_draft(item: Any, default: Any = "reviewed") -> bool:
    """Whether ``item`` (a mapping of a list section, or a reference entry) is a draft, given its
    file's default (an annotation file's ``review``; reference files: reviewed)."""
    own = item.get("review") if isinstance(item, dict) else None
    return (own or default) == "draft"


def file_default(data: Any) -> str:
    """An annotation file's ``review`` (its items' default)."""
    return str(data.get("review", "reviewed")) if isinstance(data, dict) else "reviewed"


def check_drafted_from(
    reference: list[tuple[YamlDocument, int, dict[str, Any]]], articles: dict[str, Article]
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
