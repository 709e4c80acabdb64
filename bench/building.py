"""Build measurements: the synthetic corpus, a full ``peacekg build`` (end to end, in its own
process, with a phase breakdown from its progress lines), an incremental rebuild after one
article changes, a no-op rebuild, and the ceiling: pyoxigraph's bulk_load of the same N-Quads."""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from pathlib import Path

import yaml

from bench.measure import Timed, run_timed
from kg.synthetic.corpus import _dump, article_id

ROOT = Path(__file__).resolve().parent.parent


def peacekg_env(corpus: Path, build_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PEACEKG_")}
    env.update(
        {
            "PEACEKG_CORPUS_DIR": str(corpus),
            "PEACEKG_BUILD_DIR": str(build_dir),
            "PEACEKG_ONTOLOGY_DIR": str(ROOT / "ontology"),
            # synthetic annotations are drafts (review: draft): a benchmark builds them all
            "PEACEKG_INCLUDE_DRAFTS": "true",
        }
    )
    return env


def _checked(timed: Timed, what: str) -> Timed:
    if timed.returncode != 0:
        tail = "\n".join(line for _t, line in timed.lines[-30:])
        raise RuntimeError(f"{what} failed with exit code {timed.returncode}:\n{tail}")
    return timed


def synth(articles: int, seed: int, corpus: Path, density: float) -> dict:
    timed = _checked(
        run_timed(
            [
                sys.executable,
                "-m",
                "kg.cli",
                "synth",
                "--articles",
                str(articles),
                "--seed",
                str(seed),
                "--density",
                str(density),
                "--out",
                str(corpus),
                "--force",
            ],
            cwd=ROOT,
        ),
        "peacekg synth",
    )
    size = sum(p.stat().st_size for p in corpus.rglob("*") if p.is_file())
    return {"seconds": timed.seconds, "bytes": size, "summary": timed.lines[-1][1]}


def phases(lines: list[tuple[float, str]]) -> dict[str, float]:
    """Seconds per build phase, from when each progress line appeared."""

    def first(predicate) -> float | None:
        return next((t for t, line in lines if predicate(line)), None)

    marks = [
        ("load, check and fingerprint the corpus", first(lambda line: line.startswith("[1/"))),
        ("map and SHACL-validate each graph", max((t for t, line in lines if line.startswith("[")), default=None)),
        ("data checks (SPARQL)", first(lambda line: line.startswith("data checks"))),
        ("inference", first(lambda line: line.startswith("inference"))),
        ("write the store", first(lambda line: line.startswith("store:"))),
    ]
    out, previous = {}, 0.0
    for name, at in marks:
        if at is not None:
            out[name] = at - previous
            previous = at
    if lines:
        out["exit"] = lines[-1][0] - previous
    on_previous = next((line for _, line in lines if ON_PREVIOUS in line), None)
    if on_previous is not None and "write the store" in out:
        _split_on_previous(out, on_previous)
    return out


# A rebuild on the previous store (kg.builder.incremental) checks and infers inside the store's
# copy and says so in one line, ending with its steps' seconds: "(overdelete 0.01, replace 0.02,
# data checks 0.00, rederive+insert 0.01, disjointness 0.00 s)".
ON_PREVIOUS = "made from the current build's store without the union in memory"
INFERENCE_STEPS = ("overdelete", "rederive+insert", "disjointness")


def _split_on_previous(out: dict[str, float], line: str) -> None:
    """The data checks' and the inference's seconds taken out of "write the store", where the
    progress lines put them."""
    found = re.search(r"\(([^()]*) s\)\s*$", line)
    if not found:
        return
    steps = {}
    for part in found.group(1).split(", "):
        name, _, value = part.rpartition(" ")
        steps[name] = float(value)
    checks = steps.get("data checks", 0.0)
    inference = sum(steps.get(name, 0.0) for name in INFERENCE_STEPS)
    out["data checks (SPARQL)"] = checks
    out["inference"] = inference
    out["write the store"] -= checks + inference


def build(corpus: Path, build_dir: Path, echo=None) -> dict:
    """``peacekg build`` in its own process; the store's size from its manifest."""
    timed = _checked(
        run_timed([sys.executable, "-m", "kg.cli", "build"], env=peacekg_env(corpus, build_dir), cwd=ROOT, echo=echo),
        "peacekg build",
    )
    manifest = json.loads((build_dir / "store" / "current" / "manifest.json").read_text())
    triples = sum(manifest["graphs"].values())
    return {
        "seconds": timed.seconds,
        "peak_rss_kb": timed.peak_rss_kb,
        "triples": triples,
        "triples_per_s": triples / timed.seconds,
        "graphs": len(manifest["graphs"]),
        "rebuilt": len(manifest.get("rebuilt", [])),
        "phases": phases(timed.lines),
        "last_line": timed.lines[-1][1][:200] if timed.lines else "",
    }


def change_one_article(corpus: Path, articles: int, seed: int) -> str:
    """Revise the summary of the first statement of the middle article (a real edit, still valid)."""
    aid = article_id(seed, articles // 2)
    path = corpus / "annotations" / f"{aid}.yaml"
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    data["statements"][0]["summary"] = "(revised) " + data["statements"][0]["summary"]
    path.write_text(_dump(data), encoding="utf-8")
    return aid


def dump_nquads(build_dir: Path, out: Path) -> dict:
    out.parent.mkdir(parents=True, exist_ok=True)
    code = (
        "import pyoxigraph, sys, time; s = pyoxigraph.Store.read_only(sys.argv[1]); t = time.perf_counter(); "
        "s.dump(output=sys.argv[2], format=pyoxigraph.RdfFormat.N_QUADS); print(time.perf_counter() - t, len(s))"
    )
    timed = _checked(
        run_timed([sys.executable, "-c", code, str(build_dir / "store" / "current" / "oxigraph"), str(out)]), "dump"
    )
    seconds, quads = timed.lines[-1][1].split()
    return {"seconds": float(seconds), "quads": int(quads), "bytes": out.stat().st_size}


# A fixed pure-Python loop: most of the build is Python, and this machine, idle, ran it in 1.40 to
# 2.22 s within six minutes (bench/analysis.md), which no load average shows.
SPEED_CHECK = "import time\nt = time.perf_counter()\nx = 0\nfor i in range(20_000_000):\n    x += i\nprint(time.perf_counter() - t)"


def speed_check() -> float:
    """Seconds :data:`SPEED_CHECK` takes in a fresh process: the machine's speed for Python then."""
    timed = _checked(run_timed([sys.executable, "-c", SPEED_CHECK]), "speed check")
    return round(float(timed.lines[-1][1]), 3)


def raw_bulk_load(nquads: Path, target: Path) -> dict:
    """The ceiling: a fresh process bulk-loads the N-Quads into a new on-disk store (then, timed
    apart, flush and optimize as the build's store writer does)."""
    shutil.rmtree(target, ignore_errors=True)
    code = (
        "import pyoxigraph, sys, time; s = pyoxigraph.Store(sys.argv[1]); t = time.perf_counter(); "
        "s.bulk_load(path=sys.argv[2], format=pyoxigraph.RdfFormat.N_QUADS); a = time.perf_counter() - t; "
        "t = time.perf_counter(); s.flush(); s.optimize(); print(a, time.perf_counter() - t, len(s))"
    )
    timed = _checked(run_timed([sys.executable, "-c", code, str(target), str(nquads)]), "bulk_load")
    load_s, optimize_s, quads = timed.lines[-1][1].split()
    shutil.rmtree(target, ignore_errors=True)
    return {
        "bulk_load_s": float(load_s),
        "flush_optimize_s": float(optimize_s),
        "quads": int(quads),
        "triples_per_s": int(quads) / float(load_s),
        "process_s": timed.seconds,
        "peak_rss_kb": timed.peak_rss_kb,
    }
