"""Overload and load against a real `peacekg serve` on loopback: runaway queries (a cartesian
product, an unbounded property path) are stopped at the time limit while other clients are
served; a bounded load of 16 concurrent clients mixing stored queries, ad-hoc SPARQL and entity
pages gets no errors but the designed 429/503/504; latency percentiles and throughput are printed.

Per-client limit: every loopback client has the same address, so 16 test clients look like one
client to the service. The load runs with max_queries_per_client = 16 (16 simulated users, as 16
addresses would be) and must see no 429; a second, short run keeps the default (4) and counts
the designed 429s, each with Retry-After, and nothing else.

Also a command, for the figures in docs/reliability.md against any build:
    .venv/bin/python tests/system/test_load.py --build-dir build --clients 16 --requests 50
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

import pytest

from helpers.paths import ROOT

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/, for helpers (when run as a script)
from helpers.servers import running_service

DESIGNED = {200, 429, 503, 504}
PK = "https://w3id.org/peacekg/ontology/"
CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
DEEP_PATH = (
    "SELECT (COUNT(*) AS ?n) WHERE { ?a (<http://example.org/p>|!<http://example.org/p>|"
    "^!<http://example.org/p>)* ?b . ?b (<http://example.org/p>|!<http://example.org/p>)* ?c }"
)
AD_HOC = [
    "SELECT ?class (COUNT(?s) AS ?n) WHERE { ?s a ?class } GROUP BY ?class ORDER BY DESC(?n) LIMIT 20",
    f"PREFIX pk: <{PK}> SELECT ?claim ?summary WHERE {{ ?claim a pk:Claim ; pk:summary ?summary }} LIMIT 50",
    f"PREFIX pk: <{PK}> ASK {{ ?x a pk:Person }}",
    f"PREFIX pk: <{PK}> CONSTRUCT {{ ?p ?q ?o }} WHERE {{ ?p a pk:Person ; ?q ?o }} LIMIT 200",
    "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
    'SELECT ?s ?label WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label FILTER(CONTAINS(LCASE(?label), "a")) } LIMIT 100',
]


def request(
    base: str, method: str, path: str, body: bytes | None = None, headers: dict | None = None, timeout: float = 120
) -> tuple[int | str, dict, bytes]:
    req = urllib.request.Request(base + path, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()
    except OSError as error:  # refused, reset, timed out: never designed
        return f"{type(error).__name__}: {error}", {}, b""


def sparql(text: str, accept: str = "application/sparql-results+json") -> tuple[str, str, bytes, dict]:
    return ("POST", "/sparql", text.encode(), {"Content-Type": "application/sparql-query", "Accept": accept})


def plan(base: str, base_iri: str = "https://w3id.org/peacekg/") -> list[tuple[str, tuple]]:
    """The request mix: (kind, (method, path, body, headers)) for every stored query runnable without
    federation, the ad-hoc queries, and HTML and Turtle pages of entities found in the store."""
    status, _h, body = request(
        base,
        "POST",
        *sparql(
            f"SELECT DISTINCT ?s WHERE {{ VALUES ?c {{ <{PK}Person> <{PK}State> <{PK}Claim> <{PK}Proposal> <{PK}Article> }} "
            f'?s a ?c FILTER(STRSTARTS(STR(?s), "{base_iri}")) }} ORDER BY ?s LIMIT 40'
        )[1:],
    )
    assert status == 200, body
    entities = [b["s"]["value"] for b in json.loads(body)["results"]["bindings"]]
    mix = [
        ("sparql", sparql(q, "text/turtle" if " CONSTRUCT " in q else "application/sparql-results+json"))
        for q in AD_HOC
    ]
    for iri in entities:
        path = "/" + iri[len(base_iri) :]
        mix.append(("page", ("GET", path, None, {"Accept": "text/html"})))
        mix.append(("page", ("GET", path, None, {"Accept": "text/turtle"})))
    status, _h, body = request(base, "GET", "/queries", headers={"Accept": "application/json"})
    for query in json.loads(body)["queries"] if status == 200 else []:
        if query["name"].startswith("federated"):
            continue  # federation is off here: a designed 403, not load
        params = {}
        for p in query["params"]:
            if p["required"] and not p["default"]:
                params[p["name"]] = entities[0] if p["type"] == "iri" else "a"
        mix.append(
            (
                "stored",
                (
                    "GET",
                    f"/queries/{query['name']}?{urllib.parse.urlencode(params)}",
                    None,
                    {"Accept": "application/sparql-results+json"},
                ),
            )
        )
    return mix


def percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    pick = (
        (lambda q: round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 1))
        if ordered
        else (lambda q: 0.0)
    )
    return {"p50_ms": pick(0.50), "p90_ms": pick(0.90), "p95_ms": pick(0.95), "p99_ms": pick(0.99), "max_ms": pick(1.0)}


def run_load(base: str, mix: list[tuple[str, tuple]], clients: int, per_client: int, seed: int = 8) -> dict:
    """``clients`` threads, each sending ``per_client`` requests drawn from ``mix`` (seeded)."""
    results: list[tuple[str, int | str, float, dict]] = []
    lock = threading.Lock()

    def client(number: int) -> None:
        rng = random.Random(seed * 1000 + number)
        for _ in range(per_client):
            kind, (method, path, body, headers) = rng.choice(mix)
            started = time.perf_counter()
            status, answer, _data = request(base, method, path, body, headers)
            with lock:
                results.append((kind, status, time.perf_counter() - started, answer))

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    ok = [seconds for _k, status, seconds, _a in results if status == 200]
    return {
        "clients": clients,
        "requests": len(results),
        "seconds": round(elapsed, 2),
        "throughput_rps": round(len(results) / elapsed, 2),
        "statuses": dict(Counter(str(status) for _k, status, _s, _a in results)),
        "unexpected": [f"{kind}: {status}" for kind, status, _s, _a in results if status not in DESIGNED],
        "retry_after_missing": sum(
            1 for _k, status, _s, a in results if status in (429, 503) and "Retry-After" not in a
        ),
        "latency_ok": percentiles(ok),
        "by_kind": {
            kind: {
                "requests": sum(1 for r in results if r[0] == kind),
                **percentiles([s for k, st, s, _a in results if k == kind and st == 200]),
            }
            for kind in sorted({r[0] for r in results})
        },
    }


def warm_up(base: str, workers: int) -> None:
    """Every worker started and its store open (a worker's start is not what is measured): the
    pool hands out idle workers first in, first out, so consecutive queries visit each in turn."""
    for _ in range(3 * workers):
        request(base, "POST", *sparql("ASK { ?s ?p ?o }")[1:])


@pytest.fixture(scope="module")
def built(fixture_build):
    return fixture_build(3)


@pytest.fixture(scope="module")
def server(built, tmp_path_factory):
    env = {"PEACEKG_QUERY_WORKERS": "3", "PEACEKG_QUERY_TIMEOUT_S": "4", "PEACEKG_MAX_QUERIES_PER_CLIENT": "16"}
    with running_service(
        built.build_dir, tmp_path_factory.mktemp("load-log") / "server.log", corpus_dir=built.corpus_dir, extra_env=env
    ) as base:
        warm_up(base, 3)
        yield base


@pytest.mark.slow
def test_runaway_queries_stop_at_the_timeout_while_others_are_served(server) -> None:
    mix = [m for m in plan(server) if m[0] != "stored"][:12]
    runaways: dict[str, tuple] = {}

    def runaway(name: str, text: str) -> None:
        started = time.perf_counter()
        status, _h, body = request(server, "POST", *sparql(text)[1:])
        runaways[name] = (status, time.perf_counter() - started, body)

    threads = [threading.Thread(target=runaway, args=a) for a in (("cartesian", CARTESIAN), ("deep path", DEEP_PATH))]
    for thread in threads:
        thread.start()
    time.sleep(0.3)
    quick, rng = [], random.Random(1)
    while any(t.is_alive() for t in threads):
        _kind, (method, path, body, headers) = rng.choice(mix)
        started = time.perf_counter()
        status = request(server, method, path, body, headers)[0]
        quick.append((path, status, time.perf_counter() - started))
    for thread in threads:
        thread.join()
    for name, (status, seconds, body) in runaways.items():
        assert status == 504 and json.loads(body)["status"] == 504, (name, status, body[:300])
        assert seconds >= 4, f"{name}: answered after {seconds:.1f} s, before the 4 s limit"
    # Answered while both runaways held workers (latency is measured by bench/, not asserted here).
    assert len(quick) >= 3 and all(status == 200 for _p, status, _s in quick), quick
    metrics = json.loads(request(server, "GET", "/metrics")[2])
    assert metrics["timeouts"] >= 2 and metrics["workers_replaced"] >= 2
    print(
        f"runaways: { {n: (s, round(t, 2)) for n, (s, t, _b) in runaways.items()} }; "
        f"{len(quick)} other requests meanwhile, all 200, slowest {max(s for *_x, s in quick):.2f} s"
    )


@pytest.mark.slow
def test_bounded_load_of_16_clients(server) -> None:
    warm_up(server, 3)  # the runaways' workers were replaced: let their successors start first
    mix = plan(server)
    assert {kind for kind, _r in mix} >= {"sparql", "page"}
    report = run_load(server, mix, clients=16, per_client=20)
    print("load:", json.dumps(report))
    assert report["unexpected"] == [], report["unexpected"][:10]
    assert report["statuses"].get("429", 0) == 0  # the limit was raised to 16 for 16 simulated users
    assert report["retry_after_missing"] == 0


@pytest.mark.slow
def test_the_default_per_client_limit_sheds_load_with_429(built, tmp_path) -> None:
    with running_service(
        built.build_dir, tmp_path / "server.log", corpus_dir=built.corpus_dir, extra_env={"PEACEKG_QUERY_WORKERS": "2"}
    ) as base:
        warm_up(base, 2)
        mix = [m for m in plan(base) if m[0] == "sparql"]
        report = run_load(base, mix, clients=16, per_client=4)
    print("default limit (4 per client address):", json.dumps(report))
    assert report["unexpected"] == [] and report["retry_after_missing"] == 0
    assert set(report["statuses"]) <= {"200", "429", "503"} and report["statuses"].get("429", 0) > 0


def main() -> None:
    parser = argparse.ArgumentParser(description="Bounded load against `peacekg serve` of an existing build.")
    parser.add_argument("--build-dir", type=Path, required=True)
    parser.add_argument("--corpus-dir", type=Path, default=ROOT / "corpus")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--requests", type=int, default=50, help="per client")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--per-client-limit", type=int, default=16)
    args = parser.parse_args()
    env = {"PEACEKG_QUERY_WORKERS": str(args.workers), "PEACEKG_MAX_QUERIES_PER_CLIENT": str(args.per_client_limit)}
    log = args.build_dir.resolve().parent / "load-server.log"
    with running_service(
        args.build_dir.resolve(), log, corpus_dir=args.corpus_dir, extra_env=env, timeout_s=60
    ) as base:
        warm_up(base, args.workers)
        mix = plan(base)
        report = run_load(base, mix, clients=args.clients, per_client=args.requests)
        report["metrics"] = json.loads(request(base, "GET", "/metrics")[2])
    report["mix"] = dict(Counter(kind for kind, _r in mix))
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
