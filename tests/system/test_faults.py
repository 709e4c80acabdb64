"""Faults of the build: kill -9 at chosen and random points, a full disk and a read-only store
location. In every case the served store stays complete (the previous version, or the next one,
never a mixture) and the next build works. The service's processes (query workers, the writer)
are killed in tests/system/test_faults_service.py.

Builds are killed by SIGKILL from outside at a random moment, or from inside at a precise point of
kg.store.builds.write_store (the driver below replaces one function so that reaching it kills the
process: the same signal, at a moment a timer could only hit by luck)."""

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
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph
import pytest
from click.testing import CliRunner

from kg.builder.pipeline import build
from kg.cli import cli
from kg.store.builds import current_build, open_store, read_manifest
from service import create_app
from service.state import state

from helpers.corpora import make_corpus, settings_for
from helpers.faults import SEED, served_count
from helpers.paths import ROOT

pytestmark = pytest.mark.slow

# Runs `peacekg build` and kills itself (SIGKILL) when the build reaches the chosen point.
DRIVER = r"""
import os, signal, sys, types
from pathlib import Path
point, nth, marker = sys.argv[1], int(sys.argv[2]), sys.argv[3]
import pyoxigraph
import kg.store.builds as store

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
if len(sys.argv) > 4:  # write the store of a build prepared by the test (its quads and manifest)
    import json
    meta = json.loads(Path(sys.argv[4] + ".json").read_text())
    quads = pyoxigraph.parse(Path(sys.argv[4] + ".nq").read_bytes(), format=pyoxigraph.RdfFormat.N_QUADS)
    store.write_store(Path(meta["build_dir"]), meta["build"], quads, meta["manifest"])
else:  # a whole build
    from kg.cli.group import main
    sys.argv = ["peacekg", "build"]
    main()
"""


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
    env.update(
        {
            "PEACEKG_CORPUS_DIR": str(settings.corpus_dir),
            "PEACEKG_BUILD_DIR": str(settings.build_dir),
            "PEACEKG_ONTOLOGY_DIR": str(ROOT / "ontology"),
        }
    )
    return env


def touch(settings, n: int | str) -> None:
    """Change one input so that the next build has a new build id."""
    annotation = Path(settings.corpus_dir) / "annotations" / "fx-001.yaml"
    annotation.write_text(annotation.read_text(encoding="utf-8") + f"\n# edit {n}\n", encoding="utf-8")


class Captured(Exception):
    pass


def next_build(settings, folder: Path, monkeypatch) -> dict:
    """What the next build would write as a whole store (quads, manifest), saved for the driver;
    nothing is written. An article edit would make the store from the previous one (update_store,
    kg.builder.incremental, killed at their own points in tests/unit/test_build.py): here the
    whole-store path is taken."""
    import kg.builder.incremental
    import kg.builder.store_writer

    captured: dict = {}

    def capture(build_dir, build_id, quads, manifest, then=None, files=None, after=()):
        quads = list(quads)
        if then is not None:  # what the build adds after the bulk load (the inferred graph)
            added = pyoxigraph.Store()
            then(added)
            quads += list(added)
        quads += list(after)  # what it writes after the compaction (the ontology's quads)
        captured.update(build=build_id, quads=quads, manifest=manifest, build_dir=str(build_dir))
        raise Captured()

    monkeypatch.setattr(kg.builder.store_writer, "changed_graphs", lambda previous, prints: None)
    monkeypatch.setattr(kg.builder.incremental, "plan", lambda current, prints: (None, "whole, for the test"))
    monkeypatch.setattr(kg.builder.store_writer, "write_store", capture)
    with pytest.raises(Captured):
        build(settings)
    monkeypatch.undo()
    (folder / "next.nq").write_bytes(pyoxigraph.serialize(captured.pop("quads"), format=pyoxigraph.RdfFormat.N_QUADS))
    return captured


def test_build_killed_at_random_points_keeps_the_previous_store(tmp_path: Path, monkeypatch) -> None:
    """One whole build killed by a timer; then the store writing of a real build's quads killed at
    six points: half-way through the bulk load, at an fsync, before the rename into builds/, before
    the new link, before the switch, after the switch. The next real build succeeds."""
    settings = settings_for(tmp_path, make_corpus(tmp_path, articles=1))
    build(settings)
    app = create_app(settings.replace(query_workers=1))
    client = app.test_client()
    rng = random.Random(SEED)
    points = [
        ("bulk_extend", 1),
        ("fsync", rng.randint(1, 12)),
        ("replace", 1),
        ("symlink", 1),
        ("replace", 2),
        ("prune", 1),
    ]
    rng.shuffle(points)
    hit = []
    try:
        touch(settings, "timer")
        process = subprocess.Popen(
            [sys.executable, "-c", DRIVER, "time", "0", str(tmp_path / "unused")],
            env=env_for(settings),
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.5, 2.5))
        process.kill()
        process.wait(timeout=120)
        previous = current_build(settings.build_dir)
        assert previous is not None and complete(previous)
        hit.append(
            "a timer (an external SIGKILL)" if process.returncode == -signal.SIGKILL else "(the build finished first)"
        )
        assert served_count(client) == len(open_store(settings.build_dir))
        touch(settings, "points")
        prepared = next_build(settings, tmp_path, monkeypatch)
        for round_, (point, nth) in enumerate(points):
            previous, (content, count) = current_build(settings.build_dir), digest(settings.build_dir)
            build_id = f"{prepared['build'][:12]}{round_:04x}"
            (tmp_path / "next.json").write_text(
                json.dumps({**prepared, "build": build_id, "manifest": {**prepared["manifest"], "build": build_id}})
            )
            marker = tmp_path / f"marker-{round_}"
            result = subprocess.run(
                [sys.executable, "-c", DRIVER, point, str(nth), str(marker), str(tmp_path / "next")],
                env=env_for(settings),
                cwd=ROOT,
                capture_output=True,
                timeout=120,
            )
            assert result.returncode == -signal.SIGKILL, f"{point}: not killed: {result.stderr.decode()[-2000:]}"
            where = marker.read_text()
            hit.append(where)
            current = current_build(settings.build_dir)
            assert current is not None and complete(current), where
            if point == "prune":  # killed after the switch: the new build is current, and complete
                assert current.name == build_id and read_manifest(current)["build"] == build_id
            else:
                assert current == previous, f"killed at {where}: the store was switched"
                assert digest(settings.build_dir) == (content, count), where
            assert served_count(client) == len(open_store(settings.build_dir)), where
        touch(settings, "final")
        final = build(settings)
        assert not final.nothing_to_do and current_build(settings.build_dir) == final.build and complete(final.build)
        root = Path(settings.build_dir) / "store"
        leftovers = [p.name for p in (*root.iterdir(), *(root / "builds").iterdir()) if p.name.startswith(".")]
        assert leftovers == [], leftovers  # half-made builds and links are cleared by the next build
        assert served_count(client) == len(open_store(settings.build_dir))
    finally:
        state(app).pool.close()
    print("build killed at:", "; ".join(hit))


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


def failed_build(settings, limit_bytes: int | None = None) -> tuple[int, str]:
    """`peacekg build` after an input changed: (exit code, stderr). In this process (click's runner),
    or with ``limit_bytes`` in a subprocess under RLIMIT_FSIZE (EFBIG past it)."""
    touch(settings, f"disk {time.monotonic()}")
    if limit_bytes is None:
        env = {k: v for k, v in env_for(settings).items() if k.startswith("PEACEKG_")}
        result = CliRunner().invoke(cli, ["build"], env=env)
        return result.exit_code, result.stderr + (repr(result.exc_info) if result.exit_code not in (0, 11) else "")

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, limit_bytes))

    done = subprocess.run(
        [sys.executable, "-m", "kg.cli", "build"],
        env=env_for(settings),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=limit,
    )
    return done.returncode, done.stderr


def assert_refused_cleanly(
    settings, client, result: tuple[int, str], before: Path, content: tuple, reason: str
) -> None:
    code, stderr = result
    assert code == 11, (code, stderr[-3000:])
    message = stderr.strip().splitlines()[-1]
    assert message.startswith("error: ") and str(settings.build_dir) in message and reason in message, message
    assert "Traceback" not in stderr
    assert current_build(settings.build_dir) == before and digest(settings.build_dir) == content
    store = Path(settings.build_dir) / "store"
    half = [
        p
        for p in (*store.iterdir(), *(store / "builds").iterdir(), *(Path(settings.build_dir) / "cache").iterdir())
        if p.name.startswith(".")
    ]
    assert half == [], half  # no partial build, no new link, no temporary cache file left behind
    assert served_count(client) == content[1]  # the previous store is still served
    print(f"refused with exit 11: {message}")


def test_full_disk_during_a_build(tmp_path: Path) -> None:
    """No room for the build cache, then room for the cache but not for the store: exit 11 naming
    the path, nothing half-written, the previous store served; with room again, it builds."""
    with tmpfs(tmp_path / "disk") as mounted:
        settings = settings_for(tmp_path, make_corpus(tmp_path, articles=1), build_dir="disk/build")
        build(settings)
        before, content = current_build(settings.build_dir), digest(settings.build_dir)
        app = create_app(settings.replace(query_workers=1))
        if not mounted:
            print("tmpfs could not be mounted (not root, or no permission): RLIMIT_FSIZE instead (EFBIG, not ENOSPC)")
        try:
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
                assert_refused_cleanly(settings, app.test_client(), result, before, content, reason)
            if mounted:
                filler.unlink()
            assert not build(settings).nothing_to_do and current_build(settings.build_dir) != before
        finally:
            state(app).pool.close()


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
            pytest.skip(
                "root without permission to mount a filesystem: a read-only location cannot be made "
                "(file modes do not stop root)"
            )
        app = create_app(settings.replace(query_workers=1))
        try:
            result = failed_build(settings)
            assert_refused_cleanly(settings, app.test_client(), result, before, content, reason)
        finally:
            state(app).pool.close()
            if mounted:
                subprocess.run(["mount", "-o", "remount,rw", str(tmp_path / "disk")], check=True)
            else:
                subprocess.run(["chmod", "-R", "u+w", str(settings.build_dir)], check=True)
        assert not build(settings).nothing_to_do and current_build(settings.build_dir) != before
