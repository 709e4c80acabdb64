"""One draft statement per sentence, for the reviewer to correct or delete: the hand-annotated
seeds carry a statement in about nine sentences of ten, so a sentence-level draft with the right
kind, speaker and stance is most of an annotator's work.

The kind, in order:

* **PrecedentInvocation** when the sentence names an agreement, or an event dated long before the
  article (:data:`PRECEDENT_YEARS`), the precedents being those individuals;
* **EventReport** when the author (no reporting verb) names an event of the article's time;
* **Position** when a verb or adjective of the position lexicon (demand, refuse, reject, offer,
  ready, willing…) has an agent as subject, or the sentence's speaker; stance and position type
  from the lexeme, turned by negation ("not ready" refuses, "will never accept" rejects);
* **Claim** otherwise, its stance from the claim lexicon (warn, predict, deny, doubt, accuse…),
  a future or modal verb making it a prediction, else ``asserts``; its target the first other
  individual named after the stance word, else a drafted ``Proposition`` (the clause).

The lexicons are of English (lemmas), not of the seed articles.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from kg.drafting.attributions import Attribution
from kg.drafting.gazetteer import Hit
from kg.drafting.lexicon import (
    AGREEMENT_NOUNS,
    CLAIM,
    CRITICISM,
    DOUBT,
    EVENT_NOUNS,
    EVENT_VERBS,
    FUTURE,
    NEGATED,
    POSITION,
    PRECEDENT_CUES,
    PRECEDENT_PHRASES,
    RECENT,
)

PRECEDENT_YEARS = 10  # an event this much older than the article is invoked, not reported


@dataclass
class SentenceDraft:
    kind: str
    fields: dict[str, Any] = field(default_factory=dict)
    proposition: tuple[int, int] | None = None  # the clause a drafted Proposition stands for
    new_event: tuple[int, int] | None = None  # the clause a drafted Event stands for


def _negated(token: Any) -> bool:
    own = any(c.dep_ == "neg" or c.lower_ == "never" for c in token.children)
    head = token.head if token.dep_ in ("xcomp", "acomp") else None
    return own or bool(head is not None and any(c.dep_ == "neg" or c.lower_ == "never" for c in head.children))


def _span_hit(token: Any, hits: list[Hit], agents: set[str]) -> str | None:
    lo = min(t.idx for t in token.subtree)
    hi = max(t.idx + len(t.text) for t in token.subtree)
    inside = [h for h in hits if h.key in agents and lo <= h.start and h.end <= hi]
    return inside[0].key if inside else None


def _subject_hit(token: Any, hits: list[Hit], agents: set[str], pronoun: Any = None) -> str | None:
    """The agent holding the position ``token`` names: the subject of its clause (a pronoun
    subject of a reported clause is the reporter: "Moscow said it would never accept…"), or for a
    noun its possessor ("Russia's demands", "Kyiv demands" parsed as a noun phrase)."""
    if token.pos_ == "NOUN":
        for child in token.children:
            if child.dep_ in ("poss", "amod", "compound") and child.i < token.i:
                key = _span_hit(child, hits, agents)
                if key:
                    return key
            if child.dep_ == "poss" and child.lower_ in ("his", "her", "their") and pronoun is not None:
                key = pronoun(child)  # "their goal is …": whose goal, by gender and number
                if key:
                    return str(key)
    node = token
    for _ in range(4):
        subjects = [c for c in node.children if c.dep_ in ("nsubj", "nsubjpass")]
        if subjects and subjects[0].pos_ != "PRON":
            return _span_hit(subjects[0], hits, agents)
        if subjects and pronoun is not None and subjects[0].lower_ in ("he", "she", "they"):
            return pronoun(subjects[0])
        if node.dep_ in ("xcomp", "acomp", "conj", "ccomp", "advcl") and node.head is not node:
            node = node.head
        else:
            break
    return None


def _position(
    span: Any, hits: list[Hit], agents: set[str], speaker: str | None, pronoun: Any = None
) -> SentenceDraft | None:
    for token in span:
        lemma = token.lemma_.lower()
        if lemma not in POSITION or token.pos_ not in ("VERB", "ADJ", "NOUN", "ADV", "AUX"):
            continue
        own_subject = token.pos_ == "VERB" and any(
            c.dep_ == "nsubj" and _span_hit(c, hits, agents) for c in token.children
        )
        if not (_main_clause(token) or own_subject):  # "the guarantees offered by Russia": no position
            continue
        if lemma == "call" and not any(c.lower_ == "for" for c in token.children):
            continue
        if lemma == "rule" and not any(c.lower_ == "out" for c in token.children):
            continue
        if lemma == "like" and not any(c.lower_ in ("would", "'d") for c in token.children):
            continue  # "would like" is a wish; "like" alone a comparison or a taste
        if lemma == "never" and token.head.pos_ != "VERB":
            continue
        holder = _subject_hit(token, hits, agents, pronoun) or speaker
        if holder is None:
            continue
        stance, position_type = POSITION[lemma]
        if lemma != "never" and _negated(token):
            stance = NEGATED.get(stance, stance)
            if lemma in ("accept", "allow", "agree"):  # "will not accept / allow": a red line
                stance, position_type = "rejects", "red-line"
        fields = {"holder": [holder], "stance": stance, "position_type": position_type}
        lo, hi = _object_span(token, span)
        named = [h for h in hits if lo <= h.start and h.end <= hi and h.key != holder]
        if named:  # a position is about a target (validation requires one, or provisions)
            return SentenceDraft("Position", {**fields, "target": [named[0].key]})
        return SentenceDraft("Position", fields, proposition=(lo, hi))
    return None


MAIN = ("ROOT", "xcomp", "ccomp", "conj", "acomp", "attr", "advcl")


def _main_clause(token: Any) -> bool:
    """Whether a word belongs to the sentence's main clause or the clause it reports (not to a
    relative or adverbial clause): the word and each head up to the root are main-clause links."""
    if token.dep_ not in MAIN + ("dobj", "nsubj", "nsubjpass", "neg", "advmod", "aux"):
        return False
    node = token
    while node.dep_ != "ROOT" and node.head is not node:
        node = node.head
        if node.dep_ not in MAIN:
            return False
    return True


OBJECTS = ("ccomp", "xcomp", "dobj", "prep", "acomp", "attr", "pobj", "advcl", "oprd")


def _object_span(token: Any, span: Any) -> tuple[int, int]:
    """What a stance word is about: the words of its complements (the clause or object after
    it), without the closing quotation and attribution; else the rest of the sentence."""
    if token.dep_ == "aux":  # "talks would resume": the whole clause the modal belongs to
        parts = list(token.head.subtree)
    else:
        parts = [t for c in token.children if c.dep_ in OBJECTS and c.i > token.i for t in c.subtree]
    if not parts:
        parts = [t for t in span if t.i > token.i]
    parts = [t for t in sorted(parts, key=lambda t: t.i) if span.start <= t.i < span.end]
    while parts and (parts[0].is_punct or parts[0].is_quote or parts[0].dep_ == "mark"):
        parts.pop(0)  # "that talks would resume": the clause without its "that"
    while parts and (parts[-1].is_punct or parts[-1].is_quote):
        parts.pop()
    if not parts:
        return span.start_char, span.end_char
    return parts[0].idx, parts[-1].idx + len(parts[-1].text)


def _claim(span: Any, hits: list[Hit], speaker: str | None) -> SentenceDraft:
    stance, at = "asserts", span.start_char
    for token in span:
        lemma = token.lemma_.lower()
        if lemma in CLAIM and token.pos_ in ("VERB", "ADJ", "NOUN"):
            stance, at = CLAIM[lemma], token.idx
            if _negated(token) and stance in ("trusts", "distrusts"):
                stance = "distrusts" if stance == "trusts" else "trusts"
            break
    else:
        stance, at = _evaluation(span, at)
    others = [h for h in hits if h.key != speaker and span.start_char <= h.start < span.end_char]
    after = [h for h in others if h.start >= at]
    target = (after or [])[:1]
    if stance in PERSONAL:  # criticism and trust are of someone: the subject, else who is named first
        subject = [h for h in others if _is_subject(span, h)]
        target = (subject or others)[:1]
    if target:
        return SentenceDraft("Claim", {"stance": stance, "target": [target[0].key]})
    anchor = next((t for t in span if t.idx == at), None)
    clause = _object_span(anchor, span) if anchor is not None and at > span.start_char else None
    return SentenceDraft("Claim", {"stance": stance}, proposition=clause or (span.start_char, span.end_char))


PERSONAL = ("criticises", "distrusts", "trusts")


def _is_subject(span: Any, hit: Hit) -> bool:
    part = span.doc.char_span(hit.start, hit.end, alignment_mode="expand")
    return part is not None and part.root.dep_ in ("nsubj", "nsubjpass", "poss")


def _evaluation(span: Any, at: int) -> tuple[str, int]:
    """The stance of a claim without a stance verb: doubt and criticism words, then a future or
    modal verb (a prediction), else an assertion. (A negated main verb as a denial was measured:
    no better on the seeds, so not adopted.)"""
    for token in span:  # "way too favourable", "too weak": an excess is a criticism
        if token.lower_ == "too" and token.dep_ == "advmod" and token.head.pos_ == "ADJ":
            return "criticises", token.idx
    for lexicon, stance in ((DOUBT, "doubts"), (CRITICISM, "criticises")):
        for token in span:
            if token.lemma_.lower() in lexicon or token.lower_ in lexicon:
                return stance, token.idx
    future = [t for t in span if t.lower_ in FUTURE and t.dep_ == "aux" and _main_clause(t.head)]
    if future:
        return "predicts", future[0].idx
    return "asserts", at


def draft_sentence(
    span: Any,
    attribution: Attribution | None,
    hits: list[Hit],
    agents: set[str],
    key_class: dict[str, str],
    key_year: dict[str, int],
    families: Any,
    article_year: int | None,
    pronoun: Any = None,
) -> SentenceDraft:
    """The statement a sentence most likely carries (see the module's docstring); ``pronoun``
    resolves a pronoun subject (a token) to a key, or None."""
    speaker = attribution.speaker if attribution else None
    inside = [h for h in hits if span.start_char <= h.start and h.end <= span.end_char]
    precedents: list[str] = []
    events: list[str] = []
    for hit in inside:
        fams = families(key_class.get(hit.key, ""))
        year = key_year.get(hit.key)
        old = article_year is not None and year is not None and article_year - year >= PRECEDENT_YEARS
        agreement = "Agreement" in fams or key_class.get(hit.key) == "Document"  # a treaty spaCy found (LAW)
        if agreement and (old or year is None or article_year is None or article_year - year >= 2):
            precedents.append(hit.key)
        elif "Event" in fams:
            (precedents if old else events).append(hit.key)
    if precedents:
        keys = list(dict.fromkeys(precedents))
        return SentenceDraft("PrecedentInvocation", {"precedent": keys})
    if _invokes_history(span, article_year):  # "there is much historical precedent", "as he did before"
        return SentenceDraft("PrecedentInvocation", new_event=(span.start_char, span.end_char))
    if events and speaker is None:
        return SentenceDraft("EventReport", {"event": events[0]})
    position = _position(span, inside, agents, speaker, pronoun)
    if position is None and speaker is None and narrates_event(span):
        return SentenceDraft("EventReport", new_event=(span.start_char, span.end_char))
    return position or _claim(span, inside, speaker)


def event_phrases(span: Any, hits: list[Hit], event_keys: set[str]) -> list[tuple[int, int, str | None]]:
    """(start, end, key of a known event or None) of the noun phrases of a sentence that report
    an event: an event noun whose phrase holds a date, a year or a named event."""
    out: list[tuple[int, int, str | None]] = []
    for hit in hits:  # a named event: its phrase
        part = span.doc.char_span(hit.start, hit.end, alignment_mode="expand")
        if hit.key in event_keys and part is not None and span.start_char <= hit.start < span.end_char:
            words = sorted(part.root.subtree, key=lambda t: t.i)
            lo, hi = words[0].idx, words[-1].idx + len(words[-1].text)
            lo, hi = (lo, hi) if hi - lo <= 160 else (hit.start, hit.end)
            if not any(s < hi and lo < e for s, e, _ in out):
                out.append((lo, hi, hit.key))
    for token in span:
        if token.pos_ != "NOUN" or token.lemma_.lower() not in EVENT_NOUNS:
            continue
        words = sorted(token.subtree, key=lambda t: t.i)
        lo, hi = words[0].idx, words[-1].idx + len(words[-1].text)
        if any(s < hi and lo < e for s, e, _ in out) or hi - lo > 160:
            continue
        named = [h.key for h in hits if lo <= h.start and h.end <= hi and h.key in event_keys]
        dated = any(_is_date(t) for t in words)
        after = span.doc[words[-1].i + 1 : words[-1].i + 3]
        if not dated and len(after) == 2 and after[0].lower_ in ("in", "on", "since") and _is_date(after[1]):
            # "the invasion in 2014" with the date parsed onto the verb or another noun
            dated, hi = True, after[1].idx + len(after[1].text)
        if named or dated:
            out.append((lo, hi, named[0] if named else None))
    return out


def _is_date(token: Any) -> bool:
    return token.ent_type_ == "DATE" or re.fullmatch(r"(?:1[89]|20)\d\d", token.text) is not None


def _invokes_history(span: Any, article_year: int | None = None) -> bool:
    """A word that calls on the past as a lesson ("precedent", "historical", "as … did before")."""
    lowered = span.text.lower()
    if any(t.lemma_.lower() in PRECEDENT_CUES for t in span) or any(p in lowered for p in PRECEDENT_PHRASES):
        return True
    # a past agreement in a sentence in the past tense ("agreed a peace", "Despite his own treaty…")
    past = any(t.tag_ == "VBD" for t in span)
    # not when the sentence is dated in the article's own time: then it reports the news
    recent = any(
        t.lower_ in RECENT or (article_year and t.text in (str(article_year), str(article_year - 1))) for t in span
    )
    return past and not recent and any(t.lemma_.lower() in AGREEMENT_NOUNS or _peace_made(t) for t in span)


def _peace_made(token: Any) -> bool:
    """'peace' as what a past verb made ("he soon agreed a peace", "signing away … to gain a peace")."""
    return token.lower_ == "peace" and token.dep_ == "dobj" and token.head.tag_ in ("VBD", "VBG")


def narrates_event(span: Any) -> bool:
    """A main verb in the past tense (or a past participle with an auxiliary of the past) whose
    lemma is an event verb, without modality or negation."""
    root = span.root
    if root.lemma_.lower() not in EVENT_VERBS or root.tag_ not in ("VBD", "VBN"):
        return False
    return not any(c.dep_ == "neg" or c.lower_ in FUTURE for c in root.children)
