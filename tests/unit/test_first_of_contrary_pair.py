"""pk:FirstOfContraryPair, the page key of queries/contradictions.rq, which the build infers
(kg.builder.rules, pk-first-of-contrary-pair): on the seeds and on a small synthetic corpus, built
by the real build, its members are exactly the statements the query's page driver selected before
the key existed (the driver below, run over the same store), and the comparison has teeth: the
driver without its IRI order (every statement with a contrary one) selects another set."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph
import pytest

from kg.store.builds import open_store

from helpers.statements import selected_statements

PREFIXES = "PREFIX pk: <https://w3id.org/peacekg/ontology/>\n"
FIRST = "FILTER(STR(?statement) < ?lastOther)"


def old_driver(test: str = FIRST) -> str:
    """contradictions' page driver before pk:FirstOfContraryPair, without its cursor and LIMIT:
    every statement with a contrary statement of greater IRI on one of its targets (MAX(STR(other))
    per target and contrary stance)."""
    return f"""{PREFIXES}
SELECT DISTINCT ?statement WHERE {{
  ?stance pk:contraryStance ?firstOtherStance .
  ?statement pk:stance ?stance ; pk:target ?firstTarget .
  {{ SELECT ?firstOtherStance ?firstTarget (MAX(STR(?anyOther)) AS ?lastOther)
    WHERE {{ ?anyOther pk:stance ?firstOtherStance ; pk:target ?firstTarget }}
    GROUP BY ?firstOtherStance ?firstTarget }}
  {test}
}}"""


@pytest.fixture(scope="module", params=["seeds", "synthetic"])
def store(request: pytest.FixtureRequest, seed_build, synthetic_build) -> pyoxigraph.Store:
    return open_store(Path((seed_build if request.param == "seeds" else synthetic_build).build_dir))


def test_the_class_is_the_old_page_driver(store: pyoxigraph.Store) -> None:
    expected = selected_statements(store, old_driver())
    found = selected_statements(store, PREFIXES + "SELECT ?statement WHERE { ?statement a pk:FirstOfContraryPair }")
    assert expected, "no contrary pair: the comparison proves nothing"
    assert found == expected, (
        f"only inferred: {sorted(found - expected)[:3]}; only the driver: {sorted(expected - found)[:3]}"
    )


def test_the_comparison_would_catch_a_rule_without_the_order(store: pyoxigraph.Store) -> None:
    """Every statement of a contrary pair is more than the first ones: the last of each is not."""
    assert selected_statements(store, old_driver(test="")) != selected_statements(store, old_driver())
