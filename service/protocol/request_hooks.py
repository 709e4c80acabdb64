"""What the app does around every request, in one place for both ways a request is dispatched
(Flask's, and the WSGI-level dispatch of /sparql reads in service.protocol.hot_route): the Host
check before it, and the headers every response carries after it (X-Content-Type-Options and the
CORS headers of service.cors; a view's own value wins)."""

from __future__ import annotations

from flask import Request, Response, request

from service import cors
from service.errors import ApiError


class RequestHooks:
    def __init__(self, allow_origin: str) -> None:
        self.allow_origin = allow_origin  # '' turns CORS off (service.cors)
        self.every_response = [("X-Content-Type-Options", "nosniff"), *cors.response_headers(allow_origin)]

    @staticmethod
    def check_host(req: Request) -> None:
        # IRIs the service mints from the request (the endpoint as base IRI, direct graph names,
        # Location headers) need a host; HTTP/1.1 requires one.
        host = req.host
        if not host or host.startswith(":"):
            raise ApiError(400, "the request has no Host header (HTTP/1.1 requires one)")

    def before(self) -> Response | None:
        """Flask's before-request hook: the Host check, then CORS preflights (OPTIONS)."""
        self.check_host(request)
        return cors.preflight(self.allow_origin) if self.allow_origin else None

    def after(self, response: Response) -> Response:
        """Flask's after-request hook (and the hot route's): the headers every response carries."""
        headers = response.headers
        for name, value in self.every_response:
            if name not in headers:  # a view's own value wins (setdefault)
                headers.add(name, value)
        return response
