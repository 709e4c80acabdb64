"""Lookups through the service against ``oxigraph serve`` on the same store (issue 18: "lookups
through the service within 1.5x of oxigraph serve p50"): a single-subject lookup
(``SELECT ?p ?o WHERE { <s> ?p ?o }``, SPARQL JSON) and a DESCRIBE of the same subject
(N-Triples), each over one persistent HTTP connection, the engines interleaved request by
request so that both see the same load.

    .venv/bin/python -m bench.lookups [--build-dir DIR] [--corpus DIR] [--compare-commit REV]

``--compare-commit REV`` also serves the service as of commit REV (``git archive`` into
bench/data/, run from there on the same store), so a change of the request path is measured
against what it replaced in the same run. The run records the commit and the load average; the
section between its markers in bench/README.md is rewritten from bench/results/lookups-N.json.
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
from bench.engines import Engine, oxigraph, peacekg
from bench.measure import free_port_on_loopback, percentile
from bench.natural import BUSY_LOAD
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


def run(build_dir: Path, corpus: Path, reps: int, compare: str | None) -> dict:
    logs = BENCH / "data" / "lookups-logs"
    logs.mkdir(parents=True, exist_ok=True)
    store_dir = build_dir / "store" / "current" / "oxigraph"
    copy = BENCH / "data" / "lookups-oxigraph-copy"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(store_dir, copy)
    subject = _subject(store_dir)
    queries = {"lookup": f"SELECT ?p ?o WHERE {{ <{subject}> ?p ?o }}", "describe": f"DESCRIBE <{subject}>"}
    load_before, started, commit = _load(), time.time(), code_version()  # the code the services run
    engines: dict[str, Engine] = {}
    try:
        engines["oxigraph serve"] = oxigraph(copy, logs / "oxigraph.log")
        engines["peacekg serve"] = peacekg(
            build_dir, corpus, logs / "peacekg.log", query_timeout_s=30, max_per_client=8
        )
        if compare:
            engines[f"peacekg serve at {compare}"] = _service_at(compare, build_dir, corpus, logs / "peacekg-old.log")
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
        "busy": max(float(load_before.split()[0]), float(_load().split()[0])) > BUSY_LOAD,
        "triples": sum(manifest["graphs"].values()),
        "minutes": round((time.time() - started) / 60, 1),
        "date": time.strftime("%Y-%m-%d", time.gmtime()),
    }


def summary_lines(results: dict, articles: int) -> list[str]:
    busy = "**busy machine**" if results["busy"] else "quiet machine"
    names = list(next(iter(results["results"].values())))
    lines = [
        f"## Lookups: the service against oxigraph serve, {articles:,} articles ({results['triples']:,} triples)",
        "",
        f"Generated by `python -m bench.lookups` (bench/results/lookups-{articles}.json): one statement's "
        "`SELECT ?p ?o WHERE { <s> ?p ?o }` (SPARQL JSON) and `DESCRIBE <s>` (N-Triples), one persistent "
        f"connection per server, servers interleaved request by request. {results['date']}, commit "
        f"{results['commit']}, {busy} (load average {results['load_before']} → {results['load_after']}: "
        "compare ratios within the run), "
        f"{next(iter(next(iter(results['results'].values())).values()))['runs']} requests per query and server.",
        "",
        "| query | " + " | ".join(f"{n} p50 / p95 ms" for n in names) + " | service ÷ oxigraph serve (p50) |",
        "|---|" + "---:|" * (len(names) + 1),
    ]
    for query, per in results["results"].items():
        base = per["oxigraph serve"]["p50_ms"]
        ratios = ", ".join(f"{per[n]['p50_ms'] / base:.2f}×" for n in names if n != "oxigraph serve")
        cells = " | ".join(f"{per[n]['p50_ms']:.2f} / {per[n]['p95_ms']:.2f}" for n in names)
        lines.append(f"| {query} | {cells} | {ratios} |")
    return lines


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
    parser.add_argument("--report-only", action="store_true")
    args = parser.parse_args(argv)
    out = BENCH / "results" / f"lookups-{args.articles}.json"
    if args.report_only:
        results = json.loads(out.read_text())
    else:
        results = run(args.build_dir.resolve(), args.corpus.resolve(), args.reps, args.compare_commit)
        out.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    print(write_section(results, args.articles))
    print("\n".join(summary_lines(results, args.articles)))


if __name__ == "__main__":
    main()
