"""The plots of kg.plots.charts on the web: ``GET /plots`` is a page showing them all, and
``GET /plots/<name>.svg`` and ``GET /plots/<name>.png`` are the images, drawn from the current store.

Each plot's query runs through the worker pool (time and row limits, the one error shape); the
drawing happens here, in the web process (kg.plots.charts serialises it behind a lock). Rendered images
are kept per build: while the current build is unchanged a plot is drawn once. Every image has a
strong ETag (a hash of its bytes, stable across restarts because the output is reproducible) and
``Cache-Control: no-cache``, so browsers revalidate and get 304 until the graph changes. When the
service accepts writes (updates on) the graph can change without a new build, so nothing is kept:
each request draws anew, and the ETag still spares unchanged bytes.
"""

from __future__ import annotations

import hashlib
import json
import threading
from pathlib import Path

from flask import Blueprint, Response, current_app, render_template, request

from kg.plots.charts import FORMATS, PLOTS, render
from kg.queries.client import frame_from_json
from kg.store.builds import current_build
from service.errors import ApiError, html_security_headers
from service.execution.outcomes import collect
from service.execution.workers import Job
from service.state import state

blueprint = Blueprint("plots", __name__)

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; style-src 'self' 'unsafe-inline'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
# An image opened on its own runs nothing and loads nothing (matplotlib's SVG has one <style>).
IMAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'"


class _Cache:
    """Rendered plots of one build: {(name, format): (bytes, etag)}; emptied when the build changes."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.build: str | None = None
        self.items: dict[tuple[str, str], tuple[bytes, str]] = {}

    def get(self, build: str, key: tuple[str, str]) -> tuple[bytes, str] | None:
        with self.lock:
            return self.items.get(key) if build == self.build else None

    def put(self, build: str, key: tuple[str, str], value: tuple[bytes, str]) -> None:
        with self.lock:
            if build != self.build:
                self.build, self.items = build, {}
            self.items[key] = value


def _cache() -> _Cache:
    return state().caches.setdefault("plots", _Cache())


def _frames(query: str):
    settings = current_app.config["PEACEKG"]
    job = Job(query, "application/sparql-results+json", [], [], union=True, max_rows=settings.max_result_rows)
    data, truncated = collect(job, what="the plot's query", evaluation_status=500)
    return frame_from_json(json.loads(data), truncated=truncated)


def _build_id() -> str | None:
    build = current_build(Path(current_app.config["PEACEKG"].build_dir))
    return build.name if build is not None else None


def _writable() -> bool:
    return state().writer is not None


def _image(name: str, fmt: str) -> tuple[bytes, str]:
    before = _build_id()
    if before is None:
        raise ApiError(503, "no built store: run `peacekg build`")
    cached = None if _writable() else _cache().get(before, (name, fmt))
    if cached is not None:
        return cached
    data = render(name, fmt, _frames)
    value = (data, '"' + hashlib.sha256(data).hexdigest()[:32] + '"')
    if not _writable() and _build_id() == before:  # a build switched mid-way: not kept
        _cache().put(before, (name, fmt), value)
    return value


@blueprint.get("/plots")
def plots_page() -> Response:
    html = render_template("plots.html", plots=list(PLOTS.values()), root=request.script_root)
    return Response(html, status=200, content_type="text/html; charset=utf-8")


@blueprint.get("/plots/<name>.<any(svg, png):fmt>")
def plot_image(name: str, fmt: str) -> Response:
    if name not in PLOTS:
        raise ApiError(404, f"no plot {name!r}; plots: {', '.join(sorted(PLOTS))}")
    data, etag = _image(name, fmt)
    headers = {
        "ETag": etag,
        "Cache-Control": "no-cache",
        "Content-Security-Policy": IMAGE_CSP,
        "Content-Disposition": f'inline; filename="peacekg-{name}.{fmt}"',
    }
    if (
        etag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]
        or request.headers.get("If-None-Match", "").strip() == "*"
    ):
        return Response(status=304, headers=headers)
    return Response(data, status=200, content_type=FORMATS[fmt], headers=headers)


blueprint.after_request(html_security_headers(SECURITY_HEADERS))
