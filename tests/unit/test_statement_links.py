"""Links between statements, within and across articles (issue 15, item 5): the reference syntax
('#s3' in the same file, '<article id>#s3' in another article's), its validation (file:line: field:
message), its mapping to the statement's IRI, and what the build derives from it (pk:bearsOn,
pk:disputes, pk:endorses by the stance; pk:headOf / pk:ledBy from a head's role in a government)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph
import pytest
import rdflib

from kg.annotations.corpus import load_corpus
from kg.annotations.vocabulary import VocabularyIndex
from kg.builder.inference import materialise
from kg.mapping.iris import Minter
from kg.mapping.values import Emitter

from helpers.corpora import make_corpus

PK = "https://w3id.org/peacekg/ontology/"
EX = "https://example.org/"
SECOND = "annotations/fx-002.yaml"


@pytest.fixture(scope="module")
def vocabulary(ontology_graph) -> VocabularyIndex:
    return VocabularyIndex.from_graph(ontology_graph)


@pytest.fixture()
def two_articles(tmp_path: Path) -> Path:
    return make_corpus(tmp_path, articles=2)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture changed: {old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text in line)


def test_a_statement_of_another_article_is_a_valid_target_about_or_dispute(two_articles, vocabulary) -> None:
    second = two_articles / SECOND
    edit(second, "target: ['#s1']", "target: ['#s1', 'fx-001#s1']\n    about: ['fx-001#s2']")
    edit(
        second,
        "    summary: A reader expects peace.",
        "    disputes: ['fx-001#s3']\n    summary: A reader expects peace.",
    )
    assert load_corpus(two_articles, vocabulary).issues == []


@pytest.mark.parametrize(
    ("old", "new", "field", "message"),
    [
        (
            "target: ['#s1']",
            "target: ['fx-001#s9']",
            "statements[2].target[0]",
            "no statement with id 's9' in the annotations of article fx-001",
        ),
        (
            "target: ['#s1']",
            "target: ['fx-404#s1']",
            "statements[2].target[0]",
            "no annotation file for article 'fx-404'",
        ),
        ("target: ['#s1']", "target: ['fx-001#']", "statements[2].target[0]", "not a statement reference"),
        (
            "    summary: A reader expects peace.",
            "    endorses: [lakeside-plan]\n    summary: A reader expects peace.",
            "statements[2].endorses[0]",
            "not a statement reference",
        ),
    ],
    ids=["no-such-statement", "no-such-article", "malformed", "entity-as-statement"],
)
def test_a_bad_statement_reference_is_reported_with_file_line_and_field(
    two_articles, vocabulary, old, new, field, message
) -> None:
    second = two_articles / SECOND
    edit(second, old, new)
    issues = load_corpus(two_articles, vocabulary).issues
    matching = [i for i in issues if i.file.endswith(SECOND) and i.field == field and message in i.message]
    assert matching, "\n".join(map(str, issues))
    written = new.split("\n")[-2] if "\n" in new else new
    assert matching[0].line == line_of(second, written.strip()), str(matching[0])


def test_a_statement_reference_maps_to_the_statement_iri(vocabulary) -> None:
    minter = Minter("https://w3id.org/peacekg/")
    out = Emitter(rdflib.Graph(), minter, vocabulary, local=lambda sid: minter.statement("002_x", sid))
    assert out.key("001_8d381c327fafc0c6#s54") == minter.statement("001_8d381c327fafc0c6", "s54")
    assert out.key("#s3") == minter.statement("002_x", "s3")
    assert out.key("russia") == minter.resource("russia")


def _inferred(ontology_graph: rdflib.Graph, data: str) -> set[tuple[str, str, str]]:
    store = pyoxigraph.Store()
    store.load(ontology_graph.serialize(format="nt").encode(), format=pyoxigraph.RdfFormat.N_TRIPLES)
    store.load(data.encode(), format=pyoxigraph.RdfFormat.TURTLE)
    return {
        (str(t.subject.value), str(t.predicate.value), str(t.object.value))
        for t in materialise(store, ontology_graph).inferred
    }


def test_the_stance_toward_a_statement_types_the_link(ontology_graph) -> None:
    data = f"""
    @prefix pk: <{PK}> . @prefix ex: <{EX}> . @prefix st: <https://w3id.org/peacekg/vocab/stance/> .
    ex:ready a pk:Position .
    ex:doubt a pk:Claim ; pk:stance st:doubts ; pk:target ex:ready .
    ex:deny a pk:Claim ; pk:stance st:denies ; pk:target ex:ready .
    ex:reject a pk:Position ; pk:stance st:rejects ; pk:target ex:ready .
    ex:agree a pk:Claim ; pk:stance st:asserts ; pk:target ex:ready .
    ex:back a pk:Claim ; pk:stance st:supports ; pk:target ex:ready .
    ex:predict a pk:Claim ; pk:stance st:predicts ; pk:target ex:ready .
    ex:mention a pk:Claim ; pk:stance st:asserts ; pk:target ex:someone ; pk:about ex:ready .
    ex:refusal a pk:Position ; pk:stance st:refuses ; pk:target ex:compromise ; pk:disputes ex:ready .
    """
    inferred = _inferred(ontology_graph, data)

    def linked(relation: str) -> set[str]:
        return {s.removeprefix(EX) for s, p, o in inferred if p == PK + relation and o == EX + "ready"}

    assert linked("disputes") == {"doubt", "deny", "reject"}  # an asserted pk:disputes is not re-inferred
    assert linked("endorses") == {"agree", "back"}
    assert linked("bearsOn") == {"doubt", "deny", "reject", "agree", "back", "predict", "mention", "refusal"}
    assert not {(s, o) for s, p, o in inferred if p == PK + "bearsOn" and o in (EX + "someone", EX + "compromise")}


def test_a_head_of_state_role_in_an_administration_makes_its_leader(ontology_graph) -> None:
    data = f"""
    @prefix pk: <{PK}> . @prefix ex: <{EX}> . @prefix rt: <https://w3id.org/peacekg/vocab/role-type/> .
    ex:trump a pk:Person . ex:admin a pk:Government . ex:usa a pk:State . ex:waltz a pk:Person .
    ex:r1 a pk:RoleAssignment ; pk:holder ex:trump ; pk:roleType rt:head-of-state ; pk:roleIn ex:usa , ex:admin .
    ex:r2 a pk:RoleAssignment ; pk:holder ex:waltz ; pk:roleType rt:official ; pk:roleIn ex:admin .
    """
    inferred = _inferred(ontology_graph, data)
    assert {(s, o) for s, p, o in inferred if p == PK + "ledBy"} == {(EX + "admin", EX + "trump")}
    assert {(s, o) for s, p, o in inferred if p == PK + "headOf"} == {(EX + "trump", EX + "admin")}


def test_the_seed_corpus_links_statements_across_articles(seed_build) -> None:
    from kg.store.builds import open_store

    store = open_store(Path(seed_build.build_dir))
    article = "https://w3id.org/peacekg/article/"
    query = f"""PREFIX pk: <{PK}>
    SELECT ?s WHERE {{ ?s pk:disputes <{article}002_812b4db44989ec20/statement/s11> }}"""
    disputing = {
        str(row["s"].value).removeprefix(article) for row in store.query(query, use_default_graph_as_union=True)
    }
    assert {
        "001_8d381c327fafc0c6/statement/s23",
        "001_8d381c327fafc0c6/statement/s55",
        "003_4f3bc5a24f05ce64/statement/s77",
        "004_e4a9586795b55eb4/statement/s14",
    } <= disputing
