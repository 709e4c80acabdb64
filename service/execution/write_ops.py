"""The write operations, as the writer process applies them to the live store (kg.store.live): SPARQL
Update, and the Graph Store Protocol's PUT, POST and DELETE. Each is one pyoxigraph update, so
it is one transaction: it happens entirely or not at all, even if the writer is killed.

Protected graphs (the build's own, when ``protect_built_graphs`` is on) are checked before
anything runs; a write that would touch one is refused with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pyoxigraph

from kg.sparql.update_guard import UnreadableUpdate, written_graphs
from kg.store.live import LiveStore

RDF_FORMATS = {
    "text/turtle": pyoxigraph.RdfFormat.TURTLE,
    "application/x-turtle": pyoxigraph.RdfFormat.TURTLE,
    "application/n-triples": pyoxigraph.RdfFormat.N_TRIPLES,
    "text/plain": pyoxigraph.RdfFormat.N_TRIPLES,
    "application/rdf+xml": pyoxigraph.RdfFormat.RDF_XML,
    "application/ld+json": pyoxigraph.RdfFormat.JSON_LD,
    "text/n3": pyoxigraph.RdfFormat.N3,
}


class WriteRefused(Exception):
    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind  # protected | unchecked | notfound | unsupported | payload
        self.message = message


@dataclass(frozen=True)
class Payload:
    data: bytes
    media: str  # the part's media type, lower case, no parameters
    where: str  # how to name it in an error: "the request body", "part 2 (lastName.ttl)"


def _refuse_protected(live: LiveStore, protect: bool, graph: str | None) -> None:
    if protect and graph is not None and graph in live.built_graphs:
        raise WriteRefused(
            "protected",
            f"<{graph}> is a graph produced by `peacekg build` and is protected from writes "
            "(setting protect_built_graphs); write to a graph of your own",
        )


def _exists(live: LiveStore, graph: str | None) -> bool:
    return graph is None or live.store.contains_named_graph(pyoxigraph.NamedNode(graph))


def _triples(payloads: list[Payload], base_iri: str) -> bytes:
    """The payloads as N-Triples (valid inside INSERT DATA); WriteRefused naming the bad part."""
    triples: list[Any] = []
    for payload in payloads:
        fmt = RDF_FORMATS.get(payload.media)
        if fmt is None:
            raise WriteRefused(
                "unsupported",
                f"{payload.where}: unsupported RDF media type {payload.media!r}; use one of "
                + ", ".join(sorted(RDF_FORMATS)),
            )
        try:
            for quad in pyoxigraph.parse(payload.data, format=fmt, base_iri=base_iri):
                if not isinstance(quad.graph_name, pyoxigraph.DefaultGraph):
                    raise WriteRefused(
                        "payload", f"{payload.where}: holds named graphs; the Graph Store Protocol writes one graph"
                    )
                triples.append(quad.triple)
        except SyntaxError as exc:
            raise WriteRefused("payload", f"{payload.where} is not valid {payload.media}: {exc}") from None
    return pyoxigraph.serialize(triples, format=pyoxigraph.RdfFormat.N_TRIPLES) or b""


def _insert(graph: str | None, ntriples: bytes) -> str:
    if not ntriples.strip():
        return ""
    body = ntriples.decode("utf-8")
    return f"INSERT DATA {{ GRAPH <{graph}> {{ {body} }} }}" if graph else f"INSERT DATA {{ {body} }}"


def sparql_update(live: LiveStore, protect: bool, text: str, base_iri: str | None) -> dict[str, Any]:
    if protect:
        try:
            targets = written_graphs(text, base_iri)
        except UnreadableUpdate as exc:
            # The engine's own parser gives the error (with its position) when the text is wrong;
            # only text that the engine reads and the check does not is "unchecked". Parsing it
            # on an empty in-memory store writes nothing anywhere.
            pyoxigraph.Store().update(text, base_iri=base_iri)
            raise WriteRefused(
                "unchecked",
                "with the built graphs protected, every update is checked for the graphs it "
                f"writes, and this one could not be read for that: {exc}",
            ) from None
        reasons = targets.touching(live.built_graphs)
        if reasons:
            raise WriteRefused(
                "protected",
                "the update would write graphs produced by `peacekg build`, which are protected "
                f"(setting protect_built_graphs): {'; '.join(reasons[:5])}",
            )
    live.store.update(text, base_iri=base_iri)
    return {}


def put(live: LiveStore, protect: bool, graph: str | None, payloads: list[Payload], base_iri: str) -> dict[str, Any]:
    """Replace a graph (or the default graph) by the payload; says whether the graph is new."""
    _refuse_protected(live, protect, graph)
    created = not _exists(live, graph)
    data = _triples(payloads, graph or base_iri)
    clear = f"DROP SILENT GRAPH <{graph}> ; CREATE GRAPH <{graph}>" if graph else "CLEAR DEFAULT"
    insert = _insert(graph, data)
    live.store.update(clear + (" ; " + insert if insert else ""))
    return {"created": created}


def post(live: LiveStore, protect: bool, graph: str | None, payloads: list[Payload], base_iri: str) -> dict[str, Any]:
    """Merge the payload into a graph (made if new); says whether the graph is new."""
    _refuse_protected(live, protect, graph)
    created = not _exists(live, graph)
    data = _triples(payloads, graph or base_iri)
    operations = [f"CREATE SILENT GRAPH <{graph}>"] if graph else []
    insert = _insert(graph, data)
    if insert:
        operations.append(insert)
    if operations:
        live.store.update(" ; ".join(operations))
    return {"created": created}


def delete(live: LiveStore, protect: bool, graph: str | None) -> dict[str, Any]:
    _refuse_protected(live, protect, graph)
    if not _exists(live, graph):
        raise WriteRefused("notfound", f"no graph named <{graph}> in this dataset")
    live.store.update(f"DROP GRAPH <{graph}>" if graph else "CLEAR DEFAULT")
    return {}


__all__ = ["Payload", "WriteRefused", "delete", "post", "put", "sparql_update"]
