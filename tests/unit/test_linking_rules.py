"""The linking rules of corpus/README.md: each SPARQL data check of a polarity error and each
warning of ``annotations validate`` (kg.annotations.linking) fires on a small planted defect and
stays silent on the clean case next to it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import rdflib
from click.testing import CliRunner

from kg.annotations import linking, polarity
from kg.annotations.check import vocabulary_index
from kg.annotations.corpus import load_corpus
from kg.annotations.values import Issue
from kg.builder.validation import validate_corpus
from kg.cli import cli
from kg.ontology.load import OntologySources
from kg.ontology.quality import run_checks

from helpers.corpora import settings_for
from helpers.paths import DATA, ROOT

# -- data checks: (check, [(old, new) replacements in valid-instances.ttl], extra Turtle) ---------

WAR = 'ex:war-1 a pk:War ; rdfs:label "Ruritanian war"@en .'
ARMY_CAP = 'ex:army-cap a pk:ArmedForcesLimitProvision ; pk:limitedParty ex:{party} ; pk:provisionText "a cap"@en .'
WITH_CAP = ("pk:hasProvision ex:no-membership ;", "pk:hasProvision ex:no-membership , ex:army-cap ;")
CLAIM_TARGET = "pk:stance stance:criticises ;\n    pk:target ex:lakeside-plan ;"
DATA_CASES = {
    # name: (check, replacements, extra Turtle, expected to fire)
    "position targets its holder": (
        "self-target",
        [("pk:positionHolder ex:ruritania ;", "pk:positionHolder ex:ruritania ; pk:target ex:ruritania ;")],
        "",
        True,
    ),
    "claim targets its speaker": (
        "self-target",
        [(CLAIM_TARGET, "pk:stance stance:criticises ;\n    pk:target ex:ana ;")],
        "",
        True,
    ),
    "position targets another party": (
        "self-target",
        [("pk:positionHolder ex:ruritania ;", "pk:positionHolder ex:ruritania ; pk:target ex:freedonia ;")],
        "",
        False,
    ),
    "supports a war": (
        "stance-toward-war",
        [(CLAIM_TARGET, "pk:stance stance:supports ;\n    pk:target ex:war-1 ;")],
        WAR,
        True,
    ),
    "criticises a war": (
        "stance-toward-war",
        [(CLAIM_TARGET, "pk:stance stance:criticises ;\n    pk:target ex:war-1 ;")],
        WAR,
        False,
    ),
    "demands a limit on its own army": ("self-limiting-demand", [WITH_CAP], ARMY_CAP.format(party="ruritania"), True),
    "demands a limit on the other army": (
        "self-limiting-demand",
        [WITH_CAP],
        ARMY_CAP.format(party="freedonia"),
        False,
    ),
}
NEW_CHECKS = ("self-target", "stance-toward-war", "self-limiting-demand")
PREFIXES = """@prefix pk: <https://w3id.org/peacekg/ontology/> . @prefix ex: <https://example.org/fixture/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
"""


def _check(name: str) -> Path:
    """The check in ontology/data-checks/, or in ontology/data-checks/pending/ while the corpus
    still breaks it (validate warns instead: kg.annotations.polarity)."""
    sources = OntologySources.find(ROOT / "ontology")
    found = [p for p in sources.data_checks if p.name == f"{name}-violation.rq"]
    return found[0] if found else ROOT / "ontology" / "data-checks" / "pending" / f"{name}-violation.rq"


@pytest.mark.parametrize("name", NEW_CHECKS)
def test_polarity_check_passes_on_the_valid_fixture(name: str, ontology_graph: rdflib.Graph) -> None:
    [result] = run_checks([_check(name)], fixture_graph_text() + ontology_graph)
    assert result.rows == [], result.describe_rows()


def fixture_graph_text(replacements: list[tuple[str, str]] = (), extra: str = "") -> rdflib.Graph:  # type: ignore[assignment]
    text = (DATA / "ontology" / "valid-instances.ttl").read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    graph = rdflib.Graph().parse(data=text, format="turtle")
    if extra:
        graph.parse(data=PREFIXES + extra, format="turtle")
    return graph


@pytest.mark.parametrize("case", sorted(DATA_CASES))
def test_polarity_check_on_a_planted_case(case: str, ontology_graph: rdflib.Graph) -> None:
    name, replacements, extra, fires = DATA_CASES[case]
    [result] = run_checks([_check(name)], fixture_graph_text(replacements, extra) + ontology_graph)
    assert bool(result.rows) == fires, result.describe_rows()


# -- validate warnings: the fixture corpus (tests/data/corpus) plus a second article ------------

ARTICLE_META = """id: fx-002
title: Rurton speaks
outlet: fictional-gazette
author: null
genre: news
language: en
translated: false
published: {{earliest: 2025-03-01, latest: 2025-03-31, precision: month, inferred: true}}
regions:
  - {{id: body, type: body, start: 0, end: {end}}}
"""
TEXT = "Ruritanians want peace, a poll found. In 1890, Freedonia was a colony. Rurton rejects the Lakeside Plan."


def corpus(
    tmp_path: Path,
    *,
    reference: str = "",
    replace: tuple[tuple[str, str], ...] = (),
    mentions: str = "[]",
    statements: str = "[]",
) -> Path:
    """The fixture corpus with extra reference lines, replacements in fixture.yaml, and an article
    fx-002 (TEXT) with the given mentions and statements (YAML flow lists)."""
    root = tmp_path / "corpus"
    shutil.copytree(DATA / "corpus", root)
    ref = root / "reference" / "fixture.yaml"
    text = ref.read_text(encoding="utf-8")
    for old, new in replace:
        assert old in text, old
        text = text.replace(old, new, 1)
    ref.write_text(text + reference, encoding="utf-8")
    (root / "articles" / "fx-002.txt").write_text(TEXT, encoding="utf-8")
    (root / "articles" / "fx-002.yaml").write_text(ARTICLE_META.format(end=len(TEXT)), encoding="utf-8")
    (root / "annotations" / "fx-002.yaml").write_text(
        f"article: fx-002\nreview: reviewed\nannotators: [tests]\nmentions: {mentions}\nstatements: {statements}\n",
        encoding="utf-8",
    )
    return root


def warnings(root: Path) -> list[Issue]:
    vocabulary = vocabulary_index(settings_for(root.parent, root))
    loaded = load_corpus(root, vocabulary)
    assert loaded.issues == [], [str(i) for i in loaded.issues]
    return linking.linking_warnings(loaded, vocabulary)


def _rule(found: list[Issue], rule: str) -> list[str]:
    return [str(w) for w in found if f"({rule})" in w.message]


CAPITAL = "- {key: rurton, type: City, label: Rurton, description: Capital of Ruritania., located_in: ruritania}\n"
REJECTS = (
    "[{{id: s1, type: Claim, by: [{by}], stance: rejects, target: [lakeside-plan], summary: x, evidence: ['{quote}']}}]"
)
TARGETS_CITY = "[{id: s1, type: Claim, by: [ruritania], stance: rejects, target: [rurton], summary: x, evidence: ['Rurton rejects']}]"


def test_the_fixture_corpus_has_no_warning(tmp_path: Path) -> None:
    assert warnings(corpus(tmp_path)) == []


def test_a_capital_as_target_is_a_warning(tmp_path: Path) -> None:
    found = _rule(warnings(corpus(tmp_path, reference=CAPITAL, statements=TARGETS_CITY)), "linking rule 1")
    assert len(found) == 1 and "fx-002.yaml:5: statements[0].target[0]" in found[0] and "'ruritania'" in found[0]


def test_a_capital_linked_as_the_state_is_clean(tmp_path: Path) -> None:
    statements = REJECTS.format(by="ruritania", quote="Rurton rejects the Lakeside Plan")
    mentions = "[{quote: Rurton, ref: ruritania}]"
    assert warnings(corpus(tmp_path, reference=CAPITAL, mentions=mentions, statements=statements)) == []


def test_a_state_speaking_for_its_population_is_a_warning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(linking.DEMONYMS, "ruritania", ("Ruritanians",))
    planted = REJECTS.format(by="ruritania", quote="Ruritanians want peace")
    found = _rule(warnings(corpus(tmp_path, statements=planted)), "linking rule 1")
    assert len(found) == 1 and "statements[0].by[0]" in found[0] and "'Ruritanians'" in found[0]
    clean = REJECTS.format(by="freedonia", quote="Ruritanians want peace")  # not the state of the demonym
    assert warnings(corpus(tmp_path / "clean", statements=clean)) == []


FREEDONIA = "- {key: freedonia, type: State, label: Freedonia}"


def _dated(year: int) -> tuple[tuple[str, str]]:
    return ((FREEDONIA, f"- {{key: freedonia, type: State, label: Freedonia, date: {{earliest: '{year}-01-01'}}}}"),)


def test_a_state_linked_before_it_existed_is_a_warning(tmp_path: Path) -> None:
    mentions = "[{quote: Freedonia, ref: freedonia}]"
    found = _rule(warnings(corpus(tmp_path, replace=_dated(1895), mentions=mentions)), "linking rule 2")
    assert len(found) == 1 and "mentions[0]" in found[0] and "1890" in found[0]
    assert warnings(corpus(tmp_path / "clean", replace=_dated(1880), mentions=mentions)) == []
    noted = "[{quote: Freedonia, ref: freedonia, note: the colony of the time has no individual yet}]"
    assert warnings(corpus(tmp_path / "noted", replace=_dated(1895), mentions=noted)) == []


def test_a_treaty_party_that_did_not_exist_yet_is_a_warning(tmp_path: Path) -> None:
    found = _rule(warnings(corpus(tmp_path, replace=_dated(1905))), "linking rule 2")
    assert len(found) == 1 and "fixture.yaml" in found[0] and "parties[1]" in found[0]


@pytest.mark.parametrize(
    ("alias", "fires"),
    [
        ("the pact", "generic phrase"),
        ("June 1901", "is a date"),
        ("1901-06-01", "is a date"),
        ("Pact of the North", ""),
    ],
)
def test_generic_and_date_aliases_are_warnings(tmp_path: Path, alias: str, fires: str) -> None:
    old = "- {key: northern-pact, type: MilitaryAlliance, label: Northern Pact}"
    new = f"- {{key: northern-pact, type: MilitaryAlliance, label: Northern Pact, aliases: ['{alias}']}}"
    found = _rule(warnings(corpus(tmp_path, replace=((old, new),))), "linking rule 3")
    assert (len(found) == 1 and fires in found[0]) if fires else found == []


def test_an_alias_naming_two_individuals_is_a_warning_unless_noted(tmp_path: Path) -> None:
    other = "- {key: ana-exempla-junior, type: Person, label: Ana Exempla Junior, aliases: [Exempla]}\n"
    found = _rule(warnings(corpus(tmp_path, reference=other)), "linking rule 3")
    assert len(found) == 2 and all("also names" in w for w in found)  # both places
    noted = other.replace("}", ", note: 'Exempla alone is her mother, ana-exempla'}")
    assert _rule(warnings(corpus(tmp_path / "noted", reference=noted)), "linking rule 3") == []


def test_one_surface_form_linked_two_ways_is_a_warning_at_both_places(tmp_path: Path) -> None:
    mentions = "[{quote: Freedonia, ref: ruritania}]"
    found = _rule(warnings(corpus(tmp_path, mentions=mentions)), "linking rule 5")
    assert len(found) == 2
    first, second = sorted(found)  # fx-001's mention names fx-002's, and the other way round
    assert "fx-001.yaml:8: mentions[3]" in first and "'ruritania' at " in first and "fx-002.yaml:4" in first
    assert "fx-002.yaml:4: mentions[0]" in second and "'freedonia' at " in second and "fx-001.yaml:8" in second
    same = "[{quote: Freedonia, ref: freedonia}]"
    assert warnings(corpus(tmp_path / "same", mentions=same)) == []


def test_validate_prints_warnings_and_exits_zero(tmp_path: Path) -> None:
    root = corpus(tmp_path, mentions="[{quote: Freedonia, ref: ruritania}]")
    summary = validate_corpus(settings_for(tmp_path, root))
    assert summary.splitlines()[-1].startswith("corpus ok") and "2 warning(s)" in summary
    result = CliRunner().invoke(
        cli, ["annotations", "validate"], env={"PEACEKG_CORPUS_DIR": str(root)}, catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    assert "fx-002.yaml:4: mentions[0]: warning (linking rule 5)" in result.output
    assert "2 warning(s)" in result.output


# -- polarity patterns as validate warnings (while a data check is pending) ----------------------

WAR_REF = "- {key: ruritanian-war, type: War, label: Ruritanian war}\n"
POSITION = "{{id: s1, type: Position, holder: [ruritania], stance: {stance}, position_type: demand, {rest}, summary: x, evidence: ['Rurton rejects']}}"
POLARITY_CASES = {
    # name: (check, statement, fires)
    "position targets its holder": ("self-target", POSITION.format(stance="refuses", rest="target: [ruritania]"), True),
    "position targets another party": (
        "self-target",
        POSITION.format(stance="refuses", rest="target: [freedonia]"),
        False,
    ),
    "supports a war": (
        "stance-toward-war",
        "{id: s1, type: Claim, by: [ruritania], stance: supports, target: [ruritanian-war], summary: x, evidence: ['Rurton rejects']}",
        True,
    ),
    "opposes a war": (
        "stance-toward-war",
        "{id: s1, type: Claim, by: [ruritania], stance: opposes, target: [ruritanian-war], summary: x, evidence: ['Rurton rejects']}",
        False,
    ),
    "demands a limit on its own army": (
        "self-limiting-demand",
        POSITION.format(
            stance="demands",
            rest="provisions: [{type: ArmedForcesLimitProvision, text: a cap, limited_party: [ruritania]}]",
        ),
        True,
    ),
    "refuses a limit on its own army": (
        "self-limiting-demand",
        POSITION.format(
            stance="refuses",
            rest="provisions: [{type: ArmedForcesLimitProvision, text: a cap, limited_party: [ruritania]}]",
        ),
        False,
    ),
}


@pytest.mark.parametrize("case", sorted(POLARITY_CASES))
def test_polarity_warning_on_a_planted_case(tmp_path: Path, case: str) -> None:
    check, statement, fires = POLARITY_CASES[case]
    root = corpus(tmp_path, reference=WAR_REF, statements=f"[{statement}]")
    vocabulary = vocabulary_index(settings_for(tmp_path, root))
    loaded = load_corpus(root, vocabulary)
    assert loaded.issues == [], [str(i) for i in loaded.issues]
    found = [str(w) for w in linking.linking_warnings(loaded, vocabulary) if f"linking rule 4, {check}" in w.message]
    assert len(found) == (1 if fires else 0), found
    assert [
        w for w in linking.linking_warnings(loaded, vocabulary, {check}) if check in w.message
    ] == []  # left to the build


def test_the_polarity_warnings_mirror_the_data_checks() -> None:
    """Each pattern of kg.annotations.polarity has its SPARQL check, run by the build or pending."""
    for name in polarity.RULES:
        assert _check(name).exists(), name


def test_a_group_whose_only_member_is_a_state_is_a_warning(tmp_path: Path) -> None:
    public = "- {key: ruritanian-public, type: Group, label: the Ruritanian public, members: [ruritania]}\n"
    found = _rule(warnings(corpus(tmp_path, reference=public)), "linking rule 1")
    assert len(found) == 1 and "members[0]" in found[0] and "'ruritania'" in found[0]
    several = "- {key: two-states, type: Group, label: the two states, members: [ruritania, freedonia]}\n"
    assert warnings(corpus(tmp_path / "clean", reference=several)) == []


def test_a_cession_by_a_state_that_did_not_exist_yet_is_a_warning(tmp_path: Path) -> None:
    treaty = (
        "- {{key: cession-of-1899, type: PeaceTreaty, label: Cession of 1899, date: '1899', parties: [ruritania],"
        " provisions: [{{type: TerritorialProvision, text: a strip of land, ceded_by: [{party}]}}]}}\n"
    )
    planted = corpus(tmp_path, replace=_dated(1895), reference=treaty.format(party="freedonia"))
    assert warnings(planted) == []  # 1899: Freedonia existed
    later = corpus(tmp_path / "later", replace=_dated(1900), reference=treaty.format(party="freedonia"))
    found = _rule(warnings(later), "linking rule 2")
    assert any("provisions[0].ceded_by[0]" in w for w in found), found
