"""pk:ContestedStatement, the page key of queries/cq12-disagreements.rq, which the build infers
(kg.builder.rules, the pk-contested-* rules): on the seeds and on a small synthetic corpus,
built by the real build, its members are exactly the statements the query's page driver selected
before the key existed (the driver below, run over the same store), and the comparison has teeth:
the same driver without its "another actor" test, or without one way of sharing a subject,
selects another set on the same stores."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph
import pytest

from kg.store.builds import open_store

from helpers.statements import selected_statements

PREFIXES = """PREFIX pk: <https://w3id.org/peacekg/ontology/>
PREFIX stance: <https://w3id.org/peacekg/vocab/stance/>
"""
FOR = """VALUES ?anyStance { stance:supports stance:accepts stance:proposes stance:offers stance:considers stance:trusts
                         stance:demands stance:urges stance:asserts stance:predicts }"""
AGAINST = """VALUES ?againstStance { stance:opposes stance:rejects stance:refuses stance:criticises stance:distrusts
                                 stance:doubts stance:denies stance:warns }"""
ACTOR = """OPTIONAL {{ ?{node} pk:positionHolder|pk:claimant ?{s}Holder }}
           BIND(COALESCE(?{s}Holder, ?{s}Speaker) AS ?{s}Actor)"""
# The three ways of sharing a subject, each with the MIN/MAX of the "against" actors it reaches.
SHARED = f"""?statement pk:target ?anySubject .
    {{ SELECT ?anySubject (MIN(STR(?againstActor)) AS ?firstOther) (MAX(STR(?againstActor)) AS ?lastOther)
      WHERE {{ ?against pk:stance ?againstStance ; pk:target ?anySubject ; pk:attributedTo ?againstSpeaker .
              {AGAINST} {ACTOR.format(node="against", s="against")} }}
      GROUP BY ?anySubject }}"""
TARGETED = f"""{{ SELECT ?statement (MIN(STR(?againstActor)) AS ?firstOther) (MAX(STR(?againstActor)) AS ?lastOther)
      WHERE {{ ?against pk:target ?statement ; pk:stance ?againstStance ; pk:attributedTo ?againstSpeaker .
              {AGAINST} {ACTOR.format(node="against", s="against")} }}
      GROUP BY ?statement }}"""
TARGETS = f"""?statement pk:target ?against .
    {{ SELECT ?against (MIN(STR(?againstActor)) AS ?firstOther) (MAX(STR(?againstActor)) AS ?lastOther)
      WHERE {{ ?against pk:stance ?againstStance ; pk:attributedTo ?againstSpeaker .
              {AGAINST} {ACTOR.format(node="against", s="against")} }}
      GROUP BY ?against }}"""
ANOTHER_ACTOR = "FILTER(?firstActor != ?lastOther || ?lastActor != ?firstOther)"


def old_driver(ways: tuple[str, ...] = (SHARED, TARGETED, TARGETS), test: str = ANOTHER_ACTOR) -> str:
    """cq12-disagreements' page driver before pk:ContestedStatement (commit a96fe0d), without its
    cursor and LIMIT: every "for" statement with an "against" statement by another actor (MIN/MAX
    of the two sides' actors not all one value) on a shared subject."""
    union = " UNION ".join("{ " + way + " }" for way in ways)
    return f"""{PREFIXES}
SELECT DISTINCT ?statement WHERE {{
  {{ SELECT ?statement (MIN(STR(?anyActor)) AS ?firstActor) (MAX(STR(?anyActor)) AS ?lastActor)
    WHERE {{ ?statement pk:stance ?anyStance ; pk:attributedTo ?anySpeaker . {FOR} {ACTOR.format(node="statement", s="any")} }}
    GROUP BY ?statement }}
  {union}
  {test}
}}"""


def contested(store: pyoxigraph.Store) -> set[str]:
    return selected_statements(store, PREFIXES + "SELECT ?statement WHERE { ?statement a pk:ContestedStatement }")


@pytest.fixture(scope="module", params=["seeds", "synthetic"])
def store(request: pytest.FixtureRequest, seed_build, synthetic_build) -> pyoxigraph.Store:
    return open_store(Path((seed_build if request.param == "seeds" else synthetic_build).build_dir))


def test_the_class_is_the_old_page_driver(store: pyoxigraph.Store) -> None:
    expected = selected_statements(store, old_driver())
    found = contested(store)
    assert expected, "no contested statement: the comparison proves nothing"
    assert found == expected, (
        f"only inferred: {sorted(found - expected)[:3]}; only the driver: {sorted(expected - found)[:3]}"
    )


def test_the_comparison_would_catch_a_wrong_rule(store: pyoxigraph.Store) -> None:
    """A rule without the actor test, or without a way of sharing a subject, gives another set on
    these stores, so the test above would fail for it."""
    whole = selected_statements(store, old_driver())
    assert selected_statements(store, old_driver(test="")) != whole, "no pair by one actor: the actor test is untested"
    assert selected_statements(store, old_driver(ways=(TARGETED, TARGETS))) != whole, (
        "the shared-target way is untested"
    )


def test_each_way_of_sharing_a_subject_is_exercised(seed_build, synthetic_build) -> None:
    """Over the two stores, each of the other two ways selects a statement the others do not."""
    for way, others in ((TARGETED, (SHARED, TARGETS)), (TARGETS, (SHARED, TARGETED))):
        differs = [
            selected_statements(s, old_driver()) != selected_statements(s, old_driver(ways=others))
            for s in (open_store(Path(seed_build.build_dir)), open_store(Path(synthetic_build.build_dir)))
        ]
        assert any(differs), f"no store needs {way.split()[0:3]}: a rule for it would go untested"
