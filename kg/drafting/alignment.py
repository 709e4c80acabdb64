"""Which held-out gold individual a proposed new entity names, by criteria independent of the
statements being scored.

A proposal names the gold individual G when

1. its mentions quote G's gold mentions (:func:`kg.drafting.scoring.proposal_map`: the spans
   overlap by at least half of the longer one, so a name inside a longer phrase does not count);
   else
2. one of its spans (mentions, evidence, the quote it was drafted from) overlaps a gold mention or
   the evidence of G by the statement rule, *and* the head noun of its label is the head noun of
   G's label ("Several officials" and "Several US administration officials"; not "Other analysts"
   and "Other analysts' 40,000–50,000-strong force", whose head is "force").

What it is drafted to *say* is never a criterion: aligning a drafted speaker with the gold speaker
of the very statements whose speaker accuracy is scored would count any drafted speaker as right.

Each gold individual is named by one proposal at most (the one with the most quoting mentions,
then the first key); a further proposal naming it is a duplicate, which the junk rate counts as
junk, although its mentions and statements still count as that individual's (the reviewer merges
them).
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from kg.annotations.articles import Article
from kg.drafting.gazetteer import nlp
from kg.drafting.scoring import SpanT, any_overlap, evidence_spans, proposal_map, quote_spans


def head_noun(label: Any) -> str | None:
    """The lemma of the head noun of a label, without its parenthetical remark: the parse's root
    when it is a noun, else the head of the first noun phrase (a label such as "Analysts cited in
    article 001" parses as a clause)."""
    if not isinstance(label, str):
        return None
    text = re.sub(r"\s*\([^)]*\)", "", label).strip()
    if not text:
        return None
    doc = nlp()(text)
    roots = [t for t in doc if t.dep_ == "ROOT" and t.pos_ in ("NOUN", "PROPN", "PRON")]
    chunks = list(doc.noun_chunks)
    head = roots[0] if roots else chunks[0].root if chunks else None
    return head.lemma_.lower() if head is not None else None


def _entity_spans(article: Article, entity: dict[str, Any], mentions: set[tuple[int, int, str]]) -> list[SpanT]:
    spans = [(s, e) for s, e, k in mentions if k == entity.get("key")]
    spans += evidence_spans(article, entity)
    drafted_from = entity.get("drafted_from")
    if isinstance(drafted_from, dict):
        spans += quote_spans(article, drafted_from)
    return sorted(set(spans))


def align_proposals(
    article: Article,
    proposals: list[dict[str, Any]],
    draft_mentions: set[tuple[int, int, str]],
    gold: dict[str, Any],
    gold_mentions: set[tuple[int, int, str]],
    held_out: set[str],
) -> tuple[dict[str, str], set[str]]:
    """(proposed key → the held-out gold key it names, the proposed keys that are duplicates)."""
    proposed = {p["key"] for p in proposals}
    by_mention = {k: g for k, g in proposal_map(draft_mentions, gold_mentions, proposed).items() if g in held_out}
    gold_entities = {
        e["key"]: e for e in gold.get("entities") or [] if isinstance(e, dict) and isinstance(e.get("key"), str)
    }
    gold_spans: dict[str, list[SpanT]] = {}
    for start, end, key in gold_mentions:
        gold_spans.setdefault(key, []).append((start, end))
    for key, entity in gold_entities.items():
        gold_spans.setdefault(key, []).extend(evidence_spans(article, entity))
    mapping = dict(by_mention)
    for proposal in proposals:
        key = proposal["key"]
        if key in mapping:
            continue
        head = head_noun(proposal.get("label"))
        spans = _entity_spans(article, proposal, draft_mentions)
        for gold_key in sorted(gold_spans):
            gold_entity = gold_entities.get(gold_key, {})
            if (
                gold_key in held_out
                and head is not None
                and head == head_noun(gold_entity.get("label"))
                and any_overlap(spans, gold_spans[gold_key])
            ):
                mapping[key] = gold_key
                break
    # one proposal per gold individual: the one whose mentions quote it most often
    quoting = Counter(k for s, e, k in draft_mentions for gs, ge, g in gold_mentions if (s, e) == (gs, ge))
    kept: dict[str, str] = {}
    for key in sorted(mapping, key=lambda k: (-quoting[k], k)):
        kept.setdefault(mapping[key], key)
    duplicates = {k for k, g in mapping.items() if kept[g] != k}
    return mapping, duplicates


__all__ = ["align_proposals", "head_noun"]
