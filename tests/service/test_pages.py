"""Linked-data pages: every IRI under the base dereferences, with content negotiation, evidence
quotes linked to the highlighted span of their article, escaping, security headers and 404/406."""

from __future__ import annotations

import json
import re

import pyoxigraph
import pytest
import rdflib

from kg.mapping.iris import Minter
from kg.settings import load_settings
from kg.store.builds import write_store
from service import create_app
from service.state import state
from service.views.page_model import local_href, split_text
from service.views.pages import iri_for_path

from helpers.paths import DATA, ROOT

BASE = "https://w3id.org/peacekg/"
PK = "https://w3id.org/peacekg/ontology/"
HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
TINY = "https://example.org/kg/"  # a configured public base that is not the service's address
QUOTE = "Minister Ana Exempla said on Monday that the Lakeside Plan is a trap."


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """A hand-made store under another base: hostile literals, verified external ids, odd keys."""
    tmp = tmp_path_factory.mktemp("tiny")
    mint, g = Minter(TINY), pyoxigraph.NamedNode(TINY + "graph/reference")
    x, cafe = pyoxigraph.NamedNode(str(mint.resource("x"))), pyoxigraph.NamedNode(str(mint.resource("café au lait")))
    label = pyoxigraph.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    quads = [
        pyoxigraph.Quad(x, label, pyoxigraph.Literal("<script>alert(1)</script>", language="en"), g),
        pyoxigraph.Quad(x, pyoxigraph.NamedNode(PK + "summary"), pyoxigraph.Literal('a "b" & <i>c</i>'), g),
        pyoxigraph.Quad(x, pyoxigraph.NamedNode(PK + "wikidataId"), pyoxigraph.Literal("Q42"), g),
        pyoxigraph.Quad(x, pyoxigraph.NamedNode(PK + "dbpediaId"), pyoxigraph.Literal("Douglas_Adams"), g),
        pyoxigraph.Quad(x, pyoxigraph.NamedNode(PK + "seeAlso"), pyoxigraph.NamedNode("javascript:alert(2)"), g),
        pyoxigraph.Quad(x, pyoxigraph.NamedNode(PK + "related"), cafe, g),
        pyoxigraph.Quad(cafe, label, pyoxigraph.Literal("Café au lait"), g),
    ]
    settings = load_settings(
        config_file=None,
        environ={},
        overrides={"build_dir": tmp / "build", "ontology_dir": ROOT / "ontology", "base_iri": TINY, "query_workers": 1},
    )
    write_store(tmp / "build", "tiny-1", quads, {"build": "tiny-1", "graphs": {"reference": len(quads)}})
    app = create_app(settings)
    yield app.test_client()
    state(app).pool.close()


def _span(quote: str) -> tuple[int, int]:
    text = (DATA / "corpus" / "articles" / "fx-001.txt").read_text(encoding="utf-8")
    start = text.index(quote)
    return start, start + len(quote)


def test_person_page_shows_label_facts_inbound_links_and_quotes(client) -> None:
    response = client.get("/resource/ana-exempla", headers=HTML)
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "<h1>Ana Exempla</h1>" in page
    assert 'href="/ontology/Person"' in page  # its type, linked to the term's own page
    assert '>Exempla</span><span class="meta">@en</span>' in page  # a fact: skos:altLabel "Exempla"@en
    assert 'href="/article/fx-001/statement/s1"' in page and 'href="/article/fx-001/mention/9-20/ana-exempla"' in page
    assert "badge inferred" in page and ">asserted<" in page  # which graph each fact is in
    start, end = _span(QUOTE)
    assert f'href="/article/fx-001?highlight={start}-{end}#span-{start}-{end}"' in page


def test_statement_quote_links_to_the_highlighted_span_in_its_article(client) -> None:
    page = client.get("/article/fx-001/statement/s1", headers=HTML).get_data(as_text=True)
    start, end = _span(QUOTE)
    link = f"/article/fx-001?highlight={start}-{end}#span-{start}-{end}"
    assert f'<a href="{link}">“{QUOTE}”</a>' in page
    assert "Exempla calls the Lakeside Plan a trap." in page  # its pk:summary
    article = client.get(link.split("#")[0], headers=HTML)
    assert article.status_code == 200
    html = article.get_data(as_text=True)
    assert f'<mark id="span-{start}-{end}">{QUOTE}</mark>' in html and html.count("<mark") == 1
    assert "<h1>Minister calls Lakeside Plan a trap (corpus article fx-001)</h1>" in html
    text = re.search(r'<pre class="text[^"]*">(.*?)</pre>', html, re.S)
    assert text and re.sub(r"<[^>]+>", "", text.group(1)).endswith("Peace is near, wrote a reader.")  # the whole text
    assert "The Fictional Gazette" in html  # metadata: the outlet
    s2 = ">Ruritania demands that Freedonia stay out of the Northern Pact.</a>"  # statement s2, by its summary
    assert s2 in html
    plain = client.get("/article/fx-001?highlight=9999-10000", headers=HTML).get_data(as_text=True)
    assert "<mark" not in plain


@pytest.mark.parametrize(
    "accept, fmt", [("text/turtle", "turtle"), ("application/ld+json", "json-ld"), ("application/n-triples", "nt")]
)
def test_rdf_variants_parse_and_hold_the_resource_triples(client, accept: str, fmt: str) -> None:
    response = client.get("/resource/ana-exempla", headers={"Accept": accept})
    assert response.status_code == 200 and response.mimetype == accept and "Accept" in response.headers["Vary"]
    graph = rdflib.Graph().parse(data=response.data, format=fmt)
    ana = rdflib.URIRef(BASE + "resource/ana-exempla")
    assert (ana, rdflib.RDFS.label, rdflib.Literal("Ana Exempla", lang="en")) in graph
    assert (ana, rdflib.RDF.type, rdflib.URIRef(PK + "Person")) in graph
    assert (rdflib.URIRef(BASE + "article/fx-001/statement/s1"), rdflib.URIRef(PK + "attributedTo"), ana) in graph
    assert all(s == ana or o == ana for s, _, o in graph)


def test_format_parameter_and_other_iri_spaces(client) -> None:
    response = client.get("/resource/ana-exempla?format=ttl", headers=HTML)
    assert response.mimetype == "text/turtle"
    assert client.get("/resource/ana-exempla?format=png").status_code == 400
    term = client.get("/ontology/Person", headers=HTML)
    assert term.status_code == 200 and "<h1>person</h1>" in term.get_data(as_text=True)
    graph = client.get("/graph/article/fx-001", headers=HTML).get_data(as_text=True)
    assert "Named graph" in graph and 'href="/article/fx-001/statement/s1"' in graph


def test_unknown_iri_is_404_and_nothing_acceptable_is_406(client) -> None:
    missing = client.get("/resource/no-such-thing")
    assert (
        missing.status_code == 404
        and missing.json["status"] == 404
        and set(missing.json) == {"status", "error", "message"}
    )
    browser = client.get("/resource/no-such-thing", headers=HTML)
    assert browser.status_code == 404 and browser.mimetype == "text/html"
    assert "Traceback" not in browser.get_data(as_text=True) and browser.headers["X-Frame-Options"] == "DENY"
    refused = client.get("/resource/ana-exempla", headers={"Accept": "image/png"})
    assert refused.status_code == 406 and refused.json["status"] == 406


def test_path_traversal_and_reserved_paths(client) -> None:
    for url in ("/resource/..%2F..%2Fetc%2Fpasswd", "/resource/../../etc/passwd", "/article/%2E%2E/%2E%2E/etc/passwd"):
        response = client.get(url)
        assert response.status_code == 404 and response.mimetype == "application/json"
        assert b"root:" not in response.data
    assert client.get("/health").status_code == 200  # not shadowed
    assert client.get("/sparql", query_string={"query": "ASK {}"}).status_code == 200
    assert client.get("/static/anything").status_code == 404


def test_security_headers_on_html(client) -> None:
    headers = client.get("/resource/ana-exempla", headers=HTML).headers
    assert headers["Content-Security-Policy"] == "default-src 'self'; style-src 'self' 'unsafe-inline'"
    assert headers["X-Frame-Options"] == "DENY" and headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"


def test_escaping_external_ids_and_a_public_base(tiny) -> None:
    """The request path maps to the configured base; literals are escaped; no javascript: links."""
    response = tiny.get("/resource/x", headers=HTML)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<i>c</i>" not in page and "a &#34;b&#34; &amp; &lt;i&gt;c&lt;/i&gt;" in page
    assert (
        'href="https://www.wikidata.org/wiki/Q42"' in page and 'href="https://dbpedia.org/page/Douglas_Adams"' in page
    )
    assert 'href="javascript:' not in page and "javascript:alert(2)" in page
    assert "<code>https://example.org/kg/resource/x</code>" in page
    assert 'href="/resource/caf%C3%A9%20au%20lait"' in page
    for url in ("/resource/caf%C3%A9%20au%20lait", "/resource/café au lait"):
        assert "<h1>Café au lait</h1>" in tiny.get(url, headers=HTML).get_data(as_text=True)
    data = json.loads(tiny.get("/resource/x", headers={"Accept": "application/ld+json"}).data)
    assert "<script>alert(1)</script>" in json.dumps(data, ensure_ascii=False)


def test_helpers() -> None:
    assert iri_for_path("resource/café", BASE) == BASE + "resource/caf%C3%A9"
    assert iri_for_path("resource/../x", BASE) is None and iri_for_path("sparql/x", BASE) is None
    assert local_href(BASE + "resource/a", BASE) == "/resource/a" and local_href("javascript:alert(1)", BASE) is None
    assert split_text("abcdef", "1-3") == {"before": "a", "marked": "bc", "after": "def", "id": "span-1-3"}
    assert split_text("abc", "2-9")["marked"] is None and split_text("abc", "x<y")["marked"] is None
