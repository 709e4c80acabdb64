"""Federation policy: which endpoints a request may make this server call.

The engine (pyoxigraph) fetches SERVICE endpoints and LOAD sources itself, over HTTP, from the
server's network position. Left open, that lets any client make the server send requests to any
host it can reach (server-side request forgery: cloud metadata addresses, admin interfaces on
loopback). So every SERVICE endpoint must be on the allow-list of the ``federation_endpoints``
setting (empty: federation off), variables as endpoint names are refused, and LOAD is refused
outright (data is uploaded with the Graph Store Protocol instead).

An allow-list entry ``IRI=URL`` also routes: calls to IRI go to URL (a mirror, a cache, or a local
stand-in for tests); the query's text is changed only in that one token.
"""

from __future__ import annotations

from dataclasses import dataclass

from kg.sparql.lexer import mentions, operation_keywords, service_calls
from service.errors import ApiError


@dataclass(frozen=True)
class Policy:
    routes: dict[str, str]  # allowed endpoint IRI -> where calls to it go

    @classmethod
    def from_setting(cls, value: str) -> Policy:
        routes = {}
        for entry in value.split():
            name, _, route = entry.partition("=")
            routes[name] = route or name
        return cls(routes)

    def describe(self) -> str:
        return ", ".join(f"<{name}>" for name in sorted(self.routes)) or "none (federation is off)"


def check_query(text: str, policy: Policy) -> str:
    """``text`` with allowed SERVICE calls routed; ApiError 403 for any call not allowed."""
    edits = []
    for call in service_calls(text):
        if call.endpoint is None:
            raise ApiError(
                403,
                f"SERVICE {call.written or '(missing name)'}: the endpoint must be an absolute IRI "
                f"on the allow-list, not a variable or unresolvable name; allowed: {policy.describe()}",
            )
        route = policy.routes.get(call.endpoint)
        if route is None:
            raise ApiError(
                403,
                f"SERVICE <{call.endpoint}> is not allowed on this service; allowed endpoints: "
                f"{policy.describe()} (setting federation_endpoints)",
            )
        if route != call.endpoint and call.token is not None:
            edits.append((call.token.start, call.token.start + len(call.token.text), f"<{route}>"))
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text


def check_update(text: str, policy: Policy) -> str:
    """Like check_query, and LOAD is refused: it would fetch a URL from the server."""
    load = next((t for t in operation_keywords(text) if t.keyword == "LOAD"), None) if mentions(text, "load") else None
    if load is not None:
        raise ApiError(
            403,
            f"LOAD (offset {load.start}) is not allowed: it makes the server fetch a URL; "
            "upload the data with the Graph Store Protocol (PUT or POST /store) instead",
        )
    return check_query(text, policy)
