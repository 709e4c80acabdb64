"""The single writer: one process owns the live store (kg.store.live) and applies writes one at a time;
query workers read the generation it published last.

Like query workers, the writer can be killed: a write past ``update_timeout_s`` kills the
process (its transaction is never committed, so nothing is written) and the next write starts a
fresh one. Writes wait their turn on a lock for at most ``queue_timeout_s`` (then 503).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import sys
import threading
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from service.execution.workers import Busy, QueryFailed, QueryTimeout

START_TIMEOUT_S = 600.0  # making a live store of a large build copies no data, but may take a while


def _serve(conn: Connection, build_dir: str, grace_s: float, protect: bool) -> None:
    """The writer loop (runs in a child process)."""
    from kg.store.builds import StoreError
    from kg.store.live import open_live
    from service.execution import write_ops

    try:
        live = open_live(Path(build_dir), grace_s)
    except (StoreError, OSError) as exc:
        # The writer is a child process: its stderr is the server log.
        print(f"peacekg writer: cannot open the live store under {build_dir}: {exc}", file=sys.stderr, flush=True)  # noqa: T201
        conn.send(("error", "store", "cannot open the live store (the server's log says why)"))  # no paths to clients
        return
    conn.send(("ready", str(live.generation_path()), live.build_id))
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        operation, args = message[0], message[1:]
        try:
            if operation == "update":
                info = write_ops.sparql_update(live, protect, *args)
            elif operation in ("put", "post"):
                graph, parts, base_iri = args
                payloads = [write_ops.Payload(*part) for part in parts]
                info = getattr(write_ops, operation)(live, protect, graph, payloads, base_iri)
            elif operation == "delete":
                info = write_ops.delete(live, protect, *args)
            else:
                conn.send(("error", "evaluation", f"unknown write operation {operation!r}"))
                continue
            conn.send(("ok", str(live.commit(grace_s)), info))
        except write_ops.WriteRefused as exc:
            conn.send(("error", exc.kind, exc.message))
        except SyntaxError as exc:
            conn.send(("error", "syntax", str(exc)))
        except (OSError, ValueError, TypeError, RuntimeError) as exc:
            conn.send(("error", "evaluation", str(exc)))


class Writer:
    """The service's side of the writer process."""

    def __init__(self, build_dir: Path, *, grace_s: float, protect: bool, queue_timeout_s: float):
        self.context = multiprocessing.get_context("spawn")
        self.build_dir, self.grace_s, self.protect = str(build_dir), grace_s, protect
        self.queue_timeout_s = queue_timeout_s
        self.lock = threading.Lock()
        self.process: Any = None
        self.conn: Connection | None = None
        self.read_path: str | None = None
        self.build_id: str | None = None

    def _current_build_id(self) -> str | None:
        from kg.store.builds import current_build

        build = current_build(Path(self.build_dir))
        return build.name if build is not None else None

    def _stop(self) -> None:
        if self.process is not None and self.process.is_alive():
            self.process.kill()
        if self.process is not None:
            self.process.join(timeout=5)
        if self.conn is not None:
            self.conn.close()
        self.process = self.conn = None

    def _start(self) -> None:
        """A fresh writer process on the live store of the current build (made if needed)."""
        self._stop()
        parent, child = self.context.Pipe()
        self.process = self.context.Process(
            target=_serve, args=(child, self.build_dir, self.grace_s, self.protect), daemon=True
        )
        self.process.start()
        child.close()
        self.conn = parent
        if not parent.poll(START_TIMEOUT_S):
            self._stop()
            raise QueryFailed("store", "the writer did not start in time")
        try:
            message = parent.recv()
        except (EOFError, OSError):
            self._stop()
            raise QueryFailed("store", "the writer stopped while opening the live store") from None
        if message[0] != "ready":
            self._stop()
            raise QueryFailed("store", message[2])
        self.read_path, self.build_id = message[1], message[2]

    def _ensure_current(self) -> None:
        """Start the writer if needed, and move to a newer build when one became current."""
        if self.process is None or not self.process.is_alive() or self.build_id != self._current_build_id():
            self._start()

    def read_store(self) -> str:
        """The store folder queries should read (the newest published generation)."""
        if self.read_path is not None and self.build_id == self._current_build_id():
            return self.read_path
        if not self.lock.acquire(timeout=self.queue_timeout_s):
            raise Busy()
        try:
            self._ensure_current()
            assert self.read_path is not None
            return self.read_path
        finally:
            self.lock.release()

    def write(self, message: tuple, timeout_s: float) -> dict[str, Any]:
        """Apply one write; returns what the operation reports. Raises Busy (the writer stayed
        busy longer than the queue timeout), QueryTimeout (killed: nothing written) or
        QueryFailed (kind: syntax, protected, unchecked, notfound, unsupported, payload,
        evaluation, store)."""
        if not self.lock.acquire(timeout=self.queue_timeout_s):
            raise Busy()
        try:
            self._ensure_current()
            assert self.conn is not None
            deadline = time.monotonic() + timeout_s
            try:
                self.conn.send(message)
                if not self.conn.poll(max(0.0, deadline - time.monotonic())):
                    self._stop()
                    raise QueryTimeout()
                reply = self.conn.recv()
            except (EOFError, OSError):
                self._stop()
                # Killed after its transaction committed but before it answered, the write is there
                # (entirely): the answer cannot say "nothing was written", only that it is all or nothing.
                raise QueryFailed(
                    "store",
                    "the writer stopped unexpectedly before confirming the write; a write is applied "
                    "entirely or not at all, so read the data before retrying",
                ) from None
            if reply[0] == "error":
                raise QueryFailed(reply[1], reply[2])
            self.read_path = reply[1]
            return reply[2]
        finally:
            self.lock.release()

    def close(self) -> None:
        if self.conn is not None and self.process is not None and self.process.is_alive():
            with contextlib.suppress(OSError):
                self.conn.send(None)
        self._stop()
