"""What the review app shows and changes, without Flask: an article with its annotation file (items,
resolved spans, errors by item and field) and the reference entries drafted from it; and a batch of
review operations applied to the files and saved through kg.annotations.saving.

Operations (JSON objects, ``op`` plus its fields); indices are those of the file as it was loaded,
whatever else the batch does (edits and accepts are applied first, then additions, then rejections
from the last item up, so no index shifts under another):

====================  ====================================================================
accept, reject        ``section``, ``index`` (mentions, entities, roles, statements)
edit                  ``section``, ``index``, ``changes`` (field → value; null removes it)
add_mention           ``start``, ``end`` (character offsets), ``ref``, optional ``note``
add_statement         ``start``, ``end``, ``fields`` (type, stance, target, summary…)
add_reference         ``type``, ``key``, ``label``, optional ``aliases``, ``description``,
                      ``wikidata``, ``dbpedia``; ``start``/``end`` (where it was found: also
                      made a mention unless ``mention`` is false)
accept_reference,     ``key`` (an entry of the reference data drafted from this article)
reject_reference
accept_valid          every draft item and drafted reference entry without a validation error
                      (and naming no draft left out): service.review.accept_all
====================  ====================================================================
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.annotations.articles import Article, load_articles, shown
from kg.annotations.check import vocabulary_index
from kg.annotations.corpus import Corpus, load_corpus
from kg.annotations.editing import (
    SECTIONS,
    AnnotationEdit,
    EditError,
    accept_reference_entry,
    append_reference_entry,
    file_version,
    new_reference_entry,
    quote_spec,
    reference_file_for,
    remove_reference_entry,
)
from kg.annotations.fields import STATEMENT, STATEMENT_TYPE
from kg.annotations.lookup import ReferenceIndex, time_span
from kg.annotations.review import file_default, is_draft
from kg.annotations.saving import CorpusCheck, PendingWrite, check_corpus, save_edits
from kg.annotations.values import Issue
from kg.builder.validation import graph_issues
from kg.errors import SourceSyntaxError
from kg.ontology.load import OntologySources
from kg.settings import Settings
from service.review.accept_all import accept_valid_operations

KINDS = {"mentions": "mention", "entities": "entity", "roles": "role", "statements": "statement"}
FIELD = re.compile(r"^(?P<section>[a-z_]+)\[(?P<index>\d+)\](?:\.(?P<rest>.*))?$")


def jsonable(value: Any) -> Any:
    """YAML data as JSON: dates as ISO text."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def issue_json(issue: Issue) -> dict[str, Any]:
    """An issue with the item it belongs to (``section``, ``index``) and the field inside it."""
    match = FIELD.match(issue.field)
    out: dict[str, Any] = {"file": issue.file, "line": issue.line, "field": issue.field, "message": issue.message}
    if match and match.group("section") in KINDS:
        out.update(section=match.group("section"), index=int(match.group("index")), item_field=match.group("rest"))
    return out


FIRST_FIELDS = ("by", "modality", "summary")  # after a type's own fields; the others are "more"
NOT_EDITED = {"id", "type", "evidence", "review"}  # set by the app: identity, the selection, accept


def statement_fields(kind: str) -> list[dict[str, Any]]:
    """The editable fields of a statement type, its own first, each with its kind (and scheme)."""
    common = {f.name: f for f in STATEMENT if f.name not in NOT_EDITED}
    ordered = list(STATEMENT_TYPE[kind]) + [common[n] for n in FIRST_FIELDS]
    ordered += [f for n, f in common.items() if n not in FIRST_FIELDS]
    return [
        {
            "name": f.name,
            "kind": f.kind,
            "scheme": f.scheme,
            "required": f.required,
            "help": f.help,
            "more": i >= len(STATEMENT_TYPE[kind]) + len(FIRST_FIELDS),
        }
        for i, f in enumerate(ordered)
    ]


@dataclass
class ReviewSession:
    """The corpus of ``settings`` as the review app sees it; every request reads the files afresh
    (an annotator may also edit them in an editor)."""

    settings: Settings

    def __post_init__(self) -> None:
        self.corpus_dir = Path(self.settings.corpus_dir)
        self.vocabulary = vocabulary_index(self.settings)
        checks = OntologySources.find(Path(self.settings.ontology_dir)).data_checks
        self.data_checks = {p.name.removesuffix("-violation.rq") for p in checks}
        self._index: tuple[tuple[tuple[str, int, int], ...], ReferenceIndex] | None = None

    def annotation_path(self, article_id: str) -> Path:
        return self.corpus_dir / "annotations" / f"{article_id}.yaml"

    def articles(self) -> dict[str, Article]:
        return load_articles(self.corpus_dir / "articles", self.vocabulary, [], [])

    def article_list(self) -> list[dict[str, Any]]:
        out = []
        for article_id, article in sorted(self.articles().items()):
            path = self.annotation_path(article_id)
            out.append({"id": article_id, "title": article.meta.get("title"), "annotated": path.exists()})
        return out

    def article(self, article_id: str) -> Article:
        article = self.articles().get(article_id)
        if article is None:
            raise EditError(f"no article {article_id!r} in {shown(self.corpus_dir / 'articles')}")
        return article

    def vocabulary_json(self) -> dict[str, Any]:
        """The schemes and classes, and the fields of each statement type (from the format's field
        table, kg.annotations.fields): the page builds its edit forms from them."""
        return {
            "schemes": {name: sorted(concepts) for name, concepts in self.vocabulary.schemes.items()},
            "classes": sorted(self.vocabulary.classes),
            "statement_types": list(STATEMENT_TYPE),
            "statement_fields": {kind: statement_fields(kind) for kind in STATEMENT_TYPE},
        }

    def search(self, text: str, date: dt.date | None) -> list[dict[str, Any]]:
        """Autocomplete: the look-up of ``peacekg reference search``, over an index read again only
        when a reference or annotation file changed (every keystroke asks)."""
        files = sorted((self.corpus_dir / "reference").glob("*.yaml")) + sorted(
            (self.corpus_dir / "annotations").glob("*.yaml")
        )
        stamp = tuple((str(f), f.stat().st_mtime_ns, f.stat().st_size) for f in files if f.exists())
        if self._index is None or self._index[0] != stamp:
            self._index = (stamp, ReferenceIndex.from_corpus_dir(self.corpus_dir, self.vocabulary))
        return [m.as_json() for m in self._index[1].search(text, date=date, limit=15)]

    # -- one article ------------------------------------------------------------------------------
    def state(self, article_id: str, check: CorpusCheck | None = None, corpus: Corpus | None = None) -> dict[str, Any]:
        """The article, its annotation file's items with their spans, its errors and warnings (those
        of ``check``, else of the files' checks)."""
        article = self.article(article_id)
        path = self.annotation_path(article_id)
        start, end = time_span(article.meta.get("published"))
        out: dict[str, Any] = {
            "id": article_id,
            "title": article.meta.get("title"),
            "date": day.isoformat() if (day := end or start) else None,  # the out-of-era warnings' reference
            "text": article.text,
            "regions": [{"id": r.id, "type": r.type, "start": r.start, "end": r.end} for r in article.regions],
            "file": shown(path),
            "exists": path.exists(),
            "version": file_version(path),
            "readonly": False,
            "sections": {s: [] for s in SECTIONS},
            "spans": [],
            "drafted_reference": [],
        }
        try:
            if path.exists():
                AnnotationEdit.open(path)  # what a save would open: a file it cannot read is shown read-only
        except SourceSyntaxError as exc:
            out["readonly"] = True
            out["errors"] = [
                {"file": exc.file, "line": exc.line, "field": exc.field or "(syntax)", "message": exc.message}
            ]
            out["warnings"] = []
            return out
        corpus = corpus or load_corpus(self.corpus_dir, self.vocabulary)
        if check is None:
            check = check_corpus(corpus, self.vocabulary, self.data_checks)
        annotations = corpus.annotations.get(article_id)
        if annotations is not None:
            data = annotations.data
            default = file_default(data)
            out["review"] = default
            for section in SECTIONS:
                for item in data.get(section) or []:
                    row = jsonable(item) if isinstance(item, dict) else {"value": jsonable(item)}
                    row["_review"] = "draft" if is_draft(item, default) else "reviewed"
                    out["sections"][section].append(row)
            for where, spans in annotations.spans.items():
                if isinstance(where[0], str) and where[0] in KINDS and len(where) > 1 and isinstance(where[1], int):
                    for span in spans:
                        out["spans"].append(
                            {
                                "section": where[0],
                                "index": where[1],
                                "kind": KINDS[where[0]],
                                "start": span.start,
                                "end": span.end,
                            }
                        )
        for doc, index, item in corpus.reference:
            origin = item.get("drafted_from")
            if isinstance(origin, dict) and origin.get("article") == article_id:
                out["drafted_reference"].append(
                    {
                        "key": item.get("key"),
                        "type": item.get("type"),
                        "label": item.get("label"),
                        "file": doc.file,
                        "line": doc.line((index,)),
                        "review": "draft" if is_draft(item) else "reviewed",
                        "quote": origin.get("quote"),
                    }
                )
        mine = shown(path)
        out["errors"] = [issue_json(i) for i in check.errors if i.file == mine]
        out["other_errors"] = [issue_json(i) for i in check.errors if i.file != mine]
        out["warnings"] = [issue_json(i) for i in check.warnings if i.file == mine]
        return out

    # -- a save -------------------------------------------------------------------------------------
    def save(self, article_id: str, version: str, operations: list[dict[str, Any]]) -> dict[str, Any]:
        """Apply ``operations`` to the files as loaded at ``version`` and save them (conditional,
        validated, atomic: kg.annotations.saving); the new state with the corpus's errors."""
        article = self.article(article_id)
        path = self.annotation_path(article_id)
        # a file that cannot be parsed raises SourceSyntaxError and stays as it is; without a draft
        # yet, the first save makes the file
        exists = path.exists()
        edit = AnnotationEdit.open(path) if exists else AnnotationEdit(path, "", AnnotationEdit.empty(article_id))
        references: dict[Path, tuple[str, str]] = {}  # path -> (version read, text)

        def reference_text(file: Path) -> str:
            if file not in references:
                references[file] = (file_version(file), file.read_text(encoding="utf-8") if file.exists() else "")
            return references[file][1]

        def set_reference_text(file: Path, text: str) -> None:
            references[file] = (references[file][0], text)

        operations, accepted = self._expand_accept_valid(article_id, operations)
        ordered = sorted(enumerate(operations), key=lambda pair: _order(pair[1], pair[0]))
        for _, operation in ordered:
            self._apply(operation, edit, article, reference_text, set_reference_text)
        writes = [PendingWrite(path, version, edit.text())] + [
            PendingWrite(file, read, text) for file, (read, text) in references.items()
        ]
        outcome = save_edits(self.corpus_dir, writes, self.vocabulary, self.data_checks)
        corpus = load_corpus(self.corpus_dir, self.vocabulary)
        check = outcome.check
        if not check.errors:
            # the rest of what `peacekg annotations validate` runs: the build's checks of the mapped
            # graph (shapes, data checks, inference). Seconds on a large corpus, so after the write,
            # reported rather than blocking: the files themselves are valid.
            check = CorpusCheck(graph_issues(self.settings, corpus), check.warnings)
        state = self.state(article_id, check, corpus)
        if accepted is not None:
            state["accepted_valid"] = accepted  # how many accepts "accept all valid" stood for
        return state

    def _expand_accept_valid(self, article_id: str, operations: list[Any]) -> tuple[list[Any], int | None]:
        """``accept_valid`` replaced by the accepts it stands for, computed on the files as loaded."""
        if not any(isinstance(o, dict) and o.get("op") == "accept_valid" for o in operations):
            return operations, None
        corpus = load_corpus(self.corpus_dir, self.vocabulary)
        check = check_corpus(corpus, self.vocabulary, self.data_checks)
        mine = shown(self.annotation_path(article_id))
        placed = (issue_json(i) for i in check.errors if i.file == mine)
        with_error = {(j["section"], j["index"]) for j in placed if "section" in j}
        rest = [o for o in operations if not (isinstance(o, dict) and o.get("op") == "accept_valid")]
        rejects = [o for o in rest if isinstance(o, dict) and o.get("op") in ("reject", "reject_reference")]
        excluded: set[Any] = {(o.get("section"), o.get("index")) for o in rejects} | {o.get("key") for o in rejects}
        accepts = accept_valid_operations(corpus, article_id, check.errors, with_error, excluded)
        return rest + accepts, len(accepts)

    def _apply(self, operation: dict[str, Any], edit: AnnotationEdit, article: Article, read, write) -> None:
        op = operation.get("op") if isinstance(operation, dict) else None
        section, index = operation.get("section", ""), operation.get("index", -1)
        if op in ("accept", "reject", "edit") and not isinstance(index, int):
            raise EditError(f"{op}: 'index' is a number", field="index")
        if op == "accept":
            edit.accept(section, index)
        elif op == "reject":
            edit.reject(section, index)
        elif op == "edit":
            changes = operation.get("changes")
            if not isinstance(changes, dict):
                raise EditError("edit: 'changes' is an object of field → value", field="changes")
            edit.edit(section, index, changes)
        elif op == "add_mention":
            edit.add_mention(
                article,
                _int(operation, "start"),
                _int(operation, "end"),
                _text(operation, "ref"),
                operation.get("note"),
            )
        elif op == "add_statement":
            fields = operation.get("fields")
            if not isinstance(fields, dict):
                raise EditError("add_statement: 'fields' is an object", field="fields")
            edit.add_statement(article, _int(operation, "start"), _int(operation, "end"), fields)
        elif op == "add_reference":
            self._add_reference(operation, edit, article, read, write)
        elif op in ("accept_reference", "reject_reference"):
            key = _text(operation, "key")
            file = self._drafted_file(key, read)
            change = accept_reference_entry if op == "accept_reference" else remove_reference_entry
            write(file, change(read(file), key))
        else:
            raise EditError(f"unknown operation {op!r}", field="op")

    def _add_reference(self, operation: dict[str, Any], edit: AnnotationEdit, article: Article, read, write) -> None:
        klass = _text(operation, "type")
        found = None
        if operation.get("start") is not None:
            start, end = _int(operation, "start"), _int(operation, "end")
            found = {"article": article.id, **quote_spec(article, start, end)}
        aliases = operation.get("aliases") or []
        entry = new_reference_entry(
            key=_text(operation, "key"),
            klass=klass,
            label=_text(operation, "label"),
            aliases=[str(a) for a in aliases] if isinstance(aliases, list) else [],
            description=operation.get("description") or None,
            wikidata=operation.get("wikidata") or None,
            dbpedia=operation.get("dbpedia") or None,
            drafted_from=found,
        )
        file = self.corpus_dir / "reference" / reference_file_for(klass, self.vocabulary)
        write(file, append_reference_entry(read(file), entry))  # an absent file reads as empty: the entry makes it
        if found is not None and operation.get("mention", True):
            edit.add_mention(article, _int(operation, "start"), _int(operation, "end"), entry["key"])

    def _drafted_file(self, key: str, read) -> Path:
        for file in sorted((self.corpus_dir / "reference").glob("*.yaml")):
            if re.search(r"^(- |  )key: ['\"]?" + re.escape(key) + r"['\"]?\s*$", read(file), re.M):
                return file
        raise EditError(f"no reference entry with key {key!r}", field="key")


def _order(operation: Any, position: int) -> tuple[int, int]:
    """Edits and accepts first, additions next, rejections last and from the end of each list."""
    op = operation.get("op") if isinstance(operation, dict) else None
    if op == "reject":
        index = operation.get("index")
        return (2, -index if isinstance(index, int) else 0)
    if op in ("add_mention", "add_statement", "add_reference"):
        return (1, position)
    return (0, position)


def _int(operation: dict[str, Any], name: str) -> int:
    value = operation.get(name)
    if not isinstance(value, int) or isinstance(value, bool):
        raise EditError(f"{operation.get('op')}: {name!r} is a character offset (a number)", field=name)
    return value


def _text(operation: dict[str, Any], name: str) -> str:
    value = operation.get(name)
    if not isinstance(value, str) or not value.strip():
        raise EditError(f"{operation.get('op')}: {name!r} is required", field=name)
    return value.strip()
