"""The PeaceKG HTTP service: a Flask app factory over the store built by ``peacekg build``.

from service import create_app
app = create_app(settings)      # settings: kg.settings.Settings; default: load_settings()
"""

from __future__ import annotations

import atexit
from pathlib import Path

from flask import Flask, Response, request

from kg.errors import ConfigError
from kg.settings import Settings, load_settings
from service import cors, errors, health
from service.auth import load_token
from service.execution.client_limits import ClientSlots
from service.execution.remote_pool import RemotePool
from service.execution.workers import WorkerPool
from service.execution.writer import Writer
from service.protocol import graph_store, sparql
from service.protocol.federation import Policy
from service.state import EXTENSION, ServiceState
from service.views import dataset, openapi, pages, plots, query_page, stored_queries


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or load_settings()
    app = Flask(__name__)
    app.config["PEACEKG"] = settings
    app.config["MAX_CONTENT_LENGTH"] = settings.max_request_bytes
    app.config["MAX_FORM_MEMORY_SIZE"] = settings.max_request_bytes
    if settings.store_url:  # fronting a remote engine: same interface, queries sent over HTTP
        if settings.updates:
            raise ConfigError(
                "setting 'updates' cannot be on with store_url: write to the remote store directly "
                "(e.g. `peacekg push`)",
                field="updates",
            )
        pool: RemotePool | WorkerPool = RemotePool(
            settings.store_url, settings.query_workers * 4, settings.queue_timeout_s
        )
    else:
        pool = WorkerPool(Path(settings.build_dir), settings.query_workers, settings.queue_timeout_s)
    atexit.register(pool.close)
    app_state = ServiceState(
        pool=pool,
        metrics=health.Metrics(),
        client_slots=ClientSlots(settings.max_queries_per_client),
        federation=Policy.from_setting(settings.federation_endpoints),
        update_token=load_token(settings),  # ConfigError when updates are on without a token
    )
    if app_state.update_token is not None:
        app_state.writer = Writer(
            Path(settings.build_dir),
            grace_s=2 * settings.query_timeout_s + 30,
            protect=settings.protect_built_graphs,
            queue_timeout_s=settings.queue_timeout_s,
        )
        atexit.register(app_state.writer.close)
    app.extensions[EXTENSION] = app_state
    errors.register(app)
    app.register_blueprint(sparql.blueprint)
    app.register_blueprint(graph_store.blueprint)
    app.register_blueprint(dataset.blueprint)
    app.register_blueprint(health.blueprint)
    app.register_blueprint(pages.blueprint)
    app.register_blueprint(query_page.blueprint)
    app.register_blueprint(plots.blueprint)
    app.register_blueprint(stored_queries.blueprint)
    app.register_blueprint(openapi.blueprint)

    # One hook before and one after each request (each hook is a call Flask wraps and checks for
    # every request, lookups included): the Host check and CORS preflights, then the headers
    # every response carries.
    allow_origin = settings.cors_allow_origin  # '' turns CORS off (service.cors)
    every_response = [("X-Content-Type-Options", "nosniff"), *cors.response_headers(allow_origin)]

    @app.before_request
    def _before() -> Response | None:
        # IRIs the service mints from the request (the endpoint as base IRI, direct graph names,
        # Location headers) need a host; HTTP/1.1 requires one.
        host = request.host
        if not host or host.startswith(":"):
            raise errors.ApiError(400, "the request has no Host header (HTTP/1.1 requires one)")
        return cors.preflight(allow_origin) if allow_origin else None

    @app.after_request
    def _after(response: Response) -> Response:
        headers = response.headers
        for name, value in every_response:
            if name not in headers:  # a view's own value wins (setdefault)
                headers.add(name, value)
        return response

    return app
