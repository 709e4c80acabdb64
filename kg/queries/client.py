"""Query PeaceKG (or any SPARQL endpoint) from Python and get a pandas DataFrame with real dtypes.

    from kg.queries.client import Client
    local = Client()                                         # the current build (build_dir setting)
    remote = Client("http://127.0.0.1:8765/sparql")          # any SPARQL 1.1 endpoint (SPARQLWrapper, JSON)
    frame = local.query("SELECT ?who ?n WHERE { … }")          # SELECT -> DataFrame; ASK -> bool
    frame = remote.stored("actor-claims", actor="https://w3id.org/peacekg/resource/vladimir-putin")

Column dtypes follow the values' datatypes, column by column:

==================================================  ================================
values in the column                                dtype
==================================================  ================================
xsd:integer and its derived types (int, long…)      ``Int64`` (nullable)
xsd:decimal, xsd:double, xsd:float (or mixed        ``float64``
with integers)
xsd:date, xsd:dateTime                              ``datetime64[us]`` (UTC-aware when
                                                    any value has a time zone)
xsd:boolean                                         ``boolean`` (nullable)
IRIs, plain and language-tagged strings, anything   ``string``; blank nodes as ``_:id``
else (other datatypes, or a mix of kinds)
==================================================  ================================

Unbound values are missing (``<NA>``/``NaT``/``NaN``). A column holding a language-tagged literal
gets a companion column ``<name>@lang`` (string; ``<NA>`` where a value has no tag) right after it;
``@`` cannot occur in a SPARQL variable name, so the companion never collides with a variable.
``frame.attrs`` holds ``variables`` (the projected variables) and ``truncated`` (the service cut
the rows at its ``max_result_rows``; from the ``X-PeaceKG-Truncated`` header).

Local and remote results go through the same conversion (local results are serialised as SPARQL
JSON first), so a query gives the same frame from the store and from the service.

Parameters reach a query as RDF terms, never as text pasted into it. ``Client.stored(name, **params)``
runs ``queries/NAME.rq`` (kg.queries.stored): each value is read as the type its header declares
(``# param: actor iri …``), as on the command line; ``Client.query(sparql, bindings=…)`` takes a
:class:`kg.sparql.binding.BoundTerm`, a plain ``str`` (an IRI, as in kg.sparql.binding), or a Python int, float,
bool, ``datetime.date`` or ``datetime.datetime`` (a typed literal). On the local store the terms
are pyoxigraph ``substitutions``. A remote endpoint has no such mechanism, so each term is
validated (``kg.sparql.binding.check``), serialised by pyoxigraph in N-Triples syntax (quotes, backslashes
and line breaks escaped) and sent in one trailing ``VALUES`` block. Why VALUES: a value can then
never change the query's structure (no injection through a crafted string), every SPARQL 1.1
endpoint understands it, and it means what substitutions mean locally, a join at the top of the
query — so a bound variable must be visible at the top level (stored queries project their
parameters), and a query that already ends with a VALUES block cannot take bindings remotely.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import urllib.error
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.errors import PeaceKGError
from kg.sparql.binding import XSD, BindingError, BoundTerm, check, to_oxigraph
from kg.sparql.json_terms import json_term

if TYPE_CHECKING:  # pandas and pyoxigraph load only when a query runs
    import pandas
    import pyoxigraph

    from kg.settings import Settings

__all__ = ["Client", "ClientError", "frame_from_json", "to_term", "values_block"]

USER_AGENT = "PeaceKG-client/0.1 (+https://w3id.org/peacekg/)"
GET_LIMIT = 1500  # characters of query text; longer queries go by POST (url-encoded)
_INTEGERS = {
    XSD + t
    for t in (
        "integer",
        "int",
        "long",
        "short",
        "byte",
        "nonNegativeInteger",
        "positiveInteger",
        "nonPositiveInteger",
        "negativeInteger",
        "unsignedLong",
        "unsignedInt",
        "unsignedShort",
        "unsignedByte",
    )
}
_FLOATS = {XSD + t for t in ("decimal", "double", "float")}
_TEMPORAL = {XSD + "date", XSD + "dateTime", XSD + "dateTimeStamp"}
_TIME_ZONE = re.compile(r"(.*?)(Z|[+-]\d{2}:\d{2})?")
_VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class ClientError(PeaceKGError):
    """A query could not be run: the endpoint refused it or is unreachable, or no such stored query."""


# --- results to a DataFrame -------------------------------------------------------------------


def _kind(term: dict[str, str]) -> str:
    if term["type"] != "literal" and term["type"] != "typed-literal":  # typed-literal: old JSON drafts
        return "string"
    datatype = term.get("datatype")
    if datatype in _INTEGERS:
        return "integer"
    if datatype in _FLOATS:
        return "float"
    if datatype in _TEMPORAL:
        return "temporal"
    if datatype == XSD + "boolean":
        return "boolean"
    return "string"


def _text(term: dict[str, str]) -> str:
    return "_:" + term["value"] if term["type"] == "bnode" else term["value"]


def _temporal(values: list[str | None]) -> pandas.Series:
    import numpy
    import pandas

    parsed, offsets, aware = [], [], False
    for value in values:
        match = _TIME_ZONE.fullmatch(value.strip()) if value is not None else None
        stamp, zone = match.groups() if match else (None, None)  # no match (a line break inside): invalid
        aware = aware or zone is not None
        offsets.append(
            0 if zone in (None, "Z") else (1 if zone[0] == "+" else -1) * (int(zone[1:3]) * 60 + int(zone[4:6]))
        )
        try:
            parsed.append(numpy.datetime64(stamp, "us") if stamp else numpy.datetime64("NaT", "us"))
        except ValueError:  # not a valid date: missing, like an unbound value
            parsed.append(numpy.datetime64("NaT", "us"))
    # A time zone offset shifts to UTC: 10:00+02:00 is 08:00Z. Naive values stay as given.
    array = numpy.array(parsed, dtype="datetime64[us]") - numpy.array(offsets, dtype="timedelta64[m]")
    series = pandas.Series(array, dtype="datetime64[us]")
    return series.dt.tz_localize("UTC") if aware else series


def _column(terms: list[dict[str, str] | None]) -> pandas.Series:
    import pandas

    kinds = {_kind(t) for t in terms if t is not None}
    if kinds == {"integer"}:
        try:
            return pandas.Series([int(t["value"]) if t else None for t in terms], dtype="Int64")
        except (ValueError, OverflowError, TypeError):  # invalid lexical form, or beyond 64 bits
            kinds = {"float"}
    if kinds and kinds <= {"integer", "float"}:
        return pandas.Series([_float(t["value"]) if t else None for t in terms], dtype="float64")
    if kinds == {"temporal"}:
        return _temporal([t["value"] if t else None for t in terms])
    if kinds == {"boolean"}:
        return pandas.Series([t["value"].strip() in ("true", "1") if t else None for t in terms], dtype="boolean")
    return pandas.Series([_text(t) if t else None for t in terms], dtype="string")


def _float(value: str) -> float:
    try:
        return float(value)
    except ValueError:  # not a valid number: missing
        return float("nan")


def frame_from_json(results: Mapping[str, Any], *, truncated: bool = False) -> pandas.DataFrame:
    """A DataFrame from SPARQL 1.1 Query Results JSON (a SELECT's ``head`` and ``results``)."""
    import pandas

    variables = list(results.get("head", {}).get("vars", []))
    rows = results.get("results", {}).get("bindings", [])
    columns: dict[str, pandas.Series] = {}
    for name in variables:
        terms = [row.get(name) for row in rows]
        columns[name] = _column(terms)
        if any(t is not None and "xml:lang" in t for t in terms):
            columns[name + "@lang"] = pandas.Series([t.get("xml:lang") if t else None for t in terms], dtype="string")
    frame = pandas.DataFrame(columns, index=pandas.RangeIndex(len(rows)))
    frame.attrs.update(variables=variables, truncated=truncated)
    return frame


def _graph_json(triples: Any) -> dict[str, Any]:
    """CONSTRUCT/DESCRIBE triples (pyoxigraph) as SELECT-shaped JSON: subject, predicate, object."""
    bindings = [
        {"subject": json_term(t.subject), "predicate": json_term(t.predicate), "object": json_term(t.object)}
        for t in triples
    ]
    return {"head": {"vars": ["subject", "predicate", "object"]}, "results": {"bindings": bindings}}


# --- parameters ---------------------------------------------------------------------------------


def to_term(name: str, value: Any) -> BoundTerm:
    """The RDF term a parameter value stands for, validated (BindingError names the parameter)."""
    if isinstance(value, BoundTerm):
        term = value
    elif isinstance(value, bool):
        term = BoundTerm.literal("true" if value else "false", XSD + "boolean")
    elif isinstance(value, int):
        term = BoundTerm.literal(str(value), XSD + "integer")
    elif isinstance(value, float):
        term = BoundTerm.literal(repr(value).replace("inf", "INF").replace("nan", "NaN"), XSD + "double")
    elif isinstance(value, dt.datetime):
        term = BoundTerm.literal(value.isoformat(), XSD + "dateTime")
    elif isinstance(value, dt.date):
        term = BoundTerm.literal(value.isoformat(), XSD + "date")
    elif isinstance(value, str):
        term = BoundTerm.iri(value)
    else:
        raise BindingError(
            f"{name}: cannot bind a {type(value).__name__}; give a BoundTerm, an IRI string, a number, a bool or a date"
        )
    return check(term, name)


def values_block(bindings: Mapping[str, BoundTerm]) -> str:
    """``VALUES (?a ?b) { (<iri> "lit"@en) }`` from validated terms, each serialised by pyoxigraph
    in N-Triples syntax (which SPARQL reads unchanged; quotes and backslashes are escaped)."""
    if not bindings:
        return ""
    for name in bindings:
        if not _VARIABLE.fullmatch(name):
            raise BindingError(f"{name!r} is not a SPARQL variable name")
    names = " ".join("?" + n for n in bindings)
    terms = " ".join(str(to_oxigraph(check(t, n))) for n, t in bindings.items())
    return f"\nVALUES ({names}) {{ ({terms}) }}\n"


# --- the client ---------------------------------------------------------------------------------


class Client:
    """Runs SPARQL against an endpoint URL, a pyoxigraph store, or (by default) the current build."""

    def __init__(
        self,
        endpoint: str | None = None,
        *,
        store: pyoxigraph.Store | None = None,
        settings: Settings | None = None,
        build_dir: str | Path | None = None,
        queries_dir: str | Path | None = None,
        timeout_s: float = 60.0,
        union: bool = True,
    ):
        if endpoint is not None and store is not None:
            raise ValueError("give an endpoint URL or a store, not both")
        self.endpoint, self._store, self.timeout_s, self.union = endpoint, store, timeout_s, union
        self._settings, self._build_dir = settings, build_dir
        self.queries_dir = Path(queries_dir) if queries_dir is not None else None  # None: queries/

    def __repr__(self) -> str:
        return f"Client({self.endpoint!r})" if self.endpoint else "Client(<local store>)"

    @property
    def store(self) -> pyoxigraph.Store:
        if self._store is None:
            from kg.settings import load_settings
            from kg.store.builds import open_store

            settings = self._settings or load_settings()
            self._store = open_store(Path(self._build_dir if self._build_dir is not None else settings.build_dir))
        return self._store

    def query(self, sparql: str, *, bindings: Mapping[str, Any] | None = None) -> pandas.DataFrame | bool:
        """SELECT -> DataFrame; ASK -> bool; CONSTRUCT/DESCRIBE -> DataFrame of subject, predicate,
        object. ``bindings``: {variable: value}, bound as described in the module's docstring."""
        terms = {name: to_term(name, value) for name, value in (bindings or {}).items()}
        if self.endpoint is not None:
            return self._remote(sparql + values_block(terms) if terms else sparql)
        return self._local(sparql, terms)

    def stored(self, name: str, /, **params: Any) -> pandas.DataFrame:
        """Run the stored query ``queries/<name>.rq`` (kg.queries.stored) with ``params`` bound to
        its declared parameters; each value is read as the parameter's declared type (defaults fill
        the rest). Unknown or invalid parameters raise StoredQueryInputError."""
        from kg.queries.stored import bind, find

        query = find(name, self.queries_dir)
        terms = bind(query, {key: _as_text(value) for key, value in params.items()})
        if self.endpoint is not None:
            return self._remote(query.text + values_block(terms) if terms else query.text)
        return self._local(query.text, terms)

    def _local(self, sparql: str, terms: Mapping[str, BoundTerm]) -> pandas.DataFrame | bool:
        import pyoxigraph

        from kg.sparql.binding import substitutions

        kwargs: dict[str, Any] = {"use_default_graph_as_union": self.union}
        if terms:
            kwargs["substitutions"] = substitutions(terms)
        try:
            result = self.store.query(sparql, **kwargs)
        except SyntaxError as exc:
            raise ClientError(f"SPARQL syntax error: {exc}") from None
        if isinstance(result, pyoxigraph.QueryBoolean):
            return bool(result)
        if isinstance(result, pyoxigraph.QuerySolutions):
            data = result.serialize(format=pyoxigraph.QueryResultsFormat.JSON)
            assert data is not None  # given no output, serialize returns the bytes
            return frame_from_json(json.loads(data))
        return frame_from_json(_graph_json(result))

    def _remote(self, sparql: str) -> pandas.DataFrame | bool:
        import pyoxigraph
        from SPARQLWrapper import JSON, N3, POST, SPARQLWrapper
        from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

        assert self.endpoint is not None  # only called for a client of an endpoint
        client = SPARQLWrapper(self.endpoint, agent=USER_AGENT)
        client.setTimeout(int(max(1, self.timeout_s)))
        client.setQuery(sparql)
        graph = client.queryType in ("CONSTRUCT", "DESCRIBE")
        client.setReturnFormat(N3 if graph else JSON)
        if graph:
            client.addCustomHttpHeader("Accept", "application/n-triples")
        if len(sparql) > GET_LIMIT:
            client.setMethod(POST)
        try:
            response = client.query()
            headers = {k.lower(): v for k, v in response.info().items()}
            body = response.response.read()
        except SPARQLWrapperException as exc:
            raise ClientError(f"{self.endpoint}: {_short(exc)}") from None
        except urllib.error.HTTPError as exc:
            raise ClientError(f"{self.endpoint}: HTTP {exc.code}: {_error_message(exc)}") from None
        except (urllib.error.URLError, OSError) as exc:
            raise ClientError(f"{self.endpoint}: unreachable: {getattr(exc, 'reason', exc)}") from None
        truncated = headers.get("x-peacekg-truncated", "").lower() == "true"
        if graph:
            triples = pyoxigraph.parse(body, format=pyoxigraph.RdfFormat.N_TRIPLES)
            return frame_from_json(_graph_json(triples), truncated=truncated)
        try:
            data = json.loads(body)
        except ValueError:
            raise ClientError(
                f"{self.endpoint}: the answer is not SPARQL JSON ({headers.get('content-type', 'no content type')})"
            ) from None
        if "boolean" in data:
            return bool(data["boolean"])
        return frame_from_json(data, truncated=truncated)


def _as_text(value: Any) -> str:
    """A parameter value as the text a stored query's declared type reads (as on the command line)."""
    if isinstance(value, BoundTerm):
        return f"{value.value}@{value.language}" if value.language else value.value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def _error_message(exc: urllib.error.HTTPError) -> str:
    """The message of the service's JSON error shape, else the start of the body."""
    body = exc.read()[:2000].decode("utf-8", "replace")
    try:
        return json.loads(body)["message"]
    except (ValueError, KeyError, TypeError):
        return body.strip()[:300] or exc.reason


def _short(exc: Exception) -> str:
    """SPARQLWrapper's message without its long boilerplate."""
    text = str(exc)
    match = re.search(r"Response:\s*b?['\"](.*)['\"]\s*$", text, re.S)
    if match:
        try:
            return json.loads(match.group(1).encode().decode("unicode_escape"))["message"]
        except (ValueError, KeyError, TypeError):
            return match.group(1)[:300]
    return text.splitlines()[0] if text else type(exc).__name__
