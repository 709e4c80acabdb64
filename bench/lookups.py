"""Lookups through the service against ``oxigraph serve`` on the same store (issue 18: "lookups
through the service within 1.5x of oxigraph serve p50"): a single-subject lookup
(``SELECT ?p ?o WHERE { <s> ?p ?o }``, SPARQL JSON) and a DESCRIBE of the same subject
(N-Triples), each over one persistent HTTP connection, the engines interleaved request by
request so that both see the same load.

    .venv/bin/python -m bench.lookups [--build-dir DIR] [--corpus DIR] [--compare-commit REV] [--no-floors]

``--compare-commit REV`` also serves the service as of commit REV (``git archive`` into
bench/data/, run from there on the same store), so a change of the request path is measured
against what it replaced in the same run. The floors (bench/floors.py, unless ``--no-floors``)
are the service's stack alone — waitress, Flask, the hand-off to a worker process — answering
with the service's bytes: what the stack costs before the service does anything; and waitress
with the engine, running each query on the same store and answering the engine's own
serialisation: the least any service on waitress and pyoxigraph can do. The run records the
commit, the load average and the CPU other processes used during it (bench/foreign_cpu.py: busy
when the load average was above 1.0 at the start or other processes used more than 0.15 of a
core); the section between its markers in bench/README.md is rewritten
from bench/results/lookups-N.json (``--out FILE --no-section``: the results to FILE only, the
section untouched, for a run on a busy machine).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import pyoxigraph

from bench import sections
from bench.engines import ASK, Engine, oxigraph, peacekg
from bench.foreign_cpu import ForeignCpu, busy, conditions
from bench.lookups_notes import CHANGES, ENGINE_FLOOR_IN_SITU, IN_SITU, IN_SITU_INLINE
from bench.measure import free_port_on_loopback, percentile
from bench.run import code_version

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
START, END = "<!-- lookups:start -->", "<!-- lookups:end -->"
ACCEPT = {"lookup": "application/sparql-results+json", "describe": "application/n-triples"}


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def _subject(store_dir: Path) -> str:
    store = pyoxigraph.Store.read_only(str(store_dir))
    query = "SELECT ?s WHERE { ?s a <https://w3id.org/peacekg/ontology/Statement> } LIMIT 1"
    return next(iter(store.query(query, use_default_graph_as_union=True)))["s"].value


class Client:
    """GET ?query= over one persistent connection, with the Accept the query form needs."""

    def __init__(self, endpoint: str) -> None:
        parts = urllib.parse.urlsplit(endpoint)
        self.path = parts.path
        self.connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)

    def time(self, query: str, accept: str) -> float:
        started = time.perf_counter()
        self.connection.request(
            "GET", self.path + "?" + urllib.parse.urlencode({"query": query}), headers={"Accept": accept}
        )
        response = self.connection.getresponse()
        body = response.read()
        seconds = time.perf_counter() - started
        if response.status != 200 or not body:
            raise RuntimeError(f"{self.path}: HTTP {response.status}: {body[:200]!r}")
        return seconds * 1000


def _service_at(commit: str, build_dir: Path, corpus: Path, log: Path) -> Engine:
    """``peacekg serve`` as of ``commit``: its tree from git archive, first on sys.path."""
    tree = BENCH / "data" / f"service-{commit}"
    shutil.rmtree(tree, ignore_errors=True)
    tree.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "archive", commit, "kg", "service", "ontology"], cwd=ROOT, capture_output=True, check=True
    )
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive.stdout, check=True)
    port = free_port_on_loopback()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PEACEKG_")}
    env.update(
        {
            "PEACEKG_BUILD_DIR": str(build_dir),
            "PEACEKG_CORPUS_DIR": str(corpus),
            "PEACEKG_PORT": str(port),
            "PEACEKG_HOST": "127.0.0.1",
            "PEACEKG_ONTOLOGY_DIR": str(ROOT / "ontology"),
        }
    )
    code = (
        f"import sys, runpy; sys.path.insert(0, {str(tree)!r}); sys.argv = ['peacekg', 'serve']; "
        "runpy.run_module('kg.cli', run_name='__main__')"
    )
    engine = Engine(f"peacekg serve at {commit}", f"http://127.0.0.1:{port}/sparql")
    engine._launch([sys.executable, "-c", code], log, f"http://127.0.0.1:{port}/health", 60, env)
    return engine


INLINE_OFF = "peacekg serve, inline_lookups off"
FLOORS = {  # bench.floors: the service's stack, one layer at a time, answering the service's bytes;
    "waitress": "floor: waitress alone",
    "flask": "floor: Flask on waitress",
    "hop": "floor: Flask + worker hop",
    "engine": "floor: waitress + the engine",  # and waitress running the query on the same store
}
ENGINE_FLOOR = FLOORS["engine"]


def _start_floors(engines: dict[str, Engine], queries: dict[str, str], logs: Path, store_dir: Path) -> None:
    """Start the floor servers of bench.floors into ``engines`` (stopped with them), answering with
    what the service answered for each query; the engine floor runs them on ``store_dir``."""
    service = engines["peacekg serve"]
    bodies = []
    for query, text in queries.items():
        client = Client(service.endpoint)
        client.connection.request(
            "GET", client.path + "?" + urllib.parse.urlencode({"query": text}), headers={"Accept": ACCEPT[query]}
        )
        body = logs / f"{query}.body"
        body.write_bytes(client.connection.getresponse().read())
        client.connection.close()
        bodies.append(str(body))
    for kind, name in FLOORS.items():
        port = free_port_on_loopback()
        engine = engines[name] = Engine(name, f"http://127.0.0.1:{port}/sparql")
        arguments = [str(store_dir)] if kind == "engine" else bodies
        engine._launch(
            [sys.executable, "-m", "bench.floors", kind, str(port), *arguments],
            logs / f"floor-{kind}.log",
            f"http://127.0.0.1:{port}/sparql{ASK}",
            60,
        )


def run(build_dir: Path, corpus: Path, reps: int, compare: str | None, floors: bool = True) -> dict:
    logs = BENCH / "data" / "lookups-logs"
    logs.mkdir(parents=True, exist_ok=True)
    store_dir = build_dir / "store" / "current" / "oxigraph"
    copy = BENCH / "data" / "lookups-oxigraph-copy"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(store_dir, copy)
    subject = _subject(store_dir)
    queries = {"lookup": f"SELECT ?p ?o WHERE {{ <{subject}> ?p ?o }}", "describe": f"DESCRIBE <{subject}>"}
    load_before, started, commit = _load(), time.time(), code_version()  # the code the services run
    foreign = ForeignCpu().start()  # this process's tree: every server (and its workers), the client
    engines: dict[str, Engine] = {}
    try:
        engines["oxigraph serve"] = oxigraph(copy, logs / "oxigraph.log")
        engines["peacekg serve"] = peacekg(
            build_dir, corpus, logs / "peacekg.log", query_timeout_s=30, max_per_client=8
        )
        engines[INLINE_OFF] = peacekg(  # the same code with every query handed to a worker
            build_dir,
            corpus,
            logs / "peacekg-inline-off.log",
            query_timeout_s=30,
            max_per_client=8,
            extra_env={"PEACEKG_INLINE_LOOKUPS": "false"},
        )
        if compare:
            engines[f"peacekg serve at {compare}"] = _service_at(compare, build_dir, corpus, logs / "peacekg-old.log")
        if floors:
            _start_floors(engines, queries, logs, store_dir.resolve())
        clients = {name: Client(engine.endpoint) for name, engine in engines.items()}
        samples: dict[str, dict[str, list[float]]] = {q: {n: [] for n in engines} for q in queries}
        for query, text in queries.items():
            for _ in range(20):  # warm: connections, caches, every worker
                for client in clients.values():
                    client.time(text, ACCEPT[query])
            for _ in range(reps):
                for name, client in clients.items():
                    samples[query][name].append(client.time(text, ACCEPT[query]))
    finally:
        for engine in engines.values():
            engine.stop()
        shutil.rmtree(copy, ignore_errors=True)
    foreign_cpu = foreign.stop()
    manifest = json.loads((build_dir / "store" / "current" / "manifest.json").read_text())
    return {
        "results": {
            q: {
                n: {"p50_ms": percentile(xs, 50), "p95_ms": percentile(xs, 95), "runs": len(xs)}
                for n, xs in per.items()
            }
            for q, per in samples.items()
        },
        "queries": queries,
        "commit": commit,
        "compare_commit": compare,
        "load_before": load_before,
        "load_after": _load(),
        "foreign_cpu": foreign_cpu,
        "busy": busy(float(load_before.split()[0]), foreign_cpu),
        "triples": sum(manifest["graphs"].values()),
        "minutes": round((time.time() - started) / 60, 1),
        "date": time.strftime("%Y-%m-%d", time.gmtime()),
    }


def _cell(per: dict, name: str) -> str:
    return f"{per[name]['p50_ms']:.2f} / {per[name]['p95_ms']:.2f}"


def summary_lines(results: dict, articles: int) -> list[str]:
    per_query = results["results"]
    names = list(next(iter(per_query.values())))
    runs = next(iter(next(iter(per_query.values())).values()))["runs"]
    lines = [
        f"## Lookups: the service against oxigraph serve, {articles:,} articles ({results['triples']:,} triples)",
        "",
        f"Generated by `python -m bench.lookups` (bench/results/lookups-{articles}.json): one statement's "
        "`SELECT ?p ?o WHERE { <s> ?p ?o }` (SPARQL JSON) and `DESCRIBE <s>` (N-Triples), one persistent "
        f"connection per server, servers interleaved request by request. {results['date']}, commit "
        f"{results['commit']}, "
        + conditions(results["load_before"], results["load_after"], results.get("foreign_cpu"), results["busy"])
        + f", {runs} requests per query and server. Issue 18's target: the "
        "service within 1.5× of oxigraph serve (p50).",
        "",
        "| server | " + " | ".join(f"{q} p50 / p95 ms | {q} ÷ oxigraph serve" for q in per_query) + " |",
        "|---|" + "---:|---:|" * len(per_query),
    ]
    for name in names:
        cells = " | ".join(
            f"{_cell(per, name)} | {per[name]['p50_ms'] / per['oxigraph serve']['p50_ms']:.2f}×"
            for per in per_query.values()
        )
        lines.append(f"| {name} | {cells} |")
    ratios = {q: per["peacekg serve"]["p50_ms"] / per["oxigraph serve"]["p50_ms"] for q, per in per_query.items()}
    met = all(r <= 1.5 for r in ratios.values())
    lines += [
        "",
        f"Against the target (1.5×): {', '.join(f'{q} {r:.2f}×' for q, r in ratios.items())}: "
        + ("**met** in this run." if met else "**not met** in this run.")
        + " What a lookup still pays beyond `oxigraph serve`: waitress (its floor); the engine's own lookup"
        " called from Python (the work `oxigraph serve` does too, two to three times dearer inside the"
        " service process than in a hot loop, see below); and the service's Python around it (protocol,"
        " limits, metrics, serialisation, the response).",
    ]
    if any(name in FLOORS.values() for name in names):
        lines += [
            "",
            "The floors (bench/floors.py) answer every request with the bytes the service answered, built as "
            "the service is, one layer at a time: waitress alone, a Flask view on waitress, and a Flask view "
            "that sends the bytes to a child process and back (the hand-off each query makes to a killable "
            "worker). What lies between the last floor and the service is the service's own work: the "
            "protocol (parameters, negotiation, limits, metrics), the pool, and in the worker the query, its "
            "rows and their serialisation. The worker-hop floor sets how close the service can come while it "
            "keeps its stack and its worker processes. Lookups now skip both layers above waitress: they run "
            "in the request thread and /sparql reads are dispatched below Flask (the list below), so a "
            "lookup's floor is waitress alone; a query that is not a lookup still pays the worker hop.",
        ]
    if ENGINE_FLOOR in names:
        lines += ["", engine_floor_text(per_query), "", ENGINE_FLOOR_IN_SITU]
    lines += ["", "What each change of the request path bought (in process, 14-row lookup):", ""]
    lines += [f"- {change}" for change in CHANGES]
    lines += ["", IN_SITU, "", IN_SITU_INLINE]
    return lines


def engine_floor_text(per_query: dict) -> str:
    """What the engine floor says of issue 18's target in this run."""
    floor = {q: per[ENGINE_FLOOR]["p50_ms"] / per["oxigraph serve"]["p50_ms"] for q, per in per_query.items()}
    service = {q: per["peacekg serve"]["p50_ms"] / per[ENGINE_FLOOR]["p50_ms"] for q, per in per_query.items()}
    figures = ", ".join(f"{q} {r:.2f}×" for q, r in floor.items())
    text = (
        "The fourth floor, waitress + the engine, runs each request's query on the same store (pyoxigraph, "
        "read-only, the union default graph, as the service opens it) and answers the engine's own "
        "serialisation (`serialize` to SPARQL JSON or N-Triples), with no protocol, negotiation or limits: "
        "the least any Python service on waitress over this engine can do for the same request. It is "
        f"{figures} of oxigraph serve; the service is "
        + ", ".join(f"{q} {r:.2f}×" for q, r in service.items())
        + " of it (the service's own work: protocol, limits, metrics, its serialisation). "
    )
    if all(r >= 1.5 for r in floor.values()):
        return text + (
            "**The floor itself is at or beyond 1.5×**: no service built on waitress and pyoxigraph reaches issue "
            "18's target for these queries in this run."
        )
    if any(r >= 1.5 for r in floor.values()):
        beyond = ", ".join(q for q, r in floor.items() if r >= 1.5)
        return text + (
            f"The floor itself is at or beyond 1.5× for {beyond}: no service on waitress and pyoxigraph reaches the "
            "target there in this run."
        )
    return text + (
        "The floor is within 1.5×: the stack leaves the service "
        + ", ".join(
            f"{q} {(1.5 - r) * per_query[q]['oxigraph serve']['p50_ms'] * 1000:.0f} µs" for q, r in floor.items()
        )
        + " per request for its own work if it is to meet the target."
    )


def write_section(results: dict, articles: int) -> Path:
    """Replace (or append) this bench's section between its markers in bench/README.md."""
    return sections.write_section(START, END, summary_lines(results, articles))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.lookups", description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--build-dir", type=Path, default=BENCH / "data" / "rewrite-1000" / "build")
    parser.add_argument("--corpus", type=Path, default=BENCH / "data" / "rewrite-1000" / "corpus")
    parser.add_argument("--reps", type=int, default=300)
    parser.add_argument("--compare-commit", help="also serve the service as of this commit")
    parser.add_argument("--no-floors", action="store_true", help="without the floor servers (bench/floors.py)")
    parser.add_argument("--report-only", action="store_true")
    parser.add_argument("--out", type=Path, help="the results file (default bench/results/lookups-N.json)")
    parser.add_argument(
        "--no-section", action="store_true", help="leave bench/README.md alone (a run on a busy machine)"
    )
    args = parser.parse_args(argv)
    out = args.out or BENCH / "results" / f"lookups-{args.articles}.json"
    if args.report_only:
        results = json.loads(out.read_text())
    else:
        results = run(
            args.build_dir.resolve(), args.corpus.resolve(), args.reps, args.compare_commit, not args.no_floors
        )
        out.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    if not args.no_section:
        print(write_section(results, args.articles))
    print("\n".join(summary_lines(results, args.articles)))


if __name__ == "__main__":
    main()
