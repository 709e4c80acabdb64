"""The standard protocols the service speaks, as Flask blueprints and their helpers.

- :mod:`~service.protocol.sparql`: the SPARQL 1.1 Protocol endpoint (``/sparql``), queries and updates;
- :mod:`~service.protocol.graph_store`: the SPARQL 1.1 Graph Store HTTP Protocol (``/store``);
- :mod:`~service.protocol.negotiation`: Accept negotiation; :mod:`~service.protocol.federation`:
  which SERVICE calls are allowed.

Rule: requests reach the engine only through :mod:`service.execution`.
"""
