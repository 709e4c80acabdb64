"""What one app instance holds beside Flask's own state, typed: the query pool, the lookups run in
the request thread, metrics, limits,
the federation policy and, with updates on, the token and the single writer. ``create_app`` makes
it; views and hooks read it through :func:`state` instead of string keys in ``app.extensions``.
The settings stay where Flask keeps configuration, ``app.config["PEACEKG"]``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from flask import Flask, current_app

if TYPE_CHECKING:
    from service.execution.client_limits import ClientSlots
    from service.execution.inline import InlineLookups
    from service.execution.remote_pool import RemotePool
    from service.execution.workers import WorkerPool
    from service.execution.writer import Writer
    from service.health import Metrics
    from service.protocol.federation import Policy

EXTENSION = "peacekg"


@dataclass
class ServiceState:
    pool: WorkerPool | RemotePool
    metrics: Metrics
    client_slots: ClientSlots
    federation: Policy
    update_token: str | None = None  # set only when updates are on
    writer: Writer | None = None  # set only when updates are on
    inline: InlineLookups | None = None  # lookups in the request thread (setting inline_lookups)
    caches: dict[str, Any] = field(default_factory=dict)  # per-app caches (plots, the VoID description)


def state(app: Flask | None = None) -> ServiceState:
    """The state of ``app`` (default: the app handling the current request)."""
    found: ServiceState = (app or current_app).extensions[EXTENSION]
    return found
