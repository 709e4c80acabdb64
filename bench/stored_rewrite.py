"""Every stored query through the service with the query rewriter off and on (issue 18), on a
synthetic corpus built with include_drafts: ``GET /queries/NAME`` — parameters bound the way the
service binds them for users, as pyoxigraph substitutions (not the VALUES block of bench.queries,
which is 3-21x slower on the profile queries) — required parameters given bench values
(bench.queries.BENCH_VALUES), the others their defaults.

    .venv/bin/python -m bench.stored_rewrite --build-dir DIR --corpus DIR [--reps 5] [--only NAME,NAME]
    .venv/bin/python -m bench.stored_rewrite --report-only

Two services run side by side on the same store (setting query_rewrite false and true) and each
repetition times a query on one, then the other, so both see the same load; each first answers
every query twice, untimed (the rewriter's parse cache and the store's pages, per worker). A query
slower than ``--slow`` seconds is repeated only ``--slow-reps`` times. The answers of both are
compared (same multiset of rows), so a rewrite that changed an answer shows in the table. The
run records the commit, the load average before and after and the CPU other processes used
during it (bench/foreign_cpu.py); it is marked busy, and only ratios within it mean anything, when
the 1-minute load average was above 1.0 at the start or other processes used more than 0.15 of a
core over the run (its own services drive the load average above 1.0 on an idle machine). The result goes to
bench/results/stored-rewrite-N.json and the section between its markers in bench/README.md
(one section per corpus size: ``stored-rewrite`` for 1,000 articles, ``stored-rewrite-N`` for
another size N). ``--only`` times the named queries alone (e.g. the slow ones at 10,000 articles,
where timing all of them takes hours); its section says which were timed.
"""

from __future__ import annotations

import argparse
import json
import re
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

from bench import sections
from bench.engines import peacekg
from bench.foreign_cpu import ForeignCpu, busy, conditions
from bench.measure import SparqlClient, machine, percentile
from bench.queries import BENCH_VALUES, PARAM
from bench.run import code_version

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
START, END = "<!-- stored-rewrite:start -->", "<!-- stored-rewrite:end -->"


def markers(articles: int) -> tuple[str, str]:
    """The section's markers: the historical pair for 1,000 articles, one pair per other size."""
    if articles == 1000:
        return START, END
    return f"<!-- stored-rewrite-{articles}:start -->", f"<!-- stored-rewrite-{articles}:end -->"


def stored_paths(queries_dir: Path = ROOT / "queries") -> dict[str, str]:
    """name -> GET path for every stored query but the federated ones (SERVICE needs the Internet)."""
    out = {}
    for path in sorted(queries_dir.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
        if re.search(r"\bSERVICE\b", body, re.IGNORECASE):
            continue
        given = {
            name: BENCH_VALUES.get(kind, "peace")
            for name, kind, default in PARAM.findall(text)
            if default == "required"
        }
        out[path.stem] = f"/queries/{path.stem}?" + urlencode({**given, "format": "json"})
    return out


def _answer(body: bytes) -> Counter | None:
    try:
        data = json.loads(body)
        names = data["head"]["vars"]
        return Counter(json.dumps([b.get(n) for n in names], sort_keys=True) for b in data["results"]["bindings"])
    except (ValueError, KeyError, TypeError):
        return None


def _ask(client: SparqlClient, path: str) -> tuple[int, bytes, float]:
    """(HTTP status, body, seconds); status 0 when the connection dropped without an answer (the
    service gave up on a very long query), so that one query's failure does not end the run."""
    started = time.perf_counter()
    try:
        return client.query("", path)
    except OSError:
        return 0, b"", time.perf_counter() - started


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def run(
    build_dir: Path,
    corpus: Path,
    reps: int,
    slow_s: float,
    slow_reps: int,
    timeout_s: float,
    only: list[str] | None = None,
) -> dict:
    logs = BENCH / "data" / "stored-rewrite-logs"
    logs.mkdir(parents=True, exist_ok=True)
    load_before, started, commit = _load(), time.time(), code_version()  # the code the services run
    foreign = ForeignCpu().start()  # this process's tree: the services, their workers, the client
    services = {
        mode: peacekg(
            build_dir,
            corpus,
            logs / f"peacekg-{mode}.log",
            query_timeout_s=timeout_s,
            max_per_client=8,
            extra_env={"PEACEKG_QUERY_REWRITE": "true" if mode == "on" else "false"},
        )
        for mode in ("off", "on")
    }
    clients = {mode: SparqlClient(engine.endpoint, timeout_s + 5) for mode, engine in services.items()}
    results: dict = {"queries": {}, "only": only or []}
    chosen = {n: p for n, p in stored_paths().items() if not only or n in only}
    try:
        for name, path in chosen.items():
            entry: dict = {"path": path}
            answers: dict[str, Counter | None] = {}
            for mode, client in clients.items():  # untimed: each worker parses once, pages warm
                for _ in range(2):
                    status, body, _s = _ask(client, path)
                answers[mode] = _answer(body) if status == 200 else None
                entry[f"{mode}_status"] = status
            samples: dict[str, list[float]] = {"off": [], "on": []}
            for rep in range(reps):
                for mode, client in clients.items():
                    if rep >= slow_reps and samples[mode] and min(samples[mode]) > slow_s * 1000:
                        continue
                    status, _body, seconds = _ask(client, path)
                    if status == 200:
                        samples[mode].append(seconds * 1000)
                    else:
                        entry[f"{mode}_status"] = status
            for mode in ("off", "on"):
                if samples[mode]:
                    entry[mode] = {
                        "p50_ms": percentile(samples[mode], 50),
                        "p95_ms": percentile(samples[mode], 95),
                        "runs": len(samples[mode]),
                    }
            entry["rows"] = sum(answers["on"].values()) if answers["on"] is not None else None
            # None: at least one side gave no answer to compare (an error or a timeout)
            both_answered = answers["off"] is not None and answers["on"] is not None
            entry["same_answer"] = answers["off"] == answers["on"] if both_answered else None
            results["queries"][name] = entry
            print(
                name,
                {m: entry.get(m) for m in ("off", "on")},
                {True: "same", False: "DIFFERENT", None: "not compared"}[entry["same_answer"]],
                flush=True,
            )
    finally:
        for client in clients.values():
            client.close()
        for engine in services.values():
            engine.stop()
    foreign_cpu = foreign.stop()
    manifest = json.loads((build_dir / "store" / "current" / "manifest.json").read_text())
    results.update(
        {
            "commit": commit,
            "load_before": load_before,
            "load_after": _load(),
            "foreign_cpu": foreign_cpu,
            "busy": busy(float(load_before.split()[0]), foreign_cpu),
            "minutes": round((time.time() - started) / 60, 1),
            "triples": sum(manifest["graphs"].values()),
            "machine": machine(),
            "reps": reps,
            "date": time.strftime("%Y-%m-%d", time.gmtime()),
        }
    )
    return results


def merge_earlier(results: dict, earlier: dict) -> dict:
    """``results`` of an ``--only`` run with the queries it did not time taken from ``earlier``
    (the previous result file), each marked with the commit and date it was timed at."""
    for name, entry in earlier.get("queries", {}).items():
        if name not in results["queries"]:
            entry.setdefault("earlier", {"commit": earlier.get("commit"), "date": earlier.get("date")})
            results["queries"][name] = entry
    return results


def _paged(name: str) -> bool:
    """Whether the stored query pages by key (``# page:``): its timed answer is the first page."""
    path = ROOT / "queries" / f"{name}.rq"
    return path.is_file() and any(line.startswith("# page:") for line in path.read_text(encoding="utf-8").splitlines())


def _ms(entry: dict | None) -> str:
    return "—" if not entry else f"{entry['p50_ms']:,.0f} / {entry['p95_ms']:,.0f}"


def _same(same: bool | None) -> str:
    return "— (no answer)" if same is None else "yes" if same else "**no**"


def summary_lines(results: dict, articles: int) -> list[str]:
    queries = results["queries"]
    both = [q for q in queries.values() if q.get("off") and q.get("on")]
    ratios = sorted(q["off"]["p50_ms"] / q["on"]["p50_ms"] for q in both)
    over = [n for n, q in queries.items() if not q.get("on") or q["on"]["p95_ms"] >= 1000]
    lines = [
        f"## Stored queries, rewriter off and on, {articles:,} articles ({results['triples']:,} triples)",
        "",
        "Generated by `python -m bench.stored_rewrite` (bench/results/stored-rewrite-"
        f"{articles}.json); every stored query but the federated ones through `GET /queries/NAME` "
        "(parameters as pyoxigraph substitutions, as users get them; required ones given bench values), "
        "two services on the same store (setting query_rewrite false / true), interleaved per repetition. "
        f"{results['date']}, commit {results['commit']}, "
        + conditions(results["load_before"], results["load_after"], results.get("foreign_cpu"), results["busy"])
        + f", {results['reps']} runs per query and setting, {results['minutes']} min."
        + (f" Only these queries were timed (`--only`): {', '.join(results['only'])}." if results.get("only") else "")
        + (
            " Rows marked 'earlier run' are from the previous result file, not timed in this run."
            if any(q.get("earlier") for q in results["queries"].values())
            else ""
        ),
        "",
        f"- Median speed-up (off p50 ÷ on p50) over {len(both)} queries: "
        + (f"{ratios[len(ratios) // 2]:.2f}×, range {ratios[0]:.2f}×–{ratios[-1]:.2f}×" if ratios else "—"),
        f"- p95 ≥ 1 s with the rewriter on: {', '.join(over) if over else 'none'}",
        f"- Same answer off and on: {sum(1 for q in queries.values() if q['same_answer'])} of "
        f"{sum(1 for q in queries.values() if q['same_answer'] is not None)} answered both ways"
        + (f" ({len(queries)} timed)" if any(q["same_answer"] is None for q in queries.values()) else ""),
        "",
        "| stored query | rows | off p50 / p95 ms | on p50 / p95 ms | off ÷ on (p50) | same answer |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for name, q in sorted(queries.items(), key=lambda kv: -(kv[1].get("off") or {"p50_ms": 1e9})["p50_ms"]):
        ratio = f"{q['off']['p50_ms'] / q['on']['p50_ms']:.2f}×" if q.get("off") and q.get("on") else "—"
        code = q.get("on_status", 200)
        status = "" if code == 200 else " (no answer: connection dropped)" if code == 0 else f" (HTTP {code})"
        if _paged(name):
            status += " (first page)"
        if q.get("earlier"):
            status += f" (earlier run: {q['earlier']['commit']})"
        lines.append(
            f"| {name}{status} | {q['rows'] if q['rows'] is not None else '—'} | {_ms(q.get('off'))} | "
            f"{_ms(q.get('on'))} | {ratio} | {_same(q['same_answer'])} |"
        )
    return lines


def write_section(results: dict, articles: int) -> Path:
    """Replace (or append) this bench's section between its markers in bench/README.md."""
    start, end = markers(articles)
    return sections.write_section(start, end, summary_lines(results, articles))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.stored_rewrite", description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000, help="the corpus size (names the result file)")
    parser.add_argument("--build-dir", type=Path, default=BENCH / "data" / "rewrite-1000" / "build")
    parser.add_argument("--corpus", type=Path, default=BENCH / "data" / "rewrite-1000" / "corpus")
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--slow", type=float, default=5.0, help="seconds above which a query is repeated less")
    parser.add_argument("--slow-reps", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument(
        "--only", type=lambda v: [n for n in v.split(",") if n], help="time only these queries (comma-separated names)"
    )
    parser.add_argument("--report-only", action="store_true", help="rewrite the README section from the last results")
    args = parser.parse_args(argv)
    out = BENCH / "results" / f"stored-rewrite-{args.articles}.json"
    if args.report_only:
        results = json.loads(out.read_text())
    else:
        known = stored_paths()
        unknown = [n for n in args.only or [] if n not in known]
        if unknown:
            parser.error(f"--only: no stored query named {', '.join(unknown)}")
        results = run(
            args.build_dir.resolve(),
            args.corpus.resolve(),
            args.reps,
            args.slow,
            args.slow_reps,
            args.timeout,
            args.only,
        )
        if args.only and out.exists():  # keep the other queries' figures, marked as from their run
            results = merge_earlier(results, json.loads(out.read_text()))
        out.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    print(write_section(results, args.articles))


if __name__ == "__main__":
    main()
