"""The W3C SPARQL 1.0 and 1.1 query evaluation suites through the service's query path, test by
test, beside pyoxigraph queried directly (issue 18: whatever changes how queries run must give
the same answers).

Tests are read from the manifests (../shared/w3c/sparql-query, or PEACEKG_TEST_W3C_DIR/sparql-query):
sparql10/manifest-evaluation.ttl and sparql11/manifest-sparql11-query.ttl, every
mf:QueryEvaluationTest of the manifests they include. For each test:

* the data (qt:data into the default graph, qt:graphData into a named graph called by the file's
  IRI, and the files a query names in FROM / FROM NAMED, by their IRI) is loaded into an on-disk
  pyoxigraph store, one per distinct dataset;
* **direct**: pyoxigraph 0.5.13 ``Store.query`` on that store, base IRI the query file's;
* **service**: a :class:`service.execution.workers.Job` through the service's
  :class:`~service.execution.workers.WorkerPool` — the worker processes, the query rewriting
  (``Job.rewrite``, what the setting query_rewrite turns on for POST /sparql) and the result
  serialisation a POST /sparql gets; the union default graph off (each test defines its dataset);
* both answers are compared with mf:result (tests/helpers/sparql_results.py: multisets of rows
  with blank nodes matched, in order where the query has ORDER BY; CONSTRUCT graphs isomorphic).

The assertion: the service passes every test pyoxigraph passes directly. The HTTP layer of
/sparql (parameters, negotiation, errors) is covered by the protocol suite in
test_w3c_conformance.py.

The generated table docs/w3c-query-evaluation.md is rewritten when the module runs with
``PEACEKG_TEST_W3C_TABLE=docs/w3c-query-evaluation.md`` (see the table's own header).
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph
import pytest
import rdflib
from rdflib import RDF, Namespace

from kg.serialize import write_atomic
from kg.sparql.rewrite import rewrite
from service.execution.workers import Job, QueryFailed, QueryTimeout, WorkerPool

from helpers.paths import ROOT
from helpers.sparql_results import expected_answer, parse_results, rows_of, same_answer

pytestmark = pytest.mark.slow

W3C_DIR = Path(os.environ.get("PEACEKG_TEST_W3C_DIR") or ROOT.parent / "shared" / "w3c") / "sparql-query"
if not W3C_DIR.is_dir():
    pytest.skip(f"the W3C query suites are not at {W3C_DIR} (set PEACEKG_TEST_W3C_DIR)", allow_module_level=True)

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
QT = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-query#")
DAWGT = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-dawg#")
MANIFESTS = ["sparql10/manifest-evaluation.ttl", "sparql11/manifest-sparql11-query.ttl"]
RDF_FORMATS = {
    ".ttl": pyoxigraph.RdfFormat.TURTLE,
    ".rdf": pyoxigraph.RdfFormat.RDF_XML,
    ".nt": pyoxigraph.RdfFormat.N_TRIPLES,
}
TIMEOUT_S = 20.0
_FROM = re.compile(r"\bFROM\s+(NAMED\s+)?<([^>]*)>", re.IGNORECASE)  # the test's data files, not a query parser


@dataclass(frozen=True)
class EvalTest:
    id: str  # folder/name
    name: str
    query: Path
    data: tuple[Path, ...]
    graph_data: tuple[Path, ...]
    result: Path | None
    approval: str


def _path(term: Any) -> Path:
    return Path(str(term).removeprefix("file://"))


def _manifest_tests(path: Path) -> Iterator[EvalTest]:
    graph = rdflib.Graph().parse(path, format="turtle", publicID=path.as_uri())
    for include in graph.objects(None, MF.include):
        for item in rdflib.collection.Collection(graph, include):
            yield from _manifest_tests(_path(item))
    for entries in graph.objects(None, MF.entries):
        for entry in rdflib.collection.Collection(graph, entries):
            if (entry, RDF.type, MF.QueryEvaluationTest) not in graph:
                continue
            action = graph.value(entry, MF.action)
            result = graph.value(entry, MF.result)
            approval = graph.value(entry, DAWGT.approval)
            yield EvalTest(
                id=f"{path.parent.relative_to(W3C_DIR)}/{str(entry).rsplit('#', 1)[-1]}",
                name=str(graph.value(entry, MF.name)),
                query=_path(graph.value(action, QT.query)),
                data=tuple(sorted(_path(d) for d in graph.objects(action, QT.data))),
                graph_data=tuple(sorted(_path(d) for d in graph.objects(action, QT.graphData))),
                result=_path(result) if result is not None else None,
                approval=str(approval).rsplit("#", 1)[-1] if approval is not None else "",
            )


TESTS = [t for m in MANIFESTS for t in _manifest_tests(W3C_DIR / m)]
OUTCOMES: dict[str, dict[str, str]] = {}


class Datasets:
    """One on-disk store per distinct dataset, made once; tests only read them."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.made: dict[tuple, Path] = {}

    def store_for(self, test: EvalTest, query: str) -> Path:
        named = set(test.graph_data)
        for _named, iri in _FROM.findall(query):
            named.add(_path(_resolve(test.query, iri)))
        key = (test.data, tuple(sorted(named)))
        if key not in self.made:
            location = self.folder / f"ds{len(self.made)}"
            store = pyoxigraph.Store(str(location))
            for path in test.data:
                self._load(store, path, None)
            for path in sorted(named):
                self._load(store, path, pyoxigraph.NamedNode(path.as_uri()))
            store.flush()
            del store
            self.made[key] = location
        return self.made[key]

    @staticmethod
    def _load(store: pyoxigraph.Store, path: Path, graph: pyoxigraph.NamedNode | None) -> None:
        if path.exists():
            store.load(
                path=str(path),
                format=RDF_FORMATS.get(path.suffix, pyoxigraph.RdfFormat.TURTLE),
                base_iri=path.as_uri(),
                to_graph=graph or pyoxigraph.DefaultGraph(),
            )


def _resolve(query: Path, iri: str) -> str:
    from urllib.parse import urljoin

    return urljoin(query.as_uri(), iri)


@pytest.fixture(scope="module")
def datasets(tmp_path_factory: pytest.TempPathFactory) -> Datasets:
    return Datasets(tmp_path_factory.mktemp("w3c-query"))


@pytest.fixture(scope="module")
def pool(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WorkerPool]:
    workers = WorkerPool(tmp_path_factory.mktemp("no-build"), 1, queue_timeout_s=60)
    yield workers
    workers.close()
    _write_table()


def _answer_from(data: bytes, form: str) -> tuple[str, Any]:
    if form == "graph":
        return "graph", rdflib.Graph().parse(data=data, format="nt")
    result = parse_results(data, "json")
    return ("bool", bool(result.askAnswer)) if result.type == "ASK" else ("rows", rows_of(result))


def direct(store_dir: Path, test: EvalTest, query: str) -> tuple[str, Any]:
    store = pyoxigraph.Store.read_only(str(store_dir))
    result = store.query(query, base_iri=test.query.as_uri())
    if isinstance(result, pyoxigraph.QuerySolutions | pyoxigraph.QueryBoolean):
        form = "bool" if isinstance(result, pyoxigraph.QueryBoolean) else "select"
        return _answer_from(result.serialize(format=pyoxigraph.QueryResultsFormat.JSON), form)
    return _answer_from(pyoxigraph.serialize(result, format=pyoxigraph.RdfFormat.N_TRIPLES) or b"", "graph")


def through_service(pool: WorkerPool, store_dir: Path, test: EvalTest, query: str) -> tuple[str, Any]:
    is_graph = direct_form(query) == "graph"
    media = "application/n-triples" if is_graph else "application/sparql-results+json"
    job = Job(
        query,
        media,
        [],
        [],
        union=False,
        max_rows=1_000_000,
        base_iri=test.query.as_uri(),
        store=str(store_dir),
        rewrite=True,
    )
    form, _truncated, body = pool.run(job, TIMEOUT_S)
    data = b"".join(body)
    if not body.finished:
        raise QueryTimeout()
    return _answer_from(data, form)


def direct_form(query: str) -> str:
    from kg.sparql.lexer import query_form

    return "graph" if query_form(query) in ("construct", "describe") else "select"


def _outcome(run: Any, expected: tuple[str, Any] | None, ordered: bool) -> str:
    try:
        answer = run()
    except (SyntaxError, OSError, ValueError, TypeError, RuntimeError, QueryFailed, QueryTimeout) as exc:
        return f"error: {type(exc).__name__}"
    if expected is None:
        return "no expected result"
    return "pass" if same_answer(expected, answer, ordered) else "wrong answer"


@pytest.mark.parametrize("test", TESTS, ids=[t.id for t in TESTS])
def test_service_passes_what_pyoxigraph_passes(test: EvalTest, datasets: Datasets, pool: WorkerPool) -> None:
    query = test.query.read_text(encoding="utf-8")
    expected = expected_answer(test.result) if test.result is not None and test.result.exists() else None
    ordered = re.search(r"\bORDER\s+BY\b", query, re.IGNORECASE) is not None
    store_dir = datasets.store_for(test, query)
    outcome_direct = _outcome(lambda: direct(store_dir, test, query), expected, ordered)
    outcome_service = _outcome(lambda: through_service(pool, store_dir, test, query), expected, ordered)
    rules = ", ".join(rewrite(query, test.query.as_uri()).rules)
    OUTCOMES[test.id] = {"name": test.name, "direct": outcome_direct, "service": outcome_service, "rules": rules}
    if outcome_direct == "pass":
        assert outcome_service == "pass", f"pyoxigraph passes {test.id} directly, the service path: {outcome_service}"


def _write_table() -> None:
    target = os.environ.get("PEACEKG_TEST_W3C_TABLE")
    if not target or len(OUTCOMES) < len(TESTS):  # only a complete run makes the table
        return
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout
    count = {p: sum(o[p] == "pass" for o in OUTCOMES.values()) for p in ("direct", "service")}
    rewritten = sum(bool(o["rules"]) for o in OUTCOMES.values())
    lines = [
        "<!-- Generated by `PEACEKG_TEST_W3C_TABLE=docs/w3c-query-evaluation.md .venv/bin/pytest "
        "tests/system/test_w3c_query_eval.py` (make w3c-query-table); do not edit by hand. -->",
        "# W3C SPARQL query evaluation suites: pyoxigraph directly and through the service",
        "",
        f"Commit {head.strip()}; suites from ../shared/w3c/sparql-query ({', '.join(MANIFESTS)}); "
        f"{len(OUTCOMES)} query evaluation tests. **direct**: pyoxigraph {pyoxigraph.__version__} `Store.query`; "
        "**service**: the same store through the service's worker pool with query rewriting on "
        "(tests/system/test_w3c_query_eval.py says how). The test fails when the service fails a test "
        "that pyoxigraph passes directly.",
        "",
        f"- passed directly: {count['direct']}; through the service: {count['service']}",
        f"- queries the rewriter changed (kg/sparql/rewrite.py): {rewritten}",
        "",
        "| test | name | direct | service | rewrite rules applied |",
        "|---|---|---|---|---|",
    ]
    for test_id in sorted(OUTCOMES):
        o = OUTCOMES[test_id]
        name = o["name"].replace("|", "\\|")
        lines.append(f"| {test_id} | {name} | {o['direct']} | {o['service']} | {o['rules']} |")
    write_atomic(ROOT / target, "\n".join(lines) + "\n")
