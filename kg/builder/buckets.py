"""Inference by bucket of articles, reused across builds, then one global pass that makes the
union exactly the global fixpoint (docs/reasoning.md, "Inference by bucket").

1. the base: the reference graph and the ontology, closed under the rules (cached by the
   reference's fingerprint, which covers the ontology and the code);
2. each bucket of articles (an article's bucket is a hash of its id, so it never moves while the
   number of buckets stays): its graphs with the base, closed; cached by its members' fingerprints
   (each covers its files, the reference, the ontology and the code), so an edit re-infers one
   bucket. Every triple a bucket infers holds in the global fixpoint (the rules are sound, and
   pk-held-by's negation is about a statement's own pk:positionHolder, only ever asserted in the
   statement's own graph);
3. the global pass over the union of everything: the rules whose instance may join two buckets
   run once over all of it; the one-premise rules do not (an instance of one lies inside one
   bucket's closure, when every axiom is the base's: checked, and otherwise they run too), nor
   the rules over one article's annotation nodes (kg.builder.rules.ONE_ARTICLE_RULES); then
   semi-naively to the fixpoint; then the disjointness check.
"""

from __future__ import annotations

import hashlib
import io
import json
import multiprocessing
import multiprocessing.pool
import os
import pickle
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import pyoxigraph
import rdflib

from kg.builder.graphs import Graphs, parse
from kg.builder.inference import (
    AXIOM_TYPE,
    SCRATCH,
    InconsistentDataError,
    axiom_quads,
    disjointness_clashes,
    load_keeping_labels,
    materialise,
)
from kg.builder.rules import LINEAR_RULES, ONE_ARTICLE_RULES
from kg.builder.sealed import read_sealed, write_bytes
from kg.serialize import rdf_bytes

# A full build that reuses the other buckets re-infers about this many articles for one changed
# (a one-article rebuild on the previous store uses no bucket: kg.builder.incremental). At 10,000
# articles, 64 buckets of about 160 took 43-46 s against 53-56 s for 256 of about 40 (a bucket has a
# fixed cost: the base loaded into its store, each rule's query and the axioms read once a round).
# With the triples kept in the store (kg.builder.inference.materialise) that cost is small: one
# process closed the first 40, 80, 160, 320 and 640 articles in 4.1, 3.5, 4.0, 4.0 and 4.3 ms of
# CPU per article (busy machine), so the size is left where a one-bucket re-inference is short.
ARTICLES_PER_BUCKET = 160
BASE = pyoxigraph.NamedNode("urn:peacekg:inference-base")  # the reference, the ontology and their closure


def bucket_count(articles: int) -> int:
    """A power of two, about ``articles / ARTICLES_PER_BUCKET``: it changes (and every bucket is
    inferred again) only when the corpus doubles or halves."""
    count = 1
    while count * ARTICLES_PER_BUCKET < articles:
        count *= 2
    return count


def bucket_of(article_id: str, count: int) -> int:
    return int(hashlib.sha256(article_id.encode("utf-8")).hexdigest()[:8], 16) % count


NT = pyoxigraph.RdfFormat.N_TRIPLES
NEWLINE = b"\n"  # N-Triples: one triple a line


@dataclass
class BucketInference:
    data: bytes  # the inferred graph as N-Triples: what follows and is not asserted
    count: int = 0
    buckets: int = 0
    reused: int = 0
    global_new: int = 0
    global_rounds: int = 0
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def inferred(self) -> set[pyoxigraph.Triple]:
        return {pyoxigraph.Triple(q.subject, q.predicate, q.object) for q in pyoxigraph.parse(self.data, format=NT)}


def _axioms(store: pyoxigraph.Store) -> set[pyoxigraph.Quad]:
    """The triples the one-premise rules read as ontology (kg.builder.inference.axiom_quads)."""
    return set(axiom_quads(store))


class Cache:
    """Sealed N-Quads of inferred triples under ``<build_dir>/cache/``, by name and key (a hash of
    the inputs). ``annotations validate`` reads it but writes nothing."""

    def __init__(self, folder: Path | None, write: bool):
        self.folder, self.write, self.used = folder, write, set[Path]()

    def path(self, name: str, key: str) -> Path | None:
        return None if self.folder is None else self.folder / f"inferred-{name}-{key[:20]}.nq"

    def get(self, name: str, key: str) -> bytes | None:
        """The N-Triples cached under ``name`` for ``key``, or None (not there, damaged, no cache)."""
        path = self.path(name, key)
        if path is None:
            return None
        self.used.add(path)
        return read_sealed(path)

    def put(self, name: str, key: str, data: bytes) -> None:
        path = self.path(name, key)
        if path is not None and self.write:
            self.used.add(path)
            write_bytes(path, data)

    def prune(self) -> None:
        """Remove cached inferences neither this build nor the one before used (older inputs,
        another bucket count), as the store keeps two builds: going back to the previous inputs
        reuses its buckets. The names this build used are remembered in ``inferred-used.json``."""
        if self.folder is None or not self.write:
            return
        record = self.folder / "inferred-used.json"
        try:
            before = set(json.loads(read_sealed(record) or b"[]"))
        except (ValueError, TypeError):
            before = set()
        names = sorted(path.name for path in self.used)
        for path in self.folder.glob("inferred-*.nq"):
            if path.name not in before and path not in self.used:
                path.unlink(missing_ok=True)
        write_bytes(record, json.dumps(names).encode("utf-8"))  # sealed: a torn record is ignored


# What a worker process holds for every bucket it closes: the base's quads (blank-node labels as
# in the parent's work store) and the ontology. Set by _start_worker, in the worker or here; in a
# worker started before the build had them, from the file its first job names (_WORKER_FROM).
_WORKER: tuple[list[pyoxigraph.Quad], rdflib.Graph] | None = None
_WORKER_FROM: str | None = None


def _start_worker(base: list[bytes], ontology: rdflib.Graph) -> None:
    """``base``: the reference's and the ontology's N-Quads and the base's closure as N-Triples."""
    global _WORKER
    quads = [*parse(base[0]), *parse(base[1])]
    quads += [pyoxigraph.Quad(q.subject, q.predicate, q.object, BASE) for q in pyoxigraph.parse(base[2], format=NT)]
    _WORKER = (quads, ontology)


def _close_bucket(own: bytes) -> bytes:
    """What a bucket's graphs (``own``: their N-Quads) infer with the base (closed), as N-Triples:
    semi-naive from the bucket's triples, which stay bytes (loaded and read by the store, no
    Python object each)."""
    assert _WORKER is not None
    base_quads, ontology = _WORKER
    store = pyoxigraph.Store()
    store.extend(base_quads)
    load_keeping_labels(store, own)  # in their own graphs: only the union is queried
    return materialise(store, ontology, in_place=True, closed_except=own, check_consistency=False).data


def _close_bucket_with(job: tuple[str, bytes]) -> bytes:
    """``_close_bucket`` in a worker of ``Workers``: the base and the ontology read (once) from the
    file the job names, which the parent wrote when it had them."""
    global _WORKER_FROM
    held, own = job
    if held != _WORKER_FROM:
        with open(held, "rb") as handle:
            _start_worker(*pickle.load(handle))
        _WORKER_FROM = held
    return _close_bucket(own)


def _exit_with(parent: int) -> None:
    """A worker's watch on the build: a build killed (kill -9) while its workers wait for jobs
    leaves them blocked on a queue they hold both ends of, and holding the build's output."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-the-build", daemon=True).start()


class Workers:
    """The spawned processes that close buckets: started by ``start`` (or by the first ``infer``
    that needs them) and terminated on ``close``. A full build starts them before it loads the
    corpus (kg.builder.pipeline): that phase runs on one core, and each interpreter's start-up,
    its imports, about 0.5 s of CPU, then passes on the other instead of delaying the inference.

    The workers are spawned (a fresh interpreter each), not forked: a process forked from the
    build holds the work store of every graph, and a bucket closed in it (or in this process)
    took 1.3 s of CPU against 0.75 s in a small process (the same bucket, the same code, 10,000
    articles; the allocator's heap, not the collector: no more page faults, no collections)."""

    def __init__(self, count: int):
        self.count = count
        self._pool: multiprocessing.pool.Pool | None = None

    def start(self) -> None:
        if self._pool is None and self.count > 1:
            self._pool = multiprocessing.get_context("spawn").Pool(self.count, _exit_with, (os.getpid(),))

    @property
    def started(self) -> bool:
        return self._pool is not None

    def imap(self, base: list[bytes], ontology: rdflib.Graph, jobs: Iterable[bytes]) -> Iterator[bytes]:
        """Each job's inferred triples, in order, in the workers (started now if they were not),
        which are given the jobs at once: the caller may do other work before it reads a result."""
        self.start()
        assert self._pool is not None
        held = tempfile.NamedTemporaryFile(prefix="peacekg-base-", suffix=".pickle")  # noqa: SIM115 (closed below)
        pickle.dump((base, ontology), held, protocol=pickle.HIGHEST_PROTOCOL)
        held.flush()
        return _closing(self._pool.imap(_close_bucket_with, ((held.name, own) for own in jobs)), held)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _closing(results: Iterator[bytes], held: IO[bytes]) -> Iterator[bytes]:
    try:
        yield from results
    finally:
        held.close()


def _close_buckets(
    base: list[bytes], ontology: rdflib.Graph, jobs: Iterable[bytes], workers: Workers, missing: int
) -> Iterator[bytes]:
    """Each bucket's inferred triples as N-Triples, in order, from each bucket's N-Quads: in the
    worker processes (given every job now) when they are started or more than one bucket is
    missing, else in this process (each job when its result is read)."""
    if missing == 0:
        return iter(())
    if workers.started or (workers.count > 1 and missing > 1):
        return workers.imap(base, ontology, jobs)
    return _in_this_process(base, ontology, jobs)


def _in_this_process(base: list[bytes], ontology: rdflib.Graph, jobs: Iterable[bytes]) -> Iterator[bytes]:
    global _WORKER
    _start_worker(base, ontology)
    try:
        yield from map(_close_bucket, jobs)
    finally:
        _WORKER = None


def workers_for(setting: int) -> int:
    """The ``build_workers`` setting as a number of processes: 0 is one per CPU the build may use."""
    if setting > 0:
        return setting
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def infer(
    work: pyoxigraph.Store,
    graphs: Graphs,
    prints: dict[str, str],
    ontology: rdflib.Graph,
    cache: Cache,
    progress: Callable[[str], None] = lambda message: None,
    workers: int | Workers = 1,
    meanwhile: Callable[[], None] | None = None,
) -> BucketInference:
    """The inferred graph of ``work`` (every asserted graph, in named graphs: the ontology's too),
    equal to ``materialise(work)``'s; ``graphs`` are the same quads as N-Quads by graph name (``reference``,
    ``ontology``, ``article/<id>``) and ``prints`` their fingerprints. ``work`` is the caller's
    to throw away: the inferred triples are left in its scratch graph. Inferred
    triples travel as N-Triples and are loaded and compared by the store, not one by one here.
    ``workers``: the processes that close the buckets (a number: started here when needed).
    ``meanwhile``: what the caller does while the workers close the buckets, before this reads
    ``work`` (the build fills it and runs the data checks over it then: ``work`` holds only what
    ``meanwhile`` put there until it returns)."""
    if isinstance(workers, int):
        with Workers(workers) as own:
            return infer(work, graphs, prints, ontology, cache, progress, own, meanwhile)
    t0 = time.perf_counter()
    base_asserted = [*parse(graphs["reference"]), *parse(graphs["ontology"])]
    base_data = cache.get("base", prints["reference"])
    if base_data is None:
        store = pyoxigraph.Store()
        store.extend(base_asserted)
        base_data = materialise(store, ontology, in_place=True, check_consistency=False).data
        cache.put("base", prints["reference"], base_data)
    base_quads = [pyoxigraph.Quad(q.subject, q.predicate, q.object, BASE) for q in base_asserted]
    base_quads += [
        pyoxigraph.Quad(q.subject, q.predicate, q.object, BASE) for q in pyoxigraph.parse(base_data, format=NT)
    ]
    result = BucketInference(data=b"", seconds={"base": time.perf_counter() - t0})

    t1 = time.perf_counter()
    articles = sorted(name for name in graphs if name.startswith("article/"))
    count = bucket_count(len(articles))
    members: dict[int, list[str]] = {}
    for name in articles:
        members.setdefault(bucket_of(name.split("/", 1)[1], count), []).append(name)
    missing: list[tuple[str, str, list[str]]] = []  # (cache name, key, members) of the buckets to infer
    reused: list[bytes] = []
    for bucket, names in sorted(members.items()):
        name = f"{count}-{bucket}"
        key = hashlib.sha256("\0".join([f"{count}/{bucket}", *(prints[n] for n in names)]).encode()).hexdigest()
        cached = cache.get(name, key)
        if cached is None:
            missing.append((name, key, names))
        else:
            reused.append(cached)
    result.buckets, result.reused = len(members), len(members) - len(missing)
    jobs = (b"".join(graphs[n] for n in names) for _name, _key, names in missing)  # made as the workers take them
    base = [graphs["reference"], graphs["ontology"], base_data]
    closed = _close_buckets(base, ontology, jobs, workers, len(missing))
    if meanwhile is not None:
        meanwhile()  # on this core while the workers use the others
    load_keeping_labels(work, base_data, SCRATCH)  # the ontology's restrictions: the same nodes
    for data in reused:
        load_keeping_labels(work, data, SCRATCH)
    for (name, key, names), data in zip(missing, closed, strict=True):
        cache.put(name, key, data)
        load_keeping_labels(work, data, SCRATCH)
        progress(f"bucket {name} inferred ({len(names)} articles): {data.count(NEWLINE)} triples")
    result.seconds["buckets"] = time.perf_counter() - t1

    t2 = time.perf_counter()
    base_store = pyoxigraph.Store()
    base_store.extend(base_quads)
    linear_hold = _axioms(work) == _axioms(base_store)  # no bucket asserts or infers an axiom
    # the rules of one article's nodes need no first round whatever the axioms (ONE_ARTICLE_RULES)
    skipped = frozenset(ONE_ARTICLE_RULES) | (frozenset(LINEAR_RULES) if linear_hold else frozenset())
    final = materialise(
        work,
        ontology,
        in_place=True,
        skip_in_first_round=skipped,
        check_consistency=False,
        threads=workers.count,  # its workers are idle now
    )
    result.global_new, result.global_rounds = final.count, final.rounds
    result.seconds["global"] = time.perf_counter() - t2
    t3 = time.perf_counter()
    clashes = disjointness_clashes(work)
    if clashes:
        raise InconsistentDataError(clashes)
    result.seconds["consistency"] = time.perf_counter() - t3
    t4 = time.perf_counter()
    result.data = _not_asserted(work, workers.count)
    result.count = result.data.count(NEWLINE)
    result.seconds["asserted out"] = time.perf_counter() - t4
    return result


HALVES = (f"FILTER(?p = {AXIOM_TYPE})", f"FILTER(?p != {AXIOM_TYPE})")  # about half the inferred triples each


def _not_asserted(work: pyoxigraph.Store, threads: int) -> bytes:
    """The scratch graph's triples as N-Triples, less those another graph asserts (an inference
    of one bucket may be another's assertion). Three queries of the store, at once when the
    build has more than one core (the engine answers without the GIL): the asserted ones in two
    halves, by predicate, and the dump; the few asserted ones then taken out of the dump by line
    (pyoxigraph writes a triple the same way each time). At 10,000 articles: 2.4 s on two
    threads, against 3.6 s for the same one after the other (a DELETE, then the dump)."""

    def asserted(half: str) -> list[pyoxigraph.Triple]:
        query = (
            f"SELECT ?s ?p ?o WHERE {{ GRAPH {SCRATCH} {{ ?s ?p ?o }} {half} "
            f"GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != {SCRATCH}) }}"
        )
        solutions = work.query(query)
        assert isinstance(solutions, pyoxigraph.QuerySolutions)
        return [pyoxigraph.Triple(row["s"], row["p"], row["o"]) for row in solutions]

    with ThreadPoolExecutor(len(HALVES) + 1 if threads > 1 else 1) as pool:
        halves = [pool.submit(asserted, half) for half in HALVES]
        dumped = pool.submit(work.dump, format=NT, from_graph=SCRATCH)  # without an output, the bytes
        found = [triple for half in halves for triple in half.result()]
        data = dumped.result() or b""
    if not found:
        return data
    gone = set(rdf_bytes(found, NT).splitlines(keepends=True))
    return b"".join(line for line in io.BytesIO(data) if line not in gone)
