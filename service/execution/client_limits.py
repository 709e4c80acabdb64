"""Fair use: at most ``max_queries_per_client`` queries of one client in flight at once (429 with
Retry-After beyond), so one script or crawler cannot hold every worker while others wait for a
503. A client is its address as the WSGI server sees it (``REMOTE_ADDR``); behind a reverse proxy,
have the proxy enforce its own per-client limits, since every request then comes from the proxy."""

from __future__ import annotations

import threading
from collections import Counter


class ClientSlots:
    def __init__(self, per_client: int):
        self.per_client = per_client
        self.lock = threading.Lock()
        self.in_flight: Counter[str] = Counter()

    def acquire(self, client: str) -> bool:
        """Take a slot for ``client``; False when it already has ``per_client`` queries running."""
        with self.lock:
            if self.per_client > 0 and self.in_flight[client] >= self.per_client:
                return False
            self.in_flight[client] += 1
            return True

    def release(self, client: str) -> None:
        with self.lock:
            self.in_flight[client] -= 1
            if self.in_flight[client] <= 0:
                del self.in_flight[client]
