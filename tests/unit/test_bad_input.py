"""Bad corpus input given to `peacekg build`: malformed YAML and JSON, wrong encodings, quotes that
do not match the text, offsets out of range, unknown individuals, cycles in proposal lineage. Each
is refused with a precise error (file, line, field, and the byte offset for encodings) and the
store is untouched: the same current build, the same quads. (tests/unit/test_annotations.py covers the
loader's other reports; these are the ones it lacks, seen through the build.)"""

from __future__ import annotations

import codecs
import hashlib
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.annotations.corpus import AnnotationError
from kg.builder.pipeline import build
from kg.cli import cli
from kg.errors import PeaceKGError, ValidationError
from kg.store.builds import current_build, open_store

from helpers.corpora import settings_for
from helpers.paths import DATA, ROOT

A, T, M, R = "annotations/fx-001.yaml", "articles/fx-001.txt", "articles/fx-001.yaml", "reference/fixture.yaml"
DETAIL = re.compile(r"^(?P<file>.+?):(?P<line>\d+): (?P<field>\S+): (?P<message>.*)$")

# A second proposal, and lineage between the two (the fixture has one PeacePlan, lakeside-plan).
DRAFT = """  - key: lakeside-draft
    type: PeacePlan
    label: Lakeside draft
    proposed_by: [ruritania]
    {lineage}
    evidence: [the Lakeside Plan]
    provisions:
      - {{type: CeasefireProvision, text: a ceasefire}}
roles:
"""
PLAN = "    proposed_by: [ruritania]\n    evidence: [the Lakeside Plan]"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A good build; every bad corpus is then built into the same build folder."""
    tmp = tmp_path_factory.mktemp("bad-input")
    corpus = tmp / "good"
    shutil.copytree(DATA / "corpus", corpus)
    settings = settings_for(tmp, corpus)
    build(settings)
    return settings


def content(settings) -> tuple[Path | None, str]:
    quads = sorted(str(q) for q in open_store(Path(settings.build_dir)))
    return current_build(Path(settings.build_dir)), hashlib.sha256("\n".join(quads).encode()).hexdigest()


def bad_corpus(
    served, tmp_path: Path, edits: list[tuple[str, bytes, bytes]] | None = None, raw: dict | None = None
) -> Path:
    corpus = tmp_path / "corpus"
    shutil.copytree(served.corpus_dir, corpus)
    for file, old, new in edits or []:
        data = (corpus / file).read_bytes()
        assert old in data, f"fixture changed: {old!r} not in {file}"
        (corpus / file).write_bytes(data.replace(old, new, 1))
    for file, transform in (raw or {}).items():
        (corpus / file).write_bytes(transform((corpus / file).read_bytes()))
    return corpus


def refused(served, corpus: Path, error: type[PeaceKGError] = AnnotationError) -> list[str]:
    """Build ``corpus`` into the served build folder: it must fail with ``error`` and change nothing."""
    before = content(served)
    with pytest.raises(error) as caught:
        build(served.replace(corpus_dir=corpus))
    assert content(served) == before, "a refused build changed the store"
    return caught.value.details


def find(details: list[str], file: str, line: int, field: str, message: str) -> dict:
    parsed = [m.groupdict() for m in map(DETAIL.match, details) if m]
    hits = [d for d in parsed if d["file"].endswith(file) and d["field"] == field and message in d["message"]]
    assert hits, f"no {file}:{line}: {field}: …{message}… in\n" + "\n".join(details)
    assert int(hits[0]["line"]) == line, hits[0]
    return hits[0]


JSON_BROKEN = b'{"article": "fx-001", "review": "reviewed",\n "mentions": [{"quote": "Ana Exempla", "ref": "ana-exempla"},]\n , "statements": [}\n'
JSON_TYPO = (
    b'{"article": "fx-001", "review": "reviewed",\n "mentions": [{"quote": "Ana Exempla", "ref": "ana-exempla"}],\n'
    b' "statements": [\n  {"id": "s1", "type": "Claim", "by": ["ana-exempla"], "stance": "criticises",\n'
    b'   "sumary": "x", "evidence": ["the Lakeside Plan is a trap"]}]}\n'
)
CASES = [
    # (name, edits, raw rewrites, file, line, field, message)
    ("json-syntax", None, {A: lambda b: JSON_BROKEN}, A, 3, "(syntax)", "found '}'"),  # (YAML allows the ",]")
    ("json-unknown-field", None, {A: lambda b: JSON_TYPO}, A, 5, "statements[0].sumary", "unknown field 'sumary'"),
    (
        "yaml-metadata-syntax",
        [(M, b"title: Minister", b"title: [Minister")],
        None,
        M,
        4,
        "(syntax)",
        "YAML syntax error",
    ),
    ("yaml-tab", [(R, b"  type: NonAggressionPact", b"\ttype: NonAggressionPact")], None, R, 9, "(syntax)", "'\\t'"),
    (
        "yaml-duplicate-key",
        [(A, b"review: reviewed\n", b"review: reviewed\nreview: draft\n")],
        None,
        A,
        3,
        "review",
        "duplicate key",
    ),
    ("latin-1-text", [(T, b"Monday", "M\u00f3nday".encode("latin-1"))], None, T, 1, "(text)", "not UTF-8 at byte 30"),
    (
        "utf-16-annotations",
        None,
        {A: lambda b: codecs.BOM_UTF16_LE + b.decode().encode("utf-16-le")},
        A,
        1,
        "(syntax)",
        "not UTF-8",
    ),
    (
        "utf-16-metadata",
        None,
        {M: lambda b: codecs.BOM_UTF16_BE + b.decode().encode("utf-16-be")},
        M,
        1,
        "(syntax)",
        "not UTF-8",
    ),
    (
        "quote-case",
        [(A, b"evidence: [Peace is near]", b"evidence: [peace is near]")],
        None,
        A,
        43,
        "statements[2].evidence[0]",
        "quote not found",
    ),
    (
        "quote-across-regions",
        [(A, b"evidence: [Peace is near]", b"evidence: ['a trap. Ruritania demands']")],
        None,
        A,
        43,
        "statements[2].evidence[0]",
        "quote not found",
    ),
    (
        "quote-typographic",
        [(A, b"evidence: [Peace is near]", "evidence: [\u201cPeace is near\u201d]".encode())],
        None,
        A,
        43,
        "statements[2].evidence[0]",
        "quote not found",
    ),
    (
        "offset-negative",
        [(M, b"start: 218, end: 248", b"start: -1, end: 248")],
        None,
        M,
        14,
        "regions[3]",
        "-1\u2013248 are not a range",
    ),
    (
        "offset-not-a-number",
        [(M, b"start: 218, end: 248", b'start: "218", end: 248')],
        None,
        M,
        14,
        "regions[3]",
        "'218'\u2013248 are not a range",
    ),
    (
        "offset-empty-range",
        [(M, b"start: 218, end: 248", b"start: 218, end: 218")],
        None,
        M,
        14,
        "regions[3]",
        "218\u2013218 are not a range",
    ),
    (
        "offset-one-past-the-end",
        [(M, b"start: 218, end: 248", b"start: 218, end: 249")],
        None,
        M,
        14,
        "regions[3]",
        "(0\u2013248)",
    ),
    (
        "unknown-speaker",
        [(A, b"by: [ana-exempla]\n    stance: criticises", b"by: [ana-exemplar]\n    stance: criticises")],
        None,
        A,
        23,
        "statements[0].by[0]",
        "unknown individual 'ana-exemplar'",
    ),
    (
        "unknown-proposer",
        [(A, b"proposed_by: [ruritania]", b"proposed_by: [rurutania]")],
        None,
        A,
        14,
        "entities[0].proposed_by[0]",
        "unknown individual 'rurutania'",
    ),
    (
        "unknown-role-holder",
        [(A, b"{holder: ana-exempla,", b"{holder: ana-exampla,")],
        None,
        A,
        19,
        "roles[0].holder",
        "unknown individual 'ana-exampla'",
    ),
    (
        "lineage-to-a-person",
        [(A, PLAN.encode(), PLAN.replace("    evidence", "    revises: [ana-exempla]\n    evidence").encode())],
        None,
        A,
        15,
        "entities[0].revises[0]",
        "'ana-exempla' is a Person, but 'revises' takes a Proposal",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_refused_precisely_and_the_store_is_untouched(case, served, tmp_path: Path) -> None:
    _name, edits, raw, file, line, field, message = case
    details = refused(served, bad_corpus(served, tmp_path, edits, raw))
    find(details, file, line, field, message)


@pytest.mark.parametrize(
    "lineage, cycle",
    [
        ("counters: [lakeside-plan]", ("lakeside-draft", "lakeside-plan")),  # plan revises draft, draft counters plan
        (None, ("lakeside-plan",)),  # the plan revises itself
    ],
    ids=["two-proposals", "self-revision"],
)
def test_a_cycle_in_proposal_lineage_names_its_proposals_and_where_they_are(
    served, tmp_path: Path, lineage, cycle
) -> None:
    target = "lakeside-draft" if lineage else "lakeside-plan"
    edits = [(A, PLAN.encode(), PLAN.replace("    evidence", f"    revises: [{target}]\n    evidence").encode())]
    if lineage:
        edits.append((A, b"roles:\n", DRAFT.format(lineage=lineage).encode()))
    details = refused(served, bad_corpus(served, tmp_path, edits), ValidationError)
    lines = {"lakeside-plan": 11, "lakeside-draft": 19}
    for key in cycle:
        assert any(
            d.startswith("proposal-lineage-cycle:")
            and f"resource/{key} " in d
            and f"{key} is defined at " in d
            and d.rstrip(")").endswith(f"{A}:{lines[key]}")
            for d in details
        ), details


def test_a_bom_in_yaml_is_accepted(served, tmp_path: Path) -> None:
    """A UTF-8 byte-order mark before YAML is allowed by YAML itself: not an error."""
    from kg.annotations.check import open_corpus

    corpus = bad_corpus(served, tmp_path, raw={A: lambda b: codecs.BOM_UTF8 + b, M: lambda b: codecs.BOM_UTF8 + b})
    assert open_corpus(served.replace(corpus_dir=corpus)).issues == []


def test_a_bom_in_an_article_text_is_refused(served, tmp_path: Path) -> None:
    """The text is kept byte for byte and a BOM is a character: every offset moves by one, so the
    build refuses the article (its quotes and regions no longer match)."""
    details = refused(served, bad_corpus(served, tmp_path, raw={T: lambda b: codecs.BOM_UTF8 + b}))
    assert any(T.replace("txt", "yaml") in d or A in d for d in details)


def test_a_bom_in_an_article_text_is_named(served, tmp_path: Path) -> None:
    details = refused(served, bad_corpus(served, tmp_path, raw={T: lambda b: codecs.BOM_UTF8 + b}))
    assert any(d.split(":")[0].endswith(T) and "byte-order mark" in d for d in details), details


def test_non_utf8_yaml_names_the_line_and_byte(served, tmp_path: Path) -> None:
    details = refused(
        served, bad_corpus(served, tmp_path, [(A, b"review: reviewed", "review: r\u00e9viewed".encode("latin-1"))])
    )
    hit = find(details, A, 2, "(syntax)", "not UTF-8")
    assert "byte 25" in hit["message"]  # "article: fx-001\n" is 16 bytes, then "review: r"


def test_the_command_exits_with_the_documented_code_and_every_problem(served, tmp_path: Path) -> None:
    corpus = bad_corpus(
        served,
        tmp_path,
        [
            (M, b"start: 218, end: 248", b"start: 218, end: 249"),
            (A, b"proposed_by: [ruritania]", b"proposed_by: [rurutania]"),
        ],
    )
    before = content(served)
    env = {
        "PEACEKG_CORPUS_DIR": str(corpus),
        "PEACEKG_BUILD_DIR": str(served.build_dir),
        "PEACEKG_ONTOLOGY_DIR": str(ROOT / "ontology"),
    }
    result = CliRunner().invoke(cli, ["build"], env=env)
    assert result.exit_code == 8, result.output
    assert (
        "fx-001.yaml:14: regions[3]" in result.output and "fx-001.yaml:14: entities[0].proposed_by[0]" in result.output
    )
    assert "Traceback" not in result.output and content(served) == before
