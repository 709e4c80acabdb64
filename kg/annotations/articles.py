"""The articles of the corpus: each text (byte for byte) with its metadata (``articles/<id>.yaml``:
title, outlet, author, genre, language, date, regions), loaded with every problem as file, line and
field. kg.annotations.corpus loads them with the reference data and the annotation files."""

from __future__ import annotations

import functools
import itertools
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.annotations.fields import Field
from kg.annotations.values import Checker, Issue
from kg.annotations.vocabulary import VocabularyIndex
from kg.annotations.yaml_source import YamlDocument, load_yaml
from kg.errors import SourceSyntaxError

ANNOTATABLE_REGIONS = {"body", "headline", "byline", "reader-comment"}
REGION_TYPES = ANNOTATABLE_REGIONS | {"non-article", "duplicate"}


@dataclass
class Region:
    id: str
    type: str
    start: int
    end: int
    author: str | None = None
    duplicate_of: str | None = None

    @property
    def annotatable(self) -> bool:
        return self.type in ANNOTATABLE_REGIONS


@dataclass
class Article:
    id: str
    text: str
    meta: dict[str, Any]
    doc: YamlDocument
    regions: list[Region]

    @property
    def windows(self) -> list[tuple[int, int]]:
        return [(r.start, r.end) for r in self.regions if r.annotatable]

    def region_at(self, offset: int) -> Region | None:
        for region in self.regions:
            if region.start <= offset < region.end:
                return region
        return None


def shown(path: Path) -> str:
    """How a file is named in messages: relative to the working directory when inside it."""
    cwd = os.getcwd()
    name = os.path.basename(path)
    if name in ("", ".", "..") or os.path.islink(path):
        real = Path(path).resolve()
    else:  # the folder resolved once, not once per file (7,000 calls load 1,000 articles)
        real = _resolved(os.path.dirname(os.path.join(cwd, path)), cwd) / name
    try:
        return str(real.relative_to(_resolved(cwd, cwd)))
    except ValueError:
        return str(path)


@functools.lru_cache(maxsize=256)
def _resolved(folder: str, cwd: str) -> Path:
    """``folder`` (absolute) with its symbolic links resolved, as seen from ``cwd``."""
    return Path(folder).resolve()


ARTICLE_FIELDS = (
    Field("id", "text", None, "", required=True),
    Field("title", "text", None, "", required=True),
    Field("title_inferred", "bool", None, ""),
    Field("outlet", "key", None, ""),
    Field("author", "key", None, ""),
    Field("genre", "concept", None, "", "genre", required=True),
    Field("language", "text", None, "", required=True),
    Field("translated", "bool", None, ""),
    Field("published", "date", None, "", required=True),
    Field("regions", "text", None, "", required=True),
    Field("note", "text", None, ""),
    Field("sha256", "text", None, ""),
)


def _load_article(txt: Path, vocabulary: VocabularyIndex, issues: list[Issue], refs: list) -> Article | None:
    meta_path = txt.with_suffix(".yaml")
    display = shown(meta_path)
    try:
        text = txt.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        issues.append(Issue(shown(txt), 1, "(text)", f"not UTF-8 at byte {exc.start}"))
        return None
    if text.startswith("\ufeff"):  # kept byte for byte, it would shift every offset by one character
        issues.append(
            Issue(
                shown(txt),
                1,
                "(text)",
                "starts with a byte-order mark (U+FEFF at byte 0), which offsets would "
                "count as a character; save the text as UTF-8 without a BOM",
            )
        )
    if not meta_path.exists():
        issues.append(Issue(display, 1, "(document)", "metadata file missing"))
        return None
    doc = load_yaml(meta_path, display)
    checker = Checker(doc, vocabulary)
    meta = doc.data
    if not isinstance(meta, dict):
        checker.issue((), "expected a mapping")
        issues.extend(checker.issues)
        return None
    regions_value = meta.get("regions")
    fields = tuple(f for f in ARTICLE_FIELDS if f.name != "regions")
    unknown_allowed = {"outlet", "author"}  # null: not known (the build mints an anonymous author)
    checker.check_object(
        {k: v for k, v in meta.items() if k != "regions" and not (k in unknown_allowed and v is None)},
        (),
        fields,
        "article metadata",
    )
    if meta.get("id") != txt.stem:
        checker.issue(("id",), f"id {meta.get('id')!r} does not match the file name {txt.stem!r}")
    regions = _regions(regions_value, text, checker)
    issues.extend(checker.issues)
    refs.extend((doc, path, key) for path, key in checker.references)
    return Article(txt.stem, text, meta, doc, regions)


def _regions(value: Any, text: str, checker: Checker) -> list[Region]:
    if not isinstance(value, list) or not value:
        checker.issue(("regions",), "regions: a non-empty list of {id, type, start, end}")
        return []
    regions: list[Region] = []
    for i, item in enumerate(value):
        path = ("regions", i)
        if not isinstance(item, dict) or not {"id", "type", "start", "end"} <= set(item):
            checker.issue(path, "a region needs id, type, start and end")
            continue
        start, end = item["start"], item["end"]
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)):
            checker.issue(path, f"offsets {start!r}–{end!r} are not a range within the text (0–{len(text)})")
            continue
        if item["type"] not in REGION_TYPES:
            checker.issue(
                path + ("type",), f"unknown region type {item['type']!r} (one of: {', '.join(sorted(REGION_TYPES))})"
            )
        if item.get("author") is not None:
            checker.check_key(item["author"], path + ("author",))
        regions.append(Region(item["id"], item["type"], start, end, item.get("author"), item.get("duplicate_of")))
    index = {id(r): i for i, r in enumerate(regions)}
    ordered = sorted(regions, key=lambda r: r.start)
    for before, after in itertools.pairwise(ordered):
        if after.start < before.end:
            checker.issue(
                ("regions", index[id(after)]),
                f"regions {before.id!r} and {after.id!r} overlap ({before.start}–{before.end}, {after.start}–{after.end})",
            )
    by_id = {r.id: r for r in regions}
    for i, region in enumerate(regions):
        if region.type == "duplicate":
            original = by_id.get(region.duplicate_of or "")
            if original is None:
                checker.issue(
                    ("regions", i, "duplicate_of"),
                    f"a duplicate region names the region it repeats; {region.duplicate_of!r} is not one",
                )
            elif text[region.start : region.end].strip() != text[original.start : original.end].strip():
                checker.issue(("regions", i), f"region {region.id!r} is not a copy of {original.id!r}")
    return regions


# -- annotation files (individuals, statements and references: kg.annotations.definitions) ----


def syntax_issue(exc: SourceSyntaxError, path: Path) -> Issue:
    """A file that cannot be parsed, as one issue."""
    return Issue(exc.file or str(path), exc.line or 1, exc.field or "(syntax)", exc.message)


def load_articles(folder: Path, vocabulary: VocabularyIndex, issues: list[Issue], refs: list) -> dict[str, Article]:
    """Every article (``<id>.txt`` with its ``<id>.yaml``) that could be read, by id."""
    articles: dict[str, Article] = {}
    for txt in sorted(folder.glob("*.txt")):
        try:
            article = _load_article(txt, vocabulary, issues, refs)
        except SourceSyntaxError as exc:
            issues.append(syntax_issue(exc, txt))
            continue
        if article:
            articles[article.id] = article
    return articles
