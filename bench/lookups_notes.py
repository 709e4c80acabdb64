"""The prose of bench.lookups' section in bench/README.md that is not computed from a run: what
each change of a lookup's request path bought, and where a lookup's time goes, each measured once
in process or inside the running service (figures and conditions in each text)."""

# What each change of the request path bought (issue 18), measured in process on a 14-row lookup
# at 1,000 articles, so that the figures do not depend on the machine's load; written into the
# section under the table.
CHANGES = [
    "87a86ed, the query worker (215 → ~95 µs per lookup): the store is reused while the build's `current` "
    "link points where it did (one readlink instead of resolving the path and reading the manifest, "
    "36 → 1 µs); SPARQL JSON rows written as JSON text with json.dumps' C string encoder instead of a "
    "dict and json.dumps per row, engine solutions read by position instead of by name (85 → ~20 µs)",
    "b3c82e7, the hand-off: one poll object per worker instead of a selector built for each message "
    "waited for (~10–15 µs)",
    "6681ba6, the request (the service's own Python 146 → 106 µs, a bare Flask view 42 µs): FROM lexed "
    "for only when the text mentions it (17 µs); the endpoint URL, the base IRI, computed once per host "
    "(20 µs); negotiation cached per Accept header; one before- and one after-request hook instead of two of each",
    "ff51bf2, the rewriter's entry point: a plain query (no OPTIONAL, BIND, FILTER, UNION, path) "
    "recognised from its text before lexing (17 → 4 µs)",
    "b0e8213, starting a query: the outcome recorder a class instead of a generator context manager, the "
    "app state looked up once (19 → 7 µs)",
    "f735b65, the worker's imports frozen out of the garbage collector's sight (gc.freeze): a full "
    "collection during a query 100 ms → under 1 ms on a busy machine; the tail, not the median",
    "d306297, lookups in the request thread (setting inline_lookups, service/execution/inline.py): a query "
    "whose cost is bounded by its output (one triple pattern with a constant and no variable twice, or a "
    "DESCRIBE of IRIs, at most LIMIT and OFFSET: service/execution/lookup_shape.py, read from the lexer's "
    "tokens) runs on a store the service process opens once per build, the time checked every 256 rows, "
    "serialised by the workers' own code (the same bytes); no hand-off to a worker process. In process "
    "(load 6.5, medians of 2,000 requests interleaved with the other variants): lookup 662 → 408 µs, "
    "describe 604 → 362 µs. The row `inline_lookups off` of the table is the same code with every query "
    "handed to a worker",
    "d306297, /sparql reads dispatched at the WSGI level (service/protocol/hot_route.py): the same protocol "
    "function and request hooks without Flask's request context, URL matching and response finalisation "
    "(errors still go through Flask's handlers): lookup 408 → 251 µs, describe 362 → 215 µs (and a query "
    "handed to a worker 662 → 519 µs). Recognising a lookup costs ~19 µs of lexing the first time a text "
    "is seen (cached per text, as a repeated lookup is here)",
    "91ea91a, SPARQL JSON rows in a loop of their own with the per-row calls inlined: a 14-row lookup's "
    "serialisation 36 → 23 µs (in process, busy machine), now the largest share of Python in a lookup",
    "e21bde8, a SELECT lookup in SPARQL JSON serialised by the engine itself (`QuerySolutions.serialize`; "
    "results.py's head now writes the engine's bytes, so both paths answer the same): run with LIMIT "
    "CHECK_EVERY + 1, the engine's answer kept only when it cannot have reached that bound (else run "
    "again row by row: the row and time limits hold). In process (load 3.5, interleaved): "
    "`InlineLookups.run` 156 → 119 µs, the whole app 313 → 266 µs. In the running service (five runs "
    "against dcb3273, load 3–5.6) the lookup's p50 moved −14 % to +4 %, within a busy machine's noise; "
    "its change less the DESCRIBE's (code unchanged) −35 µs on average",
]
# Where the time goes in the running service (2026-12-05, load 7 on 2 cores, per-thread CPU clocks
# and timers inside `peacekg serve` under this bench's lookups); written under the list above.
IN_SITU = (
    "Before lookups ran in the request thread (before d306297): in the running service (load 7, timers and "
    "per-thread CPU clocks inside `peacekg serve`) the same "
    "code costs two to three times its in-process figure: the request thread spends ~320 µs of CPU per "
    "lookup and a worker ~290 µs, against ~110 and ~95 µs in a hot loop. Of the ~390 µs the request "
    "thread spends handing a lookup to a worker, ~5 µs is waiting for the answer: the rest passes inside "
    "the write of the job to the pipe: the worker runs its whole query before the request thread's write "
    "returns (a pipe's wake-up is synchronous, the writer being expected to sleep next), so the two take "
    "turns and each resumes with its caches cold. The floors pay the same hand-off with almost nothing "
    "to run on either side."
)
# Where a lookup's time goes now (2026-12-05, load 7, cProfile in waitress's one handler thread of an
# in-process `peacekg serve`, 3,000 lookups over one connection); written under IN_SITU.
IN_SITU_INLINE = (
    "With lookups in the request thread (d306297; load 7, cProfile in the handler thread of waitress "
    "serving the app, 3,000 lookups): the engine's own work, `Store.query` 79 µs and reading its 14 rows "
    "72 µs, is two and a half times its hot-loop cost (~58 µs for both), as the rest of the code is; the "
    "service's Python around it (protocol, limits, metrics, serialisation, the response) is about as much "
    "again; waitress's two socket writes per response and the wake-up of its main loop, which the floors "
    "pay too, are the largest share. The union default graph alone makes the engine's lookup three times "
    "dearer than over one graph (~58 against ~20 µs in a hot loop): each row is read from every graph "
    "that holds it and kept once. `oxigraph serve` does the same union in the same engine without an "
    "interpreter between the request and the rows; that difference is what the remaining ratio measures."
)
# The engine floor from inside (2026-12-06, load 4.4-4.7, 3,000 requests over one connection to a
# waitress server in its own process, interleaved with one answering fixed bytes): written under
# the floors' paragraph.
ENGINE_FLOOR_IN_SITU = (
    "Inside the engine floor (load 4.4–4.7, 3,000 lookups, the server timing its own call): the engine's "
    "query and serialisation take ~147 µs per request, all of it CPU of the handler thread, against ~66 µs "
    "for the same call in a hot loop in the same process afterwards; the floor's round trip is ~430 µs "
    "against ~275 µs for the same waitress answering fixed bytes, interleaved: the difference is that one "
    "call. The engine's work costs two and a quarter times its hot-loop figure in a server that waits "
    "for each request, as the service's code does (below); `oxigraph serve` runs the same engine work "
    "with no interpreter around it."
)
