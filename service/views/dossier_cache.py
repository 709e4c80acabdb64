"""Dossier results kept per build: a dossier's panels are stored queries over a store that does not
change between builds, so while the current build is the same, the rows of one panel query for one
individual are the same too and need not be computed again (the heaviest actor's agreements take
most of a second at 1,000 articles).

Keyed by the build's id (its directory name under ``store/builds``), the stored query's name and a
hash of its text (an edited ``.rq`` file is a new key), the parameter and the individual. Only
successful results are kept; errors and time-outs are run again next time. A request with
``Cache-Control: no-cache`` (a browser's hard reload; the render benchmark's cold timings) runs
the panels again and keeps the fresh rows. When the service
accepts writes (updates on) the graph changes without a new build, so nothing is kept. Bounded by
the rows it holds (least recently used panels dropped first) and emptied when the build changes.

The dossier pages themselves (their HTML, by path and query string) are kept the same way,
bounded by their bytes, when every panel answered (service/views/pages.py)."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any, Generic, TypeVar

from flask import current_app, request

from kg.store.builds import current_build
from service.state import state

MAX_ROWS_KEPT = 60_000  # rows of all kept panels together (a panel reads at most 500)
MAX_PAGE_BYTES_KEPT = 32_000_000  # HTML of all kept dossier pages together (Russia's: 0.7 MB)

Key = tuple[str, ...]  # panels: (query name, text hash, parameter, individual); pages: (path, root, queries)
Value = TypeVar("Value")


def _rows(value: Any) -> int:
    return len(value[0])


class PerBuild(Generic[Value]):
    """Values of one build: LRU, bounded by the total of their sizes (a panel result's rows by
    default)."""

    def __init__(self, max_size: int = MAX_ROWS_KEPT, size: Callable[[Value], int] = _rows) -> None:
        self.lock = threading.Lock()
        self.build: str | None = None
        self.items: OrderedDict[Key, Value] = OrderedDict()
        self.total = 0
        self.max_size, self.size = max_size, size

    def get(self, build: str, key: Key) -> Value | None:
        with self.lock:
            if build != self.build or key not in self.items:
                return None
            self.items.move_to_end(key)
            return self.items[key]

    def put(self, build: str, key: Key, value: Value) -> None:
        with self.lock:
            if build != self.build:
                self.build, self.items, self.total = build, OrderedDict(), 0
            if self.size(value) > self.max_size:
                return
            old = self.items.pop(key, None)
            if old is not None:
                self.total -= self.size(old)
            self.items[key] = value
            self.total += self.size(value)
            while self.total > self.max_size:
                _, dropped = self.items.popitem(last=False)
                self.total -= self.size(dropped)


def key(query_name: str, text: str, param: str, iri: str) -> Key:
    """A panel result's key."""
    return query_name, hashlib.sha256(text.encode("utf-8")).hexdigest()[:16], param, iri


def build_id() -> str | None:
    """The current build's id, or None when results must not be kept (no build; updates on)."""
    if state().writer is not None:
        return None
    build = current_build(Path(current_app.config["PEACEKG"].build_dir))
    return build.name if build is not None else None


def panel_cache() -> PerBuild[tuple[list[Any], bool]]:
    """(rows, truncated) by panel query and individual."""
    return state().caches.setdefault("dossier-panels", PerBuild())


def page_cache() -> PerBuild[str]:
    """Dossier pages' HTML by path and query string."""
    return state().caches.setdefault("dossier-pages", PerBuild(MAX_PAGE_BYTES_KEPT, len))


def queries_state(folder: Path) -> str:
    """A fingerprint of the stored queries' files (names, sizes, modification times): a kept page
    is not served once a panel's query was edited."""
    stats = sorted((f.name, f.stat().st_size, f.stat().st_mtime_ns) for f in Path(folder).glob("*.rq"))
    return hashlib.sha256(repr(stats).encode("utf-8")).hexdigest()[:16]


def fresh_requested() -> bool:
    """`Cache-Control: no-cache` (a browser's hard reload; the benchmark's fresh timings)."""
    return bool(request.cache_control.no_cache)
