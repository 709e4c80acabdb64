"""Faults of the service's processes: kill -9 of a query worker while it evaluates a query and
while it sends its result, and of the writer while it evaluates an update, just before it
publishes a committed write, and at random moments of a large write. The client gets the one JSON
error shape (503), the service replaces the process and keeps serving, and every write is there
entirely or not at all. A real `peacekg serve` runs in a subprocess; its workers and writer are
found through /proc."""

from __future__ import annotations

import json
import os
import random
import signal
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from kg.builder.pipeline import build
from service import create_app
from service.state import state

from helpers.corpora import make_corpus, settings_for
from helpers.faults import COUNT, SEED, served_count
from helpers.servers import running_service

pytestmark = pytest.mark.slow
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
TOKEN = "fault-token-0123456789abcdef"


# -- the service's processes, found through /proc ---------------------------------------------------


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def cpu_ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])  # utime + stime


def spawned(pid: int) -> bool:
    """A multiprocessing child (a query worker or the writer), not the resource tracker."""
    try:
        return b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def opens(pid: int, fragment: str) -> bool:
    """Whether process ``pid`` has a file open whose path contains ``fragment``."""
    try:
        return any(fragment in os.readlink(fd) for fd in Path(f"/proc/{pid}/fd").iterdir())
    except OSError:
        return False


def server_pid(base: str) -> int:
    port = base.rsplit(":", 1)[1]
    for pid in children(os.getpid()):
        try:
            environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if f"PEACEKG_PORT={port}".encode() in environ:
            return pid
    raise AssertionError(f"no server process for {base}")


def http(method: str, url: str, data: bytes | None = None, headers: dict | None = None, timeout: float = 60):
    """(status, headers, body) of one request; HTTP errors are answers, not exceptions."""
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def query(base: str, text: str, timeout: float = 60):
    return http(
        "POST",
        base + "/sparql",
        text.encode(),
        {"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"},
        timeout,
    )


def in_background(function, *args) -> tuple[threading.Thread, dict]:
    outcome: dict = {}
    thread = threading.Thread(target=lambda: outcome.update(result=function(*args)), daemon=True)
    thread.start()
    return thread, outcome


def assert_error_shape(body: bytes, status: int) -> dict:
    error = json.loads(body)
    assert error["status"] == status and error["message"] and set(error) <= {"status", "error", "message", "position"}
    assert "Traceback" not in error["message"]
    return error


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("faults")
    settings = settings_for(tmp, make_corpus(tmp, articles=1))
    build(settings)
    return settings


def test_query_worker_killed_mid_query_is_replaced(built, tmp_path: Path) -> None:
    env = {"PEACEKG_QUERY_WORKERS": "2", "PEACEKG_QUERY_TIMEOUT_S": "30"}
    with running_service(built.build_dir, tmp_path / "server.log", corpus_dir=built.corpus_dir, extra_env=env) as base:
        server = server_pid(base)
        assert query(base, "ASK { ?s ?p ?o }")[0] == 200
        thread, outcome = in_background(query, base, RUNAWAY)
        workers = [p for p in children(server) if spawned(p)]
        assert len(workers) == 2, workers
        before = {p: cpu_ticks(p) for p in workers}
        time.sleep(1.5)
        busy = max(workers, key=lambda p: cpu_ticks(p) - before[p])
        assert cpu_ticks(busy) - before[busy] > 10, "no worker is running the query"
        os.kill(busy, signal.SIGKILL)
        thread.join(timeout=30)
        status, _headers, body = outcome["result"]
        assert status == 503, body
        assert "replaced" in assert_error_shape(body, 503)["message"]
        for _ in range(4):  # both workers answer again; the killed one has a successor
            assert query(base, COUNT)[0] == 200
        replaced = json.loads(http("GET", base + "/metrics")[2])["workers_replaced"]
        now = [p for p in children(server) if spawned(p)]
        assert replaced == 1 and busy not in now and len(now) == 2


def test_query_worker_killed_while_sending_its_result(built) -> None:
    """A worker killed after its first chunk: never a 200 with a cut body (the result is buffered
    before the status is sent, so the client gets the error instead)."""
    app = create_app(built.replace(query_workers=1))
    pool = state(app).pool
    real_run = pool.run

    def run_then_kill(job, timeout_s):
        form, truncated, body = real_run(job, timeout_s)
        body.worker.process.kill()  # the worker is blocked writing a result larger than the pipe
        body.worker.process.join(5)
        return form, truncated, body

    pool.run = run_then_kill
    try:
        client = app.test_client()
        response = client.get("/sparql", query_string={"query": "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 2500"})
        assert response.status_code == 503, (response.status_code, response.data[:200])
        assert_error_shape(response.data, 503)
        pool.run = real_run
        assert served_count(client) > 0 and pool.replaced == 1
    finally:
        pool.close()


def live_count(base: str, graph: str) -> int:
    status, _h, body = query(base, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    assert status == 200, body
    return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])


def writer_of(server: int) -> int:
    found = [p for p in children(server) if opens(p, "/rw/")]
    assert len(found) == 1, found
    return found[0]


# Loaded by every Python process of the server (PYTHONPATH): the writer kills itself when it is
# about to publish a write it has committed, if the flag file exists.
KILL_AT_COMMIT = """
import os
flag = os.environ.get("PEACEKG_TEST_KILL_AT_COMMIT")
if flag:
    import signal
    import kg.store.live
    real = kg.store.live.LiveStore.commit
    def commit(self, grace_s):
        if os.path.exists(flag):
            os.unlink(flag)
            os.kill(os.getpid(), signal.SIGKILL)
        return real(self, grace_s)
    kg.store.live.LiveStore.commit = commit
"""


def test_writer_killed_during_writes_writes_all_or_nothing(built, tmp_path: Path) -> None:
    """The writer killed while it evaluates a long update, just before it publishes a committed
    write, and at random moments of a large Graph Store PUT: each write is there entirely or not at
    all (as the next write's published state shows), a 201 is never lost, and the next write works."""
    update = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/sparql-update"}
    turtle = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "text/turtle"}
    (tmp_path / "inject").mkdir()
    (tmp_path / "inject" / "sitecustomize.py").write_text(KILL_AT_COMMIT, encoding="utf-8")
    flag = tmp_path / "kill-at-commit"
    env = {
        "PEACEKG_UPDATES": "true",
        "PEACEKG_UPDATE_TOKEN": TOKEN,
        "PEACEKG_UPDATE_TIMEOUT_S": "60",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(tmp_path / "inject"), os.environ.get("PYTHONPATH")])),
        "PEACEKG_TEST_KILL_AT_COMMIT": str(flag),
    }
    big, size = "http://example.org/big", 3000
    data = " ".join(f"<http://example.org/s{i}> <http://example.org/p> {i} ." for i in range(size)).encode()
    runaway = (
        b"INSERT { GRAPH <http://example.org/x> { ?a ?b ?c } } "
        b"WHERE { GRAPH ?x { ?a ?b ?c } GRAPH ?y { ?d ?e ?f } GRAPH ?z { ?g ?h ?i } }"
    )

    def publish_then_count() -> int:
        """A write elsewhere (restarting the writer after a kill) publishes all that is committed."""
        assert http(
            "PUT",
            f"{base}/store?graph=http://example.org/other",
            b"<http://example.org/o> <http://example.org/p> 0 .",
            turtle,
        )[0] in (201, 204)
        return live_count(base, big)

    with running_service(built.build_dir, tmp_path / "server.log", corpus_dir=built.corpus_dir, extra_env=env) as base:
        server = server_pid(base)
        kept = b"INSERT DATA { GRAPH <http://example.org/kept> { <http://example.org/a> <http://example.org/b> 1 } }"
        assert http("POST", base + "/sparql", kept, update)[0] == 204
        # 1. killed while evaluating a long update: 503, nothing of it written
        thread, outcome = in_background(http, "POST", base + "/sparql", runaway, update)
        time.sleep(1.0)
        os.kill(writer_of(server), signal.SIGKILL)
        thread.join(timeout=30)
        status, _h, body = outcome["result"]
        assert status == 503 and "entirely or not at all" in assert_error_shape(body, 503)["message"]
        assert publish_then_count() == 0 and live_count(base, "http://example.org/x") == 0
        # 2. killed after committing, before publishing: the answer is a 503, and the write is there whole
        flag.write_text("kill")
        status, _h, body = http("PUT", f"{base}/store?graph={big}", data, turtle)
        assert status == 503 and "entirely or not at all" in assert_error_shape(body, 503)["message"]
        assert not flag.exists() and publish_then_count() == size
        # 3. killed at random moments of a large PUT: all or nothing
        assert http("DELETE", f"{base}/store?graph={big}", None, turtle)[0] == 204
        started = time.monotonic()
        assert http("PUT", f"{base}/store?graph={big}", data, turtle)[0] == 201
        whole_s = time.monotonic() - started
        rng, outcomes = random.Random(SEED), []
        for round_ in range(2):
            assert http("DELETE", f"{base}/store?graph={big}", None, turtle)[0] in (204, 404)
            writer = writer_of(server)
            thread, outcome = in_background(http, "PUT", f"{base}/store?graph={big}", data, turtle)
            delay = rng.uniform(0.0, whole_s)
            time.sleep(delay)
            os.kill(writer, signal.SIGKILL)
            thread.join(timeout=60)
            status, count = outcome["result"][0], publish_then_count()
            outcomes.append((round(delay, 2), status, count))
            assert count in (0, size), f"round {round_}: {count} of {size} triples: half-written"
            assert status in (201, 503), outcome["result"]
            assert status != 201 or count == size
        # 4. the next write works and is read back; what was there before is intact
        again = b"INSERT DATA { GRAPH <http://example.org/after> { <http://example.org/a> <http://example.org/b> 2 } }"
        assert http("POST", base + "/sparql", again, update)[0] == 204
        assert live_count(base, "http://example.org/after") == 1 and live_count(base, "http://example.org/kept") == 1
    print(f"writer kills (delay s of a {whole_s:.1f} s write, status, triples):", outcomes)
