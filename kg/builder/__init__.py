"""``peacekg build``: the annotated corpus and the ontology become a validated, reasoned store.

- :mod:`~kg.builder.pipeline`: the pipeline (check the corpus, fingerprint the inputs, map and
  SHACL-validate changed graphs, data checks, inference, atomic switch) and :class:`BuildReport`;
- :mod:`~kg.builder.graphs`: the asserted graphs mapped and SHACL-validated (in worker processes)
  or taken from the cache;
- :mod:`~kg.builder.inference`: OWL 2 RL rules compiled to SPARQL;
- :mod:`~kg.builder.buckets`: inference by bucket of articles, reused across builds, and the
  global pass that makes it exact;
- :mod:`~kg.builder.store_writer`: the new store, written whole or made from the current one;
- :mod:`~kg.builder.sealed`: cache files sealed with their hash;
- :mod:`~kg.builder.report`: violations told at the annotation item's file, line and field, with
  article, statement and span;
- :mod:`~kg.builder.validation`: ``peacekg annotations validate``, the build's checks without a store.

Exports :func:`build` and :class:`BuildReport`.
"""

from kg.builder.pipeline import BuildReport, build

__all__ = ["BuildReport", "build"]
