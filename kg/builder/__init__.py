"""``peacekg build``: the annotated corpus and the ontology become a validated, reasoned store.

- :mod:`~kg.builder.pipeline`: the pipeline (check the corpus, fingerprint the inputs, map and
  SHACL-validate changed graphs, data checks, inference, atomic switch) and :class:`BuildReport`;
- :mod:`~kg.builder.stamps`: every input file's size, time and hash, which say "nothing changed"
  and give the fingerprints without reading unchanged files;
- :mod:`~kg.builder.corpus_index` and :mod:`~kg.builder.facts_index`: the corpus loaded from an
  index of each file's facts for the checks across files, parsing only the files that changed
  (:mod:`~kg.builder.parse_cache` keeps each file's parsed form, :mod:`~kg.builder.parse_ahead`
  parses many in worker processes first; :mod:`~kg.builder.frozen` keeps the garbage collector
  out of a load);
- :mod:`~kg.builder.graphs`: the asserted graphs mapped and SHACL-validated (in worker processes)
  or taken from the cache (:mod:`~kg.builder.graph_cache`);
- :mod:`~kg.builder.rules`: the OWL 2 RL rules and PeaceKG's shortcuts, as SPARQL CONSTRUCTs, and
  which of them a pass may skip;
- :mod:`~kg.builder.inference`: the rules run to a fixpoint in pyoxigraph, and the disjointness check;
- :mod:`~kg.builder.buckets`: inference by bucket of articles, reused across builds, and the
  global pass that makes it exact;
- :mod:`~kg.builder.store_writer`: the new store, written whole or made from the current one;
- :mod:`~kg.builder.incremental`: a rebuild after a few articles changed, made on a copy of the
  current store without the union in memory;
- :mod:`~kg.builder.dred`: the inferred graph kept up to date by DRed, each rule run with a
  premise bound to the triples that changed;
- :mod:`~kg.builder.data_checks`: the data checks, by the locality each declares;
- :mod:`~kg.builder.sealed`: cache files sealed with their hash;
- :mod:`~kg.builder.report`: violations told at the annotation item's file, line and field, with
  article, statement and span;
- :mod:`~kg.builder.validation`: ``peacekg annotations validate``, the build's checks without a store.

Exports :func:`build` and :class:`BuildReport`.
"""

from kg.builder.pipeline import BuildReport, build

__all__ = ["BuildReport", "build"]
