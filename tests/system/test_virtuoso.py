"""Scale-out, integration: Virtuoso 7 from Debian (`virtuoso-opensource`) installed when missing
(as root; otherwise skipped with the reason), started on 127.0.0.1 in a temporary folder, loaded
with `peacekg push`, and fronted by `peacekg serve --store URL`: queries, pages, graph store
reads and limits through the service, answered by Virtuoso. Stopped by PID."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from helpers.remote import ROOT_ENV_EXCLUDED, check_fronted_engine
from helpers.virtuoso import Virtuoso, VirtuosoError, ensure_installed

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def built(fixture_build):
    return fixture_build(1)


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory):
    try:
        ensure_installed()
    except VirtuosoError as exc:
        pytest.skip(f"Virtuoso is not available here: {exc}")
    server = Virtuoso(tmp_path_factory.mktemp("virtuoso") / "db", buffers=20_000, timeout_s=30)
    with server.running():
        # A private test store: let the anonymous SPARQL user update (never on a real deployment,
        # where updates go to /sparql-auth with credentials).
        server.isql('GRANT SPARQL_UPDATE TO "SPARQL";\n')
        yield server


def test_push_then_serve_in_front_of_virtuoso(built, virtuoso) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(ROOT_ENV_EXCLUDED)}
    env["PEACEKG_BUILD_DIR"] = str(built.build_dir)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "kg.cli",
            "push",
            "--endpoint",
            virtuoso.endpoint,
            "--method",
            "update",
            "--update-endpoint",
            virtuoso.endpoint,
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "verified" in done.stdout
    check_fronted_engine(built, virtuoso.endpoint)
