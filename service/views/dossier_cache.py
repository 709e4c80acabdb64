"""Panel results kept per build: a dossier's panels are stored queries over a store that does not
change between builds, so while the current build is the same, the rows of one panel query for one
individual are the same too and need not be computed again (the heaviest actor's agreements take
most of a second at 1,000 articles).

Keyed by the build's id (its directory name under ``store/builds``), the stored query's name and a
hash of its text (an edited ``.rq`` file is a new key), the parameter and the individual. Only
successful results are kept; errors and time-outs are run again next time. A request with
``Cache-Control: no-cache`` (a browser's hard reload; the render benchmark's cold timings) runs
the panels again and keeps the fresh rows. When the service
accepts writes (updates on) the graph changes without a new build, so nothing is kept. Bounded by
the rows it holds (least recently used panels dropped first) and emptied when the build changes."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

from flask import current_app

from kg.store.builds import current_build
from service.state import state

MAX_ROWS_KEPT = 60_000  # rows of all kept panels together (a panel reads at most 500)

Key = tuple[str, str, str, str]  # (query name, text hash, parameter, individual)
Value = tuple[list[Any], bool]  # (rows, truncated)


class PanelCache:
    """Panel results of one build: LRU, bounded by the total of their rows."""

    def __init__(self, max_rows: int = MAX_ROWS_KEPT) -> None:
        self.lock = threading.Lock()
        self.build: str | None = None
        self.items: OrderedDict[Key, Value] = OrderedDict()
        self.rows = 0
        self.max_rows = max_rows

    def get(self, build: str, key: Key) -> Value | None:
        with self.lock:
            if build != self.build or key not in self.items:
                return None
            self.items.move_to_end(key)
            return self.items[key]

    def put(self, build: str, key: Key, value: Value) -> None:
        with self.lock:
            if build != self.build:
                self.build, self.items, self.rows = build, OrderedDict(), 0
            if len(value[0]) > self.max_rows:
                return
            old = self.items.pop(key, None)
            if old is not None:
                self.rows -= len(old[0])
            self.items[key] = value
            self.rows += len(value[0])
            while self.rows > self.max_rows:
                _, dropped = self.items.popitem(last=False)
                self.rows -= len(dropped[0])


def key(query_name: str, text: str, param: str, iri: str) -> Key:
    return query_name, hashlib.sha256(text.encode("utf-8")).hexdigest()[:16], param, iri


def build_id() -> str | None:
    """The current build's id, or None when results must not be kept (no build; updates on)."""
    if state().writer is not None:
        return None
    build = current_build(Path(current_app.config["PEACEKG"].build_dir))
    return build.name if build is not None else None


def panel_cache() -> PanelCache:
    return state().caches.setdefault("dossier-panels", PanelCache())
