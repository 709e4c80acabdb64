"""``peacekg push``: load the graphs of the current store into any SPARQL 1.1 store.

Graph by graph, with one of two methods:

* ``gsp`` (default): the SPARQL 1.1 Graph Store HTTP Protocol, ``PUT <graph-store>?graph=<g>``
  with the graph as N-Triples. A PUT replaces the graph, atomically on stores that implement it
  so. When the graph store answers 404, 405 or 501 (no GSP there), we fall back to ``update``
  for this and every later graph.
* ``update``: SPARQL 1.1 Update, ``DROP SILENT GRAPH <g>; INSERT DATA { GRAPH <g> { … } }`` in
  one request (``INSERT { … } WHERE {}`` when the triples hold blank nodes, which Virtuoso refuses
  in INSERT DATA) (atomic on stores that run a request as one transaction). A graph of more than
  ``push_batch_triples`` triples is sent in several requests; such a batched load is NOT atomic.
  Triples sharing blank nodes always travel in the same request, since a blank node label only
  means the same node within one request.

After each graph, its size is read back with SPARQLWrapper from the query endpoint
(``SELECT (COUNT(*) AS ?n) WHERE { GRAPH <g> { ?s ?p ?o } }``) and compared with the local count.

URLs: ``endpoint`` is the query endpoint. The graph store and update endpoints default to
oxigraph's layout (``…/query`` → ``…/store`` and ``…/update``); other stores differ (Fuseki:
``…/ds/data`` and ``…/ds/update``; Virtuoso: ``…/sparql-graph-crud-auth`` and ``…/sparql``) and
need them given explicitly. Credentials (basic or bearer) are sent, never printed nor logged.
"""

from __future__ import annotations

import base64
import os
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph
from SPARQLWrapper import JSON, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from kg.errors import ConfigError, PeaceKGError
from kg.serialize import rdf_bytes
from kg.settings import Settings
from kg.store.builds import open_store

METHODS = ("gsp", "update")
NO_GSP = (404, 405, 501)  # answers to PUT meaning "no Graph Store Protocol here"
EXCERPT_CHARS = 300


class PushError(PeaceKGError):
    """Pushing to a remote store failed: an HTTP error, an unreachable server or a wrong count."""

    exit_code = 12


@dataclass(frozen=True)
class PushedGraph:
    name: str  # the graph IRI
    triples: int
    method: str  # "gsp" or "update" (the one actually used)


@dataclass(frozen=True)
class Auth:
    """HTTP basic (user and password) or bearer (token) credentials; their repr hides secrets."""

    user: str | None = None
    password: str | None = field(default=None, repr=False)
    token: str | None = field(default=None, repr=False)

    @property
    def header(self) -> str | None:
        if self.token:
            return f"Bearer {self.token}"
        if self.user is not None:
            pair = f"{self.user}:{self.password or ''}".encode()
            return "Basic " + base64.b64encode(pair).decode("ascii")
        return None

    @property
    def secrets(self) -> list[str]:
        return [s for s in (self.password, self.token) if s]


def auth_from_env(settings: Settings, environ: Mapping[str, str] | None = None) -> Auth | None:
    """A bearer token from the environment variable named by the ``push_token_env`` setting."""
    token = (os.environ if environ is None else environ).get(settings.push_token_env, "").strip()
    return Auth(token=token) if token else None


def _check_url(url: str, flag: str) -> str:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{flag} must be an http(s) URL, got {_redact(url)!r}")
    if parts.username is not None or parts.password is not None:
        raise ConfigError(f"{flag} must not hold credentials: use --user/--password or --token")
    return url


def _redact(url: str) -> str:
    """The URL without any user:password@ part."""
    parts = urllib.parse.urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urllib.parse.urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))


def derive_url(endpoint: str, explicit: str | None, suffix: str, flag: str) -> str:
    """``explicit``, or the query endpoint with its trailing ``/query`` replaced by ``/<suffix>``."""
    if explicit:
        return _check_url(explicit, flag)
    parts = urllib.parse.urlsplit(endpoint)
    path = parts.path.rstrip("/")
    if not path.endswith("/query"):
        raise ConfigError(
            f"cannot derive {flag} from --endpoint {_redact(endpoint)} (it does not end with /query, "
            f"oxigraph's layout): give {flag}"
        )
    return urllib.parse.urlunsplit(parts._replace(path=path[: -len("query")] + suffix, query="", fragment=""))


def _graph_iris(settings: Settings, store: pyoxigraph.Store, wanted: Iterable[str] | None) -> list[str]:
    present = sorted(str(g.value) for g in store.named_graphs() if isinstance(g, pyoxigraph.NamedNode))
    if not wanted:
        return present
    chosen = []
    for name in wanted:
        iri = name if "://" in name else f"{settings.base_iri}graph/{name.strip('/')}"
        if iri not in present:
            shown = ", ".join(present[:8]) + (", …" if len(present) > 8 else "")
            raise PushError(f"no graph {iri} in the local store (it has: {shown or 'none'})")
        if iri not in chosen:
            chosen.append(iri)
    return chosen


def _has_blank(triple: pyoxigraph.Triple) -> bool:
    return isinstance(triple.subject, pyoxigraph.BlankNode) or isinstance(triple.object, pyoxigraph.BlankNode)


def _batches(triples: list[pyoxigraph.Triple], size: int) -> list[list[pyoxigraph.Triple]]:
    """Chunks of at most ``size`` triples, never splitting triples joined by blank nodes (a
    blank-node component larger than ``size`` travels alone, over the limit)."""
    if len(triples) <= size:
        return [triples]
    parent: dict[pyoxigraph.BlankNode, pyoxigraph.BlankNode] = {}

    def find(node: pyoxigraph.BlankNode) -> pyoxigraph.BlankNode:
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    blanks = [[t for t in (tr.subject, tr.object) if isinstance(t, pyoxigraph.BlankNode)] for tr in triples]
    for nodes in blanks:
        if len(nodes) == 2:
            parent[find(nodes[0])] = find(nodes[1])
    groups: dict[object, list[pyoxigraph.Triple]] = {}
    for index, (triple, nodes) in enumerate(zip(triples, blanks, strict=True)):
        groups.setdefault(find(nodes[0]) if nodes else index, []).append(triple)
    batches: list[list[pyoxigraph.Triple]] = [[]]
    for group in groups.values():
        if batches[-1] and len(batches[-1]) + len(group) > size:
            batches.append([])
        batches[-1].extend(group)
    return batches


class _Remote:
    """HTTP to one remote store: PUT/POST with urllib, the count query with SPARQLWrapper."""

    def __init__(self, auth: Auth | None, timeout: int):
        self.auth = auth or Auth()
        self.timeout = timeout

    def _excerpt(self, body: bytes | str) -> str:
        text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
        text = re.sub(r"\s+", " ", text).strip()
        for secret in self.auth.secrets:
            text = text.replace(secret, "***")
        return text[:EXCERPT_CHARS] + ("…" if len(text) > EXCERPT_CHARS else "")

    def send(self, verb: str, url: str, body: bytes, content_type: str, graph: str, allow: tuple[int, ...] = ()) -> int:
        """The HTTP status; an error status not in ``allow`` (or no answer) raises PushError."""
        headers = {"Content-Type": content_type}
        if self.auth.header:
            headers["Authorization"] = self.auth.header
        request = urllib.request.Request(url, data=body, method=verb, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                response.read()
                return response.status
        except urllib.error.HTTPError as exc:
            if exc.code in allow:
                return exc.code
            raise PushError(
                f"pushing graph {graph}: {verb} {_redact(url)} answered HTTP {exc.code} "
                f"{exc.reason}: {self._excerpt(exc.read()) or '(empty body)'}"
            ) from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", None) or exc
            raise PushError(f"pushing graph {graph}: cannot reach {_redact(url)} ({verb}): {reason}") from None

    def count(self, endpoint: str, graph: str) -> int:
        sparql = SPARQLWrapper(endpoint)
        sparql.setQuery(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
        sparql.setReturnFormat(JSON)
        sparql.setOnlyConneg(True)
        sparql.setTimeout(self.timeout)
        if self.auth.token:
            sparql.addCustomHttpHeader("Authorization", f"Bearer {self.auth.token}")
        elif self.auth.user is not None:
            sparql.setCredentials(self.auth.user, self.auth.password or "")
        where = f"verifying graph {graph}: the count query to {_redact(endpoint)}"
        try:
            result = sparql.queryAndConvert()
            if not isinstance(result, dict):  # JSON was asked for: anything else is an unexpected answer
                raise TypeError(type(result).__name__)
            return int(result["results"]["bindings"][0]["n"]["value"])
        except (KeyError, IndexError, TypeError, ValueError) as exc:
            raise PushError(f"{where} gave an unexpected answer ({exc.__class__.__name__})") from None
        except (SPARQLWrapperException, OSError) as exc:  # OSError covers urllib's HTTPError/URLError and timeouts
            status = getattr(exc, "code", None) or getattr(exc.__context__, "code", None)
            if status is None:
                reason = getattr(exc, "reason", None) or exc
                raise PushError(f"{where} failed: {self._excerpt(str(reason))}") from None
            raise PushError(f"{where} answered HTTP {status}: {self._excerpt(str(exc))}") from None


def push(
    settings: Settings,
    endpoint: str,
    *,
    graph_store: str | None = None,
    update_endpoint: str | None = None,
    auth: Auth | None = None,
    method: str = "gsp",
    graphs: Iterable[str] | None = None,
    progress: Callable[[str], None] = print,
) -> list[PushedGraph]:
    """Push (replace) the named graphs of the current store into the store behind ``endpoint``.

    ``graphs``: IRIs or short names (``ontology``, ``article/fx-001``); default every named graph.
    ``auth``: default a bearer token from the variable named by ``push_token_env``, if set.
    Raises PushError (exit 12) on an HTTP error, an unreachable server or a count mismatch.
    """
    if method not in METHODS:
        raise ConfigError(f"unknown push method {method!r} (known: {', '.join(METHODS)})")
    endpoint = _check_url(endpoint, "--endpoint")
    remote = _Remote(auth if auth is not None else auth_from_env(settings), settings.push_timeout_s)
    store_url = derive_url(endpoint, graph_store, "store", "--graph-store") if method == "gsp" else None
    update_url = None
    store = open_store(Path(settings.build_dir))
    pushed: list[PushedGraph] = []
    for iri in _graph_iris(settings, store, graphs):
        triples = [q.triple for q in store.quads_for_pattern(None, None, None, pyoxigraph.NamedNode(iri))]
        used = method
        if used == "gsp":
            assert store_url is not None  # derived above for the method gsp
            url = f"{store_url}{'&' if '?' in store_url else '?'}graph={urllib.parse.quote(iri, safe='')}"
            body = rdf_bytes(triples, pyoxigraph.RdfFormat.N_TRIPLES)
            status = remote.send("PUT", url, body, "application/n-triples", iri, allow=NO_GSP)
            if status in NO_GSP:
                progress(
                    f"{_redact(store_url)} answered HTTP {status} to PUT (no Graph Store Protocol there): "
                    "falling back to SPARQL Update"
                )
                method = used = "update"
        if used == "update":
            update_url = update_url or derive_url(endpoint, update_endpoint, "update", "--update-endpoint")
            batches = _batches(triples, settings.push_batch_triples)
            if len(batches) > 1:
                progress(f"graph {iri}: {len(triples)} triples in {len(batches)} requests (not atomic)")
            for number, batch in enumerate(batches):
                text = f"DROP SILENT GRAPH <{iri}> ;\n" if number == 0 else ""
                ground = [t for t in batch if not _has_blank(t)]
                blank = [t for t in batch if _has_blank(t)]
                if ground:
                    data = rdf_bytes(ground, pyoxigraph.RdfFormat.N_TRIPLES).decode("utf-8")
                    text += f"INSERT DATA {{ GRAPH <{iri}> {{\n{data}}} }} ;\n"
                if blank:
                    # Same meaning as INSERT DATA (fresh blank nodes, labels shared within the
                    # request), but accepted by stores that refuse blank nodes in INSERT DATA (Virtuoso).
                    data = rdf_bytes(blank, pyoxigraph.RdfFormat.N_TRIPLES).decode("utf-8")
                    text += f"INSERT {{ GRAPH <{iri}> {{\n{data}}} }} WHERE {{}} ;\n"
                text = text.rstrip().removesuffix(";")
                remote.send("POST", update_url, text.encode("utf-8"), "application/sparql-update", iri)
        remote_count = remote.count(endpoint, iri)
        if remote_count != len(triples):
            raise PushError(
                f"verifying graph {iri}: {_redact(endpoint)} holds {remote_count} triples in it "
                f"after the push, the local store {len(triples)}"
            )
        progress(f"pushed {iri}: {len(triples)} triples (verified)")
        pushed.append(PushedGraph(iri, len(triples), used))
    return pushed
