"""The PeaceKG HTTP service: a Flask app factory over the store built by ``peacekg build``.

from service import create_app
app = create_app(settings)      # settings: kg.settings.Settings; default: load_settings()
"""

from __future__ import annotations

import atexit
from pathlib import Path

from flask import Flask

from kg.errors import ConfigError
from kg.settings import Settings, load_settings
from service import errors, health
from service.auth import load_token
from service.execution.client_limits import ClientSlots
from service.execution.inline import InlineLookups
from service.execution.remote_pool import RemotePool
from service.execution.workers import WorkerPool
from service.execution.writer import Writer
from service.protocol import graph_store, sparql
from service.protocol.federation import Policy
from service.protocol.hot_route import HotRoute
from service.protocol.request_hooks import RequestHooks
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
    if settings.inline_lookups and isinstance(pool, WorkerPool):  # a remote store answers everything itself
        app_state.inline = InlineLookups(Path(settings.build_dir), max_offset=settings.max_result_rows)
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
    # every response carries. /sparql reads skip Flask's dispatch but run the same hooks and the
    # same protocol code (service.protocol.hot_route).
    hooks = RequestHooks(settings.cors_allow_origin)
    app.before_request(hooks.before)
    app.after_request(hooks.after)
    app.wsgi_app = HotRoute(app, app.wsgi_app, hooks)  # type: ignore[method-assign]

    return app
