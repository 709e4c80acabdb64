"""The stored queries' expected answers on the graph built from the seed articles
(shared/competency-questions.md and the dossier panels): a data module, ``(query name, parameter
values, [expected row patterns])``, each pattern matched by helpers.stored_answers.matches. Read by
the answer tests on the embedded engine (tests/unit/test_stored_queries.py) and on Virtuoso behind
the service (tests/system/test_virtuoso_stored.py)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pyoxigraph

from helpers.dossier_query_cases import DOSSIER_CASES
from helpers.stored_answers import A000, A001, A002, A003, A004, BOUND, RES, date

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
    (  # a later page (cq07 pages by voice): the voices after ".../resource/m", the same rows
        "cq07-voices",
        {"after": RES + "m"},
        [
            {
                "voice": "res:ryhor-nizhnikau",
                "organisation": "res:finnish-institute-of-international-affairs",
                "article": A001,
            },
            {"voice": "res:michael-mcfaul", "roleStatus": "vocab:role-status/former", "article": A002},
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
    # ?classes: the class labels' text in alphabetical order, no language tag (the same on Virtuoso 7)
    (
        "entity-search",
        {"text": "nIJNIKAU"},
        [
            {
                "entity": "res:ryhor-nizhnikau",
                "matchedBy": "skos:altLabel",
                "classes": pyoxigraph.Literal("person, voice"),
            }
        ],
    ),
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

CASES += DOSSIER_CASES  # the dossier panels' queries (helpers/dossier_query_cases.py)
