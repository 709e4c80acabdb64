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

import io
from collections.abc import Callable, Iterable, Iterator
from itertools import chain
from pathlib import Path
from typing import Any

import pyoxigraph

from kg.builder.graphs import NQ, Graphs, by_blank_nodes, may_hold_blank_nodes, reader_of
from kg.builder.sealed import sealed_parts, unseal
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
INFERRED_FILE = "inferred.nt"  # beside a build's manifest: its inferred graph, sealed, for the next build's difference


def write(
    build_dir: Path,
    build_id: str,
    current: Path | None,
    graphs: Graphs,
    inferred: bytes,
    manifest: dict[str, Any],
    minter: Minter,
    progress: Callable[[str], None] = lambda message: None,
) -> Path:
    """Write the build's store (``graphs``' N-Quads by name, the inferred graph as N-Triples) and
    make it current."""
    inferred_graph = pyoxigraph.NamedNode(str(minter.graph("inferred")))
    files = {INFERRED_FILE: lambda: sealed_parts(inferred)}  # hashed on the writer's thread
    changed = None if current is None else changed_graphs(read_manifest(current), manifest["fingerprints"])
    if current is None or changed is None:
        # One bulk load parsed in Rust of every graph without a blank node and of the inferred
        # graph turned into N-Quads; the graphs that may hold one as Python quads, which keep
        # their labels (bulk_load gives each blank node a new one, and the labels are the
        # build's, the same in every build): the ontology's restrictions after the compaction
        # (kg.store.builds.write_store), any other before it. Against a bulk load of parsed
        # quads and a second of the inferred triples: 43 against 57 s at 10,000 articles (busy).
        without, maybe = by_blank_nodes(data for name, data in graphs.items() if name != "ontology")
        inferred_quads = _as_nquads(inferred, inferred_graph)  # lazily, a piece at a time
        if may_hold_blank_nodes(inferred):
            maybe.append(b"".join(inferred_quads))
            inferred_quads = iter(())
        rest = (quad for data in maybe for quad in pyoxigraph.parse(data, format=NQ))  # lazily

        def load_the_rest(store: pyoxigraph.Store) -> None:
            # lenient: pyoxigraph wrote every line of it (the graphs from its terms, each checked
            # when it was made, or from the sealed cache of them; the inferred graph from the work
            # store), so its IRIs and language tags are not checked a second time
            store.bulk_load(reader_of(chain(without, inferred_quads)), format=NQ, lenient=True)

        ontology = pyoxigraph.parse(graphs.get("ontology", b""), format=NQ)
        return write_store(build_dir, build_id, rest, manifest, then=load_the_rest, files=files, after=ontology)
    replaced, previous = changed, current

    def edit(store: pyoxigraph.Store) -> None:
        _replace(
            store,
            replaced,
            graphs,
            _previous_inferred(previous, store, inferred_graph),
            inferred,
            inferred_graph,
            minter,
            progress,
        )

    return update_store(build_dir, build_id, current, edit, manifest, files=files)


PIECE = 8 << 20  # bytes of the inferred graph turned into N-Quads at a time (no copy of it whole)


def _as_nquads(triples: bytes, graph: pyoxigraph.NamedNode) -> Iterator[bytes]:
    """N-Triples as N-Quads in ``graph``, a piece at a time: every line of pyoxigraph's N-Triples
    ends with " .\n", and no other " .\n" is in a line (a literal's line break is escaped)."""
    ending = b" <" + graph.value.encode("utf-8") + b"> .\n"
    start = 0
    while start < len(triples):
        end = triples.find(b"\n", min(start + PIECE, len(triples)) - 1) + 1 or len(triples)
        yield triples[start:end].replace(b" .\n", ending)
        start = end


def _previous_inferred(previous: Path, store: pyoxigraph.Store, graph: pyoxigraph.NamedNode) -> bytes:
    """The previous build's inferred graph as N-Triples: from the file it left (whole, by its
    hash), else read from its store."""
    try:
        data = unseal((previous / INFERRED_FILE).read_bytes())
    except OSError:
        data = None
    return data if data is not None else store.dump(format=NT, from_graph=graph) or b""


def _replace(
    store: pyoxigraph.Store,
    changed: list[str],
    graphs: Graphs,
    before: bytes,
    after: bytes,
    inferred_graph: pyoxigraph.NamedNode,
    minter: Minter,
    progress: Callable[[str], None],
) -> None:
    """Turn a copy of the previous store into this build's: the changed graphs replaced (a removed
    article's dropped), the inferred graph's difference applied. The difference is taken on
    the N-Triples lines of the two inferred graphs (one triple a line, always written the same
    way by pyoxigraph); only the lines that differ become quads. Removals go first, so a triple
    written two ways would be removed and added back, never lost."""
    for name in changed:
        node = pyoxigraph.NamedNode(str(minter.graph(name)))
        if store.contains_named_graph(node):
            store.remove_graph(node)
    # parsed, not Store.load: that would give a blank node a new label, unlike a store written whole
    store.extend(quad for name in changed if name in graphs for quad in pyoxigraph.parse(graphs[name], format=NQ))
    # one set of lines, the previous build's: at 10,000 articles a set of 1.3 million lines is
    # about 300 MB, and the two sets (old - new, new - old) were the one-article rebuild's peak
    old = set(before.splitlines())
    added: list[bytes] = []
    for line in io.BytesIO(after):
        line = line.rstrip(b"\n")
        if line in old:
            old.discard(line)  # in both: left as it is
        elif line:
            added.append(line)

    def quads(lines: Iterable[bytes]) -> list[pyoxigraph.Quad]:
        data = b"".join(line + b"\n" for line in sorted(lines))
        return [
            pyoxigraph.Quad(t.subject, t.predicate, t.object, inferred_graph) for t in pyoxigraph.parse(data, format=NT)
        ]

    gone, came = quads(old), quads(added)
    for quad in gone:
        store.remove(quad)
    store.extend(came)
    progress(
        f"made from the current build's store: {len(changed)} graph(s) replaced, "
        f"{len(gone)} inferred triple(s) removed and {len(came)} added"
    )
