"""The work store's fill (kg.builder.graphs.load_graphs) parses the graphs without a blank node in
Rust, as one stream (kg.builder.graphs.ChunkReader), and the others in Python, which keeps their
blank-node labels: the store holds exactly the quads, labels included, that parsing every graph
would give. The whole store's write (kg.builder.store_writer.write) keeps them too (a build is the
same from run to run, and the same as a store made from the previous one)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph
import pytest

from kg.builder import store_writer
from kg.builder.graphs import NQ, load_graphs, may_hold_blank_nodes, reader_of
from kg.builder.store_writer import write
from kg.mapping.iris import Minter
from kg.store.builds import open_store

NT = pyoxigraph.RdfFormat.N_TRIPLES
BASE = "https://example.org/kg/"
EX = "http://example.org/"

PLAIN = (
    f'<{EX}a> <{EX}says> "a line break\\nand a dot: x .\\n" <{BASE}graph/article/a> .\n'
    f"<{EX}a> <{EX}cites> <{EX}b> <{BASE}graph/article/a> .\n"
).encode()
IN_A_LITERAL = f'<{EX}c> <{EX}says> "not a node: _:nothing" <{BASE}graph/article/c> .\n'.encode()
REAL = (
    f"<{EX}r> <{EX}restricts> _:restriction7 <{BASE}graph/ontology> .\n"
    f"_:restriction7 <{EX}onProperty> _:b0 <{BASE}graph/ontology> .\n"
).encode()
INFERRED = f'<{EX}a> <{EX}mentions> <{EX}b> .\n<{EX}b> <{EX}label> "b ." .\n'.encode()


def parsed(graphs: dict[str, bytes], inferred: bytes) -> list[str]:
    """Every graph parsed in Python, the inferred triples in the inferred graph: the labels kept."""
    store = pyoxigraph.Store()
    store.bulk_extend(q for data in graphs.values() for q in pyoxigraph.parse(data, format=NQ))
    graph = pyoxigraph.NamedNode(str(Minter(BASE).graph("inferred")))
    store.bulk_extend(
        pyoxigraph.Quad(t.subject, t.predicate, t.object, graph) for t in pyoxigraph.parse(inferred, format=NT)
    )
    return dumped(store)


def dumped(store: pyoxigraph.Store) -> list[str]:
    return sorted(store.dump(format=NQ).decode("utf-8").splitlines())


GRAPHS = {"article/a": PLAIN, "article/c": IN_A_LITERAL, "ontology": REAL}


INFERRED_BLANK = INFERRED + f"<{EX}r> <{EX}restricts> _:restriction7 .\n".encode()


@pytest.mark.parametrize("piece", [1, 40, store_writer.PIECE])
@pytest.mark.parametrize("inferred", [INFERRED, INFERRED_BLANK], ids=["inferred", "inferred-with-a-blank-node"])
def test_the_written_store_holds_the_parsed_quads_and_labels(
    tmp_path: Path, piece: int, inferred: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The inferred graph goes into the one bulk load as N-Quads made a piece at a time (a piece
    ends at a line's end, however small), or, holding a blank node, as parsed quads."""
    monkeypatch.setattr(store_writer, "PIECE", piece)
    write(tmp_path, "b1", None, GRAPHS, inferred, {"fingerprints": {}}, Minter(BASE))
    written = dumped(open_store(tmp_path))
    assert written == parsed(GRAPHS, inferred)
    assert any("_:restriction7" in line for line in written) and any("_:b0" in line for line in written)


def test_the_work_store_holds_the_parsed_quads_and_labels() -> None:
    work = pyoxigraph.Store()
    load_graphs(work, GRAPHS.values())
    expected = pyoxigraph.Store()
    expected.bulk_extend(q for data in GRAPHS.values() for q in pyoxigraph.parse(data, format=NQ))
    assert dumped(work) == dumped(expected)
    assert sum("_:restriction7" in line for line in dumped(work)) == 2


def test_the_blank_node_test_over_approximates() -> None:
    assert may_hold_blank_nodes(REAL) and may_hold_blank_nodes(IN_A_LITERAL) and not may_hold_blank_nodes(PLAIN)


def test_the_chunk_reader_reads_the_chunks_as_one_file() -> None:
    chunks = [b"", b"ab", b"", b"c" * 3_000_000, b"d"]
    assert reader_of(chunks).read() == b"".join(chunks)
    assert reader_of([]).read() == b""
