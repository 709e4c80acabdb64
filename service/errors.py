"""The one error shape of the HTTP service: JSON with status, error, message and, for SPARQL
syntax errors, the position in the query. No stack traces, no secrets."""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from flask import Flask, Response, jsonify
from werkzeug.exceptions import HTTPException


class ApiError(Exception):
    """An error to send to the client with an explicit status."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        position: dict[str, int] | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(message)
        self.status = status
        self.message = message
        self.position = position
        self.headers = headers or {}


def error_body(status: int, message: str, position: dict[str, int] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"status": status, "error": HTTPStatus(status).phrase, "message": message}
    if position:
        body["position"] = position
    return body


def error_response(
    status: int, message: str, position: dict[str, int] | None = None, headers: dict[str, str] | None = None
) -> Response:
    response = jsonify(error_body(status, message, position))
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def html_security_headers(headers: dict[str, str]) -> Callable[[Response], Response]:
    """An after-request hook that sets ``headers`` on HTML responses (CSP, frame options…)."""

    def hook(response: Response) -> Response:
        if response.mimetype == "text/html":
            for name, value in headers.items():
                response.headers[name] = value
        return response

    return hook


def register(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def _api(error: ApiError) -> Response:
        return error_response(error.status, error.message, error.position, error.headers)

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> Response:  # 404, 405, 413… raised by Flask/Werkzeug
        valid_methods = getattr(error, "valid_methods", None)  # set on 405 (MethodNotAllowed)
        headers = {"Allow": ", ".join(valid_methods)} if valid_methods else None
        return error_response(
            error.code or 500, error.description or HTTPStatus(error.code or 500).phrase, headers=headers
        )
