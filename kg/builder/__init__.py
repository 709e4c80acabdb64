"""``peacekg build``: the annotated corpus and the ontology become a validated, reasoned store.

- :mod:`~kg.builder.pipeline`: the pipeline (check the corpus, fingerprint the inputs, map and
  SHACL-validate changed graphs, data checks, inference, atomic switch) and :class:`BuildReport`;
- :mod:`~kg.builder.inference`: OWL 2 RL rules compiled to SPARQL;
- :mod:`~kg.builder.report`: violations told at the annotation item's file, line and field, with
  article, statement and span;
- :mod:`~kg.builder.validation`: ``peacekg annotations validate``, the build's checks without a store.

Exports :func:`build` and :class:`BuildReport`.
"""

from kg.builder.pipeline import BuildReport, build

__all__ = ["BuildReport", "build"]
