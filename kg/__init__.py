"""PeaceKG: a knowledge graph of the Russia–Ukraine peace negotiations.

For research code that wants to skip HTTP::

    import kg
    report = kg.build("corpus")                 # validate, map, check, infer, store
    store = kg.open_store()                      # the current store, read-only (pyoxigraph.Store)
    rows = kg.query("SELECT ?s WHERE { ?s a <https://w3id.org/peacekg/ontology/Claim> } LIMIT 3")
    rows[0]["s"]                                 # an RDF term (pyoxigraph.NamedNode, Literal…)

Settings come from the registry (kg.settings): defaults < peacekg.toml < PEACEKG_* < arguments.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # heavy imports stay lazy so the CLI starts fast
    import pyoxigraph

    from kg.builder.pipeline import BuildReport
    from kg.settings import Settings

__all__ = ["build", "open_store", "query"]


def _settings(settings: Settings | None, **overrides: Any) -> Settings:
    from kg.settings import load_settings

    if settings is None:
        return load_settings(overrides=overrides)
    return settings.replace(**{k: v for k, v in overrides.items() if v is not None}) if overrides else settings


def build(corpus: str | Path | None = None, settings: Settings | None = None) -> BuildReport:
    """Build the store from ``corpus`` (a corpus folder; default: the ``corpus_dir`` setting)."""
    from kg.builder.pipeline import build as run

    return run(_settings(settings, corpus_dir=corpus))


def open_store(build_dir: str | Path | None = None, settings: Settings | None = None) -> pyoxigraph.Store:
    """The current store, read-only."""
    from kg.store.builds import open_store as open_current

    resolved = _settings(settings, build_dir=build_dir)
    return open_current(Path(resolved.build_dir))


def query(sparql: str, store: pyoxigraph.Store | None = None, *, union: bool = True) -> list[dict[str, Any]] | bool:
    """Run a SPARQL query; SELECT gives a list of {variable: RDF term} (unbound variables absent),
    ASK a bool, CONSTRUCT/DESCRIBE a list of {subject, predicate, object} dicts. ``union``: query
    the union of the named graphs as the default graph (the usual way to ask the whole graph)."""
    import pyoxigraph

    result = (store or open_store()).query(sparql, use_default_graph_as_union=union)
    if isinstance(result, pyoxigraph.QueryBoolean):
        return bool(result)
    if isinstance(result, pyoxigraph.QuerySolutions):
        names = [v.value for v in result.variables]
        return [{n: s[n] for n in names if s[n] is not None} for s in result]
    return [{"subject": t.subject, "predicate": t.predicate, "object": t.object} for t in result]
