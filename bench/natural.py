"""The natural-shapes suite (bench/natural/, issue 18): queries written the way newcomers write
them, each in two or three orderings of its required patterns, timed through the service with
the query rewriter off and on, interleaved ordering by ordering so that both see the same load.

    .venv/bin/python -m bench.natural expect   # (re)write each query's expected.srj (make natural-expect)
    .venv/bin/python -m bench.natural run      # time every ordering through the service (make bench-natural)

Each query is a folder ``NN-name/`` holding ``a.rq``, ``b.rq`` (``c.rq``…), one per ordering, and
``expected.srj``: the answer of the reference ordering (``a``, or the one a ``# reference:`` header
names) as written, from pyoxigraph directly (SPARQL JSON), a snapshot of the seed corpus of its
commit: ``make natural-expect`` rewrites it when the corpus changes. Headers: ``# title:``,
``# shape:``, ``# ordering:``, ``# reference:`` and, for a GROUP_CONCAT column whose order the
engine does not fix, ``# concat: COLUMN "SEPARATOR"`` (its parts are compared as a multiset).
tests/unit/test_natural_queries.py checks that every ordering, as the service runs it, returns the
rows of the reference ordering as written on the current seed build (the corpus grows, so the
test computes them, and checks the snapshot's columns); this module only measures (never a timed
test).

The store is the seed corpus built by the real build into bench/data/natural/ (git-ignored). The
run records the commit, the load average before and after and the CPU other processes used during
it (bench/foreign_cpu.py); with a 1-minute load average above 1.0 at the start on this 2-core
machine, or other processes using more than 0.15 of a core over the run, it is marked busy, and
only ratios within it mean anything (the end's load average says nothing: the run's own services
drive it above 1.0 on an idle machine).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph

from bench.engines import Engine, peacekg
from bench.foreign_cpu import ForeignCpu, busy, conditions
from bench.measure import SparqlClient, machine, percentile, rows, run_timed

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
SUITE = BENCH / "natural"
DATA = BENCH / "data" / "natural"
RESULT = BENCH / "results" / "natural-seed.json"
REPORT = SUITE / "README.md"
_CONCAT = re.compile(r'^# concat: (\w+) "([^"]+)"$', re.MULTILINE)
_HEADER = re.compile(r"^# (title|shape|reference): (.+)$", re.MULTILINE)


@dataclass
class NaturalQuery:
    name: str
    folder: Path
    title: str
    shape: str
    orderings: dict[str, str] = field(default_factory=dict)  # ordering key -> query text
    concat: dict[str, str] = field(default_factory=dict)  # column -> separator
    reference: str = "a"  # the ordering whose answer as written is the expected one (a fast one)

    @property
    def expected(self) -> Path:
        return self.folder / "expected.srj"


def load(suite: Path = SUITE) -> list[NaturalQuery]:
    """Every query of the suite, its orderings in key order."""
    queries = []
    for folder in sorted(p for p in suite.iterdir() if p.is_dir()):
        texts = {f.stem: f.read_text(encoding="utf-8") for f in sorted(folder.glob("*.rq"))}
        first = next(iter(texts.values()))
        header = dict(_HEADER.findall(first))
        queries.append(
            NaturalQuery(
                folder.name,
                folder,
                header.get("title", ""),
                header.get("shape", ""),
                texts,
                dict(_CONCAT.findall(first)),
            )
        )
    return queries


def seed_store() -> Path:
    """The seed corpus built by the real build with the default settings, as the tests build it
    (drafts left out); incremental, so a second call is quick."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PEACEKG_")}
    env.update(
        {
            "PEACEKG_CORPUS_DIR": str(ROOT / "corpus"),
            "PEACEKG_BUILD_DIR": str(DATA / "build"),
            "PEACEKG_ONTOLOGY_DIR": str(ROOT / "ontology"),
        }
    )
    timed = run_timed([sys.executable, "-m", "kg.cli", "build"], env=env, cwd=ROOT)
    if timed.returncode != 0:
        raise SystemExit("the seed build failed:\n" + "\n".join(line for _t, line in timed.lines[-20:]))
    return DATA / "build"


def _store_location(build_dir: Path) -> Path:
    from kg.store.builds import current_build

    location = current_build(build_dir)
    if location is None:
        raise SystemExit(f"no build in {build_dir}")
    return location / "oxigraph"


def expect() -> None:
    """Write expected.srj for every query: its reference ordering as written, pyoxigraph directly."""
    store = pyoxigraph.Store.read_only(str(_store_location(seed_store())))
    for query in load():
        result = store.query(query.orderings[query.reference], use_default_graph_as_union=True)
        data = result.serialize(format=pyoxigraph.QueryResultsFormat.JSON)
        query.expected.write_bytes(json.dumps(json.loads(data), indent=1, sort_keys=True).encode() + b"\n")
        print(f"{query.name}: {rows(data)} rows")


def _loadavg() -> list[float]:
    return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]


def _commit() -> str:
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--", "kg", "service", "bench/natural"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout.strip()
    return head.strip() + (" + uncommitted changes in kg/, service/ or bench/natural/" if dirty else "")


def _time(client: SparqlClient, text: str, reps: int, budget_s: float) -> dict:
    """1 warm-up, then ``reps`` runs (fewer once ``budget_s`` is spent, at least one)."""
    try:
        status, body, _warmup = client.query(text)
        if status != 200:
            return {"error": f"HTTP {status}: {body[:200]!r}"}
        samples: list[float] = []
        started = time.perf_counter()
        while len(samples) < reps and (not samples or time.perf_counter() - started < budget_s):
            status, body, seconds = client.query(text)
            if status != 200:
                return {"error": f"HTTP {status}"}
            samples.append(seconds)
    except OSError as exc:
        return {"error": str(exc)}
    ms = [s * 1000 for s in samples]
    return {"p50_ms": percentile(ms, 50), "min_ms": min(ms), "runs": len(ms), "rows": rows(body)}


def run(reps: int, budget_s: float, timeout_s: float) -> dict:
    build_dir = seed_store()
    queries = load()
    results: dict = {"commit": _commit(), "machine_at_start": machine(), "load_before": _loadavg(), "queries": {}}
    foreign = ForeignCpu().start()  # this process's tree: the services, their workers, the client
    logs = DATA / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    services: dict[str, Engine] = {}
    try:
        for mode, flag in (("off", "false"), ("on", "true")):
            services[mode] = peacekg(
                build_dir,
                ROOT / "corpus",
                logs / f"service-rewrite-{mode}.log",
                query_timeout_s=timeout_s,
                max_per_client=8,
                extra_env={"PEACEKG_QUERY_REWRITE": flag},
            )
        clients = {mode: SparqlClient(engine.endpoint, timeout_s + 5) for mode, engine in services.items()}
        for query in queries:
            per_ordering = {}
            for key, text in query.orderings.items():
                per_ordering[key] = {mode: _time(clients[mode], text, reps, budget_s) for mode in ("off", "on")}
                print(query.name, key, {m: per_ordering[key][m].get("p50_ms") for m in ("off", "on")}, flush=True)
            results["queries"][query.name] = {"title": query.title, "shape": query.shape, "orderings": per_ordering}
    finally:
        for engine in services.values():
            engine.stop()
    results["foreign_cpu"] = foreign.stop()
    results["load_after"] = _loadavg()
    results["busy"] = busy(results["load_before"][0], results["foreign_cpu"])
    RESULT.parent.mkdir(parents=True, exist_ok=True)
    RESULT.write_text(json.dumps(results, indent=1) + "\n")
    return results


def _ms(outcome: dict) -> str:
    if "error" in outcome:
        return "✗ " + outcome["error"][:40]
    return f"{outcome['p50_ms']:,.1f}"


def _spread(orderings: dict, mode: str) -> float | None:
    """Slowest ordering ÷ fastest, for one mode (None when one failed)."""
    times = [o[mode].get("p50_ms") for o in orderings.values()]
    if any(t is None for t in times):
        return None
    return max(times) / max(min(times), 1e-3)


def _conditions(results: dict, averages: int) -> str:
    """What was measured of the machine during the run (bench.foreign_cpu.conditions), with the
    first ``averages`` load averages (1, 5, 15 minutes)."""

    def load(figures: list[float]) -> str:
        return " ".join(f"{x:.2f}" for x in figures[:averages])

    return conditions(
        load(results["load_before"]), load(results["load_after"]), results.get("foreign_cpu"), results["busy"]
    )


def report_lines(results: dict) -> list[str]:
    """The table of a run: per query and ordering, p50 with the rewriter off and on."""
    lines = [
        f"Commit {results['commit']}; {_conditions(results, 3)}; load averages over 1, 5 and 15 minutes.",
        "",
        "p50 in ms over HTTP through `peacekg serve` (SPARQL JSON), 1 warm-up then up to "
        f"{results.get('reps', 5)} runs; **off**: setting query_rewrite false, **on**: true (the default). "
        "Spread: slowest ordering ÷ fastest.",
        "",
        "| query | shape | ordering | rows | off (ms) | on (ms) | off ÷ on | spread off | spread on |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    worst_on = []
    for name, q in results["queries"].items():
        orderings = q["orderings"]
        spreads = {m: _spread(orderings, m) for m in ("off", "on")}
        worst_on.append(spreads["on"] or 0.0)
        spread_text = {m: f"{spreads[m]:.1f}×" if spreads[m] else "—" for m in ("off", "on")}
        for i, (key, o) in enumerate(orderings.items()):
            off, on = o["off"].get("p50_ms"), o["on"].get("p50_ms")
            ratio = f"{off / max(on, 1e-3):.1f}×" if off is not None and on is not None else "—"
            head = (name, q["shape"]) if i == 0 else ("", "")
            spread = (spread_text["off"], spread_text["on"]) if i == 0 else ("", "")
            lines.append(
                f"| {head[0]} | {head[1]} | {key} | {o['on'].get('rows', '—')} | {_ms(o['off'])} | {_ms(o['on'])} "
                f"| {ratio} | {spread[0]} | {spread[1]} |"
            )
    slowest = max(
        (o["on"].get("p50_ms") or float("inf") for q in results["queries"].values() for o in q["orderings"].values()),
        default=0.0,
    )
    lines += [
        "",
        f"Slowest ordering with the rewriter on: {slowest:,.1f} ms; queries whose orderings differ by more than "
        f"3× with it on: {sum(s > 3 for s in worst_on)} of {len(worst_on)}.",
    ]
    return lines


def summary_lines(results: dict) -> list[str]:
    """The run in a few lines, against issue 18's targets (every ordering under 1 s; no ordering
    more than 3× slower than the best of its query), rewriter off and on."""
    queries = results["queries"]
    orderings = [o for q in queries.values() for o in q["orderings"].values()]
    lines = [
        f"{len(queries)} queries, {len(orderings)} orderings; commit {results['commit']}; {_conditions(results, 1)}.",
        "",
        "| | rewriter off | rewriter on |",
        "|---|---:|---:|",
    ]
    cells: dict[str, list[str]] = {"slowest": [], "over 1 s": [], "spread": [], "median": []}
    for mode in ("off", "on"):
        times = sorted(o[mode].get("p50_ms") or float("inf") for o in orderings)
        spreads = [_spread(q["orderings"], mode) for q in queries.values()]
        cells["slowest"].append(f"{times[-1]:,.1f} ms")
        cells["median"].append(f"{times[len(times) // 2]:,.1f} ms")
        cells["over 1 s"].append(str(sum(t > 1000 for t in times)))
        cells["spread"].append(f"{sum(s is None or s > 3 for s in spreads)} of {len(spreads)}")
    lines += [
        f"| slowest ordering (p50) | {cells['slowest'][0]} | {cells['slowest'][1]} |",
        f"| median ordering (p50) | {cells['median'][0]} | {cells['median'][1]} |",
        f"| orderings over 1 s | {cells['over 1 s'][0]} | {cells['over 1 s'][1]} |",
        f"| queries whose slowest ordering is > 3× their fastest | {cells['spread'][0]} | {cells['spread'][1]} |",
    ]
    return lines


def render(results: dict) -> Path:
    lines = [
        "<!-- Generated by `python -m bench.natural run` (make bench-natural) from "
        "bench/results/natural-seed.json; do not edit by hand. -->",
        "# Natural query shapes on the seed graph",
        "",
        "Queries written the way newcomers write them, each in two or three orderings of its required patterns "
        "(one folder per query: `a.rq`, `b.rq`…, and `expected.srj`, the rows every ordering must return: "
        "tests/unit/test_natural_queries.py). How they were chosen and what the figures mean: `queries/README.md` "
        '("Advice for people writing queries"). The module docstring of bench/natural.py says how to run it.',
        "",
        *summary_lines(results),
        "",
        *report_lines(results),
        "",
    ]
    REPORT.write_text("\n".join(lines), encoding="utf-8")
    return REPORT


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.natural", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("expect", help="(re)write expected.srj of every query from ordering a, as written")
    timed = sub.add_parser("run", help="time every ordering through the service, rewriter off and on")
    timed.add_argument("--reps", type=int, default=5)
    timed.add_argument("--budget-s", type=float, default=3.0, help="time per ordering and mode after the warm-up")
    timed.add_argument("--timeout-s", type=float, default=60.0)
    sub.add_parser("report", help="re-render bench/natural/README.md from the last run")
    args = parser.parse_args(argv)
    if args.command == "expect":
        expect()
    elif args.command == "run":
        results = run(args.reps, args.budget_s, args.timeout_s)
        results["reps"] = args.reps
        RESULT.write_text(json.dumps(results, indent=1) + "\n")
        print(render(results))
    else:
        print(render(json.loads(RESULT.read_text())))


if __name__ == "__main__":
    sys.exit(main())
