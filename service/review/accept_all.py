""" "Accept all valid" (the ``accept_valid`` operation of a save, shift+A on the page): every draft item
of the article's annotation file — mentions, entities, roles, statements — and every reference entry
drafted from the article that has no validation error in the files as loaded, as one batch.

An item that names a draft which is not accepted with it (an entity with an error, an individual
drafted from another article, a statement ``'#s3'`` rejected in the same batch) is left out too:
accepting it would add a "reviewed item refers to a draft" error and the whole save would be
refused. So the set is narrowed until everything it names is reviewed or in it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kg.annotations.corpus import Corpus
from kg.annotations.editing import SECTIONS
from kg.annotations.review import file_default, is_draft
from kg.annotations.values import Issue

Item = tuple[str, int]  # (section, index) in the annotation file; ("reference", n): a drafted entry


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for inner in value.values():
            yield from _strings(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _strings(inner)


def accept_valid_operations(
    corpus: Corpus, article_id: str, errors: list[Issue], with_error: set[Item], excluded: set[Item | str]
) -> list[dict[str, Any]]:
    """The accept and accept_reference operations of "accept all valid" for ``article_id``:
    ``errors`` are the corpus's, ``with_error`` the items of its annotation file they are at;
    ``excluded``: the items (and reference keys) the same batch rejects."""
    annotations = corpus.annotations.get(article_id)
    data = annotations.data if annotations is not None else {}
    default = file_default(data)
    items: dict[Item, dict[str, Any]] = {}
    for section in SECTIONS:
        for index, item in enumerate(data.get(section) or []):
            if isinstance(item, dict) and is_draft(item, default) and (section, index) not in excluded | with_error:
                items[(section, index)] = item
    errors_at = {(i.file, i.line) for i in errors}  # a drafted reference entry's error is at its first line
    for n, (doc, index, entry) in enumerate(corpus.reference):
        origin = entry.get("drafted_from")
        drafted_here = isinstance(origin, dict) and origin.get("article") == article_id and is_draft(entry)
        if drafted_here and (doc.file, doc.line((index,))) not in errors_at and entry.get("key") not in excluded:
            items[("reference", n)] = entry
    accepted = set(items)
    while True:
        blocked = _drafts(corpus, data, default) - _names(items, accepted)
        dropped = {w for w in accepted if any(s in blocked for s in _strings(items[w]) if not _own(items[w], s))}
        if not dropped:
            break
        accepted -= dropped
    operations: list[dict[str, Any]] = []
    for section, index in sorted(accepted):
        if section == "reference":
            operations.append({"op": "accept_reference", "key": str(items[(section, index)].get("key"))})
        else:
            operations.append({"op": "accept", "section": section, "index": index})
    return operations


def _own(item: dict[str, Any], text: str) -> bool:
    return text in (item.get("key"), item.get("id"))


def _names(items: dict[Item, dict[str, Any]], accepted: set[Item]) -> set[str]:
    """What the accepted items make reviewed: their keys, and '#id' of their statements."""
    out = set()
    for where in accepted:
        item = items[where]
        if item.get("key"):
            out.add(str(item["key"]))
        if where[0] == "statements" and item.get("id"):
            out.add(f"#{item['id']}")
    return out


def _drafts(corpus: Corpus, data: dict[str, Any], default: str) -> set[str]:
    """Every draft's name: draft reference entries and entities (keys), this file's draft statements ('#s1')."""
    out = {str(e.get("key")) for _, _, e in corpus.reference if is_draft(e)}
    for other in corpus.annotations.values():
        other_default = file_default(other.data)
        for entity in other.data.get("entities") or []:
            if isinstance(entity, dict) and is_draft(entity, other_default):
                out.add(str(entity.get("key")))
    for statement in data.get("statements") or []:
        if isinstance(statement, dict) and is_draft(statement, default):
            out.add(f"#{statement.get('id')}")
    return out
