"""Dossiers in a real browser (Debian's /usr/bin/chromium, driven by Playwright; never
`playwright install`) against `peacekg serve` over the seed corpus, started on 127.0.0.1 and
stopped by PID: a dossier of each kind opens and shows its panels with the rows its stored queries
return (the expectations are read from the same store, so the test follows the corpus); each
panel's "open as query" link loads that query on the query page, and it runs; axe-core (npm,
service/web) finds no serious or critical violation on any kind nor on the 404 page, and nothing is
loaded from another host."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pyoxigraph
import pytest

from kg.queries.run import execute
from kg.queries.stored import find
from kg.store.builds import open_store
from service.views.dossier_panels import KINDS
from service.views.query_page import YASGUI_BUILD

from helpers.browser import serious
from helpers.paths import ROOT
from helpers.servers import running_service

RES, ART = "https://w3id.org/peacekg/resource/", "https://w3id.org/peacekg/article/"
AXE = ROOT / "service" / "web" / "node_modules" / "axe-core" / "axe.min.js"
# One individual of each kind in the seed corpus, chosen so that most panels have rows.
DOSSIERS = {
    "actor": RES + "volodymyr-zelenskyy",
    "proposal": RES + "zelensky-peacekeeping-force-200k",
    "precedent": RES + "soviet-polish-non-aggression-pact",
    "event": RES + "davos-2025",
    "article": ART + "000_f8d9a80233053aef",
}
BASE_IRI = "https://w3id.org/peacekg/"


@pytest.fixture(scope="module")
def server(seed_build, tmp_path_factory):
    if not (YASGUI_BUILD / "yasgui.min.js").is_file():
        pytest.skip("the query page's assets are not installed: run make install")
    tmp = tmp_path_factory.mktemp("dossiers")
    with running_service(Path(seed_build.build_dir), tmp / "server.log") as base:
        yield base


@pytest.fixture(scope="module")
def store(seed_build):
    return open_store(Path(seed_build.build_dir))


def panels_of(kind: str):
    return next(k for k in KINDS if k.name == kind).panels


def expected_texts(store, panel, iri: str, limit: int = 3) -> list[str]:
    """What the panel must show for the first rows of its query on the seed store: a statement's
    summary, else the label of the first column's value, else its literal."""
    rows = execute(find(panel.query), {panel.param: iri}, store).rows
    texts = []
    for row in rows:
        if panel.view == "text" and "quote" in row:  # the article's text: the quoted passages
            texts.append(row["quote"].value)
        elif "summary" in row and "statement" in row:
            texts.append(row["summary"].value)
        elif panel.columns:
            first = panel.columns[0].var
            label = row.get(first + "Label") if (first + "Label") in row else None
            if label is not None:
                texts.append(label.value)
            elif first in row and not row[first].value.startswith("http"):
                texts.append(row[first].value)
        if len(texts) >= limit:
            break
    return texts


def url_of(server: str, iri: str) -> str:
    return server + "/" + iri[len(BASE_IRI) :]


@pytest.mark.slow
@pytest.mark.parametrize("kind", list(DOSSIERS))
def test_a_dossier_shows_its_panels_with_the_rows_of_their_queries(server, store, page, kind) -> None:
    iri = DOSSIERS[kind]
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(url_of(server, iri))
    assert page.locator("p.dossier-kind .badge").inner_text().lower() in (kind, "agreement")
    with_rows = 0
    for panel in panels_of(kind):
        section = page.locator(f"section#panel-{panel.key}")
        assert section.count() == 1, panel.key
        assert section.locator(".panel-error").count() == 0, section.inner_text()
        texts = expected_texts(store, panel, iri)
        shown = section.text_content() or ""
        for text in texts:
            assert text in shown, (panel.key, text)
        with_rows += bool(texts)
        # statements are named by their summaries, never by their IRIs
        for link in section.locator("a.summary").all():
            assert not link.inner_text().startswith(("http", "article/")), link.inner_text()
    assert with_rows >= len(panels_of(kind)) - 2  # nearly every panel has rows for these individuals
    assert page.locator("#raw").count() == 1 and page.locator("table.facts").count() == 1
    assert all(url.startswith(server) for url in requests), [u for u in requests if not u.startswith(server)]
    assert serious(page.problems) == []


def first_labels(store, name: str, param: str, iri: str) -> list[str]:
    """The labels (?xLabel beside an IRI ?x) of the query's first row on the seed store."""
    rows = execute(find(name), {param: iri}, store).rows
    if not rows:
        return []
    row = rows[0]
    return [row[n + "Label"].value for n in row if n + "Label" in row and isinstance(row[n], pyoxigraph.NamedNode)]


@pytest.mark.slow
@pytest.mark.parametrize("kind", list(DOSSIERS))
def test_each_panel_opens_as_a_query_that_runs(server, store, page, kind) -> None:
    page.goto(url_of(server, DOSSIERS[kind]))
    links = [(a.get_attribute("href") or "") for a in page.locator("a.open-query").all()]
    assert len(links) == len(panels_of(kind))
    for href in links:
        wanted = parse_qs(urlparse(href).query)
        name = wanted.pop("stored")[0]
        page.goto(server + href)
        page.wait_for_selector("#yasgui .yasqe .CodeMirror >> visible=true")  # the query's own tab
        query = page.evaluate("window.peacekgYasgui.getTab().getQuery()")
        assert find(name).title == page.evaluate("window.peacekgYasgui.getTab().getName()")
        for param, values in wanted.items():
            assert f"<{values[0]}>" in bound_in_values(query, param), (name, param, query[:400])
        with page.expect_response(lambda r: r.url == server + "/sparql" and r.request.method == "POST") as answer:
            page.locator("#yasgui .yasqe_queryButton >> visible=true").click()
        assert answer.value.status == 200, (name, answer.value.text()[:300])
        page.locator("#yasgui .yasr table tbody tr >> visible=true").first.wait_for()
        shown = page.locator("#yasgui .yasr table tbody >> visible=true").inner_text()
        param = next(iter(wanted))
        for label in first_labels(store, name, param, wanted[param][0]):  # labels shown for their IRIs
            assert label in shown, (name, label)
    assert serious(page.problems) == []


def bound_in_values(query: str, name: str) -> set[str]:
    """The terms ``?name`` is bound to by the one-row VALUES blocks the query page writes for a
    stored query's parameters (``VALUES (?a ?b) { (<x> "") }``: the other parameters, defaults
    included, may share the block)."""
    terms = set()
    for names, row in re.findall(r"VALUES \(([^)]*)\) \{ \((.*?)\) \}", query):
        variables = names.split()
        if f"?{name}" in variables:
            terms.add(re.findall(r'<[^>]*>|"[^"]*"\S*|\S+', row)[variables.index(f"?{name}")])
    return terms


def axe_violations(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, { resultTypes: ['violations'] })")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"][:3]]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.fixture()
def axe_page(browser):
    """A page whose CSP lets the test inject axe-core (the service's pages allow no inline script)."""
    if not AXE.is_file():
        pytest.skip("axe-core is not installed: run make install (npm install --prefix service/web)")
    context = browser.new_context(viewport={"width": 1300, "height": 1000}, bypass_csp=True)
    yield context.new_page()
    context.close()


@pytest.mark.slow
@pytest.mark.parametrize("kind", [*DOSSIERS, "missing"])
def test_no_serious_accessibility_violations(server, axe_page, kind) -> None:
    requests: list[str] = []
    axe_page.on("request", lambda r: requests.append(r.url))
    target = url_of(server, DOSSIERS[kind]) if kind in DOSSIERS else server + "/resource/no-such-thing"
    response = axe_page.goto(target)
    assert response is not None and response.status == (404 if kind == "missing" else 200)
    assert axe_violations(axe_page) == []
    assert all(url.startswith(server) for url in requests)


@pytest.mark.slow
def test_an_iri_that_names_nothing_is_a_404_page_with_entity_search(server, page) -> None:
    response = page.goto(server + "/resource/zelenskyy-volodymyr-typo")
    assert response is not None and response.status == 404
    assert "no resource" in page.locator("main").inner_text()
    search = page.locator("form.entity-search input[name=text]")
    assert search.input_value() == "zelenskyy volodymyr typo"
    search.fill("zelensky")
    page.locator("form.entity-search button").click()
    page.wait_for_url("**/queries/entity-search?**")
    assert page.get_by_role("link", name="Volodymyr Zelensky").count() >= 1


@pytest.mark.slow
def test_an_article_span_links_to_its_statement_without_script(server, browser) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(url_of(server, DOSSIERS["article"]))
    span = page.locator("pre.dossier-text a.ev").first
    target = (span.get_attribute("href") or "").lstrip("#")
    assert target and page.locator(f"#panel-statements [id='{target}']").count() == 1
    span.click()
    assert page.url.endswith("#" + target)
    context.close()
