"""Stored queries (queries/*.rq, kg.queries.stored): every file has a valid header; every query
runs on the graph built from the seed articles and returns at least the answers that
shared/competency-questions.md expects, compared as RDF terms, with the evidence (article, quoted
span) of each fact that comes from an article; parameters are bound as typed RDF terms, so
hostile values are refused or match nothing, and the store is never changed; the CLI maps each
failure to its documented exit code. Service tests: test_stored_queries_service.py."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pyoxigraph
import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.queries.run import execute, execute_bound
from kg.queries.stored import (
    QUERIES_DIR,
    Param,
    StoredQueryFileError,
    StoredQueryInputError,
    bind,
    find,
    load,
    load_all,
    parse,
    paths,
    to_term,
)
from kg.sparql.binding import XSD, BindingError, to_oxigraph
from kg.store.builds import open_store

from helpers.hostile import HOSTILE_IRIS, HOSTILE_TEXT
from helpers.paths import ROOT
from helpers.stored_answers import PK, RES, date, matches
from helpers.stored_query_cases import CASES

SAMPLE_VALUES = {"entity-search": {"text": "budapest"}}  # values for required parameters when running every query
# --- fixtures ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_settings(seed_build):
    return seed_build


@pytest.fixture(scope="module")
def store(seed_settings) -> pyoxigraph.Store:
    return open_store(Path(seed_settings.build_dir))


@pytest.fixture(scope="module")
def spans(store) -> dict[str, tuple[str, str]]:
    """Every text span of the graph: IRI -> (source document IRI, quoted text)."""
    rows = store.query(
        """PREFIX oa: <http://www.w3.org/ns/oa#>
        SELECT ?span ?source ?exact WHERE { ?span oa:hasSource ?source ; oa:hasSelector/oa:exact ?exact }""",
        use_default_graph_as_union=True,
    )
    return {r["span"].value: (r["source"].value, r["exact"].value) for r in rows}


def evidence_groups(names: list[str]) -> list[tuple[str, str, str]]:
    """(article, quote, span) column triples: ``article/quote/span`` and ``xArticle/xQuote/xSpan``."""
    groups = []
    for name in names:
        if name == "article" or name.endswith("Article"):
            prefix = name[: -len("article")] if name == "article" else name[: -len("Article")]
            quote, span = (prefix + "Quote", prefix + "Span") if prefix else ("quote", "span")
            groups.append((name, quote, span))
    return groups


def runnable(path: Path) -> bool:
    """Federated queries call Wikidata: their headers are checked here, not their answers."""
    return "federated" not in load(path).tags


# --- headers -----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", paths(), ids=lambda p: p.stem)
def test_every_file_has_a_valid_header(path: Path) -> None:
    query = load(path)  # raises StoredQueryFileError with file:line otherwise
    assert query.name == path.stem and query.title and query.description.endswith((".", "?", ")"))
    body = "\n".join(line.split("#", 1)[0] for line in query.text.splitlines())  # a rough cut of comments
    assert ("federated" in query.tags) == bool(re.search(r"\bSERVICE\b", body)), (
        "tag `federated` iff the query calls SERVICE"
    )
    cq = re.fullmatch(r"cq(\d\d)-[a-z0-9-]+", query.name)
    if cq:
        assert {"competency", f"cq-{int(cq.group(1))}"} <= set(query.tags)
    for param in query.params:
        assert re.search(rf"SELECT[^{{]*\?{param.name}\b", query.text), f"{param.name} must be projected"


def test_every_competency_question_has_a_stored_query_and_expected_answers() -> None:
    queries = load_all()[0]
    for n in range(1, 13):
        tagged = [q.name for q in queries if f"cq-{n}" in q.tags]
        assert len(tagged) == 1 and tagged[0].startswith(f"cq{n:02d}-"), (n, tagged)
        assert any(name == tagged[0] for name, _, _ in CASES), f"no expected answers for {tagged[0]}"
    assert {name for name, _, _ in CASES} >= {q.name for q in queries if "federated" not in q.tags}


# --- answers -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, values, expected",
    CASES,
    ids=["-".join([n, *(v.rsplit("/", 1)[-1] for v in values.values())]) for n, values, _ in CASES],
)
def test_answers_include_the_expected_rows_with_evidence(store, spans, name, values, expected) -> None:
    result = execute(find(name), values, store)
    for pattern in expected:
        hits = [row for row in result.rows if matches(row, pattern)]
        assert hits, f"{name}: no row matches {pattern}"
        for article, quote, span in evidence_groups(list(pattern)):
            # the fact comes from an article: the matching row carries the span and its quote, and they agree
            assert any(
                span in row and quote in row and spans[row[span].value] == (row[article].value, row[quote].value)
                for row in hits
            ), f"{name}: {pattern} has no consistent evidence"


@pytest.mark.parametrize("path", [p for p in paths() if runnable(p)], ids=lambda p: p.stem)
def test_every_query_answers_binds_its_parameters_and_its_evidence_is_consistent(store, spans, path: Path) -> None:
    """(How fast each query answers is measured in bench/, not asserted here.)"""
    query = load(path)
    result = execute(query, SAMPLE_VALUES.get(query.name, {}), store)
    assert result.rows, f"{query.name} has no answer on the seed graph"
    groups = evidence_groups(result.variables)
    for row in result.rows:
        for name, term in result.bindings.items():  # every row shows the value it was asked for
            assert row[name] == to_oxigraph(term)
        for article, quote, span in groups:
            if span in row or article in row:
                assert span in row and quote in row and article in row, (query.name, row)
                assert spans[row[span].value] == (row[article].value, row[quote].value), (query.name, row)


def test_a_parameter_selects_the_rows(store) -> None:
    query = find("cq08-actor-claims")
    putin = execute(query, {"actor": RES + "vladimir-putin"}, store)
    zelensky = execute(query, {}, store)
    unknown = execute(query, {"actor": RES + "nobody-of-that-name"}, store)
    assert putin.rows and zelensky.rows and not unknown.rows
    assert {r["actor"].value for r in putin.rows} == {RES + "vladimir-putin"}
    assert {r["actor"].value for r in zelensky.rows} == {RES + "volodymyr-zelenskyy"}  # the default
    said = {
        relation: {r["item"].value for r in rows.rows if r["relation"].value == PK + "attributedTo"}
        for relation, rows in (("putin", putin), ("zelensky", zelensky))
    }
    assert said["putin"] and said["zelensky"] and said["putin"].isdisjoint(said["zelensky"])


def test_the_timeline_is_in_date_order(store) -> None:
    dates = [row["earliest"].value for row in execute(find("cq10-timeline"), {}, store).rows]
    assert dates == sorted(dates) and len(dates) > 10


# --- parameters: typed terms, never text -------------------------------------------------------


@pytest.mark.parametrize(
    "kind, raw, expected",
    [
        ("iri", f" {RES}ukraine ", pyoxigraph.NamedNode(RES + "ukraine")),
        ("string", 'a "b" \n c', pyoxigraph.Literal('a "b" \n c')),
        ("integer", "-42", pyoxigraph.Literal("-42", datatype=pyoxigraph.NamedNode(XSD + "integer"))),
        ("decimal", "0.2", pyoxigraph.Literal("0.2", datatype=pyoxigraph.NamedNode(XSD + "decimal"))),
        ("date", "1994-12-05", date("1994-12-05")),
        ("boolean", "TRUE", pyoxigraph.Literal("true", datatype=pyoxigraph.NamedNode(XSD + "boolean"))),
        ("boolean", "0", pyoxigraph.Literal("false", datatype=pyoxigraph.NamedNode(XSD + "boolean"))),
        ("langstring", "mir@RU", pyoxigraph.Literal("mir", language="ru")),
        ("langstring", "a@b@en-GB", pyoxigraph.Literal("a@b", language="en-gb")),
    ],
)
def test_values_become_typed_terms(kind: str, raw: str, expected) -> None:
    assert to_oxigraph(to_term(Param("x", kind, None, "help", 1), raw)) == expected


@pytest.mark.parametrize(
    "kind, raw",
    [
        ("integer", "1.5"),
        ("integer", "12 OR 1=1"),
        ("decimal", "1e5"),
        ("decimal", "NaN"),
        ("date", "1994-13-01"),
        ("date", "05.12.1994"),
        ("boolean", "yes"),
        ("langstring", "no tag"),
        ("langstring", "x@not a tag"),
        *(("iri", bad) for bad in HOSTILE_IRIS),
    ],
)
def test_invalid_values_are_refused(kind: str, raw: str) -> None:
    with pytest.raises(BindingError):
        to_term(Param("x", kind, None, "help", 1), raw)


def test_binding_applies_defaults_and_refuses_unknown_and_missing_parameters() -> None:
    compare = find("compare-guarantees")
    assert bind(compare, {"precedent": RES + "lend-lease"})["proposal"].value == RES + "kellogg-fleitz-plan"
    with pytest.raises(StoredQueryInputError, match=r"unknown parameter.*precednet"):
        bind(compare, {"precednet": RES + "lend-lease"})
    with pytest.raises(StoredQueryInputError, match=r"text .*required"):
        bind(find("entity-search"), {})
    with pytest.raises(StoredQueryInputError, match="actor: not an absolute IRI"):
        bind(find("cq08-actor-claims"), {"actor": HOSTILE_IRIS[0]})
    with pytest.raises(StoredQueryInputError) as missing:
        find("../kg/settings")
    assert missing.value.not_found and missing.value.exit_code == 13


@pytest.mark.parametrize("text", HOSTILE_TEXT)
def test_hostile_text_is_only_looked_for(store, text: str) -> None:
    before = len(store)
    query = find("entity-search")
    result = execute(query, {"text": text}, store)
    assert result.rows == [] and len(store) == before  # no label contains it; nothing was changed


def test_a_literal_with_quotes_is_matched_as_written(store) -> None:
    rows = execute(find("entity-search"), {"text": "Zelensky's 200,000"}, store).rows
    assert {r["entity"].value for r in rows} == {RES + "zelensky-peacekeeping-force-200k"}


@pytest.mark.parametrize("value", ["javascript:alert(1)", "urn:x:y", RES + "vladimir-putin%3E%20%7D"])
def test_well_formed_but_foreign_iris_are_bound_harmlessly(store, value: str) -> None:
    before = len(store)
    assert execute(find("actor-profile"), {"actor": value}, store).rows == [] and len(store) == before


def test_the_query_text_reaches_the_engine_unchanged() -> None:
    seen: dict[str, Any] = {}

    class Recorder:
        def query(self, text, **kwargs):
            seen.update(text=text, **kwargs)
            return pyoxigraph.Store().query("SELECT ?text ?after WHERE {}", substitutions=kwargs["substitutions"])

    query = find("entity-search")
    execute_bound(query, bind(query, {"text": HOSTILE_TEXT[0]}), Recorder())
    assert seen["text"] == query.text and HOSTILE_TEXT[0] not in seen["text"]
    assert seen["substitutions"] == {
        pyoxigraph.Variable("text"): pyoxigraph.Literal(HOSTILE_TEXT[0]),
        pyoxigraph.Variable("after"): pyoxigraph.Literal(""),  # its cursor: the first page
    }


# --- bad files: file:line, what is wrong --------------------------------------------------------

GOOD = "# title: T\n# description: D.\nSELECT ?s WHERE { ?s ?p ?o }\n"


@pytest.mark.parametrize(
    "text, line, message",
    [
        ("# description: D.\nSELECT * WHERE {}\n", 2, "no `# title:` line"),
        ("# title: T\nSELECT * WHERE {}\n", 2, "no `# description:` line"),
        ("# title: T\n# title: U\n# description: D.\nSELECT * WHERE {}\n", 2, "title is given twice"),
        ("# titel: T\n# description: D.\nSELECT * WHERE {}\n", 1, "unknown header field 'titel'"),
        ("# title: \n# description: D.\nSELECT * WHERE {}\n", 1, "title is empty"),
        ("# title: " + "x" * 81 + "\n# description: D.\nSELECT * WHERE {}\n", 1, "longer than 80"),
        ("# title: T\n# description: D.\n", 3, "no query after the header"),
        ("# title: T\n# description: D.\n# param: s uri http://x — h\nSELECT ?s WHERE {}\n", 3, "unknown type 'uri'"),
        (
            "# title: T\n# description: D.\n# param: s iri http://x - h\nSELECT ?s WHERE {}\n",
            3,
            "NAME TYPE DEFAULT-or-required",
        ),
        (
            "# title: T\n# description: D.\n# param: s iri http://x — \nSELECT ?s WHERE {}\n",
            3,
            "NAME TYPE DEFAULT-or-required",
        ),
        ("# title: T\n# description: D.\n# param: s integer ten — h\nSELECT ?s WHERE {}\n", 3, "invalid default"),
        (
            "# title: T\n# description: D.\n# param: s-x iri required — h\nSELECT ?s WHERE {}\n",
            3,
            "not a SPARQL variable",
        ),
        ("# title: T\n# description: D.\n# param: format string csv — h\nSELECT ?format WHERE {}\n", 3, "reserved"),
        (
            "# title: T\n# description: D.\n# param: s iri required — h\n# param: s iri required — h\nSELECT ?s WHERE {}\n",
            4,
            "declared twice",
        ),
        ("# title: T\n# description: D.\n# param: x iri required — h\nSELECT ?s WHERE { ?s ?p ?o }\n", 3, "not used"),
        (
            "# title: T\n# description: D.\n# param: o iri required — h\nSELECT ?s WHERE { ?s ?p ?o }\n",
            3,
            "cannot be bound",
        ),
        ("# title: T\n# description: D.\n# tags: Big Tag\nSELECT * WHERE {}\n", 3, "tags are lower-case"),
        ("# title: T\n# description: D.\nSELECT * WHERE {\n  ?s ?p ?o\n  BIND(1 AS)\n}\n", 5, "SPARQL syntax error"),
        ("# title: T\n# description: D.\nASK { ?s ?p ?o }\n", None, "a SELECT query"),
    ],
)
def test_a_bad_file_is_reported_with_its_line(tmp_path: Path, text: str, line: int | None, message: str) -> None:
    path = tmp_path / "bad.rq"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(StoredQueryFileError) as error:
        load(path)
    assert error.value.line == line and message in error.value.message
    assert str(error.value).startswith(f"{path}:{line}:" if line else f"{path}:") and error.value.exit_code == 4


def test_a_bad_file_name_and_free_comments(tmp_path: Path) -> None:
    with pytest.raises(StoredQueryFileError, match="file name"):
        parse(GOOD, tmp_path / "Bad Name.rq")
    notes = "# title: T\n# description: D.\n#\n# pk:x and Note: free text\nSELECT ?s WHERE { ?s ?p ?o }\n"
    assert parse(notes, tmp_path / "ok.rq").title == "T"


# --- the command line --------------------------------------------------------------------------


def run_cli(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_cli_runs_a_stored_query_in_each_format(seed_settings) -> None:
    build_dir = str(seed_settings.build_dir)
    result = run_cli(
        "--build-dir",
        build_dir,
        "query",
        "cq08-actor-claims",
        "--param",
        f"actor={RES}vladimir-putin",
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert body["head"]["vars"][0] == "actor" and body["results"]["bindings"]
    assert {b["actor"]["value"] for b in body["results"]["bindings"]} == {RES + "vladimir-putin"}
    csv = run_cli("--build-dir", build_dir, "query", "entity-search", "--param", "text=budapest", "--format", "csv")
    assert (
        csv.exit_code == 0
        and csv.output.splitlines()[0].startswith("after,text,entity,")
        and RES + "budapest-memorandum" in csv.output
    )
    table = run_cli("--build-dir", build_dir, "query", "cq09-figures")
    assert table.exit_code == 0 and "200000" in table.output and table.output.rstrip().endswith("rows)")


def test_cli_lists_the_queries() -> None:
    result = run_cli("query", "--list")
    assert result.exit_code == 0
    assert (
        "cq01-troop-proposals  Foreign troops" in result.output and "--param text=<string>  (required)" in result.output
    )


@pytest.mark.parametrize(
    "args, code, message",
    [
        (["query", "no-such-query"], 13, "no stored query 'no-such-query'"),
        (["query", "entity-search"], 13, "parameter text (string) is required"),
        (["query", "entity-search", "--param", "txt=x"], 13, "unknown parameter(s) txt"),
        (["query", "cq08-actor-claims", "--param", "actor=not an iri"], 13, "not an absolute IRI"),
        (["query", "entity-search", "--param", "text"], 2, "is not NAME=VALUE"),
        (["query", "entity-search", "--param", "text=a", "--param", "text=b"], 2, "given twice"),
        (["query"], 2, "give the name of a stored query"),
    ],
)
def test_cli_exit_codes(seed_settings, args: list[str], code: int, message: str) -> None:
    result = run_cli("--build-dir", str(seed_settings.build_dir), *args)
    assert result.exit_code == code and message in result.output, result.output
    assert "Traceback" not in result.output


def test_cli_without_a_store_exits_11_and_with_a_broken_file_4(tmp_path: Path) -> None:
    result = run_cli("--build-dir", str(tmp_path / "nothing"), "query", "cq09-figures")
    assert result.exit_code == 11 and "peacekg build" in result.output
    folder = tmp_path / "queries"
    folder.mkdir()
    (folder / "broken.rq").write_text("# title: T\n# description: D.\nSELECT ?s WHERE { ?s ?p\n", encoding="utf-8")
    (folder / "fine.rq").write_text(GOOD, encoding="utf-8")
    listed = run_cli("query", "--list", "--queries-dir", str(folder))
    assert listed.exit_code == 4 and "fine  T" in listed.output and "broken.rq:4:" in listed.output
    ran = run_cli("--build-dir", str(tmp_path / "nothing"), "query", "broken", "--queries-dir", str(folder))
    assert ran.exit_code == 4 and "SPARQL syntax error" in ran.output


def test_the_default_folder_is_the_repository_s() -> None:
    assert QUERIES_DIR == ROOT / "queries" and (QUERIES_DIR / "README.md").is_file()
