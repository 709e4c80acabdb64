"""Keyset paging of stored queries through ``serve --store`` in front of Virtuoso 7 (the same view
and the same Link headers as the embedded engine, the rows re-serialised by
service.execution.remote_pool): following the links over the seed graph gives the embedded
engine's pages, and together the unpaged answer. Virtuoso is installed when missing (as root),
otherwise the test is skipped with the reason."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pyoxigraph
import pytest

from kg.store.builds import current_build
from service import create_app
from service.state import state

from helpers.paths import ROOT
from helpers.virtuoso import Virtuoso, VirtuosoError, ensure_installed

pytestmark = pytest.mark.slow
FIXTURES = ROOT / "tests" / "data" / "queries-paging"
LINK = re.compile(r'<(?P<url>[^>]*)>; rel="next"')


@pytest.fixture(scope="module")
def clients(seed_build, tmp_path_factory):
    """Test clients on the seed build with the paging fixtures: embedded, and ``serve --store`` in
    front of a private Virtuoso with the build's quads bulk-loaded."""
    try:
        ensure_installed()
    except VirtuosoError as exc:
        pytest.skip(f"Virtuoso is not available here: {exc}")
    folder = tmp_path_factory.mktemp("virtuoso-paging")
    location = current_build(Path(seed_build.build_dir))
    assert location is not None
    (folder / "quads").mkdir()
    pyoxigraph.Store.read_only(str(location / "oxigraph")).dump(
        output=str(folder / "quads" / "build.nq"), format=pyoxigraph.RdfFormat.N_QUADS
    )
    server = Virtuoso(folder / "db", buffers=20_000, timeout_s=60)
    with server.running():
        server.bulk_load(folder / "quads")
        local = create_app(seed_build.replace(query_workers=1))
        remote = create_app(seed_build.replace(store_url=server.endpoint))
        for app in (local, remote):
            app.config["PEACEKG_QUERIES_DIR"] = FIXTURES
        try:
            yield local.test_client(), remote.test_client()
        finally:
            state(local).pool.close()


def _pages(client, name: str, names: list[str]) -> list[list[tuple]]:
    """Every page from the first by the Link headers, each as its rows of ``names``."""
    response = client.get(f"/queries/{name}", query_string={"format": "json"})
    pages: list[list[tuple]] = []
    for _ in range(1000):
        assert response.status_code == 200, response.data[:500]
        bindings = response.json["results"]["bindings"]
        pages.append([tuple(b[n]["value"] if n in b else None for n in names) for b in bindings])
        link = response.headers.get("Link")
        if not bindings:
            assert link is None
            return pages
        match = LINK.fullmatch(link or "")
        assert match, link
        url = urlsplit(match.group("url"))
        response = client.get(url.path, query_string=url.query)
    raise AssertionError("paging did not end")


@pytest.mark.parametrize(
    "paged, whole, names",
    [
        ("statement-classes-paged", "statement-classes", ["statement", "class"]),
        ("labels-paged", "labels", ["key", "thing", "label"]),
    ],
)
def test_virtuoso_behind_the_service_pages_as_the_embedded_engine(clients, paged, whole, names) -> None:
    local, remote = clients
    ours, theirs = _pages(local, paged, names), _pages(remote, paged, names)
    assert len(ours) > 3
    assert [Counter(page) for page in theirs] == [Counter(page) for page in ours]
    unpaged = remote.get(f"/queries/{whole}", query_string={"format": "json"}).json["results"]["bindings"]
    expected = Counter(tuple(b[n]["value"] if n in b else None for n in names) for b in unpaged)
    assert Counter(row for page in theirs for row in page) == expected
