"""Whether a benchmark ran on a quiet machine: the CPU that processes other than the benchmark's
own used over the run ("foreign CPU"), and the sentence a results section says about it.

The load average cannot tell: on this 2-core machine a benchmark's own services, their query
workers and its client drive the 1-minute load average from 0.5 to about 1.1 by the end of a run
with nothing else running. So :class:`ForeignCpu` measures, between :meth:`ForeignCpu.start` and
:meth:`ForeignCpu.stop`, the machine's busy CPU time (/proc/stat: user, nice, system, irq, softirq,
steal) less the CPU time of the benchmark's own process tree (the root process and every process
it started, recursively, read from /proc/PID/stat), in cores: CPU seconds ÷ wall seconds.

The tree is sampled every ``interval_s`` in a thread, each process known by its pid and start
time (so a reused pid is a new process) and followed until it exits, even when it is re-parented
(a worker left behind by a service that was killed). Two lower bounds of the tree's CPU, the
larger one is taken:

- *per process*: the sum over every process ever seen of its own CPU (utime + stime) at its last
  sample less at its first (0 for a process started after :meth:`start`). It misses what a process
  used after its last sample and processes that lived between two samples; it never counts twice,
  since a process's own CPU excludes its children's.
- *reaped*: the sum over the live processes of the tree of their own CPU plus that of their reaped
  children (cutime + cstime), at the end less at the start. A child's CPU moves into its parent's
  cutime when the parent reaps it, so this sum only grows by CPU used: it counts the tail of
  every process and the ones no sample saw, but loses whatever a process outside the tree reaped
  (an orphan). With the harness's services stopped and reaped before :meth:`stop`, it is exact.

Foreign = machine − own, never below 0 (both are counted in clock ticks, 10 ms here).
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from bench.measure import children

# A run is busy when the 1-minute load average at its START is above this on the 2-core machine
# (something else was running when it began). Not at the end: the benchmark's own processes drive
# the load average to ~1.1 by then on an idle machine.
BUSY_LOAD = 1.0
# ...or when processes other than the benchmark's used more than this many cores on average over
# the run: an idle machine's daemons and this sandbox's own machinery use a few hundredths of a
# core; 0.15 of a core (7.5 % of the machine) is another process busy often enough to take a core
# from the benchmark's services and client several times a second.
FOREIGN_BUSY_CORES = 0.15

TICKS_PER_S = os.sysconf("SC_CLK_TCK")
_STAT = Path("/proc/stat")


def machine_busy_ticks(stat: Path = _STAT) -> int:
    """The machine's busy CPU time in clock ticks since boot: user + nice + system + irq + softirq
    + steal of the ``cpu`` line (guest time is already inside user and nice; idle and iowait are
    not busy)."""
    fields = stat.read_text().splitlines()[0].split()
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in fields[1:9])
    return user + nice + system + irq + softirq + steal


@dataclass(frozen=True)
class ProcessCpu:
    """One reading of /proc/PID/stat, in clock ticks."""

    key: tuple[int, int]  # (pid, start time in ticks since boot): a reused pid is another process
    ppid: int
    own: int  # utime + stime: the process's own threads, the exited ones included
    reaped: int  # cutime + cstime: its children that it waited for, each with its own reaped ones


def read_process(pid: int) -> ProcessCpu | None:
    """``pid``'s CPU times, or None when it has exited (or was never there)."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # the name (field 2) is in parentheses and may hold spaces and parentheses: split after the last ")"
    rest = text[text.rindex(")") + 2 :].split()
    # rest[0] is field 3 (state): field n is rest[n - 3]
    utime, stime, cutime, cstime = (int(x) for x in rest[11:15])
    return ProcessCpu((pid, int(rest[19])), int(rest[1]), utime + stime, cutime + cstime)


def tree(root: int) -> dict[tuple[int, int], ProcessCpu]:
    """``root`` and its live descendants, each read once."""
    found: dict[tuple[int, int], ProcessCpu] = {}
    todo = [root]
    while todo:
        pid = todo.pop()
        reading = read_process(pid)
        if reading is None:
            continue
        found[reading.key] = reading
        todo.extend(children(pid))
    return found


class ForeignCpu:
    """CPU used by processes other than ``root``'s tree (default: this process) between
    :meth:`start` and :meth:`stop`; see the module docstring for how."""

    def __init__(self, root: int | None = None, interval_s: float = 0.5) -> None:
        self.root = os.getpid() if root is None else root
        self.interval_s = interval_s
        self._first: dict[tuple[int, int], int] = {}  # own ticks at the first sample (0 if started later)
        self._last: dict[tuple[int, int], int] = {}  # own ticks at the last sample
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._started = 0.0
        self._machine_start = 0
        self._reaped_start = 0

    def start(self) -> ForeignCpu:
        with self._lock:
            self._machine_start = machine_busy_ticks()
            self._started = time.perf_counter()
            at_start = tree(self.root)
            self._reaped_start = sum(p.own + p.reaped for p in at_start.values())
            self._first = {key: p.own for key, p in at_start.items()}
            self._last = dict(self._first)
        self._thread = threading.Thread(target=self._sample_until_stopped, name="foreign-cpu", daemon=True)
        self._thread.start()
        return self

    def _sample_until_stopped(self) -> None:
        while not self._stopping.wait(self.interval_s):
            self.sample()

    def sample(self) -> dict[tuple[int, int], ProcessCpu]:
        """Read the tree and every process seen before that is still running (re-parented or
        not); returns the live tree."""
        with self._lock:
            live = tree(self.root)
            for key in [k for k in self._last if k not in live]:
                again = read_process(key[0])
                if again is not None and again.key == key:
                    self._last[key] = max(self._last[key], again.own)
            for key, reading in live.items():
                self._first.setdefault(key, 0)  # started after start(): all its CPU is in the run
                self._last[key] = max(self._last.get(key, 0), reading.own)  # a zombie may read 0
            return live

    def stop(self) -> dict[str, float | int]:
        """Stop sampling; the run's figures: ``cores`` (foreign), ``own_cores``, ``machine_cores``
        (CPU seconds ÷ wall seconds), ``wall_s``, ``foreign_cpu_s`` and ``own_cpu_s`` (CPU seconds)
        and ``processes`` (of the tree, ever seen)."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join()
        live = self.sample()
        with self._lock:
            machine = machine_busy_ticks() - self._machine_start
            wall_s = time.perf_counter() - self._started
            per_process = sum(self._last[key] - self._first[key] for key in self._last)
            reaped = sum(p.own + p.reaped for p in live.values()) - self._reaped_start
            own = max(per_process, reaped)
            processes = len(self._last)

        def cores(ticks: int) -> float:
            return round(ticks / TICKS_PER_S / wall_s, 3) if wall_s > 0 else 0.0

        foreign = max(0, machine - own)
        return {
            "cores": cores(foreign),
            "own_cores": cores(own),
            "machine_cores": cores(machine),
            "wall_s": round(wall_s, 2),
            "foreign_cpu_s": foreign / TICKS_PER_S,
            "own_cpu_s": own / TICKS_PER_S,
            "processes": processes,
        }


def busy(load_before_1min: float, foreign: dict | None) -> bool:
    """The run's verdict: something was running when it began, or other processes used more than
    FOREIGN_BUSY_CORES over it (``foreign``: :meth:`ForeignCpu.stop`'s figures)."""
    return load_before_1min > BUSY_LOAD or (foreign is not None and foreign["cores"] > FOREIGN_BUSY_CORES)


def conditions(load_before: str, load_after: str, foreign: dict | None, is_busy: bool) -> str:
    """What was measured of the machine during a run, for a results section: "quiet machine (load
    average … → …, other processes 0.02 cores over the run)", or "**busy machine** (…: compare
    ratios within the run)". ``foreign`` None: a run from before this was measured."""
    other = (
        "other processes not measured"
        if foreign is None
        else f"other processes {foreign['cores']:.2f} cores over the run, this benchmark's own "
        f"{foreign['own_cores']:.2f}"
    )
    why = f"; {_reasons(load_before, load_after, foreign)}: compare ratios within the run" if is_busy else ""
    verdict = "**busy machine**" if is_busy else "quiet machine"
    return f"{verdict} (load average {load_before} → {load_after}, {other}{why})"


def _reasons(load_before: str, load_after: str, foreign: dict | None) -> str:
    """Why a run is marked busy; a run from before the foreign CPU was measured may have been
    marked for its load average at the end, which its own processes can raise."""
    reasons = []
    if float(load_before.split()[0]) > BUSY_LOAD:
        reasons.append(f"load above {BUSY_LOAD:g} at the start")
    if foreign is not None and foreign["cores"] > FOREIGN_BUSY_CORES:
        reasons.append(f"other processes above {FOREIGN_BUSY_CORES:g} cores")
    if not reasons and foreign is None and float(load_after.split()[0]) > BUSY_LOAD:
        reasons.append(f"load above {BUSY_LOAD:g} at the end, which the benchmark's own processes can cause")
    return " and ".join(reasons) or "marked busy"
