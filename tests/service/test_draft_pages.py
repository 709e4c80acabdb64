"""Drafts shown as drafts: with a build that includes drafts, every HTML page that shows a statement
marks a draft (the resource's own page, the article's statement table, the evidence of the things it
is about, stored-query results), and nothing is marked in a default build of the same corpus."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient

from helpers.draft_builds import DRAFT_BADGE as BADGE
from helpers.draft_builds import draft_corpus_client

HTML = {"Accept": "text/html"}


@pytest.fixture(scope="module")
def with_drafts(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FlaskClient]:
    yield from draft_corpus_client(tmp_path_factory.mktemp("with-drafts"), include_drafts=True)


@pytest.fixture(scope="module")
def default(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FlaskClient]:
    yield from draft_corpus_client(tmp_path_factory.mktemp("default"), include_drafts=False)


def _row(html: str, needle: str) -> str:
    """The table row (or heading) of ``html`` that contains ``needle``."""
    return next(part for part in re.split(r"<tr>|<h1>", html) if needle in part)


# (page, a piece of the page that shows the draft s2 (or the draft mention), one that shows reviewed s1)
PAGES = [
    ("/article/fx-001/statement/s2", "Ruritania demands", None),  # the draft's own page
    ("/article/fx-001", "statement/s2", "statement/s1"),  # the article's statement table
    ("/resource/freedonia", "statement/s2", None),  # facts and evidence of what s2 is about
    ("/resource/ruritania?view=raw", "(mention)", None),  # a draft mention among the evidence (the plain page)
    ("/queries/cq06-demands", "statement/s2", None),  # a stored query's results
    ("/queries/cq08-actor-claims?actor=https://w3id.org/peacekg/resource/ana-exempla", "statement/s2", "statement/s1"),
]


@pytest.mark.parametrize("page, draft, reviewed", PAGES, ids=[p[0] for p in PAGES])
def test_every_page_marks_drafts(with_drafts: FlaskClient, page: str, draft: str, reviewed: str | None) -> None:
    response = with_drafts.get(page, headers=HTML)
    assert response.status_code == 200, response.text[:500]
    html = response.get_data(as_text=True)
    assert BADGE.search(_row(html, draft)), _row(html, draft)[:800]
    if reviewed is not None:
        assert not BADGE.search(_row(html, reviewed)), _row(html, reviewed)[:800]


def test_the_draft_column_of_a_stored_query(with_drafts: FlaskClient) -> None:
    body = with_drafts.get("/queries/cq06-demands?format=json").get_json()
    drafts = {  # ?draft: the review status IRI of a draft, unbound for a reviewed statement
        row["statement"]["value"].rsplit("/", 1)[-1]: row["draft"]["value"]
        for row in body["results"]["bindings"]
        if "draft" in row
    }
    assert drafts == {"s2": "https://w3id.org/peacekg/vocab/review-status/draft"}


@pytest.mark.parametrize("page", ["/article/fx-001", "/resource/ruritania", "/resource/freedonia"])
def test_a_default_build_serves_no_draft_to_mark(default: FlaskClient, page: str) -> None:
    html = default.get(page, headers=HTML).get_data(as_text=True)
    assert not BADGE.search(html) and "statement/s2" not in html
    assert default.get("/article/fx-001/statement/s2", headers=HTML).status_code == 404
