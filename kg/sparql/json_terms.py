"""RDF terms (pyoxigraph) as SPARQL 1.1 Query Results JSON terms: one definition for the service's
serialisers, the stored-query runner and the research client."""

from __future__ import annotations

from typing import Any

import pyoxigraph

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def json_term(term: Any) -> dict[str, str]:
    """``{"type": "uri" | "bnode" | "literal" | "triple", "value": …}`` with ``xml:lang`` or
    ``datatype`` for literals (none for xsd:string, as the format says)."""
    if isinstance(term, pyoxigraph.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, pyoxigraph.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, pyoxigraph.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    return {"type": "triple", "value": str(term)}
