"""Reading hand-edited RDF and SPARQL sources, with errors that say file, line and column."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph
import rdflib
from rdflib.plugins.parsers.notation3 import BadSyntax

from kg.errors import SourceSyntaxError

_OXI_POSITION = re.compile(r"error at (\d+):(\d+)")


def _relative(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def parse_turtle(path: Path, graph: rdflib.Graph | None = None) -> rdflib.Graph:
    """Parse a Turtle file into ``graph`` (a new one by default).

    Raises SourceSyntaxError with the file and line of the first error, or when the file is
    missing or not UTF-8.
    """
    graph = rdflib.Graph() if graph is None else graph
    try:
        data = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise SourceSyntaxError("file not found", file=_relative(path)) from None
    except UnicodeDecodeError as exc:
        raise SourceSyntaxError(f"not UTF-8 ({exc.reason})", file=_relative(path), offset=exc.start) from None
    try:
        graph.parse(data=data, format="turtle", publicID=path.resolve().as_uri())
    except BadSyntax as exc:
        # BadSyntax.lines is the 0-based line of the error; _i the character index in the text.
        line = exc.lines + 1
        line_start = data.rfind("\n", 0, exc._i) + 1
        raise SourceSyntaxError(
            f"Turtle syntax error: {exc._why}",
            file=_relative(path),
            line=line,
            column=exc._i - line_start + 1,
        ) from None
    return graph


def sparql_position(exc: SyntaxError) -> tuple[int | None, int | None]:
    """The (line, column) of a pyoxigraph SPARQL syntax error, both 1-based, when it says."""
    match = _OXI_POSITION.search(str(exc))
    if not match:
        return None, None
    return int(match.group(1)), int(match.group(2))


def read_sparql(path: Path) -> str:
    """Read a .rq file and check that it parses as a SPARQL 1.1 query (pyoxigraph's parser)."""
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise SourceSyntaxError("file not found", file=_relative(path)) from None
    except UnicodeDecodeError as exc:
        raise SourceSyntaxError(f"not UTF-8 ({exc.reason})", file=_relative(path), offset=exc.start) from None
    try:
        pyoxigraph.Store().query(text)
    except SyntaxError as exc:
        line, column = sparql_position(exc)
        raise SourceSyntaxError(f"SPARQL syntax error: {exc}", file=_relative(path), line=line, column=column) from None
    return text


def header_fields(text: str) -> dict[str, str]:
    """The ``# key: value`` lines at the top of a .rq file (continuation lines start with ``#  ``)."""
    fields: dict[str, str] = {}
    last = None
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        body = line[1:]
        match = re.match(r"\s?([A-Za-z][\w-]*):\s*(.*)$", body)
        if match:
            last = match.group(1).lower()
            fields[last] = match.group(2).strip()
        elif last and body.startswith("  "):
            fields[last] = (fields[last] + " " + body.strip()).strip()
    return fields
