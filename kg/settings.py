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
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from kg.errors import ConfigError

ENV_PREFIX = "PEACEKG_"
TEST_ENV_PREFIX = "PEACEKG_TEST_"  # reserved for the test suite's own knobs, not settings
DEFAULT_SETTINGS_FILE = "peacekg.toml"


@dataclass(frozen=True)
class Setting:
    """One configurable value: its name, default, type and what it does."""

    name: str
    default: Any
    type: type
    help: str

    @property
    def env_var(self) -> str:
        return ENV_PREFIX + self.name.upper()


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "base_iri",
        "https://w3id.org/peacekg/",
        str,
        "Base IRI under which every resource of the dataset is minted (must end with '/'). "
        "A stable, public name, never the address of a machine.",
    ),
    Setting(
        "ontology_dir",
        "ontology",
        Path,
        "Folder holding the hand-edited ontology: peacekg.ttl, vocab/, shapes/ and checks/.",
    ),
    Setting(
        "corpus_dir",
        "corpus",
        Path,
        "Folder of the annotated corpus: articles/ (texts and metadata), reference/ and annotations/.",
    ),
    Setting(
        "build_dir",
        "build",
        Path,
        "Folder for derived artefacts (ontology release files, dumps). Never hand-edited.",
    ),
    Setting(
        "docs_dir",
        "docs",
        Path,
        "Folder for documentation; the ontology reference is generated into docs/ontology/.",
    ),
    Setting(
        "java",
        "java",
        str,
        "Java executable used to run the HermiT reasoner (Java 17 or newer).",
    ),
    Setting(
        "reasoner_memory_mb",
        2000,
        int,
        "Maximum Java heap, in MiB, given to the HermiT reasoner.",
    ),
    Setting(
        "push_batch_triples",
        50000,
        int,
        "`peacekg push` with SPARQL Update: the most triples sent in one INSERT DATA request. A larger "
        "graph is sent in several requests, and such a batched load is not atomic.",
    ),
    Setting(
        "push_timeout_s",
        60,
        int,
        "`peacekg push`: timeout, in seconds, of each HTTP request to the remote store.",
    ),
    Setting(
        "push_token_env",
        "PEACEKG_PUSH_TOKEN",
        str,
        "`peacekg push`: name of the environment variable holding the bearer token, used when "
        "--token is not given. Never put a token or password in a settings file.",
    ),
    Setting("link_endpoint", "https://query.wikidata.org/sparql", str, "`peacekg link`: the SPARQL endpoint candidates "
            "come from; it must hold Wikidata-shaped data (rdfs:label, skos:altLabel, schema:description, wdt:P31)."),
    Setting("link_batch_size", 10, int, "`peacekg link`: individuals looked up per request (their names in one VALUES block)."),
    Setting("link_interval_s", 1.0, float, "`peacekg link`: the least time, in seconds, between the starts of two requests "
            "(politeness toward public endpoints; a 429/503 answer's Retry-After is honoured too)."),
    Setting("link_timeout_s", 60.0, float, "`peacekg link`: timeout of each request, in seconds (the Wikidata Query Service "
            "stops queries at 60 s)."),
    Setting("host", "127.0.0.1", str, "Address the service listens on (loopback by default; put a reverse proxy in front for the public)."),
    Setting("port", 8765, int, "TCP port of the service."),
    Setting("query_workers", 2, int, "Worker processes that run SPARQL queries (each can be killed on timeout)."),
    Setting("query_timeout_s", 10.0, float, "Per-query time limit in seconds; a query past it is stopped by killing its worker (504)."),
    Setting("queue_timeout_s", 5.0, float, "How long a request waits for a free query worker before 503 with Retry-After."),
    Setting("max_queries_per_client", 4, int, "Queries one client (one address) may have running at once; more get 429 with "
            "Retry-After. 0 turns the limit off."),
    Setting("max_result_rows", 100000, int, "Maximum rows (SELECT) or triples (CONSTRUCT/DESCRIBE) in one result; more are cut and the X-PeaceKG-Truncated header says so."),
    Setting("max_request_bytes", 1000000, int, "Maximum size of a request body or query string in bytes (413 beyond)."),
    Setting("cors_allow_origin", "*", str, "Access-Control-Allow-Origin sent on read responses ('' turns CORS off)."),
    Setting("updates", False, bool, "Accept SPARQL Update and Graph Store Protocol writes. Off by default; when on, every write "
            "needs the bearer token (401 without it, 403 with a wrong one) and the service refuses to start without a token."),
    Setting("update_token_env", "PEACEKG_UPDATE_TOKEN", str, "Name of the environment variable holding the bearer token that "
            "writes must present. Never put a token in a settings file; the token is never logged."),
    Setting("protect_built_graphs", True, bool, "Refuse (403) writes that would change a graph produced by `peacekg build` "
            "(the ontology, reference, article and inferred graphs); users write to graphs of their own."),
    Setting("update_timeout_s", 60.0, float, "Time limit of one write (SPARQL Update or Graph Store write); past it the writer "
            "process is killed, nothing is written (504)."),
    Setting("store_url", "", str, "A remote SPARQL 1.1 query endpoint (Virtuoso, Fuseki, `oxigraph serve`…) that the service "
            "fronts instead of the local build (`peacekg serve --store URL`); load it with `peacekg push`. Empty: the local store."),
    Setting("federation_endpoints", "", str, "Space-separated SPARQL endpoint URLs that queries may call with SERVICE. Empty "
            "(the default) turns federation off: an open SERVICE lets anyone make the server send requests to any host."),
)

_BY_NAME = {s.name: s for s in SETTINGS}


def _coerce(setting: Setting, value: Any, source: str) -> Any:
    """Convert ``value`` to the setting's type, or raise ConfigError naming the source."""
    kind = setting.type
    try:
        if kind is bool:
            if isinstance(value, bool):
                return value
            text = str(value).strip().lower()
            if text in {"1", "true", "yes", "on"}:
                return True
            if text in {"0", "false", "no", "off"}:
                return False
            raise ValueError(value)
        if kind is int:
            if isinstance(value, bool):
                raise ValueError(value)
            return int(value)
        if kind is float:
            return float(value)
        if kind is Path:
            return Path(str(value))
        return str(value)
    except (TypeError, ValueError):
        raise ConfigError(
            f"setting {setting.name!r}: expected {kind.__name__}, got {value!r}",
            file=source,
            field=setting.name,
        ) from None


def _validate(values: dict[str, Any]) -> None:
    base = values["base_iri"]
    if not (base.startswith("https://") or base.startswith("http://")) or not base.endswith("/"):
        raise ConfigError(
            f"setting 'base_iri': must be an http(s) IRI ending with '/', got {base!r}",
            field="base_iri",
        )
    if values["reasoner_memory_mb"] < 64:
        raise ConfigError("setting 'reasoner_memory_mb': must be at least 64", field="reasoner_memory_mb")
    for name in ("push_batch_triples", "push_timeout_s", "update_timeout_s"):
        if values[name] < 1:
            raise ConfigError(f"setting {name!r}: must be at least 1", field=name)


class Settings(Mapping[str, Any]):
    """An immutable, resolved set of settings; read as ``settings.base_iri`` or ``settings["base_iri"]``."""

    def __init__(self, values: dict[str, Any], sources: dict[str, str]):
        self._values = dict(values)
        self._sources = dict(sources)

    def __getitem__(self, name: str) -> Any:
        return self._values[name]

    def __iter__(self):
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(name) from None

    def source_of(self, name: str) -> str:
        """Where the value came from: 'default', a file path, an env var name or 'override'."""
        return self._sources[name]

    def replace(self, **overrides: Any) -> "Settings":
        """A copy with some values overridden (validated like any override)."""
        values, sources = dict(self._values), dict(self._sources)
        for name, value in overrides.items():
            setting = _lookup(name, "override")
            values[name] = _coerce(setting, value, "override")
            sources[name] = "override"
        _validate(values)
        return Settings(values, sources)


def _lookup(name: str, source: str) -> Setting:
    try:
        return _BY_NAME[name]
    except KeyError:
        known = ", ".join(sorted(_BY_NAME))
        raise ConfigError(f"unknown setting {name!r} (known: {known})", file=source, field=name) from None


def _read_file(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"settings file is not valid TOML: {exc}", file=str(path)) from None
    except OSError as exc:
        raise ConfigError(f"cannot read settings file: {exc.strerror}", file=str(path)) from None


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
    values = {s.name: s.default for s in SETTINGS}
    sources = {s.name: "default" for s in SETTINGS}
    for setting in SETTINGS:
        values[setting.name] = _coerce(setting, setting.default, "default")

    path = Path(config_file) if config_file is not None else Path(DEFAULT_SETTINGS_FILE)
    if config_file is not None or path.exists():
        for name, value in _read_file(path).items():
            setting = _lookup(name, str(path))
            values[name] = _coerce(setting, value, str(path))
            sources[name] = str(path)

    for setting in SETTINGS:
        if setting.env_var in environ:
            values[setting.name] = _coerce(setting, environ[setting.env_var], setting.env_var)
            sources[setting.name] = setting.env_var
    unknown = sorted(
        k
        for k in environ
        if k.startswith(ENV_PREFIX)
        and not k.startswith(TEST_ENV_PREFIX)
        and k not in (values["push_token_env"], values["update_token_env"])  # hold secrets, not settings
        and k[len(ENV_PREFIX):].lower() not in _BY_NAME
    )
    if unknown:
        raise ConfigError(f"unknown environment setting(s): {', '.join(unknown)}", field=unknown[0])

    for name, value in (overrides or {}).items():
        if value is None:
            continue
        setting = _lookup(name, "override")
        values[name] = _coerce(setting, value, "override")
        sources[name] = "override"

    _validate(values)
    return Settings(values, sources)


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
