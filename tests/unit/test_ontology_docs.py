"""Tests for kg.ontology.docs.page: the generated ontology reference page."""

from __future__ import annotations

import html
import random
import re
from pathlib import Path

import pytest
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import RDF

from kg.ontology.docs.page import render_reference, write_reference

NS = "https://w3id.org/peacekg/ontology/"

TTL = r"""
@prefix :        <https://w3id.org/peacekg/ontology/> .
@prefix vocab:   <https://w3id.org/peacekg/ontology/vocab/> .
@prefix owl:     <http://www.w3.org/2002/07/owl#> .
@prefix rdf:     <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs:    <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd:     <http://www.w3.org/2001/XMLSchema#> .
@prefix skos:    <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix prov:    <http://www.w3.org/ns/prov#> .
@prefix foaf:    <http://xmlns.com/foaf/0.1/> .
@prefix unused:  <http://example.org/unused#> .

<https://w3id.org/peacekg/ontology> a owl:Ontology ;
    rdfs:label "PeaceKG Ontology"@en , "Ontologie PeaceKG"@fr ;
    owl:versionIRI <https://w3id.org/peacekg/ontology/0.1.0> ;
    owl:versionInfo "0.1.0" ;
    dcterms:description "Peace agreements & their provisions." ;
    dcterms:license <https://creativecommons.org/licenses/by/4.0/> ;
    dcterms:creator <https://orcid.org/0000-0002-1825-0097> , "Jane Doe" ;
    dcterms:created "2024-01-15"^^xsd:date .

:Agreement a owl:Class ;
    rdfs:label "Peace agreement"@en , "Accord de paix"@fr ;
    skos:definition "A written agreement between parties to a conflict."@en ;
    skos:example "Minsk II" , "line one\nline two" ;
    skos:editorialNote "INTERNAL EDITORIAL NOTE" ;
    rdfs:subClassOf prov:Entity ,
        [ a owl:Restriction ; owl:onProperty :hasProvision ; owl:someValuesFrom :Provision ] ,
        [ a owl:Restriction ; owl:onProperty :signedBy ;
          owl:minQualifiedCardinality "2"^^xsd:nonNegativeInteger ; owl:onClass :Party ] ,
        [ a owl:Restriction ; owl:onProperty :signingDate ;
          owl:maxCardinality "1"^^xsd:nonNegativeInteger ] .

:Provision a owl:Class ;
    rdfs:label "Provision <b>clause</b>" ;
    rdfs:comment "A clause of an agreement." ;
    rdfs:subClassOf [ a owl:Restriction ; owl:onProperty :provisionOf ; owl:allValuesFrom :Agreement ] ,
        [ a owl:Restriction ; owl:onProperty [ owl:inverseOf :hasProvision ] ; owl:someValuesFrom :Agreement ] ,
        [ a owl:Restriction ; owl:onProperty :provisionOf ; owl:cardinality "1"^^xsd:nonNegativeInteger ] .

:Party a owl:Class ;
    rdfs:subClassOf foaf:Agent ;
    owl:equivalentClass [ a owl:Class ; owl:unionOf ( :StateActor :NonStateActor ) ] .

:StateActor a owl:Class ; rdfs:subClassOf :Party ; owl:disjointWith :NonStateActor .

:NonStateActor a owl:Class ;
    rdfs:subClassOf :Party , [ a owl:Class ; owl:complementOf :StateActor ] .

:CeasefireAgreement a owl:Class ;
    owl:deprecated true ;
    owl:equivalentClass [ a owl:Class ; owl:intersectionOf (
        :Agreement
        [ a owl:Restriction ; owl:onProperty :hasProvision ; owl:hasValue :exampleProvision ] ) ] .

:Status a owl:Class ; owl:equivalentClass [ a owl:Class ; owl:oneOf ( :active :inactive ) ] .

:hasProvision a owl:ObjectProperty ;
    rdfs:label "has provision" ;
    rdfs:domain :Agreement ; rdfs:range :Provision ;
    owl:inverseOf :provisionOf .

:provisionOf a owl:ObjectProperty , owl:FunctionalProperty .

:signedBy a owl:ObjectProperty ;
    rdfs:subPropertyOf prov:wasAttributedTo ;
    rdfs:domain :Agreement ; rdfs:range :Party .

:concernsParty a owl:ObjectProperty ; rdfs:domain :Provision ; rdfs:range :Party .

:involvesParty a owl:ObjectProperty , owl:TransitiveProperty ;
    owl:propertyChainAxiom ( :hasProvision :concernsParty ) .

:signingDate a owl:DatatypeProperty , owl:FunctionalProperty ;
    rdfs:domain :Agreement ; rdfs:range xsd:date .

:sourceNote a owl:AnnotationProperty ; rdfs:subPropertyOf rdfs:comment .

:exampleProvision a owl:NamedIndividual , :Provision ; rdfs:label "Example provision" .
:active a owl:NamedIndividual , :Status .
:inactive a owl:NamedIndividual , :Status .

vocab:ProvisionType a skos:ConceptScheme ;
    skos:prefLabel "Provision types"@en ;
    skos:hasTopConcept vocab:security , vocab:governance .

vocab:security a skos:Concept ;
    skos:prefLabel "Security"@en ; skos:notation "SEC" ;
    skos:topConceptOf vocab:ProvisionType ;
    skos:exactMatch <http://example.org/codes/security> .

vocab:ceasefire a skos:Concept ;
    skos:prefLabel "Ceasefire"@en ; skos:notation "SEC.1" ;
    skos:definition "Cessation of hostilities."@en ;
    skos:broader vocab:security ; skos:inScheme vocab:ProvisionType ;
    skos:closeMatch <http://example.org/codes/ceasefire> .

vocab:disarmament a skos:Concept ;
    skos:prefLabel "Disarmament"@en ; skos:notation "SEC.2" ;
    skos:broader vocab:security ; skos:inScheme vocab:ProvisionType .

vocab:governance a skos:Concept ;
    skos:prefLabel "Governance"@en ; skos:notation "GOV" ;
    skos:topConceptOf vocab:ProvisionType ;
    skos:broadMatch <http://example.org/codes/politics> .
"""

OWN_TERMS = [
    "Agreement",
    "Provision",
    "Party",
    "StateActor",
    "NonStateActor",
    "CeasefireAgreement",
    "Status",
    "hasProvision",
    "provisionOf",
    "signedBy",
    "concernsParty",
    "involvesParty",
    "signingDate",
    "sourceNote",
    "exampleProvision",
    "active",
    "inactive",
    "ProvisionType",
    "security",
    "ceasefire",
    "disarmament",
    "governance",
]


def parse(ttl: str = TTL) -> Graph:
    return Graph().parse(data=ttl, format="turtle")


def shuffled_copy(seed: int) -> Graph:
    """Same triples as TTL, re-parsed (new blank nodes) and added in a shuffled order."""
    source = parse()
    lines = [line for line in source.serialize(format="nt").splitlines() if line.strip()]
    random.Random(seed).shuffle(lines)
    graph = Graph()
    bindings = list(source.namespaces())
    random.Random(seed).shuffle(bindings)
    for prefix, namespace in bindings:
        graph.bind(prefix, namespace, override=True)
    graph.parse(data="\n".join(lines) + "\n", format="nt")
    assert len(graph) == len(source)
    return graph


def visible(fragment: str) -> str:
    """Text a reader sees: block tags become spaces, inline tags vanish, whitespace collapsed."""
    spaced = re.sub(r"</?(?:dt|dd|li|ul|p|pre|h\d|tr|td|th|dl|section)\b[^>]*>", " ", fragment)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]*>", "", spaced))).strip()


def entry(page: str, anchor: str) -> str:
    match = re.search(rf'<section class="entry" id="{re.escape(anchor)}">(.*?)</section>', page, re.S)
    assert match, f"no entry for {anchor}"
    return match.group(1)


def toc(page: str) -> str:
    match = re.search(r'<nav id="toc">(.*?)</nav>', page, re.S)
    assert match
    return match.group(1)


@pytest.fixture(scope="module")
def page() -> str:
    return render_reference(parse())


def test_deterministic_across_calls_and_triple_order(page: str) -> None:
    assert render_reference(parse()) == page
    graph = parse()
    assert render_reference(graph) == render_reference(graph)
    for seed in (1, 2, 3):
        assert render_reference(shuffled_copy(seed)) == page


def test_generated_header_comment(page: str) -> None:
    lines = page.split("\n")
    assert lines[0] == "<!DOCTYPE html>"
    comment = lines[1]
    assert comment.startswith("<!--") and comment.endswith("-->")
    assert "kg.ontology.docs.page" in comment and "make ontology-docs" in comment
    assert "do not edit by hand" in comment.lower()
    assert page.endswith("</html>\n") and "\r" not in page


def test_every_own_term_has_anchor_and_toc_entry(page: str) -> None:
    graph = parse()
    own = {s for s in graph.subjects(RDF.type, None) if isinstance(s, URIRef) and str(s).startswith(NS)}
    assert {str(s).rsplit("/", 1)[-1] for s in own} == set(OWN_TERMS)
    contents = toc(page)
    for name in OWN_TERMS:
        assert page.count(f'id="{name}"') == 1, name
        assert f'href="#{name}"' in contents, name
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) == len(set(ids))


def test_restrictions_in_manchester_syntax(page: str) -> None:
    agreement = visible(entry(page, "Agreement"))
    assert "hasProvision some Provision" in agreement
    assert "signedBy min 2 Party" in agreement
    assert "signingDate max 1" in agreement
    provision = visible(entry(page, "Provision"))
    assert "provisionOf only Agreement" in provision
    assert "provisionOf exactly 1" in provision
    assert "inverse hasProvision some Agreement" in provision
    assert "StateActor or NonStateActor" in visible(entry(page, "Party"))
    assert "not StateActor" in visible(entry(page, "NonStateActor"))
    assert "Agreement and (hasProvision value exampleProvision)" in visible(entry(page, "CeasefireAgreement"))
    assert "{active, inactive}" in visible(entry(page, "Status"))
    assert "hasProvision o concernsParty" in visible(entry(page, "involvesParty"))
    # the restriction filler links to the in-page anchor
    assert (
        '<a href="#hasProvision" title="https://w3id.org/peacekg/ontology/hasProvision">hasProvision</a> some'
        in entry(page, "Agreement")
    )


def test_axioms_and_relations(page: str) -> None:
    agreement = visible(entry(page, "Agreement"))
    assert "Used as domain of hasProvision, signedBy, signingDate" in agreement
    assert "Sub-classes CeasefireAgreement" not in agreement  # only asserted subClassOf counts
    party = visible(entry(page, "Party"))
    assert "Sub-classes NonStateActor, StateActor" in party
    assert "Used as range of concernsParty, signedBy" in party
    assert "Disjoint with NonStateActor" in visible(entry(page, "StateActor"))
    assert "Disjoint with StateActor" in visible(entry(page, "NonStateActor"))
    has_provision = visible(entry(page, "hasProvision"))
    assert "Inverse of provisionOf" in has_provision
    assert "Domain Agreement" in has_provision and "Range Provision" in has_provision
    assert "Characteristics Functional" in visible(entry(page, "provisionOf"))
    assert "Characteristics Transitive" in visible(entry(page, "involvesParty"))
    assert "Range xsd:date" in visible(entry(page, "signingDate"))
    assert "Instances active, inactive" in visible(entry(page, "Status"))
    assert "Deprecated yes" in visible(entry(page, "CeasefireAgreement"))


def test_external_terms_are_links_not_entries(page: str) -> None:
    assert '<a href="http://www.w3.org/ns/prov#Entity">prov:Entity</a>' in page
    assert '<a href="http://xmlns.com/foaf/0.1/Agent">foaf:Agent</a>' in page
    assert '<a href="http://www.w3.org/ns/prov#wasAttributedTo">prov:wasAttributedTo</a>' in page
    assert '<a href="http://www.w3.org/2001/XMLSchema#date">xsd:date</a>' in page
    for name in ("Entity", "Agent", "wasAttributedTo", "comment", "date"):
        assert f'id="{name}"' not in page
    assert 'href="#Entity"' not in page


def test_text_is_escaped_and_language_preferred(page: str) -> None:
    assert "Provision &lt;b&gt;clause&lt;/b&gt;" in page
    assert "<b>clause</b>" not in page
    assert "Peace agreements &amp; their provisions." in page
    assert "Peace agreement" in entry(page, "Agreement")
    assert "Accord de paix" not in page
    assert "<title>PeaceKG Ontology</title>" in page
    assert "INTERNAL EDITORIAL NOTE" not in page
    assert "<pre>line one\nline two</pre>" in entry(page, "Agreement")
    assert "<p>Minsk II</p>" in entry(page, "Agreement")


def test_no_blank_node_ids(page: str) -> None:
    graph = parse()
    assert "_:" not in page
    for node in set(graph.subjects()) | set(graph.objects()):
        if isinstance(node, BNode):
            assert str(node) not in page


def test_header_metadata_and_prefixes(page: str) -> None:
    header = page[page.index("<header>") : page.index("</header>")]
    text = visible(header)
    assert "https://w3id.org/peacekg/ontology/0.1.0" in text
    assert "Version 0.1.0" in text
    assert '<a href="https://creativecommons.org/licenses/by/4.0/">' in header
    assert '<a href="https://orcid.org/0000-0002-1825-0097">' in header and "Jane Doe" in text
    assert "Created 2024-01-15" in text
    prefixes = re.findall(r"<tr><td><code>([^<]*):</code></td><td><code>([^<]*)</code>", header)
    assert ("prov", "http://www.w3.org/ns/prov#") in prefixes
    assert ("vocab", "https://w3id.org/peacekg/ontology/vocab/") in prefixes
    assert "unused" not in dict(prefixes)
    assert prefixes == sorted(prefixes)


def test_concept_scheme_tree(page: str) -> None:
    scheme = page[page.index('<section id="concept-schemes">') :]
    tree = re.search(r'<ul class="tree">(.*?)\n</ul>', scheme, re.S)
    assert tree
    assert visible(tree.group(1)) == (
        "GOV governance — Governance "
        "SEC security — Security "
        "SEC.1 ceasefire — Ceasefire "
        "SEC.2 disarmament — Disarmament"
    )
    assert re.search(r'href="#security".*?<ul><li>.*?href="#ceasefire"', tree.group(1))
    ceasefire = visible(entry(page, "ceasefire"))
    assert "Notation SEC.1" in ceasefire and "Definition Cessation of hostilities." in ceasefire
    assert "Broader security" in ceasefire and "In scheme ProvisionType" in ceasefire
    assert "Close match http://example.org/codes/ceasefire" in ceasefire
    assert "Narrower ceasefire, disarmament" in visible(entry(page, "security"))
    assert "Broad match" in visible(entry(page, "governance"))


def test_duplicate_local_names_get_distinct_anchors() -> None:
    ttl = """
    @prefix owl: <http://www.w3.org/2002/07/owl#> .
    @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
    <https://w3id.org/peacekg/ontology> a owl:Ontology .
    <https://w3id.org/peacekg/ontology/Actor> a owl:Class .
    <https://w3id.org/peacekg/ontology/vocab/Actor> a skos:Concept .
    """
    first = render_reference(parse(ttl))
    assert 'id="Actor"' in first and 'id="Actor-2"' in first
    assert 'href="#Actor"' in toc(first) and 'href="#Actor-2"' in toc(first)
    assert render_reference(parse(ttl)) == first


def test_own_namespaces_override() -> None:
    page = render_reference(parse(), own_namespaces=(NS + "vocab/",), title="Vocabularies")
    assert "<title>Vocabularies</title>" in page
    assert 'id="security"' in page and 'id="Agreement"' not in page


def test_write_reference_only_when_changed(tmp_path: Path) -> None:
    graph = parse()
    target = tmp_path / "docs" / "ontology" / "index.html"
    assert write_reference(graph, target) is True
    content = target.read_bytes()
    assert content == render_reference(graph).encode("utf-8")
    mtime = target.stat().st_mtime_ns
    assert write_reference(graph, target) is False
    assert target.read_bytes() == content and target.stat().st_mtime_ns == mtime
    assert sorted(p.name for p in target.parent.iterdir()) == ["index.html"]
    assert write_reference(graph, target, title="Other title") is True
    assert b"<title>Other title</title>" in target.read_bytes()


def test_datatype_restrictions_self_and_nesting() -> None:
    ttl = """
    @prefix : <https://w3id.org/peacekg/ontology/> .
    @prefix owl: <http://www.w3.org/2002/07/owl#> .
    @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
    @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
    <https://w3id.org/peacekg/ontology> a owl:Ontology .
    :Adult a owl:Class ; owl:equivalentClass [ owl:intersectionOf ( :Person
        [ owl:onProperty :age ; owl:someValuesFrom [ owl:onDatatype xsd:integer ;
          owl:withRestrictions ( [ xsd:minInclusive 18 ] ) ] ] ) ] .
    :Person a owl:Class ; rdfs:subClassOf [ owl:onProperty :knows ; owl:hasSelf true ] ,
        [ owl:onProperty :knows ; owl:someValuesFrom [ owl:unionOf ( :Person [ owl:intersectionOf ( :A :B ) ] ) ] ] .
    :age a owl:DatatypeProperty ; rdfs:range [ owl:datatypeComplementOf xsd:string ] .
    :knows a owl:ObjectProperty .
    """
    page = render_reference(parse(ttl))
    assert "Person and (age some xsd:integer[&gt;= 18])" in re.sub(r"<[^>]*>", "", page)
    person = visible(entry(page, "Person"))
    assert "knows Self" in person
    assert "knows some (Person or (:A and :B))" in person
    assert "Range not xsd:string" in visible(entry(page, "age"))
