"""bench.foreign_cpu against real processes burning CPU: a hog outside the measured tree is
foreign, the tree's own children are not (alive, reaped between two samples, or orphaned and
re-parented), nothing is counted twice; and what a results section says of a run, from results
files with and without the measurement.

The bounds compare CPU seconds the kernel reports for the same processes (their rusage or
/proc/PID/stat), with a tolerance of a few clock ticks and of one sampling interval: no
assertion on how fast anything runs. Every process started here is stopped by its pid."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from bench import lookups, stored_rewrite
from bench.foreign_cpu import (
    BUSY_LOAD,
    FOREIGN_BUSY_CORES,
    TICKS_PER_S,
    ForeignCpu,
    busy,
    conditions,
    read_process,
)
from bench.natural import summary_lines as natural_summary

RESULTS = Path(__file__).resolve().parents[2] / "bench" / "results"
HOG = "while True: pass"
TICK = 1 / TICKS_PER_S


def _cpu_s(pid: int) -> float:
    reading = read_process(pid)
    assert reading is not None, f"process {pid} is gone"
    return reading.own / TICKS_PER_S


def _burn_until(pid: int, cpu_s: float, deadline_s: float = 60.0) -> None:
    """Wait until ``pid`` has used ``cpu_s`` of CPU (however loaded the machine is)."""
    give_up = time.monotonic() + deadline_s
    while _cpu_s(pid) < cpu_s:
        assert time.monotonic() < give_up, f"process {pid} did not get {cpu_s} s of CPU in {deadline_s} s"
        time.sleep(0.05)


@contextmanager
def _started(cmd: list[str]) -> Iterator[subprocess.Popen]:
    process = subprocess.Popen(cmd)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()


def _stop_hog(process: subprocess.Popen) -> float:
    """Kill and reap ``process``; its CPU seconds as the kernel accounted them (rusage)."""
    process.kill()
    _pid, _status, usage = os.wait4(process.pid, 0)
    process.returncode = -9
    return usage.ru_utime + usage.ru_stime


def test_a_hog_outside_the_tree_is_foreign_and_the_same_hog_inside_it_is_not() -> None:
    """Two measurements over the same window: one rooted at this process (the hog is its child:
    its own), one rooted at an idle process (the hog is someone else's)."""
    with _started(["sleep", "600"]) as idle:
        mine, theirs = ForeignCpu(interval_s=0.2).start(), ForeignCpu(root=idle.pid, interval_s=0.2).start()
        with _started([sys.executable, "-c", HOG]) as hog:
            _burn_until(hog.pid, 1.5)
            hog_s = _stop_hog(hog)
        inside, outside = mine.stop(), theirs.stop()
    # the outside measurement sees the hog as foreign, at least (the machine may be busy besides)
    assert outside["foreign_cpu_s"] >= hog_s - 0.1
    assert outside["own_cpu_s"] <= 2 * TICK  # sleep did nothing
    # inside, the hog is the tree's own, and the foreign CPU is less by the hog's
    assert inside["own_cpu_s"] >= hog_s - 2 * TICK
    assert inside["foreign_cpu_s"] <= outside["foreign_cpu_s"] - hog_s + 0.1
    assert outside["cores"] >= 0.9 * hog_s / outside["wall_s"]


def test_the_own_tree_is_counted_once() -> None:
    """A child burning CPU, killed and reaped before the end: the tree's CPU is this process's and
    the child's, as rusage counts them, not twice the child's (its last sample and the reaped
    total in this process's cutime)."""
    before = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    watch = ForeignCpu(interval_s=0.1).start()
    with _started([sys.executable, "-c", HOG]) as hog:
        _burn_until(hog.pid, 1.0)
        hog_s = _stop_hog(hog)
    figures = watch.stop()
    after = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    used = sum(a.ru_utime + a.ru_stime - (b.ru_utime + b.ru_stime) for a, b in zip(after, before, strict=True))
    assert figures["own_cpu_s"] >= hog_s - 2 * TICK
    assert figures["own_cpu_s"] <= used + 3 * TICK
    assert figures["processes"] >= 2  # this process and the hog, seen


def test_children_that_live_between_two_samples_are_own() -> None:
    """No sample sees them (the interval is longer than the run): their CPU reaches the tree
    through this process's cutime when they are reaped."""
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    watch = ForeignCpu(interval_s=600).start()
    burn = "import time\nt = time.process_time()\nwhile time.process_time() - t < 0.3: pass"
    for _ in range(3):
        subprocess.run([sys.executable, "-c", burn], check=True)
    figures = watch.stop()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    reaped = children.ru_utime + children.ru_stime - children_before.ru_utime - children_before.ru_stime
    assert reaped >= 0.9
    assert figures["own_cpu_s"] >= reaped - 2 * TICK
    assert figures["processes"] == 1


def test_an_orphan_seen_in_the_tree_stays_own_after_it_is_re_parented() -> None:
    """A child starts a grandchild that burns CPU, then exits: the grandchild is re-parented out
    of the tree (as a worker is when its service is killed) and no parent in the tree will ever
    reap it, but it was seen in the tree and is followed by its pid and start time."""
    spawn = (
        "import subprocess, sys, time\n"
        f"g = subprocess.Popen([sys.executable, '-c', {HOG!r}])\n"
        "print(g.pid, flush=True)\n"
        "time.sleep(float(sys.argv[1]))\n"
    )
    watch = ForeignCpu(interval_s=0.1).start()
    parent = subprocess.Popen([sys.executable, "-c", spawn, "1.0"], stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    grandchild = int(parent.stdout.readline())
    try:
        parent.wait(timeout=60)
        parent.stdout.close()
        orphan = read_process(grandchild)
        assert orphan is not None and orphan.ppid != os.getpid()  # out of the tree, still running
        _burn_until(grandchild, _cpu_s(grandchild) + 1.0)  # a further second, as an orphan
        grandchild_s = _cpu_s(grandchild)
    finally:
        os.kill(grandchild, 9)
    figures = watch.stop()
    # everything the grandchild used but its last interval (one sample's worth at most)
    assert figures["own_cpu_s"] >= grandchild_s - 0.1 - 2 * TICK
    assert figures["processes"] >= 3


# -- the verdict and the sentence ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("load_before", "load_after", "foreign_cores", "expected"),
    [
        ("0.52 0.40 0.30", "1.09 0.60 0.35", 0.02, False),  # its own processes raised the load: quiet
        ("1.30 0.90 0.60", "1.40 1.00 0.70", 0.02, True),  # something was running when it began
        ("0.40 0.30 0.20", "1.80 0.90 0.40", 0.80, True),  # something started during the run
        ("0.40 0.30 0.20", "0.90 0.50 0.30", FOREIGN_BUSY_CORES, False),  # at the threshold: not above it
    ],
)
def test_busy_reads_the_load_at_the_start_and_the_foreign_cpu(
    load_before: str, load_after: str, foreign_cores: float, expected: bool
) -> None:
    foreign = {"cores": foreign_cores, "own_cores": 1.05}
    assert busy(float(load_before.split()[0]), foreign) is expected
    sentence = conditions(load_before, load_after, foreign, expected)
    assert sentence.startswith("**busy machine**" if expected else "quiet machine")
    assert f"load average {load_before} → {load_after}" in sentence
    assert f"other processes {foreign_cores:.2f} cores over the run" in sentence
    assert ("compare ratios within the run" in sentence) is expected
    assert "shared with other jobs" not in sentence


def test_a_run_from_before_the_measurement_says_it_was_not_measured() -> None:
    sentence = conditions("0.52 0.40 0.30", "1.09 0.60 0.35", None, True)
    assert "other processes not measured" in sentence
    assert f"load above {BUSY_LOAD:g} at the end" in sentence


def _results(pattern: str) -> list[Path]:
    return sorted(RESULTS.glob(pattern))


@pytest.mark.parametrize("path", _results("stored-rewrite-*.json"), ids=lambda p: p.name)
def test_stored_rewrite_sections_render_every_results_file(path: Path) -> None:
    results = json.loads(path.read_text(encoding="utf-8"))
    articles = int(path.stem.rsplit("-", 1)[1])
    text = "\n".join(stored_rewrite.summary_lines(results, articles))
    _check_sentence(text, results)


@pytest.mark.parametrize("path", _results("lookups-*.json"), ids=lambda p: p.name)
def test_lookups_sections_render_every_results_file(path: Path) -> None:
    results = json.loads(path.read_text(encoding="utf-8"))
    articles = int(path.stem.rsplit("-", 1)[1])
    _check_sentence("\n".join(lookups.summary_lines(results, articles)), results)


@pytest.mark.parametrize("path", _results("natural-*.json"), ids=lambda p: p.name)
def test_natural_summary_renders_every_results_file(path: Path) -> None:
    results = json.loads(path.read_text(encoding="utf-8"))
    _check_sentence("\n".join(natural_summary(results)), results)


def _check_sentence(text: str, results: dict) -> None:
    if results.get("foreign_cpu") is None:
        assert "other processes not measured" in text
    else:
        assert f"other processes {results['foreign_cpu']['cores']:.2f} cores over the run" in text
    assert ("**busy machine**" in text) is bool(results["busy"])
    assert "shared with other jobs" not in text
