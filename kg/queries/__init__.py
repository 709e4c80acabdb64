"""Asking the graph: the stored queries of ``queries/*.rq`` and the Python client.

- :mod:`~kg.queries.stored`: parse a stored query's header (title, description, typed parameters)
  and bind parameters as RDF terms;
- :mod:`~kg.queries.paging`: keyset paging (the ``# page:`` field): its checks against the query,
  and the next page's cursor from the last row (of a result, or of a serialised page);
- :mod:`~kg.queries.run`: run one on a store and write its results (table, CSV, JSON);
- :mod:`~kg.queries.client`: :class:`Client`, pandas DataFrames with real dtypes from the local
  store or any SPARQL endpoint.
"""
