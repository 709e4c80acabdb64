"""Individuals (reference data, and entities defined in annotation files) to RDF. Pure."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS

from kg.annotations import fields as F
from kg.mapping.iris import Minter
from kg.mapping.links import LINK_PREDICATE, links
from kg.mapping.values import Emitter, as_list
from kg.ontology.load import PK

SKOS_ALT = URIRef("http://www.w3.org/2004/02/skos/core#altLabel")

# evidence(node, quotes_path_suffix): attaches evidence annotations (annotation files only); what it
# returns (the articles' mapper returns the spans) is not used
Evidence = Callable[[URIRef, tuple], object]


def emit_fields(
    out: Emitter, node: URIRef, item: dict[str, Any], fields: tuple[F.Field, ...], skip: tuple[str, ...] = ()
) -> None:
    for field in fields:
        if field.name in item and field.name not in skip:
            out.field(node, field, item[field.name])


def emit_individual(out: Emitter, item: dict[str, Any], evidence: Evidence | None = None, path: tuple = ()) -> URIRef:
    """Everything a reference individual or an annotation entity says; returns its IRI."""
    node = out.minter.resource(item["key"])
    klass = item["type"]
    out.add(node, RDF.type, PK[klass])
    out.add(node, RDFS.label, Literal(str(item["label"]), lang="en"))
    for alias in as_list(item.get("aliases") or []):
        out.add(node, SKOS_ALT, Literal(str(alias), lang="en"))
    fields = F.fields_for_class_families(out.vocabulary.families(klass))
    emit_fields(out, node, item, fields, skip=("key", "type", "label", "aliases"))
    for target in links(item):  # verified Wikidata / DBpedia ids as links too (kg.mapping.links)
        out.add(node, LINK_PREDICATE, target)
    if evidence is not None and "evidence" in item:
        evidence(node, path + ("evidence",))
    for i, provision in enumerate(item.get("provisions") or []):
        emit_provision(out, node, i, provision)
    for i, commitment in enumerate(item.get("commitments") or []):
        emit_commitment(out, node, i, commitment)
    for i, violation in enumerate(item.get("violations") or []):
        emit_violation(out, node, i, violation)
    for i, role in enumerate(item.get("roles") or []):
        emit_role(out, Minter.child(node, "role", i), node, role)
    return node


def emit_provision(out: Emitter, owner: URIRef, n: int, provision: dict[str, Any]) -> URIRef:
    node = Minter.child(owner, "provision", n)
    out.add(owner, PK.hasProvision, node)
    out.add(node, RDF.type, PK[provision["type"]])
    emit_fields(out, node, provision, F.PROVISION[1:])
    return node


def commitment_class(out: Emitter, commitment: dict[str, Any]) -> str:
    if "type" in commitment:
        return str(commitment["type"])
    guarantee_kinds = out.vocabulary.schemes.get("guarantee-kind", {})
    return "SecurityGuarantee" if any(k in guarantee_kinds for k in as_list(commitment["kind"])) else "Commitment"


def emit_commitment(out: Emitter, owner: URIRef, n: int, commitment: dict[str, Any]) -> URIRef:
    node = out.minter.resource(commitment["key"]) if "key" in commitment else Minter.child(owner, "commitment", n)
    out.add(owner, PK.hasCommitment, node)
    out.add(node, RDF.type, PK[commitment_class(out, commitment)])
    emit_fields(out, node, commitment, F.COMMITMENT[2:])
    if PK.guarantor in {p for p, _ in out.graph.predicate_objects(node)}:
        for guarantor in list(out.graph.objects(node, PK.guarantor)):
            out.add(node, PK.obligor, guarantor)  # guarantor ⊑ obligor, stated for SPARQL without reasoning
    return node


def emit_violation(out: Emitter, agreement: URIRef, n: int, violation: dict[str, Any]) -> URIRef:
    node = Minter.child(agreement, "violation", n)
    out.add(node, RDF.type, PK.Violation)
    out.add(node, PK.violatedAgreement, agreement)
    emit_fields(out, node, violation, F.VIOLATION)
    return node


def emit_role(out: Emitter, node: URIRef, holder: URIRef, role: dict[str, Any]) -> URIRef:
    out.add(node, RDF.type, PK.RoleAssignment)
    out.add(node, PK.holder, holder)  # pk:hasRole, its inverse, is inferred (kg.builder.inference)
    emit_fields(out, node, role, tuple(f for f in F.ROLE if f.name != "evidence"))
    return node
