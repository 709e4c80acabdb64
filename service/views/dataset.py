"""The dataset's own description and downloads: its VoID/DCAT description at /dataset (the IRI
``<base>dataset`` that the description is about) and /.well-known/void (RFC 5785, as the VoID
note asks), and the dumps written by ``peacekg export`` at /dumps/<file>.

The description is the one ``peacekg export`` wrote, when it is of the current build; otherwise
it is computed from the current build's store (kg.store.void) once per build and kept in memory.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pyoxigraph
from flask import Blueprint, Response, current_app, request, send_from_directory

from kg.store.builds import current_build, read_manifest
from kg.store.void import void_description
from service.errors import ApiError
from service.protocol.negotiation import choose

blueprint = Blueprint("dataset", __name__)
OFFERS = {
    "text/turtle": pyoxigraph.RdfFormat.TURTLE,
    "application/n-triples": pyoxigraph.RdfFormat.N_TRIPLES,
    "application/ld+json": pyoxigraph.RdfFormat.JSON_LD,
    "application/rdf+xml": pyoxigraph.RdfFormat.RDF_XML,
}
DUMP_TYPES = {
    ".trig": "application/trig",
    ".nq": "application/n-quads",
    ".jsonld": "application/ld+json",
    ".ttl": "text/turtle",
}
_lock = threading.Lock()


def _description(build: Path) -> str:
    """The VoID Turtle of ``build``: the exported one if it matches, else computed and cached."""
    cache: dict[str, str] = current_app.extensions.setdefault("peacekg_void", {})
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


@blueprint.get("/dataset")
@blueprint.get("/.well-known/void")
def void() -> Response:
    media = choose(request.headers.get("Accept"), list(OFFERS))
    if media is None:
        raise ApiError(406, f"no acceptable format for the dataset description; offered: {', '.join(OFFERS)}")
    build = current_build(Path(current_app.config["PEACEKG"].build_dir))
    if build is None:
        raise ApiError(503, "no built store yet: run `peacekg build`")
    text = _description(build)
    if media == "text/turtle":
        data = text.encode("utf-8")
    else:
        triples = [q.triple for q in pyoxigraph.parse(text.encode("utf-8"), format=pyoxigraph.RdfFormat.TURTLE)]
        data = pyoxigraph.serialize(triples, format=OFFERS[media])
    return Response(
        data,
        status=200,
        content_type=f"{media}; charset=utf-8",
        headers={"Vary": "Accept", "ETag": f'"{build.name}-{media}"'},
    )


@blueprint.get("/dumps/<path:name>")
def dump(name: str) -> Response:
    folder = Path(current_app.config["PEACEKG"].build_dir) / "dumps"
    suffix = Path(name).suffix
    if suffix not in DUMP_TYPES:
        raise ApiError(
            404, f"no dump named {name!r}; dumps are .trig, .nq, .jsonld and .ttl files written by `peacekg export`"
        )
    # send_from_directory refuses paths that leave the folder (../, absolute paths): 404.
    response = send_from_directory(folder, name, mimetype=DUMP_TYPES[suffix], conditional=True)
    response.headers["Content-Disposition"] = f'attachment; filename="{Path(name).name}"'
    return response
