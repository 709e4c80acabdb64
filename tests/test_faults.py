"""Faults: kill -9 of a build at chosen and random points, of a query worker while it runs a query,
and of the writer during an update; a full disk and a read-only store location during a build.
In every case the served store stays complete (the previous version, or the next one, never a
mixture), the client gets the one JSON error shape, and the next build, query or write works.

Builds are killed by SIGKILL from outside at a random moment, or from inside at a precise point of
kg.store.write_store (the driver below replaces one function so that reaching it kills the
process: the same signal, at a moment a timer could only hit by luck). A real `peacekg serve` runs
in a subprocess; its workers and writer are found through /proc."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Iterator

import pytest

from kg.builder import build
from kg.store import current_build, open_store, read_manifest
from service import create_app

from conftest import ROOT
from servers import running_service
from test_build import make_corpus, settings_for

pytestmark = pytest.mark.slow
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
TOKEN = "fault-token-0123456789abcdef"
SEED = 20260808

# Runs `peacekg build` and kills itself (SIGKILL) when the build reaches the chosen point.
DRIVER = r'''
import os, signal, sys, types
from pathlib import Path
point, nth, marker = sys.argv[1], int(sys.argv[2]), sys.argv[3]
import pyoxigraph
import kg.store as store

def die(what):
    Path(marker).write_text(what)
    os.kill(os.getpid(), signal.SIGKILL)

def nth_call(name, real):
    calls = [0]
    def wrapper(*args, **kwargs):
        calls[0] += 1
        if calls[0] == nth:
            die(f"{name} call {nth}")
        return real(*args, **kwargs)
    return wrapper

if point in ("replace", "fsync"):
    store.os = types.SimpleNamespace(**{k: getattr(os, k) for k in dir(os) if not k.startswith("__")})
    setattr(store.os, point, nth_call("os." + point, getattr(os, point)))
elif point == "symlink":
    class P(type(Path())):
        def symlink_to(self, *args, **kwargs):
            die("Path.symlink_to (the new link, before the switch)")
    store.Path = P
elif point == "bulk_extend":
    class HalfStore:
        def __init__(self, path):
            self.store = pyoxigraph.Store(path)
        def bulk_extend(self, quads):
            quads = list(quads)
            self.store.bulk_extend(quads[: len(quads) // 2])
            self.store.flush()
            die(f"bulk_extend after {len(quads) // 2} of {len(quads)} quads")
    store.pyoxigraph = types.SimpleNamespace(Store=HalfStore)
elif point == "prune":
    store._prune = lambda *args, **kwargs: die("_prune (after the switch)")
from kg.cli import main
sys.argv = ["peacekg", "build"]
main()
'''


def digest(build_dir: Path) -> tuple[str, int]:
    """The current store's content: a hash of its sorted quads, and their number."""
    quads = sorted(str(q) for q in open_store(build_dir))
    return hashlib.sha256("\n".join(quads).encode("utf-8")).hexdigest(), len(quads)


def complete(build: Path) -> bool:
    """A build whose store holds every quad its manifest counts."""
    from pyoxigraph import Store

    return len(Store.read_only(str(build / "oxigraph"))) == sum(read_manifest(build)["graphs"].values())


def env_for(settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PEACEKG_")}
    env.update({"PEACEKG_CORPUS_DIR": str(settings.corpus_dir), "PEACEKG_BUILD_DIR": str(settings.build_dir),
                "PEACEKG_ONTOLOGY_DIR": str(ROOT / "ontology")})
    return env


def touch(settings, n: int | str) -> None:
    """Change one input so that the next build has a new build id."""
    annotation = Path(settings.corpus_dir) / "annotations" / "fx-001.yaml"
    annotation.write_text(annotation.read_text(encoding="utf-8") + f"\n# edit {n}\n", encoding="utf-8")


def served_count(client) -> int:
    response = client.get("/sparql", query_string={"query": COUNT})
    assert response.status_code == 200, response.data
    return int(response.json["results"]["bindings"][0]["n"]["value"])


def test_build_killed_at_random_points_keeps_the_previous_store(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, make_corpus(tmp_path, articles=1))
    build(settings)
    app = create_app(settings.replace(query_workers=1))
    client = app.test_client()
    rng = random.Random(SEED)
    points = [("time", 0), ("bulk_extend", 1), ("fsync", rng.randint(1, 12)), ("replace", 1), ("symlink", 1),
              ("replace", 2), ("prune", 1)]
    rng.shuffle(points)
    hit = []
    try:
        for round_, (point, nth) in enumerate(points):
            previous, (content, count) = current_build(settings.build_dir), digest(settings.build_dir)
            touch(settings, round_)
            marker = tmp_path / f"marker-{round_}"
            process = subprocess.Popen([sys.executable, "-c", DRIVER, point, str(nth), str(marker)], env=env_for(settings),
                                       cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            if point == "time":
                time.sleep(rng.uniform(0.3, 2.0))
                process.kill()
            _, err = process.communicate(timeout=120)
            finished = point == "time" and process.returncode == 0  # the timer came too late: a complete build
            assert finished or process.returncode == -signal.SIGKILL, f"{point}: not killed: {err.decode()[-2000:]}"
            where = marker.read_text() if marker.exists() else "an external SIGKILL" if not finished else "(finished first)"
            hit.append(where)
            current = current_build(settings.build_dir)
            assert current is not None and complete(current), where
            if point == "prune" or finished:  # killed after the switch: the new build is current, and complete
                assert current != previous and read_manifest(current)["build"] == current.name
            else:
                assert current == previous, f"killed at {where}: the store was switched"
                assert digest(settings.build_dir) == (content, count), where
            assert served_count(client) == len(open_store(settings.build_dir)), where
        final = build(settings)
        assert not final.nothing_to_do and current_build(settings.build_dir) == final.build and complete(final.build)
        root = Path(settings.build_dir) / "store"
        leftovers = [p.name for p in (*root.iterdir(), *(root / "builds").iterdir()) if p.name.startswith(".")]
        assert leftovers == [], leftovers  # half-made builds and links are cleared by the next build
        assert served_count(client) == len(open_store(settings.build_dir))
    finally:
        app.extensions["peacekg_pool"].close()
    print("build killed at:", "; ".join(hit))


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
    return http("POST", base + "/sparql", text.encode(), {"Content-Type": "application/sparql-query",
                                                           "Accept": "application/sparql-results+json"}, timeout)


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
    pool = app.extensions["peacekg_pool"]
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
    import kg.live
    real = kg.live.LiveStore.commit
    def commit(self, grace_s):
        if os.path.exists(flag):
            os.unlink(flag)
            os.kill(os.getpid(), signal.SIGKILL)
        return real(self, grace_s)
    kg.live.LiveStore.commit = commit
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
    env = {"PEACEKG_UPDATES": "true", "PEACEKG_UPDATE_TOKEN": TOKEN, "PEACEKG_UPDATE_TIMEOUT_S": "60",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(tmp_path / "inject"), os.environ.get("PYTHONPATH")])),
           "PEACEKG_TEST_KILL_AT_COMMIT": str(flag)}
    big, size = "http://example.org/big", 3000
    data = " ".join(f"<http://example.org/s{i}> <http://example.org/p> {i} ." for i in range(size)).encode()
    runaway = ("INSERT { GRAPH <http://example.org/x> { ?a ?b ?c } } "
               "WHERE { GRAPH ?x { ?a ?b ?c } GRAPH ?y { ?d ?e ?f } GRAPH ?z { ?g ?h ?i } }").encode()

    def publish_then_count() -> int:
        """A write elsewhere (restarting the writer after a kill) publishes all that is committed."""
        assert http("PUT", f"{base}/store?graph=http://example.org/other", b"<http://example.org/o> <http://example.org/p> 0 .", turtle)[0] in (201, 204)
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
        for round_ in range(3):
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


# -- a full disk and a read-only store location ------------------------------------------------------

@contextlib.contextmanager
def tmpfs(path: Path, size: str = "16m") -> Iterator[bool]:
    """A small tmpfs at ``path`` (root only); yields False where mounting is not permitted."""
    path.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        yield False
        return
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True)
    if mounted.returncode != 0:
        yield False
        return
    try:
        yield True
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def failed_build(settings, limit_bytes: int | None = None) -> subprocess.CompletedProcess:
    """`peacekg build` in a subprocess after an input changed; ``limit_bytes``: RLIMIT_FSIZE (EFBIG past it)."""
    touch(settings, f"disk {time.monotonic()}")

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, limit_bytes))

    return subprocess.run([sys.executable, "-m", "kg.cli", "build"], env=env_for(settings), cwd=ROOT, capture_output=True,
                          text=True, timeout=120, preexec_fn=limit if limit_bytes is not None else None)


def assert_refused_cleanly(settings, result: subprocess.CompletedProcess, before: Path, content: tuple, reason: str) -> None:
    assert result.returncode == 11, (result.returncode, result.stderr[-3000:])
    message = result.stderr.strip().splitlines()[-1]
    assert message.startswith("error: ") and str(settings.build_dir) in message and reason in message, message
    assert "Traceback" not in result.stderr
    assert current_build(settings.build_dir) == before and digest(settings.build_dir) == content
    store = Path(settings.build_dir) / "store"
    half = [p for p in (*store.iterdir(), *(store / "builds").iterdir(), *(Path(settings.build_dir) / "cache").iterdir())
            if p.name.startswith(".")]
    assert half == [], half  # no partial build, no new link, no temporary cache file left behind
    app = create_app(settings.replace(query_workers=1))
    try:
        assert served_count(app.test_client()) == content[1]  # the previous store is still served
    finally:
        app.extensions["peacekg_pool"].close()
    print(f"refused with exit 11: {message}")


def test_full_disk_during_a_build(tmp_path: Path) -> None:
    """No room for the build cache, then room for the cache but not for the store: exit 11 naming
    the path, nothing half-written, the previous store served; with room again, it builds."""
    with tmpfs(tmp_path / "disk") as mounted:
        settings = settings_for(tmp_path, make_corpus(tmp_path, articles=1), build_dir="disk/build")
        build(settings)
        before, content = current_build(settings.build_dir), digest(settings.build_dir)
        if not mounted:
            print("tmpfs could not be mounted (not root, or no permission): RLIMIT_FSIZE instead (EFBIG, not ENOSPC)")
        # (free space on the tmpfs, else largest file): nothing fits; the cache files (< 60 KiB) fit, the store does not
        for free_kib, file_kib in ((0, 0), (160, 64)):
            if mounted:
                filler = tmp_path / "disk" / "filler"
                filler.unlink(missing_ok=True)
                stat = os.statvfs(filler.parent)
                filler.write_bytes(b"\0" * max(0, stat.f_bavail * stat.f_frsize - free_kib * 1024))
                result, reason = failed_build(settings), "No space left on device"
            else:
                result, reason = failed_build(settings, limit_bytes=max(1, file_kib * 1024)), "File too large"
            assert_refused_cleanly(settings, result, before, content, reason)
        if mounted:
            filler.unlink()
        assert not build(settings).nothing_to_do and current_build(settings.build_dir) != before


def test_read_only_store_location(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "disk") as mounted:
        settings = settings_for(tmp_path, make_corpus(tmp_path, articles=1), build_dir="disk/build")
        build(settings)
        before, content = current_build(settings.build_dir), digest(settings.build_dir)
        if mounted:
            subprocess.run(["mount", "-o", "remount,ro", str(tmp_path / "disk")], check=True)
            reason = "Read-only file system"
        elif os.geteuid() != 0:
            subprocess.run(["chmod", "-R", "a-w", str(settings.build_dir)], check=True)
            reason = "Permission denied"
        else:
            pytest.skip("root without permission to mount a filesystem: a read-only location cannot be made "
                        "(file modes do not stop root)")
        result = failed_build(settings)
        if mounted:
            subprocess.run(["mount", "-o", "remount,rw", str(tmp_path / "disk")], check=True)
        else:
            subprocess.run(["chmod", "-R", "u+w", str(settings.build_dir)], check=True)
        assert_refused_cleanly(settings, result, before, content, reason)
        assert not build(settings).nothing_to_do and current_build(settings.build_dir) != before
