"""The dossier panels' stored queries (queries/actor-*.rq, proposal-*.rq, precedent-*.rq,
event-*.rq, article-*.rq): the rows each must return on the graph built from the seed articles, as
RDF terms (a data module; helpers.stored_answers.matches compares). Part of
helpers.stored_query_cases.CASES; tests/unit/test_dossier_queries.py checks that every dossier
query has some."""

from __future__ import annotations

from typing import Any

RES = "https://w3id.org/peacekg/resource/"
ART = "https://w3id.org/peacekg/article/"
A000, A002, A003 = (ART + i for i in ("000_f8d9a80233053aef", "002_812b4db44989ec20", "003_4f3bc5a24f05ce64"))
ZELENSKY, PROPOSAL = RES + "volodymyr-zelenskyy", RES + "zelensky-peacekeeping-force-200k"

DOSSIER_CASES: list[tuple[str, dict[str, str], list[dict[str, Any]]]] = [
    ("actor-roles", {}, [{"actor": "res:keith-kellogg", "org": "res:united-states", "article": A002}]),
    (
        "actor-roles",
        {"actor": ZELENSKY},
        [{"org": "res:ukraine", "status": "https://w3id.org/peacekg/vocab/role-status/current"}],
    ),
    (
        "actor-positions",
        {},
        [
            {
                "target": "res:nato-membership-for-ukraine",
                "kind": "position",
                "targetKind": "guarantee",
                "article": A002,
            },
            {"target": "res:western-security-guarantees-for-ukraine", "kind": "claim", "article": A000},
        ],
    ),
    (
        "actor-proposals",
        {},
        [
            {"relation": "made", "proposal": "res:zelensky-peacekeeping-force-200k", "article": A000},
            {"relation": "for", "proposal": "res:zelensky-peacekeeping-force-200k", "article": A002},
        ],
    ),
    (
        "actor-agreements",
        {},
        [
            {
                "actor": "res:poland",
                "relation": "disagrees",
                "other": "res:germany",
                "target": "res:western-troops-in-ukraine",
                "article": A000,
                "otherArticle": A000,
            }
        ],
    ),
    ("actor-comentions", {}, [{"other": "res:donald-trump", "sampleDocument": A000}]),
    (
        "proposal-coding",
        {},
        [
            {
                "provision": PROPOSAL + "/provision/0",
                "property": "pk:mission",
                "value": "https://w3id.org/peacekg/vocab/troop-mission/peacekeeping",
            },
            {"provision": PROPOSAL + "/provision/1", "guarantee": "res:western-security-guarantees-for-ukraine"},
        ],
    ),
    ("proposal-sponsors", {}, [{"relation": "proposed by", "who": "res:volodymyr-zelenskyy", "article": A000}]),
    ("proposal-stances", {}, [{"side": "for", "actor": "res:volodymyr-zelenskyy", "article": A002}]),
    (
        "proposal-lineage",
        {},
        [{"from": "res:analysts-peacekeeping-force-40-50k", "relation": "pk:counters", "to": PROPOSAL}],
    ),
    (
        "proposal-precedents",
        {},
        [
            {
                "guarantee": "res:lend-lease-guarantee-for-ukraine-003",
                "match": "same kind",
                "precedent": "res:lend-lease",
            }
        ],
    ),
    (
        "precedent-parties",
        {},
        [{"relation": "party", "who": "res:second-polish-republic"}, {"relation": "party", "who": "res:soviet-union"}],
    ),
    (
        "precedent-commitments",
        {},
        [{"commitment": "res:budapest-assurances", "property": "pk:beneficiary", "value": "res:ukraine"}],
    ),
    ("precedent-violations", {}, [{"violator": "res:soviet-union", "event": "res:soviet-invasion-of-poland"}]),
    ("precedent-invocations", {}, [{"invocation": A003 + "/statement/s27", "article": A003}]),
    ("event-facts", {}, [{"property": "pk:earliest"}, {"property": "pk:location", "value": "res:helsinki"}]),
    (
        "event-reports",
        {},
        [
            {"relation": "reports", "statement": A002 + "/statement/s1", "article": A002},
            {"relation": "stated at", "statement": A000 + "/statement/s36", "speaker": "res:volodymyr-zelenskyy"},
        ],
    ),
    ("article-metadata", {}, [{"property": "pk:author", "value": A000 + "/author"}, {"property": "pk:statementCount"}]),
    (
        "article-statements",
        {},
        [{"kind": "pk:Claim", "speaker": "res:donald-trump", "statement": A000 + "/statement/s47"}],
    ),
]
