"""The dataset's own description and downloads: its VoID/DCAT description at /dataset (the IRI
``<base>dataset`` that the description is about) and /.well-known/void (RFC 5785, as the VoID
note asks), and the dumps written by ``peacekg export`` at /dumps/<file>.

The description comes from service.execution.description (the exported one, or computed from the
store once per build).
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, current_app, request, send_from_directory

from kg.store.builds import current_build
from service.errors import ApiError
from service.execution.description import OFFERS, description
from service.protocol.negotiation import choose

blueprint = Blueprint("dataset", __name__)
DUMP_TYPES = {
    ".trig": "application/trig",
    ".nq": "application/n-quads",
    ".jsonld": "application/ld+json",
    ".ttl": "text/turtle",
}


@blueprint.get("/dataset")
@blueprint.get("/.well-known/void")
def void() -> Response:
    media = choose(request.headers.get("Accept"), list(OFFERS))
    if media is None:
        raise ApiError(406, f"no acceptable format for the dataset description; offered: {', '.join(OFFERS)}")
    build = current_build(Path(current_app.config["PEACEKG"].build_dir))
    if build is None:
        raise ApiError(503, "no built store yet: run `peacekg build`")
    data = description(build, media)
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
