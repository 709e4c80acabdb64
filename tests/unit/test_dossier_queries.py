"""The dossier panels' stored queries (queries/actor-*.rq, proposal-*.rq, precedent-*.rq,
event-*.rq, article-*.rq): the rows each must return on the graph built from the seed articles, as
RDF terms, with consistent evidence. test_stored_queries.py runs these cases with its own (and
checks that every stored query has some); the rendering is tested in tests/system/test_dossiers.py."""

from __future__ import annotations

import pytest

from kg.queries.stored import find, load_all

from helpers.dossier_query_cases import DOSSIER_CASES


def test_every_dossier_query_has_cases() -> None:
    dossier = {q.name for q in load_all()[0] if "dossier" in q.tags}
    assert dossier == {name for name, _, _ in DOSSIER_CASES}


@pytest.mark.parametrize("name", sorted({n for n, _, _ in DOSSIER_CASES}))
def test_dossier_queries_project_labels_beside_iris(name: str) -> None:
    """The label convention (queries/README.md): a label column is named after its IRI column."""
    import re

    projected = re.search(r"SELECT(.*?)WHERE", find(name).text, re.S)
    assert projected
    names = set(re.findall(r"\?(\w+)", projected.group(1)))
    for label in (n for n in names if n.endswith("Label")):
        assert label[: -len("Label")] in names, (name, label)


def test_the_polarities_written_out_in_actor_agreements_match_the_stance_vocabulary() -> None:
    """actor-agreements.rq lists each positive and negative stance with its polarity (a transitive
    skos:broader path per pair of statements cost more than the pairing): the actor's side in a
    VALUES block, the other side and the driver in IN lists (every polar stance, or in the IF the
    positive ones). Each is the vocabulary's."""
    import re

    import rdflib

    from helpers.paths import ROOT

    skos = rdflib.Namespace("http://www.w3.org/2004/02/skos/core#")
    stance = "https://w3id.org/peacekg/vocab/stance/"
    graph = rdflib.Graph().parse(ROOT / "ontology" / "vocab" / "stance.ttl")
    expected = set()
    for concept in set(graph.subjects(skos.inScheme, None)):
        for top in graph.transitive_objects(concept, skos.broader):
            if top != concept and str(top) in (stance + "positive", stance + "negative"):
                expected.add((str(concept)[len(stance) :], str(top)[len(stance) :]))
    text = find("actor-agreements").text
    blocks = re.findall(r"VALUES \(\?\w*[sS]tance \?\w*[pP]olarity\) \{(.*?)\}\n", text, re.S)
    assert len(blocks) == 1 and len(expected) >= 10
    assert set(re.findall(r"\(stance:([\w-]+) stance:(\w+)\)", blocks[0])) == expected
    polar = {concept for concept, _ in expected}
    positive = {concept for concept, top in expected if top == "positive"}
    lists = [set(re.findall(r"stance:([\w-]+)", items)) for items in re.findall(r"\bIN \(([^)]*)\)", text)]
    lists = [listed for listed in lists if listed]  # not the labels' LANG(…) IN ("en", "")
    assert polar in lists and positive in lists
    assert all(listed in (polar, positive) for listed in lists), lists
