"""Editing the corpus's YAML in place, for the review app (``peacekg review``): accept, edit and
reject the items of an annotation file, add a mention or statement from a span of the article text
(the quote and its occurrence are computed from the offsets, never typed), and add, accept or reject
reference individuals. Saving (conditional, validated, atomic) is :mod:`~kg.annotations.saving`.

Comments, order and layout are kept:

- an annotation file is edited through ruamel.yaml's round trip (the corpus's annotation files
  come back byte for byte from it with the indentation below);
- a reference file is edited as text, one entry's lines at a time, since its hand-wrapped long
  scalars would be re-flowed by any YAML writer: a new entry is appended (written by ruamel.yaml in
  the file's layout), a rejected one's lines are removed, an accepted one loses its ``review: draft``.

Review status (docs/annotation-format.md): every item may carry ``review: reviewed | draft``;
accepting sets ``review: reviewed``, rejecting removes the item.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError

from kg.annotations.articles import Article, shown
from kg.annotations.quotes import QuoteError, occurrences, resolve
from kg.annotations.review import DRAFT_MARK
from kg.annotations.vocabulary import VocabularyIndex
from kg.errors import PeaceKGError, SourceSyntaxError

SECTIONS = ("mentions", "entities", "roles", "statements")  # the item lists the review app edits
UNVERIFIED_NOTE = "entered in peacekg review; not yet checked"


class EditError(PeaceKGError):
    """An edit that cannot be made (no such item, a span outside the annotatable text, …)."""

    exit_code = 8


def file_version(path: Path) -> str:
    """What a save is conditional on: the SHA-256 of the file's bytes ('' when it does not exist)."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return ""


def _yaml(sequence: int, offset: int) -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=sequence, offset=offset)
    yaml.width = 4096  # never re-wrap a long line (quotes and summaries are one line each)
    return yaml


def _dump(yaml: YAML, data: Any) -> str:
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


@dataclass
class AnnotationEdit:
    """An annotation file opened for editing: its data as ruamel.yaml reads it, and the version
    (hash) of the bytes it was read from, on which saving it is conditional."""

    path: Path
    version: str
    data: CommentedMap

    @classmethod
    def open(cls, path: Path) -> AnnotationEdit:
        """Read ``path``; SourceSyntaxError (with its line) when it is not YAML or not a mapping."""
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8")
            data = _yaml(4, 2).load(text)
        except UnicodeDecodeError as exc:
            raise SourceSyntaxError(f"not UTF-8 at byte {exc.start}", file=shown(path), offset=exc.start) from None
        except MarkedYAMLError as exc:
            mark = exc.problem_mark
            raise SourceSyntaxError(
                f"YAML syntax error: {exc.problem}",
                file=shown(path),
                line=mark.line + 1 if mark else None,
                column=mark.column + 1 if mark else None,
            ) from None
        if not isinstance(data, CommentedMap):
            raise SourceSyntaxError(
                "an annotation file is a mapping (article, mentions, statements…)", file=shown(path)
            )
        return cls(path, hashlib.sha256(raw).hexdigest(), data)

    @staticmethod
    def empty(article_id: str) -> CommentedMap:
        """The data of a new annotation file (a draft, as ``annotate suggest`` would start it)."""
        return CommentedMap([("article", article_id), ("review", "draft"), ("mentions", CommentedSeq())])

    def text(self) -> str:
        return _dump(_yaml(4, 2), self.data)

    # -- the items of a section ---------------------------------------------------------------
    def items(self, section: str) -> list[Any]:
        if section not in SECTIONS:
            raise EditError(f"unknown section {section!r} (one of: {', '.join(SECTIONS)})", field=section)
        items = self.data.get(section)
        if items is None:
            items = CommentedSeq()
            self.data[section] = items
        if not isinstance(items, list):
            raise EditError(f"{section} is not a list", file=shown(self.path), field=section)
        return items

    def item(self, section: str, index: int) -> Any:
        items = self.items(section)
        if not 0 <= index < len(items) or not isinstance(items[index], dict):
            raise EditError(f"no item {index} in {section} (it has {len(items)})", field=f"{section}[{index}]")
        return items[index]

    def accept(self, section: str, index: int) -> None:
        """Mark the item reviewed (``review: reviewed``, overriding the file's default). Accepting
        endorses the item's text as it stands, so the drafter's mark (a leading ``DRAFT: ``) comes
        off its texts; a reviewed item that still carries it is a validation error."""
        item = self.item(section, index)
        _unmark_drafted_text(item)
        if "review" in item or _is_flow(item):
            item["review"] = "reviewed"
        else:  # near the top of a block item, where a reader looks first
            keys = list(item)
            after = max((keys.index(k) + 1 for k in ("key", "id", "type") if k in keys), default=len(keys))
            item.insert(after, "review", "reviewed")

    def reject(self, section: str, index: int) -> None:
        """Remove the item (a statement that others name is then reported by validation)."""
        self.item(section, index)
        del self.items(section)[index]

    def edit(self, section: str, index: int, changes: Mapping[str, Any]) -> None:
        """Set fields of the item (a value of None removes the field); the item keeps its place,
        its other fields and their order. A new list value is written in the style of the file
        (inline, as in ``target: [russia]``)."""
        item = self.item(section, index)
        for name, value in changes.items():
            if not isinstance(name, str) or not re.match(r"^[a-z_]+$", name):
                raise EditError(f"not a field name: {name!r}", field=f"{section}[{index}]")
            if value is None:
                item.pop(name, None)
            else:
                item[name] = _styled(value)

    # -- new items from a span of the text ----------------------------------------------------
    def add_mention(self, article: Article, start: int, end: int, ref: str, note: str | None = None) -> int:
        """A mention of ``ref`` at characters start–end of the article; returns its index."""
        spec = quote_spec(article, start, end)
        mention = CommentedMap([("quote", spec.pop("quote")), ("ref", ref), *spec.items()])  # the corpus's order
        if note:
            mention["note"] = note
        self._reviewed_if_draft(mention)
        mentions = self.items("mentions")
        if not mentions or _is_flow(mentions[-1]):
            mention.fa.set_flow_style()  # the layout of the file's other mentions
        mentions.append(mention)
        return len(mentions) - 1

    def add_statement(self, article: Article, start: int, end: int, fields: Mapping[str, Any]) -> int:
        """A statement whose evidence is characters start–end; ``id`` is the next free ``sN``
        unless given. Returns its index."""
        statements = self.items("statements")
        used = {str(s.get("id")) for s in statements if isinstance(s, dict)}
        number = len(statements) + 1
        while f"s{number}" in used:
            number += 1
        spec = quote_spec(article, start, end)
        evidence = CommentedSeq([spec["quote"] if len(spec) == 1 else _flow_map(spec)])
        evidence.fa.set_flow_style()
        statement = CommentedMap()
        statement["id"] = fields.get("id") or f"s{number}"
        for name, value in fields.items():
            if name not in ("id", "evidence") and value is not None:
                statement[name] = _styled(value)
        statement["evidence"] = evidence
        self._reviewed_if_draft(statement)
        statements.append(statement)
        return len(statements) - 1

    def _reviewed_if_draft(self, item: CommentedMap) -> None:
        """What the reviewer adds is reviewed: in a draft file it says so (unless it says otherwise)."""
        if self.data.get("review") == "draft" and "review" not in item:
            item["review"] = "reviewed"


def _unmark_drafted_text(node: Any) -> None:
    """Remove the drafter's ``DRAFT: `` mark from every text of ``node`` (nested items included)."""
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, value in list(children):
        if isinstance(value, str) and value.startswith(DRAFT_MARK):
            node[key] = type(value)(value[len(DRAFT_MARK) :])  # a ruamel scalar keeps its quoting style
        else:
            _unmark_drafted_text(value)


def quote_spec(article: Article, start: int, end: int) -> dict[str, Any]:
    """``{quote}`` (plus ``occurrence`` when the quote occurs more than once in the annotatable text)
    designating exactly characters start–end, resolved as validation resolves it."""
    if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(article.text)):
        raise EditError(f"offsets {start!r}–{end!r} are not a range within the text (0–{len(article.text)})")
    while start < end and article.text[start].isspace():
        start += 1
    while end > start and article.text[end - 1].isspace():
        end -= 1
    if start == end:
        raise EditError("the selection holds only white space", offset=start)
    if not any(lo <= start and end <= hi for lo, hi in article.windows):
        region = article.region_at(start)
        where = f"the {region.type} region {region.id!r}" if region else "no region"
        raise EditError(
            f"characters {start}–{end} are not inside one annotatable region (they begin in {where})", offset=start
        )
    quote = article.text[start:end]
    starts = occurrences(article.text, quote, article.windows)
    spec: dict[str, Any] = {"quote": quote}
    if len(starts) > 1:
        spec["occurrence"] = starts.index(start) + 1
    try:
        span = resolve(article.text, quote, article.windows, occurrence=spec.get("occurrence"))
    except QuoteError as exc:  # cannot happen for a range inside a window; kept as a guard
        raise EditError(str(exc), offset=start) from None
    assert (span.start, span.end) == (start, end)
    return spec


def _flow_map(values: Mapping[str, Any]) -> CommentedMap:
    out = CommentedMap(values)
    out.fa.set_flow_style()
    return out


def _styled(value: Any) -> Any:
    """Lists of plain values inline (``[a, b]``), as the corpus writes them; mappings in blocks."""
    if isinstance(value, list):
        seq = CommentedSeq(_styled(v) for v in value)
        if all(not isinstance(v, dict | list) for v in value):
            seq.fa.set_flow_style()
        return seq
    if isinstance(value, dict):
        return CommentedMap((k, _styled(v)) for k, v in value.items())
    return value


def _is_flow(item: Any) -> bool:
    return isinstance(item, CommentedMap) and bool(item.fa.flow_style())


# -- reference files: text edits, one entry at a time ---------------------------------------------

REFERENCE_FILES = (  # class (or an ancestor) -> the reference file that holds it, first match wins
    ("Person", "people.yaml"),
    ("State", "states-and-places.yaml"),
    ("Place", "states-and-places.yaml"),
    ("Event", "events.yaml"),
    ("Agreement", "agreements.yaml"),
    ("Agent", "organisations.yaml"),
)
DEFAULT_REFERENCE_FILE = "discussed.yaml"  # proposals, guarantees and other things discussed


def reference_file_for(klass: str, vocabulary: VocabularyIndex) -> str:
    if klass not in vocabulary.classes:
        raise EditError(f"unknown class {klass!r}", field="type")
    return next(
        (name for ancestor, name in REFERENCE_FILES if vocabulary.is_a(klass, ancestor)), DEFAULT_REFERENCE_FILE
    )


def new_reference_entry(
    *,
    key: str,
    klass: str,
    label: str,
    aliases: list[str] | None = None,
    description: str | None = None,
    wikidata: str | None = None,
    dbpedia: str | None = None,
    drafted_from: Mapping[str, Any] | None = None,
    review: str = "reviewed",
) -> dict[str, Any]:
    """A reference entry; identifiers given here are ``status: unverified`` until someone checks them
    and records where (corpus/README.md)."""
    if not re.match(r"^[a-z0-9]+(-[a-z0-9]+)*$", key or ""):
        raise EditError(f"a key is lower-case words joined by '-': {key!r}", field="key")
    if not label or not label.strip():
        raise EditError("a label is required", field="label")
    entry: dict[str, Any] = {"key": key, "type": klass, "label": label.strip()}
    if review == "draft":
        entry["review"] = "draft"
    clean = [a.strip() for a in aliases or [] if a and a.strip() and a.strip() != label.strip()]
    if clean:
        entry["aliases"] = clean
    if description:
        entry["description"] = description
    if drafted_from:
        entry["drafted_from"] = dict(drafted_from)
    for name, value in (("wikidata", wikidata), ("dbpedia", dbpedia)):
        if value:
            entry[name] = {"id": value.strip(), "status": "unverified", "checked": UNVERIFIED_NOTE}
    return entry


def append_reference_entry(text: str, entry: Mapping[str, Any]) -> str:
    """``text`` (a reference file) with ``entry`` appended after a blank line, in the files' layout."""
    block = _dump(_yaml(2, 0), [dict(entry)])  # block lists, as the reference files write aliases
    body = text.rstrip("\n")
    return (body + "\n\n" if body else "") + block


def _entry_lines(text: str, key: str) -> tuple[int, int]:
    """The lines [first, end) of the entry ``key`` of a reference file (a top-level list): from its
    ``- `` line to the next entry's, without the blank and comment lines that lead into the next."""
    lines = text.splitlines(keepends=True)
    starts = [i for i, line in enumerate(lines) if line.startswith("- ")]
    pattern = re.compile(r"^(?:- \{?|  )key: ['\"]?" + re.escape(key) + r"['\"]?\s*[,}]?")
    for n, first in enumerate(starts):
        stop = starts[n + 1] if n + 1 < len(starts) else len(lines)
        if any(pattern.match(lines[i]) for i in range(first, stop)) or re.search(
            r"\{.*\bkey: " + re.escape(key) + r"\s*[,}]", lines[first]
        ):
            end = stop
            while end > first + 1 and (not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")):
                end -= 1
            return first, end
    raise EditError(f"no entry with key {key!r} in this reference file", field="key")


def remove_reference_entry(text: str, key: str) -> str:
    """``text`` without the entry ``key`` (and the blank line that separated it)."""
    lines = text.splitlines(keepends=True)
    first, end = _entry_lines(text, key)
    while end < len(lines) and not lines[end].strip():
        end += 1  # the blank line after it
    if end == len(lines):
        while first > 0 and not lines[first - 1].strip():
            first -= 1  # the last entry: the blank line before it
    return "".join(lines[:first] + lines[end:])


def accept_reference_entry(text: str, key: str) -> str:
    """``text`` with the entry ``key`` reviewed: its ``review: draft`` line removed (reviewed is the default)."""
    lines = text.splitlines(keepends=True)
    first, end = _entry_lines(text, key)
    for i in range(first, end):
        if re.match(r"^(- |  )review: ['\"]?draft['\"]?\s*$", lines[i]):
            if lines[i].startswith("- "):  # the entry's first line: keep the dash for the next field
                nxt = lines[i + 1] if i + 1 < end else ""
                if not nxt.startswith("  "):
                    raise EditError(f"entry {key!r} has nothing but its review field", field="review")
                lines[i : i + 2] = ["- " + nxt[2:]]
            else:
                del lines[i]
            return "".join(lines)
        if re.search(r"\breview: draft\b", lines[i]) and lines[i].lstrip().startswith("- {"):
            lines[i] = re.sub(r",\s*review: draft\b|\breview: draft,\s*", "", lines[i])
            return "".join(lines)
    return text  # already reviewed
