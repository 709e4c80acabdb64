"""The review app's HTTP side: one page and a small JSON API over :class:`ReviewSession`.

====================================  ==============================================================
GET  /                                the page (the article chosen on the command line, or a list)
GET  /api/articles                    the corpus's articles, and which have an annotation file
GET  /api/articles/<id>               the text, regions, items, spans, errors, file version
POST /api/articles/<id>/save          ``{version, operations}`` → the new state (200); 409 when the
                                      file changed on disk since ``version`` or cannot be parsed
                                      (nothing written); 422 when the save would add errors
                                      (nothing written; ``issues``); 400 for a malformed request
GET  /api/reference/search?q=&date=   kg.annotations.lookup's matches (autocomplete)
GET  /api/vocabulary                  the schemes (stance, modality…), classes, statement types
====================================  ==============================================================

Only requests addressed to this machine by a loopback name are answered (a page of another site
cannot reach the app by DNS rebinding), and a save must be JSON (a cross-site form cannot send it
without a preflight, which the app never grants).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, Response, current_app, jsonify, render_template, request, send_from_directory

from kg.annotations.editing import EditError
from kg.annotations.saving import InvalidEditError, StaleFileError
from kg.errors import ConfigError, SourceSyntaxError
from kg.settings import Settings
from service.review.session import ReviewSession, issue_json

RECOGITO_DIST = Path(__file__).resolve().parents[1] / "web" / "node_modules" / "@recogito" / "text-annotator" / "dist"
LOOPBACK_NAMES = {"localhost", "127.0.0.1", "[::1]", "::1"}
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}

blueprint = Blueprint(
    "review", __name__, template_folder="templates", static_folder="static", static_url_path="/static/review"
)


def require_local_host(host: str) -> str:
    """``host`` if it is a loopback address or name; ConfigError otherwise (the app edits files and
    has no authentication, so it never listens where another machine can reach it)."""
    name = host.strip().strip("[]")
    if name == "localhost":
        return host
    try:
        if ipaddress.ip_address(name).is_loopback:
            return host
    except ValueError:
        pass
    raise ConfigError(f"peacekg review listens on 127.0.0.1 only (a loopback address), not {host!r}", field="host")


def create_review_app(settings: Settings, article: str | None = None) -> Flask:
    """The review app over the corpus of ``settings``; ``article``: the one the page opens first."""
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = 4 * 1024 * 1024
    app.extensions["peacekg_review"] = ReviewSession(settings)
    app.config["PEACEKG_REVIEW_ARTICLE"] = article
    if article is not None:
        app.extensions["peacekg_review"].article(article)  # EditError now, not on the first request
    app.register_blueprint(blueprint)

    @app.before_request
    def _loopback_only() -> Response | None:
        name = (request.host or "").rsplit(":", 1)[0] if not (request.host or "").startswith("[") else "[::1]"
        if name not in LOOPBACK_NAMES:
            return _error(403, f"the review app answers requests to 127.0.0.1 or localhost only, not {request.host!r}")
        return None

    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Cache-Control", "no-store")
        if response.mimetype == "text/html":
            response.headers.update(SECURITY_HEADERS)
        return response

    return app


def _session() -> ReviewSession:
    return current_app.extensions["peacekg_review"]


def _error(status: int, message: str, **extra: Any) -> Response:
    response = jsonify({"error": message, **extra})
    response.status_code = status
    return response


@blueprint.get("/")
def page() -> Response:
    html = render_template(
        "review.html",
        article=current_app.config.get("PEACEKG_REVIEW_ARTICLE") or "",
        installed=(RECOGITO_DIST / "text-annotator.umd.js").is_file(),
    )
    return Response(html, content_type="text/html; charset=utf-8")


@blueprint.get("/static/recogito/<path:filename>")
def recogito_asset(filename: str) -> Response:
    """@recogito/text-annotator's files, as npm installed them (never copied into the repository)."""
    return send_from_directory(RECOGITO_DIST, filename)


@blueprint.get("/favicon.ico")
def favicon() -> Response:
    return Response(status=204)  # no icon (a browser asks for one; a 404 would be logged as an error)


@blueprint.get("/api/articles")
def articles() -> Response:
    return jsonify(_session().article_list())


@blueprint.get("/api/vocabulary")
def vocabulary() -> Response:
    return jsonify(_session().vocabulary_json())


@blueprint.get("/api/reference/search")
def search() -> Response:
    text = request.args.get("q", "")
    date = None
    if request.args.get("date"):
        try:
            date = dt.date.fromisoformat(request.args["date"])
        except ValueError:
            return _error(400, f"date is YYYY-MM-DD, not {request.args['date']!r}")
    return jsonify(_session().search(text, date))


@blueprint.get("/api/articles/<article_id>")
def article_state(article_id: str) -> Response:
    try:
        return jsonify(_session().state(article_id))
    except EditError as exc:
        return _error(404, exc.message)


@blueprint.post("/api/articles/<article_id>/save")
def save(article_id: str) -> Response:
    body = request.get_json(silent=True) if request.is_json else None
    if not isinstance(body, dict):
        return _error(400, "a save is a JSON object {version, operations} sent as application/json")
    version, operations = body.get("version"), body.get("operations")
    if not isinstance(version, str) or not isinstance(operations, list):
        return _error(400, "a save needs 'version' (the file version it was loaded at) and 'operations' (a list)")
    session = _session()
    try:
        return jsonify(session.save(article_id, version, operations))
    except StaleFileError as exc:
        return _error(409, exc.message, stale=True)
    except SourceSyntaxError as exc:
        return _error(409, f"the annotation file cannot be parsed, so it is not changed: {exc}", readonly=True)
    except InvalidEditError as exc:
        return _error(422, exc.message, issues=[issue_json(i) for i in exc.issues])
    except EditError as exc:
        return _error(400, str(exc), field=exc.field)
