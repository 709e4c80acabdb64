"""A key is checked against the class its field takes (kg.annotations.requirements.KEY_RANGE), so that
`annotations validate` refuses what the build's shapes would refuse, with file, line and field."""

from __future__ import annotations

import pytest

from kg.annotations.definitions import reference_problem
from kg.annotations.vocabulary import VocabularyIndex
from kg.ontology.load import load_ontology

from helpers.paths import ROOT

KEYS = {
    "russo-ukrainian-war": ("War", "reference/events.yaml"),
    "ukraine": ("State", "reference/states-and-places.yaml"),
    "european-allies": ("Group", "reference/organisations.yaml"),
    "crimea": ("Region", "reference/states-and-places.yaml"),
}


@pytest.fixture(scope="module")
def vocabulary() -> VocabularyIndex:
    return VocabularyIndex.from_graph(load_ontology(ROOT / "ontology"))


@pytest.mark.parametrize("key", ["ukraine", "european-allies", "crimea"])
def test_a_figure_concerns_an_agent_or_a_place(vocabulary: VocabularyIndex, key: str) -> None:
    assert reference_problem(("statements", 3, "concerns", 0), key, KEYS, vocabulary) is None


def test_a_figure_concerning_a_war_is_refused_as_the_shapes_would(vocabulary: VocabularyIndex) -> None:
    problem = reference_problem(("statements", 3, "concerns", 0), "russo-ukrainian-war", KEYS, vocabulary)
    assert problem == "'russo-ukrainian-war' is a War, but 'concerns' takes a Agent or Place"
