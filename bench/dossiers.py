"""Dossier render times (issue 16): each kind of dossier (actor, proposal, precedent, event,
article) fetched as HTML from `peacekg serve` over a synthetic corpus, timed over HTTP.

    .venv/bin/python -m bench.dossiers --articles 1000     # synthesise, build, serve, time, report

The corpus comes from `peacekg synth` (seed 1) and is built with include_drafts (a synthetic corpus is
all drafts, so a default build would serve nothing of it) into bench/data/dossiers-N/ (git-ignored).
For each kind one SPARQL query ranks the individuals by their statements (or invocations, reports…):
the heaviest page of its kind and a median one are measured. Each page is fetched WARMUP times, then timed
REPEAT times (one kept-alive connection); the p50 is compared with the target (300 ms). The service
keeps panel results per build (service/views/dossier_cache.py), so each page is timed two ways,
interleaved: as a reader who opens it again gets it (panels kept: "kept") and as its first reader
gets it (``Cache-Control: no-cache``, every panel query run again: "fresh"). The very first request
of each page (cold caches of every kind) is recorded too.

The run records the commit, the 1-minute load average before and after and the CPU other
processes used during it (bench/foreign_cpu.py); it is marked busy when the load average was above
1.0 at the start or other processes used more than 0.15 of a core over the run (its own service
raises the load average on an idle machine), and the times then say how the pages behave under
that load, not on a quiet machine. Results: bench/results/dossiers-N.json;
the section "Dossier render times" of bench/README.md (written here between its markers, and by
``python -m bench.report``). Never a timed test.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

from bench import sections
from bench.engines import peacekg
from bench.foreign_cpu import ForeignCpu, busy, conditions
from bench.measure import machine, percentile

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
TARGET_MS = 300.0
WARMUP, REPEAT = 2, 15
BASE = "https://w3id.org/peacekg/"
START, END = "<!-- dossiers:start -->", "<!-- dossiers:end -->"
# One SPARQL query per kind: the individual of that kind with the most statements about it (or
# facts, for articles: its statements), the heaviest dossier of its kind.
PICKS = {
    "actor": "SELECT ?x (COUNT(?s) AS ?n) WHERE { ?x a pk:Agent . ?s pk:attributedTo|pk:heldBy ?x } "
    "GROUP BY ?x ORDER BY DESC(?n) ?x",
    "proposal": "SELECT ?x (COUNT(?s) AS ?n) WHERE { ?x a pk:Proposal . OPTIONAL { ?s pk:target ?x } } "
    "GROUP BY ?x ORDER BY DESC(?n) ?x",
    "precedent": "SELECT ?x (COUNT(?s) AS ?n) WHERE { ?x a pk:Agreement . OPTIONAL { ?s pk:invokesPrecedent ?x } } "
    "GROUP BY ?x ORDER BY DESC(?n) ?x",
    "event": "SELECT ?x (COUNT(?s) AS ?n) WHERE { ?x a pk:Event . OPTIONAL { ?s pk:reportsEvent|pk:statedAt|pk:target ?x } } "
    "GROUP BY ?x ORDER BY DESC(?n) ?x",
    "article": "SELECT ?x (COUNT(?s) AS ?n) WHERE { ?x a pk:Article . ?s prov:wasDerivedFrom ?x } "
    "GROUP BY ?x ORDER BY DESC(?n) ?x",
}
PROLOGUE = "PREFIX pk: <https://w3id.org/peacekg/ontology/> PREFIX prov: <http://www.w3.org/ns/prov#>\n"


def _loadavg() -> list[float]:
    return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]


def _commit() -> str:
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--", "kg", "service", "queries", "bench/dossiers.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout.strip()
    return head.strip() + (" + uncommitted changes in kg/, service/, queries/ or bench/dossiers.py" if dirty else "")


def prepare(articles: int) -> tuple[Path, Path]:
    """The synthetic corpus and its build (with drafts) under bench/data/dossiers-N/, made once."""
    folder = BENCH / "data" / f"dossiers-{articles}"
    corpus, build = folder / "corpus", folder / "build"
    cli = [sys.executable, "-m", "kg.cli"]
    if not (corpus / "articles").is_dir():
        subprocess.run([*cli, "synth", "--articles", str(articles), "--seed", "1", "--out", str(corpus)], check=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PEACEKG_")}
    env.update(
        {
            "PEACEKG_CORPUS_DIR": str(corpus),
            "PEACEKG_BUILD_DIR": str(build),
            "PEACEKG_ONTOLOGY_DIR": str(ROOT / "ontology"),
        }
    )
    subprocess.run([*cli, "build", "--include-drafts"], check=True, env=env, cwd=ROOT)
    return corpus, build


def _get(
    connection: http.client.HTTPConnection, path: str, accept: str, fresh: bool = False
) -> tuple[int, bytes, float]:
    headers = {"Accept": accept, **({"Cache-Control": "no-cache"} if fresh else {})}
    started = time.perf_counter()
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    body = response.read()
    return response.status, body, (time.perf_counter() - started) * 1000


def pick(connection: http.client.HTTPConnection, kind: str) -> dict[str, str]:
    """The heaviest individual of the kind and a median one (by the PICKS count)."""
    from urllib.parse import quote

    query = "/sparql?query=" + quote(PROLOGUE + PICKS[kind])
    status, body, _ = _get(connection, query, "application/sparql-results+json")
    if status != 200:
        return {}
    found = [b["x"]["value"] for b in json.loads(body)["results"]["bindings"] if b["x"]["value"].startswith(BASE)]
    return {"heaviest": found[0], "median": found[len(found) // 2]} if found else {}


def time_page(connection: http.client.HTTPConnection, iri: str) -> dict:
    path = "/" + iri[len(BASE) :]
    kept: list[float] = []
    fresh: list[float] = []
    status, body, first_ms = _get(connection, path, "text/html")
    for _ in range(WARMUP - 1):
        _get(connection, path, "text/html")
    for _ in range(REPEAT):  # interleaved, so both see the same load
        status, body, ms = _get(connection, path, "text/html")
        kept.append(ms)
        fresh_status, _, ms = _get(connection, path, "text/html", fresh=True)
        fresh.append(ms)
        status = status if status != 200 else fresh_status
    text = body.decode("utf-8", "replace")
    return {
        "iri": iri,
        "status": status,
        "bytes": len(body),
        "panels": text.count('class="panel"'),
        "panel_errors": text.count('class="panel-error"'),
        "first_ms": first_ms,
        "p50_ms": percentile(kept, 50),
        "p95_ms": percentile(kept, 95),
        "max_ms": max(kept),
        "fresh_p50_ms": percentile(fresh, 50),
        "fresh_p95_ms": percentile(fresh, 95),
    }


def measure(endpoint: str) -> dict:
    url = urlparse(endpoint)
    connection = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=120)
    pages = {}
    for kind in PICKS:
        picked = pick(connection, kind)
        if not picked:
            pages[kind] = {"error": "no individual of this kind in the corpus"}
        for which, iri in picked.items():
            pages[f"{kind} ({which})"] = time_page(connection, iri)
    connection.close()
    return pages


def run(articles: int) -> dict:
    corpus, build = prepare(articles)
    results: dict = {
        "articles": articles,
        "commit": _commit(),
        "machine": machine(),
        "load_before": _loadavg(),
        "target_ms": TARGET_MS,
        "repeat": REPEAT,
    }
    log = BENCH / "data" / f"dossiers-{articles}" / "serve.log"
    foreign = ForeignCpu().start()  # this process's tree: the service, its workers, the client
    engine = peacekg(build, corpus, log, query_timeout_s=30, max_per_client=64)
    try:
        results["pages"] = measure(engine.endpoint)
    finally:
        engine.stop()
    results["foreign_cpu"] = foreign.stop()
    results["load_after"] = _loadavg()
    results["busy"] = busy(results["load_before"][0], results["foreign_cpu"])
    out = BENCH / "results" / f"dossiers-{articles}.json"
    out.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return results


def summary_lines(results: dict) -> list[str]:
    """The section of bench/README.md for one run."""
    load = conditions(
        " ".join(f"{x:.2f}" for x in results["load_before"]),
        " ".join(f"{x:.2f}" for x in results["load_after"]),
        results.get("foreign_cpu"),
        results["busy"],
    )
    lines = [
        "## Dossier render times",
        "",
        f"`.venv/bin/python -m bench.dossiers --articles {results['articles']}`: the HTML dossier of the heaviest "
        f"and of a median individual of each kind, over {results['articles']:,} synthetic articles built with drafts; "
        f"{results['repeat']} timed requests each way after warm-up, over HTTP: *kept* is the page as it is "
        "served again while the build is unchanged (panel results kept per build), *fresh* the page with "
        "`Cache-Control: no-cache` (every panel query run again, as for its first reader), *first* the very "
        f"first request. Commit {results['commit']}; {load}"
        + (": these times are under load, not a quiet machine's." if results["busy"] else "."),
        "",
        f"| dossier | individual | panels | panel errors | kept p50 (ms) | kept p95 (ms) | fresh p50 (ms) "
        f"| fresh p95 (ms) | first (ms) | under {results['target_ms']:.0f} ms? (kept / fresh) |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for kind, page in results["pages"].items():
        if "error" in page:
            lines.append(f"| {kind} | {page['error']} | | | | | | | | |")
            continue
        met = "yes" if page["p50_ms"] < results["target_ms"] else "no"
        if "fresh_p50_ms" in page:  # runs before the panel cache timed one way only
            fresh = f"{page['fresh_p50_ms']:.0f} | {page['fresh_p95_ms']:.0f} | {page['first_ms']:.0f}"
            met += " / " + ("yes" if page["fresh_p50_ms"] < results["target_ms"] else "no")
        else:
            fresh = " | | "
        lines.append(
            f"| {kind} | `{page['iri'][len(BASE) :]}` | {page['panels']} | {page['panel_errors']} | "
            f"{page['p50_ms']:.0f} | {page['p95_ms']:.0f} | {fresh} | {met} |"
        )
    return lines


def write_section(results: dict) -> Path:
    """Replace (or append) this bench's section between its markers in bench/README.md."""
    return sections.write_section(START, END, summary_lines(results))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--report-only", action="store_true", help="rewrite the README section from the last results")
    args = parser.parse_args(argv)
    out = BENCH / "results" / f"dossiers-{args.articles}.json"
    results = json.loads(out.read_text()) if args.report_only else run(args.articles)
    print(write_section(results))
    print("\n".join(summary_lines(results)))


if __name__ == "__main__":
    main()
