"""What tests/service/test_fuzz_protocol.py sends and how it judges the answers: raw HTTP requests (bytes
for the path, query string, headers and body, so that any encoding can be sent), hypothesis
strategies that make them (grammar-aware mutations of valid SPARQL, random text, odd parameters,
headers, encodings, methods and paths), and the one check every answer must pass."""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from http import HTTPStatus
from urllib.parse import quote_from_bytes, unquote_to_bytes

from hypothesis import strategies as st

from kg.sparql.lexer import iter_tokens

PK = "https://w3id.org/peacekg/ontology/"
BASE = "https://w3id.org/peacekg/"
PROLOGUE = (
    f"PREFIX pk: <{PK}> PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> "
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n"
)
SEED_QUERIES = [
    PROLOGUE + q
    for q in (
        "SELECT ?s ?label WHERE { ?s a pk:Person ; rdfs:label ?label FILTER(LANG(?label) = 'en') } ORDER BY ?label LIMIT 10",
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g HAVING (COUNT(*) > 1)",
        'ASK { ?claim a pk:Claim ; pk:summary ?summary FILTER(CONTAINS(LCASE(?summary), "plan")) }',
        "CONSTRUCT { ?s rdfs:label ?l } WHERE { ?s rdfs:label ?l } LIMIT 5",
        f"DESCRIBE <{BASE}resource/ana-exempla>",
        "SELECT DISTINCT ?type WHERE { ?s rdf:type/rdfs:subClassOf* ?type OPTIONAL { ?type rdfs:label ?l } } LIMIT 20",
        'SELECT ?x ?y WHERE { VALUES (?x ?y) { (1 "a"@en) (2.5e0 UNDEF) } BIND(STR(?x) AS ?z) } OFFSET 1',
        "SELECT * WHERE { { SELECT ?s WHERE { ?s ?p ?o } LIMIT 3 } UNION { ?s a pk:Statement } MINUS { ?s a pk:Claim } } LIMIT 7",
        "SELECT ?s (SUBSTR(STR(?s), 1, 20) AS ?short) WHERE { ?s pk:attributedTo ?who FILTER(REGEX(STR(?who), '^https', 'i')) }",
        "SELECT ?g (SAMPLE(?o) AS ?one) WHERE { GRAPH ?g { ?s pk:summary ?o } } GROUP BY ?g ORDER BY DESC(?g)",
        'SELECT ?s WHERE { ?s ?p "x"^^xsd:string FILTER NOT EXISTS { ?s a pk:Claim } } LIMIT 1',
    )
]
REPLACEMENTS = [
    "SELECT",
    "ASK",
    "CONSTRUCT",
    "DESCRIBE",
    "WHERE",
    "FILTER",
    "OPTIONAL",
    "UNION",
    "MINUS",
    "GRAPH",
    "SERVICE",
    "SILENT",
    "BIND",
    "AS",
    "VALUES",
    "UNDEF",
    "LIMIT",
    "OFFSET",
    "ORDER BY",
    "GROUP BY",
    "HAVING",
    "COUNT",
    "DISTINCT",
    "FROM",
    "FROM NAMED",
    "PREFIX",
    "BASE",
    "INSERT DATA",
    "DELETE WHERE",
    "LOAD",
    "CLEAR ALL",
    "DROP",
    "a",
    "true",
    "NOT EXISTS",
    "REGEX",
    "STRDT",
    "STRLANG",
    "IRI",
    "BNODE",
    "NOW()",
    "RAND()",
    "REPLACE",
    "ENCODE_FOR_URI",
    "IF",
    "COALESCE",
    "{",
    "}",
    "(",
    ")",
    ".",
    ";",
    ",",
    "*",
    "/",
    "|",
    "^",
    "+",
    "?",
    "!",
    "=",
    "!=",
    "<",
    ">",
    "&&",
    "||",
    "^^",
    "[",
    "]",
    "@en",
    "@x-very-long-language-tag-aaaaaaaa",
    "<>",
    "<relative>",
    "<http://a%zz>",
    "<urn:x>",
    "<javascript:alert(1)>",
    "<http://169.254.169.254/latest>",
    "<file:///etc/passwd>",
    "<http://x/\u00e9\u4e2d>",
    "pk:Claim",
    "rdf:type",
    "x:y",
    ":z",
    "pk:",
    "?s",
    "?x",
    "$y",
    "?\u00e9t\u00e9",
    '"x"',
    "'y'",
    '"""z"""',
    '"\\u0000"',
    '"\\uD800"',
    '"\\U0010FFFF"',
    '"\\U00110000"',
    '"1"^^xsd:integer',
    '"nan"^^xsd:double',
    '"x"^^<http://a%zz>',
    "1e999999",
    "99999999999999999999999999",
    "-0",
    "0.0",
    "18446744073709551616",
    "_:b",
    "[]",
    "pk:p*",
    "(pk:p|^pk:q)+",
    "!rdf:type",
    "SERVICE <http://evil.example/sparql>",
    "SERVICE ?endpoint",
    "# comment",
    "\u0000",
    "\ufeff",
    "\u202e",
    "\\",
    "'''",
    '"',
]
MUTATIONS = ("delete", "duplicate", "swap", "replace", "insert", "truncate", "case")
JUNK_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=120)


@st.composite
def mutated(draw, seeds: list[str]) -> str:
    """A valid seed request with 1–4 token-level mutations (the service's own SPARQL lexer splits it)."""
    parts = [t.text for t in iter_tokens(draw(st.sampled_from(seeds)))]
    for _ in range(draw(st.sampled_from([1, 1, 1, 2, 3, 4]))):
        significant = [i for i, p in enumerate(parts) if p.strip()]
        if not significant:
            break
        i, j = draw(st.sampled_from(significant)), draw(st.sampled_from(significant))
        op = draw(st.sampled_from(MUTATIONS))
        if op == "delete":
            parts[i] = ""
        elif op == "duplicate":
            parts.insert(i, parts[i] + " ")
        elif op == "swap":
            parts[i], parts[j] = parts[j], parts[i]
        elif op == "replace":
            parts[i] = " " + draw(st.sampled_from(REPLACEMENTS)) + " "
        elif op == "insert":
            parts.insert(i, " " + draw(st.one_of(st.sampled_from(REPLACEMENTS), JUNK_TEXT)) + " ")
        elif op == "truncate":
            parts = parts[:i]
        else:
            parts[i] = parts[i].swapcase()
    return "".join(parts)


SEED_UPDATES = [
    PROLOGUE + u
    for u in (
        'INSERT DATA { GRAPH <http://example.org/fuzz> { <urn:a> rdfs:label "fuzz"@en } }',
        "DELETE WHERE { GRAPH <http://example.org/fuzz> { ?s ?p ?o } }",
        "INSERT { GRAPH <urn:fuzz> { ?s a <urn:t> } } WHERE { ?s a pk:Claim } ",
        "CLEAR SILENT GRAPH <urn:fuzz> ; DROP SILENT GRAPH <http://example.org/fuzz>",
        "CREATE GRAPH <urn:new> ; COPY <urn:new> TO <urn:other> ; MOVE SILENT <urn:other> TO DEFAULT",
        f"DELETE {{ ?s rdfs:label ?l }} WHERE {{ GRAPH <{BASE}graph/reference> {{ ?s rdfs:label ?l }} }}",
        "LOAD <http://169.254.169.254/latest> INTO GRAPH <urn:x>",
    )
]
sparql_text = st.one_of(mutated(SEED_QUERIES), mutated(SEED_QUERIES), st.sampled_from(SEED_QUERIES), JUNK_TEXT)
update_text = st.one_of(mutated(SEED_UPDATES), st.sampled_from(SEED_UPDATES), JUNK_TEXT)


# --- encodings ---------------------------------------------------------------------------------


def overlong(text: str) -> bytes:
    """UTF-8 with every ASCII character in the forbidden two-byte overlong form (/ as C0 AF)."""
    return b"".join(
        bytes([0xC0 | (ord(c) >> 6), 0x80 | (ord(c) & 0x3F)]) if ord(c) < 0x80 else c.encode("utf-8") for c in text
    )


ENCODERS = {
    "utf-8": lambda s: s.encode("utf-8"),
    "utf-16": lambda s: s.encode("utf-16"),
    "latin-1": lambda s: s.encode("latin-1", "replace"),
    "overlong": overlong,
    "surrogate": lambda s: s.encode("utf-8") + b"\xed\xa0\x80",  # a lone surrogate, encoded as UTF-8 would
    "cesu": lambda s: s.encode("utf-8") + b"\xed\xa0\xbd\xed\xb8\x80",  # U+1F600 as two encoded surrogates
    "invalid": lambda s: s.encode("utf-8") + b"\xff\xfe\xc3",
}
encoding = st.sampled_from(sorted(ENCODERS))
mostly_utf8 = st.sampled_from(["utf-8"] * 7 + sorted(ENCODERS))


def form_encode(pairs: list[tuple[bytes, bytes]], raw: bool = False) -> bytes:
    """application/x-www-form-urlencoded bytes; ``raw`` leaves non-ASCII bytes unescaped."""

    def enc(b: bytes) -> bytes:
        return b if raw and b"&" not in b and b"=" not in b else quote_from_bytes(b, safe="").encode("ascii")

    return b"&".join(enc(k) + b"=" + enc(v) for k, v in pairs)


# --- requests ----------------------------------------------------------------------------------


@dataclass
class RawRequest:
    method: str
    path: bytes  # percent-encoded, as on the request line
    query: bytes = b""  # the query string, without "?"
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""

    def target(self) -> bytes:
        return self.path + (b"?" + self.query if self.query else b"")

    def environ(self) -> dict[str, str]:
        """What a WSGI server hands the app for this request (PEP 3333: latin-1 strings of bytes)."""
        return {
            "PATH_INFO": unquote_to_bytes(self.path).decode("latin-1"),
            "QUERY_STRING": self.query.decode("latin-1"),
            "REQUEST_URI": self.target().decode("latin-1"),
            "RAW_URI": self.target().decode("latin-1"),
        }

    def wire(self, host: str) -> bytes:
        """The request as bytes on a connection (HTTP/1.1, closed after the answer)."""
        lines = [
            self.method.encode("latin-1") + b" " + self.target() + b" HTTP/1.1",
            b"Host: " + host.encode("ascii"),
            b"Connection: close",
            b"Content-Length: " + str(len(self.body)).encode("ascii"),
        ]
        lines += [
            k.encode("latin-1") + b": " + v.encode("latin-1")
            for k, v in self.headers
            if k.lower() not in ("host", "connection", "content-length")
        ]
        return b"\r\n".join(lines) + b"\r\n\r\n" + self.body


Q_VALUES = st.one_of(
    st.sampled_from(
        [
            "1",
            "0",
            "0.5",
            "nan",
            "inf",
            "-inf",
            "-1",
            "1e999999",
            "1_0",
            "",
            "x",
            "0x1",
            "9" * 400,
            "0.0000000000000000001",
        ]
    ),
    st.floats(allow_nan=True).map(repr),
)
MEDIA = st.sampled_from(
    [
        "*/*",
        "*",
        "text/*",
        "text/html",
        "application/json",
        "application/sparql-results+json",
        "application/sparql-results+xml",
        "text/csv",
        "text/turtle",
        "application/ld+json",
        "application/n-triples",
        "image/png",
        "image/svg+xml",
        "application/xhtml+xml",
        "foo/bar",
        "/",
        "//",
        ";",
        "text/",
        "/json",
        "TEXT/HTML",
        "text/html;level=1",
        "*/html",
    ]
)
HEADER_TEXT = st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f"), max_size=60)


@st.composite
def accept_header(draw) -> str:
    ranges = draw(st.lists(st.tuples(MEDIA, st.one_of(st.none(), Q_VALUES), HEADER_TEXT), max_size=6))
    value = ", ".join(
        m + (f";q={q}" if q is not None else "") + (f";{junk}" if junk and draw(st.booleans()) else "")
        for m, q, junk in ranges
    )
    return value * draw(st.sampled_from([1, 1, 1, 50]))  # now and then a long one


CONTENT_TYPES = st.one_of(
    st.sampled_from(
        [
            "application/x-www-form-urlencoded",
            "application/x-www-form-urlencoded; charset=utf-16",
            "application/sparql-query",
            "application/sparql-query; charset=latin-1",
            "application/sparql-update",
            "APPLICATION/SPARQL-QUERY",
            "text/plain",
            "multipart/form-data",
            "multipart/form-data; boundary=",
            "multipart/form-data; boundary=xyz",
            "application/json",
            "text/turtle",
            "",
            ";",
            "application/sparql-query;;;=",
            'application/x-www-form-urlencoded; charset="utf-8',
            "text/turtle; charset=\u00ff",
        ]
    ),
    HEADER_TEXT,
)
HEADER_NAMES = st.sampled_from(
    [
        "Accept",
        "Accept",
        "Accept-Charset",
        "Accept-Encoding",
        "Accept-Language",
        "If-None-Match",
        "If-Modified-Since",
        "Range",
        "Authorization",
        "Cookie",
        "Origin",
        "X-Forwarded-For",
        "X-Forwarded-Host",
        "Transfer-Encoding",
        "Expect",
        "X-Junk",
    ]
)


@st.composite
def headers(draw, accept: bool = True) -> list[tuple[str, str]]:
    out = [("Accept", draw(accept_header()))] if accept and draw(st.booleans()) else []
    for name, value in draw(st.lists(st.tuples(HEADER_NAMES, HEADER_TEXT), max_size=3)):
        if name == "Transfer-Encoding":
            continue  # a chunked body is the real-server batch's business
        out.append((name, value * draw(st.sampled_from([1, 1, 200]))))
    return out


PARAM_NAMES = [
    "query",
    "update",
    "default-graph-uri",
    "named-graph-uri",
    "using-graph-uri",
    "graph",
    "default",
    "format",
    "highlight",
    "actor",
    "text",
    "",
    "QUERY",
    "query[]",
    "q",
]
IRIS = [
    f"{BASE}graph/reference",
    f"{BASE}graph/article/fx-001",
    f"{BASE}graph/inferred",
    "urn:x",
    "http://a%zz",
    "http://[::1",
    "relative",
    "",
    "not an iri",
    "http://x/<y>",
    "javascript:alert(1)",
    "http://ex.org/\u00e9",
    f"{BASE}resource/ana-exempla",
    "file:///etc/passwd",
    "x:",
    "http://a b",
    "http://x/{y}",
    "http://x/\\y",
]
PARAM_VALUES = st.one_of(
    st.sampled_from(IRIS),
    st.sampled_from(["json", "xml", "csv", "tsv", "html", "ttl", "jsonld", "nt", "svg", "10-20", "1-999999999999"]),
    sparql_text,
    JUNK_TEXT,
)


@st.composite
def params(draw, names: list[str]) -> list[tuple[bytes, bytes]]:
    """Name/value pairs (names may repeat), each encoded its own way."""
    pairs = draw(st.lists(st.tuples(st.sampled_from(names + PARAM_NAMES), PARAM_VALUES, mostly_utf8), max_size=5))
    return [(n.encode("utf-8"), ENCODERS[e](v)) for n, v, e in pairs]


# --- the check -----------------------------------------------------------------------------------

DESIGNED = {400, 401, 403, 404, 405, 406, 413, 415, 416, 429, 503, 504}  # 416: a Range beyond a dump's end


class Tally(Counter):
    """How many requests each batch sent, {(batch, status): count}, and how many were distinct."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: dict[str, set[int]] = {}

    def add(self, batch: str, request: RawRequest, status: int) -> None:
        self[batch, status] += 1
        self.seen.setdefault(batch, set()).add(hash(repr(request)))

    def line(self) -> str:
        parts = []
        for batch in sorted(self.seen):
            statuses = ", ".join(f"{s}: {n}" for (b, s), n in sorted(self.items()) if b == batch)
            sent = sum(n for (b, _), n in self.items() if b == batch)
            parts.append(f"{batch} {sent} [{len(self.seen[batch])} distinct] ({statuses})")
        distinct = sum(len(v) for v in self.seen.values())
        return f"protocol fuzzing: {sum(self.values())} requests, {distinct} distinct; " + "; ".join(parts)


def judge(status: int, media: str, body: bytes, method: str, html_allowed: bool, headers: dict[str, str]) -> None:
    """Never a 500; a rejection is a designed 4xx (or 503/504) in the one JSON error shape, or the
    HTML error page where a browser asked for an entity page; a 503 is never a worker killed by input."""
    where = f"{method} -> {status} {media}: {body[:300]!r}"
    assert status < 500 or status in (503, 504), where
    assert b"Traceback" not in body, where
    if status < 400:
        return
    assert status in DESIGNED, where
    if method == "HEAD":
        return
    if media == "text/html":
        assert html_allowed, f"an HTML error page where the JSON shape was due: {where}"
        assert re.search(rb"<h1>%d [A-Z]" % status, body), where
        return
    assert media == "application/json", where
    error = json.loads(body)
    assert {"status", "error", "message"} <= set(error) <= {"status", "error", "message", "position"}, where
    assert error["status"] == status and error["error"] == HTTPStatus(status).phrase, where
    assert isinstance(error["message"], str) and error["message"], where
    if "position" in error:
        assert set(error["position"]) == {"line", "column"}, where
    assert "stopped unexpectedly" not in error["message"], f"input killed a query worker: {where}"
    if status in (429, 503) and "no built store" not in error["message"]:
        assert "Retry-After" in headers, where


# --- malformed HTTP for the real server ------------------------------------------------------------

WAITRESS = {400, 413, 431, 501}  # what waitress itself answers to a malformed request, before the app sees it
MALFORMED = [  # (request bytes, whether an answer is due: an incomplete request may just be closed)
    (b"GET /resource/x?format=\xed\xa0\x80 HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", True),
    (b"GET /sparql?query=\xff\xfe HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", True),
    (b"GET /resource/\xff\xfe/%ED%A0%80 HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", True),
    (b"GET /resource/a b HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", True),
    (b"GET /health\r\n\r\n", False),
    (b"GET /health HTTP/9.9\r\nHost: h\r\n\r\n", True),
    (b"get /health HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", True),
    (b"FOO /sparql HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", True),
    (b"G\x00T /health HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", True),
    (b"GET http://evil.example/health HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", True),
    (b"OPTIONS * HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", True),
    (b"GET health HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", True),
    (b"GET /../../etc/passwd HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", True),
    (b"GET /dumps/..%2f..%2f..%2fetc%2fpasswd HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", True),
    (b"GET /health HTTP/1.1\r\nHost: h\r\nBroken header line\r\nConnection: close\r\n\r\n", True),
    (b"GET /health HTTP/1.1\r\nHost: h\r\nX-A : b\r\nConnection: close\r\n\r\n", True),
    (b"GET /health HTTP/1.1\r\nHost: h\r\nX-Fold: a\r\n  folded\r\nConnection: close\r\n\r\n", True),
    (b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: h\r\nAccept: \xff\xfe\x00\r\nConnection: close\r\n\r\n", True),
    (b"GET /health HTTP/1.1\r\nHost: <script>\r\nHost: two\r\nConnection: close\r\n\r\n", True),
    (b"GET /sparql HTTP/1.1\r\nHost: [::1\r\nConnection: close\r\n\r\n", True),
    (b"GET /health HTTP/1.1\r\nHost: h\r\nX-Big: " + b"x" * 300_000 + b"\r\nConnection: close\r\n\r\n", True),
    (b"GET /health HTTP/1.1\r\nHost: h\r\n" + b"X-Many: y\r\n" * 5000 + b"Connection: close\r\n\r\n", True),
    (b"GET /sparql?query=" + b"A" * 1_100_000 + b" HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", True),
    (
        b"POST /sparql HTTP/1.1\r\nHost: h\r\nContent-Type: application/sparql-query\r\nContent-Length: 5\r\n"
        b"Content-Length: 6\r\nConnection: close\r\n\r\nASK{}",
        True,
    ),
    (
        b"POST /sparql HTTP/1.1\r\nHost: h\r\nContent-Type: application/sparql-query\r\nContent-Length: -5\r\n"
        b"Connection: close\r\n\r\nASK{}",
        True,
    ),
    (
        b"POST /sparql HTTP/1.1\r\nHost: h\r\nContent-Type: application/sparql-query\r\nContent-Length: five\r\n"
        b"Connection: close\r\n\r\nASK{}",
        True,
    ),
    (
        b"POST /sparql HTTP/1.1\r\nHost: h\r\nContent-Type: application/sparql-query\r\nContent-Length: 99\r\n"
        b"Connection: close\r\n\r\nASK{}",
        False,
    ),
    (
        b"POST /sparql HTTP/1.1\r\nHost: h\r\nContent-Type: application/sparql-query\r\nTransfer-Encoding: chunked\r\n"
        b"Connection: close\r\n\r\n5\r\nASK{}\r\n0\r\n\r\n",
        True,
    ),
    (
        b"POST /sparql HTTP/1.1\r\nHost: h\r\nContent-Type: application/sparql-query\r\nTransfer-Encoding: chunked\r\n"
        b"Content-Length: 5\r\nConnection: close\r\n\r\n5\r\nASK{}\r\n0\r\n\r\n",
        True,
    ),
    (
        b"POST /sparql HTTP/1.1\r\nHost: h\r\nContent-Type: application/sparql-query\r\nTransfer-Encoding: chunked\r\n"
        b"Connection: close\r\n\r\nzz\r\nASK{}\r\n0\r\n\r\n",
        True,
    ),
    (
        b"POST /sparql HTTP/1.1\r\nHost: h\r\nContent-Type: application/sparql-query\r\nTransfer-Encoding: chunked\r\n"
        b"Connection: close\r\n\r\n5\r\nASK{}\r\n",
        False,
    ),
    (
        b"POST /sparql HTTP/1.1\r\nHost: h\r\nContent-Type: application/sparql-query\r\nTransfer-Encoding: gzip\r\n"
        b"Connection: close\r\n\r\nxxxx",
        True,
    ),
    (
        b"POST /sparql HTTP/1.1\r\nHost: h\r\nContent-Type: application/sparql-query\r\nContent-Length: 2000000\r\n"
        b"Connection: close\r\n\r\n" + b"#" * 2_000_000,
        True,
    ),
    (b"GET /health HTTP/1.1\r\nHost: h\r\n\r\nGET /nope HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", True),
]
