"""The draft of one article, built in memory (no files read or written here): what
``peacekg annotate suggest`` writes and what ``peacekg annotate evaluate`` scores.

:func:`draft_article` takes the article (text, annotatable windows, metadata) and what is known
(:class:`Knowledge`: the individuals the gazetteer may link, their classes, the ontology's
vocabulary) and returns a :class:`Draft`: the annotation data (``review: draft``) and the new
people, organisations and places drafted as reference entries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from kg.annotations.quotes import occurrences, resolve
from kg.annotations.vocabulary import VocabularyIndex
from kg.drafting.attributions import find_attributions
from kg.drafting.figures import clause_of, find_dates, find_figures
from kg.drafting.gazetteer import Gazetteer, Hit, nlp, propose_entities, unique_key, whole_word_occurrences
from kg.drafting.statements import draft_sentence

ANNOTATOR = "peacekg annotate suggest"


@dataclass(frozen=True)
class ArticleSource:
    """The article to draft: its id (file stem), text, annotatable windows and metadata."""

    id: str
    text: str
    windows: list[tuple[int, int]]
    meta: dict[str, Any] = field(default_factory=dict)
    remark: str | None = None  # said in the draft's note (e.g. no metadata file)


@dataclass
class Knowledge:
    """What the drafter may link to: individuals (reference entries and entities of other reviewed
    annotation files), the class of every key in use, and the vocabulary."""

    individuals: list[dict[str, Any]]
    key_class: dict[str, str]
    vocabulary: VocabularyIndex


@dataclass
class Draft:
    annotations: dict[str, Any]
    reference_entries: list[dict[str, Any]]  # new individuals (with review: draft, drafted_from)


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


def draft_article(article: ArticleSource, knowledge: Knowledge) -> Draft:
    """The draft annotations of ``article``; every quote resolves uniquely in its windows."""
    text, windows = article.text, article.windows
    key_class = dict(knowledge.key_class)
    vocabulary = knowledge.vocabulary
    gazetteer = Gazetteer(knowledge.individuals)
    hits = gazetteer.match(text, windows)
    doc = nlp()(text)
    sentences = sentences_of(doc, text, windows)
    proposals, new_hits = propose_entities(doc, text, windows, gazetteer, hits, set(key_class), key_class, sentences)
    hits = sorted(hits + new_hits, key=lambda h: h.start)
    key_class.update({p.key: p.type for p in proposals})
    agents = {k for k, c in key_class.items() if "Agent" in vocabulary.families(c)}
    persons = {k for k, c in key_class.items() if c == "Person"}

    statements: list[tuple[int, dict[str, Any]]] = []
    entities: list[dict[str, Any]] = []
    notes = [
        f"DRAFT written by `{ANNOTATOR}`: check every mention, entity and statement, complete the "
        "statements (stance, target, summary), then set review: reviewed."
    ]
    if article.remark:
        notes.append(article.remark)
    labels = {i["key"]: i["label"] for i in knowledge.individuals if isinstance(i.get("label"), str)}
    labels.update({p.key: p.label for p in proposals})
    taken = set(key_class)

    def name_group(start: int, end: int, plural: bool) -> str:
        """A group (or an anonymous source) of the article for an unnamed speaker."""
        phrase = text[start:end]
        for entity in entities:
            if entity["label"].lower() == phrase.lower():
                return str(entity["key"])
        key = unique_key(f"{phrase}-{article.id[:3]}", taken)
        entities.append(
            {
                "key": key,
                "type": "Group" if plural else "AnonymousSource",
                "label": phrase[:1].upper() + phrase[1:],
                "evidence": [quote_spec(text, windows, start, end)],
                "note": "drafted for an unnamed speaker: check, merge with another group, or remove",
            }
        )
        key_class[key] = entities[-1]["type"]
        return key

    attributions = find_attributions(doc, text, sentences, hits, agents, persons, labels, name_group)
    speaker_of = {s: a.speaker for s, a in attributions.items() if a.speaker}
    key_year = _years(knowledge.individuals)
    article_year = year_of(article.meta.get("published") or article.meta.get("date"))
    for lo, hi in sentences:
        span = doc.char_span(lo, hi, alignment_mode="expand")
        if span is None or len([t for t in span if t.is_alpha]) < 4:
            continue
        a = attributions.get((lo, hi))
        found = draft_sentence(span, a, hits, agents, key_class, key_year, vocabulary.families, article_year)
        item: dict[str, Any] = {"type": found.kind}
        if a is not None and a.speaker:
            item["by"] = [a.speaker]
        item.update(found.fields)
        if found.proposition is not None:
            p_lo, p_hi = found.proposition
            key = unique_key(f"{text[p_lo:p_hi][:60]}-{article.id[:3]}", taken)
            entities.append(
                {
                    "key": key,
                    "type": "Proposition",
                    "label": f"DRAFT: {text[p_lo:p_hi]}",
                    "evidence": [quote_spec(text, windows, p_lo, p_hi)],
                    "note": "drafted as the claim's target: name what is claimed, or link an individual instead",
                }
            )
            item["target"] = [key]
        if found.kind == "PrecedentInvocation":
            item["lesson"] = f"DRAFT: {text[lo:hi]}"
        item["summary"] = f"DRAFT: {text[lo:hi]}"
        item["evidence"] = [quote_spec(text, windows, lo, hi)]
        item["note"] = "draft: check kind, speaker, stance and target" + (f"; {a.remark}" if a and a.remark else "")
        statements.append((lo, item))
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
        "article": article.id,
        "review": "draft",
        "annotators": [ANNOTATOR],
        "note": "\n".join(notes) + "\n",
        "mentions": mention_items(text, windows, hits),
    }
    if proposals or entities:
        draft["entities"] = [p.entity() for p in proposals] + entities
    if statements:
        draft["statements"] = [
            {"id": f"s{i}", **item} for i, (_, item) in enumerate(sorted(statements, key=lambda s: s[0]), start=1)
        ]
    return Draft(draft, [])


def year_of(value: Any) -> int | None:
    """The (earliest) year of a date field: '2025-01-20', 2025, {earliest: …}."""
    if isinstance(value, dict):
        value = value.get("earliest", value.get("latest"))
    match = re.match(r"\s*(\d{4})", str(value)) if value is not None else None
    return int(match.group(1)) if match else None


def _years(individuals: list[dict[str, Any]]) -> dict[str, int]:
    out = {}
    for item in individuals:
        year = year_of(item.get("date"))
        if year is not None and isinstance(item.get("key"), str):
            out[item["key"]] = year
    return out
