"""The dataset's VoID/DCAT description for /dataset: the one ``peacekg export`` wrote when it is of
the current build; otherwise computed from the current build's store (kg.store.void) once per build
and kept in memory. It reads the store in the request's process, once, which is why it lives here
with the other code that touches the engine and not in the view.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pyoxigraph
from flask import current_app

from kg.serialize import rdf_bytes
from kg.store.builds import read_manifest
from kg.store.void import void_description
from service.state import state

OFFERS = {
    "text/turtle": pyoxigraph.RdfFormat.TURTLE,
    "application/n-triples": pyoxigraph.RdfFormat.N_TRIPLES,
    "application/ld+json": pyoxigraph.RdfFormat.JSON_LD,
    "application/rdf+xml": pyoxigraph.RdfFormat.RDF_XML,
}
_lock = threading.Lock()


def _description(build: Path) -> str:
    """The VoID Turtle of ``build``: the exported one if it matches, else computed and cached."""
    cache: dict[str, str] = state().caches.setdefault("void", {})
    if build.name in cache:
        return cache[build.name]
    settings = current_app.config["PEACEKG"]
    with _lock:
        if build.name not in cache:
            exported = Path(settings.build_dir) / "dumps" / "void.ttl"
            text = exported.read_text(encoding="utf-8") if exported.is_file() else ""
            if f'"build {build.name}"' not in text:
                store = pyoxigraph.Store.read_only(str(build / "oxigraph"))
                text = void_description(store, settings, read_manifest(build), {})
            cache.clear()  # only the current build's description is kept
            cache[build.name] = text
    return cache[build.name]


def description(build: Path, media: str) -> bytes:
    """The description of ``build`` in ``media`` (one of OFFERS)."""
    text = _description(build)
    if media == "text/turtle":
        return text.encode("utf-8")
    triples = [q.triple for q in pyoxigraph.parse(text.encode("utf-8"), format=pyoxigraph.RdfFormat.TURTLE)]
    return rdf_bytes(triples, OFFERS[media])
