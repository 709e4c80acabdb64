"""The draft of one article, built in memory (no files read or written here): what
``peacekg annotate suggest`` writes and what ``peacekg annotate evaluate`` scores.

:func:`draft_article` takes the article (text, annotatable windows, metadata) and what is known
(:class:`Knowledge`: the individuals the gazetteer may link, their classes, the ontology's
vocabulary) and returns a :class:`Draft`: the annotation data (``review: draft``) and the new
people, organisations and places drafted as reference entries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kg.annotations.editing import new_reference_entry, reference_file_for
from kg.annotations.linking import PLACE_METONYMS
from kg.annotations.vocabulary import VocabularyIndex
from kg.drafting.attributions import find_attributions, genders, resolve_pronoun
from kg.drafting.dates import anchor_of, anchored_dates, year_of, years_of
from kg.drafting.figures import clause_of, find_figures
from kg.drafting.gazetteer import Gazetteer, Hit, apply_metonyms, nlp
from kg.drafting.places import capital_of
from kg.drafting.proposals import Proposal, propose_entities, retype_speakers, unique_key
from kg.drafting.roles import find_roles
from kg.drafting.spans import mention_items, quote_spec, sentences_of, states_something
from kg.drafting.statements import PRECEDENT_YEARS, draft_sentence, event_phrases, narrates_event

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
    reference_entries: list[dict[str, Any]]  # new individuals (with review: draft, drafted_from, file)
    replaces: dict[str, str] = field(default_factory=dict)  # key -> file of an earlier draft's entries


# Proposed individuals of these classes are drafted as reference entries (people, organisations,
# places); others (groups, events, documents) stay entities of the article.
ARTICLE_LOCAL = ("Group", "AnonymousSource")


class _Drafter:
    """The draft of one article, built step by step (see :func:`draft_article`)."""

    def __init__(self, article: ArticleSource, knowledge: Knowledge) -> None:
        self.article, self.text, self.windows = article, article.text, article.windows
        self.vocabulary = knowledge.vocabulary
        self.key_class = dict(knowledge.key_class)
        self.taken = set(self.key_class)
        self.individuals = knowledge.individuals
        self.entities: list[dict[str, Any]] = []
        self.gender: dict[str, str] = {}
        self.dates = anchored_dates(self.text, self.windows, anchor_of(article.meta))
        self.notes = [
            f"DRAFT written by `{ANNOTATOR}`: check every mention, entity and statement, complete the "
            "statements (stance, target, summary), then set review: reviewed."
        ] + ([article.remark] if article.remark else [])

    def quote(self, start: int, end: int) -> str | dict[str, Any]:
        return quote_spec(self.text, self.windows, start, end)

    def support_entity(self, kind: str, start: int, end: int, note: str) -> str:
        """A Proposition or Event drafted to complete a statement, keyed by its words."""
        key = unique_key(f"{self.text[start:end][:60]}-{self.article.id[:3]}", self.taken)
        label = f"DRAFT: {self.text[start:end]}"
        entity: dict[str, Any] = {"key": key, "type": kind, "label": label}
        if kind == "Proposition":
            # the clause itself: a description that can stand once accepted ("DRAFT: " is then removed)
            entity["description"] = f"DRAFT: {self.text[start:end]}"
        self.entities.append({**entity, "evidence": [self.quote(start, end)]})
        self.entities[-1]["note"] = note
        self.key_class[key] = kind
        return key

    def name_group(self, start: int, end: int, plural: bool) -> str:
        """A group (or an anonymous source) of the article for an unnamed speaker."""
        phrase = self.text[start:end]
        kind = "Group" if plural else "AnonymousSource"
        for entity in self.entities:
            if entity["label"].lower() == phrase.lower():
                return str(entity["key"])
        words = phrase.lower().split()
        if len(words) <= 3 and words[0] in ("the", "this", "that", "these", "those"):
            # a definite description ("the person said") names the last such speaker introduced
            for entity in reversed(self.entities):
                if entity["type"] == kind and words[-1] in entity["label"].lower().split():
                    return str(entity["key"])
        key = unique_key(f"{phrase}-{self.article.id[:3]}", self.taken)
        self.entities.append(
            {
                "key": key,
                "type": kind,
                "label": phrase[:1].upper() + phrase[1:],
                "evidence": [self.quote(start, end)],
                "note": "drafted for an unnamed speaker: check, merge with another group, or remove",
            }
        )
        self.key_class[key] = kind
        return key

    def statement(self, span: Any, attribution: Any, hits: list[Hit], agents: set[str]) -> dict[str, Any]:
        lo, hi = span.start_char, span.end_char
        year = year_of(self.article.meta.get("published") or self.article.meta.get("date"))

        def pronoun(token: Any) -> str | None:
            paragraph = self.text.rfind("\n", 0, token.idx) + 1
            persons = {k for k, c in self.key_class.items() if c == "Person"}
            key, _ = resolve_pronoun(
                token.text, token.idx, self.text, hits, persons, agents, self.gender, None, paragraph
            )
            return key

        found = draft_sentence(
            span,
            attribution,
            hits,
            agents,
            self.key_class,
            years_of(self.individuals),
            self.vocabulary.families,
            year,
            pronoun,
        )
        item: dict[str, Any] = {"type": found.kind}
        if attribution is not None and attribution.speaker:
            item["by"] = [attribution.speaker]
        item.update(found.fields)
        if found.proposition is not None:
            note = "drafted as the claim's target: name what is claimed, or link an individual instead"
            item["target"] = [self.support_entity("Proposition", *found.proposition, note)]
        if found.new_event is not None:
            note = "drafted for the event the sentence reports or invokes: link a known event instead, or name it"
            field = "precedent" if found.kind == "PrecedentInvocation" else "event"
            key = self.support_entity("Event", *found.new_event, note)
            item[field] = [key] if field == "precedent" else key
        if found.kind == "EventReport":
            item.update(self.date_within(lo, hi))
        if found.kind == "PrecedentInvocation":
            item["lesson"] = f"DRAFT: {self.text[lo:hi]}"
        item["summary"] = f"DRAFT: {self.text[lo:hi]}"
        item["evidence"] = [self.quote(lo, hi)]
        remark = f"; {attribution.remark}" if attribution is not None and attribution.remark else ""
        item["note"] = "draft: check kind, speaker, stance and target" + remark
        return item

    def event_reports(self, span: Any, hits: list[Hit], main: dict[str, Any]) -> list[tuple[int, dict[str, Any]]]:
        """EventReports, in the author's voice, for the dated or named event phrases of a sentence
        whose own statement is something else."""
        if main["type"] == "PrecedentInvocation" and "by" not in main and narrates_event(span):
            # a sentence of the author's that narrates a past event reports it too, whatever it invokes
            start, end = span.start_char, span.end_char
            why = "drafted for the event the sentence reports: link a known event instead, or name it"
            report: dict[str, Any] = {
                "type": "EventReport",
                "event": self.support_entity("Event", start, end, why),
                **self.date_within(start, end),
            }
            report |= {"summary": f"DRAFT: {self.text[start:end]}", "evidence": [self.quote(start, end)], "note": NOTE}
            return [(start, report)]
        if main["type"] in ("EventReport", "PrecedentInvocation"):
            return []
        families = self.vocabulary.families
        year = year_of(self.article.meta.get("published") or self.article.meta.get("date"))
        years = years_of(self.individuals)
        events = {  # events of the article's time (older ones are precedents)
            k
            for k, c in self.key_class.items()
            if "Event" in families(c) and not (year and years.get(k) and year - years[k] >= PRECEDENT_YEARS)
        }
        out = []
        for lo, hi, key in event_phrases(span, hits, events):
            if key is None:
                note = "drafted for the event the phrase reports: link a known event instead, or name it"
                key = self.support_entity("Event", lo, hi, note)
            item: dict[str, Any] = {"type": "EventReport", "event": key}
            item.update(self.date_within(lo, hi))
            item |= {
                "summary": f"DRAFT: {self.text[lo:hi]}",
                "evidence": [self.quote(lo, hi)],
                "note": NOTE,
            }
            out.append((lo, item))
        return out

    def date_within(self, lo: int, hi: int) -> dict[str, Any]:
        """``{"date": …}`` when exactly one date of the text lies in [lo, hi), else nothing."""
        inside = [d for d in self.dates if lo <= d.start and d.end <= hi]
        return {"date": inside[0].as_field(self.text)} if len(inside) == 1 else {}

    def figures(self, sentences: list[tuple[int, int]], speaker_of: dict[Any, str]) -> list[tuple[int, dict]]:
        out = []
        dates = [(d.start, d.end, "") for d in self.dates]  # not figures
        for figure in find_figures(self.text, self.windows, sentences, dates):
            sentence = next(((s, e) for s, e in sentences if s <= figure.start < e), (figure.start, figure.end))
            item: dict[str, Any] = {"type": "ReportedFigure"}
            if sentence in speaker_of:
                item["by"] = [speaker_of[sentence]]
            item.update(
                {
                    "quantity": figure.quantity,
                    "measures": f"DRAFT: {clause_of(self.text, sentence, figure.start)}",
                    "category": figure.category,
                    "summary": f"DRAFT: {self.text[sentence[0] : sentence[1]]}",
                    "evidence": [self.quote(figure.start, figure.end)],
                    "note": f"draft: check category, quantity and what it measures{figure.remark}",
                }
            )
            out.append((figure.start, item))
        for date in self.dates:
            written = self.text[date.start : date.end]
            days = date.earliest if date.earliest == date.latest else f"{date.earliest} to {date.latest}"
            shown = f" ({days})" if days != written else ""
            self.notes.append(f"date: {written} at offset {date.start}{shown}")
        return out

    def roles(self, doc: Any, hits: list[Hit], persons: set[str]) -> list[dict[str, Any]]:
        families = self.vocabulary.families
        organisations = {k for k, c in self.key_class.items() if c != "Person" and "Agent" in families(c)}
        found: dict[tuple[int, int], dict[str, Any]] = {}
        for lo, hi, fields in find_roles(doc, self.text, hits, persons, organisations):
            found.setdefault((lo, hi), {**fields, "evidence": [self.quote(lo, hi)]})
        return [role for _, role in sorted(found.items())]

    def reference_entry(self, proposal: Proposal, hits: list[Hit]) -> dict[str, Any] | None:
        """The reference entry (with the ``file`` it goes to) of a proposed person, organisation or
        place; None for other classes, which stay article entities."""
        families = self.vocabulary.families(proposal.type)
        if proposal.type in ARTICLE_LOCAL or not ({"Agent", "Place"} & families):
            return None
        first = min(h.start for h in hits if h.key == proposal.key)
        quote = self.quote(first, first + len(proposal.label))
        drafted_from: dict[str, Any] = {"article": self.article.id, "quote": proposal.label}
        if isinstance(quote, dict):
            drafted_from["occurrence"] = quote["occurrence"]
        aliases = sorted({self.text[h.start : h.end] for h in hits if h.key == proposal.key} - {proposal.label})
        entry = new_reference_entry(
            key=proposal.key,
            klass=proposal.type,
            label=proposal.label,
            aliases=aliases,
            drafted_from=drafted_from,
            review="draft",
        )
        entry.update(proposal.extra)
        entry["note"] = proposal.note
        return {"file": reference_file_for(proposal.type, self.vocabulary), **entry}

    def capitals(self, gazetteer: Gazetteer, proposals: list[Proposal]) -> dict[str, str]:
        """City key → the state it is the capital of: a reference City whose description begins
        "Capital of" (as the linking rules' check reads it), or a proposed city GeoNames knows as a
        capital of a state the gazetteer knows."""
        out = {
            i["key"]: i["located_in"]
            for i in self.individuals
            if i.get("type") == "City"
            and str(i.get("description", "")).startswith("Capital of")
            and isinstance(i.get("located_in"), str)
            and i["located_in"] in self.key_class
        }
        # "Europe must…" stands for the European allies, as a capital for its state (linking rule 1)
        out.update({k: v for k, v in PLACE_METONYMS.items() if k in self.key_class and v in self.key_class})
        for proposal in proposals:
            country = capital_of(proposal.label) if proposal.type == "City" else None
            states = [k for k in gazetteer.candidates.get(country or "", []) if self.key_class.get(k) == "State"]
            if states:
                out[proposal.key] = states[0]
        return out

    def build(self) -> Draft:
        text, windows = self.text, self.windows
        gazetteer = Gazetteer(self.individuals)
        hits = gazetteer.match(text, windows)
        doc = nlp()(text)
        sentences = sentences_of(doc, text, windows)
        proposals, new_hits = propose_entities(
            doc, text, windows, gazetteer, hits, self.taken, self.key_class, sentences
        )
        hits = apply_metonyms(doc, sorted(hits + new_hits, key=lambda h: h.start), self.capitals(gazetteer, proposals))
        proposals = [p for p in proposals if any(h.key == p.key for h in hits)]  # a capital only ever a metonym
        retype_speakers(doc, hits, proposals, self.vocabulary.families)
        self.key_class.update({p.key: p.type for p in proposals})
        families = self.vocabulary.families
        agents = {k for k, c in self.key_class.items() if "Agent" in families(c)}
        persons = {k for k, c in self.key_class.items() if c == "Person"}
        labels = {i["key"]: i["label"] for i in self.individuals if isinstance(i.get("label"), str)}
        labels.update({p.key: p.label for p in proposals})
        attributions = find_attributions(doc, text, sentences, hits, agents, persons, labels, self.name_group)
        self.gender = genders(text, hits, persons, labels, sentences)
        statements = []
        for lo, hi in sentences:
            span = doc.char_span(lo, hi, alignment_mode="expand")
            if span is not None and states_something(text, lo, hi, span):
                statements.append((lo, self.statement(span, attributions.get((lo, hi)), hits, agents)))
                statements += self.event_reports(span, hits, statements[-1][1])
        speaker_of = {s: a.speaker for s, a in attributions.items() if a.speaker}
        statements += self.figures(sentences, speaker_of)
        roles = self.roles(doc, hits, persons)
        reference: list[dict[str, Any]] = []
        article_entities = []
        for proposal in proposals:
            entry = self.reference_entry(proposal, hits)
            if entry is None:
                article_entities.append(proposal.entity())
            else:
                reference.append(entry)
        draft: dict[str, Any] = {
            "article": self.article.id,
            "review": "draft",
            "annotators": [ANNOTATOR],
            "note": "\n".join(self.notes) + "\n",
            # an unnamed group ("analysts say") is a speaker with its evidence, not a mention: the
            # annotators quote anonymous sources as mentions, never unnamed plural groups
            "mentions": mention_items(
                text, windows, [h for h in hits if not (h.source == "group" and self.key_class.get(h.key) == "Group")]
            ),
        }
        if roles:
            draft["roles"] = roles
        if article_entities or self.entities:
            draft["entities"] = article_entities + self.entities
        if statements:
            ordered = sorted(statements, key=lambda s: s[0])
            draft["statements"] = [{"id": f"s{i}", **item} for i, (_, item) in enumerate(ordered, start=1)]
        return Draft(draft, reference)


NOTE = "draft: an event the sentence mentions; check the event and add its date"


def draft_article(article: ArticleSource, knowledge: Knowledge) -> Draft:
    """The draft annotations of ``article`` and its drafted reference entries (each with the
    ``file`` it belongs in); every quote resolves uniquely in the article's windows."""
    return _Drafter(article, knowledge).build()
