"""Query latency (warm-up, then repetitions bounded in number and time; p50/p95) and concurrent
throughput (N client threads for a fixed time; completed queries per second and errors)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from bench.measure import SparqlClient, percentile, rows
from bench.queries import Query


def latency(
    endpoint: str,
    queries: list[Query],
    *,
    warmup: int,
    reps: int,
    budget_s: float,
    timeout_s: float,
    min_reps: int = 3,
    total_budget_s: float | None = None,
    restart: Callable[[], str] | None = None,
    progress: Callable[[str], None] = print,
) -> dict[str, dict]:
    """Per query: p50/p95/mean in ms over the timed runs (at least ``min_reps``, at most ``reps``,
    no more once ``budget_s`` is spent), rows of the last answer, errors.

    A query that times out is recorded as such and not repeated. ``restart`` (for servers that
    stay busy with a query the client gave up on, like rdflib-endpoint) restarts the server and
    returns its new endpoint. Once ``total_budget_s`` is spent, the remaining stored queries are
    skipped (the three shapes always run)."""
    results: dict[str, dict] = {}
    client = SparqlClient(endpoint, timeout_s)
    begun = time.perf_counter()
    for query in queries:
        outcome: dict = {"shape": query.shape, "runs": 0}
        samples: list[float] = []
        if total_budget_s is not None and query.shape == "stored" and time.perf_counter() - begun > total_budget_s:
            outcome["error"] = f"skipped: this engine's {total_budget_s:g} s budget was spent"
            results[query.name] = outcome
            continue
        try:
            for _ in range(warmup):
                status, body, seconds = client.query(query.text, query.path)
                if status != 200:
                    raise _Failed(status, body)
                if seconds > budget_s / 5:
                    break  # a slow query needs no second warm-up (and the budget is better spent on runs)
            started = time.perf_counter()
            while len(samples) < reps and (len(samples) < min_reps or time.perf_counter() - started < budget_s):
                status, body, seconds = client.query(query.text, query.path)
                if status != 200:
                    raise _Failed(status, body)
                samples.append(seconds)
            outcome["rows"] = rows(body)
        except OSError as exc:
            outcome["error"] = f"timeout after {timeout_s:g} s" if "timed out" in str(exc) else str(exc)
            if restart is not None:
                client.close()
                endpoint = restart()
                client = SparqlClient(endpoint, timeout_s)
        except _Failed as failed:
            outcome["error"] = f"HTTP {failed.status}: {failed.body[:200].decode('utf-8', 'replace')}"
        if samples:
            ms = [s * 1000 for s in samples]
            outcome.update(
                runs=len(ms), p50_ms=percentile(ms, 50), p95_ms=percentile(ms, 95), mean_ms=sum(ms) / len(ms)
            )
        results[query.name] = outcome
        shown = (
            f"p50 {outcome['p50_ms']:.1f} ms, p95 {outcome['p95_ms']:.1f} ms, {outcome.get('rows')} rows"
            if samples
            else outcome["error"]
        )
        progress(f"  {query.name}: {shown}")
    client.close()
    return results


class _Failed(Exception):
    def __init__(self, status: int, body: bytes):
        super().__init__(status)
        self.status, self.body = status, body


def concurrency(endpoint: str, queries: list[Query], clients: int, duration_s: float, timeout_s: float) -> dict:
    """``clients`` threads, each with its own connection, sending the queries round-robin (each
    thread starting at a different one) for ``duration_s``."""
    lock = threading.Lock()
    latencies: list[float] = []
    errors: dict[str, int] = {}
    deadline = time.perf_counter() + duration_s

    def worker(offset: int) -> None:
        client = SparqlClient(endpoint, timeout_s)
        n = offset
        while time.perf_counter() < deadline:
            query = queries[n % len(queries)]
            n += 1
            try:
                status, _body, seconds = client.query(query.text, query.path)
                kind = None if status == 200 else f"HTTP {status}"
            except OSError as exc:
                kind, seconds = ("timeout" if "timed out" in str(exc) else "connection error"), 0.0
            with lock:
                if kind is None:
                    latencies.append(seconds)
                else:
                    errors[kind] = errors.get(kind, 0) + 1
        client.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    ms = [s * 1000 for s in latencies]
    return {
        "clients": clients,
        "seconds": elapsed,
        "ok": len(ms),
        "errors": sum(errors.values()),
        "error_kinds": errors,
        "throughput_qps": len(ms) / elapsed,
        "p50_ms": percentile(ms, 50) if ms else None,
        "p95_ms": percentile(ms, 95) if ms else None,
    }
