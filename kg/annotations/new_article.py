"""Adding a new article to the corpus (``peacekg article add``): the text copied byte for byte to
``articles/<id>.txt`` and its metadata (``articles/<id>.yaml``) written from what the annotator
knows — title, date, outlet, author, genre, language — and what the text shows: its regions
(headline, a repeated headline, byline, body, a footer that is not article content), detected here,
never typed as offsets.

The id is computed, never asked for: ``NNN_<16 hex>``, the next number after the corpus's highest
and the first 16 hex digits of the SHA-256 of the text's bytes (the seed articles' shape; the
synthetic corpus uses the same with six digits). The same text twice is refused.

Nothing is half-written: the metadata is checked as ``peacekg annotations validate`` checks an
article (loaded with the corpus's reference data from a temporary overlay of the corpus) before
either file is written; then both are written atomically, and if the second write fails the first
is removed. Every problem is an :class:`ArticleAddError` naming the option or file it is about.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from kg.annotations.articles import shown
from kg.annotations.corpus import load_corpus
from kg.annotations.lookup import ReferenceIndex
from kg.annotations.values import parse_date_text
from kg.annotations.vocabulary import VocabularyIndex
from kg.errors import PeaceKGError
from kg.serialize import write_atomic

HEADLINE_MAX = 200  # characters: a first line longer than this is a paragraph, not a headline
REPEAT_MIN = 40  # characters: a shorter line repeated ("Read more", a dateline) is not a scraping artefact
BYLINE = re.compile(r"^(?:by|von|par|por)\s+\S.{0,80}$", re.I)
SIGNATURE = re.compile(r"^(?:[—–-]\s*\S.{0,60}|(?:[A-Z]\.\s?){1,4}|[A-Z][\w.'-]+(?:\s+[A-Z][\w.'-]+){0,3})$")
FOOTER = re.compile(
    r"subscribe|newsletter|sign up|all rights reserved|©|copyright|follow us|share this|give us a like|"
    r"please like|read more:|related articles?:|advertisement",
    re.I,
)
LANGUAGE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")  # a BCP 47 tag (en, uk, pt-BR)
ID_PREFIX = re.compile(r"^(\d+)_")


class ArticleAddError(PeaceKGError):
    """The article could not be added (bad option, unreadable text, invalid metadata); nothing was written."""

    exit_code = 8


@dataclass(frozen=True)
class ArticleInfo:
    """What the annotator knows of the article (``peacekg article add``'s options)."""

    title: str
    published: str  # YYYY-MM-DD, YYYY-MM, YYYY, or a range YYYY-MM-DD..YYYY-MM-DD
    outlet: str | None  # a reference key; None: unknown
    author: str | None = None  # a reference key; None: unknown
    genre: str = "news"
    language: str = "en"
    translated: bool = False
    url: str | None = None


@dataclass(frozen=True)
class DetectedRegion:
    id: str
    type: str
    start: int
    end: int
    duplicate_of: str | None = None

    def yaml(self) -> str:
        extra = f", duplicate_of: {self.duplicate_of}" if self.duplicate_of else ""
        return f"  - {{id: {self.id}, type: {self.type}, start: {self.start}, end: {self.end}{extra}}}\n"


@dataclass
class AddedArticle:
    id: str
    text_path: Path
    meta_path: Path
    regions: list[DetectedRegion]
    warnings: list[str] = field(default_factory=list)

    def next_commands(self) -> list[str]:
        return [f"peacekg annotate suggest {shown(self.text_path)}", f"peacekg review {self.id}"]


# -- the text ----------------------------------------------------------------------------------------


def read_text(path: Path) -> tuple[bytes, str]:
    """The bytes and the text of ``path``: UTF-8 without a byte-order mark, not empty."""
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise ArticleAddError("no such file", file=str(path)) from None
    except IsADirectoryError:
        raise ArticleAddError("a directory, not a text file", file=str(path)) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ArticleAddError(
            f"not UTF-8 at byte {exc.start}; save the text as UTF-8", file=str(path), offset=exc.start
        ) from None
    if text.startswith("\ufeff"):  # offsets would count it as a character (articles.py refuses it too)
        raise ArticleAddError(
            "starts with a byte-order mark (U+FEFF); save the text as UTF-8 without one", file=str(path)
        )
    if not text.strip():
        raise ArticleAddError("the text is empty", file=str(path))
    return data, text


def _lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of each non-blank line, without its surrounding white space."""
    out = []
    for match in re.finditer(r"[^\r\n]+", text):
        line = match.group()
        if line.strip():
            start = match.start() + len(line) - len(line.lstrip())
            out.append((start, match.start() + len(line.rstrip())))
    return out


def _same(a: str, b: str) -> bool:
    return re.sub(r"\W+", " ", a).strip().casefold() == re.sub(r"\W+", " ", b).strip().casefold()


def _reads_as_headline(line: str) -> bool:
    """Short, and without the closing punctuation of a sentence of prose."""
    return len(line) <= HEADLINE_MAX and not line.endswith((".", ",", ";", ":", '"', "”"))


def detect_regions(text: str, title: str | None = None) -> list[DetectedRegion]:
    """The regions of a plain article text, in text order: a headline (the first line, when it is
    the title or reads like one: short, without closing punctuation), its copy when repeated on the
    next line, a subheadline (the next line, when it reads like a headline too), a byline ("By …")
    after them or a signature at the end ("— Name", "T.D."), a footer of non-article lines at the
    end (newsletter, copyright, "give us a like"), and the body between them, with paragraphs
    repeated word for word as duplicates (:func:`_body`). A text without these is one body region."""
    lines = _lines(text)
    if not lines:
        raise ArticleAddError("the text is empty")
    at = lambda i: text[lines[i][0] : lines[i][1]]  # noqa: E731
    first, last = 0, len(lines) - 1
    top: list[DetectedRegion] = []
    bottom: list[DetectedRegion] = []
    head = at(0)
    if last >= 1 and ((title and _same(head, title)) or _reads_as_headline(head)):
        top.append(DetectedRegion("headline", "headline", *lines[0]))
        first = 1
        if first < last and at(first) == head:
            top.append(DetectedRegion("headline-copy", "duplicate", *lines[first], duplicate_of="headline"))
            first += 1
        if first < last and _reads_as_headline(at(first)) and not BYLINE.match(at(first)):
            top.append(DetectedRegion("subheadline", "headline", *lines[first]))
            first += 1
    if first < last and BYLINE.match(at(first)):
        top.append(DetectedRegion("byline", "byline", *lines[first]))
        first += 1
    footer_start = last + 1
    while footer_start - 1 > first and len(at(footer_start - 1)) <= 300 and FOOTER.search(at(footer_start - 1)):
        footer_start -= 1
    if footer_start <= last:
        bottom.append(DetectedRegion("footer", "non-article", lines[footer_start][0], lines[last][1]))
        last = footer_start - 1
    signature = at(last)
    if last > first and len(signature) <= 40 and (BYLINE.match(signature) or SIGNATURE.match(signature)):
        name = "signature" if any(r.type == "byline" for r in top) else "byline"
        bottom.insert(0, DetectedRegion(name, "byline", *lines[last]))
        last -= 1
    return [*top, *_body(text, lines[first : last + 1]), *bottom]


def _body(text: str, lines: list[tuple[int, int]]) -> list[DetectedRegion]:
    """The body, one region; or, when paragraphs are repeated word for word (a scraping artefact),
    each repeated paragraph its own region (``paragraph-N``), each copy a ``duplicate`` of it
    (``paragraph-N-copy``), and the stretches between them body regions (``body``, ``body-2``…)."""
    seen: dict[str, int] = {}  # paragraph text -> its first line
    copy_of: dict[int, int] = {}
    for n, (start, end) in enumerate(lines):
        paragraph = text[start:end]
        if len(paragraph) >= REPEAT_MIN and paragraph in seen:
            copy_of[n] = seen[paragraph]
        else:
            seen.setdefault(paragraph, n)
    if not copy_of:
        return [DetectedRegion("body", "body", lines[0][0], lines[-1][1])]
    originals = set(copy_of.values())
    regions: list[DetectedRegion] = []
    stretch: list[int] = []  # lines of the body stretch being gathered

    bodies = 0

    def close_stretch() -> None:
        nonlocal bodies
        if stretch:
            bodies += 1
            name = "body" if bodies == 1 else f"body-{bodies}"
            regions.append(DetectedRegion(name, "body", lines[stretch[0]][0], lines[stretch[-1]][1]))
            stretch.clear()

    copies: dict[int, int] = {}
    for n, (start, end) in enumerate(lines):
        if n in originals:
            close_stretch()
            regions.append(DetectedRegion(f"paragraph-{n + 1}", "body", start, end))
        elif n in copy_of:
            close_stretch()
            original = copy_of[n]
            copies[original] = copies.get(original, 0) + 1
            suffix = "-copy" if copies[original] == 1 else f"-copy-{copies[original]}"
            regions.append(
                DetectedRegion(
                    f"paragraph-{original + 1}{suffix}", "duplicate", start, end, f"paragraph-{original + 1}"
                )
            )
        else:
            stretch.append(n)
    close_stretch()
    return regions


# -- the metadata ------------------------------------------------------------------------------------


def article_id(articles_dir: Path, data: bytes) -> str:
    """``NNN_<16 hex>``: the number after the highest of the corpus, the text's SHA-256 prefix."""
    numbers = [int(m.group(1)) for p in Path(articles_dir).glob("*.txt") if (m := ID_PREFIX.match(p.stem))]
    return f"{max(numbers, default=-1) + 1:03d}_{hashlib.sha256(data).hexdigest()[:16]}"


def published_value(text: str, today: dt.date | None = None) -> str:
    """The ``published`` field as YAML text: a day, month or year as written, or a range
    ``{earliest, latest, precision}``; ArticleAddError (field published) when it is not a date,
    ends before it starts, or lies after ``today``."""
    today = today or dt.date.today()
    parts = [p.strip() for p in text.split("..")]
    if len(parts) > 2 or not all(parts):
        raise ArticleAddError(f"{text!r} is not YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD", field="published")
    parsed = []
    for part in parts:
        value = parse_date_text(part)
        if value is None or not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", part):
            raise ArticleAddError(f"{part!r} is not a date (YYYY-MM-DD, YYYY-MM or YYYY)", field="published")
        parsed.append(value)
    earliest, latest = parsed[0][0], parsed[-1][1]
    if earliest > latest:
        raise ArticleAddError(f"{parts[0]} is after {parts[1]}", field="published")
    if earliest > today:
        raise ArticleAddError(f"{parts[0]} is after today ({today.isoformat()})", field="published")
    if len(parts) == 1:
        return parts[0]
    if parsed[0][2] != "day" or parsed[1][2] != "day":
        raise ArticleAddError("a range is two days: YYYY-MM-DD..YYYY-MM-DD", field="published")
    precision = (
        "day"
        if earliest == latest
        else "month"
        if (earliest.year, earliest.month) == (latest.year, latest.month)
        else "year"
        if earliest.year == latest.year
        else "decade"
    )
    return f"\n  earliest: {parts[0]}\n  latest: {parts[1]}\n  precision: {precision}"


def _check_options(info: ArticleInfo, vocabulary: VocabularyIndex, corpus_dir: Path) -> None:
    title = info.title.strip()
    if not title or "\n" in title:
        raise ArticleAddError("the title is one line of text", field="title")
    genres = sorted(vocabulary.schemes.get("genre", {}))
    if info.genre not in genres:
        raise ArticleAddError(f"{info.genre!r} is not a genre (one of: {', '.join(genres)})", field="genre")
    if not LANGUAGE.match(info.language):
        raise ArticleAddError(f"{info.language!r} is not a language tag (en, uk, ru, pt-BR…)", field="language")
    if info.url is not None and not re.match(r"^https?://\S+$", info.url):
        raise ArticleAddError(f"{info.url!r} is not an http(s) address", field="url")
    keys = {"outlet": info.outlet, "author": info.author}
    if not any(keys.values()):
        return
    index = ReferenceIndex.from_corpus_dir(corpus_dir, vocabulary)
    for name, key in keys.items():
        if key is None:
            continue
        individual = index.individuals.get(key)
        if individual is None:
            matches = index.search(key.replace("-", " "), limit=5) or index.search(key.split("-")[0], limit=5)
            hint = (
                "; did you mean " + ", ".join(f"{m.individual.key} ({m.individual.type})" for m in matches)
                if matches
                else ""
            )
            raise ArticleAddError(
                f"no individual {key!r} in the reference data{hint}? (peacekg reference search NAME finds a key; "
                f"'unknown' leaves it empty)",
                field=name,
            )
        if individual.review == "draft":
            raise ArticleAddError(f"{key!r} is a draft ({individual.where}): review it first", field=name)


def metadata_yaml(article: str, source: str, info: ArticleInfo, regions: list[DetectedRegion], today: dt.date) -> str:
    """``articles/<id>.yaml`` as text (strings as JSON, which YAML reads as double-quoted scalars)."""
    text = (
        f"# Metadata of article {article}, written by `peacekg article add` from {source}.\n"
        "# Offsets count characters (Unicode code points) of the .txt file, end exclusive; the regions\n"
        "# were detected from the text's lines: check them in `peacekg review`.\n"
        f"id: {article}\n"
        f"title: {json.dumps(info.title.strip(), ensure_ascii=False)}\n"
        f"outlet: {info.outlet or 'null'}\n"
        f"author: {info.author or 'null'}\n"
        f"genre: {info.genre}\n"
        f"language: {info.language}\n"
        f"translated: {'true' if info.translated else 'false'}\n"
        f"published: {published_value(info.published, today)}\n"
    )
    if info.url:
        text += f"note: {json.dumps('source: ' + info.url, ensure_ascii=False)}\n"
    return text + "regions:\n" + "".join(r.yaml() for r in regions)


# -- adding ------------------------------------------------------------------------------------------


def _validate(corpus_dir: Path, article: str, text: str, meta: str, vocabulary: VocabularyIndex) -> None:
    """Load the corpus with the new article, from a temporary overlay; the new files' issues raise."""
    with tempfile.TemporaryDirectory(prefix="peacekg-article-") as tmp:
        overlay = Path(tmp) / "corpus"
        for folder in ("reference", "annotations"):
            if (corpus_dir / folder).is_dir():
                (overlay / folder).parent.mkdir(parents=True, exist_ok=True)
                (overlay / folder).symlink_to((corpus_dir / folder).resolve(), target_is_directory=True)
        (overlay / "articles").mkdir(parents=True)
        (overlay / "articles" / f"{article}.txt").write_text(text, encoding="utf-8", newline="")
        (overlay / "articles" / f"{article}.yaml").write_text(meta, encoding="utf-8")
        corpus = load_corpus(overlay, vocabulary)
        temporary = str((overlay / "articles").resolve())
        mine = [i for i in corpus.issues if Path(i.file).stem == article and Path(i.file).parent.name == "articles"]
    if mine:
        real = shown(corpus_dir / "articles")
        details = [str(i).replace(temporary, real) for i in mine]
        raise ArticleAddError(
            f"the metadata would not validate ({len(mine)} problem(s)); nothing was written", details=details
        )


def add_article(
    corpus_dir: Path, source: Path, info: ArticleInfo, vocabulary: VocabularyIndex, today: dt.date | None = None
) -> AddedArticle:
    """Copy ``source`` into ``corpus_dir/articles`` under a computed id with detected regions and the
    metadata of ``info``, checked before anything is written; ArticleAddError otherwise."""
    corpus_dir = Path(corpus_dir)
    articles_dir = corpus_dir / "articles"
    data, text = read_text(source)
    for existing in sorted(articles_dir.glob("*.txt")):
        if existing.read_bytes() == data:
            raise ArticleAddError(f"this text is already in the corpus as {existing.stem}", file=shown(existing))
    _check_options(info, vocabulary, corpus_dir)
    article = article_id(articles_dir, data)
    regions = detect_regions(text, info.title)
    meta = metadata_yaml(article, Path(source).name, info, regions, today or dt.date.today())
    _validate(corpus_dir, article, text, meta, vocabulary)
    text_path, meta_path = articles_dir / f"{article}.txt", articles_dir / f"{article}.yaml"
    for path in (text_path, meta_path):
        if path.exists():
            raise ArticleAddError("already exists; nothing was written", file=shown(path))
    write_atomic(text_path, text)  # byte for byte: UTF-8 without newline translation
    try:
        write_atomic(meta_path, meta)
    except BaseException:
        text_path.unlink(missing_ok=True)  # no text without its metadata
        raise
    warnings = []
    if [r.type for r in regions] == ["body"]:
        warnings.append("no headline, byline or footer recognised: the whole text is one body region")
    return AddedArticle(article, text_path, meta_path, regions, warnings)
