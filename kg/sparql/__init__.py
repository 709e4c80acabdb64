"""SPARQL text and terms, without an engine: what is decided before a query runs.

- :mod:`~kg.sparql.lexer`: a lexer in oxigraph's lexical terms (SERVICE calls, the query form, the
  WHERE group, USING, update operations);
- :mod:`~kg.sparql.binding`: values bound as RDF terms (:class:`BoundTerm`), never pasted;
- :mod:`~kg.sparql.json_terms`: RDF terms as SPARQL 1.1 JSON;
- :mod:`~kg.sparql.update_guard`: which graphs an update writes, worked out before it runs;
- :mod:`~kg.sparql.rewrite`: a query's algebra (rdflib's parser) rewritten into an equivalent one
  that pyoxigraph plans well (:func:`~kg.sparql.rewrite.rewrite`), with filters placed and
  triples ordered by :mod:`~kg.sparql.join_order`, written back as text by
  :mod:`~kg.sparql.algebra_text`; rdflib's algebra as the rewriter reads it comes from
  :mod:`~kg.sparql.translation`, run on a new thread's stack by :mod:`~kg.sparql.fresh_stack` (so
  that how deep the caller is never decides whether a query is rewritten).

Rule: nothing here does I/O (no files, sockets or stores; checked in tests/unit/test_architecture.py).
"""
