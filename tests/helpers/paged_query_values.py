"""Values for the parameters that a paged stored query requires, used when a test walks its pages
on the seed graph (tests/unit/test_paged_stored_queries.py, test_stored_query_paging.py): texts that
most labels there contain, so that the answer takes several pages (budapest, the sample value of
the other stored-query tests, is one entity)."""

from __future__ import annotations

REQUIRED_VALUES: dict[str, dict[str, str]] = {
    "entity-search": {"text": "e"},
    # the default actor (Poland) has one statement on the seeds: Russia has several
    "actor-agreements": {"actor": "https://w3id.org/peacekg/resource/russia"},
}
