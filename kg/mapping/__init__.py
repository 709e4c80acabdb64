"""Mapping the validated corpus (kg.annotations) to RDF named graphs: one graph per article and one
for the reference data, with every fact tied to the span that supports it.

- :mod:`~kg.mapping.dataset`: :func:`article_graph` and :func:`reference_graph`, the entry points
  (and :func:`article_triples`: an article's triples as the build writes them,
  :mod:`~kg.mapping.triples`);
- :mod:`~kg.mapping.articles`: statements with their evidence (Web Annotation selectors);
- :mod:`~kg.mapping.individuals`: individuals, roles and provisions; :mod:`~kg.mapping.values`:
  field values (concepts, dates as time spans, quantities); :mod:`~kg.mapping.iris`: the IRIs
  minted under the base; :mod:`~kg.mapping.links`: external identifiers as links.

Rule: pure functions, no I/O (README.md).
"""
