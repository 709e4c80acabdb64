"""Polarity errors of linking rule 4 (corpus/README.md) seen in the annotation files, for
``peacekg annotations validate``: the same patterns as the SPARQL data checks
``ontology/data-checks/{self-target,stance-toward-war,self-limiting-demand}-violation.rq``.

A pattern whose data check is in ontology/data-checks/ fails the build; validate reports it here
only while its check is not there yet (kept aside until the corpus is corrected), as a warning with
file and line (see :func:`polarity_warnings`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from kg.annotations.corpus import Annotations, Corpus
from kg.annotations.values import Issue
from kg.annotations.vocabulary import VocabularyIndex
from kg.annotations.yaml_source import Path_, dotted

PRO_STANCES = ("supports", "demands", "proposes", "urges")


def _warning(afile: Annotations, path: Path_, check: str, message: str) -> Issue:
    doc = afile.doc
    return Issue(doc.file, doc.line(path) or 1, dotted(path), f"warning (linking rule 4, {check}): {message}")


def _keys(value: Any) -> list[str]:
    return [k for k in (value if isinstance(value, list) else [value]) if isinstance(k, str)]


def _speakers(corpus: Corpus, afile: Annotations, i: int, statement: dict[str, Any]) -> list[str]:
    """``by``, or the author of the region the first evidence span lies in (as the build does)."""
    if "by" in statement:
        return _keys(statement["by"])
    article = corpus.articles.get(afile.article)
    spans = sorted(
        (s for p, ss in afile.spans.items() if p[:3] == ("statements", i, "evidence") for s in ss),
        key=lambda s: (s.start, s.end),
    )
    if article is None or not spans:
        return []
    region = article.region_at(spans[0].start)
    if region is not None and region.author:
        return [region.author]
    return _keys(article.meta.get("author"))


Found = Iterator[Issue]
Rule = Callable[[Corpus, Annotations, int, dict[str, Any], VocabularyIndex], Found]


def self_target(corpus: Corpus, afile: Annotations, i: int, statement: dict[str, Any], _: VocabularyIndex) -> Found:
    kind = statement.get("type")
    if kind not in ("Position", "Claim"):
        return
    parties = _keys(statement.get("holder")) if kind == "Position" else _speakers(corpus, afile, i, statement)
    for j, key in enumerate(_keys(statement.get("target"))):
        if key in parties:
            who = "holder" if kind == "Position" else "speaker"
            yield _warning(
                afile,
                ("statements", i, "target", j),
                "self-target",
                f"the target {key!r} is the statement's own {who}: target what is demanded, opposed or "
                "offered (a proposal, guarantee, provision, or a Proposition entity)",
            )


def stance_toward_war(
    corpus: Corpus, afile: Annotations, i: int, statement: dict[str, Any], vocabulary: VocabularyIndex
) -> Found:
    if statement.get("stance") not in PRO_STANCES:
        return
    for j, key in enumerate(_keys(statement.get("target"))):
        kind = corpus.keys.get(key, ("", ""))[0]
        if vocabulary.is_a(kind, "War"):
            yield _warning(
                afile,
                ("statements", i, "target", j),
                "stance-toward-war",
                f"{statement['stance']} toward the war {key!r}: target what is wanted (an end to the war, a "
                "ceasefire, a settlement), e.g. a Proposition entity",
            )


def self_limiting_demand(
    corpus: Corpus, afile: Annotations, i: int, statement: dict[str, Any], vocabulary: VocabularyIndex
) -> Found:
    if statement.get("type") != "Position" or statement.get("stance") != "demands":
        return
    holders = _keys(statement.get("holder"))
    for n, provision in enumerate(statement.get("provisions") or []):
        if not (
            isinstance(provision, dict) and vocabulary.is_a(str(provision.get("type")), "ArmedForcesLimitProvision")
        ):
            continue
        for j, key in enumerate(_keys(provision.get("limited_party"))):
            if key in holders:
                yield _warning(
                    afile,
                    ("statements", i, "provisions", n, "limited_party", j),
                    "self-limiting-demand",
                    f"{key!r} demands a limit on its own forces: a party refuses, accepts or offers a limit on "
                    "itself (stance refuses/accepts/offers)",
                )


RULES: dict[str, Rule] = {
    "self-target": self_target,
    "stance-toward-war": stance_toward_war,
    "self-limiting-demand": self_limiting_demand,
}


def polarity_warnings(
    corpus: Corpus, vocabulary: VocabularyIndex, skip: set[str] | frozenset[str] = frozenset()
) -> list[Issue]:
    """The polarity patterns of :data:`RULES` not in ``skip`` (the names of the data checks the build runs)."""
    out: list[Issue] = []
    for afile in corpus.annotations.values():
        for i, statement in enumerate(afile.data.get("statements") or []):
            if isinstance(statement, dict):
                for name, rule in RULES.items():
                    if name not in skip:
                        out.extend(rule(corpus, afile, i, statement, vocabulary))
    return out
