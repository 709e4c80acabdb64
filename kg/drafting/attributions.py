"""Who speaks, for the draft: :func:`find_attributions` reads spaCy's dependency parse.

* a **reporting verb** (a broad lexicon: say, tell, warn, note, argue, insist, write, claim…;
  a verb only, by its lemma) whose subject names an agent: "X said", "said X" (spaCy parses the
  inverted form with X as subject too), "X, the US envoy, warned" (the apposition is skipped);
* **"according to X"**: the object of the preposition;
* a **pronoun subject** ("he said", "she told", "they argued") is resolved by gender and number
  (:func:`resolve_pronoun`): he/she go to the last speaker if compatible, else to the nearest
  person of that gender named outside quotation marks; they/it to the last agent that is not a
  person;
* a sentence that lies inside a **quotation still open** from an earlier sentence (quotes that
  run over sentences and paragraphs) keeps the speaker of the sentence the quotation began in.

Written by hand because no installable component does this for spaCy 3.8: coreferee installs,
but its English model is not on the package registry (it is downloaded from its authors' site).
Agents are the gazetteer's hits (:mod:`kg.drafting.gazetteer`); offsets are character offsets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from kg.drafting.carryover import carry_over
from kg.drafting.gazetteer import Hit
from kg.drafting.lexicon import CONTENT_VERBS, FUTURE, REPORTING, SPEAKING_NOUNS, SPEECH, WORKS
from kg.drafting.speech import CLOSING, OPENING, Attribution, open_quote_at

PRONOUNS = {"he": "male", "she": "female", "they": "plural"}  # "it" is mostly expletive ("it is hard")
POSSESSIVES = {"his": "male", "her": "female", "their": "plural"}  # "their goal": a holder, not a speaker
LOOKBACK = 1500  # characters within which a person of known gender is preferred for he/she


def genders(
    text: str, hits: list[Hit], persons: set[str], labels: dict[str, str], sentences: list[tuple[int, int]]
) -> dict[str, str]:
    """A guess of each person's grammatical gender: the first he/his/him or she/her after a
    mention in its sentence, with no other person named in between; then an
    honorific (Mr/Ms/Mrs); then the first name: ending in -a (common in Slavic, Baltic, Romance and
    Germanic female names) female, ending in a consonant male. Persons left out are unknown
    (compatible with both)."""
    votes: dict[str, int] = {}
    ends = [e for _, e in sentences]
    for hit in hits:
        if hit.key not in persons:
            continue
        stop = min((e for e in ends if e > hit.end), default=len(text))
        pronoun = re.search(r"\b(he|his|him|she|her|hers)\b", text[hit.end : stop], re.IGNORECASE)
        if pronoun:
            at = hit.end + pronoun.start()
            between = [h for h in hits if hit.end <= h.start < at and h.key in persons and h.key != hit.key]
            if not between:
                male = pronoun.group(1).lower() in ("he", "his", "him")
                votes[hit.key] = votes.get(hit.key, 0) + (1 if male else -1)
        before = text[max(0, hit.start - 5) : hit.start]
        if re.search(r"\bMr\.?\s$", before):
            votes[hit.key] = votes.get(hit.key, 0) + 5
        elif re.search(r"\bM(?:r)?s\.?\s$", before):
            votes[hit.key] = votes.get(hit.key, 0) - 5
    out = {}
    for key in sorted(persons):
        vote = votes.get(key, 0)
        first = labels.get(key, "").split(" ")[0]
        if vote == 0 and len(labels.get(key, "").split()) >= 2 and len(first) > 2:
            if first.endswith("a") and len(first) > 3:
                vote = -1
            elif first[-1].lower() not in "aeiouy":  # Donald, Ivan, Olaf: mostly male; weak
                vote = 1
        if vote:
            out[key] = "male" if vote > 0 else "female"
    return out


def _inside_quotes(text: str, start: int, lo: int) -> bool:
    return open_quote_at(text, start, lo)


def _hit_for(token: Any, hits: list[Hit], agents: set[str]) -> Hit | None:
    """The agent hit naming ``token``'s noun phrase head (with its compounds and flat names)."""
    pieces = [token] + [c for c in token.children if c.dep_ in ("compound", "flat", "amod", "det", "poss")]
    lo = min(t.idx for t in pieces)
    hi = max(t.idx + len(t.text) for t in pieces)
    inside = [h for h in hits if h.key in agents and h.start < hi and lo < h.end]
    if token.lemma_.lower() in SPEAKING_NOUNS and not any(h.start <= token.idx < h.end for h in inside):
        # "Russian officials", "Western analysts": people named by a noun, not the state or
        # group of the adjective (corpus/README.md, linking rules): an unnamed group speaks
        inside = []
    if inside:
        return max(inside, key=lambda h: (h.start <= token.idx < h.end, h.end - h.start))
    if token.lemma_.lower() in WORKS:  # "according to a study by the Financial Times"
        # "an analysis published Friday by Sky News": the author hangs on the participle
        heads = [token] + [c for c in token.children if c.dep_ == "acl"]
        preps = [c for h in heads for c in h.children if c.dep_ in ("prep", "agent")]
        for prep in (c for c in preps if c.lower_ in ("by", "of", "from")):
            for author in (c for c in prep.children if c.dep_ == "pobj"):
                found = _hit_for(author, hits, agents)
                if found is not None:
                    return found
    # "The war's instigator, Vladimir Putin, said"; "Ruritania and Freedonia said" (the first named)
    for other in (c for c in token.children if c.dep_ in ("appos", "conj")):
        found = _hit_for(other, hits, agents)
        if found is not None:
            return found
    return None


def _group_hit(subject: Any, name_group: Any) -> Hit | None:
    """A hit for an unnamed speaker: the subject's noun phrase, without a relative clause or
    apposition ("a person close to the government", "other analysts")."""
    tokens = sorted(subject.subtree, key=lambda t: t.i)
    cut = [t.i for t in tokens if t.dep_ in ("relcl", "acl", "appos") or t.is_punct]
    keep = [t for t in tokens if not cut or t.i < min(x for x in cut if x > subject.i or x == max(cut))]
    keep = [t for t in keep if t.i >= subject.i or t.head.i <= subject.i or t.dep_ in ("det", "amod", "compound")]
    if not keep or keep[-1].i < subject.i:
        return None
    start, end = keep[0].idx, keep[-1].idx + len(keep[-1].text)
    key = name_group(start, end, subject.tag_ in ("NNS", "NNPS") or subject.lower_ == "people")
    return Hit(start, end, key, None, "group") if key else None


def resolve_pronoun(
    word: str,
    at: int,
    text: str,
    hits: list[Hit],
    persons: set[str],
    agents: set[str],
    gender: dict[str, str],
    last_speaker: tuple[str, int] | None,
    paragraph_start: int,
) -> tuple[str | None, str]:
    """The key a subject pronoun stands for, with a remark saying how it was chosen."""
    kind = PRONOUNS.get(word.lower()) or POSSESSIVES.get(word.lower())
    if kind in ("male", "female"):
        before = [
            h
            for h in hits
            if h.end <= at
            and h.key in persons
            and gender.get(h.key, kind) == kind
            and not _inside_quotes(text, h.start, paragraph_start)
        ]
        # the last speaker if of that gender (known or not) and speaking in this or the paragraph
        # before; else a person known to be of that gender named recently; else the last named
        speaker_key, speaker_at = last_speaker if last_speaker else (None, -1)
        previous_paragraph = text.rfind("\n", 0, max(paragraph_start - 1, 0)) + 1
        if speaker_key in persons and gender.get(speaker_key, kind) == kind and speaker_at >= previous_paragraph:
            return speaker_key, f"{word!r} taken to be the last speaker ({speaker_key}); check"
        known = [h for h in before if gender.get(h.key) == kind and at - h.start < LOOKBACK]
        last = max(known or before, key=lambda h: h.start) if before else None
        if last is not None:
            return last.key, f"{word!r} taken to be the last {kind} person named ({last.key}); check"
        return None, ""
    if kind == "plural":
        if last_speaker and last_speaker[0] in agents and last_speaker[0] not in persons:
            return last_speaker[0], f"{word!r} taken to be the last speaker ({last_speaker[0]}); check"
        before = [h for h in hits if h.end <= at and h.key in agents and h.key not in persons]
        if before:
            last = max(before, key=lambda h: h.start)
            return last.key, f"{word!r} taken to be the last group, state or organisation named ({last.key}); check"
    return None, ""


def _introduces_quotation(verb: Any) -> bool:
    """ "X reflects on the talks: "…" ": a main verb whose clause runs into a colon and a quotation."""
    span = verb.sent
    for token in span:
        if token.i > verb.i and token.text == ":" and token.i + 1 < span.end:
            return span.doc[token.i + 1].text in ('"', OPENING)
    return False


def _reports(verb: Any) -> bool:
    """A verb of the core lexicon reports by itself; the others ("agreed", "accepted", "called")
    only with a reported clause or a quotation in the sentence."""
    hypothetical = any(c.dep_ == "aux" and c.lower_ in FUTURE for c in verb.children)
    if verb.lemma_.lower() in SPEECH and not hypothetical:
        return True  # not "he will say whatever it takes" (a reported clause or quotation still counts)
    if any(c.dep_ == "ccomp" for c in verb.children):  # "agreed that …", not "agreed to compromise"
        return True
    if verb.lemma_.lower() in CONTENT_VERBS and any(c.dep_ == "dobj" for c in verb.children):
        return True  # "(the study) describes the blowout in interest"
    return any(t.text in ('"', OPENING, CLOSING) for t in verb.sent)


def _passive_source(verb: Any) -> list[Any]:
    """Who a passive reporting verb names as its source: "said by X" (the agent), "stated in an
    analysis by X" (the work's author)."""
    out = []
    for child in verb.children:
        if child.dep_ == "agent" or (child.dep_ == "prep" and child.lower_ in ("in", "by")):
            out += [c for c in child.children if c.dep_ == "pobj"]
    return out


def _cues(span: Any) -> list[tuple[Any, Any]]:
    """(cue token, speaker token) pairs of a sentence: reporting verbs with their subject, and
    "according to" with its object; main-clause verbs first."""
    out = []
    for token in span:
        if token.lower_ == "according" and token.i + 1 < len(token.doc) and token.doc[token.i + 1].lower_ == "to":
            objects = [c for c in token.doc[token.i + 1].children if c.dep_ == "pobj"]
            if objects:
                out.append((0, token, objects[0]))
        elif token.pos_ in ("VERB", "AUX") and token.lemma_.lower() in REPORTING and _reports(token):
            subjects = [c for c in token.children if c.dep_ == "nsubj"]
            sources = _passive_source(token)  # "as stated in an analysis by Sky News"
            if not subjects and sources:
                subjects = sources
            if not subjects:
                subjects = [c for c in token.children if c.dep_ == "nsubjpass"]
            if not subjects and token.dep_ in ("conj", "xcomp", "advcl"):
                subjects = [c for c in token.head.children if c.dep_ == "nsubj"]
            if subjects:
                depth = 0 if token.dep_ == "ROOT" else 1 if token.head.dep_ == "ROOT" else 2
                out.append((depth, token, subjects[0]))
        elif token.pos_ == "VERB" and token.dep_ in ("ROOT", "conj") and _introduces_quotation(token):
            subjects = [c for c in token.children if c.dep_ == "nsubj"]
            if not subjects and token.dep_ == "conj":  # "He orders tea and reflects on the talks: "…""
                subjects = [c for c in token.head.children if c.dep_ == "nsubj"]
            if subjects:
                out.append((3, token, subjects[0]))
    return [(cue, subject) for _, cue, subject in sorted(out, key=lambda c: (c[0], c[1].i))]


@dataclass
class _Context:
    """What the attribution of one sentence may draw on."""

    text: str
    hits: list[Hit]
    agents: set[str]
    persons: set[str]
    gender: dict[str, str]
    name_group: Any
    last_speaker: tuple[str, int] | None = None  # the last speaker and where their sentence began


def _speaker(span: Any, lo: int, hi: int, ctx: _Context) -> Attribution | None:
    """The attribution a sentence's own cues give (the first cue that names a speaker)."""
    text = ctx.text
    paragraph_start = text.rfind("\n", 0, lo) + 1
    for cue, subject in _cues(span) if span is not None else []:
        if subject.lower_ in ("i", "we", "you") or (
            subject.lower_ in PRONOUNS and _inside_quotes(text, subject.idx, paragraph_start)
        ):
            continue  # the speaker's own words, not who speaks
        if subject.lower_ in PRONOUNS:
            key, remark = resolve_pronoun(
                subject.text,
                subject.idx,
                text,
                ctx.hits,
                ctx.persons,
                ctx.agents,
                ctx.gender,
                ctx.last_speaker,
                paragraph_start,
            )
            if key:
                return Attribution((lo, hi), key, f"{subject.text} {cue.text}", cue.lemma_.lower(), remark)
            continue
        hit = _hit_for(subject, ctx.hits, ctx.agents)
        if hit is None and ctx.name_group is not None and subject.lemma_.lower() in SPEAKING_NOUNS:
            hit = _group_hit(subject, ctx.name_group)
            if hit is not None:
                ctx.hits.append(hit)
                ctx.agents.add(hit.key)
        if hit is not None and not _inside_quotes(text, hit.start, paragraph_start):
            verb = None if cue.lower_ == "according" else cue.lemma_.lower()
            return Attribution((lo, hi), hit.key, f"{cue.text} {text[hit.start : hit.end]}", verb)
    return None


def find_attributions(
    doc: Any,
    text: str,
    sentences: list[tuple[int, int]],
    hits: list[Hit],
    agents: set[str],
    persons: set[str],
    labels: dict[str, str],
    name_group: Any = None,
) -> dict[tuple[int, int], Attribution]:
    """The attribution of each sentence that has one (see the module's docstring). A quotation
    that runs over several sentences is given, in all of them, the speaker named in one of them
    or in the sentence that introduces it with a colon."""
    ctx = _Context(text, hits, agents, persons, genders(text, hits, persons, labels, sentences), name_group)
    out: dict[tuple[int, int], Attribution] = {}
    speaker: str | None = None  # who speaks the quotation open at this point
    pending: list[tuple[int, int]] = []  # sentences of the open quotation still without a speaker
    carried = False  # a quotation open at the end of the previous sentence (or announced by a colon)
    for lo, hi in sentences:
        paragraph = text.rfind("\n", 0, lo) + 1
        opens_with_quote = text[lo] in ('"', OPENING, "‘")
        inside = open_quote_at(text, lo, paragraph) or (carried and (lo > paragraph or opens_with_quote))
        if not inside:
            speaker, pending = None, []
        found = _speaker(doc.char_span(lo, hi, alignment_mode="expand"), lo, hi, ctx)
        if found is None and inside and speaker:
            found = Attribution((lo, hi), speaker, "(quotation continues)", None, "inside a quotation")
        if found is not None and found.speaker:
            out[(lo, hi)] = found
            ctx.last_speaker = (found.speaker, lo)
            for earlier in pending:  # the quotation's speaker is named at its end
                out[earlier] = Attribution(earlier, found.speaker, "(quotation)", None, "in the same quotation")
            pending = []
        elif inside or open_quote_at(text, hi, paragraph):
            pending.append((lo, hi))
        still_open = open_quote_at(text, hi, paragraph)
        announced = found is not None and text[lo:hi].rstrip().endswith(":")
        carried = still_open or announced
        if carried and found is not None:
            speaker = found.speaker
        elif not carried:
            speaker, pending = None, []
    carry_over(text, sentences, out, persons)
    return out
