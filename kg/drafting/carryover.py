"""Speakers carried over several sentences, once each sentence's own cues are read
(:func:`kg.drafting.attributions.find_attributions`): a quotation that follows a named speaker's
quotation, a non-person source's report that goes on over its paragraph, and the passage between a
work's citation and its naming again as a source."""

from __future__ import annotations

import re

from kg.drafting.lexicon import CONTENT_VERBS, REPORTING, WORKS
from kg.drafting.speech import OPENING, Attribution, open_quote_at


def carry_over(
    text: str, sentences: list[tuple[int, int]], out: dict[tuple[int, int], Attribution], persons: set[str]
) -> None:
    """Add to ``out`` the attributions that the rules of this module carry over sentences."""
    _quotations_that_follow(text, sentences, out)
    _reports_that_go_on(text, sentences, out, persons)
    _works_cited_again(text, sentences, out)


def _works_cited_again(text: str, sentences: list[tuple[int, int]], out: dict[tuple[int, int], Attribution]) -> None:
    """A work cited with its author ("as stated in an analysis by Sky News") and later named again
    as the source of a sentence ("…, concludes the analysis cited"): that sentence, and those
    between the two with no attribution of their own, are the work's author's."""
    nouns = "|".join(sorted(WORKS))
    again = re.compile(rf"\b(?:the|this|that) (?:{nouns})\b(?: cited| quoted)?[^.]*$|^(?:the|this) (?:{nouns})\b", re.I)
    cited: tuple[int, str] | None = None  # (index of the sentence that cites the work, its author)
    for i, (lo, hi) in enumerate(sentences):
        sentence = text[lo:hi]
        found = out.get((lo, hi))
        if found is not None and found.speaker and re.search(rf"\b(?:{nouns})\b", sentence, re.I):
            cited = (i, found.speaker)
        elif found is None and cited is not None and again.search(sentence.rstrip(" .")) and _reporting_word(sentence):
            start, author = cited
            for lo2, hi2 in sentences[start + 1 : i + 1]:
                out.setdefault(
                    (lo2, hi2),
                    Attribution(
                        (lo2, hi2), author, "(the work cited)", None, "between the work's citation and its mention"
                    ),
                )
            cited = None


def _reporting_word(sentence: str) -> bool:
    return any(w.lower().rstrip(",.") in REPORTING or w.lower().rstrip("s,.") in REPORTING for w in sentence.split())


def _reports_that_go_on(
    text: str, sentences: list[tuple[int, int]], out: dict[tuple[int, int], Attribution], persons: set[str]
) -> None:
    """The sentences after one in which a source that is not a person describes or reports
    something ("One (Important Stories) describes the blowout …"), in the same paragraph and with
    no attribution of their own, go on with that source's report."""
    source: str | None = None
    paragraph = -1
    for lo, hi in sentences:
        start = text.rfind("\n", 0, lo) + 1
        if start != paragraph:
            source, paragraph = None, start
        found = out.get((lo, hi))
        if found is not None:
            reports = found.verb in CONTENT_VERBS and found.speaker not in persons
            source = found.speaker if reports else None
        elif source is not None:
            out[(lo, hi)] = Attribution((lo, hi), source, "(the report goes on)", None, "the report goes on")


def _quotations_that_follow(
    text: str, sentences: list[tuple[int, int]], out: dict[tuple[int, int], Attribution]
) -> None:
    """A quotation with no attribution of its own that follows a quotation whose speaker is named,
    with no words of the author between ('"…," said Mathers. "Think about…"', or a paragraph that
    is one quotation after such a paragraph), is the same speaker's: the usual way of quoting on."""
    last: str | None = None  # the speaker of the quotation just before, while only quotations follow
    for lo, hi in sentences:
        found = out.get((lo, hi))
        quoted = any(mark in text[lo:hi] for mark in ('"', OPENING, "‘"))
        if found is not None:
            last = found.speaker if quoted else None
            continue
        paragraph = text.rfind("\n", 0, lo) + 1
        if last and (text[lo] in ('"', OPENING) or open_quote_at(text, lo, paragraph)):
            out[(lo, hi)] = Attribution((lo, hi), last, "(quotation follows)", None, "quoted on after the same speaker")
        else:
            last = None


__all__ = ["carry_over"]
