"""The corpus's files parsed in worker processes just before the build's load reads them.

A build with an empty parse cache (the first, or after a change of the loader's code) parses every
article and annotation file: 20,000 files at 10,000 articles, about nine seconds of one core, while
the other waits. Here forked workers parse the files the load is about to miss, each writing its
files' parse-cache entries (kg.builder.parse_cache); the load then finds every file in the cache,
exactly as the build after this one does, and reads each entry as it reads any (verified,
unpickled). Nothing else changes: the load still decides what each file's facts are, and a file
whose entry could not be written (a full disk) is parsed again by the load.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence

from kg.builder.parse_cache import ParseCache

MIN_FILES = 200  # fewer: the pool's start and the entries' round trip cost more than they save
CHUNK = 40  # files a task: small enough that both workers finish together

# The jobs and the cache, set before the fork: the workers inherit them, nothing is pickled.
_JOBS: tuple[Sequence[tuple[str, Callable[[], tuple]]], ParseCache] | None = None


def _parse_range(bounds: tuple[int, int]) -> int:
    assert _JOBS is not None
    jobs, cache = _JOBS
    for key, parse in jobs[bounds[0] : bounds[1]]:
        cache.put(key, parse())
    return bounds[1] - bounds[0]


def parse_ahead(jobs: Sequence[tuple[str, Callable[[], tuple]]], cache: ParseCache, workers: int) -> bool:
    """Parse each ``(key, parse)`` job in ``workers`` forked processes into ``cache``; False (and
    nothing done) when there are too few jobs or workers, or no fork on this platform."""
    global _JOBS
    if workers < 2 or len(jobs) < MIN_FILES or "fork" not in multiprocessing.get_all_start_methods():
        return False
    _JOBS = (jobs, cache)
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            ranges = [(start, min(start + CHUNK, len(jobs))) for start in range(0, len(jobs), CHUNK)]
            for _done in pool.imap_unordered(_parse_range, ranges):
                pass
    finally:
        _JOBS = None
    return True
