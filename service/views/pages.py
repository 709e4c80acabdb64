"""Linked-data pages: every IRI under the dataset's base dereferences here. A request for
http(s)://HOST/<path> stands for the IRI ``base_iri + <path>`` (so it works both when the base is
the service's own address and behind a public base such as https://w3id.org/peacekg/).

Content negotiation: text/html (the default), text/turtle, application/ld+json and
application/n-triples (a CONSTRUCT of the resource's outgoing triples and inbound links); ``?format=``
(html, ttl, jsonld, nt) overrides the Accept header. Every query goes through the worker pool
(:mod:`service.views.page_queries`); the HTML page is a view model built from their rows
(:mod:`service.views.page_model`).
URL paths are only ever turned into IRIs, never into file names."""

from __future__ import annotations

import re
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import quote

from flask import Blueprint, Response, current_app, render_template, request, send_from_directory

from service.errors import ApiError, error_response, html_security_headers
from service.protocol.negotiation import choose, parse_accept
from service.views import dossier_cache, dossiers
from service.views import page_queries as queries
from service.views.dossier_panels import kind_of
from service.views.page_model import Terms, local_href, resource_view
from service.views.page_queries import UNSAFE_IRI

blueprint = Blueprint("pages", __name__)

OFFERS = ["text/html", "text/turtle", "application/ld+json", "application/n-triples"]
FORMATS = {
    "html": "text/html",
    "ttl": "text/turtle",
    "turtle": "text/turtle",
    "jsonld": "application/ld+json",
    "json-ld": "application/ld+json",
    "nt": "application/n-triples",
    "ntriples": "application/n-triples",
}
RESERVED = {
    "sparql",
    "store",
    "health",
    "metrics",
    "static",
    "queries",
    "plots",
    "dumps",
    "dataset",
    ".well-known",
}  # other services' path space: never shadowed
MINT_SAFE = "/-_.~"  # the characters kg.mapping.iris.Minter leaves unencoded
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; style-src 'self' 'unsafe-inline'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def _base() -> str:
    return current_app.config["PEACEKG"].base_iri


def iri_for_path(path: str, base: str) -> str | None:
    """The IRI a (decoded) request path stands for, encoded as the minter encodes keys; None when
    the path cannot name a resource (dot segments, unsafe characters, reserved prefixes)."""
    segments = path.split("/")
    if not path or segments[0] in RESERVED or any(s in (".", "..") for s in segments):
        return None
    iri = base + quote(path, safe=MINT_SAFE)
    return None if UNSAFE_IRI.search(iri) else iri


def _arg(name: str, *, strict: bool = True) -> str | None:
    """A URL parameter. Werkzeug decodes a raw (not %-escaped) query string as strict UTF-8 and
    raises UnicodeDecodeError otherwise: a 400 here (None when ``strict`` is off), never a 500."""
    try:
        return request.args.get(name)
    except UnicodeDecodeError:
        if strict:
            raise ApiError(400, "the query string is not valid UTF-8") from None
        return None


def _wants_html() -> bool:
    """A browser: text/html is asked for explicitly (plain API clients get the JSON error shape)."""
    return (
        any(
            r.type == "text" and r.subtype in ("html", "*") and r.q > 0
            for r in parse_accept(request.headers.get("Accept"))
        )
        or _arg("format", strict=False) == "html"
    )


def _page(iri: str) -> dict[str, Any]:
    """The linked-data page of ``iri``: its queries, the labels of what they found, its dossier
    when it is an actor, proposal, precedent, event or article (unless ``?view=raw`` asks for the
    plain page: every link and the evidence), the view."""
    base = _base()
    raw = _arg("view") == "raw"
    data = queries.fetch(iri, base, dossier=lambda types: not raw and kind_of(types) is not None)
    shown = data.mentioned()
    terms = Terms(base, queries.labels(shown), queries.drafts(shown))
    highlight = _arg("highlight") if data.text is not None else None
    dossier = None
    if not raw:
        dossier = dossiers.dossier(
            iri,
            queries.types_of(data.facts),
            terms,
            lambda target: local_href(target, base, terms.root) if target.startswith(base) else None,
            data.text,
            highlight,
        )
    view = resource_view(data, terms, highlight)
    if dossier is not None:
        view["inbound_truncated"] = len(data.inbound) >= queries.DOSSIER_INBOUND_LIMIT
    return {**view, "dossier": dossier}


def _html(iri: str) -> str:
    """The HTML page of ``iri``. A dossier page whose panels all answered is kept while the build
    is unchanged (service/views/dossier_cache.py: the store does not change between builds), by
    its path and query string and the state of the stored queries (an edited panel query renders it
    anew); ``Cache-Control: no-cache`` renders it again."""
    build = dossier_cache.build_id()
    key = (request.full_path, request.script_root, dossier_cache.queries_state(dossiers.queries_dir()))
    if build is not None and not dossier_cache.fresh_requested():
        kept = dossier_cache.page_cache().get(build, key)
        if kept is not None:
            return kept
    page = _page(iri)
    html = render_template("resource.html", page=page, root=request.script_root)
    dossier = page["dossier"]
    answered = dossier is not None and all(panel["error"] is None for panel in dossier["panels"])
    if build is not None and answered and dossier_cache.build_id() == build:  # not when a build switched mid-way
        dossier_cache.page_cache().put(build, key, html)
    return html


@blueprint.get("/static/dossier.css")
def dossier_style() -> Response:
    """The dossier pages' stylesheet (service/static/dossier.css): a file, so pages keep style-src 'self'."""
    return send_from_directory(Path(__file__).resolve().parents[1] / "static", "dossier.css", max_age=3600)


@blueprint.get("/<path:path>")
def resource(path: str) -> Response:
    fmt = _arg("format")
    if fmt is not None and fmt not in FORMATS:
        raise ApiError(400, f"unknown format {fmt!r}; use one of: html, ttl, jsonld, nt")
    media = FORMATS[fmt] if fmt else choose(request.headers.get("Accept"), OFFERS)
    if media is None:
        raise ApiError(406, f"no acceptable format for this resource; offered: {', '.join(OFFERS)}")
    iri = iri_for_path(path, _base())
    if iri is None or not queries.exists(iri):
        raise ApiError(404, f"no resource {iri or '/' + path} in this dataset")
    headers = {"Vary": "Accept"}
    if media == "text/html":
        return Response(_html(iri), status=200, content_type="text/html; charset=utf-8", headers=headers)
    data, truncated = queries.describe(iri, media)
    if truncated:
        headers["X-PeaceKG-Truncated"] = "true"
    return Response(data, status=200, content_type=f"{media}; charset=utf-8", headers=headers)


def _search_words(path: str) -> str:
    """What to search for when a path names nothing: its last segment's words (``volodymyr-zelenskyy``
    -> ``volodymyr zelenskyy``)."""
    last = path.rstrip("/").rsplit("/", 1)[-1]
    return " ".join(re.split(r"[-_.~+%\s]+", last)).strip()[:100]


@blueprint.errorhandler(ApiError)
def _error(error: ApiError) -> Response:
    if not _wants_html():
        return error_response(error.status, error.message, error.position, error.headers)
    html = render_template(
        "error.html",
        status=error.status,
        phrase=HTTPStatus(error.status).phrase,
        message=error.message,
        search=_search_words(request.path) if error.status == 404 else None,
        root=request.script_root,
    )
    return Response(html, status=error.status, content_type="text/html; charset=utf-8", headers=error.headers)


blueprint.after_request(html_security_headers(SECURITY_HEADERS))
