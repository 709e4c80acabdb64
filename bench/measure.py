"""Measuring: timed subprocesses with their peak memory, the memory of running process trees, a
SPARQL client over one kept-alive HTTP connection, percentiles, and the machine's description."""

from __future__ import annotations

import http.client
import json
import os
import platform
import re
import socket
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Timed:
    seconds: float
    returncode: int
    peak_rss_kb: int
    lines: list[tuple[float, str]] = field(default_factory=list)  # (seconds since start, output line)


def run_timed(
    cmd: list[str],
    *,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    echo: Callable[[str], None] | None = None,
) -> Timed:
    """Run ``cmd`` to completion; wall time, exit code, its peak RSS (wait4) and each output line
    with the time it appeared (for a phase breakdown)."""
    started = time.perf_counter()
    process = subprocess.Popen(
        cmd, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1
    )
    lines = []
    assert process.stdout is not None
    for line in process.stdout:
        lines.append((time.perf_counter() - started, line.rstrip("\n")))
        if echo:
            echo(line.rstrip("\n"))
    _pid, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return Timed(time.perf_counter() - started, process.returncode, usage.ru_maxrss, lines)


def free_port_on_loopback() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def children(pid: int) -> list[int]:
    """The pids of ``pid``'s live children (of every one of its threads)."""
    out: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            out.extend(int(c) for c in (task / "children").read_text().split())
        except OSError:
            continue
    return out


def descendants(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        current = todo.pop()
        out.append(current)
        todo.extend(children(current))
    return out


def tree_memory_kb(pid: int) -> dict[str, int]:
    """Peak (VmHWM) and current (VmRSS) resident memory of a process and its descendants, summed."""
    peak = current = processes = 0
    for p in descendants(pid):
        try:
            status = Path(f"/proc/{p}/status").read_text()
        except OSError:
            continue
        hwm, rss = re.search(r"VmHWM:\s+(\d+)", status), re.search(r"VmRSS:\s+(\d+)", status)
        peak += int(hwm.group(1)) if hwm else 0
        current += int(rss.group(1)) if rss else 0
        processes += 1
    return {"peak_rss_kb": peak, "rss_kb": current, "processes": processes}


class SparqlClient:
    """GET ?query= with Accept: SPARQL JSON over one persistent connection (all four servers
    accept GET; Virtuoso hangs on POST application/sparql-query)."""

    def __init__(self, url: str, timeout_s: float):
        parts = urllib.parse.urlsplit(url)
        self.host, self.port, self.path, self.timeout_s = parts.hostname, parts.port, parts.path, timeout_s
        self.connection: http.client.HTTPConnection | None = None

    def _connect(self) -> http.client.HTTPConnection:
        if self.connection is None:
            self.connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout_s)
        return self.connection

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def query(self, sparql: str, path: str = "") -> tuple[int, bytes, float]:
        """(HTTP status, body, seconds); OSError (timeouts included) after closing the connection.
        ``path``: GET that path of the same server instead of the endpoint with ?query=."""
        target = path or self.path + "?" + urllib.parse.urlencode({"query": sparql})
        started = time.perf_counter()
        try:
            connection = self._connect()
            connection.request("GET", target, headers={"Accept": "application/sparql-results+json"})
            response = connection.getresponse()
            body = response.read()
        except (OSError, http.client.HTTPException) as exc:
            self.close()
            raise OSError(f"{type(exc).__name__}: {exc}") from None
        seconds = time.perf_counter() - started
        if response.getheader("Connection", "").lower() == "close":
            self.close()
        return response.status, body, seconds


def rows(body: bytes) -> int | None:
    """Number of solutions in a SPARQL JSON result (None when it is not one)."""
    try:
        data = json.loads(body)
    except ValueError:
        return None
    if isinstance(data, dict) and "boolean" in data:
        return 1
    try:
        return len(data["results"]["bindings"])
    except (KeyError, TypeError):
        return None


def percentile(samples: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(samples)
    rank = max(1, min(len(ordered), int(-(-q * len(ordered) // 100))))
    return ordered[rank - 1]


def _version(cmd: list[str]) -> str:
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return "not installed"
    return (done.stdout or done.stderr).strip().splitlines()[0] if (done.stdout or done.stderr).strip() else "unknown"


def machine() -> dict[str, str]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory = re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text())
    from importlib.metadata import PackageNotFoundError, version

    def package(name: str) -> str:
        try:
            return version(name)
        except PackageNotFoundError:
            return "not installed"

    return {
        "cpu": f"{cpu} × {os.cpu_count()} cores",
        "memory": f"{int(memory.group(1)) // 1024 // 1024} GiB" if memory else "?",
        "os": f"{platform.system()} {platform.release()} ({_os_release()})",
        "python": sys.version.split()[0],
        "pyoxigraph": package("pyoxigraph"),
        "oxigraph_cli": _version([str(Path(sys.executable).parent / "oxigraph"), "--version"]),
        "virtuoso": _dpkg("virtuoso-opensource-7-bin"),
        "rdflib": package("rdflib"),
        "rdflib_endpoint": package("rdflib-endpoint"),
        "pyshacl": package("pyshacl"),
        "load_average": " ".join(Path("/proc/loadavg").read_text().split()[:3]),
    }


def _os_release() -> str:
    try:
        text = Path("/etc/os-release").read_text()
    except OSError:
        return "?"
    match = re.search(r'PRETTY_NAME="([^"]+)"', text)
    return match.group(1) if match else "?"


def _dpkg(name: str) -> str:
    done = subprocess.run(["dpkg-query", "-W", "-f=${Version}", name], capture_output=True, text=True)
    return done.stdout.strip() if done.returncode == 0 and done.stdout.strip() else "not installed"
