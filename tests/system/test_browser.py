"""The query page (GET /, YASGUI) and the linked-data pages in a real browser: Debian's chromium
(/usr/bin/chromium, installed here with apt-get when missing and we are root) driven by Playwright
against `peacekg serve` on 127.0.0.1, started by the test and stopped by PID. Also fast checks of
the page and its static route with Flask's test client."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.builder.pipeline import build
from kg.settings import load_settings
from service import create_app
from service.state import state
from service.views.query_examples import BUILT_IN
from service.views.query_page import CSP, NOT_INSTALLED, YASGUI_BUILD

from helpers.browser import serious
from helpers.corpora import make_corpus, settings_for
from helpers.paths import ROOT
from helpers.servers import running_service

SCREENSHOT = Path("/tmp/peacekg-query-page.png")
QUOTE = "Minister Ana Exempla said on Monday that the Lakeside Plan is a trap."
SUMMARY = "Exempla calls the Lakeside Plan a trap."


# --- fast: Flask's test client --------------------------------------------------------------


@pytest.fixture()
def app(tmp_path: Path):
    settings = load_settings(
        config_file=None,
        environ={},
        overrides={"build_dir": tmp_path / "build", "ontology_dir": ROOT / "ontology", "query_workers": 1},
    )
    app = create_app(settings)
    app.config["PEACEKG_QUERIES_DIR"] = tmp_path / "queries"  # absent unless a test writes it
    yield app
    state(app).pool.close()


def test_query_page_lists_the_examples_escaped_under_a_strict_csp(app) -> None:
    response = app.test_client().get("/")
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert response.headers["Content-Security-Policy"] == CSP and "script-src 'self';" in CSP
    assert response.headers["X-Frame-Options"] == "DENY"
    page = response.get_data(as_text=True)
    for example in BUILT_IN:
        assert f">{example.title}</button>" in page
        assert "PREFIX pk: &lt;https://w3id.org/peacekg/ontology/&gt;" in page  # the query, escaped in data-query
    assert '<script type="application/json" id="peacekg-query-config">' in page
    assert '"endpoint": "/sparql"' in page and "stance:" in page
    assert "<script>" not in page  # no inline script: the page's own script is a file
    if (YASGUI_BUILD / "yasgui.min.js").is_file():
        assert 'src="/static/yasgui/yasgui.min.js"' in page and 'src="/static/query-page.js"' in page


def test_stored_queries_come_first_and_are_escaped(app, tmp_path: Path) -> None:
    folder = tmp_path / "queries"
    folder.mkdir()
    (folder / "who-said-it.rq").write_text(
        "# title: Who said <it>?\n# description: a & b\nSELECT * WHERE { ?s ?p ?o } LIMIT 1\n", encoding="utf-8"
    )
    page = app.test_client().get("/").get_data(as_text=True)
    assert ">Who said &lt;it&gt;?</button>" in page and "a &amp; b" in page and "<it>" not in page
    assert page.index("Who said") < page.index(BUILT_IN[0].title)


def test_static_route_serves_yasgui_and_refuses_traversal(app) -> None:
    client = app.test_client()
    for path in (
        "/static/yasgui/../package.json",
        "/static/yasgui/%2e%2e/package.json",
        "/static/yasgui/..%2f..%2fpackage.json",
        "/static/yasgui//etc/passwd",
        "/static/yasgui/%2fetc%2fpasswd",
        "/static/yasgui/ts/../../../../web/package.json",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert b"peacekg-query-page" not in response.data and b"root:" not in response.data
    script = client.get("/static/query-page.js")
    assert script.status_code == 200 and script.mimetype == "text/javascript" and b"new Yasgui(" in script.data
    if (YASGUI_BUILD / "yasgui.min.js").is_file():
        response = client.get("/static/yasgui/yasgui.min.css")
        assert response.status_code == 200 and response.mimetype == "text/css"
        response.close()


def test_missing_assets_are_a_clear_404_and_the_page_says_so(app, tmp_path: Path) -> None:
    app.config["PEACEKG_YASGUI_DIR"] = tmp_path / "not-installed"
    client = app.test_client()
    response = client.get("/static/yasgui/yasgui.min.js")
    assert response.status_code == 404 and response.get_json()["message"] == NOT_INSTALLED
    page = client.get("/").get_data(as_text=True)
    assert "make install" in page and "yasgui.min.js" not in page


# --- slow: a real server and a real browser -------------------------------------------------


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`peacekg serve` over a store built from the fixture corpus; yields its base URL."""
    if not (YASGUI_BUILD / "yasgui.min.js").is_file():
        pytest.skip("the query page's assets are not installed: run make install")
    tmp = tmp_path_factory.mktemp("browser")
    settings = settings_for(tmp, make_corpus(tmp, articles=1))
    build(settings)
    with running_service(Path(settings.build_dir), tmp / "server.log", corpus_dir=Path(settings.corpus_dir)) as base:
        yield base


@pytest.mark.slow
def test_query_page_loads_yasgui_without_errors(server: str, page) -> None:
    page.goto(server + "/")
    page.wait_for_selector("#yasgui .yasqe .CodeMirror")
    page.wait_for_selector("#yasgui .yasr")
    editor = page.evaluate("window.peacekgYasgui.getTab().getQuery()")
    assert "PREFIX pk: <https://w3id.org/peacekg/ontology/>" in editor and "PREFIX stance:" in editor
    assert page.evaluate("window.peacekgYasgui.getTab().getEndpoint()") == server + "/sparql"
    assert page.locator("button.example").count() >= len(BUILT_IN)
    assert serious(page.problems) == []


@pytest.mark.slow
def test_query_page_opens_at_the_top_and_its_first_screen_is_not_blank(server: str, page, tmp_path: Path) -> None:
    """YASGUI focuses its editor when a tab is shown (its option autofocus); the browser then
    scrolled the page down to the editor, and the first screen (heading, intro, examples) was gone."""
    image = pytest.importorskip("PIL.Image")
    page.goto(server + "/")
    page.wait_for_selector("#yasgui .yasqe .CodeMirror")
    page.wait_for_selector("#yasgui .yasr")
    page.wait_for_function("() => window.peacekgYasgui && window.peacekgYasgui.getTab() !== undefined")
    # YASGUI and CodeMirror focus and refresh in timeouts of their own: let those run first.
    page.evaluate("() => new Promise(done => setTimeout(() => requestAnimationFrame(() => done()), 300))")
    assert page.evaluate("window.scrollY") == 0
    height = page.evaluate("window.innerHeight")
    boxes = {selector: page.locator(selector).first.bounding_box() for selector in ("h1", "p.intro", "button.example")}
    for selector, box in boxes.items():
        assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height, (selector, box)
    shot = tmp_path / "first-screen.png"
    page.screenshot(path=str(shot))  # the viewport only: what a visitor sees first
    with image.open(shot) as picture:
        gray = picture.convert("L")
        assert gray.getextrema()[0] < 128 < gray.getextrema()[1], "the first screen is a single shade"
        h1 = boxes["h1"]
        scale = picture.width / page.viewport_size["width"]
        crop = gray.crop(
            tuple(round(v * scale) for v in (h1["x"], h1["y"], h1["x"] + h1["width"], h1["y"] + h1["height"]))
        )
        dark = sum(count for shade, count in enumerate(crop.histogram()) if shade < 128)
        assert dark > 0.02 * crop.width * crop.height, "the heading is not drawn in the screenshot"
    assert serious(page.problems) == []


@pytest.mark.slow
def test_example_query_runs_and_shows_rows(server: str, page) -> None:
    page.goto(server + "/")
    page.wait_for_selector("#yasgui .yasqe .CodeMirror")
    page.get_by_role("button", name=BUILT_IN[0].title).click()
    assert "pk:Claim" in page.evaluate("window.peacekgYasgui.getTab().getQuery()")
    # reduced motion (helpers.browser): the editor is scrolled to at once, not over a few frames;
    # to the top of the window, or as far as the page goes
    assert page.evaluate(
        """() => Math.abs(document.getElementById('yasgui').getBoundingClientRect().top) < 1
        || window.scrollY + window.innerHeight >= document.documentElement.scrollHeight - 1"""
    )
    with page.expect_response(lambda r: r.url == server + "/sparql" and r.request.method == "POST") as answer:
        page.locator("#yasgui .yasqe_queryButton").click()
    assert answer.value.status == 200
    cell = page.locator("#yasgui .yasr table tbody td", has_text=SUMMARY).first
    cell.wait_for()
    assert page.locator("#yasgui .yasr table tbody tr").count() >= 2
    assert page.locator("#yasgui .yasr table tbody", has_text=QUOTE).count() == 1
    assert page.locator("#yasgui .yasr .yasr_downloadIcon").count() == 1  # YASGUI's built-in download
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    assert serious(page.problems) == []


@pytest.mark.slow
def test_numeric_results_draw_a_chart(server: str, page) -> None:
    page.goto(server + "/")
    page.wait_for_selector("#yasgui .yasqe .CodeMirror")
    query = (
        "PREFIX prov: <http://www.w3.org/ns/prov#>\nSELECT ?article (COUNT(?s) AS ?statements) "
        "WHERE { ?s prov:wasDerivedFrom ?article } GROUP BY ?article ORDER BY DESC(?statements)"
    )
    page.evaluate("q => { window.peacekgYasgui.getTab().setQuery(q); }", query)
    with page.expect_response(lambda r: r.url == server + "/sparql" and r.request.method == "POST") as answer:
        page.locator("#yasgui .yasqe_queryButton").click()
    assert answer.value.status == 200
    page.locator("#yasgui .yasr_btn", has_text="Chart").click()
    chart = page.locator("#yasgui svg.peacekg-chart-svg")
    chart.wait_for()
    assert chart.locator("rect").count() >= 1
    assert "statements" in (chart.get_attribute("aria-label") or "")
    download = page.evaluate("window.peacekgYasgui.getTab().getYasr().plugins.chart.download().getData()")
    assert download.startswith("<svg") and "rect" in download
    assert serious(page.problems) == []


@pytest.mark.slow
def test_entity_page_quote_links_to_the_marked_span(server: str, page) -> None:
    page.goto(server + "/article/fx-001/statement/s1")
    assert page.locator("blockquote", has_text=QUOTE).count() >= 1
    link = page.locator("blockquote a[href*='highlight=']", has_text=QUOTE).first
    link.click()
    page.wait_for_url("**/article/fx-001?highlight=*")
    assert page.locator("mark").first.inner_text() == QUOTE
    assert serious(page.problems) == []
