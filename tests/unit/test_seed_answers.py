"""The minimum answers of shared/competency-questions.md are derivable from the seed annotations:
the corpus is mapped to RDF (no reasoning) and each expectation is a SPARQL ASK query, with the
evidence span where the fact comes from an article. The stored queries of the service (issue 6)
answer the same questions for users; this test guards the annotations themselves."""

from __future__ import annotations

import pyoxigraph
import pytest

from kg.annotations.check import open_corpus, vocabulary_index
from kg.mapping.dataset import article_graph, reference_graph
from kg.mapping.iris import Minter
from kg.serialize import to_oxigraph
from kg.settings import load_settings

from helpers import stored_answers as answers
from helpers.paths import ROOT

A000, A001, A002, A003, A004 = (
    f"<{a}>" for a in (answers.A000, answers.A001, answers.A002, answers.A003, answers.A004)
)
PREFIXES = """
PREFIX pk: <https://w3id.org/peacekg/ontology/>  PREFIX res: <https://w3id.org/peacekg/resource/>
PREFIX oa: <http://www.w3.org/ns/oa#>  PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>  PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX stance: <https://w3id.org/peacekg/vocab/stance/>  PREFIX ms: <https://w3id.org/peacekg/vocab/membership-status/>
PREFIX rec: <https://w3id.org/peacekg/vocab/recognition/>  PREFIX gk: <https://w3id.org/peacekg/vocab/guarantee-kind/>
PREFIX unit: <https://w3id.org/peacekg/vocab/unit/>  PREFIX ta: <https://w3id.org/peacekg/vocab/territorial-arrangement/>
"""
# A statement evidenced in a given article: the evidence span's source is that article.
EVIDENCED = "?s pk:hasEvidence/oa:hasTarget ?span . ?span oa:hasSource {a} . ?span oa:hasSelector/oa:exact ?quote ."

EXPECTATIONS = {
    # 1. Troop-presence proposals, who made them, with what size.
    "q1-zelensky-200k-in-000-and-002": f"""ASK {{
        res:zelensky-peacekeeping-force-200k pk:proposedBy res:volodymyr-zelenskyy ;
            pk:hasProvision [ a pk:ForeignTroopPresenceProvision ; pk:hasQuantity/pk:numericValue ?n200k ] ;
            pk:hasEvidence/oa:hasTarget/oa:hasSource {A000} . FILTER(?n200k = 200000)
        ?s pk:target res:zelensky-peacekeeping-force-200k . {EVIDENCED.format(a=A002)} }}""",
    "q1-analysts-40-50k": f"""ASK {{
        res:analysts-peacekeeping-force-40-50k pk:hasProvision/pk:hasQuantity [ pk:minValue ?a ; pk:maxValue ?b ] .
        ?s pk:hasQuantity [ pk:minValue ?c ; pk:maxValue ?d ] . FILTER(?a = 40000 && ?b = 50000 && ?c = 40000 && ?d = 50000) {EVIDENCED.format(a=A000)} }}""",
    "q1-macron-creator": f"""ASK {{
        res:macron-starmer-peace-monitoring-troops pk:proposedBy res:emmanuel-macron ; pk:backedBy res:keir-starmer ;
            pk:hasEvidence/oa:hasTarget/oa:hasSource {A000} }}""",
    # 2. Willingness to send troops.
    "q2-poland-refuses": f"ASK {{ ?s a pk:Position ; pk:positionHolder res:poland ; pk:stance stance:refuses . {EVIDENCED.format(a=A000)} }}",
    "q2-baltic-favourable": f"ASK {{ ?s a pk:Position ; pk:positionHolder res:baltic-states ; pk:stance stance:supports . {EVIDENCED.format(a=A000)} }}",
    "q2-scholz-opposed": f"ASK {{ ?s a pk:Position ; pk:positionHolder res:olaf-scholz ; pk:stance stance:opposes . {EVIDENCED.format(a=A000)} }}",
    "q2-baerbock-offer": f"ASK {{ ?s pk:attributedTo res:annalena-baerbock ; pk:positionHolder res:germany ; pk:stance stance:offers ; pk:statedVia res:frankfurter-allgemeine-zeitung . {EVIDENCED.format(a=A000)} }}",
    "q2-sanchez-on-the-table": f"ASK {{ ?s pk:positionHolder res:pedro-sanchez ; pk:stance stance:considers . {EVIDENCED.format(a=A000)} }}",
    "q2-france-uk-considering": f"""ASK {{ ?s pk:positionHolder res:france ; pk:stance stance:considers . {EVIDENCED.format(a=A000)}
        ?t pk:positionHolder res:united-kingdom ; pk:stance stance:considers }}""",
    # 3. Precedents invoked in 003, with what they show.
    **{
        f"q3-{key}": f"ASK {{ ?s a pk:PrecedentInvocation ; pk:invokesPrecedent res:{key} ; pk:lesson ?lesson . {EVIDENCED.format(a=A003)} }}"
        for key in (
            "budapest-memorandum",
            "brest-litovsk-russia-1918",
            "molotov-ribbentrop-pact",
            "soviet-invasion-of-poland",
            "soviet-polish-non-aggression-pact",
        )
    },
    # 4. Precedent facts, with their own sources.
    "q4-budapest-facts": """ASK {
        res:budapest-memorandum pk:hasTimeSpan/pk:earliest "1994-12-05"^^xsd:date ; prov:hadPrimarySource ?source ;
            pk:hasCommitment ?c . ?c pk:guarantor res:united-states , res:united-kingdom , res:russia ;
            pk:beneficiary res:ukraine ; pk:commitmentKind gk:non-binding-assurance .
        ?v pk:violatedAgreement res:budapest-memorandum ; pk:violator res:russia ; pk:violatingEvent res:annexation-of-crimea-2014 ; prov:hadPrimarySource ?s1 .
        ?w pk:violatedAgreement res:budapest-memorandum ; pk:violatingEvent res:russian-invasion-of-ukraine-2022 }""",
    "q4-two-brest-litovsk-treaties": """ASK {
        res:brest-litovsk-russia-1918 pk:hasTimeSpan/pk:earliest "1918-03-03"^^xsd:date ; pk:party res:russian-sfsr .
        res:brest-litovsk-ukraine-1918 pk:hasTimeSpan/pk:earliest "1918-02-09"^^xsd:date ; pk:party res:ukrainian-peoples-republic }""",
    # 5. Security guarantees, providers, acceptance.
    "q5-nato-wanted-by-ukraine": f"ASK {{ ?s pk:positionHolder ?h ; pk:stance stance:supports ; pk:target res:nato-membership-for-ukraine . VALUES ?h {{ res:ukraine res:volodymyr-zelenskyy }} {EVIDENCED.format(a=A002)} }}",
    "q5-nato-rejected-by-russia": "ASK { ?s pk:positionHolder ?h ; pk:target res:nato-membership-for-ukraine ; pk:stance ?st . VALUES ?h { res:russia res:vladimir-putin } VALUES ?st { stance:demands stance:opposes stance:rejects } }",
    "q5-western-troops-rejected-by-russia": f"ASK {{ ?s pk:positionHolder res:russia ; pk:target res:western-troops-in-ukraine ; pk:stance stance:opposes . {EVIDENCED.format(a=A001)} }}",
    "q5-kellogg-fleitz-us-guarantees": f"""ASK {{ res:kellogg-fleitz-plan pk:hasProvision/pk:providesGuarantee ?g . ?g pk:guarantor res:united-states ;
        pk:hasEvidence/oa:hasTarget/oa:hasSource {A002} }}""",
    "q5-consortium-with-russian-veto": f"""ASK {{ res:russian-veto-security-consortium pk:vetoHolder res:russia ;
        pk:commitmentKind gk:multilateral-arrangement-with-veto ; pk:hasEvidence/oa:hasTarget/oa:hasSource {A001} }}""",
    # 6. Demands and preconditions.
    "q6-russia-army-one-fifth": f"""ASK {{ ?s pk:positionHolder res:russia ; pk:stance stance:demands ;
        pk:hasProvision [ a pk:ArmedForcesLimitProvision ; pk:hasQuantity/pk:numericValue ?fifth ] . FILTER(?fifth = 0.2) {EVIDENCED.format(a=A000)} }}""",
    "q6-russia-ukraine-out-of-nato": "ASK { ?s pk:positionHolder res:russia ; pk:stance stance:demands ; pk:hasProvision [ a pk:AllianceMembershipProvision ; pk:membershipStatus ms:excluded ] }",
    "q6-russia-keeps-annexed-territory": f"ASK {{ ?s pk:positionHolder res:vladimir-putin ; pk:hasProvision [ a pk:TerritorialProvision ] . {EVIDENCED.format(a=A001)} }}",
    "q6-zelensky-2022-borders": f"""ASK {{ ?s pk:positionHolder ?h ; pk:hasProvision [ a pk:TerritorialProvision ; pk:territorialArrangement ta:withdrawal ] .
        VALUES ?h {{ res:ukraine res:volodymyr-zelenskyy }} {EVIDENCED.format(a=A000)} }}""",
    "q6-ukraine-no-limits-on-army": f"ASK {{ ?s pk:positionHolder res:ukraine ; pk:stance stance:rejects ; pk:hasProvision [ a pk:ArmedForcesLimitProvision ] . {EVIDENCED.format(a=A004)} }}",
    "q6-ukraine-three-pillars": f"""ASK {{ ?s pk:positionHolder res:ukraine ; pk:hasProvision [ a pk:SecurityGuaranteeProvision ] , [ a pk:EconomicProvision ] .
        {EVIDENCED.format(a=A004)} }}""",
    # 7. Voices with role and affiliation.
    "q7-nijnikau-fiia": f"ASK {{ ?r pk:holder res:ryhor-nizhnikau ; pk:roleIn res:finnish-institute-of-international-affairs ; pk:hasEvidence/oa:hasTarget/oa:hasSource {A001} }}",
    "q7-mcfaul-former-ambassador": f"""ASK {{ ?r pk:holder res:michael-mcfaul ; pk:roleStatus <https://w3id.org/peacekg/vocab/role-status/former> ;
        pk:roleConcerns res:russia ; pk:hasEvidence/oa:hasTarget/oa:hasSource {A002} }}""",
    # 8. An actor's claims.
    "q8-zelensky-claims": f"ASK {{ ?s pk:attributedTo res:volodymyr-zelenskyy . {EVIDENCED.format(a=A000)} }}",
    "q8-putin-claims": "ASK { ?s pk:attributedTo res:vladimir-putin ; pk:hasEvidence ?e }",
    # 9. Figures.
    **{
        f"q9-{name}": f"ASK {{ ?s a pk:ReportedFigure ; pk:hasQuantity ?q . ?q {pattern} . {EVIDENCED.format(a=article)} }}"
        for name, pattern, article in (
            ("200000", "pk:numericValue ?v FILTER(?v = 200000)", A000),
            ("40000-50000", "pk:minValue ?lo ; pk:maxValue ?hi FILTER(?lo = 40000 && ?hi = 50000)", A000),
            ("1000-km", "pk:numericValue ?v ; pk:unit unit:kilometre FILTER(?v = 1000)", A000),
            ("800000", "pk:numericValue|pk:minValue ?v FILTER(?v = 800000)", A000),
            ("600000", "pk:numericValue|pk:minValue ?v FILTER(?v = 600000)", A002),
            ("18-percent", "pk:numericValue ?v ; pk:unit unit:percent FILTER(?v = 18)", A004),
        )
    },
    # 10. Dated events (by the event's or report's time span).
    **{
        f"q10-{name}": f"""ASK {{ {{ ?x pk:hasTimeSpan/pk:earliest ?d }} UNION {{ ?r pk:reportsEvent ?x ; pk:hasTimeSpan/pk:earliest ?d }}
        VALUES ?x {{ {target} }} FILTER(STR(?d) >= "{lo}" && STR(?d) <= "{hi}") }}"""
        for name, target, lo, hi in (
            ("brest-litovsk-1918", "res:brest-litovsk-russia-1918", "1918-01-01", "1918-12-31"),
            ("pact-23-august-1939", "res:molotov-ribbentrop-pact", "1939-08-23", "1939-08-23"),
            ("budapest-1994", "res:budapest-memorandum", "1994-01-01", "1994-12-31"),
            ("crimea-2014", "res:annexation-of-crimea-2014", "2014-01-01", "2014-12-31"),
            ("invasion-2022", "res:russian-invasion-of-ukraine-2022", "2022-01-01", "2022-12-31"),
            ("kellogg-fleitz-april-2024", "res:kellogg-fleitz-plan", "2024-04-01", "2024-04-30"),
            ("alaska-15-august-2025", "res:alaska-summit-2025", "2025-08-15", "2025-08-15"),
        )
    },
    # 11. External identifiers.
    "q11-wikidata-ids": """ASK { res:vladimir-putin pk:wikidataId "Q7747" . res:volodymyr-zelenskyy pk:wikidataId "Q3874799" .
        res:nato pk:wikidataId "Q7184" . res:ukraine pk:wikidataId "Q212" . res:russia pk:wikidataId "Q159" .
        res:minsk-protocol pk:paxAgreementId "1363" . res:molotov-ribbentrop-pact pk:atopId "2470" }""",
    # 12. Disagreement: the 200,000 figure needed (Zelensky) vs unrealistic (Financial Times study).
    "q12-ft-doubts-200k": f"""ASK {{ ?s pk:attributedTo res:financial-times ; pk:stance stance:doubts ; pk:target ?t .
        {{ ?t pk:hasQuantity/pk:numericValue ?n ; pk:attributedTo res:volodymyr-zelenskyy FILTER(?n = 200000) }} UNION {{ FILTER(?t = res:zelensky-peacekeeping-force-200k) }}
        {EVIDENCED.format(a=A000)} }}""",
}


@pytest.fixture(scope="module")
def store() -> pyoxigraph.Store:
    settings = load_settings(
        config_file=None, environ={}, overrides={"corpus_dir": ROOT / "corpus", "ontology_dir": ROOT / "ontology"}
    )
    corpus = open_corpus(settings)
    corpus.raise_for_issues()
    store = pyoxigraph.Store()
    minter, vocabulary = Minter(settings.base_iri), vocabulary_index(settings)
    graphs = {"reference": reference_graph(corpus, minter, vocabulary)}  # as kg.builder.pipeline maps them
    graphs.update({f"article/{a}": article_graph(corpus, a, minter, vocabulary) for a in sorted(corpus.articles)})
    for name, mapped in graphs.items():
        graph = pyoxigraph.NamedNode(str(minter.graph(name)))
        store.extend(pyoxigraph.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o), graph) for s, p, o in mapped)
    return store


@pytest.mark.parametrize("name", sorted(EXPECTATIONS))
def test_competency_minimum_is_derivable(name: str, store: pyoxigraph.Store) -> None:
    query = PREFIXES + EXPECTATIONS[name]
    assert store.query(query, use_default_graph_as_union=True), f"{name}: no match for\n{EXPECTATIONS[name]}"
