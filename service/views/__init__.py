"""What people and tools read: pages and documents of the service, as Flask blueprints.

- :mod:`~service.views.pages`: linked-data pages for every IRI under the base (their queries:
  :mod:`~service.views.page_queries`; what the HTML page shows, made from their rows:
  :mod:`~service.views.page_model`);
- :mod:`~service.views.query_page`: the YASGUI query page, with :mod:`~service.views.query_examples`;
- :mod:`~service.views.stored_queries`: ``/queries`` and ``/queries/NAME``;
- :mod:`~service.views.plots`, :mod:`~service.views.dataset` (VoID, dumps), :mod:`~service.views.openapi`.

Rule: views reach the engine only through :mod:`service.execution`.
"""
