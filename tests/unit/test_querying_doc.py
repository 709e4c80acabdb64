"""docs/querying.md runs: every ```sparql block in it is executed against the seed build (the five
seed articles, union default graph, inferred graph included) and must return the rows the
paragraph after it announces.

The expectation format, as the doc's introduction explains to readers: the first paragraph after
a block starts with ``**Expected:**`` and says ``no rows``, ``at least N rows`` and/or ``rows
including`` (``in this order`` when order matters), followed by a table whose header names result
variables (``?speaker``). Each table row must match a result row on the columns given: a cell is a
CURIE of the query's own prefixes (an IRI), a number (compared as a number), ``…text…`` (the value
contains the text) or any other text (the value's lexical form, exactly); an empty cell matches
anything. The expectations name stable facts of the seed texts, not counts that annotation
corrections change."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pyoxigraph
import pytest

from kg.store.builds import open_store

from helpers.paths import ROOT

DOC = ROOT / "docs" / "querying.md"
BLOCK = re.compile(r"```sparql\n(.*?)```", re.S)
PREFIX = re.compile(r"PREFIX\s+([A-Za-z][\w-]*)?:\s*<([^>]*)>", re.I)


@dataclass
class Example:
    line: int
    query: str
    no_rows: bool = False
    at_least: int = 0
    ordered: bool = False
    columns: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)

    @property
    def prefixes(self) -> dict[str, str]:
        return {(m.group(1) or ""): m.group(2) for m in PREFIX.finditer(self.query)}


def parse(text: str) -> list[Example]:
    examples = []
    matches = list(BLOCK.finditer(text))
    for n, match in enumerate(matches):
        end = matches[n + 1].start() if n + 1 < len(matches) else len(text)
        after = text[match.end() : end]
        line = text.count("\n", 0, match.start()) + 1
        example = Example(line, match.group(1))
        head = re.search(r"^\*\*Expected:?\*\*:?(.*)$", after, re.M)
        assert head is not None, f"docs/querying.md:{line}: the query has no **Expected:** paragraph after it"
        sentence = head.group(1).lower()
        example.no_rows = "no rows" in sentence
        at_least = re.search(r"at least (\d+) rows?", sentence)
        example.at_least = int(at_least.group(1)) if at_least else 0
        example.ordered = "in this order" in sentence
        table: list[list[str]] = []
        for row in after[head.end() :].splitlines():
            if row.startswith("#") or (table and not row.startswith("|")):
                break  # the table is the first one after the sentence, before the next heading
            if row.startswith("|"):
                table.append([cell.strip().strip("`").strip() for cell in row.strip().strip("|").split("|")])
        if table:
            example.columns = [c.lstrip("?$") for c in table[0]]
            example.rows = [r for r in table[1:] if not all(set(c) <= set("-: ") for c in r)]
        assert example.no_rows or example.at_least or example.rows, (
            f"docs/querying.md:{line}: say 'no rows', 'at least N rows' or give the expected rows"
        )
        examples.append(example)
    return examples


def cell_matches(cell: str, term: object, prefixes: dict[str, str]) -> bool:
    if cell == "":
        return True
    if term is None:
        return False
    value = str(getattr(term, "value", term))
    curie = re.fullmatch(r"([A-Za-z][\w-]*)?:(\S*)", cell)
    if curie and (curie.group(1) or "") in prefixes:
        return isinstance(term, pyoxigraph.NamedNode) and value == prefixes[curie.group(1) or ""] + curie.group(2)
    if cell.startswith("…") and cell.endswith("…") and len(cell) > 1:
        return cell[1:-1] in value
    try:
        return Decimal(cell) == Decimal(value)
    except InvalidOperation:
        return cell == value


def run(store: pyoxigraph.Store, example: Example) -> tuple[list[str], list[dict[str, object]]]:
    solutions = store.query(example.query, use_default_graph_as_union=True)
    assert isinstance(solutions, pyoxigraph.QuerySolutions), "every example is a SELECT"
    names = [v.value for v in solutions.variables]
    return names, [{name: s[name] for name in names} for s in solutions]


EXAMPLES = parse(DOC.read_text(encoding="utf-8"))


def test_the_doc_has_the_patterns_the_issue_asks_for():
    text = DOC.read_text(encoding="utf-8").lower()
    for topic in (
        "who said",
        "evidence",
        "offsets",
        "roles",
        "time span",
        "sort",
        "figures",
        "units",
        "lineage",
        "guarantee",
        "precedent",
        "violation",
        "typographic",
        "union",
        "historical",
        "optional",
        "xsd:decimal",
        "pk:disputes",  # statements linked within and across articles (issue 15, item 5)
        "pk:ledby",  # an administration and who leads it
    ):
        assert topic in text, topic
    assert len(EXAMPLES) >= 15


@pytest.fixture(scope="module")
def store(seed_build):
    return open_store(Path(seed_build.build_dir))


@pytest.mark.parametrize("example", EXAMPLES, ids=[f"line-{e.line}" for e in EXAMPLES])
def test_example_returns_its_expected_rows(store, example: Example):
    names, results = run(store, example)
    where = f"docs/querying.md:{example.line}"
    if example.no_rows:
        assert results == [], f"{where}: expected no rows, got {len(results)}"
        return
    assert len(results) >= max(example.at_least, 1), f"{where}: expected at least {example.at_least} rows"
    missing = [c for c in example.columns if c not in names]
    assert not missing, f"{where}: the table names variables the query does not return: {missing}"
    prefixes = example.prefixes
    undeclared = {
        m.group(1)
        for row in example.rows
        for cell in row
        if (m := re.fullmatch(r"([a-z][\w-]*):[\w-]+", cell)) and m.group(1) not in prefixes
    }
    assert not undeclared, f"{where}: the table uses prefixes the query does not declare: {sorted(undeclared)}"
    last = -1
    for row in example.rows:
        found = [
            i
            for i, result in enumerate(results)
            if all(cell_matches(cell, result[name], prefixes) for name, cell in zip(example.columns, row, strict=True))
        ]
        assert found, f"{where}: no result row matches {row}"
        if example.ordered:
            after = [i for i in found if i > last]
            assert after, f"{where}: {row} is not after the rows before it"
            last = after[0]


def test_the_format_reads_tables_and_sentences():
    text = (
        "```sparql\nPREFIX res: <https://x/>\nSELECT ?a WHERE {}\n```\n\n**Expected:** at least 2 rows, in this order:\n\n"
        "| ?a | ?b |\n|---|---|\n| res:y | …ab… |\n| 3.0 | |\n\n```sparql\nSELECT * {}\n```\n**Expected:** no rows.\n"
    )
    first, second = parse(text)
    assert (first.at_least, first.ordered, first.columns, first.rows) == (
        2,
        True,
        ["a", "b"],
        [["res:y", "…ab…"], ["3.0", ""]],
    )
    assert second.no_rows and not second.rows
    prefixes = first.prefixes
    assert cell_matches("res:y", pyoxigraph.NamedNode("https://x/y"), prefixes)
    assert not cell_matches("res:y", pyoxigraph.Literal("res:y"), prefixes)
    assert cell_matches("…ab…", pyoxigraph.Literal("xaby"), prefixes)
    assert cell_matches(
        "3.0",
        pyoxigraph.Literal("3", datatype=pyoxigraph.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")),
        prefixes,
    )
    assert cell_matches("", None, prefixes) and not cell_matches("x", None, prefixes)


# --- what the doc's patterns rely on: the new time span and the inferred shortcuts --------------

PK_NS, OA_NS = "https://w3id.org/peacekg/ontology/", "http://www.w3.org/ns/oa#"


def test_a_statement_says_when_it_was_made_and_when_what_it_reports_happened(ontology_graph):
    import rdflib

    from kg.annotations import fields as F
    from kg.annotations.vocabulary import VocabularyIndex
    from kg.mapping.iris import Minter
    from kg.mapping.values import Emitter

    out = Emitter(rdflib.Graph(), Minter("https://w3id.org/peacekg/"), VocabularyIndex.from_graph(ontology_graph))
    statement = rdflib.URIRef("https://w3id.org/peacekg/article/x/statement/s1")
    fields = {f.name: f for f in F.STATEMENT}
    out.field(statement, fields["date"], "2025-01-22")
    out.field(statement, fields["refers_to"], {"earliest": "1939", "latest": "1945"})
    said = out.graph.value(statement, rdflib.URIRef(PK_NS + "hasTimeSpan"))
    refers = out.graph.value(statement, rdflib.URIRef(PK_NS + "refersToTime"))
    assert (str(said), str(refers)) == (f"{statement}/time", f"{statement}/refers-to-time")
    earliest = rdflib.URIRef(PK_NS + "earliest")
    assert (
        str(out.graph.value(refers, earliest)) == "1939-01-01" and str(out.graph.value(said, earliest)) == "2025-01-22"
    )


def test_the_build_infers_whose_view_a_statement_is_and_each_annotations_quote(ontology_graph):
    from kg.builder.inference import materialise

    data = f"""
    @prefix pk: <{PK_NS}> . @prefix oa: <{OA_NS}> . @prefix ex: <https://example.org/> .
    ex:position a pk:Position ; pk:attributedTo ex:author ; pk:positionHolder ex:russia ; pk:hasEvidence ex:ev .
    ex:claim a pk:Claim ; pk:claimant ex:zelensky .
    ex:figure a pk:ReportedFigure ; pk:attributedTo ex:analyst .
    ex:ev a pk:EvidenceAnnotation ; oa:hasBody ex:position ; oa:hasTarget ex:span .
    ex:span a pk:TextSpan ; oa:hasSource ex:doc ; oa:hasSelector ex:q , ex:p .
    ex:q a oa:TextQuoteSelector ; oa:exact "Moscow insists" .
    ex:p a oa:TextPositionSelector ; oa:start 10 ; oa:end 24 .
    """
    store = pyoxigraph.Store()
    store.load(ontology_graph.serialize(format="nt").encode(), format=pyoxigraph.RdfFormat.N_TRIPLES)
    store.load(data.encode(), format=pyoxigraph.RdfFormat.TURTLE)
    inferred = {
        (str(t.subject.value), str(t.predicate.value), str(t.object.value))
        for t in materialise(store, ontology_graph).inferred
    }
    ex = "https://example.org/"
    held = {(s, o) for s, p, o in inferred if p == PK_NS + "heldBy"}
    assert held == {(ex + "position", ex + "russia"), (ex + "claim", ex + "zelensky"), (ex + "figure", ex + "analyst")}
    shortcuts = {p.removeprefix(PK_NS): o for s, p, o in inferred if s == ex + "ev" and p.startswith(PK_NS)}
    assert shortcuts == {"quote": "Moscow insists", "start": "10", "end": "24", "inDocument": ex + "doc"}
