"""The one settings registry (after Datasette's ``SETTINGS``).

Every configurable value of PeaceKG is a :class:`Setting` in :data:`SETTINGS`, with a name, a
default, a type and a help text. Values are resolved in this order, later wins:

1. the default in the registry;
2. a TOML settings file (``peacekg.toml`` in the working directory, or ``--config FILE``),
   top-level keys named like the settings;
3. environment variables ``PEACEKG_<NAME>`` (upper case);
4. explicit overrides (command-line flags, or the ``overrides`` argument in Python).

``docs/settings.md`` is generated from this registry (``make settings-docs``); a test fails when
a setting is missing from it or has no help text.

This module is the registry (the typed :class:`Settings`, the checks across values) and what
everything imports; reading the sources in that order and converting their values to each
setting's type is :mod:`kg.settings_sources`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from kg.errors import ConfigError
from kg.settings_sources import Setting, coerce, lookup, resolve


def setting(default: Any, help: str) -> Any:
    """A field of :class:`Settings`: its default and its help text (the type is the annotation)."""
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class Settings:
    """An immutable, resolved set of settings, typed field by field; read as ``settings.base_iri``.

    The fields are the registry: each one's name, type (its annotation), default and help text
    make :data:`SETTINGS`, the environment variables, the settings file keys and docs/settings.md.
    Make one with :func:`load_settings`; a copy with changes with :meth:`replace`.
    """

    base_iri: str = setting(
        "https://w3id.org/peacekg/",
        (
            "Base IRI under which every resource of the dataset is minted (must end with '/'). A stable, public "
            "name, never the address of a machine."
        ),
    )
    ontology_dir: Path = setting(
        Path("ontology"),
        ("Folder holding the hand-edited ontology: peacekg.ttl, vocab/, shapes/ and checks/."),
    )
    corpus_dir: Path = setting(
        Path("corpus"),
        ("Folder of the annotated corpus: articles/ (texts and metadata), reference/ and annotations/."),
    )
    build_dir: Path = setting(
        Path("build"),
        ("Folder for derived artefacts (ontology release files, dumps). Never hand-edited."),
    )
    include_drafts: bool = setting(
        False,
        (
            "`peacekg build`: also build draft annotations and reference entries (`review: draft`), each "
            "flagged `pk:reviewStatus review-status:draft` and shown as a draft by the service. Off: only "
            "reviewed content is served. Flag: `peacekg build --include-drafts`."
        ),
    )
    build_workers: int = setting(
        0,
        (
            "`peacekg build`: worker processes that parse the corpus files the parse cache lacks, map and "
            "SHACL-validate batches of articles and infer buckets of articles at once (kg.builder.parse_ahead, "
            "kg.builder.graphs, kg.builder.buckets); 0: one per CPU the build may use, 1: none besides the "
            "build itself. The store is the same whatever the number."
        ),
    )
    docs_dir: Path = setting(
        Path("docs"),
        ("Folder for documentation; the ontology reference is generated into docs/ontology/."),
    )
    java: str = setting(
        "java",
        ("Java executable used to run the HermiT reasoner (Java 17 or newer)."),
    )
    reasoner_memory_mb: int = setting(
        2000,
        ("Maximum Java heap, in MiB, given to the HermiT reasoner."),
    )
    push_batch_triples: int = setting(
        50000,
        (
            "`peacekg push` with SPARQL Update: the most triples sent in one INSERT DATA request. A larger graph "
            "is sent in several requests, and such a batched load is not atomic."
        ),
    )
    push_timeout_s: int = setting(
        60,
        ("`peacekg push`: timeout, in seconds, of each HTTP request to the remote store."),
    )
    push_token_env: str = setting(
        "PEACEKG_PUSH_TOKEN",
        (
            "`peacekg push`: name of the environment variable holding the bearer token, used when --token is not "
            "given. Never put a token or password in a settings file."
        ),
    )
    link_endpoint: str = setting(
        "https://query.wikidata.org/sparql",
        (
            "`peacekg link`: the SPARQL endpoint candidates come from; it must hold Wikidata-shaped data "
            "(rdfs:label, skos:altLabel, schema:description, wdt:P31)."
        ),
    )
    link_batch_size: int = setting(
        10,
        ("`peacekg link`: individuals looked up per request (their names in one VALUES block)."),
    )
    link_interval_s: float = setting(
        1.0,
        (
            "`peacekg link`: the least time, in seconds, between the starts of two requests (politeness toward "
            "public endpoints; a 429/503 answer's Retry-After is honoured too)."
        ),
    )
    link_timeout_s: float = setting(
        60.0,
        ("`peacekg link`: timeout of each request, in seconds (the Wikidata Query Service stops queries at 60 s)."),
    )
    host: str = setting(
        "127.0.0.1",
        ("Address the service listens on (loopback by default; put a reverse proxy in front for the public)."),
    )
    port: int = setting(
        8765,
        ("TCP port of the service."),
    )
    query_workers: int = setting(
        2,
        ("Worker processes that run SPARQL queries (each can be killed on timeout)."),
    )
    query_rewrite: bool = setting(
        True,
        (
            "Rewrite each query's algebra before the embedded engine plans it (kg/sparql/rewrite.py): required "
            "patterns written after OPTIONAL groups or a BIND are moved into them, filters into the OPTIONALs' "
            "base, and, in a query with any OPTIONAL, BIND, FILTER, UNION or property path, each basic graph "
            "pattern's triples ordered (filtered and joined patterns first, ties in the written order) so that "
            "pyoxigraph's planner starts from the selective pattern. Only provably "
            "equivalent rewrites; anything unsure runs as written. Checked by the W3C query suites and a "
            "differential test (queries/README.md has the figures)."
        ),
    )
    inline_lookups: bool = setting(
        True,
        (
            "Run lookups in the request thread instead of a worker process: a query whose cost is bounded by "
            "its output (one triple pattern with a constant and no variable twice, or a DESCRIBE of IRIs, with "
            "at most LIMIT and OFFSET; service/execution/lookup_shape.py has the exact rule), on the union "
            "default graph. The time limit (504) and the row limit still hold, checked between rows; every "
            "other query goes to the workers. Off: every query goes to a worker."
        ),
    )
    query_timeout_s: float = setting(
        10.0,
        (
            "Per-query time limit in seconds; a query past it is stopped by killing its worker, a lookup run in "
            "the request thread (inline_lookups) between two of its rows (504)."
        ),
    )
    queue_timeout_s: float = setting(
        5.0,
        ("How long a request waits for a free query worker before 503 with Retry-After."),
    )
    max_queries_per_client: int = setting(
        4,
        (
            "Queries one client (one address) may have running at once; more get 429 with Retry-After. 0 turns "
            "the limit off."
        ),
    )
    max_result_rows: int = setting(
        100000,
        (
            "Maximum rows (SELECT) or triples (CONSTRUCT/DESCRIBE) in one result; more are cut and the "
            "X-PeaceKG-Truncated header says so."
        ),
    )
    max_request_bytes: int = setting(
        1000000,
        ("Maximum size of a request body or query string in bytes (413 beyond)."),
    )
    cors_allow_origin: str = setting(
        "*",
        ("Access-Control-Allow-Origin sent on read responses ('' turns CORS off)."),
    )
    updates: bool = setting(
        False,
        (
            "Accept SPARQL Update and Graph Store Protocol writes. Off by default; when on, every write needs the"
            " bearer token (401 without it, 403 with a wrong one) and the service refuses to start without a "
            "token."
        ),
    )
    update_token_env: str = setting(
        "PEACEKG_UPDATE_TOKEN",
        (
            "Name of the environment variable holding the bearer token that writes must present. Never put a "
            "token in a settings file; the token is never logged."
        ),
    )
    protect_built_graphs: bool = setting(
        True,
        (
            "Refuse (403) writes that would change a graph produced by `peacekg build` (the ontology, reference, "
            "article and inferred graphs); users write to graphs of their own."
        ),
    )
    update_timeout_s: float = setting(
        60.0,
        (
            "Time limit of one write (SPARQL Update or Graph Store write); past it the writer process is killed, "
            "nothing is written (504)."
        ),
    )
    store_url: str = setting(
        "",
        (
            "A remote SPARQL 1.1 query endpoint (Virtuoso, Fuseki, `oxigraph serve`…) that the service fronts "
            "instead of the local build (`peacekg serve --store URL`); load it with `peacekg push`. Empty: the "
            "local store."
        ),
    )
    federation_endpoints: str = setting(
        "",
        (
            "Space-separated SPARQL endpoint URLs that queries may call with SERVICE. Empty (the default) turns "
            "federation off: an open SERVICE lets anyone make the server send requests to any host."
        ),
    )

    _sources: dict[str, str] = field(default_factory=dict, compare=False, repr=False, metadata={"internal": True})

    def __getitem__(self, name: str) -> Any:
        if name not in _BY_NAME:
            raise KeyError(name)
        return getattr(self, name)

    def __iter__(self) -> Iterator[str]:
        return iter(_BY_NAME)

    def source_of(self, name: str) -> str:
        """Where the value came from: 'default', a file path, an env var name or 'override'."""
        return self._sources.get(name, "default")

    def replace(self, **overrides: Any) -> Settings:
        """A copy with some values overridden (validated like any override)."""
        values, sources = {s.name: getattr(self, s.name) for s in SETTINGS}, dict(self._sources)
        for name, value in overrides.items():
            values[name] = coerce(lookup(_BY_NAME, name, "override"), value, "override")
            sources[name] = "override"
        _validate(values)
        return Settings(**values, _sources=sources)


_TYPES: dict[str, type] = {"str": str, "int": int, "float": float, "bool": bool, "Path": Path}
SETTINGS: tuple[Setting, ...] = tuple(
    Setting(f.name, f.default, _TYPES[str(f.type)], f.metadata["help"])
    for f in fields(Settings)
    if not f.metadata.get("internal")
)
_BY_NAME = {s.name: s for s in SETTINGS}


def _validate(values: dict[str, Any]) -> None:
    base = values["base_iri"]
    if not base.startswith(("https://", "http://")) or not base.endswith("/"):
        raise ConfigError(
            f"setting 'base_iri': must be an http(s) IRI ending with '/', got {base!r}",
            field="base_iri",
        )
    if values["reasoner_memory_mb"] < 64:
        raise ConfigError("setting 'reasoner_memory_mb': must be at least 64", field="reasoner_memory_mb")
    for name in ("push_batch_triples", "push_timeout_s", "update_timeout_s"):
        if values[name] < 1:
            raise ConfigError(f"setting {name!r}: must be at least 1", field=name)


def load_settings(
    config_file: str | Path | None = None,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Settings:
    """Resolve every setting: defaults < settings file < environment < overrides.

    ``config_file=None`` reads ``peacekg.toml`` from the working directory when it exists; an
    explicitly named file must exist.
    """
    environ = os.environ if environ is None else environ
    # push_token_env, update_token_env: name the variables that hold tokens, not settings
    values, sources = resolve(SETTINGS, config_file, environ, overrides, ("push_token_env", "update_token_env"))
    _validate(values)
    return Settings(**values, _sources=sources)


def settings_markdown() -> str:
    """The reference of every setting, as Markdown (the content of docs/settings.md)."""
    lines = [
        "<!-- Generated from kg/settings.py by `make settings-docs`; do not edit by hand. -->",
        "# Settings",
        "",
        "Every setting can be given in `peacekg.toml` (or the file named by `--config`), as an",
        "environment variable, or as an override; later sources win: default < file < environment",
        "< command-line flag.",
        "",
        "| name | environment variable | default | type | what it does |",
        "|---|---|---|---|---|",
    ]
    for s in SETTINGS:
        default = str(s.default).replace("|", "\\|")
        lines.append(f"| `{s.name}` | `{s.env_var}` | `{default}` | {s.type.__name__} | {s.help} |")
    return "\n".join(lines) + "\n"
