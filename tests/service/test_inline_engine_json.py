"""A SELECT lookup in SPARQL JSON may be serialised by the engine itself
(service.execution.inline.engine_serialised): the body must be the bytes the row-by-row path
writes (service.execution.results, which a worker uses too) for every kind of term and every
string, the row limit must still cut and say so, and the time limit must still stop it. Each case
compares InlineLookups.run with result_chunks over the same query on the same store, and with
the engine's own serialisation where the engine's answer is kept."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph
import pytest

from kg.store.builds import write_store
from service.execution.inline import InlineLookups, engine_answer_kept, engine_serialised
from service.execution.results import CHECK_EVERY, result_chunks
from service.execution.workers import Job, QueryTimeout

EX = "http://example.org/"
XSD = "http://www.w3.org/2001/XMLSchema#"
JSON = "application/sparql-results+json"
MAX_ROWS = 100_000
TRICKY = [
    "plain",
    'say "no"',
    "back\\slash",
    "line\nbreak\ttab\r",
    "\x00\x01\x08\x0c\x1f\x7f",
    "\u2028\u2029",
    "Київ — 🕊",
    "",
    "},{",  # a row separator inside a string: counted, so the answer may be dropped, never wrong
    '"type":"triple"',
]


def _quads() -> list[pyoxigraph.Quad]:
    subject, graphs = pyoxigraph.NamedNode(EX + "s"), [pyoxigraph.NamedNode(f"{EX}g{i}") for i in range(2)]
    objects: list[object] = [
        pyoxigraph.NamedNode("http://example.org/a?b=c&d=%22é"),
        pyoxigraph.BlankNode("b0"),
        pyoxigraph.Literal("2022", datatype=pyoxigraph.NamedNode(XSD + "gYear")),
        pyoxigraph.Literal("42", datatype=pyoxigraph.NamedNode(XSD + "integer")),
        pyoxigraph.Literal("x", datatype=pyoxigraph.NamedNode(XSD + "string")),
        pyoxigraph.Literal("перемир'я", language="uk"),
        *(pyoxigraph.Literal(text) for text in TRICKY),
        *(pyoxigraph.Literal(text, language="en-GB") for text in TRICKY),
    ]
    quads = [
        pyoxigraph.Quad(subject, pyoxigraph.NamedNode(f"{EX}p{i}"), obj, graphs[i % 2])  # type: ignore[arg-type]
        for i, obj in enumerate(objects)
    ]
    quads.append(pyoxigraph.Quad(subject, pyoxigraph.NamedNode(EX + "p0"), objects[0], graphs[1]))  # in both graphs
    starred = pyoxigraph.Triple(subject, pyoxigraph.NamedNode(EX + "q"), pyoxigraph.Literal('o "q"'))
    quads.append(
        pyoxigraph.Quad(pyoxigraph.NamedNode(EX + "star"), pyoxigraph.NamedNode(EX + "says"), starred, graphs[0])
    )
    for size in (CHECK_EVERY - 1, CHECK_EVERY, CHECK_EVERY + 1, 3 * CHECK_EVERY):  # around the bound
        hub = pyoxigraph.NamedNode(f"{EX}hub{size}")
        quads += [
            pyoxigraph.Quad(
                hub, pyoxigraph.NamedNode(EX + "link"), pyoxigraph.NamedNode(f"{EX}spoke/{i}"), graphs[i % 2]
            )
            for i in range(size)
        ]
    return quads


@pytest.fixture(scope="module")
def build_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("engine-json") / "build"
    write_store(folder, "terms", _quads(), {"graphs": {"default": 0}})
    return folder


@pytest.fixture(scope="module")
def inline(build_dir: Path) -> InlineLookups:
    return InlineLookups(build_dir, MAX_ROWS)


def _job(query: str, max_rows: int = MAX_ROWS) -> Job:
    return Job(query, JSON, [], [], union=True, max_rows=max_rows, base_iri=EX)


def _row_by_row(inline: InlineLookups, job: Job) -> tuple[bool, bytes]:
    store = inline.reader.open(job)
    _form, truncated, chunks = result_chunks(
        store.query(job.query, use_default_graph_as_union=True), JSON, job.max_rows
    )
    return truncated, b"".join(chunks)


def _engine(inline: InlineLookups, query: str) -> bytes:
    store = inline.reader.open(_job(query))
    return store.query(query, use_default_graph_as_union=True).serialize(format=pyoxigraph.QueryResultsFormat.JSON)


# (query, whether the engine's own answer is kept: False where the row-by-row path must answer)
CASES = {
    "every kind of term": (f"SELECT ?p ?o WHERE {{ <{EX}s> ?p ?o }}", True),
    "an unbound variable, names reordered": (f"SELECT ?o ?nothing ?p WHERE {{ <{EX}s> ?p ?o }}", True),
    "non-ASCII variable names": (f"SELECT ?объект ?p WHERE {{ <{EX}s> ?p ?объект }}", True),
    "star and a comment at the end": (f"SELECT * WHERE {{ <{EX}s> ?p ?o }} # LIMIT 1", True),
    "a LIMIT within the bound": (f"SELECT ?o WHERE {{ <{EX}hub{3 * CHECK_EVERY}> ?p ?o }} LIMIT 7 OFFSET 3", True),
    "no rows": (f"SELECT ?o WHERE {{ <{EX}nothing> ?p ?o }}", True),
    "one row under the bound": (f"SELECT ?o WHERE {{ <{EX}hub{CHECK_EVERY - 1}> ?p ?o }}", True),
    "the bound": (f"SELECT ?o WHERE {{ <{EX}hub{CHECK_EVERY}> ?p ?o }}", True),
    "one row over the bound": (f"SELECT ?o WHERE {{ <{EX}hub{CHECK_EVERY + 1}> ?p ?o }}", False),
    "far over the bound": (f"SELECT ?o WHERE {{ <{EX}hub{3 * CHECK_EVERY}> ?p ?o }} OFFSET 5", False),
    "a LIMIT beyond the bound": (f"SELECT ?o WHERE {{ <{EX}hub{3 * CHECK_EVERY}> ?p ?o }} LIMIT 700", False),
    "an RDF-star triple term": (f"SELECT ?o WHERE {{ <{EX}star> ?p ?o }}", False),
}


@pytest.mark.parametrize("case", list(CASES))
def test_the_engine_serialised_lookup_answers_the_row_by_row_bytes(inline: InlineLookups, case: str) -> None:
    query, engine_kept = CASES[case]
    job = _job(query)
    assert inline.takes(job)
    form, truncated, body = inline.run(job, 30.0)
    answer = b"".join(body)
    assert (form, truncated) == ("select", False)
    assert (False, answer) == _row_by_row(inline, job)
    plan = engine_serialised(job)
    kept = plan is not None and engine_answer_kept(_engine(inline, plan[0]), plan[1])
    assert kept == engine_kept
    if kept:  # the answer is the engine's own, for the text the engine path ran
        assert plan is not None and answer == _engine(inline, plan[0])
    if case == "every kind of term":  # the tricky strings made it through
        assert all(text.encode("utf-8") in answer for text in ("Київ — 🕊", "\u2028\u2029", "перемир'я", "},{"))


@pytest.mark.parametrize("max_rows", [1, CHECK_EVERY - 1, CHECK_EVERY, 300])
def test_the_row_limit_still_cuts_and_says_so(inline: InlineLookups, max_rows: int) -> None:
    job = _job(f"SELECT ?o WHERE {{ <{EX}hub{3 * CHECK_EVERY}> ?p ?o }}", max_rows=max_rows)
    _form, truncated, body = inline.run(job, 30.0)
    answer = b"".join(body)
    assert (truncated, answer) == _row_by_row(inline, job)
    assert truncated and answer.count(b'"type":"uri"') == max_rows


def test_a_lookup_within_the_row_limit_is_not_cut(inline: InlineLookups) -> None:
    job = _job(f"SELECT ?o WHERE {{ <{EX}hub{CHECK_EVERY - 1}> ?p ?o }}", max_rows=CHECK_EVERY - 1)
    _form, truncated, body = inline.run(job, 30.0)
    assert not truncated and b"".join(body).count(b'"type":"uri"') == CHECK_EVERY - 1


def test_the_time_limit_still_stops_an_engine_serialised_lookup(inline: InlineLookups) -> None:
    job = _job(f"SELECT ?p ?o WHERE {{ <{EX}s> ?p ?o }}")
    assert engine_serialised(job) is not None
    with pytest.raises(QueryTimeout):
        inline.run(job, 0.0)
