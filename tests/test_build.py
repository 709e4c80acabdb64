"""peacekg build: named graphs, provenance on every fact, determinism, incremental rebuilds,
and atomicity (a failed or killed build leaves the previous store serving)."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph
import pytest
from conftest import DATA, ROOT

from kg.builder.pipeline import build
from kg.errors import ValidationError
from kg.settings import load_settings
from kg.store.builds import current_build, open_store, read_manifest

BASE = "https://w3id.org/peacekg/"
PK = "https://w3id.org/peacekg/ontology/"


def make_corpus(tmp_path: Path, articles: int = 2) -> Path:
    """The fixture corpus, with its article copied under further ids (fx-002…)."""
    corpus = tmp_path / "corpus"
    shutil.copytree(DATA / "corpus", corpus)
    for n in range(2, articles + 1):
        new = f"fx-{n:03d}"
        for sub, suffix in (("articles", ".txt"), ("articles", ".yaml"), ("annotations", ".yaml")):
            text = (corpus / sub / f"fx-001{suffix}").read_text(encoding="utf-8")
            if suffix == ".yaml":
                text = text.replace("fx-001", new).replace("key: lakeside-plan", f"key: lakeside-plan-{n}")
                text = text.replace("target: [lakeside-plan]", f"target: [lakeside-plan-{n}]")
            (corpus / sub / f"{new}{suffix}").write_text(text, encoding="utf-8")
    return corpus


def settings_for(tmp_path: Path, corpus: Path, build_dir: str = "build", ontology: Path | None = None):
    return load_settings(
        config_file=None,
        environ={},
        overrides={
            "corpus_dir": corpus,
            "ontology_dir": ontology or ROOT / "ontology",
            "build_dir": tmp_path / build_dir,
        },
    )


def quads(settings) -> set[str]:
    store = open_store(Path(settings.build_dir))
    return {str(q) for q in store}


def test_build_writes_named_graphs(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, make_corpus(tmp_path))
    report = build(settings)
    graphs = {str(g.value) for g in open_store(Path(settings.build_dir)).named_graphs()}
    assert graphs == {
        BASE + "graph/" + g for g in ("ontology", "reference", "inferred", "article/fx-001", "article/fx-002")
    }
    assert report.graphs["inferred"] > 0 and report.build == current_build(Path(settings.build_dir))


def test_statement_provenance_and_text_are_queryable(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, make_corpus(tmp_path, articles=1))
    build(settings)
    store = open_store(Path(settings.build_dir))
    query = f"""PREFIX pk: <{PK}> PREFIX oa: <http://www.w3.org/ns/oa#> PREFIX prov: <http://www.w3.org/ns/prov#>
    SELECT ?quote ?inText WHERE {{ GRAPH <{BASE}graph/article/fx-001> {{
        <{BASE}article/fx-001/statement/s1> pk:attributedTo <{BASE}resource/ana-exempla> ;
            prov:wasDerivedFrom <{BASE}article/fx-001> ; pk:hasEvidence ?e .
        ?e a pk:EvidenceAnnotation ; oa:hasTarget ?span .
        ?span oa:hasSource ?doc ; oa:hasSelector [ oa:exact ?quote ] , [ oa:start ?s ; oa:end ?end ] .
        ?doc pk:text ?text . BIND(SUBSTR(?text, ?s + 1, ?end - ?s) AS ?inText) }} }}"""
    [row] = list(store.query(query))
    assert (
        row["quote"].value
        == row["inText"].value
        == "Minister Ana Exempla said on Monday that the Lakeside Plan is a trap."
    )


def test_every_non_ontology_triple_is_covered_by_provenance(tmp_path: Path) -> None:
    """Article graphs: every subject is evidenced, or part of the evidence structure, or a node of
    an evidenced subject (its time span, quantity, provisions). Reference graph: every subject is
    derived from a source, or a node of one that is, or a source itself."""
    settings = settings_for(tmp_path, make_corpus(tmp_path, articles=1))
    build(settings)
    store = open_store(Path(settings.build_dir))
    query = f"""PREFIX pk: <{PK}> PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX oa: <http://www.w3.org/ns/oa#>
    SELECT DISTINCT ?g ?s WHERE {{
      GRAPH ?g {{ ?s ?p ?o }} FILTER(?g NOT IN (<{BASE}graph/ontology>, <{BASE}graph/inferred>))
      FILTER NOT EXISTS {{ GRAPH ?g {{ ?s pk:hasEvidence|prov:wasDerivedFrom|prov:hadPrimarySource ?src }} }}
      FILTER NOT EXISTS {{ GRAPH ?g {{ ?s a ?structural }}
        VALUES ?structural {{ pk:Article pk:ReaderComment pk:TextRegion pk:TextSpan pk:Mention pk:EvidenceAnnotation
                              oa:TextPositionSelector oa:TextQuoteSelector pk:Document pk:AnonymousSource }} }}
      FILTER NOT EXISTS {{ GRAPH ?g {{ {{ ?owner pk:hasEvidence|prov:wasDerivedFrom|prov:hadPrimarySource ?src2 }}
                                       UNION {{ ?owner a pk:Article }} }}
                           FILTER(STRSTARTS(STR(?s), CONCAT(STR(?owner), "/"))) }}
    }}"""
    uncovered = [(r["g"].value, r["s"].value) for r in store.query(query)]
    assert uncovered == []


def test_builds_are_deterministic(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path)
    first, second = settings_for(tmp_path, corpus, "a"), settings_for(tmp_path, corpus, "b")
    build(first)
    build(second)
    assert quads(first) == quads(second)
    assert (
        read_manifest(current_build(Path(first.build_dir)))["build"]
        == read_manifest(current_build(Path(second.build_dir)))["build"]
    )


def test_rebuild_is_incremental(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path, articles=3)
    settings = settings_for(tmp_path, corpus)
    full = build(settings)
    assert sorted(full.rebuilt) == ["article/fx-001", "article/fx-002", "article/fx-003", "reference"]
    assert build(settings).nothing_to_do
    annotation = corpus / "annotations" / "fx-002.yaml"
    annotation.write_text(
        annotation.read_text(encoding="utf-8").replace("calls the Lakeside Plan a trap", "calls the plan a trap"),
        encoding="utf-8",
    )
    again = build(settings)
    assert again.rebuilt == ["article/fx-002"]
    assert sorted(again.reused) == ["article/fx-001", "article/fx-003", "reference"]
    summaries = open_store(Path(settings.build_dir)).query(
        f'ASK {{ GRAPH <{BASE}graph/article/fx-002> {{ ?s <{PK}summary> "Exempla calls the plan a trap."@en }} }}'
    )
    assert summaries


def test_failed_validation_keeps_the_previous_store(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path, articles=1)
    settings = settings_for(tmp_path, corpus)
    build(settings)
    before = current_build(Path(settings.build_dir))
    ontology = tmp_path / "ontology"
    shutil.copytree(ROOT / "ontology", ontology)
    shapes = ontology / "shapes" / "statements.ttl"
    shapes.write_text(
        shapes.read_text(encoding="utf-8").replace(
            "sh:property [ sh:path pk:directQuote ; sh:maxCount 1 ; sh:datatype xsd:boolean ] ;",
            "sh:property [ sh:path pk:directQuote ; sh:minCount 1 ; sh:datatype xsd:boolean ] ;",
        ),
        encoding="utf-8",
    )
    with pytest.raises(ValidationError) as caught:
        build(settings.replace(ontology_dir=ontology))
    assert any(
        "article fx-001, statement s1" in d
        and "annotations/fx-001.yaml:" in d
        and 'span at 0: "Minister Ana Exempla' in d
        for d in caught.value.details
    ), caught.value.details
    assert current_build(Path(settings.build_dir)) == before
    assert len(open_store(Path(settings.build_dir))) > 0


@pytest.mark.slow
def test_kill_during_build_leaves_the_previous_store(tmp_path: Path) -> None:
    """kill -9 a build at random moments: `current` always names a complete store, and the next
    build succeeds."""
    corpus = make_corpus(tmp_path, articles=3)
    settings = settings_for(tmp_path, corpus)
    build(settings)
    previous = current_build(Path(settings.build_dir))
    count = len(open_store(Path(settings.build_dir)))
    env = {
        **os.environ,
        "PEACEKG_CORPUS_DIR": str(corpus),
        "PEACEKG_BUILD_DIR": str(settings.build_dir),
        "PEACEKG_ONTOLOGY_DIR": str(ROOT / "ontology"),
    }
    rng = random.Random(20261123)
    for attempt in range(4):
        annotation = corpus / "annotations" / "fx-001.yaml"
        annotation.write_text(annotation.read_text(encoding="utf-8") + f"\n# edit {attempt}\n", encoding="utf-8")
        process = subprocess.Popen(
            [sys.executable, "-m", "kg.cli", "build"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.5, 4.0))
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
        process.wait()
        current = current_build(Path(settings.build_dir))
        assert current is not None and (current / "manifest.json").is_file()
        if process.returncode == -signal.SIGKILL:
            assert current == previous, f"attempt {attempt}: the killed build switched the store"
        store = open_store(Path(settings.build_dir))
        assert len(store) >= count - 50  # a complete store, the previous one or a finished new one
        previous = current
    final = build(settings)
    assert not final.nothing_to_do and current_build(Path(settings.build_dir)) == final.build


def test_python_api(tmp_path: Path) -> None:
    import kg

    settings = settings_for(tmp_path, make_corpus(tmp_path, articles=1))
    report = kg.build(settings=settings)
    store = kg.open_store(settings=settings)
    rows = kg.query(f"SELECT ?s ?label WHERE {{ ?s a <{PK}Claim> ; <{PK}summary> ?label }} ORDER BY ?s", store)
    assert report.triples > 0 and len(rows) == 2
    assert isinstance(rows[0]["s"], pyoxigraph.NamedNode) and rows[0]["label"].language == "en"
    assert kg.query(f"ASK {{ ?x <{PK}mentionedIn> ?doc }}", store) is True
