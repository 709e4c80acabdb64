"""Virtuoso 7 (Debian's ``virtuoso-opensource``) for tests and benchmarks: install it when missing
(as root, with the dba password preseeded), run a private instance in a folder of its own on
127.0.0.1, bulk-load N-Quads, query it, stop it by PID. No pytest here: bench/ imports it too.

    from helpers.virtuoso import Virtuoso, ensure_installed
    ensure_installed()
    with Virtuoso(tmp_path / "virtuoso").running() as v:
        v.bulk_load(folder_with_nq_files)
        v.endpoint                    # http://127.0.0.1:PORT/sparql (queries; updates need GRANTs)

Facts this relies on (/work/shared/design/engines.md): a fresh database has dba/dba; POST with
``application/sparql-query`` hangs (use GET or url-encoded POST); without Accept it answers HTML;
``[SPARQL] ResultSetMaxRows`` caps results (10,000 in Debian's file; raised here).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

PACKAGE = "virtuoso-opensource"
DEBCONF = "virtuoso-opensource-7"
SYSTEM_INI = Path("/etc/virtuoso-opensource-7/virtuoso.ini")
SYSTEM_DB = "/var/lib/virtuoso-opensource-7/db"
DBA_PASSWORD = "dba"  # a private test instance on loopback; never a real deployment


class VirtuosoError(RuntimeError):
    """Virtuoso is missing, could not start, or a command failed; the message says which."""


def installed() -> bool:
    return bool(shutil.which("virtuoso-t") and shutil.which("isql-vt") and SYSTEM_INI.is_file())


def ensure_installed(timeout_s: float = 900.0) -> None:
    """Install the Debian package when missing (root only), preseeding the dba password so that
    apt never prompts."""
    if installed():
        return
    if os.geteuid() != 0:
        raise VirtuosoError(f"{PACKAGE} is not installed and installing it needs root (apt-get install {PACKAGE})")
    preseed = "".join(
        f"{DEBCONF} {DEBCONF}/{q} password {DBA_PASSWORD}\n" for q in ("dba-password", "dba-password-again")
    )
    subprocess.run(["debconf-set-selections"], input=preseed, text=True, check=True, timeout=60)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "--no-install-recommends", PACKAGE]
    if subprocess.run(install, env=env, capture_output=True, text=True, timeout=timeout_s).returncode != 0:
        subprocess.run(["apt-get", "update"], env=env, capture_output=True, text=True, timeout=timeout_s)
        done = subprocess.run(install, env=env, capture_output=True, text=True, timeout=timeout_s)
        if done.returncode != 0:
            raise VirtuosoError(f"apt-get install {PACKAGE} failed:\n{done.stderr[-2000:]}")
    if not installed():
        raise VirtuosoError(f"{PACKAGE} installed, but virtuoso-t, isql-vt or {SYSTEM_INI} is missing")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_ini(
    folder: Path,
    sql_port: int,
    http_port: int,
    *,
    buffers: int,
    max_rows: int,
    timeout_s: int,
    dirs_allowed: tuple[Path, ...] = (),
) -> Path:
    """Debian's virtuoso.ini with the database in ``folder``, both ports on 127.0.0.1, ``folder``
    and ``dirs_allowed`` open to bulk loads, ``buffers`` 8 KB pages of cache, result limits raised."""
    allowed = ", ".join(str(Path(d).resolve()) for d in (folder, *dirs_allowed))
    text = SYSTEM_INI.read_text(encoding="utf-8", errors="replace").replace(SYSTEM_DB, str(folder))
    section, out = "", []
    settings = {
        "Parameters": {
            "ServerPort": f"127.0.0.1:{sql_port}",
            "NumberOfBuffers": str(buffers),
            "MaxDirtyBuffers": str(buffers * 3 // 4),
            "DirsAllowed": f"., {allowed}, /usr/share/virtuoso-opensource-7/vad",
        },
        "HTTPServer": {"ServerPort": f"127.0.0.1:{http_port}"},
        "SPARQL": {
            "ResultSetMaxRows": str(max_rows),
            "MaxQueryExecutionTime": str(timeout_s),
            "MaxQueryCostEstimationTime": "0",
        },
    }
    seen: set[tuple[str, str]] = set()
    for line in text.splitlines():
        header = re.fullmatch(r"\s*\[(\w+)\]\s*", line)
        if header:
            out.extend(_missing(section, settings, seen))
            section = header.group(1)
        key = re.match(r"\s*;?\s*(\w+)\s*=", line)
        if key and key.group(1) in settings.get(section, {}):
            if (section, key.group(1)) not in seen:
                out.append(f"{key.group(1)} = {settings[section][key.group(1)]}")
                seen.add((section, key.group(1)))
            continue
        out.append(line)
    out.extend(_missing(section, settings, seen))
    ini = folder / "virtuoso.ini"
    ini.write_text("\n".join(out) + "\n", encoding="utf-8")
    return ini


def _missing(section: str, settings: dict[str, dict[str, str]], seen: set[tuple[str, str]]) -> list[str]:
    lines = []
    for name, value in settings.get(section, {}).items():
        if (section, name) not in seen:
            lines.append(f"{name} = {value}")
            seen.add((section, name))
    return lines


@dataclass
class Virtuoso:
    """A private Virtuoso in ``folder``; ``buffers`` pages of 8 KB (default ~680 MB); files to
    bulk-load must lie in ``folder`` or in one of ``dirs_allowed``."""

    folder: Path
    dirs_allowed: tuple[Path, ...] = ()
    buffers: int = 85_000
    max_rows: int = 1_000_000
    timeout_s: int = 120
    sql_port: int = field(default_factory=free_port)
    http_port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/sparql"

    def start(self, timeout_s: float = 60.0) -> None:
        ensure_installed()
        self.folder = Path(self.folder).resolve()
        self.folder.mkdir(parents=True, exist_ok=True)
        ini = write_ini(
            self.folder,
            self.sql_port,
            self.http_port,
            buffers=self.buffers,
            max_rows=self.max_rows,
            timeout_s=self.timeout_s,
            dirs_allowed=self.dirs_allowed,
        )
        log = (self.folder / "server.log").open("ab")
        self.process = subprocess.Popen(
            ["virtuoso-t", "+configfile", str(ini), "+foreground"],
            cwd=self.folder,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        deadline = time.monotonic() + timeout_s
        while True:
            if self.process.poll() is not None:
                raise VirtuosoError(f"virtuoso-t exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                self.query("ASK { ?s ?p ?o }", timeout_s=2)
                return
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise VirtuosoError(f"Virtuoso did not answer within {timeout_s:g} s:\n{self.log_tail()}")
            time.sleep(0.3)

    def log_tail(self, chars: int = 3000) -> str:
        path = self.folder / "server.log"
        return path.read_text(errors="replace")[-chars:] if path.exists() else "(no log)"

    def stop(self, timeout_s: float = 60.0) -> None:
        """Stop by PID: SIGTERM (Virtuoso checkpoints and exits), then SIGKILL if it lingers."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    @contextlib.contextmanager
    def running(self) -> Iterator[Virtuoso]:
        self.start()
        try:
            yield self
        finally:
            self.stop()

    def isql(self, script: str, timeout_s: float = 3600.0) -> str:
        """Run SQL statements (each ending with ';') as dba; VirtuosoError on any error."""
        done = subprocess.run(
            ["isql-vt", f"127.0.0.1:{self.sql_port}", "dba", DBA_PASSWORD, "VERBOSE=OFF", "BANNER=OFF"],
            input=script,
            capture_output=True,
            text=True,
            timeout=timeout_s,
        )
        output = done.stdout + done.stderr
        if done.returncode != 0 or "*** Error" in output:
            raise VirtuosoError(f"isql failed ({done.returncode}):\n{output[-3000:]}")
        return output

    def bulk_load(self, folder: Path, pattern: str = "*.nq", graph: str = "urn:peacekg:default") -> float:
        """Load every file matching ``pattern`` in ``folder`` (N-Quads keep their graphs;
        ``graph`` is for triples without one); returns the seconds it took, checkpoint included."""
        folder = Path(folder).resolve()
        started = time.perf_counter()
        self.isql(f"ld_dir('{folder}', '{pattern}', '{graph}');\nrdf_loader_run();\ncheckpoint;\n")
        seconds = time.perf_counter() - started
        errors = self.isql("SELECT ll_file, ll_error FROM DB.DBA.LOAD_LIST WHERE ll_error IS NOT NULL;")
        if re.search(r"\b\d+ Rows\.", errors) and not re.search(r"\b0 Rows\.", errors):
            raise VirtuosoError(f"bulk load reported errors:\n{errors[-3000:]}")
        return seconds

    def query(self, sparql: str, timeout_s: float = 60.0) -> bytes:
        """GET the query with Accept: SPARQL JSON (POST application/sparql-query hangs on Virtuoso 7)."""
        url = self.endpoint + "?" + urllib.parse.urlencode({"query": sparql})
        request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            return response.read()

    def peak_rss_kb(self) -> int | None:
        """The server's peak resident memory (VmHWM), while it runs."""
        if self.process is None:
            return None
        try:
            status = Path(f"/proc/{self.process.pid}/status").read_text()
        except OSError:
            return None
        match = re.search(r"VmHWM:\s+(\d+) kB", status)
        return int(match.group(1)) if match else None
