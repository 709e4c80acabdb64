"""peacekg push: the graphs of the store go into a real SPARQL 1.1 server (oxigraph), by the Graph
Store Protocol or by SPARQL Update, replacing rather than appending, verified by a count read back;
failures exit 12 with the URL named and no secret ever printed."""

from __future__ import annotations

import functools
import operator
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph
import pytest
from click.testing import CliRunner
from SPARQLWrapper import JSON, SPARQLWrapper

from kg.builder.pipeline import build
from kg.cli import cli
from kg.settings import Settings, load_settings
from kg.store.builds import open_store
from kg.store.push import Auth, PushError, _batches, push

from helpers.paths import DATA, ROOT
from helpers.servers import free_port, running_oxigraph

pytestmark = pytest.mark.slow

TOKEN = "secret-xyz"


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A store built from the fixture corpus (built once for the module)."""
    tmp = tmp_path_factory.mktemp("push")
    corpus = tmp / "corpus"
    shutil.copytree(DATA / "corpus", corpus)
    settings = load_settings(
        config_file=None,
        environ={},
        overrides={"corpus_dir": corpus, "ontology_dir": ROOT / "ontology", "build_dir": tmp / "build"},
    )
    build(settings)
    return settings


@pytest.fixture(scope="module")
def local_counts(settings: Settings) -> dict[str, int]:
    store = open_store(Path(settings.build_dir))
    return {str(g.value): len(list(store.quads_for_pattern(None, None, None, g))) for g in store.named_graphs()}


@contextmanager
def running_oxigraph_in(folder: Path) -> Iterator[str]:
    """A fresh, writable oxigraph server storing into ``folder``."""
    folder.mkdir(parents=True)
    with running_oxigraph(folder / "db", folder / "oxigraph.log") as endpoint:
        yield endpoint


@pytest.fixture()
def server(tmp_path: Path) -> Iterator[str]:
    """A fresh oxigraph server for one test."""
    with running_oxigraph_in(tmp_path / "server") as endpoint:
        yield endpoint


def select(endpoint: str, query: str) -> list[dict]:
    sparql = SPARQLWrapper(endpoint)
    sparql.setQuery(query)
    sparql.setReturnFormat(JSON)
    return sparql.queryAndConvert()["results"]["bindings"]


def remote_counts(endpoint: str) -> dict[str, int]:
    rows = select(endpoint, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    return {row["g"]["value"]: int(row["n"]["value"]) for row in rows}


def blank_joins(count_in, graph: str) -> int:
    """Triples whose object is a blank node that is itself a subject (structure a split would break)."""
    return count_in(
        f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?b . ?b ?q ?o FILTER(isBlank(?b)) }} }}"
    )


def test_push_by_graph_store_protocol(settings: Settings, local_counts: dict[str, int], server: str) -> None:
    lines: list[str] = []
    pushed = push(settings, server, progress=lines.append)
    assert {p.name: p.triples for p in pushed} == local_counts and {p.method for p in pushed} == {"gsp"}
    assert remote_counts(server) == local_counts
    for graph, n in local_counts.items():
        assert f"pushed {graph}: {n} triples (verified)" in lines
    # a sample triple, read back with its graph
    store = open_store(Path(settings.build_dir))
    graph = pyoxigraph.NamedNode("https://w3id.org/peacekg/graph/ontology")
    sample = next(
        q
        for q in store.quads_for_pattern(None, None, None, graph)
        if not isinstance(q.subject, pyoxigraph.BlankNode) and not isinstance(q.object, pyoxigraph.BlankNode)
    )
    sparql = SPARQLWrapper(server)
    sparql.setQuery(f"ASK {{ GRAPH {graph} {{ {sample.subject} {sample.predicate} {sample.object} }} }}")
    sparql.setReturnFormat(JSON)
    assert sparql.queryAndConvert()["boolean"] is True


def test_push_twice_replaces(settings: Settings, local_counts: dict[str, int], server: str) -> None:
    push(settings, server, progress=lambda _: None)
    push(settings, server, progress=lambda _: None)
    assert remote_counts(server) == local_counts


def test_push_by_sparql_update(settings: Settings, local_counts: dict[str, int], server: str) -> None:
    push(settings, server, progress=lambda _: None)  # then replace what the PUT wrote
    pushed = push(settings, server, method="update", progress=lambda _: None)
    assert {p.method for p in pushed} == {"update"}
    assert remote_counts(server) == local_counts


def test_batched_update_keeps_blank_nodes_together(
    settings: Settings, local_counts: dict[str, int], server: str
) -> None:
    small = settings.replace(push_batch_triples=50)
    lines: list[str] = []
    push(small, server, method="update", graphs=["ontology"], progress=lines.append)
    graph = "https://w3id.org/peacekg/graph/ontology"
    assert remote_counts(server) == {graph: local_counts[graph]}
    assert any("requests (not atomic)" in line for line in lines)
    store = open_store(Path(settings.build_dir))

    def local(query: str) -> int:
        return int(next(iter(store.query(query)))["n"].value)

    def remote(query: str) -> int:
        return int(select(server, query)[0]["n"]["value"])

    assert blank_joins(remote, graph) == blank_joins(local, graph) > 0


def test_batches_never_split_a_blank_node_component() -> None:
    ex = lambda n: pyoxigraph.NamedNode(f"http://ex.org/{n}")  # noqa: E731
    b1, b2 = pyoxigraph.BlankNode("b1"), pyoxigraph.BlankNode("b2")
    triples = [pyoxigraph.Triple(ex(i), ex("p"), ex(i)) for i in range(5)]
    triples += [
        pyoxigraph.Triple(ex("s"), ex("p"), b1),
        pyoxigraph.Triple(b1, ex("p"), b2),
        pyoxigraph.Triple(b2, ex("p"), ex("o")),
    ]
    batches = _batches(triples, 3)
    assert sorted(map(str, functools.reduce(operator.iadd, batches, []))) == sorted(map(str, triples))
    assert sum(any(b1 in (t.subject, t.object) or b2 in (t.subject, t.object) for t in batch) for batch in batches) == 1


def test_fallback_to_update_when_the_server_has_no_graph_store(settings: Settings, server: str) -> None:
    lines: list[str] = []
    nowhere = server.replace("/query", "/no-such-store")
    pushed = push(settings, server, graph_store=nowhere, graphs=["reference", "inferred"], progress=lines.append)
    assert [p.method for p in pushed] == ["update", "update"]
    assert sum("falling back to SPARQL Update" in line for line in lines) == 1


def test_unknown_graph_is_named(settings: Settings, server: str) -> None:
    with pytest.raises(PushError, match="graph/no-such-graph"):
        push(settings, server, graphs=["no-such-graph"], progress=lambda _: None)


def test_wrong_endpoint_exits_12_with_the_url(settings: Settings) -> None:
    port = free_port()  # closed: nothing listens there
    endpoint = f"http://127.0.0.1:{port}/query"
    result = CliRunner().invoke(
        cli,
        [
            "--build-dir",
            str(settings.build_dir),
            "push",
            "--endpoint",
            endpoint,
            "--token",
            TOKEN,
            "--graph",
            "ontology",
        ],
    )
    assert result.exit_code == 12, result.output
    assert f"127.0.0.1:{port}" in result.output and "Traceback" not in result.output
    assert TOKEN not in result.output
    assert isinstance(result.exception, SystemExit)


def test_count_mismatch_fails(settings: Settings, local_counts: dict[str, int], server: str, tmp_path: Path) -> None:
    with running_oxigraph_in(tmp_path / "other") as other:  # PUT into one server, count in another
        store_url = other.replace("/query", "/store")
        with pytest.raises(PushError) as caught:
            push(settings, server, graph_store=store_url, graphs=["reference"], progress=lambda _: None)
    graph = "https://w3id.org/peacekg/graph/reference"
    assert caught.value.exit_code == 12
    assert str(caught.value) == (
        f"verifying graph {graph}: {server} holds 0 triples in it after the push, the local store {local_counts[graph]}"
    )


def test_http_error_names_status_and_body(settings: Settings, server: str) -> None:
    bad = server.replace("/query", "/store")  # POSTing an update to the graph store is refused
    with pytest.raises(PushError) as caught:
        push(
            settings,
            server,
            method="update",
            update_endpoint=bad,
            graphs=["ontology"],
            auth=Auth(token=TOKEN),
            progress=lambda _: None,
        )
    message = str(caught.value)
    assert "/store" in message and "HTTP 4" in message and "graph/ontology" in message
    assert TOKEN not in message and TOKEN not in repr(Auth(token=TOKEN))


def test_token_is_never_printed(settings: Settings, server: str) -> None:
    runner = CliRunner()
    args = ["--build-dir", str(settings.build_dir), "push", "--endpoint", server, "--graph", "reference"]
    result = runner.invoke(cli, args + ["--token", TOKEN])
    assert result.exit_code == 0, result.output
    assert "(verified)" in result.output and TOKEN not in result.output
    # from the environment variable named by push_token_env (not mistaken for an unknown setting)
    result = runner.invoke(cli, args, env={"PEACEKG_PUSH_TOKEN": "secret-env-abc"})
    assert result.exit_code == 0, result.output
    assert "secret-env-abc" not in result.output
    result = runner.invoke(cli, args + ["--user", "alice", "--password", "pw-secret-123", "--method", "update"])
    assert result.exit_code == 0, result.output
    assert "pw-secret-123" not in result.output
