"""The SPARQL servers compared, each started by the harness on 127.0.0.1 and stopped by PID:
our service (``peacekg serve``), ``oxigraph serve`` on a copy of the same store, Virtuoso
(tests/helpers/virtuoso.py, bulk-loaded from the store's N-Quads) and rdflib-endpoint (rdflib's in-memory
Dataset, loaded from the same N-Quads). Every engine queries the union of the named graphs as
its default graph."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from bench.measure import descendants, free_port_on_loopback, tree_memory_kb

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT / "tests"))
from helpers.virtuoso import Virtuoso  # noqa: E402  (tests/helpers/virtuoso.py: shared with the tests)


class EngineError(RuntimeError):
    """An engine could not be started; the message includes the end of its log."""


@dataclass
class Engine:
    name: str
    endpoint: str = ""
    process: subprocess.Popen | None = None
    log: Path | None = None
    started_s: float = 0.0  # seconds from launch to the first answer (loading included)
    pids: list[int] = field(default_factory=list)

    def memory(self) -> dict[str, int]:
        return tree_memory_kb(self.process.pid) if self.process and self.process.poll() is None else {}

    def _launch(
        self, cmd: list[str], log: Path, ready_url: str, timeout_s: float, env: dict[str, str] | None = None
    ) -> None:
        self.log = log
        with log.open("wb") as out:
            self.process = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=ROOT)
        started = time.perf_counter()
        deadline = time.monotonic() + timeout_s
        while True:
            if self.process.poll() is not None:
                raise EngineError(f"{self.name} exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                request = urllib.request.Request(ready_url, headers={"Accept": "application/sparql-results+json"})
                with urllib.request.urlopen(request, timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise EngineError(f"{self.name} did not answer within {timeout_s:g} s:\n{self.log_tail()}")
            time.sleep(0.25)
        self.started_s = time.perf_counter() - started

    def log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:] if self.log and self.log.exists() else ""

    def stop(self, timeout_s: float = 20.0) -> None:
        """Terminate by PID, then kill; then any of its own children still alive, by PID."""
        if self.process is None:
            return
        children = descendants(self.process.pid)[1:] if self.process.poll() is None else []
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


ASK = "?query=ASK%7B%7D"


def peacekg(
    build_dir: Path,
    corpus_dir: Path,
    log: Path,
    *,
    query_timeout_s: float,
    max_per_client: int,
    extra_env: dict[str, str] | None = None,
) -> Engine:
    """``peacekg serve`` on ``build_dir``; ``extra_env``: further settings (PEACEKG_NAME=value)."""
    port = free_port_on_loopback()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PEACEKG_")}
    env.update(
        {
            "PEACEKG_BUILD_DIR": str(build_dir),
            "PEACEKG_CORPUS_DIR": str(corpus_dir),
            "PEACEKG_PORT": str(port),
            "PEACEKG_HOST": "127.0.0.1",
            "PEACEKG_ONTOLOGY_DIR": str(ROOT / "ontology"),
            "PEACEKG_QUERY_TIMEOUT_S": str(query_timeout_s),
            # every bench client comes from 127.0.0.1, one "client" to the fair-use limit (default 4 in
            # flight, then 429); the bench measures capacity, so 16 clients must not count as one.
            "PEACEKG_MAX_QUERIES_PER_CLIENT": str(max_per_client),
            **(extra_env or {}),
        }
    )
    engine = Engine("peacekg serve", f"http://127.0.0.1:{port}/sparql")
    engine._launch([sys.executable, "-m", "kg.cli", "serve"], log, f"http://127.0.0.1:{port}/health", 60, env)
    return engine


def oxigraph(location: Path, log: Path) -> Engine:
    """Without ``--timeout-s``: oxigraph 0.5.13 keeps one thread per query alive for the whole
    timeout (2,000 quick queries with --timeout-s 60 leave 2,003 threads), and under 16 busy
    clients it runs out of threads and crashes (bench/analysis.md). The client's timeout bounds
    the bench instead."""
    port = free_port_on_loopback()
    engine = Engine("oxigraph serve", f"http://127.0.0.1:{port}/query")
    engine._launch(
        [
            str(BIN / "oxigraph"),
            "serve",
            "--location",
            str(location),
            "--bind",
            f"127.0.0.1:{port}",
            "--union-default-graph",
        ],
        log,
        engine.endpoint + ASK,
        60,
    )
    return engine


def rdflib_endpoint(nquads: Path, log: Path, *, load_timeout_s: float) -> Engine:
    port = free_port_on_loopback()
    engine = Engine("rdflib-endpoint", f"http://127.0.0.1:{port}/")  # its SPARQL endpoint is at /
    engine._launch(
        [str(BIN / "rdflib-endpoint"), "serve", str(nquads), "--host", "127.0.0.1", "--port", str(port)],
        log,
        engine.endpoint + ASK,
        load_timeout_s,
    )
    return engine


class VirtuosoEngine(Engine):
    """Virtuoso through tests/helpers/virtuoso.py; ``load_s`` is the bulk load with its checkpoint."""

    def __init__(self, folder: Path, nquads_dir: Path, *, timeout_s: int):
        super().__init__("Virtuoso")
        self.server = Virtuoso(folder, dirs_allowed=(nquads_dir,), timeout_s=timeout_s)
        started = time.perf_counter()
        self.server.start()
        self.process = self.server.process
        loaded = False
        try:
            self.load_s = self.server.bulk_load(nquads_dir)
            loaded = True
        finally:
            if not loaded:  # a failed load (or an interrupt) never leaves the server running
                self.server.stop()
        self.started_s = time.perf_counter() - started
        self.endpoint = self.server.endpoint

    def stop(self, timeout_s: float = 60.0) -> None:
        self.server.stop(timeout_s)
