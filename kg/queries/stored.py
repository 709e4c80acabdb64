"""Stored queries: the ``queries/*.rq`` files, their headers and their parameters.

Each file is one SPARQL SELECT query whose leading comment lines are its header (the format is
defined in queries/README.md)::

    # title: Claims of an actor
    # description: What the actor claims or proposes, in which article, with which quote.
    # param: actor iri https://w3id.org/peacekg/resource/volodymyr-zelenskyy — the actor
    # tags: competency, cq-8, actors

A query that pages by key also has ``# page: <param> <?variable>`` (kg.queries.paging): the
next page is the same request with the cursor parameter bound to the variable's value in the
last row. A ``string`` parameter's default ``""`` is the empty string (the first page).

A parameter is bound to the query variable of the same name as an RDF term (kg.sparql.binding.BoundTerm,
applied by pyoxigraph as ``substitutions``); a value is never pasted into query text. pyoxigraph
needs a bound variable in the SELECT projection, so every parameter is projected (checked when
the file is loaded, by a dry run on an empty store).

Errors say where: a bad file is a :class:`StoredQueryFileError` (``file:line: what is wrong``,
exit code 4); an unknown query or a missing, unknown or invalid parameter value is a
:class:`StoredQueryInputError` (exit code 13, HTTP 404/400 in the service).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import PeaceKGError, SourceSyntaxError
from kg.queries.paging import Page, parse_field
from kg.queries.paging import check as check_page
from kg.sparql.binding import XSD, BindingError, BoundTerm, check

ROOT = Path(__file__).resolve().parents[2]
QUERIES_DIR = ROOT / "queries"
TYPES = ("iri", "string", "integer", "decimal", "date", "boolean", "langstring")
FIELDS = ("title", "description", "param", "tags", "page")
RESERVED = frozenset({"format"})  # names the service uses itself (?format=csv)
MAX_TITLE = 80
MAX_FILE_BYTES = 256 * 1024
_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,79}")
_VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_TAG = re.compile(r"[a-z0-9][a-z0-9-]*")
_FIELD = re.compile(r"#\s?([a-z][a-z-]*):(\s.*|)")  # "# key: value"; "# pk:x" is a comment
_PARAM = re.compile(r"(?P<name>\S+)\s+(?P<type>\S+)\s+(?P<default>.+?)\s+—\s+(?P<help>.*)")
_LANGSTRING = re.compile(r"(?P<text>.*)@(?P<lang>[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*)", re.DOTALL)


class StoredQueryFileError(SourceSyntaxError):
    """A stored query file is wrong: its header, its parameters or its SPARQL (exit code 4)."""


class StoredQueryInputError(PeaceKGError):
    """A request for a stored query cannot be served: no such query, or a parameter value is
    missing, unknown or invalid (exit code 13; 404 or 400 in the service)."""

    exit_code = 13

    def __init__(self, message: str, *, not_found: bool = False):
        super().__init__(message)
        self.not_found = not_found


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    default: str | None  # None: required
    help: str
    line: int  # where it is declared in its file

    @property
    def required(self) -> bool:
        return self.default is None


@dataclass(frozen=True)
class StoredQuery:
    name: str
    path: Path
    title: str
    description: str
    text: str  # the whole file: line numbers of errors are the file's
    params: tuple[Param, ...] = ()
    tags: tuple[str, ...] = field(default=())
    page: Page | None = None  # keyset paging (# page:), None for a query that returns its whole answer

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)

    def summary(self) -> dict:
        """What a listing shows: name, title, description, tags, parameters and paging."""
        return {
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "tags": list(self.tags),
            "params": [
                {"name": p.name, "type": p.type, "required": p.required, "default": p.default, "help": p.help}
                for p in self.params
            ],
            "page": {"param": self.page.param, "variable": self.page.variable} if self.page else None,
        }


def to_term(param: Param, raw: str) -> BoundTerm:
    """The RDF term for the user's string ``raw`` as the parameter's declared type; BindingError
    (naming the parameter) when it is not a valid value of that type."""
    kind, name = param.type, param.name
    if kind == "iri":
        return check(BoundTerm.iri(raw.strip()), name)
    if kind == "string":
        return check(BoundTerm.literal(raw), name)
    if kind == "langstring":
        match = _LANGSTRING.fullmatch(raw)
        if not match:
            raise BindingError(f"{name}: a language-tagged string is written text@lang (e.g. peace@en), got {raw!r}")
        return check(BoundTerm.literal(match.group("text"), language=match.group("lang").lower()), name)
    value = raw.strip()
    if kind == "boolean":
        lowered = value.lower()
        if lowered not in ("true", "false", "1", "0"):
            raise BindingError(f"{name}: not a boolean (true, false, 1 or 0): {raw!r}")
        return BoundTerm.literal("true" if lowered in ("true", "1") else "false", XSD + "boolean")
    if kind == "date":
        try:
            datetime.date.fromisoformat(value)
        except ValueError:
            raise BindingError(f"{name}: not a date (YYYY-MM-DD): {raw!r}") from None
        return check(BoundTerm.literal(value, XSD + "date"), name)
    if kind in ("integer", "decimal"):
        return check(BoundTerm.literal(value, XSD + kind), name)
    raise BindingError(f"{name}: unknown parameter type {kind!r}")


def bind(query: StoredQuery, values: Mapping[str, str]) -> dict[str, BoundTerm]:
    """Terms for every parameter of ``query``: the given string values, else the defaults.
    Unknown names, missing required values and invalid values are StoredQueryInputError."""
    unknown = sorted(set(values) - {p.name for p in query.params})
    if unknown:
        known = ", ".join(p.name for p in query.params) or "none"
        raise StoredQueryInputError(f"{query.name}: unknown parameter(s) {', '.join(unknown)} (parameters: {known})")
    terms: dict[str, BoundTerm] = {}
    for param in query.params:
        raw = values.get(param.name, param.default)
        if raw is None:
            raise StoredQueryInputError(
                f"{query.name}: parameter {param.name} ({param.type}) is required: {param.help}"
            )
        try:
            terms[param.name] = to_term(param, raw)
        except BindingError as exc:
            raise StoredQueryInputError(f"{query.name}: {exc}") from None
    return terms


def _parse_param(value: str, file: str, line: int) -> Param:
    match = _PARAM.fullmatch(value)
    if not match:
        raise StoredQueryFileError(
            "a parameter is declared as `# param: NAME TYPE DEFAULT-or-required — help`", file=file, line=line
        )
    name, kind, default, help_text = match.group("name", "type", "default", "help")
    if not _VARIABLE.fullmatch(name):
        raise StoredQueryFileError(f"parameter name {name!r} is not a SPARQL variable name", file=file, line=line)
    if name in RESERVED:
        raise StoredQueryFileError(f"parameter name {name!r} is reserved", file=file, line=line)
    if kind not in TYPES:
        raise StoredQueryFileError(
            f"parameter {name}: unknown type {kind!r} (types: {', '.join(TYPES)})", file=file, line=line
        )
    if not help_text.strip():
        raise StoredQueryFileError(f"parameter {name}: the help text after ' — ' is empty", file=file, line=line)
    if default == '""' and kind == "string":  # the empty string: a cursor's "from the start"
        default = ""
    param = Param(name, kind, None if default == "required" else default, help_text.strip(), line)
    if param.default is not None:
        try:
            to_term(param, param.default)
        except BindingError as exc:
            raise StoredQueryFileError(f"invalid default: {exc}", file=file, line=line) from None
    return param


def parse(text: str, path: Path, *, display: str | None = None) -> StoredQuery:
    """The stored query in ``text`` (the content of ``path``): header parsed and checked, then the
    query dry-run on an empty store (syntax, SELECT form, parameters in the projection)."""
    file = display or str(path)
    name = path.stem
    if not _NAME.fullmatch(name):
        raise StoredQueryFileError(
            "a stored query's file name is lower-case letters, digits and hyphens, then .rq", file=file
        )
    lines = text.splitlines()
    header = _read_header(lines, file)
    header.check()
    if not "\n".join(lines[header.end :]).strip():
        raise StoredQueryFileError("there is no query after the header", file=file, line=header.end + 1)
    title, description = header.fields["title"][0], header.fields["description"][0]
    query = StoredQuery(name, path, title, description, text, tuple(header.params), header.tags, header.page)
    _dry_run(query, file)  # first: a syntax error is told with its line
    if header.page is not None:
        check_page(header.page, tuple(header.params), text, file)
    return query


@dataclass
class _Header:
    """The header of a stored query file (its leading comment lines), as read so far."""

    file: str
    fields: dict[str, tuple[str, int]] = field(default_factory=dict)  # key -> (value, line)
    params: list[Param] = field(default_factory=list)
    tags: tuple[str, ...] = ()
    page: Page | None = None
    end: int = 0  # the number of its last line

    def add(self, key: str, value: str, number: int) -> None:
        """The field ``# key: value`` on line ``number``."""
        if key not in FIELDS:
            raise StoredQueryFileError(
                f"unknown header field {key!r} (fields: {', '.join(FIELDS)})", file=self.file, line=number
            )
        if key == "param":
            param = _parse_param(value, self.file, number)
            if any(p.name == param.name for p in self.params):
                raise StoredQueryFileError(f"parameter {param.name} is declared twice", file=self.file, line=number)
            self.params.append(param)
            return
        if key in self.fields:
            raise StoredQueryFileError(
                f"{key} is given twice (first on line {self.fields[key][1]})", file=self.file, line=number
            )
        if not value:
            raise StoredQueryFileError(f"{key} is empty", file=self.file, line=number)
        self.fields[key] = (value, number)
        if key == "tags":
            self.tags = _parse_tags(value, self.file, number)
        if key == "page":
            self.page = parse_field(value, self.file, number)

    def check(self) -> None:
        """A title (not too long) and a description are required."""
        for key in ("title", "description"):
            if key not in self.fields:
                raise StoredQueryFileError(
                    f"the header has no `# {key}:` line (the header is the file's leading comment lines)",
                    file=self.file,
                    line=self.end + 1,
                )
        title, title_line = self.fields["title"]
        if len(title) > MAX_TITLE:
            raise StoredQueryFileError(
                f"the title is longer than {MAX_TITLE} characters", file=self.file, line=title_line
            )


def _read_header(lines: list[str], file: str) -> _Header:
    """The leading comment lines: ``# key: value`` fields; other comment lines are free text."""
    header = _Header(file)
    for number, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line.startswith("#"):
            break
        header.end = number
        match = _FIELD.fullmatch(line)
        if match:
            header.add(match.group(1), match.group(2).strip(), number)
    return header


def _parse_tags(value: str, file: str, line: int) -> tuple[str, ...]:
    tags = tuple(t.strip() for t in value.split(","))
    bad = [t for t in tags if not _TAG.fullmatch(t)]
    if bad:
        raise StoredQueryFileError(
            f"tags are lower-case words with hyphens, comma-separated; not: {bad}", file=file, line=line
        )
    return tags


def _dry_run(query: StoredQuery, file: str) -> None:
    """Evaluate on an empty store with every parameter bound: syntax errors, non-SELECT queries and
    parameters that pyoxigraph cannot bind (not in the SELECT projection) are found here."""
    import pyoxigraph

    from kg.ontology.sources import sparql_position
    from kg.sparql.binding import substitutions

    placeholders = {
        "iri": "urn:peacekg:dry-run",
        "string": "x",
        "integer": "0",
        "decimal": "0",
        "date": "2000-01-01",
        "boolean": "false",
        "langstring": "x@en",
    }
    terms = {p.name: to_term(p, p.default if p.default is not None else placeholders[p.type]) for p in query.params}
    for param in query.params:
        if not re.search(r"[?$]" + re.escape(param.name) + r"\b", query.text):
            raise StoredQueryFileError(
                f"parameter {param.name} is not used: the query has no ?{param.name}", file=file, line=param.line
            )
    try:
        result = pyoxigraph.Store().query(
            query.text, substitutions=substitutions(terms), use_default_graph_as_union=True
        )
    except SyntaxError as exc:
        line, column = sparql_position(exc)
        raise StoredQueryFileError(f"SPARQL syntax error: {exc}", file=file, line=line, column=column) from None
    except RuntimeError as exc:  # pyoxigraph: a substituted variable must be projected
        missing = next(
            (p for p in query.params if f"?{p.name} " in str(exc) + " "), query.params[0] if query.params else None
        )
        raise StoredQueryFileError(
            f"parameter {missing.name if missing else '?'} cannot be bound: {exc} (project it: SELECT ... ?name ...)",
            file=file,
            line=missing.line if missing else None,
        ) from None
    if not isinstance(result, pyoxigraph.QuerySolutions):
        raise StoredQueryFileError("a stored query is a SELECT query", file=file, line=None)


def load(path: Path, *, display: str | None = None) -> StoredQuery:
    """Read and parse one ``.rq`` file."""
    file = display or _relative(path)
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise StoredQueryFileError(f"larger than {MAX_FILE_BYTES} bytes", file=file)
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise StoredQueryFileError("file not found", file=file) from None
    except UnicodeDecodeError as exc:
        raise StoredQueryFileError(f"not UTF-8 ({exc.reason})", file=file, offset=exc.start) from None
    return parse(text, path, display=file)


def paths(queries_dir: Path | None = None) -> list[Path]:
    folder = Path(queries_dir or QUERIES_DIR)
    return sorted(p for p in folder.glob("*.rq") if p.is_file())


def load_all(queries_dir: Path | None = None) -> tuple[list[StoredQuery], list[StoredQueryFileError]]:
    """Every stored query of the folder (sorted by name), and the errors of the files that are wrong."""
    queries, errors = [], []
    for path in paths(queries_dir):
        try:
            queries.append(load(path))
        except StoredQueryFileError as exc:
            errors.append(exc)
    return queries, errors


def find(name: str, queries_dir: Path | None = None) -> StoredQuery:
    """The stored query ``name`` (a file name without .rq, never a path)."""
    folder = Path(queries_dir or QUERIES_DIR)
    if not _NAME.fullmatch(name):
        raise StoredQueryInputError(f"not a stored query name: {name!r}", not_found=True)
    path = folder / f"{name}.rq"
    if not path.is_file():
        known = ", ".join(p.stem for p in paths(folder))
        raise StoredQueryInputError(
            f"no stored query {name!r}" + (f" (stored queries: {known})" if known else ""), not_found=True
        )
    return load(path)


def _relative(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)
