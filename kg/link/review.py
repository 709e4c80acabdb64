"""The review file of ``peacekg link``: candidates per individual, scored and explained, in a fixed
order (individuals by key; candidates by score, then by Q-number), so the same answers always
give the same bytes. Pure, apart from :func:`write_review`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from kg.link.scoring import score
from kg.serialize import write_atomic

if TYPE_CHECKING:
    from kg.link.candidates import Candidate, Entity

STRONG = 0.5  # a candidate at or above this is a serious one; two serious ones make an ambiguity
HEADER = """\
# Candidate Wikidata items from `peacekg link`. NOTHING HERE IS APPLIED.
# For each individual, check the candidates (https://www.wikidata.org/wiki/<id>: who or what it is,
# dates, places). For the right one, edit corpus/reference/<file> of that individual:
#   wikidata: {id: Q..., status: verified, checked: '<what you compared, and where>'}
# then `peacekg annotations validate` and `peacekg build`. A score ranks candidates for review
# (kg/link/scoring.py says how); it proves nothing. status: none | weak | single | ambiguous.
"""


def _order(candidate: Candidate, value: float) -> tuple[float, int]:
    return (-value, int(candidate.qid[1:]))


def _matched(candidate: Candidate) -> list[str]:
    return sorted(f'"{m.text}" is its {m.theirs} ({m.language})' for m in candidate.matches)


def entity_entry(
    entity: Entity, candidates: dict[str, Candidate], classes: dict[str, frozenset[str]], max_candidates: int
) -> dict[str, Any]:
    ancestors = classes.get(entity.type, frozenset({entity.type}))
    scored = []
    for candidate in candidates.values():
        result = score(
            sorted(candidate.matches, key=lambda m: (m.text, m.ours, m.theirs, m.language)),
            candidate.types,
            ancestors,
            classes,
        )
        scored.append((_order(candidate, result.score), candidate, result))
    scored.sort(key=lambda x: x[0])
    strong = sum(1 for _, _, r in scored if r.score >= STRONG)
    status = "none" if not scored else "weak" if strong == 0 else "single" if strong == 1 else "ambiguous"
    entry: dict[str, Any] = {"key": entity.key, "file": entity.file, "type": entity.type, "label": entity.label}
    if entity.aliases:
        entry["aliases"] = list(entity.aliases)
    if entity.unverified_id:
        entry["unverified_id"] = entity.unverified_id
    entry["status"] = status
    shown = []
    for _, candidate, result in scored[:max_candidates]:
        item: dict[str, Any] = {
            "id": candidate.qid,
            "score": result.score,
            "label": candidate.label,
            "description": candidate.description,
            "instance_of": [
                f"{label} ({q})" if label else q
                for q, label in sorted(candidate.types.items(), key=lambda t: int(t[0][1:]))
            ],
            "matched": _matched(candidate),
            "why": result.why,
        }
        if candidate.qid == entity.unverified_id:
            item["note"] = "this is the unverified id already in the reference data"
        shown.append(item)
    entry["candidates"] = shown
    if len(scored) > max_candidates:
        entry["more_candidates"] = len(scored) - max_candidates
    return entry


def review_document(
    endpoint: str,
    languages: tuple[str, ...],
    entities: list[Entity],
    found: dict[str, dict[str, Candidate]],
    classes: dict[str, frozenset[str]],
    max_candidates: int,
) -> dict[str, Any]:
    entries = [
        entity_entry(e, found.get(e.key, {}), classes, max_candidates) for e in sorted(entities, key=lambda e: e.key)
    ]
    counts = {s: sum(1 for e in entries if e["status"] == s) for s in ("single", "ambiguous", "weak", "none")}
    return {
        "endpoint": endpoint,
        "languages": list(languages),
        "individuals": len(entries),
        **counts,
        "entities": entries,
    }


def review_yaml(document: dict[str, Any]) -> str:
    return HEADER + yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=110, default_flow_style=False)


def write_review(path: Path, document: dict[str, Any]) -> bool:
    """Write the review file; returns whether it changed."""
    return write_atomic(path, review_yaml(document))
