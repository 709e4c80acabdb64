"""The live store: the built store plus what users wrote through SPARQL Update and the Graph
Store Protocol, for a service with updates on.

Builds stay immutable (kg.store.builds). The live store of a build starts as a RocksDB checkpoint of it
(hard links, no copy) and is written by exactly one process, the service's writer. Readers never
open it: after each committed write the writer takes a checkpoint of it, a *generation*, and
readers (the query workers) open the newest generation read-only. Layout::

    <build_dir>/live/<build-id>/rw/            the writable store (one writer process)
    <build_dir>/live/<build-id>/gen/<n>/        read-only checkpoints; the newest is named in CURRENT
    <build_dir>/live/<build-id>/CURRENT         the newest generation's number (replaced atomically)
    <build_dir>/live/<build-id>/built-graphs    the graph names the build produced (one IRI a line)

When a new build becomes current, the writer makes the new build's live store and carries over
the graphs users wrote (every graph the old build did not produce, and the default graph); the
build's own graphs come from the new build. Superseded generations are removed once no query can
still be reading them (a grace period longer than the query time limit).
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph

from kg.store.builds import StoreError, current_build

KEEP_GENERATIONS = 2


def live_root(build_dir: Path) -> Path:
    return Path(build_dir) / "live"


@dataclass
class LiveStore:
    """The writer's handle on the live store of one build."""

    folder: Path
    store: pyoxigraph.Store
    built_graphs: frozenset[str]
    generation: int

    @property
    def build_id(self) -> str:
        return self.folder.name

    def generation_path(self, number: int | None = None) -> Path:
        return self.folder / "gen" / str(self.generation if number is None else number)

    def commit(self, grace_s: float) -> Path:
        """Publish the store's state as a new generation; returns its folder."""
        number = self.generation + 1
        target = self.generation_path(number)
        shutil.rmtree(target, ignore_errors=True)  # a generation left half-made by a killed writer
        self.store.flush()
        self.store.backup(str(target))
        _write_atomically(self.folder / "CURRENT", f"{number}\n")
        self.generation = number
        _prune_generations(self.folder / "gen", number, grace_s)
        return target


def open_live(build_dir: Path, grace_s: float) -> LiveStore:
    """The live store of the current build, made (and user graphs carried over) if needed."""
    build = current_build(Path(build_dir))
    if build is None:
        raise StoreError(f"no built store under {Path(build_dir) / 'store'}: run `peacekg build` first")
    root = live_root(build_dir)
    folder = root / build.name
    if not (folder / "CURRENT").is_file():
        _make(folder, build / "oxigraph", _previous(root, folder.name))
    live = LiveStore(
        folder,
        pyoxigraph.Store(str(folder / "rw")),
        _read_graphs(folder / "built-graphs"),
        int((folder / "CURRENT").read_text().strip()),
    )
    for old in root.iterdir():
        if old.is_dir() and old != folder:
            shutil.rmtree(old, ignore_errors=True)
    if not live.generation_path().is_dir():  # CURRENT outlived its folder: publish again
        live.commit(grace_s)
    return live


def _previous(root: Path, current: str) -> Path | None:
    candidates = (
        [p for p in root.iterdir() if p.is_dir() and p.name != current and (p / "rw").is_dir()] if root.is_dir() else []
    )
    return max(candidates, key=lambda p: p.stat().st_mtime) if candidates else None


def _make(folder: Path, build_store: Path, previous: Path | None) -> None:
    """A new live store: a checkpoint of the build, plus the user graphs of ``previous``."""
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "gen").mkdir(parents=True)
    source = pyoxigraph.Store.read_only(str(build_store))
    built = sorted(g.value for g in source.named_graphs() if isinstance(g, pyoxigraph.NamedNode))
    source.backup(str(folder / "rw"))
    del source
    store = pyoxigraph.Store(str(folder / "rw"))
    if previous is not None:
        old_built = _read_graphs(previous / "built-graphs")
        old = pyoxigraph.Store.read_only(str(previous / "rw"))
        carried = [
            q
            for q in old.quads_for_pattern(None, None, None, None)
            if not (isinstance(q.graph_name, pyoxigraph.NamedNode) and q.graph_name.value in old_built)
        ]
        if carried:
            store.extend(carried)
        del old
    (folder / "built-graphs").write_text("".join(f"{g}\n" for g in built), encoding="utf-8")
    store.flush()
    store.backup(str(folder / "gen" / "0"))
    del store
    _write_atomically(folder / "CURRENT", "0\n")  # last: until then the folder is remade from scratch


def _read_graphs(path: Path) -> frozenset[str]:
    return frozenset(line for line in path.read_text(encoding="utf-8").splitlines() if line)


def _write_atomically(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    with tmp.open("w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def _prune_generations(gen_root: Path, newest: int, grace_s: float) -> None:
    """Remove generations superseded more than ``grace_s`` ago, keeping the newest few."""
    numbered = sorted((int(p.name), p) for p in gen_root.iterdir() if p.name.isdigit())
    now = time.time()
    for index, (number, path) in enumerate(numbered[:-KEEP_GENERATIONS]):
        superseded_at = numbered[index + 1][1].stat().st_mtime
        if number < newest and now - superseded_at > grace_s:
            shutil.rmtree(path, ignore_errors=True)
