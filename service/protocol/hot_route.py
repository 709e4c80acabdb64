"""The one hot route, /sparql reads (GET and HEAD with a query string), dispatched at the WSGI
level: Flask's request dispatch (a request context, URL matching twice, the hooks' wrappers, the
null session, signals) costs a lookup about as much as the query itself (bench/README.md,
"Lookups"). What runs instead is the same code, not a second implementation: the protocol
(:func:`service.protocol.sparql.answer`: parameters, negotiation, limits, the job), the app's
hooks (:class:`service.protocol.request_hooks.RequestHooks`: the Host check, the headers every response
carries), in the app's context (its config and state); werkzeug's response answers HEAD without
a body as it does for Flask. Errors go through Flask's own handling (a request context is pushed
for them), so the error shape, its headers and the after-request hook are the ones every route
has.

Every other request (POST, OPTIONS, any other path, /sparql without a query string) is Flask's.
The route is taken only while the app has no hook, teardown or URL processor beyond the ones
named here (checked on the first request, when every blueprint is registered): anything added to
the app later that a /sparql read would have run sends them all back through Flask.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask

from service.protocol.request_hooks import RequestHooks
from service.protocol.sparql import answer

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
ENDPOINT = "sparql.sparql"


class HotRoute:
    """A WSGI middleware in front of Flask's ``wsgi_app``."""

    def __init__(self, app: Flask, flask_wsgi: WSGIApp, hooks: RequestHooks) -> None:
        self.app, self.flask_wsgi, self.hooks = app, flask_wsgi, hooks
        self.usable: bool | None = None  # decided on the first request (_only_our_hooks)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if (
            environ.get("PATH_INFO") != "/sparql"
            or environ.get("REQUEST_METHOD") not in ("GET", "HEAD")
            or not environ.get("QUERY_STRING")
        ):
            return self.flask_wsgi(environ, start_response)
        if self.usable is None:
            self.usable = self._only_our_hooks()
        if not self.usable:
            return self.flask_wsgi(environ, start_response)
        app = self.app
        request = app.request_class(environ)
        with app.app_context():
            try:
                self.hooks.check_host(request)
                response = self.hooks.after(answer(request, app))
            except Exception as exc:  # the one error shape, by Flask's own handlers and hooks
                with app.request_context(environ):
                    try:
                        response = app.finalize_request(app.handle_user_exception(exc))
                    except Exception as unhandled:
                        response = app.handle_exception(unhandled)
        preserve = environ.get("werkzeug.debug.preserve_context")
        if preserve is not None:  # Flask's test client keeps the last request's contexts, as Flask's
            # wsgi_app hands them over: the same here, so that tests read flask.request afterwards
            request_context = app.request_context(environ)
            preserve(app.app_context())
            preserve(request_context)
        return response(environ, start_response)

    def _only_our_hooks(self) -> bool:
        """Whether Flask's dispatch of a /sparql read would run nothing beyond what this route runs:
        the app's hooks are exactly ``hooks``' two, the sparql blueprint and the app have no
        other hook, teardown, URL processor or template context, the route is ours, and routing
        does not depend on the host (SERVER_NAME, subdomains)."""
        app = self.app
        scopes = (None, "sparql")
        hooks_ok = app.before_request_funcs.get(None) == [self.hooks.before] and app.after_request_funcs.get(None) == [
            self.hooks.after
        ]
        others = (
            app.before_request_funcs.get("sparql"),
            app.after_request_funcs.get("sparql"),
            *(app.teardown_request_funcs.get(s) for s in scopes),
            *(app.url_value_preprocessors.get(s) for s in scopes),
            *(app.url_default_functions.get(s) for s in scopes),
            app.teardown_appcontext_funcs,
        )
        rules = [rule for rule in app.url_map.iter_rules() if rule.rule == "/sparql"]
        return (
            hooks_ok
            and not any(others)
            and len(rules) == 1
            and rules[0].endpoint == ENDPOINT
            and not app.config.get("SERVER_NAME")
            and not app.url_map.host_matching
        )
