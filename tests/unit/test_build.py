"""peacekg build: named graphs, provenance on every fact, determinism, incremental rebuilds,
and atomicity (a failed or killed build leaves the previous store serving)."""

from __future__ import annotations

import ast
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph
import pytest

from kg.builder import code
from kg.builder.code import build_code_files, module_file, relative_name
from kg.builder.pipeline import build, code_fingerprint
from kg.errors import ValidationError
from kg.store.builds import current_build, open_store, read_manifest

from helpers.corpora import make_corpus, ontology_requiring_direct_quote, settings_for
from helpers.paths import ROOT

BASE = "https://w3id.org/peacekg/"
PK = "https://w3id.org/peacekg/ontology/"


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
    ontology = ontology_requiring_direct_quote(tmp_path)
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


# Runs `peacekg build` with one function replaced so that reaching it holds the build there (a
# marker file says so) until the test kills it: the kill provably lands while the build is running,
# at a known point, on a fast machine as on a loaded one.
HOLD_DRIVER = r"""
import importlib, sys, time
from pathlib import Path
module_name, function, after, marker = sys.argv[1], sys.argv[2], int(sys.argv[3]), Path(sys.argv[4])
module = importlib.import_module(module_name)
real = getattr(module, function)

def hold():
    marker.write_text(f"{module_name}.{function}")
    while True:
        time.sleep(60)

def held_quads(quads):
    for n, quad in enumerate(quads):
        if n == after:
            hold()
        yield quad

def wrapper(*args, **kwargs):
    if after < 0:
        hold()
    # write_store: the store bulk-loaded and compacted, held with some of the last quads written
    return real(*args, **{**kwargs, "after": held_quads(kwargs["after"])})

setattr(module, function, wrapper)
from kg.cli.group import main
sys.argv = ["peacekg", "build"]
main()
"""
HOLD_POINTS = [  # (module, function, quads written before holding; -1: hold on entry)
    ("kg.builder.graphs", "article_triples", -1),  # mapping an article
    ("kg.builder.graphs", "finds_nothing_in", -1),  # SHACL validation of a batch
    ("kg.builder.pipeline", "load_graphs", -1),  # the work store of the data checks and inference, loading
    ("kg.builder.buckets", "materialise", -1),  # inference
    ("kg.builder.pipeline", "_release_freed_memory", -1),  # assembled, before the store is written
    ("kg.builder.store_writer", "write_store", 500),  # in the middle of a whole new store's write
    ("kg.builder.dred", "overdelete", -1),  # a rebuild on the previous store: checkpointed, not yet changed
    ("kg.builder.incremental", "_check", -1),  # … its graphs replaced, the data checks by locality
    ("kg.builder.dred", "rederive_and_insert", -1),  # … overdeleted, rederiving and inserting
    ("kg.store.builds", "_fsync_tree", -1),  # the new store complete, before its rename and the switch
]
# A reference edit changes every graph, so the build is made whole (the work store, the inference
# by bucket, the store written by write_store); an article edit changes one, so the build is made
# on a checkpoint of the previous store (kg.builder.incremental, kg.builder.dred)
WHOLE_STORE = {"write_store", "load_graphs", "materialise", "_release_freed_memory"}


def held_build(env: dict[str, str], point: tuple[str, str, int], marker: Path) -> subprocess.Popen:
    """A `peacekg build` process, returned once it is held at ``point`` (fails if it ends first)."""
    module, function, after = point
    process = subprocess.Popen(
        [sys.executable, "-c", HOLD_DRIVER, module, function, str(after), str(marker)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    while not marker.exists():
        if process.poll() is not None:
            raise AssertionError(f"the build ended before reaching {module}.{function}: {process.stderr.read()!r}")
        time.sleep(0.05)
    return process


@pytest.mark.slow
@pytest.mark.parametrize("point", HOLD_POINTS, ids=[f"{m.rsplit('.', 1)[1]}.{f}" for m, f, _ in HOLD_POINTS])
def test_kill_during_build_leaves_the_previous_store(tmp_path: Path, point: tuple[str, str, int]) -> None:
    """kill -9 a build held at a known point: `current` still names the previous complete store,
    and the next build does the work the killed one did not finish."""
    corpus = make_corpus(tmp_path, articles=3)
    settings = settings_for(tmp_path, corpus)
    previous = build(settings).build
    count = len(open_store(Path(settings.build_dir)))
    env = {
        **os.environ,
        "PEACEKG_CORPUS_DIR": str(corpus),
        "PEACEKG_BUILD_DIR": str(settings.build_dir),
        "PEACEKG_ONTOLOGY_DIR": str(ROOT / "ontology"),
    }
    edited = corpus / ("reference/fixture.yaml" if point[1] in WHOLE_STORE else "annotations/fx-001.yaml")
    edited.write_text(edited.read_text(encoding="utf-8") + "\n# an edit the killed build was making\n")
    process = held_build(env, point, tmp_path / "held")
    process.kill()
    assert process.wait() == -signal.SIGKILL
    assert current_build(Path(settings.build_dir)) == previous, "the killed build switched the store"
    assert (previous / "manifest.json").is_file() and len(open_store(Path(settings.build_dir))) == count
    final = build(settings)
    assert not final.nothing_to_do and final.build != previous
    assert current_build(Path(settings.build_dir)) == final.build


def test_python_api(tmp_path: Path) -> None:
    import kg

    settings = settings_for(tmp_path, make_corpus(tmp_path, articles=1))
    report = kg.build(settings=settings)
    store = kg.open_store(settings=settings)
    rows = kg.query(f"SELECT ?s ?label WHERE {{ ?s a <{PK}Claim> ; <{PK}summary> ?label }} ORDER BY ?s", store)
    assert report.triples > 0 and len(rows) == 2
    assert isinstance(rows[0]["s"], pyoxigraph.NamedNode) and rows[0]["label"].language == "en"
    assert kg.query(f"ASK {{ ?x <{PK}mentionedIn> ?doc }}", store) is True


def test_the_code_fingerprint_covers_every_module_a_build_loads(tmp_path: Path) -> None:
    """The modules a real build imports (seen in a fresh process) are all in the fingerprinted
    code, so a fix in any of them (quotes.py, corpus.py, yaml_source.py…) invalidates cached graphs."""
    corpus = make_corpus(tmp_path, articles=1)
    script = (
        "import sys, json\n"
        "from kg.settings import load_settings\n"
        "from kg.builder.pipeline import build\n"
        f"build(load_settings(environ={{}}, overrides={{'corpus_dir': {str(corpus)!r}, "
        f"'ontology_dir': {str(ROOT / 'ontology')!r}, 'build_dir': {str(tmp_path / 'build')!r}}}))\n"
        "print(json.dumps(sorted(m for m in sys.modules if m == 'kg' or m.startswith('kg.'))))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    loaded = set(json.loads(done.stdout.strip().splitlines()[-1]))
    fingerprinted = {relative_name(p) for p in build_code_files()}
    files = {m: relative_name(f) for m in loaded if (f := module_file(m)) is not None}
    assert {"kg/annotations/quotes.py", "kg/annotations/corpus.py", "kg/annotations/yaml_source.py"} <= fingerprinted
    assert not set(files.values()) - fingerprinted, "loaded by a build but not fingerprinted"


def test_a_change_in_any_dependency_changes_the_code_fingerprint(tmp_path: Path, monkeypatch) -> None:
    copy = tmp_path / "kg"
    shutil.copytree(ROOT / "kg", copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(code, "PACKAGE_DIR", copy)
    before = code_fingerprint()
    quotes = copy / "annotations" / "quotes.py"
    quotes.write_text(quotes.read_text(encoding="utf-8") + "\n# a fix\n", encoding="utf-8")
    assert code_fingerprint() != before
    unrelated = copy / "link" / "scoring.py"  # not reachable from the build: no rebuild for it
    edited = code_fingerprint()
    unrelated.write_text(unrelated.read_text(encoding="utf-8") + "\n# unrelated\n", encoding="utf-8")
    assert code_fingerprint() == edited


def _imports_by_ast(path: Path) -> set[str]:
    here = code._module_of(path).split(".")
    package = here if path.name == "__init__.py" else here[:-1]
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package[: len(package) - node.level + 1]
                base = ".".join([*anchor, base]) if base else ".".join(anchor)
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def test_the_import_reader_agrees_with_python_s_parser(tmp_path: Path) -> None:
    """kg.builder.code reads imports with the tokenizer (thread-safe); on every kg module, and on
    the awkward forms, it finds what Python's own parser finds."""
    awkward = tmp_path / "kg" / "pkg" / "mod.py"
    awkward.parent.mkdir(parents=True)
    awkward.write_text(
        "import a.b as c, d\nfrom . import sibling\nfrom .. import up; import e\n"
        "from .x import (\n    y,  # comment\n    z as w,\n)\n"
        "def f():\n    from kg.inner import thing\n"
        "text = 'import not_a_module'\n",
        encoding="utf-8",
    )
    files = [*sorted((ROOT / "kg").rglob("*.py"))]
    for path in files:
        assert code._imported(path) == _imports_by_ast(path), path
    original = code.PACKAGE_DIR
    try:
        code.PACKAGE_DIR = tmp_path / "kg"
        assert code._imported(awkward) == _imports_by_ast(awkward) == {
            "a.b", "d", "kg.pkg", "kg.pkg.sibling", "kg", "kg.up", "e", "kg.pkg.x", "kg.pkg.x.y", "kg.pkg.x.z",
            "kg.inner", "kg.inner.thing",
        }  # fmt: skip
    finally:
        code.PACKAGE_DIR = original
