"""A rebuild after a few articles changed, made on a copy of the previous store without building
the union in memory (docs/reasoning.md, "A one-article rebuild on the previous store").

1. the changed article graphs are mapped and validated (or taken from the cache); an unchanged
   article needs only its fingerprint: its graph is not read;
2. the new store is a RocksDB checkpoint of the current one (kg.store.builds.update_store), and
   everything below happens in it, before its rename and the switch: a failure or a kill leaves
   the previous store current;
3. DRed's overdeletion over the copy as it was (kg.builder.dred), then the changed graphs
   replaced and the overdeleted triples removed from the inferred graph;
4. the data checks by locality (kg.builder.data_checks): the local ones over the changed graphs
   with the reference and the ontology, the global ones over the copy on disk;
5. DRed's rederivation and insertion, then the disjointness check for the individuals whose
   types were added.

It stops (``dred.NotIncremental``) and the caller builds the whole way when the change is one it
cannot follow (module kg.builder.dred), or when a global data check may have a row: then the full
build decides and words the error. ``plan`` says when it is not tried at all.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyoxigraph
import rdflib

from kg.annotations.corpus import Corpus
from kg.annotations.vocabulary import VocabularyIndex
from kg.builder import buckets, data_checks, dred
from kg.builder.graphs import NQ, map_and_validate, size
from kg.builder.inference import AXIOM_TYPE, InconsistentDataError, disjointness_clashes
from kg.builder.sealed import cached_pickle
from kg.builder.store_writer import MOST_CHANGED, SHARED
from kg.errors import OntologyError
from kg.mapping.dataset import reference_graph
from kg.mapping.iris import Minter
from kg.ontology.load import OntologySources, load_ontology, load_shapes
from kg.settings import Settings
from kg.store.builds import read_manifest, update_store

Progress = Callable[[str], None]
NotIncremental = dred.NotIncremental


def plan(current: Path | None, prints: dict[str, str]) -> tuple[list[str] | None, str]:
    """The article graphs to replace, or None and why the build must be made whole."""
    if current is None:
        return None, "no current store"
    try:
        previous = read_manifest(current)
    except (OSError, ValueError):
        return None, "the current store's manifest is unreadable"
    before = previous.get("fingerprints")
    if not isinstance(before, dict) or not isinstance(previous.get("graphs"), dict):
        return None, "the current store's manifest is incomplete"
    if "inferred" not in previous["graphs"] or not (current / "oxigraph" / "CURRENT").is_file():
        return None, "the current store is incomplete"
    for name in SHARED:
        if before.get(name) != prints.get(name):
            what = "the ontology or the build code" if name == "ontology" else f"the {name}"
            return None, f"{what} changed"
    names = set(before) | set(prints)
    changed = sorted(n for n in names if n.startswith("article/") and before.get(n) != prints.get(n))
    if len(changed) > MOST_CHANGED * max(1, len(prints)):
        return None, f"{len(changed)} article graphs changed, more than a quarter of the graphs"
    return changed, ""


def compiled(
    settings: Settings, ontology: rdflib.Graph, prints: dict[str, str]
) -> tuple[list[dred.Rule], tuple[Path, ...], dict[Path, str], dict[str, data_checks.Bindable | None]]:
    """What a rebuild on the previous store compiles from the ontology and the code alone, kept in
    the build cache by the ontology's fingerprint: the rules for DRed, the data checks with their
    localities and the global checks' patterns. A full build calls this too (kg.builder.pipeline),
    on a thread while its store is bulk-loaded: the first rebuild after it then finds them there
    (compiling them took 0.35 s of that rebuild, at any size)."""
    cache = Path(settings.build_dir) / "cache"
    rules = dred.compile_rules(ontology, cache, prints["ontology"])
    checks = OntologySources.find(Path(settings.ontology_dir)).data_checks
    localities = {path: data_checks.locality(path) for path in checks}
    shapes = data_checks.bindable_checks([p for p in checks if localities[p] == "global"], cache, prints["ontology"])
    return rules, checks, localities, shapes


def cached_reference(
    settings: Settings, corpus: Corpus, prints: dict[str, str], minter: Minter, vocabulary: VocabularyIndex
) -> rdflib.Graph:
    """The reference graph (kg.mapping.dataset.reference_graph), kept in the build cache by the
    reference's fingerprint, which covers everything it is made from (the reference files, the
    ontology, the code, the base IRI and, when the reference holds drafts, include_drafts): a
    rebuild that changed only articles reads it back (0.12 s to make at 10,000 articles)."""
    return cached_pickle(
        Path(settings.build_dir) / "cache",
        "reference-graph",
        prints["reference"],
        lambda: reference_graph(corpus, minter, vocabulary, settings.include_drafts),
    )


def build_on_previous(
    settings: Settings,
    corpus: Corpus,
    prints: dict[str, str],
    report: Any,
    current: Path,
    changed: list[str],
    manifest_of: Callable[[], dict[str, Any]],
    build_id: str,
    located: Callable[[str], str],
    progress: Progress,
    ontology: rdflib.Graph | None = None,
) -> Path:
    """Make this build's store from ``current``, replacing the ``changed`` article graphs; see the
    module docstring. Raises NotIncremental when the caller must build whole. ``ontology``: the
    ontology as the caller loaded it (read, never changed), else loaded here."""
    t0 = time.perf_counter()
    if ontology is None:
        ontology = load_ontology(Path(settings.ontology_dir))
    rules, checks, localities, check_shapes = compiled(settings, ontology, prints)
    shapes = load_shapes(Path(settings.ontology_dir))
    vocabulary = VocabularyIndex.from_graph(ontology)
    minter = Minter(settings.base_iri)
    reference = cached_reference(settings, corpus, prints, minter, vocabulary)
    present = [n for n in changed if n.split("/", 1)[1] in corpus.articles]
    workers = buckets.workers_for(settings.build_workers)
    graphs, rebuilt, reused = map_and_validate(
        settings, corpus, prints, minter, vocabulary, reference, shapes, ontology, progress, None, workers, set(present)
    )
    sizes = dict(read_manifest(current)["graphs"])
    for name in changed:
        sizes.pop(name, None)
    sizes.update((name, size(data)) for name, data in graphs.items())
    report.rebuilt += rebuilt
    report.reused += [*reused, *sorted(n for n in sizes if n != "inferred" and n not in graphs and n != "ontology")]
    report.graphs.update(sizes)
    report.seconds["map+validate"] = time.perf_counter() - t0
    inferred = pyoxigraph.NamedNode(str(minter.graph("inferred")))
    nodes = {name: pyoxigraph.NamedNode(str(minter.graph(name))) for name in changed}
    for name in ("reference", "ontology"):
        nodes.setdefault(name, pyoxigraph.NamedNode(str(minter.graph(name))))
    seconds: dict[str, float] = {}

    def edit(store: pyoxigraph.Store) -> None:
        t1 = time.perf_counter()
        old = {
            pyoxigraph.Triple(q.subject, q.predicate, q.object)
            for name in changed
            for q in store.quads_for_pattern(None, None, None, nodes[name])
        }
        new_quads = [q for name in present for q in pyoxigraph.parse(graphs[name], format=NQ)]
        new = {pyoxigraph.Triple(q.subject, q.predicate, q.object) for q in new_quads}
        replaced = {nodes[name] for name in changed} | {inferred}
        removed = {t for t in old - new if not any(q.graph_name not in replaced for q in _quads(store, t))}
        added = new - old
        dred.check_followable(removed | added)
        outcome = dred.Outcome()
        dred.overdelete(store, rules, inferred, removed, added, outcome)
        seconds["overdelete"] = time.perf_counter() - t1

        t2 = time.perf_counter()
        for name in changed:
            if store.contains_named_graph(nodes[name]):
                store.remove_graph(nodes[name])
        store.extend(new_quads)
        for t in outcome.overdeleted:
            store.remove(pyoxigraph.Quad(t.subject, t.predicate, t.object, inferred))
        seconds["replace"] = time.perf_counter() - t2

        t3 = time.perf_counter()
        _check(store, nodes, checks, localities, check_shapes, added, located)
        seconds["data checks"] = time.perf_counter() - t3

        t4 = time.perf_counter()
        dred.rederive_and_insert(store, rules, inferred, removed, added, outcome)
        now_asserted = [t for t in added if dred.holds(store, t, inferred)]
        for t in now_asserted:  # an inference of before, asserted now: only in its graph
            store.remove(pyoxigraph.Quad(t.subject, t.predicate, t.object, inferred))
        seconds["rederive+insert"] = time.perf_counter() - t4

        t5 = time.perf_counter()
        typed = {t.subject for t in added | outcome.rederived | outcome.inserted if t.predicate == AXIOM_TYPE}
        clashes = disjointness_clashes(store, typed)
        if clashes:
            error = InconsistentDataError(clashes)
            raise OntologyError(str(error), details=[f"{x} is both {a} and {b}" for x, a, b in clashes[:50]])
        seconds["disjointness"] = time.perf_counter() - t5
        count = sizes["inferred"] - len(outcome.overdeleted) - len(now_asserted)
        report.graphs["inferred"] = count + len(outcome.rederived) + len(outcome.inserted)
        rounds = ", ".join(f"{k} {v}" for k, v in outcome.rounds.items())
        progress(
            f"made from the current build's store without the union in memory: {len(changed)} graph(s) "
            f"replaced ({len(removed)} asserted triple(s) gone, {len(added)} new); DRed: "
            f"{len(outcome.overdeleted)} inferred triple(s) overdeleted, {len(outcome.rederived)} rederived, "
            f"{len(outcome.inserted)} inserted (rounds: {rounds}); disjointness checked for {len(typed)} "
            f"individual(s) ({', '.join(f'{k} {v:.2f}' for k, v in seconds.items())} s)"
        )

    t6 = time.perf_counter()
    path = update_store(Path(settings.build_dir), build_id, current, edit, manifest_of(), files={})
    report.seconds["data checks"] = seconds.get("data checks", 0.0)
    report.seconds["inference"] = sum(v for k, v in seconds.items() if k != "data checks")
    report.seconds["store"] = time.perf_counter() - t6 - report.seconds["inference"] - report.seconds["data checks"]
    return path


def _quads(store: pyoxigraph.Store, t: pyoxigraph.Triple) -> list[pyoxigraph.Quad]:
    return list(store.quads_for_pattern(t.subject, t.predicate, t.object))


def _check(
    store: pyoxigraph.Store,
    nodes: dict[str, pyoxigraph.NamedNode],
    checks: tuple[Path, ...],
    localities: dict[Path, str],
    shapes: dict[str, data_checks.Bindable | None],
    added: set[pyoxigraph.Triple],
    located: Callable[[str], str],
) -> None:
    """The data checks by locality; a local failure is the build's error, worded as a full build's
    (the rows of the changed graphs are the union's, as the previous union had none). A local
    check reads the changed graphs, the reference and the ontology, as if the store held nothing
    else: the store's own graphs named as the query's dataset, not copied into a store of their own
    (copying the reference and the ontology quad by quad was 0.08 s of a one-article rebuild)."""
    for path in checks:
        if localities[path] == "global" and data_checks.global_rows(store, path, added, shapes):
            raise NotIncremental(f"the global data check {path.name} may have a row: the full build decides")
    failed = data_checks.run_local([p for p in checks if localities[p] == "local"], store, list(nodes.values()))
    data_checks.raise_for(failed, located)
