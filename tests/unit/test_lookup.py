"""`peacekg reference search` and its library (kg.annotations.lookup): ranking, where defined,
time spans, and the ambiguous and out-of-era warnings, on the fixture corpus plus a few
individuals written here, and on the real corpus for the two cases the issue names."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.annotations.lookup import ReferenceIndex, time_span
from kg.cli import cli

from helpers.corpora import make_corpus
from helpers.paths import ROOT

EXTRA = """\
# individuals for the look-up tests
- {key: exampleville, type: City, label: Exampleville}
- key: exampleville-talks-2022
  type: Negotiation
  label: Exampleville talks
  aliases: [the Exampleville round]
  date: {earliest: 2022-03-01, latest: 2022-04-30, precision: day}
- {key: exampleville-summit-2025, type: Summit, label: Exampleville summit 2025, date: 2025-06}
- {key: ruritanian-court, type: Organisation, label: Ruritanian Court, aliases: [the Court], review: draft}
- {key: freedonian-court, type: Organisation, label: Freedonian Court, aliases: [the Court]}
"""


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    corpus = make_corpus(tmp_path, articles=1)
    (corpus / "reference" / "events.yaml").write_text(EXTRA, encoding="utf-8")
    # a mention linking the city's name to the state (a metonym): "Exampleville" then names two individuals
    path = corpus / "annotations" / "fx-001.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace(
            "  - {quote: Ruritania, ref: ruritania}\n",
            "  - {quote: Ruritania, ref: ruritania}\n  - {quote: Exampleville, ref: ruritania}\n",
        ),
        encoding="utf-8",
    )
    return corpus


@pytest.fixture()
def index(corpus: Path) -> ReferenceIndex:
    return ReferenceIndex.from_corpus_dir(corpus)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Ana Exempla", [("ana-exempla", "exact")]),
        ("ana-exempla", [("ana-exempla", "exact")]),
        ("exempla", [("ana-exempla", "alias")]),  # case does not matter
        ("Lakeside", [("lakeside-plan", "prefix")]),  # an entity of an annotation file
        ("Pact", [("northern-pact", "substring")]),
        # exact before alias (the mention "Exampleville" → ruritania) before prefix before substring
        (
            "Exampleville",
            [
                ("exampleville", "exact"),
                ("ruritania", "alias"),
                ("exampleville-summit-2025", "prefix"),
                ("exampleville-talks-2022", "prefix"),
            ],
        ),
        # the reviewed entry before the draft at the same rank
        ("the Court", [("freedonian-court", "alias"), ("ruritanian-court", "alias")]),
        ("no such thing", []),
    ],
)
def test_ranking(index: ReferenceIndex, query: str, expected: list[tuple[str, str]]) -> None:
    assert [(m.individual.key, m.rank) for m in index.search(query)] == expected


def test_where_defined_names_the_line(index: ReferenceIndex, corpus: Path) -> None:
    for key in ("exampleville-talks-2022", "lakeside-plan", "treaty-of-nowhere"):
        individual = index.individuals[key]
        path, line = individual.file.rsplit(":", 1)[0], individual.line
        lines = Path(path if Path(path).is_absolute() else Path.cwd() / path).read_text(encoding="utf-8").splitlines()
        assert f"key: {key}" in lines[line - 1], (key, individual.where)


@pytest.mark.parametrize(
    ("value", "span"),
    [
        ("2025", ("2025-01-01", "2025-12-31")),
        ("2024-02", ("2024-02-01", "2024-02-29")),
        ("2025-12", ("2025-12-01", "2025-12-31")),
        (dt.date(1901, 6, 1), ("1901-06-01", "1901-06-01")),
        ({"earliest": "2022-03-01", "latest": "2022-04"}, ("2022-03-01", "2022-04-30")),
        ({"earliest": 2025}, ("2025-01-01", "2025-12-31")),
        (None, (None, None)),
        ("2025-13-01", (None, None)),
    ],
)
def test_time_span(value: object, span: tuple[str | None, str | None]) -> None:
    start, end = time_span(value)
    assert (start and start.isoformat(), end and end.isoformat()) == span


def test_ambiguous_surface_form_warns_at_each_individual(index: ReferenceIndex) -> None:
    matches = {m.individual.key: m for m in index.search("Exampleville")}
    assert any(
        "ambiguous" in w and "ruritania" in w and "mention in fx-001" in w for w in matches["exampleville"].warnings
    )
    assert any("ambiguous" in w and "exampleville (label)" in w for w in matches["ruritania"].warnings)
    court = {m.individual.key: m for m in index.search("the court")}
    assert any("freedonian-court" in w for w in court["ruritanian-court"].warnings)
    assert any("draft" in w for w in court["ruritanian-court"].warnings)
    assert not any("ambiguous" in w for w in index.search("Freedonia")[0].warnings)


@pytest.mark.parametrize(
    ("query", "date", "key", "out_of_era"),
    [
        ("Exampleville talks", dt.date(2025, 5, 1), "exampleville-talks-2022", True),
        ("Exampleville talks", dt.date(2022, 6, 1), "exampleville-talks-2022", False),
        ("Exampleville summit 2025", dt.date(2025, 5, 1), "exampleville-summit-2025", False),
        ("Exampleville summit 2025", dt.date(2020, 1, 1), "exampleville-summit-2025", True),  # after the article
        ("Exampleville talks", None, "exampleville-talks-2022", False),  # no date, no judgement
        ("Ruritania", dt.date(2025, 5, 1), "ruritania", False),  # a state is not judged by era
    ],
)
def test_out_of_era(index: ReferenceIndex, query: str, date: dt.date | None, key: str, out_of_era: bool) -> None:
    match = next(m for m in index.search(query, date=date) if m.individual.key == key)
    assert any(w.startswith("out of era") for w in match.warnings) is out_of_era, match.warnings


def test_unparsable_file_is_skipped_and_reported(corpus: Path) -> None:
    (corpus / "reference" / "broken.yaml").write_text("- {key: x, label: [unclosed\n", encoding="utf-8")
    index = ReferenceIndex.from_corpus_dir(corpus)
    assert "ana-exempla" in index.individuals
    assert len(index.problems) == 1 and "broken.yaml" in index.problems[0]


def test_cli_on_the_real_corpus_warns_as_the_issue_asks() -> None:
    """The two cases of issue 14: 'Moscow' (city or state) and 'Istanbul talks' (2022) in a 2025 article."""
    env = {"PEACEKG_CORPUS_DIR": str(ROOT / "corpus"), "PEACEKG_ONTOLOGY_DIR": str(ROOT / "ontology")}
    result = CliRunner().invoke(cli, ["reference", "search", "Moscow", "--json"], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    found = {m["key"]: m for m in json.loads(result.output)}
    assert found["moscow"]["rank"] == "exact" and found["moscow"]["type"] == "City"
    assert found["moscow"]["defined_in"].endswith(tuple(f"states-and-places.yaml:{n}" for n in range(1, 10000)))
    assert any("russia" in w for w in found["moscow"]["warnings"])
    result = CliRunner().invoke(
        cli, ["reference", "search", "Istanbul talks", "--date", "2025-05-01"], env=env, catch_exceptions=False
    )
    assert result.exit_code == 0
    assert "out of era" in result.output and "2022" in result.output


def test_cli_says_when_nothing_matches(corpus: Path) -> None:
    env = {"PEACEKG_CORPUS_DIR": str(corpus), "PEACEKG_ONTOLOGY_DIR": str(ROOT / "ontology")}
    result = CliRunner().invoke(cli, ["reference", "search", "zzz-nothing"], env=env, catch_exceptions=False)
    assert result.exit_code == 0 and "no individual matches" in result.output
    bad = CliRunner().invoke(cli, ["reference", "search", "x", "--date", "May 2025"], env=env)
    assert bad.exit_code == 2
