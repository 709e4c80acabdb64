"""The standard protocols the service speaks, as Flask blueprints and their helpers.

- :mod:`~service.protocol.sparql`: the SPARQL 1.1 Protocol endpoint (``/sparql``), queries and updates;
- :mod:`~service.protocol.graph_store`: the SPARQL 1.1 Graph Store HTTP Protocol (``/store``);
- :mod:`~service.protocol.negotiation`: Accept negotiation; :mod:`~service.protocol.federation`:
  which SERVICE calls are allowed;
- :mod:`~service.protocol.hot_route`: /sparql reads dispatched at the WSGI level, through the same
  protocol code and the same request hooks (:mod:`~service.protocol.request_hooks`: the Host
  check, the headers every response carries) as Flask's dispatch.

Rule: requests reach the engine only through :mod:`service.execution`.
"""
