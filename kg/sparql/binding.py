"""Values bound to query variables as RDF terms, never pasted into query text.

A :class:`BoundTerm` is a plain, picklable description of an IRI or a typed / language-tagged
literal; it crosses process boundaries (the service's query workers) and becomes a pyoxigraph
term only where the query runs. :func:`to_oxigraph` validates while converting, so a malformed
IRI or a literal that is not a valid value of its datatype is refused before any query runs.

pyoxigraph applies bindings (``substitutions``, SEP-0007) before evaluation, as measured on
0.5.13: a SELECT must project the bound variable (else RuntimeError, which the service reports as
a 400); its triple patterns and FILTERs see the value, but ``BIND(?v AS ?w)`` does not. Remote
engines get the same effect from a VALUES block opening the WHERE group (service.execution.remote_pool).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

XSD = "http://www.w3.org/2001/XMLSchema#"
_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]*")
_LANG = re.compile(r"[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*")
_LEXICAL = {
    XSD + "integer": re.compile(r"[+-]?\d+"),
    XSD + "decimal": re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)"),
    XSD + "double": re.compile(r"[+-]?((\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|INF|NaN)|-INF"),
    XSD + "boolean": re.compile(r"true|false|1|0"),
    XSD + "date": re.compile(r"-?\d{4,}-\d{2}-\d{2}(Z|[+-]\d{2}:\d{2})?"),
    XSD + "dateTime": re.compile(r"-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?"),
    XSD + "gYear": re.compile(r"-?\d{4,}(Z|[+-]\d{2}:\d{2})?"),
}


class BindingError(ValueError):
    """A value that cannot be bound as the RDF term it claims to be."""


@dataclass(frozen=True)
class BoundTerm:
    kind: str  # "iri" | "literal"
    value: str
    datatype: str | None = None  # literals: an XSD (or other) datatype IRI; None = xsd:string
    language: str | None = None  # literals: a BCP 47 tag (then no datatype)

    @classmethod
    def iri(cls, value: str) -> BoundTerm:
        return cls("iri", value)

    @classmethod
    def literal(cls, value: str, datatype: str | None = None, language: str | None = None) -> BoundTerm:
        return cls("literal", value, datatype, language)


def check(term: BoundTerm, name: str = "value") -> BoundTerm:
    """``term`` if it is a well-formed IRI or a valid literal of its datatype; else BindingError
    naming the parameter ``name`` and what is wrong."""
    if term.kind == "iri":
        if not _IRI.fullmatch(term.value):
            raise BindingError(
                f"{name}: not an absolute IRI (no spaces, <, >, quotes, braces or backslashes): {term.value!r}"
            )
        return term
    if term.kind != "literal":
        raise BindingError(f"{name}: unknown term kind {term.kind!r}")
    if term.language is not None:
        if term.datatype is not None:
            raise BindingError(f"{name}: a literal has a language tag or a datatype, not both")
        if not _LANG.fullmatch(term.language):
            raise BindingError(f"{name}: not a language tag: {term.language!r}")
    if term.datatype is not None:
        if not _IRI.fullmatch(term.datatype):
            raise BindingError(f"{name}: datatype is not an absolute IRI: {term.datatype!r}")
        pattern = _LEXICAL.get(term.datatype)
        if pattern is not None and not pattern.fullmatch(term.value):
            raise BindingError(f"{name}: {term.value!r} is not a valid {term.datatype.removeprefix(XSD)}")
    return term


def to_oxigraph(term: BoundTerm | str) -> Any:
    """The pyoxigraph term for ``term`` (a plain string is an IRI), validated first."""
    import pyoxigraph

    if isinstance(term, str):
        term = BoundTerm.iri(term)
    check(term)
    if term.kind == "iri":
        return pyoxigraph.NamedNode(term.value)
    if term.language is not None:
        return pyoxigraph.Literal(term.value, language=term.language)
    if term.datatype is not None:
        return pyoxigraph.Literal(term.value, datatype=pyoxigraph.NamedNode(term.datatype))
    return pyoxigraph.Literal(term.value)


def substitutions(bindings: Mapping[str, BoundTerm | str] | None) -> dict[Any, Any]:
    """pyoxigraph ``substitutions`` for a {variable name: term} mapping."""
    import pyoxigraph

    return {pyoxigraph.Variable(name): to_oxigraph(term) for name, term in (bindings or {}).items()}
