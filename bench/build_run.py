"""The build benchmark: ``python -m bench.build_run --articles 100 1000 10000`` (``make bench-build``).

For each size: a synthetic corpus (``peacekg synth``, seed 1, density 2), then in fresh processes
a full ``peacekg build`` (include_drafts, as every synthetic corpus is drafts), a no-op build, a
build after one article's annotation changed, and the ceiling measured in the same run: the
store's quads dumped to N-Quads and bulk-loaded by pyoxigraph into a new store. Each result
records the commit (and whether the tree had uncommitted changes), the machine, and the load
average before and after, and the seconds a fixed pure-Python loop took in a fresh process just
before and after the full build and the ceiling (``speed_check_s``): the quiet machine's speed
moved by half within minutes, which the load average does not show, and a ratio is only comparable
between runs whose checks agree.

A busy machine makes every number wrong in a way no later reader can see, so a size whose full
build would start with the 1-minute load average above ``--max-load`` (default 0.5 on this 2-core
machine: another process using a quarter of it), after waiting up to five minutes for it to fall
(the synthesis and the previous size keep it up for a while), refuses to run; ``--busy-ok`` runs it
anyway and the result is marked busy, which the tables show.

The previous run's folders are removed when the run starts, and no full build starts within
``FREED_INODES_S`` of that. On a file system that is slow to reuse freed inodes (ext4 without a
journal, as on the machine these results come from, skips one by one every inode freed in the
last minute, or in the last six when its inode-table block is dirty, as creating files keeps it:
``recently_deleted``), the build's 30,000 cache files, created within minutes of the removal of the
last run's 70,000, cost it 5–9 s at 10,000 articles, which the ceiling's few large files do not
pay (bench/analysis.md).

A run during which the build code changed (the no-op and one-article builds then rebuild
everything) is not written. Results: ``bench/results/build-<N>.json``; tables and plot:
``python -m bench.build_report`` (run at the end of this command).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from bench import building
from bench.measure import machine
from kg.builder.pipeline import code_fingerprint

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
DATA = ROOT / "bench" / "data" / "build"
SEED = 1
DENSITY = 2.0
SETTLE_S = 300  # how long to wait for the machine to be quiet before each size
FREED_INODES_S = 370  # ext4 without a journal: a freed inode is reused 60 s after, or 360 s when its block is dirty


def commit() -> dict[str, object]:
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False).stdout.strip()

    # code only: the bench's own results, README section and plot change as it runs (they made
    # every size after the first look uncommitted)
    code = ("kg", "ontology", ":(glob)bench/*.py")
    dirty = [line for line in git("status", "--porcelain", "--", *code).splitlines() if line]
    return {"commit": git("rev-parse", "--short", "HEAD"), "uncommitted_changes": len(dirty)}


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def settled(max_load: float, echo, patience_s: float = SETTLE_S) -> list[float]:
    """The load average once the 1-minute figure is at most ``max_load``, or after ``patience_s``
    (the previous size's own run keeps it up for a minute or two; another process keeps it up)."""
    waited = 0.0
    while (load := load_average())[0] > max_load and waited < patience_s:
        if waited == 0:
            echo(f"load average {load}: waiting up to {patience_s:.0f} s for it to fall to {max_load}")
        time.sleep(10)
        waited += 10
    return load


def work_folder(articles: int) -> Path:
    return DATA / f"articles-{articles}"


def measure(articles: int, echo, ready: Callable[[], bool]) -> dict | None:
    """One size's figures; None when ``ready()`` (called between the synthesis and the full
    build) says the machine is too busy to measure."""
    work = work_folder(articles)
    corpus, build_dir = work / "corpus", work / "build"
    work.mkdir(parents=True)
    result: dict = {"articles": articles, "seed": SEED, "density": DENSITY}
    result["synth"] = building.synth(articles, SEED, corpus, DENSITY)
    if not ready():
        return None
    echo(f"{articles} articles: full build")
    speed = result["speed_check_s"] = {"before_build": building.speed_check()}
    result["build"] = building.build(corpus, build_dir)
    speed["after_build"] = building.speed_check()
    echo(f"  {result['build']['seconds']:.1f} s; no-op build")
    result["noop"] = building.build(corpus, build_dir)
    echo(f"  {result['noop']['seconds']:.1f} s; one article changed")
    result["changed_article"] = building.change_one_article(corpus, articles, SEED)
    result["incremental"] = building.build(corpus, build_dir)
    echo(f"  {result['incremental']['seconds']:.1f} s; the ceiling: bulk_load of the same quads")
    nquads = work / "store.nq"
    result["dump"] = building.dump_nquads(build_dir, nquads)
    speed["before_ceiling"] = building.speed_check()
    result["ceiling"] = building.raw_bulk_load(nquads, work / "bulk")
    speed["after_ceiling"] = building.speed_check()
    nquads.unlink(missing_ok=True)
    b, c = result["build"], result["ceiling"]
    result["ratio_to_bulk_load"] = b["triples_per_s"] / c["triples_per_s"]
    echo(
        f"  build {b['triples_per_s']:,.0f} triples/s, bulk_load {c['triples_per_s']:,.0f}: {result['ratio_to_bulk_load']:.3f}×"
    )
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.build_run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument("--max-load", type=float, default=0.5, help="refuse when the 1-min load average is above")
    parser.add_argument("--busy-ok", action="store_true", help="run on a busy machine; results marked busy")
    args = parser.parse_args(argv)

    def echo(line: str) -> None:
        print(line, flush=True)

    removed = -float("inf")
    for articles in args.articles:  # the last run's files, long before a build creates its own
        if work_folder(articles).exists():
            shutil.rmtree(work_folder(articles), ignore_errors=True)
            removed = time.monotonic()
    state: dict = {}

    def ready() -> bool:
        """Before a full build: wait for freed inodes and for a quiet machine; False if busy."""
        if (wait := removed + FREED_INODES_S - time.monotonic()) > 0:
            echo(f"waiting {wait:.0f} s for the inodes the last run's folders freed (FREED_INODES_S)")
            time.sleep(wait)
        state["before"] = before = settled(args.max_load, echo, 0 if args.busy_ok else SETTLE_S)
        state["busy"] = busy = before[0] > args.max_load
        if busy and not args.busy_ok:
            echo(
                f"refused: load average {before} above {args.max_load} (another process is running); --busy-ok marks it"
            )
        return args.busy_ok or not busy

    for articles in args.articles:
        started = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        code = code_fingerprint()
        result = measure(articles, echo, ready)
        if result is None:
            return 3
        before, busy = state["before"], state["busy"]
        after = load_average()
        if code_fingerprint() != code:  # an edit during the run: the no-op and one-article builds rebuilt all
            echo("  the build code changed during the run: result not written (run again)")
            return 4
        result.update(
            started=started,
            load_average={"before": before, "after": after},
            busy=busy,
            max_load=args.max_load,
            machine=machine(),
            **commit(),
        )
        RESULTS.mkdir(parents=True, exist_ok=True)
        path = RESULTS / f"build-{articles}.json"
        path.write_text(json.dumps(result, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        echo(f"  wrote {path.relative_to(ROOT)} (load {before} → {after}{', BUSY' if busy else ''})")
    from bench.build_report import render

    echo(f"tables: {render().relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
