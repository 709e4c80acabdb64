"""Writes: SPARQL Update and Graph Store writes behind the bearer token, the built graphs protected,
one writer whose timeout kills it without writing anything, readers seeing each committed write,
user graphs carried over to the next build, and the federation allow-list (SERVICE, LOAD)."""

from __future__ import annotations

import pytest

from kg.builder.pipeline import build
from kg.errors import ConfigError
from kg.store.builds import current_build
from service import create_app
from service.state import state

from helpers.corpora import make_corpus, settings_for

TOKEN = "t0ken-for-tests-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
MINE = "http://example.org/mine"
ASK_MINE = f"ASK {{ GRAPH <{MINE}> {{ <http://example.org/s> <http://example.org/p> ?o }} }}"
RUNAWAY = (
    "INSERT { GRAPH <http://example.org/x> { ?a ?b ?c } } "
    "WHERE { GRAPH ?x { ?a ?b ?c } GRAPH ?y { ?d ?e ?f } GRAPH ?z { ?g ?h ?i } }"
)


@pytest.fixture()
def built(tmp_path, monkeypatch):
    monkeypatch.setenv("PEACEKG_UPDATE_TOKEN", TOKEN)
    settings = settings_for(tmp_path, make_corpus(tmp_path, articles=1))
    build(settings)
    return settings.replace(updates=True, update_timeout_s=3, query_timeout_s=5)


@pytest.fixture()
def app(built):
    app = create_app(built)
    yield app
    state(app).pool.close()
    state(app).writer.close()


def _ask(client, query: str) -> bool:
    response = client.post(
        "/sparql",
        data=query,
        content_type="application/sparql-query",
        headers={"Accept": "application/sparql-results+json"},
    )
    assert response.status_code == 200, response.json
    return response.json["boolean"]


def _update(client, text: str, headers=AUTH, **params):
    return client.post(
        "/sparql", data=text, content_type="application/sparql-update", headers=headers, query_string=params
    )


def test_updates_are_off_by_default(tmp_path, monkeypatch) -> None:
    settings = settings_for(tmp_path, make_corpus(tmp_path, articles=1))
    build(settings)
    app = create_app(settings)
    client = app.test_client()
    try:
        for response in (
            _update(client, f"INSERT DATA {{ GRAPH <{MINE}> {{ <http://example.org/s> <http://example.org/p> 1 }} }}"),
            client.put(
                f"/store?graph={MINE}",
                data="<http://a> <http://b> <http://c> .",
                content_type="application/n-triples",
                headers=AUTH,
            ),
        ):
            assert response.status_code == 403 and "disabled" in response.json["message"]
    finally:
        state(app).pool.close()


def test_updates_need_a_token_in_the_environment(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("PEACEKG_UPDATE_TOKEN", raising=False)
    settings = settings_for(tmp_path, make_corpus(tmp_path, articles=1)).replace(updates=True)
    with pytest.raises(ConfigError, match="PEACEKG_UPDATE_TOKEN"):
        create_app(settings)


def test_token_missing_malformed_or_wrong(app) -> None:
    client = app.test_client()
    text = f"INSERT DATA {{ GRAPH <{MINE}> {{ <http://example.org/s> <http://example.org/p> 1 }} }}"
    missing = _update(client, text, headers={})
    assert missing.status_code == 401 and missing.headers["WWW-Authenticate"].startswith("Bearer")
    assert _update(client, text, headers={"Authorization": f"Basic {TOKEN}"}).status_code == 401
    wrong = _update(client, text, headers={"Authorization": "Bearer " + TOKEN[:-1] + "X"})
    assert wrong.status_code == 403 and TOKEN not in wrong.get_data(as_text=True)
    assert not _ask(client, ASK_MINE)  # nothing was written


def test_update_then_read_your_write(app) -> None:
    client = app.test_client()
    response = _update(
        client, f"INSERT DATA {{ GRAPH <{MINE}> {{ <http://example.org/s> <http://example.org/p> 1 }} }}"
    )
    assert response.status_code == 204, response.json
    assert _ask(client, ASK_MINE)
    form = client.post("/sparql", data={"update": f"DROP GRAPH <{MINE}>"}, headers=AUTH)
    assert form.status_code == 204, form.json
    assert not _ask(client, ASK_MINE)


def test_built_graphs_are_protected(app, built) -> None:
    client = app.test_client()
    base = built.base_iri
    for text in (
        f"INSERT DATA {{ GRAPH <{base}graph/reference> {{ <http://example.org/s> <http://example.org/p> 1 }} }}",
        "CLEAR ALL",
        "DELETE { GRAPH ?g { ?s ?p ?o } } WHERE { GRAPH ?g { ?s ?p ?o } }",
        f"MOVE <{base}graph/ontology> TO <{MINE}>",
    ):
        response = _update(client, text)
        assert response.status_code == 403, (text, response.json)
        assert "protected" in response.json["message"]
    put = client.put(
        f"/store?graph={base}graph/ontology",
        data="<http://a> <http://b> <http://c> .",
        content_type="application/n-triples",
        headers=AUTH,
    )
    assert put.status_code == 403
    assert _ask(client, f"ASK {{ GRAPH <{base}graph/ontology> {{ ?s ?p ?o }} }}")


def test_syntax_errors_have_a_position_and_write_nothing(app) -> None:
    client = app.test_client()
    response = _update(
        client, f"INSERT DATA {{ GRAPH <{MINE}> {{ <http://example.org/s> <http://example.org/p> 1 }} }} ;\nINSERT DAT"
    )
    assert response.status_code == 400
    assert response.json["position"]["line"] == 2
    assert not _ask(client, ASK_MINE)


def test_runaway_update_is_stopped_and_nothing_is_written(app) -> None:
    client = app.test_client()
    response = _update(client, RUNAWAY)
    assert response.status_code == 504, response.json
    assert "nothing was written" in response.json["message"]
    assert not _ask(client, "ASK { GRAPH <http://example.org/x> { ?s ?p ?o } }")
    again = _update(client, f"INSERT DATA {{ GRAPH <{MINE}> {{ <http://example.org/s> <http://example.org/p> 2 }} }}")
    assert again.status_code == 204  # a fresh writer took over
    assert _ask(client, ASK_MINE)


def test_using_graph_uri_and_conflict(app) -> None:
    client = app.test_client()
    setup = f"INSERT DATA {{ GRAPH <{MINE}> {{ <http://example.org/s> a <http://example.org/Doc> }} }}"
    assert _update(client, setup).status_code == 204
    copy = "INSERT { GRAPH <http://example.org/copy> { ?s a <http://example.org/Copied> } } WHERE { ?s a <http://example.org/Doc> }"
    assert _update(client, copy, **{"using-graph-uri": MINE}).status_code == 204
    assert _ask(
        client, "ASK { GRAPH <http://example.org/copy> { <http://example.org/s> a <http://example.org/Copied> } }"
    )
    conflict = _update(
        client,
        f"WITH <{MINE}> " + copy.replace("INSERT { GRAPH <http://example.org/copy> {", "INSERT { {"),
        **{"using-graph-uri": MINE},
    )
    assert conflict.status_code == 400 and "WITH" in conflict.json["message"]


def test_graph_store_writes(app) -> None:
    client = app.test_client()
    turtle = "@prefix ex: <http://example.org/> . ex:s ex:p ex:o ."
    created = client.put(f"/store?graph={MINE}", data=turtle, content_type="text/turtle", headers=AUTH)
    assert created.status_code == 201
    replaced = client.put(
        f"/store?graph={MINE}",
        data='<http://example.org/s> <http://example.org/p> "7"^^<http://www.w3.org/2001/XMLSchema#integer> .',
        content_type="application/n-triples",
        headers=AUTH,
    )
    assert replaced.status_code == 204
    got = client.get(f"/store?graph={MINE}", headers={"Accept": "application/n-triples"})
    assert got.status_code == 200 and got.data.strip().endswith(b'"7"^^<http://www.w3.org/2001/XMLSchema#integer> .')
    bad = client.post(
        f"/store?graph={MINE}",
        data="@prefix ex: <http://example.org/> .\nex:s ex:p",
        content_type="text/turtle",
        headers=AUTH,
    )
    assert bad.status_code == 400 and "line" in bad.json.get("position", {})
    new = client.post("/store", data=turtle, content_type="text/turtle", headers=AUTH)
    assert new.status_code == 201 and new.headers["Location"].startswith("http://localhost/store/")
    assert (
        client.get(
            new.headers["Location"].removeprefix("http://localhost"), headers={"Accept": "text/turtle"}
        ).status_code
        == 200
    )
    assert client.delete(f"/store?graph={MINE}", headers=AUTH).status_code == 204
    assert client.delete(f"/store?graph={MINE}", headers=AUTH).status_code == 404
    assert client.delete(f"/store?graph={MINE}").status_code == 401


def test_user_graphs_survive_a_new_build(app, built) -> None:
    client = app.test_client()
    assert (
        _update(
            client, f"INSERT DATA {{ GRAPH <{MINE}> {{ <http://example.org/s> <http://example.org/p> 1 }} }}"
        ).status_code
        == 204
    )
    before = current_build(built.build_dir)
    article = next((built.corpus_dir / "annotations").glob("*.yaml"))
    article.write_text(article.read_text(encoding="utf-8") + "\n# touched\n", encoding="utf-8")
    build(built)
    assert current_build(built.build_dir) != before
    assert _ask(client, ASK_MINE)  # carried over to the new build's live store
    assert _ask(client, f"ASK {{ GRAPH <{built.base_iri}graph/ontology> {{ ?s ?p ?o }} }}")


def test_service_and_load_need_the_allow_list(app) -> None:
    client = app.test_client()
    query = "SELECT * WHERE { SERVICE <http://169.254.169.254/latest/meta-data> { ?s ?p ?o } }"
    refused = client.get("/sparql", query_string={"query": query})
    assert refused.status_code == 403 and "not allowed" in refused.json["message"]
    variable = client.get(
        "/sparql", query_string={"query": "SELECT * { VALUES ?e { <http://x/> } SERVICE ?e { ?s ?p ?o } }"}
    )
    assert variable.status_code == 403
    assert _update(client, f"LOAD <http://127.0.0.1:1/data.ttl> INTO GRAPH <{MINE}>").status_code == 403
    in_string = client.get(
        "/sparql", query_string={"query": 'SELECT * { BIND("SERVICE <http://x/> {}" AS ?s) } # SERVICE <http://y/>'}
    )
    assert in_string.status_code == 200


def test_token_is_never_logged_by_a_real_server(built, tmp_path) -> None:
    import urllib.error
    import urllib.request

    from helpers.servers import running_service

    log = tmp_path / "server.log"
    env = {"PEACEKG_UPDATES": "true", "PEACEKG_UPDATE_TOKEN": TOKEN}
    with running_service(built.build_dir, log, corpus_dir=built.corpus_dir, extra_env=env) as base:
        for token in (TOKEN, TOKEN + "-wrong"):
            request = urllib.request.Request(
                base + "/sparql",
                method="POST",
                headers={"Authorization": f"Bearer {token}", "Content-Type": "application/sparql-update"},
                data=f"INSERT DATA {{ GRAPH <{MINE}> {{ <http://example.org/s> <http://example.org/p> 1 }} }}".encode(),
            )
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    assert response.status == 204
            except urllib.error.HTTPError as error:
                assert error.code == 403 and TOKEN not in error.read().decode()
        with urllib.request.urlopen(base + "/sparql", timeout=30) as response:
            assert b"sd:SPARQL11Update" in response.read()  # the service description says updates are on
    assert TOKEN not in log.read_text(errors="replace")


def test_void_description_and_dumps(built) -> None:
    from kg.store.export import export

    app = create_app(built.replace(updates=False))
    client = app.test_client()
    try:
        for path in ("/dataset", "/.well-known/void"):
            response = client.get(path, headers={"Accept": "text/turtle"})
            assert response.status_code == 200 and response.mimetype == "text/turtle"
            assert b"void:triples" in response.data and f"<{built.base_iri}dataset>".encode() in response.data
        as_jsonld = client.get("/dataset", headers={"Accept": "application/ld+json"})
        assert as_jsonld.status_code == 200 and as_jsonld.mimetype == "application/ld+json"
        assert client.get("/dumps/peacekg.nq").status_code == 404  # not exported yet
        export(built)
        dump = client.get("/dumps/peacekg.nq")
        assert dump.status_code == 200 and dump.mimetype == "application/n-quads" and dump.data.count(b"\n") > 1000
        for path in (
            "/dumps/../manifest.json",
            "/dumps/%2e%2e/store/current/manifest.json",
            "/dumps/../../etc/passwd.ttl",
        ):
            assert client.get(path).status_code == 404, path
    finally:
        state(app).pool.close()


@pytest.mark.parametrize(
    "update, graphs, every",
    [
        ("INSERT DATA { GRAPH <http://g/a> { <http://s> <http://p> 1 } }", {"http://g/a"}, False),
        (
            "INSERT DATA { <http://s> <http://p> 1 . GRAPH <http://g/a> { <http://s> <http://p> 2 } }",
            {"DEFAULT", "http://g/a"},
            False,
        ),
        ("PREFIX g: <http://g/> DELETE DATA { GRAPH g:b { <http://s> <http://p> 1 } }", {"http://g/b"}, False),
        ("BASE <http://g/> INSERT DATA { GRAPH <c> { <http://s> <http://p> 1 } }", {"http://g/c"}, False),
        (
            "CLEAR SILENT GRAPH <http://g/a> ; DROP DEFAULT ; CREATE GRAPH <http://g/n>",
            {"http://g/a", "DEFAULT", "http://g/n"},
            False,
        ),
        ("DROP NAMED", set(), True),
        ("COPY SILENT GRAPH <http://g/a> TO GRAPH <http://g/b>", {"http://g/b"}, False),
        ("MOVE <http://g/a> TO DEFAULT", {"http://g/a", "DEFAULT"}, False),
        (
            "WITH <http://g/w> DELETE { ?s ?p ?o } INSERT { GRAPH <http://g/i> { ?s ?p ?o } } WHERE { ?s ?p ?o }",
            {"http://g/w", "http://g/i"},
            False,
        ),
        ("INSERT { GRAPH ?g { <http://s> <http://p> 1 } } WHERE { GRAPH ?g { } }", set(), True),
        (
            'INSERT DATA { GRAPH <http://g/x> { <http://s> <http://p> "a ; } GRAPH <http://g/evil> {" } } ; DELETE WHERE { GRAPH <http://g/d> { ?s ?p ?o } }',
            {"http://g/x", "http://g/d"},
            False,
        ),
    ],
)
def test_the_graphs_an_update_writes(update: str, graphs: set, every: bool) -> None:
    from kg.sparql.update_guard import written_graphs

    targets = written_graphs(update)
    assert targets.graphs == graphs and bool(targets.every_graph) == every, (targets.graphs, targets.every_graph)


def test_a_large_insert_data_is_checked_and_written(app) -> None:
    """The protection check reads DATA operations from tokens (rdflib's parser needed minutes for
    this many triples, past update_timeout_s)."""
    client = app.test_client()
    body = " ".join(f'<http://example.org/s{i}> <http://example.org/p> "v{i}" .' for i in range(5000))
    assert _update(client, f"INSERT DATA {{ GRAPH <{MINE}> {{ {body} }} }}").status_code == 204
    assert _ask(client, f'ASK {{ GRAPH <{MINE}> {{ <http://example.org/s4999> ?p "v4999" }} }}')
