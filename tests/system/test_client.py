"""kg.queries.client: SPARQL results as pandas DataFrames with real dtypes, from the seed build's store and
from a real running service (`peacekg serve` on 127.0.0.1), which must give equal frames; stored
queries and bound parameters (pyoxigraph substitutions locally, a VALUES block remotely)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas
import pytest
from pandas.testing import assert_frame_equal

from kg.queries.client import Client, ClientError, frame_from_json, values_block
from kg.settings import Settings
from kg.sparql.binding import BindingError, BoundTerm

from helpers.servers import free_port, running_service

XSD = "http://www.w3.org/2001/XMLSchema#"
RES = "https://w3id.org/peacekg/resource/"
PREFIXES = """PREFIX pk: <https://w3id.org/peacekg/ontology/> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> PREFIX res: <https://w3id.org/peacekg/resource/>
"""
ARTICLES = (
    PREFIXES
    + """SELECT ?article ?title ?chars ?translated ?published WHERE {
  ?article a pk:Article ; pk:characterCount ?chars ; pk:translated ?translated ; pk:title ?title .
  OPTIONAL { ?article pk:hasTimeSpan/pk:earliest ?published } } ORDER BY ?article"""
)
FIGURES = (
    PREFIXES
    + """SELECT ?figure ?value ?who WHERE { ?figure a pk:ReportedFigure ;
  pk:hasQuantity/pk:numericValue ?value . OPTIONAL { ?figure pk:attributedTo ?who } } ORDER BY ?figure"""
)
EVENTS = (
    PREFIXES
    + """SELECT ?event ?label ?date (COUNT(DISTINCT ?report) AS ?reports) WHERE {
  ?event a pk:Event ; rdfs:label ?label ; pk:hasTimeSpan/pk:earliest ?date .
  OPTIONAL { ?report pk:reportsEvent ?event } } GROUP BY ?event ?label ?date ORDER BY ?date ?event"""
)
CLAIMS_OF = (
    PREFIXES
    + """SELECT ?actor ?statement ?summary WHERE { ?statement pk:attributedTo ?actor ;
  pk:summary ?summary } ORDER BY ?statement"""
)
PARAM_QUERY = """# title: Statements of an actor (test)
# description: What one actor said, for the client's tests.
# param: actor iri https://w3id.org/peacekg/resource/volodymyr-zelenskyy — the actor
PREFIX pk: <https://w3id.org/peacekg/ontology/>
SELECT ?actor ?statement WHERE { ?statement pk:attributedTo ?actor } ORDER BY ?statement
"""


@pytest.fixture(scope="module")
def seed(seed_build) -> Settings:
    return seed_build


@pytest.fixture(scope="module")
def local(seed) -> Client:
    return Client(settings=seed)


@pytest.fixture(scope="module")
def remote(seed, tmp_path_factory):
    log = tmp_path_factory.mktemp("client-service") / "server.log"
    with running_service(Path(seed.build_dir), log) as base:
        yield Client(base + "/sparql")


def test_json_terms_become_typed_columns() -> None:
    def lit(value, datatype=None, lang=None):
        term = {"type": "literal", "value": value}
        term.update({"datatype": XSD + datatype} if datatype else {})
        term.update({"xml:lang": lang} if lang else {})
        return term

    rows = [
        {
            "i": lit("42", "integer"),
            "n": lit("7", "nonNegativeInteger"),
            "d": lit("2.5", "decimal"),
            "f": lit("1e3", "double"),
            "day": lit("1994-12-05", "date"),
            "t": lit("2025-08-15T10:00:00+02:00", "dateTime"),
            "b": lit("true", "boolean"),
            "s": lit("peace", lang="en"),
            "iri": {"type": "uri", "value": RES + "nato"},
            "bn": {"type": "bnode", "value": "b0"},
            "mix": lit("1", "integer"),
            "num": lit("3", "integer"),
        },
        {
            "i": None,
            "d": lit("3", "decimal"),
            "day": lit("1918-03-03", "date"),
            "b": lit("0", "boolean"),
            "s": lit("plain"),
            "mix": {"type": "uri", "value": RES + "x"},
            "num": lit("0.5", "decimal"),
        },
    ]
    variables = ["i", "n", "d", "f", "day", "t", "b", "s", "iri", "bn", "mix", "num"]
    frame = frame_from_json(
        {"head": {"vars": variables}, "results": {"bindings": [{k: v for k, v in r.items() if v} for r in rows]}}
    )
    assert {c: str(t) for c, t in frame.dtypes.items()} == {
        "i": "Int64",
        "n": "Int64",
        "d": "float64",
        "f": "float64",
        "day": "datetime64[us]",
        "t": "datetime64[us, UTC]",
        "b": "boolean",
        "s": "string",
        "s@lang": "string",
        "iri": "string",
        "bn": "string",
        "mix": "string",
        "num": "float64",
    }
    assert list(frame.columns).index("s@lang") == list(frame.columns).index("s") + 1
    assert frame["i"].tolist() == [42, pandas.NA] and frame["f"][0] == 1000.0
    assert frame["t"][0] == pandas.Timestamp("2025-08-15T08:00:00Z")  # the offset is applied
    assert frame["day"][1] == pandas.Timestamp("1918-03-03")
    assert frame["b"].tolist() == [True, False] and frame["s@lang"].tolist() == ["en", pandas.NA]
    assert frame["bn"][0] == "_:b0" and frame["mix"].tolist() == ["1", RES + "x"]
    assert frame.attrs["variables"] == variables and frame.attrs["truncated"] is False


def test_empty_results_keep_their_columns() -> None:
    frame = frame_from_json({"head": {"vars": ["a", "b"]}, "results": {"bindings": []}})
    assert list(frame.columns) == ["a", "b"] and len(frame) == 0


def test_seed_build_gives_typed_frames(local: Client) -> None:
    articles = local.query(ARTICLES)
    assert len(articles) == 5
    assert str(articles["chars"].dtype) == "Int64" and (articles["chars"] > 1000).all()
    assert str(articles["translated"].dtype) == "boolean"
    assert str(articles["article"].dtype) == "string" and str(articles["title"].dtype) == "string"
    figures = local.query(FIGURES)
    assert str(figures["value"].dtype) == "float64" and 200000.0 in set(figures["value"])
    events = local.query(EVENTS)
    assert str(events["date"].dtype) == "datetime64[us]" and str(events["reports"].dtype) == "Int64"
    assert str(events["label@lang"].dtype) == "string" and set(events["label@lang"]) == {"en"}
    alaska = events[events["event"] == RES + "alaska-summit-2025"]
    assert alaska["date"].iloc[0] == pandas.Timestamp("2025-08-15") and alaska["label"].iloc[0] == "Alaska summit 2025"
    assert events["date"].is_monotonic_increasing
    assert local.query(PREFIXES + "ASK { res:budapest-memorandum a pk:Agreement }") is True


def test_local_bindings_are_terms(local: Client) -> None:
    putin = local.query(CLAIMS_OF, bindings={"actor": RES + "vladimir-putin"})
    assert len(putin) > 0 and set(putin["actor"]) == {RES + "vladimir-putin"}
    hostile = local.query(CLAIMS_OF, bindings={"actor": BoundTerm.literal('x" } ; DROP ALL ; #')})
    assert len(hostile) == 0
    with pytest.raises(BindingError):
        local.query(CLAIMS_OF, bindings={"actor": "not an iri"})


def test_service_gives_the_same_frames(local: Client, remote: Client) -> None:
    for query in (ARTICLES, FIGURES, EVENTS):
        assert_frame_equal(remote.query(query), local.query(query))
    assert remote.query(PREFIXES + "ASK { res:budapest-memorandum a pk:Agreement }") is True
    construct = remote.query(PREFIXES + "CONSTRUCT { res:nato ?p ?o } WHERE { res:nato ?p ?o }")
    assert list(construct.columns[:3]) == ["subject", "predicate", "object"] and len(construct) > 3


def test_remote_bindings_go_in_a_values_block(local: Client, remote: Client) -> None:
    bindings = {"actor": RES + "vladimir-putin"}
    assert_frame_equal(remote.query(CLAIMS_OF, bindings=bindings), local.query(CLAIMS_OF, bindings=bindings))
    hostile = BoundTerm.literal('x" } } ; DROP ALL ; SELECT * { ?s ?p ?o } #\n\\')
    assert len(remote.query(CLAIMS_OF, bindings={"actor": hostile})) == 0
    block = values_block({"actor": hostile})
    assert block.count("VALUES") == 1 and '\\"' in block and "\\n" in block


def test_stored_queries_local_and_remote(seed, local: Client, remote: Client, tmp_path: Path) -> None:
    (tmp_path / "said-by.rq").write_text(PARAM_QUERY, encoding="utf-8")
    here, there = Client(settings=seed, queries_dir=tmp_path), Client(remote.endpoint, queries_dir=tmp_path)
    default = here.stored("said-by")
    assert len(default) > 0 and set(default["actor"]) == {RES + "volodymyr-zelenskyy"}
    assert_frame_equal(there.stored("said-by"), default)
    putin = there.stored("said-by", actor=RES + "vladimir-putin")
    assert_frame_equal(putin, here.stored("said-by", actor=RES + "vladimir-putin"))
    assert set(putin["actor"]) == {RES + "vladimir-putin"}


def test_remote_errors_are_client_errors(remote: Client) -> None:
    with pytest.raises(ClientError, match=r"(?i)syntax"):
        remote.query("SELECT ?x WHERE { ?x ")
    with pytest.raises(ClientError, match="unreachable"):
        Client(f"http://127.0.0.1:{free_port()}/sparql", timeout_s=2).query("ASK {}")


def test_python_values_bind_as_typed_literals(local: Client) -> None:
    frame = local.query(
        "SELECT ?n ?d ?b ?x WHERE {}", bindings={"n": 3, "d": dt.date(2025, 8, 15), "b": True, "x": 0.5}
    )
    assert str(frame["n"].dtype) == "Int64" and frame["n"][0] == 3
    assert frame["d"][0] == pandas.Timestamp("2025-08-15") and bool(frame["b"][0]) is True and frame["x"][0] == 0.5
