"""What the ontology reference page shows and how it looks: its sections, the rows of each entry,
and its stylesheet. The rendering itself is kg.ontology.docs.page."""

from __future__ import annotations

from rdflib import URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

OBJECT_TYPES = (
    OWL.ObjectProperty,
    OWL.TransitiveProperty,
    OWL.SymmetricProperty,
    OWL.AsymmetricProperty,
    OWL.ReflexiveProperty,
    OWL.IrreflexiveProperty,
    OWL.InverseFunctionalProperty,
)
# (section id, heading, badge, rdf:type values that put an own term in the section), in priority order.
SECTIONS: tuple[tuple[str, str, str, tuple[URIRef, ...]], ...] = (
    ("classes", "Classes", "class", (OWL.Class, RDFS.Class)),
    ("object-properties", "Object properties", "object property", OBJECT_TYPES),
    ("datatype-properties", "Datatype properties", "datatype property", (OWL.DatatypeProperty,)),
    ("annotation-properties", "Annotation properties", "annotation property", (OWL.AnnotationProperty,)),
    ("other-properties", "Other properties", "property", (RDF.Property, OWL.FunctionalProperty)),
    ("individuals", "Named individuals", "individual", (OWL.NamedIndividual,)),
    ("concept-schemes", "Concept schemes", "concept scheme", (SKOS.ConceptScheme,)),
)
META_NAMESPACES = (str(OWL), str(RDF), str(RDFS))
CHARACTERISTICS = (
    OWL.FunctionalProperty,
    OWL.InverseFunctionalProperty,
    OWL.TransitiveProperty,
    OWL.SymmetricProperty,
    OWL.AsymmetricProperty,
    OWL.ReflexiveProperty,
    OWL.IrreflexiveProperty,
)
TEXT_ROWS = (
    ("Label", RDFS.label),
    ("Preferred label", SKOS.prefLabel),
    ("Alternative labels", SKOS.altLabel),
    ("Definition", SKOS.definition),
    ("Description", DCTERMS.description),
    ("Comment", RDFS.comment),
    ("Scope note", SKOS.scopeNote),
)
# (row title, predicates read forwards, predicates read backwards -- named subjects only)
AXIOM_ROWS: tuple[tuple[str, tuple[URIRef, ...], tuple[URIRef, ...]], ...] = (
    ("Super-classes", (RDFS.subClassOf,), ()),
    ("Sub-classes", (), (RDFS.subClassOf,)),
    ("Equivalent classes", (OWL.equivalentClass,), (OWL.equivalentClass,)),
    ("Disjoint with", (OWL.disjointWith,), (OWL.disjointWith,)),
    ("Super-properties", (RDFS.subPropertyOf,), ()),
    ("Sub-properties", (), (RDFS.subPropertyOf,)),
    ("Equivalent properties", (OWL.equivalentProperty,), (OWL.equivalentProperty,)),
    ("Inverse of", (OWL.inverseOf,), (OWL.inverseOf,)),
    ("Domain", (RDFS.domain,), ()),
    ("Range", (RDFS.range,), ()),
)
LINK_ROWS: tuple[tuple[str, tuple[URIRef, ...], tuple[URIRef, ...]], ...] = (
    ("Broader", (SKOS.broader,), (SKOS.narrower,)),
    ("Narrower", (SKOS.narrower,), (SKOS.broader,)),
    ("Related", (SKOS.related,), (SKOS.related,)),
    ("In scheme", (SKOS.inScheme, SKOS.topConceptOf), (SKOS.hasTopConcept,)),
    ("Exact match", (SKOS.exactMatch,), ()),
    ("Close match", (SKOS.closeMatch,), ()),
    ("Broad match", (SKOS.broadMatch,), ()),
    ("Narrow match", (SKOS.narrowMatch,), ()),
    ("Related match", (SKOS.relatedMatch,), ()),
    ("Same as", (OWL.sameAs,), (OWL.sameAs,)),
    ("See also", (RDFS.seeAlso,), ()),
)
CSS = """\
body{font:15px/1.5 system-ui,sans-serif;max-width:64rem;margin:0 auto;padding:1rem 1.5rem;color:#222}
a{color:#0645ad;text-decoration:none}a:hover{text-decoration:underline}
h1{margin-bottom:.3rem}h2{border-bottom:2px solid #ccd;padding-bottom:.2rem;margin-top:2.5rem}
h3{margin:.4rem 0}code,pre{font:13px/1.4 ui-monospace,monospace;background:#f3f3f7}
pre{padding:.4rem .6rem;overflow-x:auto;margin:0 0 .3rem}
dl{display:grid;grid-template-columns:12rem 1fr;gap:.15rem 1rem;margin:.4rem 0}
dt{font-weight:600;color:#555}dd{margin:0}dd p{margin:0 0 .3rem;white-space:pre-line}
.entry{border:1px solid #dde;border-radius:4px;padding:.3rem 1rem;margin:1rem 0}
.entry:target{border-color:#0645ad;background:#f6f9ff}
.badge{font-size:.7rem;font-weight:400;color:#fff;background:#678;border-radius:3px;padding:.05rem .35rem;
margin-left:.5rem;vertical-align:middle}
.deprecated{background:#b33}nav p{margin:.3rem 0}
table{border-collapse:collapse}th,td{border:1px solid #dde;padding:.1rem .6rem;text-align:left}
ul.tree{list-style:none;padding-left:1.2rem;margin:.2rem 0}"""
