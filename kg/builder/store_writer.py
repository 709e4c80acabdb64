"""Step 6 of a build: the new store, written whole or made from the current one.

A build that changed a few article graphs makes its store from the current build's
(kg.store.builds.update_store: a RocksDB checkpoint, hard links, no quad copied), then removes
the changed and removed articles' graphs, adds the new ones and replaces the inferred triples
that changed, instead of writing every quad again. Everything else (the first build, a changed
ontology, reference, code or setting, which change every graph, or more than a quarter of the
graphs changed) writes the whole store with one bulk load. Both give the same quads (tests/unit/
test_incremental_build.py compares them with a clean build); both are atomic the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyoxigraph

from kg.mapping.iris import Minter
from kg.store.builds import read_manifest, update_store, write_store

SHARED = ("ontology", "reference", "settings")  # fingerprints every graph depends on
MOST_CHANGED = 0.25  # above this share of graphs changed, a bulk load of everything is faster


def changed_graphs(previous: dict[str, Any], prints: dict[str, str]) -> list[str] | None:
    """The graphs to replace (changed, added or removed), or None when the whole store must be
    written: a first build, a change every graph depends on, or too many graphs changed."""
    before = previous.get("fingerprints") or {}
    if any(before.get(name) != prints.get(name) for name in SHARED):
        return None
    names = set(before) | set(prints)
    changed = sorted(n for n in names if n.startswith("article/") and before.get(n) != prints.get(n))
    if len(changed) > MOST_CHANGED * max(1, len(prints)):
        return None
    return changed


NT = pyoxigraph.RdfFormat.N_TRIPLES
NEW_INFERRED = pyoxigraph.NamedNode("urn:peacekg:new-inferred")  # the new inferred graph, while compared


def write(
    build_dir: Path,
    build_id: str,
    current: Path | None,
    graphs: dict[str, list[pyoxigraph.Quad]],
    inferred: bytes,
    manifest: dict[str, Any],
    minter: Minter,
    progress: Callable[[str], None] = lambda message: None,
) -> Path:
    """Write the build's store (``graphs`` by name, the inferred graph as N-Triples) and make it current."""
    inferred_graph = pyoxigraph.NamedNode(str(minter.graph("inferred")))
    changed = None if current is None else changed_graphs(read_manifest(current), manifest["fingerprints"])
    if current is None or changed is None:

        def add_inferred(store: pyoxigraph.Store) -> None:
            store.bulk_load(inferred, format=NT, to_graph=inferred_graph)

        everything = (quad for quads in graphs.values() for quad in quads)
        return write_store(build_dir, build_id, everything, manifest, then=add_inferred)
    replaced = changed

    def edit(store: pyoxigraph.Store) -> None:
        _replace(store, replaced, graphs, inferred, inferred_graph, minter, progress)

    return update_store(build_dir, build_id, current, edit, manifest)


def _replace(
    store: pyoxigraph.Store,
    changed: list[str],
    graphs: dict[str, list[pyoxigraph.Quad]],
    inferred: bytes,
    inferred_graph: pyoxigraph.NamedNode,
    minter: Minter,
    progress: Callable[[str], None],
) -> None:
    """Turn a copy of the previous store into this build's: the changed graphs replaced (a removed
    article's dropped), the inferred graph's difference applied by the store (the new inferred
    graph loaded beside the old, then compared by two SPARQL updates)."""
    for name in changed:
        node = pyoxigraph.NamedNode(str(minter.graph(name)))
        if store.contains_named_graph(node):
            store.remove_graph(node)
    store.extend(quad for name in changed if name in graphs for quad in graphs[name])
    store.load(inferred, format=NT, to_graph=NEW_INFERRED)
    old, new = inferred_graph, NEW_INFERRED
    store.update(
        f"DELETE {{ GRAPH {old} {{ ?s ?p ?o }} }} WHERE {{ GRAPH {old} {{ ?s ?p ?o }} "
        f"FILTER NOT EXISTS {{ GRAPH {new} {{ ?s ?p ?o }} }} }} ; "
        f"INSERT {{ GRAPH {old} {{ ?s ?p ?o }} }} WHERE {{ GRAPH {new} {{ ?s ?p ?o }} "
        f"FILTER NOT EXISTS {{ GRAPH {old} {{ ?s ?p ?o }} }} }}"
    )
    store.remove_graph(NEW_INFERRED)
    progress(
        f"store: from the current build, {len(changed)} graph(s) replaced and the inferred graph's difference applied"
    )
