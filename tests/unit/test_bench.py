"""The benchmark harness's pure parts (bench/): parameter binding of stored queries, percentiles,
the build's phase breakdown. The benchmark itself is `make bench`, not a test."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph

from bench.building import phases
from bench.measure import percentile
from bench.queries import bind_defaults, routes, shapes, stored


def test_parameters_are_bound_inside_the_where_clause() -> None:
    text = (
        "# title: t\n# param: actor iri https://w3id.org/peacekg/resource/ukraine — who\n"
        "# param: text string required — what\nSELECT ?actor ?text ?s WHERE { ?s ?p ?actor }"
    )
    bound = bind_defaults(text)
    assert "VALUES ?actor { <https://w3id.org/peacekg/resource/ukraine> }" in bound
    assert 'VALUES ?text { "peace" }' in bound
    assert bound.index("VALUES") > bound.index("WHERE {")
    store = pyoxigraph.Store()
    assert list(store.query(bound)) == []  # still a valid query


def test_every_stored_query_still_parses_once_bound(tmp_path: Path) -> None:
    kept, federated = stored()
    store = pyoxigraph.Store()
    for query in kept + shapes("https://w3id.org/peacekg/article/x/statement/s1"):
        store.query(query.text, use_default_graph_as_union=True)  # raises on a syntax error
    assert not any("SERVICE" in q.text.split("WHERE", 1)[-1] for q in kept)
    assert all(r.path.startswith(f"/queries/{r.name}?") for r in routes())
    assert set(federated).isdisjoint(q.name for q in kept)


def test_percentiles_are_nearest_rank() -> None:
    samples = [5.0, 1.0, 3.0, 2.0, 4.0]
    assert percentile(samples, 50) == 3.0
    assert percentile(samples, 95) == 5.0
    assert percentile([7.0], 95) == 7.0


def test_build_phases_from_progress_lines() -> None:
    lines = [
        (2.0, "[1/3] reference: mapped and validated (10 triples)"),
        (5.0, "[3/3] article/x: mapped"),
        (5.5, "data checks: 4 passed"),
        (7.0, "inference: 3 triples in 2 rounds"),
        (8.0, "store: 13 triples"),
        (8.2, "built 13 triples"),
    ]
    got = phases(lines)
    assert got["load, check and fingerprint the corpus"] == 2.0
    assert got["map and SHACL-validate each graph"] == 3.0
    assert got["inference"] == 1.5
    assert abs(sum(got.values()) - 8.2) < 1e-9


def test_a_rebuild_on_the_previous_store_splits_its_steps_out_of_the_write() -> None:
    """Its data checks and inference run inside the store's copy (kg.builder.incremental): one
    progress line gives their seconds, which would otherwise count as writing the store."""
    lines = [
        (1.0, "[1/1] article/x: mapped and validated (12 triples)"),
        (
            1.7,
            "made from the current build's store without the union in memory: 1 graph(s) replaced "
            "(2 asserted triple(s) gone, 3 new); DRed: 4 inferred triple(s) overdeleted, 1 rederived, "
            "2 inserted (rounds: insert 2); disjointness checked for 1 individual(s) (overdelete 0.10, "
            "replace 0.02, data checks 0.05, rederive+insert 0.20, disjointness 0.03 s)",
        ),
        (1.9, "store: 13 triples"),
        (1.95, "built 13 triples"),
    ]
    got = phases(lines)
    assert got["data checks (SPARQL)"] == 0.05
    assert abs(got["inference"] - 0.33) < 1e-9
    assert abs(got["write the store"] - (0.9 - 0.38)) < 1e-9
    assert abs(sum(got.values()) - 1.95) < 1e-9
