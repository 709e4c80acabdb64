"""Starting a real `peacekg serve` for tests: on 127.0.0.1, on a free port, ready when /health
answers, always stopped by PID (terminate, then kill)."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from helpers.paths import ROOT


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop(process: subprocess.Popen, timeout_s: float = 10.0) -> None:
    """Stop a server by PID: terminate, then kill if it has not exited in time."""
    process.terminate()
    try:
        process.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def wait_until_answering(process: subprocess.Popen, url: str, log_path: Path, timeout_s: float, what: str) -> None:
    """Wait until ``url`` answers 200; fail with the process's log if it exits or stays silent."""
    deadline = time.monotonic() + timeout_s
    while True:
        if process.poll() is not None:
            pytest.fail(f"{what} exited with {process.returncode}:\n{log_path.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            pytest.fail(f"{what} did not answer {url} within {timeout_s:g} s:\n{log_path.read_text(errors='replace')}")
        time.sleep(0.2)


@contextlib.contextmanager
def running_service(
    build_dir: Path,
    log_path: Path,
    *,
    port: int | None = None,
    corpus_dir: Path | None = None,
    timeout_s: float = 20.0,
    extra_env: dict[str, str] | None = None,
) -> Iterator[str]:
    """Serve the store under ``build_dir``; yields the base URL. The server's output goes to
    ``log_path``, shown when it fails to start. ``extra_env``: more environment (settings as
    PEACEKG_* variables, secrets)."""
    port = port or free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PEACEKG_")}
    env.update(
        {
            "PEACEKG_BUILD_DIR": str(build_dir),
            "PEACEKG_PORT": str(port),
            "PEACEKG_HOST": "127.0.0.1",
            "PEACEKG_CORPUS_DIR": str(corpus_dir or ROOT / "corpus"),
            "PEACEKG_ONTOLOGY_DIR": str(ROOT / "ontology"),
        }
    )
    env.update(extra_env or {})
    base = f"http://127.0.0.1:{port}"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "kg.cli", "serve"], env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        wait_until_answering(process, base + "/health", log_path, timeout_s, "the server")
        yield base
    finally:
        stop(process)


OXIGRAPH = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which("oxigraph")


@contextlib.contextmanager
def running_oxigraph(
    location: Path,
    log_path: Path,
    *,
    read_only: bool = False,
    union_default_graph: bool = False,
    timeout_s: float = 15.0,
) -> Iterator[str]:
    """A real `oxigraph serve` (or `serve-read-only`) on the store folder ``location``, on a free
    port of 127.0.0.1; yields its query endpoint (…/query) and is always stopped by its PID."""
    if OXIGRAPH is None:
        pytest.skip("the oxigraph server (pip package `oxigraph`) is not installed")
    port = free_port()
    command = [
        OXIGRAPH,
        "serve-read-only" if read_only else "serve",
        "--location",
        str(location),
        "--bind",
        f"127.0.0.1:{port}",
    ] + (["--union-default-graph"] if union_default_graph else [])
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    endpoint = f"http://127.0.0.1:{port}/query"
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                with urllib.request.urlopen(f"{endpoint}?query=ASK%7B%7D", timeout=1) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"oxigraph did not start: {log_path.read_text(errors='replace')}")
            time.sleep(0.1)
        yield endpoint
    finally:
        stop(process, timeout_s=5)
