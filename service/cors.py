"""Cross-origin access by the CORS protocol of the Fetch standard, on when the setting
``cors_allow_origin`` is non-empty ('' turns it off: no CORS header at all).

- Every response carries ``Access-Control-Allow-Origin`` (the setting's value) and
  ``Access-Control-Expose-Headers``.
- A preflight (OPTIONS with ``Origin`` and ``Access-Control-Request-Method``) to a route is answered
  204 with the methods that route allows (writes only when updates are on), an explicit list of the
  request headers the service reads (never the requested list reflected: the browser then refuses
  an actual request that would send others), ``Access-Control-Max-Age`` and ``Vary``.
- ``Access-Control-Allow-Credentials`` is never sent: a write carries a bearer token the page must
  know, never a cookie. Browsers allow GET, HEAD and POST whatever the preflight lists, so it is the
  token (service.auth: 401/403), not the methods list, that keeps writes safe."""

from __future__ import annotations

from flask import Response, request
from werkzeug.routing import Rule

from service.state import state

# The request headers the service reads: negotiation, the bearer token, the body's media type, and
# the conditional and range requests of plots and static files.
ALLOW_HEADERS = ("Accept", "Authorization", "Content-Type", "If-Modified-Since", "If-None-Match", "Range")
# What a page on another origin may read beyond the CORS-safelisted headers: that a result was cut,
# where a created graph is (201), when to retry (429/503) and which authentication is asked (401).
EXPOSE_HEADERS = "X-PeaceKG-Truncated, Location, Retry-After, WWW-Authenticate"
MAX_AGE_S = 600  # browsers cache a preflight this long (Chromium caps it at 7200)
PREFLIGHT_VARY = ("Origin", "Access-Control-Request-Method", "Access-Control-Request-Headers")
METHOD_ORDER = ("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH")
READS = frozenset({"GET", "HEAD"})
QUERY_BY_POST = frozenset({"sparql.sparql"})  # endpoints where POST reads too (a query in the body)


def allowed_methods(rule: Rule, writable: bool) -> list[str]:
    """The methods a cross-origin page may use on ``rule``: its reads, and its writes only when
    the service takes writes."""
    methods = set(rule.methods or ()) - {"OPTIONS"}
    if not writable:
        methods &= READS | ({"POST"} if rule.endpoint in QUERY_BY_POST else set())
    return sorted(methods, key=lambda m: (METHOD_ORDER.index(m) if m in METHOD_ORDER else len(METHOD_ORDER), m))


def _is_preflight() -> bool:
    return (
        request.method == "OPTIONS"
        and "Origin" in request.headers
        and "Access-Control-Request-Method" in request.headers
    )


def preflight(allow_origin: str) -> Response | None:
    """The answer to a preflight request (204 with what the route allows); None for any other
    request, and for a route that does not exist (Flask's own 404/405)."""
    if not _is_preflight():
        return None
    rule = request.url_rule
    if rule is None:
        return None
    response = Response(status=204)
    del response.headers["Content-Type"]  # no body, so no media type (and no HTML-only headers)
    writable = state().writer is not None
    response.headers["Access-Control-Allow-Origin"] = allow_origin
    response.headers["Access-Control-Allow-Methods"] = ", ".join(allowed_methods(rule, writable))
    response.headers["Access-Control-Allow-Headers"] = ", ".join(ALLOW_HEADERS)
    response.headers["Access-Control-Max-Age"] = str(MAX_AGE_S)
    for name in PREFLIGHT_VARY:
        response.vary.add(name)
    return response


def response_headers(allow_origin: str) -> list[tuple[str, str]]:
    """The CORS headers of every actual response (none when ``allow_origin`` is '')."""
    if not allow_origin:
        return []
    return [("Access-Control-Allow-Origin", allow_origin), ("Access-Control-Expose-Headers", EXPOSE_HEADERS)]
