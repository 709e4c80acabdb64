"""``peacekg annotate suggest ARTICLE.txt``: a DRAFT annotation file for a new article.

The draft (``review: draft``) holds what can be found mechanically, for an annotator to check
and complete (what and how: :mod:`kg.drafting.draft`, docs/drafting.md): mentions of known
individuals, one statement per sentence with its kind, speaker, stance and target, figures,
roles, events and dates. New people, organisations and places are appended to the reference file
of their type as ``review: draft`` entries with ``drafted_from`` (after the file's own text, kept
byte for byte); a new draft of the same article replaces the entries its earlier draft added.

Every quote is made unique (``occurrence``) so that the draft validates as written. A file whose
review is ``reviewed`` is never overwritten; a draft only with ``force``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from kg.annotations.articles import ANNOTATABLE_REGIONS
from kg.annotations.corpus import load_corpus
from kg.annotations.editing import append_reference_entry, remove_reference_entry
from kg.annotations.vocabulary import VocabularyIndex
from kg.annotations.yaml_source import load_yaml
from kg.drafting.draft import ANNOTATOR, ArticleSource, Draft, Knowledge, draft_article
from kg.errors import PeaceKGError, SourceSyntaxError
from kg.ontology.load import load_ontology
from kg.serialize import write_atomic
from kg.settings import Settings


class AnnotationExistsError(PeaceKGError):
    """Writing the draft would overwrite an annotation file (reviewed: never; a draft: only with --force)."""

    exit_code = 10


# -- the article ----------------------------------------------------------------------------------


def read_article(path: Path) -> str:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise PeaceKGError("article not found", file=str(path)) from None
    except IsADirectoryError:
        raise PeaceKGError("the article is a directory, not a .txt file", file=str(path)) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SourceSyntaxError(
            f"the article is not UTF-8 ({exc.reason} at byte {exc.start}); convert it to UTF-8 first",
            file=str(path),
            offset=exc.start,
        ) from None


def article_windows(path: Path, text: str) -> tuple[list[tuple[int, int]], str | None]:
    """The annotatable regions from the article's metadata (``<stem>.yaml`` beside it); the whole
    text, with a remark for the draft's note, when there is no metadata file."""
    meta_path = path.with_suffix(".yaml")
    if not meta_path.exists():
        return [(0, len(text))], f"no metadata file {meta_path.name}: quotes were searched in the whole text"
    doc = load_yaml(meta_path, str(meta_path))
    regions = doc.data.get("regions") if isinstance(doc.data, dict) else None
    windows = []
    for item in regions if isinstance(regions, list) else []:
        if isinstance(item, dict) and item.get("type") in ANNOTATABLE_REGIONS:
            start, end = item.get("start"), item.get("end")
            if isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text):
                windows.append((start, end))
    if not windows:
        raise PeaceKGError(
            "no annotatable region (headline, body, byline, reader-comment) with valid offsets",
            file=str(meta_path),
            line=doc.line(("regions",)),
            field="regions",
        )
    return sorted(windows), None


def knowledge_for(settings: Settings, article_id: str) -> tuple[Knowledge, dict[str, str]]:
    """What a draft of ``article_id`` may link: the reference individuals and the entities of
    the other reviewed annotation files. The draft replaces the article's own annotation file, so
    the keys that file defines are free again and its entities are not looked for; so are the
    reference entries an earlier draft of it added (returned too: key -> file, to be replaced)."""
    vocabulary = VocabularyIndex.from_graph(load_ontology(Path(settings.ontology_dir)))
    corpus = load_corpus(Path(settings.corpus_dir), vocabulary)
    own = _defined_in(corpus.annotations.get(article_id)) | set(earlier_drafts(corpus, article_id))
    keys = {k: v for k, v in corpus.keys.items() if k not in own}
    reviewed_entities = [
        entity
        for article, annotations in sorted(corpus.annotations.items())
        if article != article_id and annotations.data.get("review", annotations.data.get("status")) == "reviewed"
        for entity in annotations.data.get("entities") or []
        if isinstance(entity, dict)
    ]
    individuals = [item for _, _, item in corpus.reference if item.get("key") not in own] + reviewed_entities
    return Knowledge(individuals, {k: v[0] for k, v in keys.items()}, vocabulary), earlier_drafts(corpus, article_id)


def earlier_drafts(corpus: Any, article_id: str) -> dict[str, str]:
    """Reference entries an earlier draft of this article added (``review: draft``, drafted from
    it), by key, with the name of their file: a new draft replaces them."""
    out = {}
    for doc, _, item in corpus.reference:
        origin = item.get("drafted_from")
        if item.get("review") == "draft" and isinstance(origin, dict) and origin.get("article") == article_id:
            out[str(item.get("key"))] = Path(doc.file).name
    return out


def build_draft(settings: Settings, article_path: Path) -> Draft:
    """The draft of the article (not written)."""
    text = read_article(article_path)
    windows, remark = article_windows(article_path, text)
    meta_path = article_path.with_suffix(".yaml")
    meta = load_yaml(meta_path, str(meta_path)).data if meta_path.exists() else {}
    source = ArticleSource(article_path.stem, text, windows, meta if isinstance(meta, dict) else {}, remark)
    knowledge, replaces = knowledge_for(settings, article_path.stem)
    draft = draft_article(source, knowledge)
    draft.replaces = replaces
    return draft


def _defined_in(annotations: Any) -> set[str]:
    """The keys an annotation file defines (its entities and their keyed commitments)."""
    if annotations is None or not isinstance(annotations.data, dict):
        return set()
    keys = set()
    for entity in annotations.data.get("entities") or []:
        if isinstance(entity, dict):
            keys.add(entity.get("key"))
            keys.update(c.get("key") for c in entity.get("commitments") or [] if isinstance(c, dict))
    return {k for k in keys if isinstance(k, str)}


class _Dumper(yaml.SafeDumper):
    """Block style, sequences indented under their key, multi-line strings as literal blocks."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> Any:
        return super().increase_indent(flow, False)


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)


_Dumper.add_representer(str, _str)


def dump_draft(draft: dict[str, Any]) -> str:
    body = yaml.dump(
        draft, Dumper=_Dumper, sort_keys=False, allow_unicode=True, default_flow_style=False, width=4096, indent=2
    )
    assert yaml.safe_load(body) == draft  # the text says exactly what was built
    header = (
        f"# DRAFT annotations of article {draft['article']}, written by `{ANNOTATOR}`.\n"
        "# Review every item against the text (see corpus/README.md), then set review: reviewed.\n"
    )
    return header + body


def existing_review(path: Path) -> str | None:
    """The file-level review status of an existing annotation file: ``review:`` (or the former
    ``status:``, whose ``unreviewed`` is a draft); '?' when it cannot be read."""
    try:
        data = yaml.safe_load(path.read_bytes().decode("utf-8"))
        if isinstance(data, dict):
            for name in ("review", "status"):
                if isinstance(data.get(name), str):
                    return "draft" if data[name] == "unreviewed" else data[name]
    except (UnicodeDecodeError, yaml.YAMLError):
        pass
    raw = path.read_bytes().decode("utf-8", errors="replace")
    return "reviewed" if re.search(r"^(?:review|status):\s*['\"]?reviewed\b", raw, re.MULTILINE) else "?"


def append_reference_entries(
    folder: Path, entries: list[dict[str, Any]], replaces: dict[str, str] | None = None
) -> list[Path]:
    """Append the drafted entries to their reference files (``file`` of each entry), written by
    ruamel.yaml after the existing text, which is kept byte for byte (comments, order, wrapping);
    the entries of an earlier draft of the same article (``replaces``: key -> file) go first."""
    by_file: dict[str, list[dict[str, Any]]] = {name: [] for name in (replaces or {}).values()}
    for entry in entries:
        by_file.setdefault(entry["file"], []).append({k: v for k, v in entry.items() if k != "file"})
    written = []
    for name, items in sorted(by_file.items()):
        path = folder / name
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        for key, file in sorted((replaces or {}).items()):
            if file == name:
                text = remove_reference_entry(text, key)
        for item in items:
            text = append_reference_entry(text, item)
        write_atomic(path, text)
        written.append(path)
    return written


def suggest_annotations(settings: Settings, article_path: Path, out: Path | None = None, force: bool = False) -> Path:
    """Write the draft annotation file of ``article_path`` (default:
    ``<corpus_dir>/annotations/<stem>.yaml``) and return its path. Raises AnnotationExistsError for
    a reviewed file (always) or an existing draft (unless ``force``)."""
    article_path = Path(article_path)
    target = Path(out) if out is not None else Path(settings.corpus_dir) / "annotations" / f"{article_path.stem}.yaml"
    if target.exists():
        review = existing_review(target)
        if review == "reviewed":
            raise AnnotationExistsError(
                "a reviewed annotation file is never overwritten (move it away or choose --out)",
                file=str(target),
                field="review",
            )
        if not force:
            raise AnnotationExistsError(
                f"an annotation file exists (review: {review}); use --force to overwrite the draft",
                file=str(target),
                field="review",
            )
    draft = build_draft(settings, article_path)
    write_atomic(target, dump_draft(draft.annotations))
    append_reference_entries(Path(settings.corpus_dir) / "reference", draft.reference_entries, draft.replaces)
    return target
