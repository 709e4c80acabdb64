"""``peacekg build``: ontology + reference data + annotations → a validated, reasoned store.

0. every input file unchanged since the current store was built (by size and time, else by
   hash: kg.builder.stamps), nor the code or settings → stop and say so, without reading the corpus;
1. load and check the corpus (every problem with file:line); a file whose bytes are unchanged
   comes from the parse cache (kg.builder.parse_cache), verified, instead of being parsed again;
2. fingerprint the inputs: the ontology folder and the mapping code (dependencies of everything),
   the reference data, and each article's text, metadata and annotation file;
3. nothing changed since the current store → stop and say so;
4. map and SHACL-validate only the graphs whose inputs changed, in worker processes
   (kg.builder.graphs; others come from the cache of per-graph N-Quads in ``<build_dir>/cache/``,
   each file sealed with its SHA-256: a damaged one is rebuilt, never read as a shorter graph); a
   changed ontology, mapping code or reference data changes every graph's key, so everything is
   rebuilt;
5. run the data checks (SPARQL) over the union, and the rule-based inference by bucket of
   articles, reusing the buckets whose graphs are unchanged, then one global pass
   (kg.builder.buckets, kg.builder.inference); the union is filled and checked here while the
   worker processes close the buckets, which need only the graphs' bytes;
6. write a new store, or make it from the current one when a few articles changed
   (kg.builder.store_writer), and switch to it atomically (kg.store.builds). Any failure before
   the switch leaves the current store serving.

When only a few article graphs changed, steps 4–6 are made instead on a copy of the current store
(kg.builder.incremental): the changed graphs mapped, the data checks by locality and the inferred
graph kept by DRed in the copy, no union in memory; the progress line says when and why a build
is made whole instead.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import re
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph
import rdflib

from kg.annotations.corpus import Corpus
from kg.annotations.review import draft_count, drafts_in_article, reference_drafts
from kg.annotations.vocabulary import VocabularyIndex
from kg.builder import buckets, corpus_index, incremental, stamps, store_writer
from kg.builder.code import build_code_files, relative_name
from kg.builder.graph_cache import prune_cache
from kg.builder.graphs import Failures, Graphs, load_graphs, map_and_validate, nquads_of, size
from kg.builder.inference import InconsistentDataError
from kg.builder.parse_cache import ParseCache
from kg.errors import OntologyError, ValidationError
from kg.mapping.dataset import reference_graph
from kg.mapping.iris import Minter
from kg.ontology.load import OntologySources, load_ontology, load_shapes
from kg.ontology.quality import run_check
from kg.serialize import canonical
from kg.settings import Settings
from kg.store.builds import current_build, read_manifest, store_root

Progress = Callable[[str], None]


@dataclass
class BuildReport:
    build: Path | None
    nothing_to_do: bool = False
    rebuilt: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)
    graphs: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def triples(self) -> int:
        return sum(self.graphs.values())


def code_fingerprint() -> str:
    """One hash of every module the build's output depends on (kg.builder.code), by path and content."""
    h = hashlib.sha256()
    for path in build_code_files():
        h.update(relative_name(path).encode("utf-8") + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def _digest(files: list[tuple[str, str]], extra: str = "") -> str:
    """One hash of files given as (name, SHA-256 of the bytes)."""
    h = hashlib.sha256(extra.encode("utf-8"))
    for name, sha256 in files:
        h.update(f"{name}\0{sha256}\0".encode())
    return h.hexdigest()


def fingerprints(settings: Settings, corpus: Corpus, stamp: stamps.Stamp | None = None) -> dict[str, str]:
    """A content hash per graph; a graph is rebuilt when its hash changes. A graph that holds
    drafts maps differently with ``include_drafts`` (they are left out, or in and flagged), so
    the setting is part of its hash; a graph without drafts is the same either way. The store as
    a whole records the setting too (``settings``): a build with drafts is never taken for a
    default build, nor the other way round. With the build's ``stamp`` no file is read again:
    each file's hash and the code's fingerprint are the stamp's (taken before the corpus was read;
    a file whose size or time differs from the last stamp's was hashed)."""
    sources = OntologySources.find(Path(settings.ontology_dir))
    corpus_dir = Path(settings.corpus_dir)

    def sha256(name: str, path: Callable[[], Path]) -> str | None:
        if stamp is not None:
            return stamp.sha256(name)
        return hashlib.sha256(path().read_bytes()).hexdigest() if path().is_file() else None

    def hashed(folder: str, file: str) -> list[tuple[str, str]]:
        digest = sha256(f"corpus/{folder}/{file}", lambda: corpus_dir / folder / file)
        return [(file, digest)] if digest is not None else []

    ontology_files = [sources.main, *sources.vocab, *sources.shapes, *sources.data_checks]
    ontology = [
        (p.name, sha256(f"ontology/{p.relative_to(sources.root).as_posix()}", lambda p=p: p) or "")  # type: ignore[misc]
        for p in ontology_files
    ]
    code = stamp.context["code"] if stamp is not None else code_fingerprint()
    base = _digest(ontology, settings.base_iri + "\0" + code)
    with_drafts = "\0include-drafts" if settings.include_drafts else ""
    reference_files = sorted(p.name for p in (corpus_dir / "reference").glob("*.yaml"))
    reference = _digest(
        [f for name in reference_files for f in hashed("reference", name)],
        base + (with_drafts if reference_drafts(corpus) else ""),
    )
    prints = {"ontology": base, "reference": reference}
    annotated = set(corpus.annotations)
    for article_id in sorted(corpus.articles):
        files = [
            *hashed("articles", f"{article_id}.txt"),
            *hashed("articles", f"{article_id}.yaml"),
            *hashed("annotations", f"{article_id}.yaml"),
        ]
        drafts = drafts_in_article(corpus, article_id) if article_id in annotated else 0
        prints[f"article/{article_id}"] = _digest(files, reference + (with_drafts if drafts else ""))
    prints["settings"] = f"include_drafts={str(settings.include_drafts).lower()}"
    return prints


@dataclass
class Assembled:
    """What a build writes: each asserted graph's N-Quads by name (``reference``, ``article/<id>``,
    ``ontology``) and the inferred graph's triples as N-Triples (kg.builder.buckets)."""

    graphs: Graphs
    inferred: bytes


def assemble(
    settings: Settings,
    corpus: Corpus,
    prints: dict[str, str],
    report: BuildReport,
    progress: Progress = lambda message: None,
    on_violations: Callable[[Failures], None] | None = None,
    spawned: buckets.Workers | None = None,
    ontology: rdflib.Graph | None = None,
) -> Assembled:
    """Steps 4–5: every graph mapped and SHACL-validated (or taken from the cache), the data
    checks and the inference (by bucket, reused from the cache: kg.builder.buckets); what the
    store will hold. ``annotations validate`` runs this too (kg.builder.validation), with
    ``on_violations`` to collect every shape violation; it writes nothing to the cache.
    ``spawned``: the inference's worker processes, when the caller started them; ``ontology``:
    the ontology as the caller loaded it (read, never changed), else loaded here."""
    t1 = time.perf_counter()
    if ontology is None:
        ontology = load_ontology(Path(settings.ontology_dir))
    shapes = load_shapes(Path(settings.ontology_dir))
    vocabulary = VocabularyIndex.from_graph(ontology)
    minter = Minter(settings.base_iri)
    if on_violations is None:  # a build: kept in the cache for the next
        reference = incremental.cached_reference(settings, corpus, prints, minter, vocabulary)
    else:  # annotations validate writes nothing to the cache
        reference = reference_graph(corpus, minter, vocabulary, settings.include_drafts)
    workers = buckets.workers_for(settings.build_workers)
    graphs, rebuilt, reused = map_and_validate(
        settings, corpus, prints, minter, vocabulary, reference, shapes, ontology, progress, on_violations, workers
    )
    report.rebuilt += rebuilt
    report.reused += reused
    report.graphs.update((name, size(data)) for name, data in graphs.items())
    report.seconds["map+validate"] = time.perf_counter() - t1
    graphs["ontology"] = nquads_of(canonical(ontology), str(minter.graph("ontology")))  # stable blank-node labels
    report.graphs["ontology"] = len(ontology)
    t2 = time.perf_counter()
    work = pyoxigraph.Store()

    def fill_and_check() -> None:
        """The work store filled and checked while the workers close the buckets (both need only
        the graphs): 8.4 s of one core at 10,000 articles, most of it the store's fill."""
        load_graphs(work, graphs.values())
        _data_checks(settings, work, progress, corpus)
        report.seconds["data checks"] = time.perf_counter() - t2

    cache = buckets.Cache(Path(settings.build_dir) / "cache", write=on_violations is None)
    try:
        inference = buckets.infer(
            work, graphs, prints, ontology, cache, progress, spawned or workers, fill_and_check
        )  # work is ours
    except InconsistentDataError as exc:
        raise OntologyError(str(exc), details=[f"{x} is both {a} and {b}" for x, a, b in exc.clashes[:50]]) from None
    t3 = t2 + report.seconds["data checks"]  # the inference's seconds: those it did not overlap
    cache.prune()
    report.graphs["inferred"] = inference.count
    report.seconds["inference"] = time.perf_counter() - t3
    parts = ", ".join(f"{k} {v:.1f}" for k, v in inference.seconds.items())
    progress(
        f"inference: {inference.count} triples; {inference.buckets - inference.reused} of {inference.buckets} "
        f"buckets inferred, the rest reused; the global pass found {inference.global_new} more in "
        f"{inference.global_rounds} rounds ({report.seconds['inference']:.1f} s: {parts})"
    )
    return Assembled(graphs, inference.data)


def build(settings: Settings, progress: Progress = lambda message: None) -> BuildReport:
    """Build the store from the corpus of ``settings``; see the module docstring."""
    t0 = time.perf_counter()
    current = current_build(Path(settings.build_dir))
    previous = stamps.read(settings)
    stamp = stamps.take(settings, code_fingerprint, previous)
    stamped = current is not None and previous is not None and previous.build == current.name
    if stamped and stamps.same_inputs(previous, stamp):  # type: ignore[arg-type]
        if stamp.hashed:  # remember the new times, so that the next check reads nothing
            stamp.build = current.name  # type: ignore[union-attr]
            stamps.write(settings, stamp)
        progress(
            f"nothing changed since the current build ({len(stamp.files)} input files, "
            f"{stamp.hashed} read to compare): nothing to do"
        )
        return BuildReport(current, nothing_to_do=True, seconds={"check": time.perf_counter() - t0})
    with buckets.Workers(buckets.workers_for(settings.build_workers)) as spawned:
        if _full_build_likely(current, previous, stamp):
            spawned.start()  # their start-up on the other core while this one loads the corpus
        return _build(settings, progress, t0, current, stamp, spawned)


def _full_build_likely(current: Path | None, previous: stamps.Stamp | None, stamp: stamps.Stamp) -> bool:
    """Whether this build will most likely write the whole store and infer by bucket: no build
    yet, other code or settings, an ontology file changed, or more than a quarter of the files
    (kg.builder.store_writer.MOST_CHANGED). A guess, made before the corpus is read: a wrong one
    costs a start-up of the workers that an incremental build does not use, or one it waits for."""
    if current is None or previous is None or previous.context != stamp.context:
        return True
    before = previous.files
    changed = [name for name, entry in stamp.files.items() if (before.get(name) or [None] * 3)[2] != entry[2]]
    return any(name.startswith("ontology/") for name in changed) or len(changed) > store_writer.MOST_CHANGED * len(
        stamp.files
    )


def _build(
    settings: Settings,
    progress: Progress,
    t0: float,
    current: Path | None,
    stamp: stamps.Stamp,
    spawned: buckets.Workers,
) -> BuildReport:
    """``build`` once it knows there is something to do."""
    ontology = load_ontology(Path(settings.ontology_dir))  # once: its parse is 0.15 s
    cache = ParseCache.for_build(Path(settings.build_dir), Path(settings.ontology_dir), stamp.context["code"])
    loaded = corpus_index.load_for_build(
        Path(settings.corpus_dir),
        VocabularyIndex.from_graph(ontology),
        stamp,
        cache,
        corpus_index.index_folder(settings.build_dir),
        spawned.count,
    )
    corpus = loaded.corpus
    for line in loaded.summary():
        progress(line)
    corpus.raise_for_issues()
    prints = fingerprints(settings, corpus, stamp)
    if current is not None and read_manifest(current).get("fingerprints") == prints:
        stamp.build = current.name
        stamps.write(settings, stamp)
        progress("nothing changed since the current build: nothing to do")
        return BuildReport(current, nothing_to_do=True, seconds={"load": time.perf_counter() - t0})
    report = BuildReport(None, seconds={"load": time.perf_counter() - t0})
    if drafts := draft_count(corpus):
        shown = (
            "built, each flagged pk:reviewStatus"
            if settings.include_drafts
            else "left out (include_drafts builds them)"
        )
        progress(f"drafts: {drafts} draft item(s) {shown}")
    build_id = hashlib.sha256(repr(sorted(prints.items())).encode("utf-8")).hexdigest()[:16]

    def manifest_of() -> dict[str, object]:
        return {
            "build": build_id,
            "fingerprints": prints,
            "graphs": report.graphs,  # the same dict: an incremental build sets the inferred count last
            "base_iri": settings.base_iri,
            "include_drafts": settings.include_drafts,
            "drafts": drafts,  # in the corpus: served only when include_drafts
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "rebuilt": report.rebuilt,
        }

    changed, why_whole = incremental.plan(current, prints)
    if changed is not None and current is not None:
        try:
            report.build = incremental.build_on_previous(
                settings,
                corpus,
                prints,
                report,
                current,
                changed,
                manifest_of,
                build_id,
                lambda line: _located(line, corpus, settings.base_iri),
                progress,
                ontology,
            )
        except incremental.NotIncremental as exc:
            why_whole = str(exc)
            report = BuildReport(None, seconds={"load": report.seconds["load"]})
    if report.build is None:
        progress(f"full build: {why_whole}")
        assembled = assemble(settings, corpus, prints, report, progress, spawned=spawned, ontology=ontology)
        spawned.close()  # before the store's bulk load: their memory and their cores
        _release_freed_memory()  # the work store of the checks and the inference, before the store's bulk load
        t3 = time.perf_counter()
        # what the next one-article rebuild compiles, put in the cache while the bulk load (which
        # leaves the GIL) runs; a failure to compile is that rebuild's to report
        with ThreadPoolExecutor(1, thread_name_prefix="compile-for-rebuilds") as side:
            side.submit(incremental.compiled, settings, ontology, prints)
            report.build = store_writer.write(
                Path(settings.build_dir),
                build_id,
                current,
                assembled.graphs,
                assembled.inferred,
                manifest_of(),
                Minter(settings.base_iri),
                progress,
            )
        report.seconds["store"] = time.perf_counter() - t3
    stamp.build = report.build.name
    stamps.write(settings, stamp)
    cache.prune()
    builds = store_root(Path(settings.build_dir)) / "builds"
    kept = [read_manifest(b).get("fingerprints", {}) for b in builds.iterdir() if (b / "manifest.json").is_file()]
    prune_cache(settings, [prints, *kept])
    progress(f"store: {report.triples} triples in {len(report.graphs)} graphs at {report.build}")
    return report


def _release_freed_memory() -> None:
    """Give the memory freed so far back to the system (glibc's malloc_trim; elsewhere nothing).
    The work store (1.2 GB at 10,000 articles) is freed when assemble returns, but glibc keeps
    the pages, and the store writer's bulk load allocates in its own threads' arenas, which
    cannot reuse them: without this the whole store's write was the build's peak (3.7 GB)."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):  # not glibc (musl has no malloc_trim)
            ctypes.CDLL("libc.so.6").malloc_trim(0)


def _data_checks(settings: Settings, store: pyoxigraph.Store, progress: Progress, corpus: Corpus) -> None:
    sources = OntologySources.find(Path(settings.ontology_dir))
    failed = [r for r in (run_check(p, store, union=True) for p in sources.data_checks) if not r.passed]
    if failed:
        details = [
            _located(f"{c.name}: {line}", corpus, settings.base_iri) for c in failed for line in c.describe_rows()
        ]
        raise ValidationError(f"{len(failed)} data check(s) failed", details=details)
    progress(f"data checks: {len(sources.data_checks)} passed")


def _located(line: str, corpus: Corpus, base: str) -> str:
    """A data check's row, with the file and line where each individual it names is defined."""
    keys = dict.fromkeys(re.findall(re.escape(base) + r"resource/([a-z0-9-]+)", line))
    places = [f"{key} is defined at {corpus.keys[key][1]}" for key in keys if key in corpus.keys]
    return f"{line} ({'; '.join(places)})" if places else line
