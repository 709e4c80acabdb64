"""Stored queries (queries/*.rq, kg.queries.stored): every file has a valid header; every query
runs on the graph built from the seed articles and returns at least the answers that
shared/competency-questions.md expects, compared as RDF terms, with the evidence (article, quoted
span) of each fact that comes from an article; parameters are bound as typed RDF terms, so
hostile values are refused or match nothing, and the store is never changed; the CLI maps each
failure to its documented exit code. Service tests: test_stored_queries_service.py."""

from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pyoxigraph
import pytest
from click.testing import CliRunner
from test_dossier_queries import DOSSIER_CASES

from kg.cli import cli
from kg.queries.run import execute, execute_bound
from kg.queries.stored import (
    QUERIES_DIR,
    Param,
    StoredQueryFileError,
    StoredQueryInputError,
    bind,
    find,
    load,
    load_all,
    parse,
    paths,
    to_term,
)
from kg.sparql.binding import XSD, BindingError, to_oxigraph
from kg.store.builds import open_store

from helpers.hostile import HOSTILE_IRIS, HOSTILE_TEXT
from helpers.paths import ROOT

RES, PK = "https://w3id.org/peacekg/resource/", "https://w3id.org/peacekg/ontology/"
VOCAB = "https://w3id.org/peacekg/vocab/"
A000, A001, A002, A003, A004 = (
    f"https://w3id.org/peacekg/article/{i}"
    for i in (
        "000_f8d9a80233053aef",
        "001_8d381c327fafc0c6",
        "002_812b4db44989ec20",
        "003_4f3bc5a24f05ce64",
        "004_e4a9586795b55eb4",
    )
)
BOUND = object()  # an expected value: "any value, but bound"
SAMPLE_VALUES = {"entity-search": {"text": "budapest"}}  # values for required parameters when running every query
# --- fixtures ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_settings(seed_build):
    return seed_build


@pytest.fixture(scope="module")
def store(seed_settings) -> pyoxigraph.Store:
    return open_store(Path(seed_settings.build_dir))


@pytest.fixture(scope="module")
def spans(store) -> dict[str, tuple[str, str]]:
    """Every text span of the graph: IRI -> (source document IRI, quoted text)."""
    rows = store.query(
        """PREFIX oa: <http://www.w3.org/ns/oa#>
        SELECT ?span ?source ?exact WHERE { ?span oa:hasSource ?source ; oa:hasSelector/oa:exact ?exact }""",
        use_default_graph_as_union=True,
    )
    return {r["span"].value: (r["source"].value, r["exact"].value) for r in rows}


# --- comparing rows as RDF terms ---------------------------------------------------------------


def iri(curie: str) -> pyoxigraph.NamedNode:
    prefixes = {
        "res": RES,
        "pk": PK,
        "stance": VOCAB + "stance/",
        "gk": VOCAB + "guarantee-kind/",
        "unit": VOCAB + "unit/",
        "vocab": VOCAB,
        "wd": "http://www.wikidata.org/entity/",
        "skos": "http://www.w3.org/2004/02/skos/core#",
        "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    }
    prefix, _, local = curie.partition(":")
    return pyoxigraph.NamedNode(
        prefixes[prefix] + local if prefix in prefixes and not local.startswith("//") else curie
    )


def date(value: str) -> pyoxigraph.Literal:
    return pyoxigraph.Literal(value, datatype=pyoxigraph.NamedNode(XSD + "date"))


def key(term: Any) -> tuple:
    """A term's identity for comparison: numbers by value (200000 = 200000.0), others as terms."""
    if isinstance(term, pyoxigraph.Literal) and term.datatype.value in (
        XSD + "decimal",
        XSD + "integer",
        XSD + "double",
    ):
        try:
            return ("number", Decimal(term.value))
        except InvalidOperation:
            pass
    return ("term", str(term))


def expected_term(value: Any) -> Any:
    if isinstance(value, bool):
        return pyoxigraph.Literal("true" if value else "false", datatype=pyoxigraph.NamedNode(XSD + "boolean"))
    if isinstance(value, (int, float, Decimal)):
        return pyoxigraph.Literal(str(value), datatype=pyoxigraph.NamedNode(XSD + "decimal"))
    if isinstance(value, str):
        return (
            pyoxigraph.NamedNode(value)
            if value.startswith("http")
            else iri(value)
            if ":" in value
            else pyoxigraph.Literal(value)
        )
    return value


def matches(row: dict[str, Any], pattern: dict[str, Any]) -> bool:
    for name, value in pattern.items():
        if name not in row:
            return False
        if value is not BOUND and key(row[name]) != key(expected_term(value)):
            return False
    return True


def evidence_groups(names: list[str]) -> list[tuple[str, str, str]]:
    """(article, quote, span) column triples: ``article/quote/span`` and ``xArticle/xQuote/xSpan``."""
    groups = []
    for name in names:
        if name == "article" or name.endswith("Article"):
            prefix = name[: -len("article")] if name == "article" else name[: -len("Article")]
            quote, span = (prefix + "Quote", prefix + "Span") if prefix else ("quote", "span")
            groups.append((name, quote, span))
    return groups


# --- the expected answers (shared/competency-questions.md), as RDF terms -------------------------

CASES: list[tuple[str, dict[str, str], list[dict[str, Any]]]] = [
    (
        "cq01-troop-proposals",
        {},
        [
            {
                "proposal": "res:zelensky-peacekeeping-force-200k",
                "relation": "pk:proposedBy",
                "agent": "res:volodymyr-zelenskyy",
                "size": 200000,
                "article": A000,
            },
            {
                "proposal": "res:zelensky-peacekeeping-force-200k",
                "agent": "res:volodymyr-zelenskyy",
                "size": 200000,
                "article": A002,
            },
            {"proposal": "res:analysts-peacekeeping-force-40-50k", "minSize": 40000, "maxSize": 50000, "article": A000},
            {
                "proposal": "res:macron-starmer-peace-monitoring-troops",
                "relation": "pk:proposedBy",
                "agent": "res:emmanuel-macron",
                "article": A000,
            },
            {
                "proposal": "res:macron-starmer-peace-monitoring-troops",
                "relation": "pk:backedBy",
                "agent": "res:keir-starmer",
                "article": A000,
            },
        ],
    ),
    (
        "cq02-troop-willingness",
        {},
        [
            {"holder": "res:poland", "stance": "stance:refuses", "article": A000},
            {"holder": "res:baltic-states", "stance": "stance:supports", "article": A000},
            {"holder": "res:olaf-scholz", "stance": "stance:opposes", "article": A000},
            {
                "holder": "res:germany",
                "stance": "stance:offers",
                "saidBy": "res:annalena-baerbock",
                "via": "res:frankfurter-allgemeine-zeitung",
                "article": A000,
            },
            {"holder": "res:pedro-sanchez", "stance": "stance:considers", "article": A000},
            {"holder": "res:france", "stance": "stance:considers", "article": A000},
            {"holder": "res:united-kingdom", "stance": "stance:considers", "article": A000},
        ],
    ),
    (
        "cq03-precedents-invoked",
        {},
        [
            {"article": A003, "precedent": f"res:{p}", "lesson": BOUND}
            for p in (
                "budapest-memorandum",
                "brest-litovsk-russia-1918",
                "molotov-ribbentrop-pact",
                "soviet-invasion-of-poland",
                "soviet-polish-non-aggression-pact",
            )
        ],
    ),
    (
        "cq04-precedent-facts",
        {},
        [
            {
                "precedent": "res:budapest-memorandum",
                "fact": "pk:earliest",
                "value": date("1994-12-05"),
                "source": BOUND,
            },
            *(
                {"precedent": "res:budapest-memorandum", "fact": "pk:guarantor", "value": f"res:{s}", "source": BOUND}
                for s in ("united-states", "united-kingdom", "russia")
            ),
            {"precedent": "res:budapest-memorandum", "fact": "pk:commitmentKind", "value": "gk:non-binding-assurance"},
            {"precedent": "res:budapest-memorandum", "fact": "pk:beneficiary", "value": "res:ukraine"},
            {
                "precedent": "res:budapest-memorandum",
                "fact": "pk:obligor",
                "value": "res:ukraine",
                "commitment": "res:budapest-denuclearisation",
            },  # Ukraine's side: its nuclear weapons
            {
                "precedent": "res:budapest-memorandum",
                "fact": "pk:violator",
                "value": "res:russia",
                "event": "res:annexation-of-crimea-2014",
                "eventDate": date("2014-02-20"),
                "source": BOUND,
            },
            {
                "precedent": "res:budapest-memorandum",
                "fact": "pk:violator",
                "value": "res:russia",
                "event": "res:russian-invasion-of-ukraine-2022",
                "eventDate": date("2022-02-24"),
            },
            {"precedent": "res:brest-litovsk-russia-1918", "fact": "pk:earliest", "value": date("1918-03-03")},
            {
                "precedent": "res:brest-litovsk-ukraine-1918",
                "fact": "pk:party",
                "value": "res:ukrainian-peoples-republic",
            },
        ],
    ),
    (
        "cq05-security-guarantees",
        {},
        [
            {
                "guarantee": "res:nato-membership-for-ukraine",
                "relation": "pk:positionHolder",
                "actor": "res:volodymyr-zelenskyy",
                "stance": "stance:supports",
                "article": A002,
            },
            {
                "guarantee": "res:nato-membership-for-ukraine",
                "relation": "pk:positionHolder",
                "actor": "res:russia",
                "stance": "stance:rejects",
                "article": A003,
            },
            {
                "guarantee": "res:western-troops-in-ukraine",
                "relation": "pk:positionHolder",
                "actor": "res:russia",
                "stance": "stance:opposes",
                "article": A001,
            },
            {
                "guarantee": "res:kellogg-fleitz-us-security-guarantees",
                "relation": "pk:guarantor",
                "actor": "res:united-states",
                "article": A002,
            },
            {
                "guarantee": "res:kellogg-fleitz-us-security-guarantees",
                "relation": "pk:proposedBy",
                "proposal": "res:kellogg-fleitz-plan",
            },
            {
                "guarantee": "res:russian-veto-security-consortium",
                "relation": "pk:vetoHolder",
                "actor": "res:russia",
                "article": A001,
            },
            {
                "guarantee": "res:russian-veto-security-consortium",
                "relation": "pk:positionHolder",
                "actor": "res:russia",
                "stance": "stance:supports",
                "article": A001,
            },
        ],
    ),
    (
        "cq06-demands",
        {},
        [
            {"party": "res:russia", "provisionType": "pk:AllianceMembershipProvision", "article": A000},
            {
                "party": "res:russia",
                "provisionType": "pk:ArmedForcesLimitProvision",
                "amount": Decimal("0.2"),
                "article": A000,
            },
            {
                "party": "res:russia",
                "provisionType": "pk:ForeignTroopPresenceProvision",
                "stance": "stance:opposes",
                "article": A001,
            },
            {"party": "res:vladimir-putin", "provisionType": "pk:TerritorialProvision", "article": A001},
            {
                "party": "res:volodymyr-zelenskyy",
                "provisionType": "pk:TerritorialProvision",
                "stance": "stance:demands",
                "article": A000,
            },
            {
                "party": "res:ukraine",
                "provisionType": "pk:ArmedForcesLimitProvision",
                "stance": "stance:rejects",
                "article": A004,
            },
            {"party": "res:ukraine", "provisionType": "pk:SecurityGuaranteeProvision", "article": A004},
            {"party": "res:ukraine", "provisionType": "pk:EconomicProvision", "article": A004},
        ],
    ),
    (
        "cq07-voices",
        {},
        [
            {
                "voice": "res:ryhor-nizhnikau",
                "organisation": "res:finnish-institute-of-international-affairs",
                "article": A001,
            },
            {
                "voice": "res:michael-mcfaul",
                "roleStatus": "vocab:role-status/former",
                "concerns": "res:russia",
                "article": A002,
            },
        ],
    ),
    ("cq08-actor-claims", {}, [{"actor": "res:volodymyr-zelenskyy", "relation": "pk:attributedTo", "article": A000}]),
    (
        "cq08-actor-claims",
        {"actor": RES + "vladimir-putin"},
        [
            {"actor": "res:vladimir-putin", "relation": "pk:attributedTo", "article": BOUND},
            {
                "actor": "res:vladimir-putin",
                "relation": "pk:positionHolder",
                # 000 s2 (Olexander: Putin will not allow multinational armies); 000 s39's object is in its
                # provisions (Ukraine kept out of NATO), no longer a target nato-membership-for-ukraine (issue 15)
                "target": "res:western-troops-in-ukraine",
                "article": A000,
            },
        ],
    ),
    (
        "cq09-figures",
        {},
        [
            {"value": 200000, "article": A000},
            {"minValue": 40000, "maxValue": 50000, "article": A000},
            {"value": 1000, "unit": "unit:kilometre", "article": A000},
            {"value": 800000, "article": A000},
            {"value": 600000, "article": A002},
            {"value": 18, "unit": "unit:percent", "article": A004},
        ],
    ),
    (
        "cq10-timeline",
        {},
        [
            {"thing": "res:brest-litovsk-russia-1918", "earliest": date("1918-03-03"), "article": A003},
            {"thing": "res:molotov-ribbentrop-pact", "earliest": date("1939-08-23"), "article": A003},
            {"thing": "res:budapest-memorandum", "earliest": date("1994-12-05"), "article": A003},
            {"thing": "res:annexation-of-crimea-2014", "earliest": date("2014-02-20"), "article": BOUND},
            {"thing": "res:russian-invasion-of-ukraine-2022", "earliest": date("2022-02-24"), "article": BOUND},
            {
                "thing": "res:kellogg-fleitz-plan",
                "earliest": date("2024-04-01"),
                "latest": date("2024-04-30"),
                "article": A002,
            },
            {"thing": "res:alaska-summit-2025", "earliest": date("2025-08-15"), "article": A001},
        ],
    ),
    (
        "cq11-external-links",
        {},
        [
            {"entity": "res:vladimir-putin", "property": "pk:wikidataId", "identifier": "Q7747", "link": "wd:Q7747"},
            {"entity": "res:volodymyr-zelenskyy", "property": "pk:wikidataId", "identifier": "Q3874799"},
            {"entity": "res:nato", "property": "pk:wikidataId", "identifier": "Q7184"},
            {"entity": "res:ukraine", "property": "pk:wikidataId", "identifier": "Q212"},
            {"entity": "res:russia", "property": "pk:wikidataId", "identifier": "Q159"},
            {"entity": "res:minsk-protocol", "property": "pk:paxAgreementId", "identifier": "1363"},
            {"entity": "res:molotov-ribbentrop-pact", "property": "pk:atopId", "identifier": "2470"},
        ],
    ),
    (
        "cq12-disagreements",
        {},
        [
            {
                "subject": "res:zelensky-peacekeeping-force-200k",
                "actor": "res:volodymyr-zelenskyy",
                "stance": "stance:demands",
                "otherActor": "res:financial-times",
                "otherStance": "stance:doubts",
                "article": A000,
                "otherArticle": A000,
            }
        ],
    ),
    # --- the other stored queries --------------------------------------------------------------
    (
        "entity-search",
        {"text": "budapest"},
        [
            {"entity": "res:budapest-memorandum", "matchedBy": "rdfs:label"},
            {
                "entity": "res:budapest-memorandum",
                "matchedBy": "skos:altLabel",
                "matched": pyoxigraph.Literal("Budapest Memorandum", language="en"),
            },
        ],
    ),
    ("entity-search", {"text": "nIJNIKAU"}, [{"entity": "res:ryhor-nizhnikau", "matchedBy": "skos:altLabel"}]),
    ("entity-search", {"text": "200,000"}, [{"entity": "res:zelensky-peacekeeping-force-200k", "article": A000}]),
    (
        "actor-profile",
        {},
        [
            {"actor": "res:vladimir-putin", "property": "pk:wikidataId", "value": "Q7747"},
            {"actor": "res:vladimir-putin", "property": "pk:hasRole", "detail": "res:russia", "article": A002},
            {"actor": "res:vladimir-putin", "property": "pk:mentionedIn", "value": A004, "article": A004},
        ],
    ),
    (
        "actor-timeline",
        {},
        [
            {
                "actor": "res:vladimir-putin",
                "stance": "stance:rejects",
                "target": "res:western-troops-in-ukraine",
                "date": date("2025-01-20"),
                "article": A000,
            }
        ],
    ),
    (
        "proposal-provisions",
        {},
        [
            {
                "proposal": "res:kellogg-fleitz-plan",
                "part": "provision",
                "itemType": "pk:SecurityGuaranteeProvision",
                "guarantee": "res:kellogg-fleitz-us-security-guarantees",
            },
            {"proposal": "res:kellogg-fleitz-plan", "part": "proposed by", "actor": "res:keith-kellogg"},
        ],
    ),
    (
        "proposal-provisions",
        {"proposal": RES + "zelensky-peacekeeping-force-200k"},
        [
            {"part": "provision", "itemType": "pk:ForeignTroopPresenceProvision", "amount": 200000, "article": A000},
            {"part": "against", "actor": "res:financial-times", "stance": "stance:doubts", "article": A000},
            {"part": "for", "actor": "res:volodymyr-zelenskyy", "article": A002},
        ],
    ),
    (
        "precedent-profile",
        {},
        [
            {
                "precedent": "res:budapest-memorandum",
                "fact": "pk:violatingEvent",
                "value": "res:annexation-of-crimea-2014",
                "when": date("2014-02-20"),
            },
            {"precedent": "res:budapest-memorandum", "fact": "pk:invokesPrecedent", "lesson": BOUND, "article": A003},
        ],
    ),
    (
        "compare-guarantees",
        {},
        [
            {
                "kind": "gk:unspecified",
                "inProposal": "res:kellogg-fleitz-us-security-guarantees",
                "shared": False,
                "article": A002,
            },
            {"kind": "gk:non-binding-assurance", "inPrecedent": "res:budapest-assurances", "shared": False},
            {"kind": "gk:non-aggression", "atop": "NONAGG", "inPrecedent": "res:budapest-assurances"},
        ],
    ),
    (
        "compare-guarantees",
        {"proposal": RES + "lend-lease-deal-for-ukraine", "precedent": RES + "lend-lease"},
        [
            {
                "kind": "gk:lend-lease",
                "inProposal": "res:lend-lease-guarantee-for-ukraine-003",
                "shared": True,
                "article": A003,
            },
            {"kind": "gk:lend-lease", "inPrecedent": "res:lend-lease/commitment/0", "shared": True},
            {"kind": "gk:arms-supply", "family": "gk:arms-supply", "shared": False},
        ],
    ),
    (
        "contradictions",
        {},
        [
            {
                "sameActor": True,
                "target": "res:nato-membership-for-ukraine",
                "actor": "res:the-analyst",
                "otherActor": "res:the-analyst",
                "article": A003,
                "otherArticle": A003,
            },
            {
                "sameActor": False,
                "target": "res:western-troops-in-ukraine",
                "actor": "res:poland",
                "stance": "stance:refuses",
                "otherActor": "res:germany",
                "otherStance": "stance:offers",
                "article": A000,
                "otherArticle": A000,
            },
        ],
    ),
]


CASES += DOSSIER_CASES  # the dossier panels' queries (tests/unit/test_dossier_queries.py)


def runnable(path: Path) -> bool:
    """Federated queries call Wikidata: their headers are checked here, not their answers."""
    return "federated" not in load(path).tags


# --- headers -----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", paths(), ids=lambda p: p.stem)
def test_every_file_has_a_valid_header(path: Path) -> None:
    query = load(path)  # raises StoredQueryFileError with file:line otherwise
    assert query.name == path.stem and query.title and query.description.endswith((".", "?", ")"))
    body = "\n".join(line.split("#", 1)[0] for line in query.text.splitlines())  # a rough cut of comments
    assert ("federated" in query.tags) == bool(re.search(r"\bSERVICE\b", body)), (
        "tag `federated` iff the query calls SERVICE"
    )
    cq = re.fullmatch(r"cq(\d\d)-[a-z0-9-]+", query.name)
    if cq:
        assert {"competency", f"cq-{int(cq.group(1))}"} <= set(query.tags)
    for param in query.params:
        assert re.search(rf"SELECT[^{{]*\?{param.name}\b", query.text), f"{param.name} must be projected"


def test_every_competency_question_has_a_stored_query_and_expected_answers() -> None:
    queries = load_all()[0]
    for n in range(1, 13):
        tagged = [q.name for q in queries if f"cq-{n}" in q.tags]
        assert len(tagged) == 1 and tagged[0].startswith(f"cq{n:02d}-"), (n, tagged)
        assert any(name == tagged[0] for name, _, _ in CASES), f"no expected answers for {tagged[0]}"
    assert {name for name, _, _ in CASES} >= {q.name for q in queries if "federated" not in q.tags}


# --- answers -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, values, expected",
    CASES,
    ids=["-".join([n, *(v.rsplit("/", 1)[-1] for v in values.values())]) for n, values, _ in CASES],
)
def test_answers_include_the_expected_rows_with_evidence(store, spans, name, values, expected) -> None:
    result = execute(find(name), values, store)
    for pattern in expected:
        hits = [row for row in result.rows if matches(row, pattern)]
        assert hits, f"{name}: no row matches {pattern}"
        for article, quote, span in evidence_groups(list(pattern)):
            # the fact comes from an article: the matching row carries the span and its quote, and they agree
            assert any(
                span in row and quote in row and spans[row[span].value] == (row[article].value, row[quote].value)
                for row in hits
            ), f"{name}: {pattern} has no consistent evidence"


@pytest.mark.parametrize("path", [p for p in paths() if runnable(p)], ids=lambda p: p.stem)
def test_every_query_answers_binds_its_parameters_and_its_evidence_is_consistent(store, spans, path: Path) -> None:
    """(How fast each query answers is measured in bench/, not asserted here.)"""
    query = load(path)
    result = execute(query, SAMPLE_VALUES.get(query.name, {}), store)
    assert result.rows, f"{query.name} has no answer on the seed graph"
    groups = evidence_groups(result.variables)
    for row in result.rows:
        for name, term in result.bindings.items():  # every row shows the value it was asked for
            assert row[name] == to_oxigraph(term)
        for article, quote, span in groups:
            if span in row or article in row:
                assert span in row and quote in row and article in row, (query.name, row)
                assert spans[row[span].value] == (row[article].value, row[quote].value), (query.name, row)


def test_a_parameter_selects_the_rows(store) -> None:
    query = find("cq08-actor-claims")
    putin = execute(query, {"actor": RES + "vladimir-putin"}, store)
    zelensky = execute(query, {}, store)
    unknown = execute(query, {"actor": RES + "nobody-of-that-name"}, store)
    assert putin.rows and zelensky.rows and not unknown.rows
    assert {r["actor"].value for r in putin.rows} == {RES + "vladimir-putin"}
    assert {r["actor"].value for r in zelensky.rows} == {RES + "volodymyr-zelenskyy"}  # the default
    said = {
        relation: {r["item"].value for r in rows.rows if r["relation"].value == PK + "attributedTo"}
        for relation, rows in (("putin", putin), ("zelensky", zelensky))
    }
    assert said["putin"] and said["zelensky"] and said["putin"].isdisjoint(said["zelensky"])


def test_the_timeline_is_in_date_order(store) -> None:
    dates = [row["earliest"].value for row in execute(find("cq10-timeline"), {}, store).rows]
    assert dates == sorted(dates) and len(dates) > 10


# --- parameters: typed terms, never text -------------------------------------------------------


@pytest.mark.parametrize(
    "kind, raw, expected",
    [
        ("iri", f" {RES}ukraine ", pyoxigraph.NamedNode(RES + "ukraine")),
        ("string", 'a "b" \n c', pyoxigraph.Literal('a "b" \n c')),
        ("integer", "-42", pyoxigraph.Literal("-42", datatype=pyoxigraph.NamedNode(XSD + "integer"))),
        ("decimal", "0.2", pyoxigraph.Literal("0.2", datatype=pyoxigraph.NamedNode(XSD + "decimal"))),
        ("date", "1994-12-05", date("1994-12-05")),
        ("boolean", "TRUE", pyoxigraph.Literal("true", datatype=pyoxigraph.NamedNode(XSD + "boolean"))),
        ("boolean", "0", pyoxigraph.Literal("false", datatype=pyoxigraph.NamedNode(XSD + "boolean"))),
        ("langstring", "mir@RU", pyoxigraph.Literal("mir", language="ru")),
        ("langstring", "a@b@en-GB", pyoxigraph.Literal("a@b", language="en-gb")),
    ],
)
def test_values_become_typed_terms(kind: str, raw: str, expected) -> None:
    assert to_oxigraph(to_term(Param("x", kind, None, "help", 1), raw)) == expected


@pytest.mark.parametrize(
    "kind, raw",
    [
        ("integer", "1.5"),
        ("integer", "12 OR 1=1"),
        ("decimal", "1e5"),
        ("decimal", "NaN"),
        ("date", "1994-13-01"),
        ("date", "05.12.1994"),
        ("boolean", "yes"),
        ("langstring", "no tag"),
        ("langstring", "x@not a tag"),
        *(("iri", bad) for bad in HOSTILE_IRIS),
    ],
)
def test_invalid_values_are_refused(kind: str, raw: str) -> None:
    with pytest.raises(BindingError):
        to_term(Param("x", kind, None, "help", 1), raw)


def test_binding_applies_defaults_and_refuses_unknown_and_missing_parameters() -> None:
    compare = find("compare-guarantees")
    assert bind(compare, {"precedent": RES + "lend-lease"})["proposal"].value == RES + "kellogg-fleitz-plan"
    with pytest.raises(StoredQueryInputError, match=r"unknown parameter.*precednet"):
        bind(compare, {"precednet": RES + "lend-lease"})
    with pytest.raises(StoredQueryInputError, match=r"text .*required"):
        bind(find("entity-search"), {})
    with pytest.raises(StoredQueryInputError, match="actor: not an absolute IRI"):
        bind(find("cq08-actor-claims"), {"actor": HOSTILE_IRIS[0]})
    with pytest.raises(StoredQueryInputError) as missing:
        find("../kg/settings")
    assert missing.value.not_found and missing.value.exit_code == 13


@pytest.mark.parametrize("text", HOSTILE_TEXT)
def test_hostile_text_is_only_looked_for(store, text: str) -> None:
    before = len(store)
    query = find("entity-search")
    result = execute(query, {"text": text}, store)
    assert result.rows == [] and len(store) == before  # no label contains it; nothing was changed


def test_a_literal_with_quotes_is_matched_as_written(store) -> None:
    rows = execute(find("entity-search"), {"text": "Zelensky's 200,000"}, store).rows
    assert {r["entity"].value for r in rows} == {RES + "zelensky-peacekeeping-force-200k"}


@pytest.mark.parametrize("value", ["javascript:alert(1)", "urn:x:y", RES + "vladimir-putin%3E%20%7D"])
def test_well_formed_but_foreign_iris_are_bound_harmlessly(store, value: str) -> None:
    before = len(store)
    assert execute(find("actor-profile"), {"actor": value}, store).rows == [] and len(store) == before


def test_the_query_text_reaches_the_engine_unchanged() -> None:
    seen: dict[str, Any] = {}

    class Recorder:
        def query(self, text, **kwargs):
            seen.update(text=text, **kwargs)
            return pyoxigraph.Store().query("SELECT ?text WHERE {}", substitutions=kwargs["substitutions"])

    query = find("entity-search")
    execute_bound(query, bind(query, {"text": HOSTILE_TEXT[0]}), Recorder())
    assert seen["text"] == query.text and HOSTILE_TEXT[0] not in seen["text"]
    assert seen["substitutions"] == {pyoxigraph.Variable("text"): pyoxigraph.Literal(HOSTILE_TEXT[0])}


# --- bad files: file:line, what is wrong --------------------------------------------------------

GOOD = "# title: T\n# description: D.\nSELECT ?s WHERE { ?s ?p ?o }\n"


@pytest.mark.parametrize(
    "text, line, message",
    [
        ("# description: D.\nSELECT * WHERE {}\n", 2, "no `# title:` line"),
        ("# title: T\nSELECT * WHERE {}\n", 2, "no `# description:` line"),
        ("# title: T\n# title: U\n# description: D.\nSELECT * WHERE {}\n", 2, "title is given twice"),
        ("# titel: T\n# description: D.\nSELECT * WHERE {}\n", 1, "unknown header field 'titel'"),
        ("# title: \n# description: D.\nSELECT * WHERE {}\n", 1, "title is empty"),
        ("# title: " + "x" * 81 + "\n# description: D.\nSELECT * WHERE {}\n", 1, "longer than 80"),
        ("# title: T\n# description: D.\n", 3, "no query after the header"),
        ("# title: T\n# description: D.\n# param: s uri http://x — h\nSELECT ?s WHERE {}\n", 3, "unknown type 'uri'"),
        (
            "# title: T\n# description: D.\n# param: s iri http://x - h\nSELECT ?s WHERE {}\n",
            3,
            "NAME TYPE DEFAULT-or-required",
        ),
        (
            "# title: T\n# description: D.\n# param: s iri http://x — \nSELECT ?s WHERE {}\n",
            3,
            "NAME TYPE DEFAULT-or-required",
        ),
        ("# title: T\n# description: D.\n# param: s integer ten — h\nSELECT ?s WHERE {}\n", 3, "invalid default"),
        (
            "# title: T\n# description: D.\n# param: s-x iri required — h\nSELECT ?s WHERE {}\n",
            3,
            "not a SPARQL variable",
        ),
        ("# title: T\n# description: D.\n# param: format string csv — h\nSELECT ?format WHERE {}\n", 3, "reserved"),
        (
            "# title: T\n# description: D.\n# param: s iri required — h\n# param: s iri required — h\nSELECT ?s WHERE {}\n",
            4,
            "declared twice",
        ),
        ("# title: T\n# description: D.\n# param: x iri required — h\nSELECT ?s WHERE { ?s ?p ?o }\n", 3, "not used"),
        (
            "# title: T\n# description: D.\n# param: o iri required — h\nSELECT ?s WHERE { ?s ?p ?o }\n",
            3,
            "cannot be bound",
        ),
        ("# title: T\n# description: D.\n# tags: Big Tag\nSELECT * WHERE {}\n", 3, "tags are lower-case"),
        ("# title: T\n# description: D.\nSELECT * WHERE {\n  ?s ?p ?o\n  BIND(1 AS)\n}\n", 5, "SPARQL syntax error"),
        ("# title: T\n# description: D.\nASK { ?s ?p ?o }\n", None, "a SELECT query"),
    ],
)
def test_a_bad_file_is_reported_with_its_line(tmp_path: Path, text: str, line: int | None, message: str) -> None:
    path = tmp_path / "bad.rq"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(StoredQueryFileError) as error:
        load(path)
    assert error.value.line == line and message in error.value.message
    assert str(error.value).startswith(f"{path}:{line}:" if line else f"{path}:") and error.value.exit_code == 4


def test_a_bad_file_name_and_free_comments(tmp_path: Path) -> None:
    with pytest.raises(StoredQueryFileError, match="file name"):
        parse(GOOD, tmp_path / "Bad Name.rq")
    notes = "# title: T\n# description: D.\n#\n# pk:x and Note: free text\nSELECT ?s WHERE { ?s ?p ?o }\n"
    assert parse(notes, tmp_path / "ok.rq").title == "T"


# --- the command line --------------------------------------------------------------------------


def run_cli(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_cli_runs_a_stored_query_in_each_format(seed_settings) -> None:
    build_dir = str(seed_settings.build_dir)
    result = run_cli(
        "--build-dir",
        build_dir,
        "query",
        "cq08-actor-claims",
        "--param",
        f"actor={RES}vladimir-putin",
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert body["head"]["vars"][0] == "actor" and body["results"]["bindings"]
    assert {b["actor"]["value"] for b in body["results"]["bindings"]} == {RES + "vladimir-putin"}
    csv = run_cli("--build-dir", build_dir, "query", "entity-search", "--param", "text=budapest", "--format", "csv")
    assert (
        csv.exit_code == 0
        and csv.output.splitlines()[0].startswith("text,entity,")
        and RES + "budapest-memorandum" in csv.output
    )
    table = run_cli("--build-dir", build_dir, "query", "cq09-figures")
    assert table.exit_code == 0 and "200000" in table.output and table.output.rstrip().endswith("rows)")


def test_cli_lists_the_queries() -> None:
    result = run_cli("query", "--list")
    assert result.exit_code == 0
    assert (
        "cq01-troop-proposals  Foreign troops" in result.output and "--param text=<string>  (required)" in result.output
    )


@pytest.mark.parametrize(
    "args, code, message",
    [
        (["query", "no-such-query"], 13, "no stored query 'no-such-query'"),
        (["query", "entity-search"], 13, "parameter text (string) is required"),
        (["query", "entity-search", "--param", "txt=x"], 13, "unknown parameter(s) txt"),
        (["query", "cq08-actor-claims", "--param", "actor=not an iri"], 13, "not an absolute IRI"),
        (["query", "entity-search", "--param", "text"], 2, "is not NAME=VALUE"),
        (["query", "entity-search", "--param", "text=a", "--param", "text=b"], 2, "given twice"),
        (["query"], 2, "give the name of a stored query"),
    ],
)
def test_cli_exit_codes(seed_settings, args: list[str], code: int, message: str) -> None:
    result = run_cli("--build-dir", str(seed_settings.build_dir), *args)
    assert result.exit_code == code and message in result.output, result.output
    assert "Traceback" not in result.output


def test_cli_without_a_store_exits_11_and_with_a_broken_file_4(tmp_path: Path) -> None:
    result = run_cli("--build-dir", str(tmp_path / "nothing"), "query", "cq09-figures")
    assert result.exit_code == 11 and "peacekg build" in result.output
    folder = tmp_path / "queries"
    folder.mkdir()
    (folder / "broken.rq").write_text("# title: T\n# description: D.\nSELECT ?s WHERE { ?s ?p\n", encoding="utf-8")
    (folder / "fine.rq").write_text(GOOD, encoding="utf-8")
    listed = run_cli("query", "--list", "--queries-dir", str(folder))
    assert listed.exit_code == 4 and "fine  T" in listed.output and "broken.rq:4:" in listed.output
    ran = run_cli("--build-dir", str(tmp_path / "nothing"), "query", "broken", "--queries-dir", str(folder))
    assert ran.exit_code == 4 and "SPARQL syntax error" in ran.output


def test_the_default_folder_is_the_repository_s() -> None:
    assert QUERIES_DIR == ROOT / "queries" and (QUERIES_DIR / "README.md").is_file()
