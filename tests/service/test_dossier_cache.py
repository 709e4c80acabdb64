"""Panel results kept per build (service/views/dossier_cache.py): a second render reads the kept
rows, an edited stored query is run anew, ``Cache-Control: no-cache`` runs the panels again, and
the cache stays within its bound of rows and is emptied when the build changes."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from kg.queries.stored import QUERIES_DIR
from service import create_app
from service.state import state
from service.views.dossier_cache import PerBuild, build_id, key, queries_state

HTML = {"Accept": "text/html"}
ACTOR = "https://w3id.org/peacekg/resource/ana-exempla"
CLAIM = "Exempla calls the Lakeside Plan a trap."


@pytest.fixture(scope="module")
def app(fixture_build, tmp_path_factory) -> Iterator[Flask]:
    app = create_app(fixture_build(1))
    folder = tmp_path_factory.mktemp("queries") / "queries"
    shutil.copytree(QUERIES_DIR, folder, ignore=shutil.ignore_patterns("*.md"))
    app.config["PEACEKG_QUERIES_DIR"] = folder
    yield app
    state(app).pool.close()


def positions(app: Flask, **headers: str) -> str:
    response = app.test_client().get("/resource/ana-exempla", headers={**HTML, **headers})
    assert response.status_code == 200
    found = re.search(r'<section class="panel" id="panel-positions".*?>(.*?)</section>', response.text, re.S)
    assert found is not None
    return found.group(1)


def test_a_render_keeps_every_panel_s_rows_for_the_current_build(app) -> None:
    assert CLAIM in positions(app)
    with app.app_context():
        build = build_id()
    cache = state(app).caches["dossier-panels"]
    assert build is not None and cache.build == build
    kept = {(name, param, iri) for name, _, param, iri in cache.items}
    assert {("actor-positions", "actor", ACTOR), ("actor-roles", "actor", ACTOR)} <= kept
    assert CLAIM in positions(app)  # the second render, from the kept rows


def test_an_edited_stored_query_is_run_anew(app) -> None:
    folder = Path(app.config["PEACEKG_QUERIES_DIR"])
    original = (folder / "actor-positions.rq").read_text(encoding="utf-8")
    assert CLAIM in positions(app)
    try:
        edited = original.replace('(pk:claimant "claim")', '(pk:noSuchProperty "claim")', 1)
        assert edited != original
        (folder / "actor-positions.rq").write_text(edited, encoding="utf-8")
        assert CLAIM not in positions(app)
    finally:
        (folder / "actor-positions.rq").write_text(original, encoding="utf-8")
    assert CLAIM in positions(app)


def test_no_cache_runs_the_panels_again_and_keeps_the_fresh_rows(app) -> None:
    folder = Path(app.config["PEACEKG_QUERIES_DIR"])
    text = (folder / "actor-positions.rq").read_text(encoding="utf-8")
    assert CLAIM in positions(app)
    with app.app_context():
        build = build_id()
    assert build is not None
    cache = state(app).caches["dossier-panels"]
    cache.put(build, key("actor-positions", text, "actor", ACTOR), ([], False))  # stale rows, as if kept
    state(app).caches.pop("dossier-pages", None)  # and no kept page over them
    assert CLAIM not in positions(app)
    assert CLAIM in positions(app, **{"Cache-Control": "no-cache"})
    assert CLAIM in positions(app)  # the fresh rows were kept


def test_a_dossier_page_is_kept_only_when_every_panel_answered(app) -> None:
    folder = Path(app.config["PEACEKG_QUERIES_DIR"])
    first = positions(app)
    pages = state(app).caches["dossier-pages"]
    with app.app_context():
        before = queries_state(folder)
    assert any(k[0].startswith("/resource/ana-exempla") and k[2] == before for k in pages.items)
    assert positions(app) == first
    original = (folder / "actor-roles.rq").read_text(encoding="utf-8")
    try:
        (folder / "actor-roles.rq").write_text(original.replace("WHERE {", "WHERE { FILTER(", 1), encoding="utf-8")
        with app.app_context():
            broken = queries_state(folder)
        assert broken != before
        response = app.test_client().get("/resource/ana-exempla", headers=HTML)
        assert 'id="panel-roles"' in response.text and "panel-error" in response.text
        assert not any(k[2] == broken for k in pages.items)
    finally:
        (folder / "actor-roles.rq").write_text(original, encoding="utf-8")


@pytest.mark.parametrize(("sizes", "kept"), [((3, 3, 3), 3), ((5, 5, 1), 2), ((2, 11, 1), 2), ((4, 6, 0), 3)])
def test_the_cache_holds_at_most_its_rows_dropping_the_least_recently_used(sizes, kept) -> None:
    cache = PerBuild(max_size=10)
    for n, size in enumerate(sizes):
        cache.put("b1", ("q", "h", "p", str(n)), ([{}] * size, False))
    assert cache.total <= 10 and len(cache.items) == kept
    assert cache.total == sum(len(rows) for rows, _ in cache.items.values())
    last = str(len(sizes) - 1)
    assert cache.get("b1", ("q", "h", "p", last)) is not None
    assert cache.get("b2", ("q", "h", "p", last)) is None  # another build's rows are not served
    cache.put("b2", ("q", "h", "p", "x"), ([{}], False))
    assert list(cache.items) == [("q", "h", "p", "x")] and cache.total == 1
