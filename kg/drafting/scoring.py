"""Scoring one draft against the hand annotation of the same article (pure: no files, no spaCy).

Both sides are first reduced to spans: every quote resolved to character offsets in the
article's annotatable windows (``occurrence: all`` to every occurrence not inside a longer
mention, as the corpus loader does). Then:

* a **mention** is a (start, end, key) triple; a draft mention counts when the gold file has the
  same triple. Keys of newly proposed individuals are first translated to the gold individual
  they name (:func:`proposal_map`), so that a held-out person found again under a drafted key
  counts;
* a draft **statement matches** a gold statement when one of its evidence spans overlaps one of
  the gold's by at least half of the shorter of the two, and both have the same speaker (``by``,
  or the author of the region the first evidence lies in, as the build reads it);
* a draft **role** matches a gold role with the same holder and overlapping evidence (same rule).

A :class:`Ratio` keeps numerator and denominator so that articles add up (micro-average).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from kg.annotations.articles import Article
from kg.annotations.quotes import QuoteError, resolve, resolve_all

SpanT = tuple[int, int]
STATEMENT_KINDS = ("Claim", "Position", "ReportedFigure", "EventReport", "PrecedentInvocation")


@dataclass
class Ratio:
    hits: int = 0
    total: int = 0

    def add(self, ok: bool) -> None:
        self.hits += int(ok)
        self.total += 1

    def __iadd__(self, other: Ratio) -> Ratio:
        self.hits += other.hits
        self.total += other.total
        return self

    @property
    def value(self) -> float | None:
        return self.hits / self.total if self.total else None

    def as_json(self) -> dict[str, Any]:
        return {"value": None if self.value is None else round(self.value, 4), "hits": self.hits, "of": self.total}


@dataclass
class Scores:
    """The figures of one article (or their sum over articles)."""

    mention_recall: Ratio = field(default_factory=Ratio)
    mention_precision: Ratio = field(default_factory=Ratio)
    statement_recall: dict[str, Ratio] = field(default_factory=lambda: {k: Ratio() for k in ("all", *STATEMENT_KINDS)})
    statement_precision: Ratio = field(default_factory=Ratio)
    speaker_accuracy: Ratio = field(default_factory=Ratio)
    stance_accuracy: Ratio = field(default_factory=Ratio)
    target_accuracy: Ratio = field(default_factory=Ratio)
    value_accuracy: Ratio = field(default_factory=Ratio)
    unit_accuracy: Ratio = field(default_factory=Ratio)
    key_accuracy: Ratio = field(default_factory=Ratio)
    new_entity_junk_rate: Ratio = field(default_factory=Ratio)
    new_entity_class_accuracy: Ratio = field(default_factory=Ratio)
    role_recall: Ratio = field(default_factory=Ratio)

    def __iadd__(self, other: Scores) -> Scores:
        for name, value in vars(other).items():
            mine = getattr(self, name)
            if isinstance(value, dict):
                for kind, ratio in value.items():
                    mine[kind] += ratio
            else:
                mine += value
        return self

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, value in vars(self).items():
            out[name] = {k: r.as_json() for k, r in value.items()} if isinstance(value, dict) else value.as_json()
        return out


# -- spans ------------------------------------------------------------------------------------------


def quote_spans(article: Article, spec: Any) -> list[SpanT]:
    """The spans a quote designates (none when it does not resolve)."""
    if isinstance(spec, str):
        spec = {"quote": spec}
    if not isinstance(spec, dict) or not isinstance(spec.get("quote"), str):
        return []
    try:
        if spec.get("occurrence") == "all":
            return [(s.start, s.end) for s in resolve_all(article.text, spec["quote"], article.windows)]
        occurrence = spec.get("occurrence")
        span = resolve(
            article.text,
            spec["quote"],
            article.windows,
            occurrence=occurrence if isinstance(occurrence, int) else None,
            prefix=spec.get("prefix"),
            suffix=spec.get("suffix"),
        )
        return [(span.start, span.end)]
    except QuoteError:
        return []


def evidence_spans(article: Article, item: dict[str, Any]) -> list[SpanT]:
    evidence = item.get("evidence")
    specs = evidence if isinstance(evidence, list) else [evidence]
    return sorted({s for spec in specs for s in quote_spans(article, spec)})


def mention_triples(article: Article, mentions: list[Any]) -> set[tuple[int, int, str]]:
    """(start, end, key) of every mention; an ``occurrence: all`` mention leaves out occurrences
    inside a longer mention (as the corpus loader does)."""
    spans = [(m, quote_spans(article, m)) for m in mentions if isinstance(m, dict) and isinstance(m.get("ref"), str)]
    every = [(s, m) for m, ss in spans for s in ss]
    out = set()
    for mention, own in spans:
        for start, end in own:
            inside = mention.get("occurrence") == "all" and any(
                o is not mention and s <= start and end <= e and e - s > end - start for (s, e), o in every
            )
            if not inside:
                out.add((start, end, mention["ref"]))
    return out


def overlaps_enough(a: SpanT, b: SpanT) -> bool:
    """Overlap of at least half of the shorter span."""
    common = min(a[1], b[1]) - max(a[0], b[0])
    return common > 0 and 2 * common >= min(a[1] - a[0], b[1] - b[0])


def same_span(a: SpanT, b: SpanT) -> bool:
    """Overlap of at least half of the longer span: the two quote (nearly) the same words, not a
    name inside a longer phrase ("Nazi" inside "the Nazi-Soviet pact")."""
    common = min(a[1], b[1]) - max(a[0], b[0])
    return common > 0 and 2 * common >= max(a[1] - a[0], b[1] - b[0])


def any_overlap(a: list[SpanT], b: list[SpanT]) -> bool:
    return any(overlaps_enough(x, y) for x in a for y in b)


def keys_of(value: Any) -> list[str]:
    return [k for k in (value if isinstance(value, list | tuple | set | frozenset) else [value]) if isinstance(k, str)]


def speaker(article: Article, item: dict[str, Any], spans: list[SpanT]) -> frozenset[str]:
    """``by``, or the author of the region the first evidence span lies in (as the build does)."""
    if "by" in item:
        return frozenset(keys_of(item["by"]))
    region = article.region_at(spans[0][0]) if spans else None
    if region is not None and region.author:
        return frozenset([region.author])
    return frozenset(keys_of(article.meta.get("author")))


# -- proposals --------------------------------------------------------------------------------------


def proposal_map(
    draft_mentions: set[tuple[int, int, str]], gold_mentions: set[tuple[int, int, str]], proposed: set[str]
) -> dict[str, str]:
    """For each proposed key, the gold key whose mentions its mentions most often quote (overlap
    by at least half of the longer of the two spans), if any."""
    votes: dict[str, Counter[str]] = {}
    for start, end, key in sorted(draft_mentions):
        if key in proposed:
            for gs, ge, gkey in sorted(gold_mentions):
                if same_span((start, end), (gs, ge)):
                    votes.setdefault(key, Counter())[gkey] += 1
    # most votes, then the first key in order: the same answer whatever the hash seed
    return {key: min(counts, key=lambda g: (-counts[g], g)) for key, counts in sorted(votes.items())}


def one_to_one(pairs: set[tuple[int, int]]) -> set[tuple[int, int]]:
    """A largest set of (draft, gold) pairs in which no draft and no gold is used twice (Kuhn's
    augmenting paths): one drafted statement found in a sentence that holds two gold statements
    gives the reviewer one of them, not both."""
    options: dict[int, list[int]] = {}
    for draft, gold in sorted(pairs):
        options.setdefault(draft, []).append(gold)
    owner: dict[int, int] = {}

    def augment(draft: int, seen: set[int]) -> bool:
        for gold in options[draft]:
            if gold not in seen:
                seen.add(gold)
                if gold not in owner or augment(owner[gold], seen):
                    owner[gold] = draft
                    return True
        return False

    for draft in sorted(options):
        augment(draft, set())
    return {(draft, gold) for gold, draft in owner.items()}


def translate(keys: Any, mapping: dict[str, str]) -> set[str]:
    return {mapping.get(k, k) for k in keys_of(keys)}
