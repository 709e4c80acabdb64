"""``peacekg stats``: what is in the current store, counted with SPARQL."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph

from kg.settings import Settings
from kg.store.builds import current_build, open_store, read_manifest

PK = "https://w3id.org/peacekg/ontology/"
QUERIES = {
    "graphs": "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g",
    "classes": f"""SELECT ?c (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a ?c FILTER(STRSTARTS(STR(?c), "{PK}")) }}
                   GROUP BY ?c ORDER BY DESC(?n) ?c LIMIT 25""",
}


def store_stats(settings: Settings) -> list[str]:
    build = current_build(Path(settings.build_dir))
    store = open_store(Path(settings.build_dir))
    manifest = read_manifest(build) if build else {}
    lines = [
        f"store: {build} (build {manifest.get('build', '?')}, created {manifest.get('created', '?')})",
        f"quads: {len(store)}",
        "",
        "triples per named graph:",
    ]
    graphs = store.query(QUERIES["graphs"])
    assert isinstance(graphs, pyoxigraph.QuerySolutions)  # the QUERIES are SELECT queries
    for row in graphs:
        lines.append(f"  {row['n'].value:>8}  {row['g'].value}")
    lines += ["", "instances per class (asserted and inferred):"]
    classes = store.query(QUERIES["classes"], use_default_graph_as_union=True)
    assert isinstance(classes, pyoxigraph.QuerySolutions)
    for row in classes:
        lines.append(f"  {row['n'].value:>8}  pk:{row['c'].value[len(PK) :]}")
    return lines
