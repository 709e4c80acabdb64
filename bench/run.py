"""``python -m bench.run --articles N``: the whole benchmark at one corpus size (``make bench``).

Steps, one heavy thing at a time (the machine has 2 cores): synthesise the corpus; full build;
incremental rebuild after one article changes; no-op rebuild; dump the store's N-Quads; the raw
bulk_load ceiling; then each engine in turn, alone: start it, time every query, (ours and
oxigraph) concurrent throughput, read its memory, stop it. Results go to
bench/results/articles-N.json; bench/README.md and the plot are re-rendered from every results
file. Generated data stays in bench/data/ (git-ignored).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

from bench import building, engines, report
from bench.measure import machine
from bench.queries import routes, shapes, stored
from bench.serving import concurrency, latency
from kg.synthetic.corpus import article_id

BENCH = Path(__file__).resolve().parent
ENGINES = ("peacekg", "oxigraph", "virtuoso", "rdflib")


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def run(args: argparse.Namespace) -> dict:
    n, seed = args.articles, args.seed
    data = Path(args.data_dir).resolve() / run_name(args)
    corpus, build_dir = data / "corpus", data / "build"
    results: dict = {
        "articles": n,
        "seed": seed,
        "density": args.density,
        "machine_at_start": machine(),
        "settings": vars(args).copy(),
        "code": code_version(),
    }
    started = time.perf_counter()

    log(f"synthesising {n} articles (seed {seed})")
    results["synth"] = building.synth(n, seed, corpus, args.density)
    log(f"  {results['synth']['summary']} in {results['synth']['seconds']:.1f} s")

    if args.reuse_build and (build_dir / "store" / "current").exists():
        log("reusing the existing build (--reuse-build): no build timings")
    else:
        shutil.rmtree(build_dir, ignore_errors=True)
        log("full build")
        results["build"] = building.build(corpus, build_dir)
        b = results["build"]
        log(
            f"  {b['triples']} triples in {b['seconds']:.1f} s ({b['triples_per_s']:.0f} triples/s), peak RSS {b['peak_rss_kb'] // 1024} MB"
        )
        changed = building.change_one_article(corpus, n, seed)
        log(f"incremental build after changing article {changed}")
        results["incremental"] = {"article": changed, **building.build(corpus, build_dir)}
        log(
            f"  {results['incremental']['seconds']:.1f} s ({results['incremental']['seconds'] / b['seconds']:.1%} of the full build)"
        )
        results["noop"] = building.build(corpus, build_dir)
        log(f"no-op build: {results['noop']['seconds']:.1f} s")

    nquads = data / "nquads" / "store.nq"
    results["dump"] = building.dump_nquads(build_dir, nquads)
    log(f"dumped {results['dump']['quads']} quads")
    results["ceiling"] = building.raw_bulk_load(nquads, data / "raw-store")
    log(
        f"raw bulk_load: {results['ceiling']['bulk_load_s']:.1f} s ({results['ceiling']['triples_per_s']:.0f} triples/s)"
    )

    kept, federated = stored()
    queries = shapes(f"https://w3id.org/peacekg/article/{article_id(seed, n // 2)}/statement/s1") + kept
    mix = [q for q in queries if q.shape != "stored"]
    results["queries"] = {q.name: {"shape": q.shape, "text": q.text} for q in queries}
    results["queries_left_out"] = dict.fromkeys(federated, "federated (SERVICE): the bench machine has no Internet")
    results["engines"] = {}
    for name in ENGINES:
        if name in args.skip:
            continue
        results["engines"][name] = serve_and_measure(name, args, data, build_dir, corpus, nquads, queries, mix)
    results["machine_at_end"] = machine()
    results["total_s"] = time.perf_counter() - started
    return results


def code_version() -> str:
    """The commit measured, and whether kg/ or service/ had uncommitted changes (others work here too)."""
    head = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=BENCH.parent, capture_output=True, text=True
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--", "kg", "service"], cwd=BENCH.parent, capture_output=True, text=True
    ).stdout.strip()
    return head + (" + uncommitted changes in kg/ or service/" if dirty else "")


def run_name(args: argparse.Namespace) -> str:
    return f"articles-{args.articles}" + (f"-density-{args.density:g}" if args.density != 2.0 else "")


def start(
    name: str, args: argparse.Namespace, data: Path, build_dir: Path, corpus: Path, nquads: Path, fresh: bool = True
) -> engines.Engine:
    logs = data / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    if name == "peacekg":
        return engines.peacekg(
            build_dir,
            corpus,
            logs / "peacekg.log",
            query_timeout_s=args.query_timeout,
            max_per_client=args.max_per_client,
        )
    if name == "oxigraph":
        copy = data / "oxigraph-copy"
        if fresh or not copy.exists():
            shutil.rmtree(copy, ignore_errors=True)
            shutil.copytree(build_dir / "store" / "current" / "oxigraph", copy)
        return engines.oxigraph(copy, logs / "oxigraph.log")
    if name == "virtuoso":
        folder = data / "virtuoso"
        shutil.rmtree(folder, ignore_errors=True)
        return engines.VirtuosoEngine(folder, nquads.parent, timeout_s=int(args.query_timeout))
    return engines.rdflib_endpoint(nquads, logs / "rdflib.log", load_timeout_s=args.rdflib_load_timeout)


def serve_and_measure(name: str, args, data: Path, build_dir: Path, corpus: Path, nquads: Path, queries, mix) -> dict:
    log(f"{name}: starting")
    engine = start(name, args, data, build_dir, corpus, nquads)
    out: dict = {"endpoint": engine.endpoint, "ready_s": engine.started_s}
    if isinstance(engine, engines.VirtuosoEngine):
        out["bulk_load_s"] = engine.load_s
    log(f"{name}: ready in {engine.started_s:.1f} s")
    holder = {"engine": engine, "restarts": 0}

    def restart() -> str:
        holder["engine"].stop()
        holder["restarts"] += 1
        log(f"{name}: restarting (a query it was still running timed out)")
        holder["engine"] = start(name, args, data, build_dir, corpus, nquads, fresh=False)
        return holder["engine"].endpoint

    try:
        slow = name == "rdflib"
        # A query the client gave up on keeps running in oxigraph serve and rdflib-endpoint (no server-side
        # limit), so they are restarted after a timeout; ours stops it itself, Virtuoso has MaxQueryExecutionTime.
        restarts = name in ("rdflib", "oxigraph")
        out["latency"] = latency(
            engine.endpoint,
            queries,
            warmup=1 if slow else args.warmup,
            reps=args.slow_reps if slow else args.reps,
            budget_s=args.budget,
            min_reps=1 if slow else 3,
            total_budget_s=args.rdflib_budget if slow else None,
            timeout_s=args.rdflib_timeout if slow else args.query_timeout,
            restart=restart if restarts else None,
            progress=log,
        )
        out["restarts"] = holder["restarts"]
        if name == "peacekg" and routes():
            log(f"{name}: stored queries through GET /queries/NAME (parameters as substitutions)")
            out["route_latency"] = latency(
                engine.endpoint,
                routes(),
                warmup=args.warmup,
                reps=args.reps,
                budget_s=args.budget,
                timeout_s=args.query_timeout,
                progress=log,
            )
        if name in ("peacekg", "oxigraph"):
            out["concurrency"] = []
            for clients in args.clients:
                result = concurrency(holder["engine"].endpoint, mix, clients, args.duration, args.query_timeout)
                log(f"{name}: {clients} clients: {result['throughput_qps']:.1f} q/s, {result['errors']} errors")
                out["concurrency"].append(result)
        out["memory"] = holder["engine"].memory()
        log(
            f"{name}: peak RSS {out['memory'].get('peak_rss_kb', 0) // 1024} MB over {out['memory'].get('processes')} process(es)"
        )
    finally:
        holder["engine"].stop()
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--density", type=float, default=2.0, help="mean statements per article (peacekg synth --density)"
    )
    parser.add_argument("--data-dir", default=str(BENCH / "data"))
    parser.add_argument(
        "--skip",
        nargs="*",
        default=[],
        choices=ENGINES,
        help="engines not to measure (their earlier results, if any, stay in the results file)",
    )
    parser.add_argument(
        "--reuse-build",
        action="store_true",
        help="keep an existing build; its earlier timings (and engines not measured now) stay in the results",
    )
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--reps", type=int, default=15)
    parser.add_argument("--slow-reps", type=int, default=3, help="repetitions for rdflib-endpoint")
    parser.add_argument(
        "--budget", type=float, default=15.0, help="seconds of repetitions per query and engine (at least 3)"
    )
    parser.add_argument("--query-timeout", type=float, default=60.0)
    parser.add_argument(
        "--rdflib-timeout", type=float, default=30.0, help="per rdflib-endpoint query (then it is restarted)"
    )
    parser.add_argument(
        "--rdflib-budget",
        type=float,
        default=300.0,
        help="seconds after which rdflib-endpoint skips the remaining stored queries",
    )
    parser.add_argument("--rdflib-load-timeout", type=float, default=900.0)
    parser.add_argument("--duration", type=float, default=15.0, help="seconds per concurrency level")
    parser.add_argument("--clients", type=int, nargs="*", default=[1, 4, 16])
    parser.add_argument(
        "--max-per-client",
        type=int,
        default=64,
        help="our service's max_queries_per_client (all bench clients share one address)",
    )
    parser.add_argument("--no-save", action="store_true", help="print results, do not write bench/results")
    args = parser.parse_args(argv)
    results = run(args)
    if args.no_save:
        json.dump(results, sys.stdout, indent=1)
        return
    out = BENCH / "results" / f"{run_name(args)}.json"
    out.parent.mkdir(exist_ok=True)
    if out.exists():  # keep the build timings (with --reuse-build) and the engines not measured again (--skip)
        previous = json.loads(out.read_text(encoding="utf-8"))
        for key in ("build", "incremental", "noop"):
            if key in previous and key not in results:
                results[key] = previous[key]
        results["engines"] = {**previous.get("engines", {}), **results["engines"]}
    out.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    log(f"wrote {out}; total {results['total_s'] / 60:.1f} min")
    report.render()


if __name__ == "__main__":
    main()
