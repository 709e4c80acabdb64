"""`peacekg article add`: the regions detected from a plain text (checked against the seed
articles' hand-made regions), the computed id, the metadata that validates, and bad input — each
refused with what and where, leaving no file behind."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from kg.annotations.check import vocabulary_index
from kg.annotations.corpus import load_corpus
from kg.annotations.new_article import ArticleAddError, ArticleInfo, add_article, detect_regions, published_value
from kg.cli import cli

from helpers.corpora import make_corpus, settings_for
from helpers.paths import ROOT

TODAY = dt.date(2026, 1, 1)
NEWS = (
    "Talks resume in Lakeside\n"
    "By Ana Exempla\n"
    "\n"
    "Ruritania and Freedonia said on Monday that talks would resume.\n"
    "\n"
    "Subscribe to our newsletter for more.\n"
)


@pytest.fixture(scope="module")
def vocabulary():
    return vocabulary_index(settings_for(Path("/nonexistent"), ROOT / "corpus"))


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    return make_corpus(tmp_path, articles=1)


def write(tmp_path: Path, text: str | bytes, name: str = "new.txt") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def info(**changes) -> ArticleInfo:
    fields = {"title": "Talks resume in Lakeside", "published": "2025-03-03", "outlet": "fictional-gazette"}
    return ArticleInfo(**{**fields, **changes})


# every seed article but 003, whose reader comments and their like counters are not detected
@pytest.mark.parametrize(
    "article", ["000_f8d9a80233053aef", "001_8d381c327fafc0c6", "002_812b4db44989ec20", "004_e4a9586795b55eb4"]
)
def test_regions_of_seed_articles_are_found_as_annotated_by_hand(article: str) -> None:
    text = (ROOT / "corpus" / "articles" / f"{article}.txt").read_text(encoding="utf-8")
    meta = yaml.safe_load((ROOT / "corpus" / "articles" / f"{article}.yaml").read_text(encoding="utf-8"))
    detected = [(r.id, r.type, r.start, r.end, r.duplicate_of) for r in detect_regions(text, meta["title"])]
    assert detected == [(r["id"], r["type"], r["start"], r["end"], r.get("duplicate_of")) for r in meta["regions"]]


@pytest.mark.parametrize(
    ("text", "types"),
    [
        (NEWS, ["headline", "byline", "body", "non-article"]),
        ("One paragraph of news, and nothing else.\n", ["body"]),
        ("A first sentence ends here.\nA second one too.\n", ["body"]),  # no headline: it reads as prose
        ("Headline\n\nBody text here.\n\n— Ana Exempla\n", ["headline", "body", "byline"]),
        ("Headline\nWhy it matters now\nBody text here.\n", ["headline", "headline", "body"]),  # a subheadline
        ("Headline\r\n\r\nBody text here.\r\n", ["headline", "body"]),  # Windows line ends: no CR in a region
        (  # a paragraph repeated word for word (a scraping artefact): the original and its copy apart
            "The first paragraph, long enough to count.\nSecond paragraph, long enough to be one.\n"
            "The first paragraph, long enough to count.\nThe rest.\n",
            ["body", "body", "duplicate", "body"],
        ),
    ],
)
def test_region_kinds(text: str, types: list[str]) -> None:
    regions = detect_regions(text)
    assert [r.type for r in regions] == types
    for region in regions:  # each region is trimmed text, in order, without overlaps
        assert text[region.start : region.end] == text[region.start : region.end].strip()
    assert all(a.end <= b.start for a, b in itertools.pairwise(regions))


def test_an_added_article_validates_and_has_a_computed_id(corpus: Path, tmp_path: Path, vocabulary) -> None:
    source = write(tmp_path, NEWS)
    added = add_article(corpus, source, info(author="ana-exempla", url="https://example.org/a"), vocabulary, TODAY)
    assert added.id == "000_" + hashlib.sha256(NEWS.encode()).hexdigest()[:16]  # fx-001 has no number
    assert added.text_path.read_bytes() == NEWS.encode()
    meta = yaml.safe_load(added.meta_path.read_text(encoding="utf-8"))
    assert meta["id"] == added.id and meta["outlet"] == "fictional-gazette" and meta["author"] == "ana-exempla"
    assert meta["note"] == "source: https://example.org/a"
    assert [r["id"] for r in meta["regions"]] == ["headline", "byline", "body", "footer"]
    assert load_corpus(corpus, vocabulary).issues == []
    again = add_article(corpus, write(tmp_path, NEWS + "More.\n", "b.txt"), info(outlet=None), vocabulary, TODAY)
    assert again.id.startswith("001_")  # the next number


@pytest.mark.parametrize(
    ("published", "written"),
    [
        ("2025-03-03", "2025-03-03"),
        ("2025-03", "2025-03"),
        ("2025-03-01..2025-03-31", "\n  earliest: 2025-03-01\n  latest: 2025-03-31\n  precision: month"),
        ("2024-12-20..2025-01-10", "\n  earliest: 2024-12-20\n  latest: 2025-01-10\n  precision: decade"),
    ],
)
def test_published(published: str, written: str) -> None:
    assert published_value(published, TODAY) == written


BAD = [
    ({"published": "03/03/2025"}, "published", "is not a date"),
    ({"published": "2025-02-30"}, "published", "is not a date"),
    ({"published": "2025-03-31..2025-03-01"}, "published", "is after"),
    ({"published": "2027-01-01"}, "published", "after today"),
    ({"genre": "gossip"}, "genre", "is not a genre"),
    ({"language": "English"}, "language", "not a language tag"),
    ({"title": " "}, "title", "one line"),
    ({"outlet": "fictional-gazete"}, "outlet", "did you mean fictional-gazette"),
    ({"author": "nobody-at-all"}, "author", "no individual 'nobody-at-all'"),
    ({"url": "example.org"}, "url", "http(s)"),
]


@pytest.mark.parametrize(("changes", "field", "says"), BAD)
def test_bad_options_write_nothing(corpus: Path, tmp_path: Path, vocabulary, changes, field: str, says: str) -> None:
    before = sorted(p.name for p in (corpus / "articles").iterdir())
    with pytest.raises(ArticleAddError) as error:
        add_article(corpus, write(tmp_path, NEWS), info(**changes), vocabulary, TODAY)
    assert error.value.field == field and says in str(error.value)
    assert sorted(p.name for p in (corpus / "articles").iterdir()) == before


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"caf\xe9 talks\n", "not UTF-8 at byte 3"),
        ("\ufeffHeadline\n\nBody.\n", "byte-order mark"),
        (" \n\n", "the text is empty"),
    ],
)
def test_bad_texts_write_nothing(corpus: Path, tmp_path: Path, vocabulary, content, says: str) -> None:
    source = write(tmp_path, content)
    with pytest.raises(ArticleAddError) as error:
        add_article(corpus, source, info(), vocabulary, TODAY)
    assert says in str(error.value) and str(source) in str(error.value)
    assert sorted(p.name for p in (corpus / "articles").iterdir()) == ["fx-001.txt", "fx-001.yaml"]


def test_the_same_text_twice_is_refused(corpus: Path, tmp_path: Path, vocabulary) -> None:
    source = write(tmp_path, (corpus / "articles" / "fx-001.txt").read_bytes())
    with pytest.raises(ArticleAddError, match="already in the corpus as fx-001"):
        add_article(corpus, source, info(), vocabulary, TODAY)


def test_command_prints_the_next_steps_and_fails_clearly(corpus: Path, tmp_path: Path) -> None:
    env = {"PEACEKG_CORPUS_DIR": str(corpus), "PEACEKG_ONTOLOGY_DIR": str(ROOT / "ontology")}
    source = write(tmp_path, NEWS)
    base = ["article", "add", str(source), "--title", "Talks resume in Lakeside", "--published", "2025-03-03"]
    result = CliRunner().invoke(cli, [*base, "--outlet", "unknown", "--genre", "gossip"], env=env)
    assert result.exit_code == 8 and "field genre" in result.output and "is not a genre" in result.output
    assert sorted(p.name for p in (corpus / "articles").iterdir()) == ["fx-001.txt", "fx-001.yaml"]
    result = CliRunner().invoke(cli, [*base, "--outlet", "unknown"], env=env)
    assert result.exit_code == 0, result.output
    article = next(p.stem for p in (corpus / "articles").glob("000_*.txt"))
    assert f"peacekg annotate suggest {corpus / 'articles' / article}.txt" in result.output
    assert f"peacekg review {article}" in result.output
    assert yaml.safe_load((corpus / "articles" / f"{article}.yaml").read_text())["outlet"] is None


def test_the_text_is_copied_byte_for_byte(corpus: Path, tmp_path: Path, vocabulary) -> None:
    data = "Talks resume in Lakeside\r\n\r\nRuritania said so — with an emoji 🕊.\r\n".encode()
    added = add_article(corpus, write(tmp_path, data), info(), vocabulary, TODAY)
    assert added.text_path.read_bytes() == data
    assert load_corpus(corpus, vocabulary).issues == []
