"""The embedded, persistent store (pyoxigraph) and its atomic replacement.

Layout under ``<build_dir>/store/``::

    current -> builds/<build-id>     a symbolic link; readers always open what it points to
    builds/<build-id>/oxigraph/      a complete pyoxigraph store
    builds/<build-id>/manifest.json  what went in: input hashes, graph sizes, time, versions
    builds/.<build-id>.partial/      a build in progress (never opened by readers)

A build writes a new store in a ``.partial`` folder, renames it into ``builds/`` when complete,
then replaces the ``current`` link with ``os.replace`` (atomic on POSIX). A crash or a kill at
any point leaves ``current`` pointing at the previous complete store; stale partial folders (and
a new link a killed build made but never switched to) are removed by the next build. The two most recent builds are kept.

``write_store`` fills the new store with a bulk load; ``update_store`` starts it as a RocksDB
checkpoint of the previous build's store (hard links: nothing copied) and changes that copy.
Either way the previous store is only read, and the switch is the same.
"""

from __future__ import annotations

import gc
import json
import os
import shutil
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pyoxigraph

from kg.errors import PeaceKGError

KEEP_BUILDS = 2


class StoreError(PeaceKGError):
    """The store is missing, unreadable or its location is not writable."""

    exit_code = 11


def store_root(build_dir: Path) -> Path:
    return Path(build_dir) / "store"


def current_build(build_dir: Path) -> Path | None:
    link = store_root(build_dir) / "current"
    if not link.is_symlink() and not link.exists():
        return None
    target = link.resolve()
    return target if (target / "manifest.json").is_file() else None


def read_manifest(build: Path) -> dict[str, Any]:
    return json.loads((build / "manifest.json").read_text(encoding="utf-8"))


def open_store(build_dir: Path, *, read_only: bool = True) -> pyoxigraph.Store:
    """The current store, read-only by default (many processes may read it at once)."""
    build = current_build(build_dir)
    if build is None:
        raise StoreError(f"no built store under {store_root(build_dir)}: run `peacekg build` first")
    path = str(build / "oxigraph")
    try:
        return pyoxigraph.Store.read_only(path) if read_only else pyoxigraph.Store(path)
    except OSError as exc:
        raise StoreError(f"cannot open the store at {path}: {exc}") from None


def write_store(
    build_dir: Path,
    build_id: str,
    quads: Iterable[pyoxigraph.Quad],
    manifest: dict[str, Any],
    then: Callable[[pyoxigraph.Store], None] | None = None,
    files: Mapping[str, Callable[[], Sequence[bytes]]] | None = None,
    after: Iterable[pyoxigraph.Quad] = (),
) -> Path:
    """Write a complete new store (``quads`` bulk-loaded, then whatever ``then`` adds, then the
    store compacted, then ``after`` written as it is) and make it current; returns its folder.
    ``after`` is for a few quads that must keep their blank-node labels (the ontology's, which a
    bulk load of parsed text would relabel): written into the compacted store, they leave it one
    small file, where a second bulk load leaves files that overlap the first's, and the compaction
    then rewrites the whole store (1,000 articles: 0.6 s against 0.00 s, the same quads).
    ``files`` are written beside the manifest, each from the parts its function makes, in order
    (a large file and a line after it, without joining them: a copy), on a thread while the store
    is filled (:func:`_publish`)."""

    def fill(target: Path) -> None:
        store = pyoxigraph.Store(str(target))
        store.bulk_extend(quads)
        if then is not None:
            then(store)
        store.flush()
        # a full compaction: 5 s at 10,000 articles, and every stored query about twice as fast
        # after it (in process, same quads, 2026-12-06: a lookup 390 -> 238 us, cq12's page
        # 3.8 -> 1.6 s; the bulk load leaves overlapping files, 41 against 32, 678 MB against 1.1 GB)
        store.optimize()
        store.extend(after)
        store.flush()  # closed when fill returns, before the files are synced: nothing else holds it

    return _publish(build_dir, build_id, fill, manifest, files or {})


def update_store(
    build_dir: Path,
    build_id: str,
    previous: Path,
    edit: Callable[[pyoxigraph.Store], None],
    manifest: dict[str, Any],
    files: Mapping[str, Callable[[], Sequence[bytes]]] | None = None,
) -> Path:
    """Make a new store from the complete build ``previous`` and make it current: a RocksDB
    checkpoint of it (hard links to its immutable files: no quad is copied) in the new build's
    ``.partial`` folder, opened and changed by ``edit``. The previous store is only read, so a
    failure or a kill at any point leaves it current and whole, exactly as for ``write_store``."""

    def fill(target: Path) -> None:
        pyoxigraph.Store.read_only(str(previous / "oxigraph")).backup(str(target))
        store = pyoxigraph.Store(str(target))
        edit(store)
        store.flush()
        # closed before the files are synced: an open store may still compact, and delete the
        # files the sync is walking (an edit that removes many quads made that happen)
        del store
        gc.collect()

    return _publish(build_dir, build_id, fill, manifest, files or {})


def _publish(
    build_dir: Path,
    build_id: str,
    fill: Callable[[Path], None],
    manifest: dict[str, Any],
    files: Mapping[str, Callable[[], Sequence[bytes]]],
) -> Path:
    """Fill a store in a ``.partial`` folder, write its manifest, sync it, rename it into
    ``builds/`` and switch ``current`` to it (module docstring)."""
    root = store_root(build_dir)
    builds = root / "builds"
    partial = builds / f".{build_id}.partial"
    final = builds / build_id
    try:
        builds.mkdir(parents=True, exist_ok=True)
        for stale in builds.glob(".*.partial"):
            shutil.rmtree(stale, ignore_errors=True)
        for stale_link in root.glob(".current.*"):  # a link made by a build killed before its switch
            stale_link.unlink(missing_ok=True)
        if final.exists():  # the same inputs built before, not current (current would be a no-op)
            shutil.rmtree(final)
        partial.mkdir()
        # the files beside the store made and written while it is filled: the engine's bulk load
        # and compaction leave the GIL, and so do hashing and writing large bytes (the inferred
        # graph's file, 230 MB and its hash at 10,000 articles, was 0.5 s of one core after them)
        with ThreadPoolExecutor(1, thread_name_prefix="files-beside-the-store") as side:
            written = side.submit(_write_files, partial, files)
            fill(partial / "oxigraph")
            written.result()
        (partial / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        _fsync_tree(partial)
        os.replace(partial, final)
        link_tmp = root / f".current.{build_id}"
        if link_tmp.is_symlink() or link_tmp.exists():
            link_tmp.unlink()
        link_tmp.symlink_to(Path("builds") / build_id)
        os.replace(link_tmp, root / "current")
        _fsync_dir(root)
    except OSError as exc:
        shutil.rmtree(partial, ignore_errors=True)
        raise StoreError(f"cannot write the store under {root}: {exc.strerror or exc}", file=str(root)) from None
    _prune(builds, keep=final)
    return final


def _write_files(folder: Path, files: Mapping[str, Callable[[], Sequence[bytes]]]) -> None:
    for name, make in files.items():
        with (folder / name).open("wb") as handle:
            for part in make():
                handle.write(part)


def _prune(builds: Path, keep: Path) -> None:
    complete = sorted(
        (p for p in builds.iterdir() if p.is_dir() and not p.name.startswith(".")),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for old in complete[KEEP_BUILDS:]:
        if old != keep:
            shutil.rmtree(old, ignore_errors=True)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_tree(path: Path) -> None:
    for directory, _dirs, files in os.walk(path):
        for name in files:
            try:
                fd = os.open(os.path.join(directory, name), os.O_RDONLY)
            except FileNotFoundError:
                # gone since the walk listed it: RocksDB deletes a file once no version of the
                # database refers to it, and a store closed late (a loaded machine) may still be
                # doing so; the folder's own sync below records that it is gone
                continue
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        _fsync_dir(Path(directory))
