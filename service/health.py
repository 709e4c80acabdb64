"""/health and /metrics: is the store there, and what the service has done."""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

from flask import Blueprint, current_app, jsonify

from kg.store.builds import current_build, read_manifest
from service.errors import ApiError
from service.execution.outcomes import collect
from service.execution.workers import Job
from service.state import state

blueprint = Blueprint("health", __name__)


@dataclass
class Metrics:
    queries: int = 0
    errors: int = 0
    timeouts: int = 0
    busy: int = 0
    limited: int = 0  # refused with 429: the client had too many queries running
    inline: int = 0  # lookups answered in the request thread (setting inline_lookups; service.execution.inline)
    rewritten: int = 0  # queries the worker ran rewritten (setting query_rewrite; kg.sparql.rewrite)
    rewrite_rules: dict[str, int] = field(default_factory=dict)  # how often each rule applied
    # the latest 10,000: a deque drops the oldest in O(1) (a list's del [:-10000] moved 10,000 floats per query)
    latencies_ms: deque[float] = field(default_factory=lambda: deque(maxlen=10000))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, outcome: str, latency_ms: float) -> None:
        with self.lock:
            self.queries += 1
            if outcome == "error":
                self.errors += 1
            elif outcome == "timeout":
                self.timeouts += 1
            elif outcome == "busy":
                self.busy += 1
            elif outcome == "limited":
                self.limited += 1
            self.latencies_ms.append(latency_ms)

    def record_inline(self) -> None:
        with self.lock:
            self.inline += 1

    def record_rewrite(self, rules: tuple[str, ...]) -> None:
        with self.lock:
            self.rewritten += 1
            for rule in rules:
                self.rewrite_rules[rule] = self.rewrite_rules.get(rule, 0) + 1

    def snapshot(self) -> dict:
        with self.lock:
            ordered = sorted(self.latencies_ms)

            def pct(p: float) -> float | None:
                return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))], 2) if ordered else None

            return {
                "queries": self.queries,
                "errors": self.errors,
                "timeouts": self.timeouts,
                "busy": self.busy,
                "limited": self.limited,
                "inline": self.inline,
                "rewritten": {"queries": self.rewritten, "rules": dict(sorted(self.rewrite_rules.items()))},
                "latency_ms": {"p50": pct(0.50), "p95": pct(0.95), "p99": pct(0.99)},
            }


@blueprint.get("/health")
def health():
    settings = current_app.config["PEACEKG"]
    if settings.store_url:
        try:
            collect(
                Job("ASK {}", "application/sparql-results+json", [], [], union=True, max_rows=1),
                what="the health check",
            )
        except ApiError as error:
            return jsonify(
                {"status": "unavailable", "store": {"remote": settings.store_url}, "message": error.message}
            ), 503
        return jsonify({"status": "ok", "store": {"remote": settings.store_url}})
    build = current_build(Path(settings.build_dir))
    if build is None:
        return jsonify({"status": "unavailable", "store": None, "message": "no built store: run `peacekg build`"}), 503
    manifest = read_manifest(build)
    return jsonify(
        {
            "status": "ok",
            "store": {
                "build": manifest.get("build"),
                "created": manifest.get("created"),
                "graphs": manifest.get("graphs"),
            },
        }
    )


@blueprint.get("/metrics")
def metrics():
    pool = state().pool
    data = state().metrics.snapshot()
    data["workers_replaced"] = pool.replaced
    return jsonify(data)
