"""Each data check declares its locality in its header (ontology/data-checks/README.md), and a check
declared local reads nothing beyond one article's graph, the reference and the ontology: over the
seed corpus's graphs, with defects planted in each article (values rotated among that article's
own triples, so that the checks have rows), every local check gives over the union exactly the
rows it gives over each article graph alone with the reference and the ontology."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph
import pytest

from kg.builder import data_checks
from kg.ontology.load import OntologySources
from kg.ontology.quality import run_check
from kg.store.builds import open_store

from helpers.paths import ROOT

CHECKS = OntologySources.find(ROOT / "ontology").data_checks
BASE = "https://w3id.org/peacekg/"
PK = "https://w3id.org/peacekg/ontology/"
OA = "http://www.w3.org/ns/oa#"
# the objects rotated among an article's own triples of each predicate: each makes some local check
# find rows (a quote or count that no longer fits, a statement targeting its own holder, evidence
# from another document of the article, a limit on a party's own forces)
ROTATED = [f"{OA}exact", f"{PK}target", f"{PK}limitedParty", f"{OA}hasSource", f"{PK}positionHolder"]
DERIVED_FROM = "http://www.w3.org/ns/prov#wasDerivedFrom"


def test_every_check_declares_its_locality() -> None:
    assert {path.name: data_checks.locality(path) for path in CHECKS} == {
        path.name: path.read_text(encoding="utf-8").split("# locality: ", 1)[1].split()[0] for path in CHECKS
    }
    assert {data_checks.locality(path) for path in CHECKS} == {"local", "global"}


def _rotated(quads: list[pyoxigraph.Quad]) -> list[pyoxigraph.Quad]:
    out = list(quads)
    for predicate in ROTATED:
        at = [i for i, q in enumerate(out) if q.predicate.value == predicate]
        for i, j in zip(at, at[1:] + at[:1], strict=True):
            q = quads[j]
            out[i] = pyoxigraph.Quad(out[i].subject, out[i].predicate, q.object, out[i].graph_name)
    # an article has one document: its count one more, every other statement derived from itself
    for i, q in enumerate(out):
        if q.predicate.value == f"{PK}characterCount" and isinstance(q.object, pyoxigraph.Literal):
            count = pyoxigraph.Literal(str(int(q.object.value) + 1), datatype=q.object.datatype)
            out[i] = pyoxigraph.Quad(q.subject, q.predicate, count, q.graph_name)
        elif q.predicate.value == DERIVED_FROM and i % 2:
            out[i] = pyoxigraph.Quad(q.subject, q.predicate, q.subject, q.graph_name)
    return out


@pytest.fixture(scope="module")
def planted(seed_build) -> tuple[dict[str, list[pyoxigraph.Quad]], list[pyoxigraph.Quad]]:
    """Each seed article graph with its defects, and the reference and ontology graphs."""
    store = open_store(Path(seed_build.build_dir))
    articles: dict[str, list[pyoxigraph.Quad]] = {}
    shared: list[pyoxigraph.Quad] = []
    for graph in store.named_graphs():
        quads = list(store.quads_for_pattern(None, None, None, graph))
        if graph.value.startswith(f"{BASE}graph/article/"):
            articles[graph.value] = _rotated(quads)
        elif graph.value in (f"{BASE}graph/reference", f"{BASE}graph/ontology"):
            shared += quads
    assert len(articles) >= 5 and shared
    return articles, shared


def _rows(path: Path, *parts: list[pyoxigraph.Quad]) -> set[tuple[str, ...]]:
    store = pyoxigraph.Store()
    for quads in parts:
        store.extend(quads)
    return {tuple(row.values()) for row in run_check(path, store, union=True).rows}


@pytest.mark.parametrize("check", [p for p in CHECKS if data_checks.locality(p) == "local"], ids=lambda p: p.name)
def test_a_local_check_gives_over_the_union_what_it_gives_article_by_article(check: Path, planted) -> None:
    articles, shared = planted
    union = _rows(check, shared, *articles.values())
    assert union, f"the planted defects give {check.name} no row: the comparison would prove nothing"
    alone = set().union(*(_rows(check, shared, quads) for quads in articles.values()))
    assert alone == union


def test_the_comparison_catches_a_check_that_reads_another_article(tmp_path: Path, planted) -> None:
    """A check that joins two articles' mentions of one individual (declared local, wrongly) gives
    rows over the union that no article alone gives: the comparison above tells."""
    check = tmp_path / "mentioned-twice-violation.rq"
    check.write_text(
        f"# title: an individual mentioned in two documents\n# locality: local\nPREFIX oa: <{OA}>\n"
        "SELECT DISTINCT ?x WHERE { ?m1 oa:hasBody ?x ; oa:hasTarget ?t1 . ?t1 oa:hasSource ?d1 . "
        "?m2 oa:hasBody ?x ; oa:hasTarget ?t2 . ?t2 oa:hasSource ?d2 . FILTER(STR(?d1) < STR(?d2)) }\n",
        encoding="utf-8",
    )
    articles, shared = planted
    union = _rows(check, shared, *articles.values())
    alone = set().union(*(_rows(check, shared, quads) for quads in articles.values()))
    assert alone < union
