"""``peacekg annotate suggest ARTICLE.txt``: a DRAFT annotation file for a new article.

The draft (``status: unreviewed``) holds what can be found mechanically, for an annotator to
check and complete:

* **mentions** of reference individuals (the gazetteer of :mod:`kg.annotations.gazetteer`);
  a name that recurs is one mention with ``occurrence: all``; an ambiguous name has a ``note``;
* **entities** proposed from spaCy's named entities the gazetteer did not find, each with a
  mention;
* draft **Claim** statements for attribution cues ("said X", "X said", "according to X", "X told",
  "X wrote", "X added", "X stated"; "he/she said" is given to the last person named), with the
  speaker as a placeholder target;
* draft **ReportedFigure** statements for numbers with a unit (counts of soldiers, drones…,
  kilometres, percent, dollars, euros, roubles, months, years);
* explicit **dates**, listed in the file's ``note`` (an EventReport needs an event key).

Every quote is made unique (``occurrence``) so that the draft validates as written. A file whose
status is ``reviewed`` is never overwritten; an unreviewed draft only with ``force``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from kg.annotations.articles import ANNOTATABLE_REGIONS
from kg.annotations.attributions import find_attributions
from kg.annotations.corpus import load_corpus
from kg.annotations.figures import clause_of, find_dates, find_figures
from kg.annotations.gazetteer import Gazetteer, Hit, nlp, propose_entities, whole_word_occurrences
from kg.annotations.quotes import occurrences, resolve
from kg.annotations.vocabulary import VocabularyIndex
from kg.annotations.yaml_source import load_yaml
from kg.errors import PeaceKGError, SourceSyntaxError
from kg.ontology.load import load_ontology
from kg.serialize import write_atomic
from kg.settings import Settings

ANNOTATOR = "peacekg annotate suggest"


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


def sentences_of(doc: Any, text: str, windows: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """spaCy's sentences, split at line breaks, clipped to the windows, without outer whitespace."""
    out = []
    for sent in doc.sents:
        for lo, hi in windows:
            start, end = max(sent.start_char, lo), min(sent.end_char, hi)
            for part in re.finditer(r"[^\n]+", text[start:end]) if start < end else ():
                s, e = start + part.start(), start + part.end()
                while s < e and text[s].isspace():
                    s += 1
                while e > s and text[e - 1].isspace():
                    e -= 1
                if e - s >= 2:
                    out.append((s, e))
    return sorted(set(out))


def quote_spec(text: str, windows: list[tuple[int, int]], start: int, end: int) -> str | dict[str, Any]:
    """A quote that designates exactly ``text[start:end]``: plain when unique, else with occurrence."""
    quote = text[start:end]
    starts = occurrences(text, quote, windows)
    spec: str | dict[str, Any] = quote if starts == [start] else {"quote": quote, "occurrence": starts.index(start) + 1}
    occurrence = spec.get("occurrence") if isinstance(spec, dict) else None
    assert resolve(text, quote, windows, occurrence=occurrence).start == start
    return spec


# -- mentions -------------------------------------------------------------------------------------


def mention_items(text: str, windows: list[tuple[int, int]], hits: list[Hit]) -> list[dict[str, Any]]:
    """One mention per name and key: ``occurrence: all`` when the name recurs and every other
    whole-word occurrence lies inside a longer mention; otherwise one per occurrence."""
    groups: dict[tuple[str, str, str | None], list[Hit]] = {}
    for hit in hits:
        groups.setdefault((text[hit.start : hit.end], hit.key, hit.note), []).append(hit)
    items = []
    for (quote, key, note), group in groups.items():
        starts = {h.start for h in group}
        others = [
            s
            for s in whole_word_occurrences(text, quote, windows)
            if s not in starts
            and not any(h.start <= s and s + len(quote) <= h.end and h.end - h.start > len(quote) for h in hits)
        ]
        if len(group) > 1 and not others:
            entries = [(group[0].start, {"quote": quote, "ref": key, "occurrence": "all"})]
        else:
            entries = []
            for hit in group:
                spec = quote_spec(text, windows, hit.start, hit.end)
                item: dict[str, Any] = {"quote": quote, "ref": key}
                if isinstance(spec, dict):
                    item["occurrence"] = spec["occurrence"]
                entries.append((hit.start, item))
        for start, item in entries:
            items.append((start, {**item, "note": note} if note else item))
    return [item for _, item in sorted(items, key=lambda i: i[0])]


# -- figures --------------------------------------------------------------------------------------


def build_draft(settings: Settings, article_path: Path) -> dict[str, Any]:
    """The draft annotation data of the article (not written).

    The draft replaces the article's annotation file, so keys that file defines are free again,
    and its entities are not looked for; entities of other *reviewed* annotation files are
    looked for after the reference individuals."""
    text = read_article(article_path)
    windows, remark = article_windows(article_path, text)
    vocabulary = VocabularyIndex.from_graph(load_ontology(Path(settings.ontology_dir)))
    corpus = load_corpus(Path(settings.corpus_dir), vocabulary)
    keys = {k: v for k, v in corpus.keys.items() if k not in _defined_in(corpus.annotations.get(article_path.stem))}
    key_class = {k: v[0] for k, v in keys.items()}
    reviewed_entities = [
        entity
        for article, annotations in sorted(corpus.annotations.items())
        if article != article_path.stem and annotations.data.get("status") == "reviewed"
        for entity in annotations.data.get("entities") or []
        if isinstance(entity, dict)
    ]
    gazetteer = Gazetteer([item for _, _, item in corpus.reference] + reviewed_entities)
    hits = gazetteer.match(text, windows)
    doc = nlp()(text)
    sentences = sentences_of(doc, text, windows)
    proposals, new_hits = propose_entities(doc, text, windows, gazetteer, hits, set(keys), key_class, sentences)
    hits = sorted(hits + new_hits, key=lambda h: h.start)
    key_class.update({p.key: p.type for p in proposals})
    agents = {k for k, c in key_class.items() if "Agent" in vocabulary.families(c)}
    persons = {k for k, c in key_class.items() if c == "Person"}

    statements: list[tuple[int, dict[str, Any]]] = []
    notes = [
        f"DRAFT written by `{ANNOTATOR}`: check every mention, entity and statement, complete the "
        "statements (stance, target, summary), then set status: reviewed."
    ]
    if remark:
        notes.append(remark)
    attributions = find_attributions(text, sentences, hits, agents, persons)
    speaker_of = {a.sentence: a.speaker for a in attributions if a.speaker}
    for a in attributions:
        lo, hi = a.sentence
        if a.speaker is None:
            notes.append(f"attribution: {a.cue!r} at offset {lo + text[lo:hi].find(a.cue)}: speaker not identified")
            continue
        statements.append(
            (
                lo,
                {
                    "type": "Claim",
                    "by": [a.speaker],
                    "stance": "asserts",
                    "target": [a.speaker],
                    "summary": f"DRAFT: {text[lo:hi]}",
                    "evidence": [quote_spec(text, windows, lo, hi)],
                    "note": "draft: set stance and target" + (f"; {a.remark}" if a.remark else ""),
                },
            )
        )
    dates = find_dates(text, windows)
    for figure in find_figures(text, windows, sentences, dates):
        sentence = next(((s, e) for s, e in sentences if s <= figure.start < e), (figure.start, figure.end))
        item: dict[str, Any] = {"type": "ReportedFigure"}
        if sentence in speaker_of:
            item["by"] = [speaker_of[sentence]]
        item.update(
            {
                "quantity": figure.quantity,
                "measures": f"DRAFT: {clause_of(text, sentence, figure.start)}",
                "category": figure.category,
                "summary": f"DRAFT: {text[sentence[0] : sentence[1]]}",
                "evidence": [quote_spec(text, windows, figure.start, figure.end)],
                "note": f"draft: check category, quantity and what it measures{figure.remark}",
            }
        )
        statements.append((figure.start, item))
    for start, end, iso in dates:
        notes.append(
            f"date: {text[start:end]} at offset {start}" + (f" ({iso})" if iso and iso != text[start:end] else "")
        )

    draft: dict[str, Any] = {
        "article": article_path.stem,
        "status": "unreviewed",
        "annotators": [ANNOTATOR],
        "note": "\n".join(notes) + "\n",
        "mentions": mention_items(text, windows, hits),
    }
    if proposals:
        draft["entities"] = [p.entity() for p in proposals]
    if statements:
        draft["statements"] = [
            {"id": f"s{i}", **item} for i, (_, item) in enumerate(sorted(statements, key=lambda s: s[0]), start=1)
        ]
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
        "# Review every item against the text (see corpus/README.md), then set status: reviewed.\n"
    )
    return header + body


def existing_status(path: Path) -> str | None:
    """The status of an existing annotation file ('?' when it cannot be read)."""
    try:
        data = yaml.safe_load(path.read_bytes().decode("utf-8"))
        if isinstance(data, dict) and isinstance(data.get("status"), str):
            return data["status"]
    except (UnicodeDecodeError, yaml.YAMLError):
        pass
    raw = path.read_bytes().decode("utf-8", errors="replace")
    return "reviewed" if re.search(r"^status:\s*['\"]?reviewed\b", raw, re.MULTILINE) else "?"


def suggest_annotations(settings: Settings, article_path: Path, out: Path | None = None, force: bool = False) -> Path:
    """Write the draft annotation file of ``article_path`` (default:
    ``<corpus_dir>/annotations/<stem>.yaml``) and return its path. Raises AnnotationExistsError for
    a reviewed file (always) or an existing draft (unless ``force``)."""
    article_path = Path(article_path)
    target = Path(out) if out is not None else Path(settings.corpus_dir) / "annotations" / f"{article_path.stem}.yaml"
    if target.exists():
        status = existing_status(target)
        if status == "reviewed":
            raise AnnotationExistsError(
                "a reviewed annotation file is never overwritten (move it away or choose --out)",
                file=str(target),
                field="status",
            )
        if not force:
            raise AnnotationExistsError(
                f"an annotation file exists (status {status}); use --force to overwrite the draft",
                file=str(target),
                field="status",
            )
    draft = build_draft(settings, article_path)
    write_atomic(target, dump_draft(draft))
    return target
