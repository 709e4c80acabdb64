"""The built store and what is made from it.

- :mod:`~kg.store.builds`: the embedded pyoxigraph store of each build, its manifest and the atomic
  ``current`` switch (readers never see a half-written store);
- :mod:`~kg.store.live`: the live store a service with updates writes (checkpoints, generations);
- :mod:`~kg.store.export`: dumps (serialised by :mod:`kg.serialize`);
  :mod:`~kg.store.void`: the VoID/DCAT description; :mod:`~kg.store.stats`: ``peacekg stats``;
- :mod:`~kg.store.push`: ``peacekg push`` to any SPARQL 1.1 store.

Exports :func:`open_store`, :func:`current_build`, :func:`read_manifest` and :class:`StoreError`.
"""

from kg.store.builds import StoreError, current_build, open_store, read_manifest

__all__ = ["StoreError", "current_build", "open_store", "read_manifest"]
