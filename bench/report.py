"""bench/README.md and bench/cost-vs-size.png, rendered from every bench/results/*.json (one per
corpus size) plus the hand-written bench/analysis.md. ``python -m bench.report`` re-renders."""

from __future__ import annotations

import json
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ENGINE_NAMES = {
    "peacekg": "PeaceKG service",
    "oxigraph": "oxigraph serve",
    "virtuoso": "Virtuoso 7",
    "rdflib": "rdflib-endpoint",
}
SHAPES = ("lookup", "join", "group-by")


def load() -> list[dict]:
    runs = [json.loads(p.read_text()) for p in sorted((BENCH / "results").glob("articles-*.json"))]
    return sorted(runs, key=_triples)


def _triples(run: dict) -> int:
    return run.get("build", {}).get("triples") or run["dump"]["quads"]


def _label(run: dict) -> str:
    density = run.get("density", 2.0)
    return f"{run['articles']:,} articles" + ("" if density == 2.0 else f" (density {density:g})")


def _f(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def _ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def _p50(run: dict, engine: str, query: str) -> float | None:
    return run.get("engines", {}).get(engine, {}).get("latency", {}).get(query, {}).get("p50_ms")


def build_table(runs: list[dict]) -> list[str]:
    out = [
        "| articles | triples | full build | build triples/s | raw bulk_load triples/s | build ÷ ceiling "
        "| incremental (1 article) | % of full | no-op | build peak RSS |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in runs:
        b, c, i, n = r.get("build"), r["ceiling"], r.get("incremental"), r.get("noop")
        if not b:
            continue
        out.append(
            f"| {_label(r).replace(' articles', '')} | {_triples(r):,} | {b['seconds']:.0f} s "
            f"| {b['triples_per_s']:,.0f} | {c['triples_per_s']:,.0f} "
            f"| {b['triples_per_s'] / c['triples_per_s']:.3f} | {i['seconds']:.1f} s | {i['seconds'] / b['seconds']:.1%} "
            f"| {n['seconds']:.1f} s | {b['peak_rss_kb'] / 1024:,.0f} MB |"
        )
    return out


PHASES = (
    "load, check and fingerprint the corpus",
    "map and SHACL-validate each graph",
    "data checks (SPARQL)",
    "inference",
    "write the store",
    "exit",
)


def phase_table(run: dict) -> list[str]:
    full, inc = run["build"]["phases"], run["incremental"]["phases"]
    out = ["| phase | full build | incremental |", "|---|---:|---:|"]
    for name in sorted(full, key=lambda p: PHASES.index(p) if p in PHASES else len(PHASES)):
        out.append(f"| {name} | {full[name]:.1f} s | {_f(inc.get(name))} s |")
    return out


def _short(error: str) -> str:
    if error.startswith("HTTP"):
        return " ".join(error.split()[:2]).rstrip(":")
    if error.startswith("skipped"):
        return "skipped (time budget)"
    return error[:30]


def latency_table(run: dict) -> list[str]:
    engines = [e for e in ENGINE_NAMES if e in run.get("engines", {})]
    route = run.get("engines", {}).get("peacekg", {}).get("route_latency", {})
    head = "| query | " + " | ".join(f"{ENGINE_NAMES[e]} p50 / p95 (ms)" for e in engines)
    head += " | ours ÷ oxigraph | rdflib ÷ ours | ours ÷ Virtuoso |"
    if route:
        head += " ours via `/queries/NAME` p50 (ms) | that ÷ oxigraph |"
    head += " rows |"
    out = [head, "|---|" + "---:|" * (len(engines) + 4 + (2 if route else 0))]
    for name in sorted(run["queries"], key=lambda q: (SHAPES.index(q) if q in SHAPES else len(SHAPES), q)):
        cells = []
        for e in engines:
            q = run["engines"][e]["latency"].get(name, {})
            cells.append(
                f"{q['p50_ms']:,.1f} / {q['p95_ms']:,.1f}" if "p50_ms" in q else f"✗ {_short(q.get('error', ''))}"
            )
        counted = {e: run["engines"][e]["latency"].get(name, {}).get("rows") for e in engines}
        counted = {e: n for e, n in counted.items() if n is not None}
        base = counted.get("peacekg", next(iter(counted.values()), None))
        differ = ", ".join(f"{ENGINE_NAMES[e]} {n}" for e, n in counted.items() if n != base)
        rows = f"{base}" + (f" (**{differ}**)" if differ else "") if base is not None else "—"
        out.append(
            f"| {name} | "
            + " | ".join(cells)
            + f" | {_f(_ratio(_p50(run, 'peacekg', name), _p50(run, 'oxigraph', name)), 2)}"
            + f" | {_f(_ratio(_p50(run, 'rdflib', name), _p50(run, 'peacekg', name)), 0)}"
            + f" | {_f(_ratio(_p50(run, 'peacekg', name), _p50(run, 'virtuoso', name)), 1)}"
            + (
                f" | {_f(route.get(name, {}).get('p50_ms'))}"
                f" | {_f(_ratio(route.get(name, {}).get('p50_ms'), _p50(run, 'oxigraph', name)), 2)}"
                if route
                else ""
            )
            + f" | {rows} |"
        )
    return out


def concurrency_table(run: dict) -> list[str]:
    ours, ox = (run.get("engines", {}).get(e, {}).get("concurrency", []) for e in ("peacekg", "oxigraph"))
    out = [
        "| clients | PeaceKG q/s (errors) | p50 / p95 ms | oxigraph q/s (errors) | p50 / p95 ms | ours ÷ oxigraph |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for a, b in zip(ours, ox, strict=False):  # an engine may have fewer rows (a failed run)
        out.append(
            f"| {a['clients']} | {a['throughput_qps']:.1f} ({a['errors']}) | {_f(a['p50_ms'])} / {_f(a['p95_ms'])} "
            f"| {b['throughput_qps']:.1f} ({b['errors']}) | {_f(b['p50_ms'])} / {_f(b['p95_ms'])} "
            f"| {a['throughput_qps'] / b['throughput_qps']:.2f} |"
        )
    return out


def memory_table(run: dict) -> list[str]:
    out = ["| process | peak RSS | notes |", "|---|---:|---|"]
    if run.get("build"):
        out.append(f"| `peacekg build` (full) | {run['build']['peak_rss_kb'] / 1024:,.0f} MB | one process |")
        out.append(f"| `peacekg build` (incremental) | {run['incremental']['peak_rss_kb'] / 1024:,.0f} MB | |")
    out.append(f"| raw bulk_load | {run['ceiling']['peak_rss_kb'] / 1024:,.0f} MB | |")
    for e, result in run.get("engines", {}).items():
        m = result.get("memory", {})
        if m:
            out.append(
                f"| {ENGINE_NAMES[e]} | {m['peak_rss_kb'] / 1024:,.0f} MB | sum over {m['processes']} process(es), after all queries |"
            )
    return out


def _verdict(oks: list[bool]) -> str:
    return "met" if all(oks) else "not met" if not any(oks) else "partly met"


def targets(runs: list[dict]) -> list[str]:
    """Each target at every corpus size measured (latest-built scales last)."""
    out = ["| target | measured | met? |", "|---|---|---|"]
    served = [
        r
        for r in runs
        if "peacekg" in r.get("engines", {}) and "oxigraph" in r.get("engines", {}) and r["articles"] >= 1000
    ]
    cells, oks = [], []
    for r in served:
        ratios = {s: _ratio(_p50(r, "peacekg", s), _p50(r, "oxigraph", s)) for s in SHAPES}
        oks += [v is not None and v <= 1.2 for v in ratios.values()]
        cells.append(f"{_label(r)}: " + ", ".join(f"{s} {_f(v, 2)}×" for s, v in ratios.items()))
    if cells:
        out.append(
            f"| service p50 within 1.2× of oxigraph serve (lookup, join, group-by) | {'<br>'.join(cells)} | {_verdict(oks)} |"
        )
    cells, oks = [], []
    for r in served:
        pairs = list(
            zip(
                r["engines"]["peacekg"].get("concurrency", []),
                r["engines"]["oxigraph"].get("concurrency", []),
                strict=False,  # an engine may have stopped early
            )
        )
        t = {a["clients"]: a["throughput_qps"] / b["throughput_qps"] for a, b in pairs}
        oks += [v >= 0.8 for v in t.values()]
        cells.append(f"{_label(r)}: " + ", ".join(f"{c} clients {v:.2f}×" for c, v in t.items()))
    if cells:
        out.append(f"| throughput ≥ 0.8× oxigraph serve (1, 4, 16 clients) | {'<br>'.join(cells)} | {_verdict(oks)} |")
    cells, oks = [], []
    for r in [
        r
        for r in runs
        if "rdflib" in r.get("engines", {}) and "peacekg" in r.get("engines", {}) and r["articles"] >= 1000
    ]:
        parts = []
        for s in ("join", "group-by"):
            ratio = _ratio(_p50(r, "rdflib", s), _p50(r, "peacekg", s))
            oks.append(ratio is not None and ratio >= 50 and _triples(r) >= 900_000)
            parts.append(f"{s} {_f(ratio, 0)}×")
        cells.append(f"{_label(r)} ({_triples(r) / 1e6:.2f}M triples): " + ", ".join(parts))
    if cells:
        out.append(
            f"| ≥ 50× faster than rdflib-endpoint on join and group-by at 1M triples | {'<br>'.join(cells)} | {_verdict(oks)} |"
        )
    # the build's targets are in its own section (bench.build_report), from runs that record their
    # commit and load average; the build figures of these older runs are not shown
    return out


def plot(runs: list[dict], path: Path) -> bool:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    built = [r for r in runs if r.get("build")]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    x = [_triples(r) for r in built]
    left.plot(x, [r["build"]["seconds"] for r in built], "o-", label="peacekg build (full)")
    left.plot(x, [r["incremental"]["seconds"] for r in built], "s-", label="incremental (1 article)")
    left.plot(x, [r["ceiling"]["bulk_load_s"] for r in built], "^-", label="raw pyoxigraph bulk_load")
    left.set(xscale="log", yscale="log", xlabel="triples in the store", ylabel="seconds", title="Build cost")
    for engine, style in (("peacekg", "o-"), ("oxigraph", "s--"), ("virtuoso", "^:"), ("rdflib", "x-.")):
        for shape, colour in (("join", "C0"), ("group-by", "C3")):
            pts = [(_triples(r), _p50(r, engine, shape)) for r in runs if _p50(r, engine, shape) is not None]
            if pts:
                right.plot(*zip(*pts, strict=True), style, color=colour, label=f"{ENGINE_NAMES[engine]}: {shape}")
    right.set(
        xscale="log", yscale="log", xlabel="triples in the store", ylabel="p50 latency (ms)", title="Query latency"
    )
    left.legend(fontsize=8)
    right.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def render() -> Path:
    runs = load()
    lines = [
        "<!-- Generated by `python -m bench.report` from bench/results/*.json and bench/analysis.md; do not edit by hand. -->",
        "# PeaceKG benchmarks",
        "",
        "Run with `make bench` (1,000 articles) or `.venv/bin/python -m bench.run --articles N`. Each run "
        "synthesises a corpus (`peacekg synth`, seed 1), builds it with the real `peacekg build`, and serves the "
        "same store through four engines, one at a time, on 127.0.0.1. Generated data stays in `bench/data/` "
        "(git-ignored); results in `bench/results/articles-N.json`. Method and caveats are at the end.",
        "",
    ]
    if not runs:
        return _write(lines + ["No results yet."])
    largest = runs[-1]
    m = largest["machine_at_start"]
    lines += [
        "## Machine",
        "",
        f"- CPU: {m['cpu']}; memory {m['memory']}; {m['os']}",
        f"- Python {m['python']}, pyoxigraph {m['pyoxigraph']}, {m['oxigraph_cli']}, Virtuoso {m['virtuoso']}, "
        f"rdflib {m['rdflib']}, rdflib-endpoint {m['rdflib_endpoint']}, pySHACL {m['pyshacl']}",
        "- Load average (1/5/15 min) at start → end of each run: "
        + "; ".join(
            f"{_label(r)}: {r['machine_at_start']['load_average']} → {r['machine_at_end']['load_average']}"
            f" ({r['total_s'] / 60:.0f} min)"
            for r in runs
        ),
        "- Code measured: " + "; ".join(f"{_label(r)}: {r.get('code', 'commit not recorded')}" for r in runs),
        "",
        "## Targets",
        "",
        *targets(runs),
        "",
    ]
    from bench.build_report import section_lines  # the build's own benchmark (make bench-build)

    lines += [*section_lines(), ""]
    if plot(runs, BENCH / "cost-vs-size.png"):
        lines += ["![Build cost and query latency against corpus size](cost-vs-size.png)", ""]
    for r in reversed(runs):
        if r.get("engines"):
            lines += [
                f"## Query latency, {_label(r)} ({_triples(r):,} triples)",
                "",
                "Milliseconds over HTTP (SPARQL JSON, one kept-alive connection), after warm-up; ✗ = failed or timed out. "
                "Rows are our service's; engines that answered with another number of rows are named in bold.",
                "",
                *latency_table(r),
                "",
            ]
    for r in reversed(runs):
        if r.get("engines", {}).get("peacekg", {}).get("concurrency"):
            lines += [
                f"## Concurrency, {_label(r)}",
                "",
                f"Clients send lookup, join and group-by round-robin for {r['settings']['duration']:g} s per level.",
                "",
                *concurrency_table(r),
                "",
            ]
            break
    lines += [f"## Memory ({_label(largest)})", "", *memory_table(largest), ""]
    natural = BENCH / "results" / "natural-seed.json"
    if natural.exists():  # bench/natural.py: the natural-shapes suite, query rewriter off and on
        from bench.natural import summary_lines

        lines += [
            "## Natural query shapes on the seed graph (issue 18)",
            "",
            "`make bench-natural`; per query and ordering in bench/natural/README.md, advice in queries/README.md.",
            "",
            *summary_lines(json.loads(natural.read_text())),
            "",
        ]
    for dossiers in sorted((BENCH / "results").glob("dossiers-*.json")):  # bench/dossiers.py (issue 16)
        from bench.dossiers import END, START
        from bench.dossiers import summary_lines as dossier_lines

        lines += [START, *dossier_lines(json.loads(dossiers.read_text())), END, ""]
    lines += _marked_sections()
    analysis = BENCH / "analysis.md"
    if analysis.exists():
        lines += [analysis.read_text(encoding="utf-8").rstrip(), ""]
    return _write(lines)


def _articles(path: Path) -> int:
    return int(path.stem.rsplit("-", 1)[1])


def _marked_sections() -> list[str]:
    """The sections other benches write between their markers (bench/sections.py), rendered from
    their results too, so that re-rendering the README never drops them."""
    from bench import lookups, stored_rewrite

    lines: list[str] = []
    for path in sorted((BENCH / "results").glob("lookups-*.json"), key=_articles):
        lines += [lookups.START, *lookups.summary_lines(json.loads(path.read_text()), _articles(path)), lookups.END, ""]
    for path in sorted((BENCH / "results").glob("stored-rewrite-*.json"), key=_articles):
        start, end = stored_rewrite.markers(_articles(path))
        lines += [start, *stored_rewrite.summary_lines(json.loads(path.read_text()), _articles(path)), end, ""]
    return lines


def _write(lines: list[str]) -> Path:
    path = BENCH / "README.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


if __name__ == "__main__":
    print(render())
