"""The dataset's VoID and DCAT description, computed from the store (counts are never typed in)."""

from __future__ import annotations

import pyoxigraph

from kg.mapping.links import TARGETS
from kg.serialize import rdf_bytes
from kg.settings import Settings

VOID, DCAT, DCT = "http://rdfs.org/ns/void#", "http://www.w3.org/ns/dcat#", "http://purl.org/dc/terms/"
RDF_TYPE = pyoxigraph.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
XSD_INT = pyoxigraph.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
FOAF = "http://xmlns.com/foaf/0.1/"
PK_EXTERNAL_ID = "https://w3id.org/peacekg/ontology/externalId"
MEDIA = {
    ".trig": "application/trig",
    ".nq": "application/n-quads",
    ".jsonld": "application/ld+json",
    ".ttl": "text/turtle",
}


def _n(iri: str) -> pyoxigraph.NamedNode:
    return pyoxigraph.NamedNode(iri)


def _int(value: int) -> pyoxigraph.Literal:
    return pyoxigraph.Literal(str(value), datatype=XSD_INT)


def _select(store: pyoxigraph.Store, query: str, union: bool = True) -> pyoxigraph.QuerySolutions:
    result = store.query(query, use_default_graph_as_union=union)
    assert isinstance(result, pyoxigraph.QuerySolutions)  # every query here is a SELECT
    return result


def _count(store: pyoxigraph.Store, where: str) -> int:
    [row] = list(_select(store, f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}"))
    return int(row["n"].value)


def void_description(store: pyoxigraph.Store, settings: Settings, manifest: dict, dump_sizes: dict[str, int]) -> str:
    base = settings.base_iri
    ds = _n(base + "dataset")
    t: list[pyoxigraph.Triple] = []

    def add(s, p: str, o) -> None:
        t.append(pyoxigraph.Triple(s, _n(p), o))

    add(ds, RDF_TYPE.value, _n(VOID + "Dataset"))
    add(ds, RDF_TYPE.value, _n(DCAT + "Dataset"))
    add(ds, DCT + "title", pyoxigraph.Literal("PeaceKG", language="en"))
    add(
        ds,
        DCT + "description",
        pyoxigraph.Literal(
            "A knowledge graph of the Russia–Ukraine peace negotiations, built from annotated news articles; every "
            "fact from an article points to the character span that supports it.",
            language="en",
        ),
    )
    add(ds, DCT + "license", _n("https://creativecommons.org/licenses/by/4.0/"))
    add(ds, DCT + "conformsTo", _n("https://w3id.org/peacekg/ontology"))
    add(ds, "http://www.w3.org/2002/07/owl#versionInfo", pyoxigraph.Literal(f"build {manifest.get('build', '?')}"))
    add(ds, VOID + "uriSpace", pyoxigraph.Literal(base + "resource/"))
    add(ds, VOID + "sparqlEndpoint", _n(base + "sparql"))
    for vocabulary in (
        "https://w3id.org/peacekg/ontology/",
        "http://www.w3.org/ns/prov#",
        "http://www.w3.org/ns/oa#",
        "http://www.w3.org/2004/02/skos/core#",
        "http://www.w3.org/2006/time#",
        "https://schema.org/",
    ):
        add(ds, VOID + "vocabulary", _n(vocabulary))
    add(ds, VOID + "triples", _int(len(store)))
    add(
        ds,
        VOID + "entities",
        _int(_count(store, f'SELECT DISTINCT ?s {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), "{base}resource/")) }}')),
    )
    add(ds, VOID + "distinctSubjects", _int(_count(store, "SELECT DISTINCT ?s { ?s ?p ?o }")))
    add(ds, VOID + "distinctObjects", _int(_count(store, "SELECT DISTINCT ?o { ?s ?p ?o }")))
    add(ds, VOID + "classes", _int(_count(store, "SELECT DISTINCT ?c { ?x a ?c }")))
    add(ds, VOID + "properties", _int(_count(store, "SELECT DISTINCT ?p { ?s ?p ?o }")))
    graphs = _select(store, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g", False)
    for row in graphs:
        subset = _n(row["g"].value)
        add(ds, VOID + "subset", subset)
        add(subset, RDF_TYPE.value, _n(VOID + "Dataset"))
        add(subset, VOID + "triples", _int(int(row["n"].value)))
    classes = _select(
        store,
        """SELECT ?c (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x a ?c FILTER(STRSTARTS(STR(?c), "https://w3id.org/peacekg/ontology/")) }
                              GROUP BY ?c ORDER BY ?c""",
    )
    for row in classes:
        part = _n(base + "dataset/class/" + row["c"].value.rsplit("/", 1)[-1])
        add(ds, VOID + "classPartition", part)
        add(part, VOID + "class", _n(row["c"].value))
        add(part, VOID + "entities", _int(int(row["n"].value)))
    # One void:Linkset per target dataset and link predicate; a link stated in two graphs counts once.
    for external in TARGETS:
        space = external.uri_space
        links = _select(
            store,
            f"""SELECT ?p (COUNT(*) AS ?n) (COUNT(DISTINCT ?s) AS ?subjects) WHERE {{
                                  SELECT DISTINCT ?s ?p ?o WHERE {{ ?s ?p ?o FILTER(isIRI(?o) && STRSTARTS(STR(?o), "{space}")) }} }}
                                GROUP BY ?p ORDER BY ?p""",
        )
        target = _n(base + f"dataset/external/{external.field}")
        rows = list(links)
        if rows:
            add(target, RDF_TYPE.value, _n(VOID + "Dataset"))
            add(target, DCT + "title", pyoxigraph.Literal(external.title, language="en"))
            add(target, VOID + "uriSpace", pyoxigraph.Literal(space))
            add(target, VOID + "sparqlEndpoint", _n(external.sparql_endpoint))
            add(target, FOAF + "homepage", _n(external.homepage))
        for row in rows:
            name = row["p"].value.rsplit("/", 1)[-1].rsplit("#", 1)[-1]
            linkset = _n(base + f"dataset/linkset/{external.field}/" + name)
            add(linkset, RDF_TYPE.value, _n(VOID + "Linkset"))
            add(linkset, DCT + "title", pyoxigraph.Literal(f"PeaceKG to {external.title} ({name})", language="en"))
            add(linkset, VOID + "subjectsTarget", ds)
            add(linkset, VOID + "objectsTarget", target)
            add(linkset, VOID + "linkPredicate", _n(row["p"].value))
            add(linkset, VOID + "triples", _int(int(row["n"].value)))
            add(linkset, VOID + "distinctSubjects", _int(int(row["subjects"].value)))
    # Typed identifiers (literals, so not linksets): one property partition per identifier scheme.
    identifiers = _select(
        store,
        f"""SELECT ?p (COUNT(*) AS ?n) (COUNT(DISTINCT ?s) AS ?subjects) WHERE {{ SELECT DISTINCT ?s ?p ?o WHERE {{
                                    ?p <http://www.w3.org/2000/01/rdf-schema#subPropertyOf> <{PK_EXTERNAL_ID}> .
                                    ?s ?p ?o FILTER(isLiteral(?o)) }} }}
                                  GROUP BY ?p ORDER BY ?p""",
    )
    for row in identifiers:
        part = _n(base + "dataset/property/" + row["p"].value.rsplit("/", 1)[-1])
        add(ds, VOID + "propertyPartition", part)
        add(part, VOID + "property", _n(row["p"].value))
        add(part, VOID + "triples", _int(int(row["n"].value)))
        add(part, VOID + "distinctSubjects", _int(int(row["subjects"].value)))
    for name, size in sorted(dump_sizes.items()):
        dist = _n(base + "dataset/dump/" + name)
        suffix = "." + name.rsplit(".", 1)[-1]
        if suffix not in MEDIA:
            continue
        add(ds, VOID + "dataDump", _n(base + "dumps/" + name))
        add(ds, DCAT + "distribution", dist)
        add(dist, RDF_TYPE.value, _n(DCAT + "Distribution"))
        add(dist, DCAT + "downloadURL", _n(base + "dumps/" + name))
        add(dist, DCAT + "mediaType", pyoxigraph.Literal(MEDIA[suffix]))
        add(dist, DCAT + "byteSize", _int(size))
    prefixes = {"void": VOID, "dcat": DCAT, "dcterms": DCT, "foaf": FOAF, "pk": "https://w3id.org/peacekg/ontology/"}
    ordered = sorted(t, key=lambda x: (str(x.subject), str(x.predicate), str(x.object)))
    header = "# VoID/DCAT description of PeaceKG, computed from the store by `peacekg export`.\n"
    return header + rdf_bytes(ordered, pyoxigraph.RdfFormat.TURTLE, prefixes).decode("utf-8")
