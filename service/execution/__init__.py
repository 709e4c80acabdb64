"""Where queries and writes run: outside the request threads, killable, limited (but lookups,
whose cost is bounded by their output, in the request thread, their limits checked between rows).

- :mod:`~service.execution.workers`: the pool of query worker processes (:class:`WorkerPool`);
- :mod:`~service.execution.inline` and :mod:`~service.execution.lookup_shape`: lookups (queries
  bounded by their output) run in the request thread, on a store opened once per build;
- :mod:`~service.execution.remote_pool`: the same interface over a remote SPARQL endpoint;
- :mod:`~service.execution.writer` and :mod:`~service.execution.write_ops`: the one killable
  writer process of a service with updates on;
- :mod:`~service.execution.results`: result serialisers (run where the results are, in the workers);
- :mod:`~service.execution.description`: the dataset's VoID description, computed once per build;
- :mod:`~service.execution.client_limits`: queries per client;
- :mod:`~service.execution.outcomes`: running a job from a request, every outcome mapped to the
  one error shape (:func:`start`, :func:`collect`, :func:`write`).
"""
