"""``peacekg annotate evaluate``: leave-one-out evaluation of the drafter against the hand-annotated
articles, in memory (nothing is written to the corpus).

For each article whose annotation file is reviewed (the gold; draft files and draft items are
not gold): the individuals only that article uses are taken
out of what the drafter knows — those its annotation file defines, reference individuals used by
no other article (in its annotation file or its metadata), and aliases that only its own gold
mentions use — then the article is drafted and the draft scored against its gold file
(:mod:`kg.drafting.scoring`). Per-article figures and their micro-average (sums of hits and
totals over the articles) are returned as an :class:`Evaluation`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.annotations.articles import Article
from kg.annotations.corpus import Annotations, Corpus, load_corpus
from kg.annotations.review import file_default, is_draft
from kg.annotations.vocabulary import VocabularyIndex
from kg.drafting.alignment import align_proposals
from kg.drafting.draft import ArticleSource, Draft, Knowledge, draft_article
from kg.drafting.scoring import (
    STATEMENT_KINDS,
    Scores,
    any_overlap,
    evidence_spans,
    keys_of,
    mention_triples,
    one_to_one,
    speaker,
    translate,
)
from kg.errors import PeaceKGError
from kg.ontology.load import load_ontology
from kg.settings import Settings

# The targets of issue #13 (the figure, the comparison, the threshold).
TARGETS: dict[str, tuple[str, float]] = {
    "mention_recall": (">=", 0.75),
    "mention_precision": (">=", 0.85),
    "statement_recall.all": (">=", 0.50),
    "statement_recall.Claim": (">=", 0.40),
    "statement_recall.Position": (">=", 0.40),
    "statement_recall.ReportedFigure": (">=", 0.80),
    "statement_recall.EventReport": (">=", 0.40),
    "statement_recall.PrecedentInvocation": (">=", 0.60),
    "statement_precision": (">=", 0.80),
    "speaker_accuracy": (">=", 0.90),
    "stance_accuracy": (">=", 0.60),
    "value_accuracy": (">=", 0.95),
    "new_entity_junk_rate": ("<=", 0.10),
    "new_entity_class_accuracy": (">=", 0.80),
    "role_recall": (">=", 0.60),
}


# Entities drafted to complete a statement (what a claim is about, the event a sentence reports):
# placeholders for the reviewer, not proposed people, organisations or places.
STATEMENT_SUPPORT = ("Proposition", "Event")


@dataclass
class Evaluation:
    articles: dict[str, Scores]
    micro: Scores

    def as_json(self) -> dict[str, Any]:
        return {
            "method": "leave-one-out over the hand-annotated articles",
            "micro": self.micro.as_json(),
            "articles": {a: s.as_json() for a, s in self.articles.items()},
            "targets": {name: {"op": op, "value": v} for name, (op, v) in TARGETS.items()},
        }


def figure(scores: dict[str, Any], name: str) -> float | None:
    """A figure of ``Scores.as_json()`` by dotted name (``statement_recall.Claim``)."""
    value: Any = scores
    for part in name.split("."):
        value = value[part]
    return value["value"]


# -- what each article uses -------------------------------------------------------------------------


def _strings(value: Any) -> set[str]:
    if isinstance(value, str):
        return {value.split("#")[0]} if "#" in value else {value}
    if isinstance(value, dict):
        return {s for v in value.values() for s in _strings(v)}
    if isinstance(value, list):
        return {s for v in value for s in _strings(v)}
    return set()


def defined_in(annotations: Annotations) -> set[str]:
    """The keys an annotation file defines (its entities and their keyed commitments)."""
    keys = set()
    for entity in annotations.data.get("entities") or []:
        if isinstance(entity, dict):
            keys.add(entity.get("key"))
            keys.update(c.get("key") for c in entity.get("commitments") or [] if isinstance(c, dict))
    return {k for k in keys if isinstance(k, str)}


def used_by(corpus: Corpus, article_id: str) -> set[str]:
    """Every key the article's annotation file or metadata names."""
    names = _strings(corpus.annotations[article_id].data)
    article = corpus.articles.get(article_id)
    if article is not None:
        names |= _strings(article.meta.get("author")) | _strings(article.meta.get("outlet"))
        names |= {r.author for r in article.regions if r.author}
    return names & set(corpus.keys)


def mention_names(annotations: Annotations) -> set[tuple[str, str]]:
    """(quote, key) of every gold mention, with a leading 'the ' taken off too."""
    out = set()
    for mention in annotations.data.get("mentions") or []:
        if isinstance(mention, dict) and isinstance(mention.get("quote"), str) and isinstance(mention.get("ref"), str):
            quote = mention["quote"]
            out.add((quote, mention["ref"]))
            for prefix in ("the ", "The "):
                if quote.startswith(prefix):
                    out.add((quote[len(prefix) :], mention["ref"]))
    return out


def reviewed_articles(corpus: Corpus) -> list[str]:
    """The articles whose annotation file is reviewed (the gold); drafts are not gold."""
    return [a for a in sorted(corpus.annotations) if file_default(corpus.annotations[a].data) == "reviewed"]


def held_out_knowledge(corpus: Corpus, vocabulary: VocabularyIndex, article_id: str) -> tuple[Knowledge, set[str]]:
    """What the drafter may know when ``article_id`` is drafted, and the keys held out."""
    others = [a for a in reviewed_articles(corpus) if a != article_id]
    used_elsewhere = set().union(*(used_by(corpus, a) for a in others)) if others else set()
    own_entities = defined_in(corpus.annotations[article_id])
    reference_keys = {item.get("key") for _, _, item in corpus.reference}
    held_out = own_entities | {k for k in reference_keys if isinstance(k, str) and k not in used_elsewhere}
    names_elsewhere = set().union(*(mention_names(corpus.annotations[a]) for a in others)) if others else set()
    names_here = mention_names(corpus.annotations[article_id])
    individuals = []
    entities_elsewhere = [
        e for a in others for e in corpus.annotations[a].data.get("entities") or [] if isinstance(e, dict)
    ]
    for item in [i for _, _, i in corpus.reference] + entities_elsewhere:
        if item.get("key") in held_out:
            continue
        aliases = item.get("aliases")
        if aliases:
            aliases = aliases if isinstance(aliases, list) else [aliases]
            kept = [a for a in aliases if (a, item["key"]) not in names_here or (a, item["key"]) in names_elsewhere]
            item = {**item, "aliases": kept}
        individuals.append(item)
    key_class = {k: v[0] for k, v in corpus.keys.items() if k not in held_out}
    return Knowledge(individuals, key_class, vocabulary), held_out


# -- scoring one article ----------------------------------------------------------------------------


def _gold_statements(article: Article, gold: Annotations) -> list[tuple[dict[str, Any], list, frozenset[str]]]:
    out = []
    default = file_default(gold.data)
    for i, item in enumerate(gold.data.get("statements") or []):
        if is_draft(item, default):
            continue  # only reviewed statements are gold
        spans = sorted(
            {(s.start, s.end) for p, ss in gold.spans.items() if p[:3] == ("statements", i, "evidence") for s in ss}
        )
        out.append((item, spans, speaker(article, item, spans)))
    return out


def score_article(article: Article, gold: Annotations, draft: Draft, corpus: Corpus, held_out: set[str]) -> Scores:
    scores = Scores()
    data = draft.annotations
    proposals = [
        e for e in draft.reference_entries + (data.get("entities") or []) if e["type"] not in STATEMENT_SUPPORT
    ]
    proposed_class = {e["key"]: e["type"] for e in proposals}
    default = file_default(gold.data)
    gold_mentions = mention_triples(article, [m for m in gold.data.get("mentions") or [] if not is_draft(m, default)])
    draft_mentions = mention_triples(article, data.get("mentions") or [])
    # which held-out individual a proposal names: by its name and evidence, never by what it is
    # drafted to say (kg.drafting.alignment)
    mapping, duplicates = align_proposals(article, proposals, draft_mentions, gold.data, gold_mentions, held_out)
    mapped = {(s, e, mapping.get(k, k)) for s, e, k in draft_mentions}
    for triple in gold_mentions:
        scores.mention_recall.add(triple in mapped)
    for triple in mapped:
        scores.mention_precision.add(triple in gold_mentions)
    for key, klass in proposed_class.items():
        gold_key = None if key in duplicates else mapping.get(key)
        scores.new_entity_junk_rate.add(gold_key is None)
        if gold_key is not None:
            scores.new_entity_class_accuracy.add(corpus.keys.get(gold_key, ("",))[0] == klass)

    golds = _gold_statements(article, gold)
    drafts = []
    for item in data.get("statements") or []:
        spans = evidence_spans(article, item)
        drafts.append((item, spans, frozenset(translate(speaker(article, item, spans), mapping))))
    pairs: set[tuple[int, int]] = set()
    for i, (item, spans, who) in enumerate(drafts):
        overlapping = [(j, g) for j, g in enumerate(golds) if any_overlap(spans, g[1])]
        if overlapping:
            scores.speaker_accuracy.add(any(g[2] == who for _, g in overlapping))
        matches = [(j, g) for j, g in overlapping if g[2] == who]
        scores.statement_precision.add(bool(matches))
        same_kind = [(j, g[0]) for j, g in matches if g[0].get("type") == item.get("type")]
        pairs.update((i, j) for j, _ in same_kind)
        if same_kind:
            _score_fields(scores, item, [g for _, g in same_kind], mapping)
    # recall: each draft is credited with one gold statement at most
    matched_gold = {j for _, j in one_to_one(pairs)}
    for j, (item, _, _) in enumerate(golds):
        kind = item.get("type")
        scores.statement_recall["all"].add(j in matched_gold)
        if kind in scores.statement_recall:
            scores.statement_recall[kind].add(j in matched_gold)

    draft_roles = [(translate(r.get("holder"), mapping), evidence_spans(article, r)) for r in data.get("roles") or []]
    gold_roles = [r for r in gold.data.get("roles") or [] if not is_draft(r, default)]
    role_pairs = set()
    for j, role in enumerate(gold_roles):
        holder, spans = set(keys_of(role.get("holder"))), evidence_spans(article, role)
        role_pairs |= {(i, j) for i, (h, s) in enumerate(draft_roles) if h == holder and any_overlap(s, spans)}
    found = {j for _, j in one_to_one(role_pairs)}
    for j in range(len(gold_roles)):
        scores.role_recall.add(j in found)
    return scores


def _score_fields(scores: Scores, item: dict[str, Any], golds: list[dict[str, Any]], mapping: dict[str, str]) -> None:
    """Field accuracy of a draft statement against the gold statements of its kind it matches
    (right when any of them agrees)."""
    kind = item.get("type")
    if kind in ("Claim", "Position"):
        scores.stance_accuracy.add(any(g.get("stance") == item.get("stance") for g in golds))
        mine = translate(item.get("target"), mapping)
        scores.target_accuracy.add(any(mine & set(keys_of(g.get("target"))) for g in golds))
    elif kind == "ReportedFigure":
        quantity = item.get("quantity") or {}
        numbers = {k: quantity.get(k) for k in ("value", "min", "max")}
        scores.value_accuracy.add(
            any({k: (g.get("quantity") or {}).get(k) for k in ("value", "min", "max")} == numbers for g in golds)
        )
        scores.unit_accuracy.add(any((g.get("quantity") or {}).get("unit") == quantity.get("unit") for g in golds))
    elif kind in ("EventReport", "PrecedentInvocation"):
        field = "event" if kind == "EventReport" else "precedent"
        mine = translate(item.get(field), mapping)
        scores.key_accuracy.add(any(mine & set(keys_of(g.get(field))) for g in golds))


# -- the whole evaluation ---------------------------------------------------------------------------


def evaluate_drafter(settings: Settings) -> Evaluation:
    """Draft every annotated article with what the others teach, and score it (in memory)."""
    vocabulary = VocabularyIndex.from_graph(load_ontology(Path(settings.ontology_dir)))
    corpus = load_corpus(Path(settings.corpus_dir), vocabulary)
    corpus.raise_for_issues()
    if not reviewed_articles(corpus):
        raise PeaceKGError("no reviewed annotation file to evaluate against", file=str(settings.corpus_dir))
    per_article: dict[str, Scores] = {}
    micro = Scores()
    for article_id in reviewed_articles(corpus):
        article = corpus.articles[article_id]
        knowledge, held_out = held_out_knowledge(corpus, vocabulary, article_id)
        source = ArticleSource(article_id, article.text, article.windows, article.meta)
        draft = draft_article(source, knowledge)
        scores = score_article(article, corpus.annotations[article_id], draft, corpus, held_out)
        per_article[article_id] = scores
        micro += scores
    return Evaluation(per_article, micro)


__all__ = ["STATEMENT_KINDS", "TARGETS", "Evaluation", "evaluate_drafter", "figure"]
