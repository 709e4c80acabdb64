"""peacekg export: dumps that round-trip to the store, byte-identical across runs, and a VoID
description whose numbers are the store's."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pyoxigraph
import pytest
import rdflib

from kg.builder.pipeline import build
from kg.store.builds import open_store
from kg.store.export import export

from helpers.corpora import make_corpus, settings_for
from helpers.paths import ROOT


@pytest.fixture()
def built(tmp_path: Path):
    settings = settings_for(tmp_path, make_corpus(tmp_path, articles=2))
    build(settings)
    return settings


def store_quads(settings) -> set[pyoxigraph.Quad]:
    return set(open_store(Path(settings.build_dir)))


def test_trig_and_nquads_round_trip(built) -> None:
    export(built)
    dumps = Path(built.build_dir) / "dumps"
    expected = store_quads(built)
    for name, fmt in (("peacekg.trig", pyoxigraph.RdfFormat.TRIG), ("peacekg.nq", pyoxigraph.RdfFormat.N_QUADS)):
        assert set(pyoxigraph.parse((dumps / name).read_bytes(), format=fmt)) == expected, name


def test_turtle_per_graph(built) -> None:
    export(built)
    graphs = sorted(p.name for p in (Path(built.build_dir) / "dumps" / "graphs").iterdir())
    assert graphs == ["article--fx-001.ttl", "article--fx-002.ttl", "inferred.ttl", "ontology.ttl", "reference.ttl"]
    reference = [q for q in store_quads(built) if q.graph_name.value.endswith("/graph/reference")]
    parsed = list(
        pyoxigraph.parse(
            (Path(built.build_dir) / "dumps" / "graphs" / "reference.ttl").read_bytes(),
            format=pyoxigraph.RdfFormat.TURTLE,
        )
    )
    assert len(parsed) == len(reference)


def test_jsonld_with_its_context_is_the_dataset(built) -> None:
    export(built)
    dumps = Path(built.build_dir) / "dumps"
    document = json.loads((dumps / "peacekg.jsonld").read_text(encoding="utf-8"))
    assert document["@context"] == "https://w3id.org/peacekg/context.jsonld"
    document["@context"] = json.loads((dumps / "context.jsonld").read_text(encoding="utf-8"))["@context"]
    dataset = rdflib.Dataset()
    dataset.parse(data=json.dumps(document), format="json-ld")
    parsed = {
        (str(s), str(p), str(o), str(g))
        for s, p, o, g in dataset.quads()
        if g is not None and str(g) != str(dataset.default_graph.identifier)
    }
    expected = {
        (q.subject.value, q.predicate.value, q.object.value, q.graph_name.value)
        for q in store_quads(built)
        if not isinstance(q.subject, pyoxigraph.BlankNode) and not isinstance(q.object, pyoxigraph.BlankNode)
    }
    assert expected <= parsed


def test_void_numbers_are_the_stores(built) -> None:
    export(built)
    dumps = Path(built.build_dir) / "dumps"
    void = rdflib.Graph().parse(dumps / "void.ttl", format="turtle")
    VOID, DCAT = rdflib.Namespace("http://rdfs.org/ns/void#"), rdflib.Namespace("http://www.w3.org/ns/dcat#")
    dataset = rdflib.URIRef("https://w3id.org/peacekg/dataset")
    assert int(void.value(dataset, VOID.triples)) == len(store_quads(built))
    subsets = [int(void.value(s, VOID.triples)) for s in void.objects(dataset, VOID.subset)]
    assert sum(subsets) == len(store_quads(built)) and len(subsets) == 5
    for dist in void.objects(dataset, DCAT.distribution):
        name = str(void.value(dist, DCAT.downloadURL)).rsplit("/", 1)[-1]
        assert int(void.value(dist, DCAT.byteSize)) == (dumps / name).stat().st_size, name


def test_dumps_are_byte_identical_across_runs(built, tmp_path: Path) -> None:
    outputs = []
    for seed in (5, 6):
        out = tmp_path / f"dumps-{seed}"
        env = {
            **os.environ,
            "PYTHONHASHSEED": str(seed),
            "PEACEKG_BUILD_DIR": str(built.build_dir),
            "PEACEKG_CORPUS_DIR": str(built.corpus_dir),
            "PEACEKG_ONTOLOGY_DIR": str(ROOT / "ontology"),
        }
        done = subprocess.run(
            [sys.executable, "-m", "kg.cli", "export", "--out", str(out)],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        outputs.append({p.relative_to(out): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()})
    assert outputs[0] == outputs[1]
