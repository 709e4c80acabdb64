"""The queries timed: three shapes (a point lookup, a multi-way join, a group-by over every
statement) and each stored query of queries/*.rq, its parameters bound to their defaults by a
VALUES block placed at the top of the WHERE clause (the same text goes to every engine)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
PREFIXES = """PREFIX pk: <https://w3id.org/peacekg/ontology/>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""
# Values for stored-query parameters that have no default.
BENCH_VALUES = {
    "string": "peace",
    "iri": "https://w3id.org/peacekg/resource/ukraine",
    "date": "2025-06-01",
    "integer": "10",
    "decimal": "10",
    "boolean": "true",
    "langstring": "peace@en",
}
PARAM = re.compile(r"#\s*param:\s*(\w+)\s+(\w+)\s+(\S+)")


@dataclass(frozen=True)
class Query:
    name: str
    shape: str  # lookup, join, group-by, stored, route
    text: str
    path: str = ""  # when set: GET this path instead of ?query= (our service's /queries/NAME route)


def shapes(statement_iri: str) -> list[Query]:
    """``statement_iri``: one statement of the store (the lookup's subject)."""
    return [
        Query("lookup", "lookup", f"SELECT ?p ?o WHERE {{ <{statement_iri}> ?p ?o }}"),
        Query(
            "join",
            "join",
            PREFIXES
            + """SELECT ?claim ?speakerLabel ?targetLabel ?quote ?article WHERE {
  ?claim a pk:Claim ; pk:stance <https://w3id.org/peacekg/vocab/stance/rejects> ;
         pk:claimant ?speaker ; pk:target ?target ; pk:hasEvidence/oa:hasTarget ?span .
  ?span oa:hasSource ?article ; oa:hasSelector/oa:exact ?quote .
  ?speaker rdfs:label ?speakerLabel .
  ?target rdfs:label ?targetLabel .
}""",
        ),
        Query(
            "group-by",
            "group-by",
            PREFIXES
            + """SELECT ?speaker (COUNT(DISTINCT ?statement) AS ?statements) WHERE {
  ?statement a pk:Statement ; pk:attributedTo ?speaker .
} GROUP BY ?speaker ORDER BY DESC(?statements) ?speaker LIMIT 20""",
        ),
    ]


def bind_defaults(text: str) -> str:
    """Bind each ``# param:`` to its default (or a bench value) with VALUES at the top of WHERE."""
    values = []
    for name, kind, default in PARAM.findall(text):
        raw = BENCH_VALUES.get(kind, "peace") if default == "required" else default
        if kind == "iri":
            term = f"<{raw}>"
        elif kind == "langstring" and "@" in raw:
            body, lang = raw.rsplit("@", 1)
            term = f'"{body}"@{lang}'
        elif kind in ("integer", "decimal", "boolean", "date"):
            term = f'"{raw}"^^<http://www.w3.org/2001/XMLSchema#{kind}>'
        else:
            term = '"' + raw.replace("\\", "\\\\").replace('"', '\\"') + '"'
        values.append(f"VALUES ?{name} {{ {term} }}")
    if not values:
        return text
    match = re.search(r"\bWHERE\s*\{", text, re.IGNORECASE)
    if match is None:
        raise ValueError("a stored query with parameters but no WHERE {")
    return text[: match.end()] + "\n  " + "\n  ".join(values) + text[match.end() :]


def stored(queries_dir: Path = ROOT / "queries") -> tuple[list[Query], list[str]]:
    """Every stored query present when the bench runs (the folder may not exist yet), and the
    names of those left out: federated ones (SERVICE needs the Internet, which the bench has not)."""
    if not queries_dir.is_dir():
        return [], []
    kept, federated = [], []
    for path in sorted(queries_dir.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
        if re.search(r"\bSERVICE\b", body, re.IGNORECASE):
            federated.append(path.stem)
        else:
            kept.append(Query(path.stem, "stored", bind_defaults(text)))
    return kept, federated


def routes(queries_dir: Path = ROOT / "queries") -> list[Query]:
    """Our service's own route for each parametrised stored query, ``GET /queries/NAME`` with the
    defaults: it binds the parameters with pyoxigraph substitutions instead of VALUES."""
    out = []
    for path in sorted(queries_dir.glob("*.rq")) if queries_dir.is_dir() else []:
        text = path.read_text(encoding="utf-8")
        params = PARAM.findall(text)
        if not params or re.search(r"\bSERVICE\b", text, re.IGNORECASE):
            continue
        given = {name: BENCH_VALUES.get(kind, "peace") for name, kind, default in params if default == "required"}
        out.append(Query(path.stem, "route", text, f"/queries/{path.stem}?" + urlencode({**given, "format": "json"})))
    return out
