"""Roles stated next to a person's name, drafted as RoleAssignments (``roles`` of the draft):

* an **apposition**: "Ryhor Nijnikau, a Russia expert at the Finnish Institute of International
  Affairs" (spaCy's ``appos`` dependency);
* a **relative clause** of service: "Peter Schroeder, who served … as principal deputy …";
* a **title before the name**: "U.S. President Donald Trump", "Chancellor Olaf Scholz" (the
  compound and adjective modifiers of the name that precede it, one of them a title word).

The role type comes from the head noun of the role (:data:`ROLE_TYPES`, a lexicon of English
titles); the status is ``former`` when the role says so ("former", "ex-", "retired", "served …
until"), else ``current``; ``in`` lists the states and organisations named in the role.
"""

from __future__ import annotations

from typing import Any

from kg.drafting.gazetteer import Hit

ROLE_TYPES = {
    "president": "head-of-state",
    "king": "head-of-state",
    "leader": "head-of-state",
    "chancellor": "head-of-government",
    "premier": "head-of-government",
    "prime": "head-of-government",
    "minister": "minister",
    "secretary": "minister",
    "ambassador": "ambassador",
    "envoy": "envoy",
    "emissary": "envoy",
    "diplomat": "diplomat",
    "counselor": "diplomat",
    "analyst": "expert",
    "expert": "expert",
    "fellow": "expert",
    "researcher": "expert",
    "specialist": "expert",
    "professor": "academic",
    "scholar": "academic",
    "lecturer": "academic",
    "general": "military-officer",
    "colonel": "military-officer",
    "officer": "military-officer",
    "commander": "military-officer",
    "admiral": "military-officer",
    "gen.": "military-officer",
    "soldier": "soldier",
    "veteran": "soldier",
    "journalist": "journalist",
    "correspondent": "journalist",
    "editor": "journalist",
    "reporter": "journalist",
    "founder": "founder",
    "director": "official",
    "head": "official",
    "chief": "official",
    "official": "official",
    "spokesperson": "official",
    "spokesman": "official",
    "spokeswoman": "official",
    "adviser": "official",
    "advisor": "official",
    "banker": "central-banker",
    "governor": "official",
    "vice": "vice-president",
}
FORMER = ("former", "ex-", "retired", "until", "once", "then-", "previously")


def _role_type(words: list[Any]) -> str | None:
    """From the head noun backwards: the first title word in the lexicon."""
    for token in sorted(words, key=lambda t: (t.dep_ not in ("ROOT", "appos", "pobj", "attr"), -t.i)):
        kind = ROLE_TYPES.get(token.lower_)
        if kind:
            if kind == "head-of-state" and any(t.lower_ == "vice" for t in words):
                return "vice-president"
            return kind
    return None


def _in(lo: int, hi: int, hits: list[Hit], organisations: set[str]) -> list[str]:
    return list(dict.fromkeys(h.key for h in hits if lo <= h.start and h.end <= hi and h.key in organisations))


def find_roles(
    doc: Any, text: str, hits: list[Hit], persons: set[str], organisations: set[str]
) -> list[tuple[int, int, dict[str, Any]]]:
    """(evidence start, evidence end, role fields without evidence) of each role found."""
    out = []
    for hit in hits:
        if hit.key not in persons:
            continue
        span = doc.char_span(hit.start, hit.end, alignment_mode="expand")
        if span is None:
            continue
        head = span.root
        for child in head.children:
            if child.dep_ == "appos" and child.i > head.i:
                words = sorted(child.subtree, key=lambda t: t.i)
                role = _role(text, hit, words, words[0].idx, words[-1].idx + len(words[-1].text), hits, organisations)
                if role:
                    out.append(role)
            elif child.dep_ == "relcl" and child.lemma_ in ("serve", "work") and child.i > head.i:
                words = sorted(child.subtree, key=lambda t: t.i)
                role = _role(text, hit, words, words[0].idx, words[-1].idx + len(words[-1].text), hits, organisations)
                if role:
                    role[2]["status"] = "former" if child.tag_ == "VBD" else role[2]["status"]
                    out.append(role)
        if head.dep_ == "appos" and head.head.i < head.i and head.head.pos_ == "NOUN":
            # "the country's former president, Dmitry Medvedev": the name is the title's apposition
            words = sorted((t for t in head.head.subtree if t.i < span.start), key=lambda t: t.i)
            while words and words[-1].is_punct:
                words.pop()
            if words:
                role = _role(text, hit, words, words[0].idx, hit.start, hits, organisations, before=True)
                if role:
                    out.append(role)
        titles = [t for t in head.lefts if t.dep_ in ("compound", "amod", "nmod") and t.idx < hit.start]
        if titles:
            words = sorted({w for t in titles for w in t.subtree if w.idx < hit.start}, key=lambda t: t.i)
            lo = words[0].idx
            role = _role(text, hit, words, lo, hit.start, hits, organisations, before=True)
            if role:
                out.append(role)
    return out


def _role(
    text: str,
    hit: Hit,
    words: list[Any],
    lo: int,
    hi: int,
    hits: list[Hit],
    organisations: set[str],
    before: bool = False,
) -> tuple[int, int, dict[str, Any]] | None:
    kind = _role_type(words)
    if kind is None:
        return None
    label = text[lo:hi].strip(" ,")
    for article in ("a ", "an ", "the ", "who served as ", "who served "):
        if label.lower().startswith(article):
            label = label[len(article) :]
    if not label:
        return None
    status = "former" if any(word in label.lower() for word in FORMER) else "current"
    fields: dict[str, Any] = {"holder": hit.key, "label": label, "role_type": kind}
    places = _in(lo, hi, hits, organisations)
    if places:
        fields["in"] = places
    fields["status"] = status
    start, end = (lo, hit.end) if before else (hit.start, hi)
    return start, end, fields
