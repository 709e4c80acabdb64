"""Where a build's memory goes: ``python -m bench.build_memory bench/data/build/articles-1000 [--edit]``.

Runs ``peacekg build`` in this process on a corpus that ``bench.build_run`` made (its ``corpus``
and ``build`` folders), with the RSS of this process and of its largest worker process sampled
every 20 ms, and prints, for each progress line of the build, the time, the RSS then and the
peak since the previous line. ``--edit`` first changes one article's annotation as
``bench.build_run`` does (a one-article rebuild; run it twice and the second run undoes the edit).
``bench.build_run`` records only the whole build's peak (wait4); this says which phase made it.
Every build setting is the benchmark's (include_drafts); ``build_workers`` from the environment.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from pathlib import Path

import yaml

from kg.builder.pipeline import build
from kg.settings import load_settings
from kg.synthetic.corpus import _dump

ROOT = Path(__file__).resolve().parent.parent


def rss_mb(pid: int | str = "self") -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS"):
                    return int(line.split()[1]) // 1024
    except OSError:
        pass
    return 0


def largest_child_mb() -> int:
    """The RSS of this process's largest child (a forked worker inherits the parent's pages)."""
    pid = os.getpid()
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as children:
            return max((rss_mb(child) for child in children.read().split()), default=0)
    except OSError:
        return 0


class Sampler(threading.Thread):
    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak = self.child_peak = self.overall = self.child_overall = 0

    def run(self) -> None:
        while True:
            own, child = rss_mb(), largest_child_mb()
            self.peak, self.overall = max(self.peak, own), max(self.overall, own)
            self.child_peak, self.child_overall = max(self.child_peak, child), max(self.child_overall, child)
            time.sleep(0.02)


def edit_one_article(corpus: Path) -> str:
    """Revise the middle article's first statement summary, or undo that revision."""
    annotations = sorted((corpus / "annotations").glob("*.yaml"))
    path = annotations[len(annotations) // 2]
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    summary = data["statements"][0]["summary"]
    revised = summary.removeprefix("(revised) ") if summary.startswith("(revised) ") else "(revised) " + summary
    data["statements"][0]["summary"] = revised
    path.write_text(_dump(data), encoding="utf-8")
    return path.stem


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.build_memory", description=__doc__.split("\n\n")[0])
    parser.add_argument("work", type=Path, help="a folder with corpus/ (and build/, made if missing)")
    parser.add_argument("--edit", action="store_true", help="change one article first")
    args = parser.parse_args(argv)
    if args.edit:
        print(f"edited {edit_one_article(args.work / 'corpus')}", flush=True)
    environ = {
        "PEACEKG_CORPUS_DIR": str(args.work / "corpus"),
        "PEACEKG_BUILD_DIR": str(args.work / "build"),
        "PEACEKG_ONTOLOGY_DIR": str(ROOT / "ontology"),
        "PEACEKG_INCLUDE_DRAFTS": "true",
    }
    if "PEACEKG_BUILD_WORKERS" in os.environ:
        environ["PEACEKG_BUILD_WORKERS"] = os.environ["PEACEKG_BUILD_WORKERS"]
    sampler = Sampler()
    sampler.start()
    started = last = time.perf_counter()

    def progress(message: str) -> None:
        nonlocal last
        if message.startswith("[") and not message.startswith("[1/") and "unchanged" in message:
            return  # one line per reused graph: too many, and nothing happens between them
        now = time.perf_counter()
        print(
            f"{now - started:8.2f} s  +{now - last:7.2f}  rss {rss_mb():6d} MB  peak {sampler.peak:6d}  "
            f"worker peak {sampler.child_peak:6d} | {message[:300]}",
            flush=True,
        )
        sampler.peak = sampler.child_peak = 0
        last = now

    report = build(load_settings(config_file=None, environ=environ), progress)
    phases = ", ".join(f"{name} {seconds:.1f}" for name, seconds in report.seconds.items())
    print(
        f"total {time.perf_counter() - started:.1f} s ({phases}); peak RSS {sampler.overall} MB, "
        f"largest worker {sampler.child_overall} MB",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
