"""The asserted graphs of a build: the reference and each article mapped to RDF and SHACL-validated,
or taken from the cache of per-graph N-Quads in ``<build_dir>/cache/`` when their inputs are
unchanged (their fingerprint names the file; each file is sealed: kg.builder.sealed).

A graph is held as its N-Quads bytes, never as a list of ``pyoxigraph.Quad`` objects: at 10,000
articles the lists were about 510 bytes a quad (1.1 GB), the bytes are about 150, and a cached
graph is used as read, without parsing it (the stores it goes into parse it in Rust).

Graphs to map are mapped straight to N-Triples statements (kg.mapping.triples: no rdflib graph),
and validated in batches: the batch's statements, what they reach of the reference and the
ontology go to pyshacl-turbo as N-Triples text (kg.ontology.shacl_native.finds_nothing_in); a
batch it finds nothing in conforms, and its statements become the graphs' N-Quads as they are.
With ``build_workers`` > 1 the batches are mapped and validated in forked worker processes, which
send back the N-Quads of a batch that conforms. A batch that does not (or holds an ill-typed
literal) is mapped again here into rdflib graphs and validated by :func:`_validate_batch`, which
answers as pySHACL, so that its errors are told exactly as without workers (and by the same code).
"""

from __future__ import annotations

import io
import math
import multiprocessing
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import chain
from typing import Any

import pyoxigraph
import rdflib

from kg.annotations.corpus import Corpus
from kg.builder.graph_cache import cache_path
from kg.builder.report import describe_violations
from kg.builder.sealed import read_sealed, write_bytes
from kg.errors import ValidationError
from kg.mapping.dataset import article_graph, article_triples
from kg.mapping.iris import Minter
from kg.mapping.triples import Triples
from kg.ontology.shacl import ShapeViolation
from kg.ontology.shacl_native import (  # pySHACL's answers, by pyshacl-turbo where it finds nothing
    finds_nothing_in,
    validate,
    validate_union,
)
from kg.serialize import nt_term, rdf_bytes, to_oxigraph_terms
from kg.settings import Settings

Progress = Callable[[str], None]
Failures = list[tuple[str, list[ShapeViolation], rdflib.Graph]]
NQ = pyoxigraph.RdfFormat.N_QUADS
Graphs = dict[str, bytes]  # graph name -> its quads as N-Quads (one quad a line)


def quads_of(graph: rdflib.Graph, name: str) -> list[pyoxigraph.Quad]:
    g = pyoxigraph.NamedNode(name)
    return [pyoxigraph.Quad(*to_oxigraph_terms(s, p, o), g) for s, p, o in graph]


def nquads_of(graph: rdflib.Graph, name: str) -> bytes:
    """An rdflib graph as the N-Quads of the named graph ``name``."""
    return rdf_bytes(quads_of(graph, name), NQ)


def size(data: bytes) -> int:
    """The number of quads (or triples) of N-Quads (N-Triples) bytes: pyoxigraph writes one a line."""
    return data.count(b"\n")


def parse(data: bytes) -> list[pyoxigraph.Quad]:
    return list(pyoxigraph.parse(data, format=NQ))


class ChunkReader(io.RawIOBase):
    """Byte strings read one after the other as one binary file, without joining them (a copy of
    every graph: 330 MB at 10,000 articles), for ``Store.load`` to parse in Rust in one call."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        super().__init__()
        self._chunks: Iterator[bytes] = iter(chunks)
        self._left = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._left:
            chunk = next(self._chunks, None)
            if chunk is None:
                return 0
            self._left = memoryview(chunk)
        n = min(len(buffer), len(self._left))
        buffer[:n] = self._left[:n]
        self._left = self._left[n:]
        return n


def reader_of(chunks: Iterable[bytes]) -> io.BufferedReader:
    """:class:`ChunkReader` read a megabyte at a time."""
    return io.BufferedReader(ChunkReader(chunks), 1 << 20)


def may_hold_blank_nodes(data: bytes) -> bool:
    """Whether N-Quads (N-Triples) bytes may name a blank node: ``_:`` anywhere, in a literal or an
    IRI too (an over-approximation; at 10,000 articles only the ontology graph has one)."""
    return b"_:" in data


def by_blank_nodes(graphs: Iterable[bytes]) -> tuple[list[bytes], list[bytes]]:
    """The graphs without a blank node, and those that may hold one (:func:`may_hold_blank_nodes`)."""
    without: list[bytes] = []
    maybe: list[bytes] = []
    for data in graphs:
        (maybe if may_hold_blank_nodes(data) else without).append(data)
    return without, maybe


def load_graphs(store: pyoxigraph.Store, graphs: Iterable[bytes]) -> None:
    """Load N-Quads into a store, keeping blank-node labels: ``Store.load`` gives every blank node
    a new label, so the ontology's restrictions in the work store would no longer be the same
    nodes as in the base's closure (kg.builder.buckets compares their axioms to skip the
    one-premise rules in the global pass). The graphs without one are loaded by ``Store.load`` as
    one stream parsed in Rust (10,000 articles: 5-15% less CPU than a Python object per quad; the
    rest is the in-memory store's own insertion); the others are parsed lazily into quads (never
    all as Python objects at once), which keeps their labels."""
    without, maybe = by_blank_nodes(graphs)
    # lenient: every term was checked when it was made (pyoxigraph's terms, serialised by
    # pyoxigraph, or the sealed cache of them), and checking again was a quarter of the load
    # (10,000 articles: 4.8 against 6.5 s)
    store.load(reader_of(without), format=NQ, lenient=True)
    store.bulk_extend(quad for data in maybe for quad in pyoxigraph.parse(data, format=NQ))


def _reachable(reference: rdflib.Graph, *graphs: rdflib.Graph) -> rdflib.Graph:
    """The part of ``reference`` an article's graph (or several, as if united) can reach: every triple about a node the
    article names, and about the nodes those triples name, and so on. The shapes look only at a
    focus node's own triples and its values' (no inverse paths, no SPARQL constraints), so
    validating an article against this is the same as against the whole reference graph (itself
    validated on its own), and the cost no longer grows with the size of the reference."""
    found = rdflib.Graph()
    frontier: set[rdflib.term.Node] = set()
    for graph in graphs:
        frontier.update(graph.subjects())
        frontier.update(graph.objects())
    seen: set[rdflib.term.Node] = set()
    while frontier:
        node = frontier.pop()
        if node in seen or isinstance(node, rdflib.Literal):
            continue
        seen.add(node)
        for triple in reference.triples((node, None, None)):
            found.add(triple)
            frontier.add(triple[2])
    return found


class Reach:
    """The reference graph indexed by node, for :func:`_reachable` over N-Triples statements:
    ``about[node]`` its triples' statements, ``links[node]`` their objects that are nodes, and the
    nodes with an ill-typed literal (nodes in N-Triples syntax, as kg.mapping.triples gives them)."""

    def __init__(self, reference: rdflib.Graph) -> None:
        self.about: dict[str, list[str]] = {}
        self.links: dict[str, list[str]] = {}
        self.ill_typed: set[str] = set()
        for s, p, o in reference:
            subject, value = nt_term(s), nt_term(o)
            self.about.setdefault(subject, []).append(f"{subject} {nt_term(p)} {value}")
            if isinstance(o, rdflib.Literal):
                if o.ill_typed:
                    self.ill_typed.add(subject)
            else:
                self.links.setdefault(subject, []).append(value)

    def reachable(self, graphs: Iterable[Triples]) -> tuple[list[str], bool]:
        """:func:`_reachable` as statements, and whether one has an ill-typed literal."""
        about, links = self.about, self.links
        frontier = [node for graph in graphs for node in graph.nodes if node in about]
        seen: set[str] = set()
        found: list[str] = []
        while frontier:
            node = frontier.pop()
            if node in seen:
                continue
            seen.add(node)
            found += about[node]
            frontier += (n for n in links.get(node, ()) if n in about and n not in seen)
        return found, not self.ill_typed.isdisjoint(seen)


# Changed article graphs validated together (the ontology and the reference they reach, shared).
# pyshacl-turbo's time per article grows with the batch past ~100 (1,000 articles: 1.71 s in
# batches of 100, 1.80 s of 200, 2.31 s all at once) and the part of the reference each batch
# repeats grows below ~50 (1.85 s in batches of 25).
VALIDATION_BATCH = 100


def _validate_batch(
    batch: list[tuple[str, rdflib.Graph]],
    reference: rdflib.Graph,
    shapes: rdflib.Graph,
    ontology: rdflib.Graph,
) -> list[tuple[str, list[ShapeViolation], rdflib.Graph]]:
    """Validate graphs together (3–4× faster than one by one); when they fail, find the failing
    graphs one by one so each error names its graph exactly as a lone validation would. Returns
    (graph name, violations, the data validated) of each failing graph."""
    graphs = [graph for _name, graph in batch]
    # the batch, what it reaches and the ontology, as one graph without building it (its rdflib
    # union was half the validation's time at 1,000 articles: bench/analysis.md, "Validation")
    if validate_union([*graphs, _reachable(reference, *graphs), ontology], shapes).conforms:
        return []
    failures = []
    for name, graph in batch:
        data = graph if name == "reference" else graph + _reachable(reference, graph)
        checked = validate(data, shapes, ontology)
        if not checked.conforms:
            failures.append((name, checked.violations, data))
    if failures:
        return failures
    union = rdflib.Graph()
    for _name, graph in batch:
        union += graph
    data = union + _reachable(reference, union)  # each conforms alone, but not together
    together = f"graphs {batch[0][0]} … {batch[-1][0]} together"
    return [(together, validate(data, shapes, ontology).violations, data)]


def _raise_for(failures: Failures, corpus: Corpus, base: str) -> None:
    """The build stops at the first graph that violates the shapes, telling each violation."""
    for name, violations, data in failures:
        details = describe_violations(violations, corpus, base, data)
        raise ValidationError(f"{name} violates the shapes ({len(violations)} problem(s))", details=details)


@dataclass
class _Inputs:
    """What mapping and validating a graph needs; forked workers read it (set before the fork)."""

    settings: Settings
    corpus: Corpus
    minter: Minter
    vocabulary: Any
    reference: rdflib.Graph
    shapes: rdflib.Graph
    ontology: rdflib.Graph
    reach: Reach = field(init=False)
    ontology_triples: Triples = field(init=False)

    def __post_init__(self) -> None:
        self.reach = Reach(self.reference)
        self.ontology_triples = Triples(self.ontology)

    def mapped(self, name: str) -> rdflib.Graph:
        """The graph as rdflib's, to tell violations (its prefixes name the nodes)."""
        article = name.split("/", 1)[1]
        return article_graph(self.corpus, article, self.minter, self.vocabulary, self.settings.include_drafts)

    def triples(self, name: str) -> Triples:
        """The graph as the build serializes it (:meth:`mapped`'s triples)."""
        if name == "reference":
            return Triples(self.reference)
        article = name.split("/", 1)[1]
        return article_triples(self.corpus, article, self.minter, self.vocabulary, self.settings.include_drafts)

    def conforms(self, batch: list[Triples]) -> bool:
        """True when the batch, what it reaches of the reference and the ontology together have no
        ill-typed literal and pyshacl-turbo finds no result in them: pySHACL would find none
        either (kg.ontology.shacl_native). False when not known: :func:`_validate_batch` answers."""
        reached, ill_typed = self.reach.reachable(batch)
        if ill_typed or self.ontology_triples.ill_typed or any(graph.ill_typed for graph in batch):
            return False
        # each triple once, as in a graph (an article may state what another or the reference does)
        parts = chain(*(graph.statements() for graph in batch), reached, self.ontology_triples.statements())
        return finds_nothing_in(dict.fromkeys(parts), self.shapes)

    def nquads(self, names: list[str]) -> list[bytes] | None:
        """The graphs' N-Quads when they conform together, else None (see :meth:`conforms`)."""
        batch = [self.triples(name) for name in names]
        if not self.conforms(batch):
            return None
        return [
            graph.nquads(str(self.minter.graph(name))).encode("utf-8") for name, graph in zip(names, batch, strict=True)
        ]


_SHARED: _Inputs | None = None


def _batch_in_worker(names: list[str]) -> list[bytes] | None:
    """A batch's graphs as N-Quads when they conform, else None (the caller redoes the batch)."""
    assert _SHARED is not None
    return _SHARED.nquads(names)


def _batches(names: list[str], workers: int) -> list[list[str]]:
    """Batches of at most VALIDATION_BATCH graphs, and enough of them to keep every worker busy
    until the end (six each: a worker is not left with the last of few long batches)."""
    if not names:
        return []
    size = min(VALIDATION_BATCH, max(25, math.ceil(len(names) / (6 * workers)))) if workers > 1 else VALIDATION_BATCH
    return [names[i : i + size] for i in range(0, len(names), size)]


def _in_workers(inputs: _Inputs, batches: list[list[str]], workers: int) -> Iterator[list[bytes] | None]:
    global _SHARED
    _SHARED = inputs
    try:
        with multiprocessing.get_context("fork").Pool(min(workers, len(batches))) as pool:
            yield from pool.imap(_batch_in_worker, batches)
    finally:
        _SHARED = None


def map_and_validate(
    settings: Settings,
    corpus: Corpus,
    prints: dict[str, str],
    minter: Minter,
    vocabulary: Any,
    reference: rdflib.Graph,
    shapes: rdflib.Graph,
    ontology: rdflib.Graph,
    progress: Progress,
    on_violations: Callable[[Failures], None] | None = None,
    workers: int = 1,
    wanted: set[str] | None = None,
) -> tuple[Graphs, list[str], list[str]]:
    """The N-Quads of the reference and article graphs by graph name, with the names of the graphs
    rebuilt and reused: from the cache when their inputs are unchanged, else mapped, validated
    (in batches) and cached. Graphs that violate the shapes stop the build; with
    ``on_violations`` (``annotations validate``) they are handed to it instead, every batch is
    validated, and nothing is written to the cache. With ``wanted``, only those graphs (a rebuild on
    the previous store, kg.builder.incremental, reads no other graph)."""
    inputs = _Inputs(settings, corpus, minter, vocabulary, reference, shapes, ontology)
    names = ["reference", *(f"article/{a}" for a in sorted(corpus.articles))]
    if wanted is not None:
        names = [name for name in names if name in wanted]
    position = {name: i for i, name in enumerate(names, 1)}
    by_name: Graphs = {}
    rebuilt: list[str] = []
    reused: list[str] = []

    def finish(batch: list[tuple[str, rdflib.Graph]]) -> None:
        """Validate as pySHACL (rdflib graphs, whose prefixes name the nodes in the errors)."""
        failures = _validate_batch(batch, reference, shapes, ontology)
        if on_violations is None:
            _raise_for(failures, corpus, settings.base_iri)
        else:
            on_violations(failures)
        done([(name, nquads_of(graph, str(minter.graph(name)))) for name, graph in batch])

    def done(batch: list[tuple[str, bytes]]) -> None:
        for name, data in batch:
            by_name[name] = data
            if on_violations is not None:
                continue  # validating only: the cache holds graphs that passed a build
            write_bytes(cache_path(settings, name, prints[name]), data)
            rebuilt.append(name)
            progress(f"[{position[name]}/{len(names)}] {name}: mapped and validated ({size(data)} triples)")

    pending: list[str] = []
    for i, name in enumerate(names, 1):
        cached = read_sealed(cache_path(settings, name, prints[name]))
        if cached is not None:
            by_name[name] = cached
            reused.append(name)
            progress(f"[{i}/{len(names)}] {name}: unchanged ({size(cached)} triples, from the cache)")
        elif name == "reference":
            # validated on its own (articles are checked against it): what it reaches is itself
            result = inputs.nquads([name])
            if result is None:
                finish([(name, reference)])
            else:
                done([(name, result[0])])
        else:
            pending.append(name)
    batches = _batches(pending, workers)
    parallel = workers > 1 and len(batches) > 1 and "fork" in multiprocessing.get_all_start_methods()
    results = _in_workers(inputs, batches, workers) if parallel else map(inputs.nquads, batches)
    for batch, result in zip(batches, results, strict=True):
        if result is None:  # it does not conform, or it may not: here, as pySHACL, with its errors told
            finish([(name, inputs.mapped(name)) for name in batch])
        else:
            done(list(zip(batch, result, strict=True)))
    return {name: by_name[name] for name in names}, rebuilt, reused
