"""What a build serves of drafts (docs/annotation-format.md, "Review status"): none by default, all
of them flagged ``pk:reviewStatus review-status:draft`` with include_drafts; the two kinds of build
never taken for each other; and ``annotations validate`` failing exactly where the build's shapes
do, at the file, line and field of the annotation item."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph
import pytest
from click.testing import CliRunner

from kg.annotations.corpus import AnnotationError, load_corpus
from kg.annotations.vocabulary import VocabularyIndex
from kg.builder.pipeline import build
from kg.builder.report import locate_node
from kg.builder.validation import validate_corpus
from kg.cli import cli
from kg.errors import ValidationError
from kg.queries.run import execute
from kg.queries.stored import StoredQuery, find, load, paths
from kg.store.builds import current_build, open_store, read_manifest

from helpers.corpora import settings_for
from helpers.paths import DATA

ANNOTATION = "annotations/fx-001.yaml"
RES = "https://w3id.org/peacekg/resource/"
DRAFT = pyoxigraph.NamedNode("https://w3id.org/peacekg/vocab/review-status/draft")  # pk:reviewStatus of a draft
PREFIXES = (
    "PREFIX pk: <https://w3id.org/peacekg/ontology/> "
    "PREFIX res: <https://w3id.org/peacekg/resource/> "
    "PREFIX review: <https://w3id.org/peacekg/vocab/review-status/> "
)
ARTICLE_GRAPH = "<https://w3id.org/peacekg/graph/article/fx-001>"
# What the annotation file of fx-001 puts in the graph, one pattern per kind of item.
ITEMS = {
    "statements": "?x a pk:Claim",
    "the position": "?x a pk:Position",
    "mentions": "?x a pk:Mention",
    "the entity": "BIND(res:lakeside-plan AS ?x) ?x a pk:PeacePlan",
    "the role": "?x a pk:RoleAssignment ; pk:holder res:ana-exempla",
    "evidence": "?x a pk:EvidenceAnnotation",
}
FLAGGED = "?x a ?kind . VALUES ?kind { pk:Claim pk:Position pk:Mention pk:RoleAssignment pk:PeacePlan }"


@pytest.fixture(scope="module")
def vocabulary(ontology_graph) -> VocabularyIndex:
    return VocabularyIndex.from_graph(ontology_graph)


def corpus_with(tmp_path: Path, edits: list[tuple[str, str]], file: str = ANNOTATION) -> Path:
    """The fixture corpus with ``edits`` (old, new) made to ``file``."""
    corpus = tmp_path / "corpus"
    shutil.copytree(DATA / "corpus", corpus)
    path = corpus / file
    text = path.read_text(encoding="utf-8")
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")
    return corpus


def ask(settings, pattern: str) -> bool:
    store = open_store(Path(settings.build_dir))
    return bool(store.query(f"{PREFIXES} ASK {{ GRAPH {ARTICLE_GRAPH} {{ {pattern} }} }}"))


def select(settings, pattern: str) -> set[str]:
    store = open_store(Path(settings.build_dir))
    rows = store.query(f"{PREFIXES} SELECT ?x WHERE {{ GRAPH {ARTICLE_GRAPH} {{ {pattern} }} }}")
    return {str(row["x"].value) for row in rows}  # type: ignore[union-attr]


UNTOUCHED_DRAFT = [("review: reviewed", "review: draft")]


def test_an_untouched_draft_serves_nothing_by_default(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, corpus_with(tmp_path, UNTOUCHED_DRAFT))
    build(settings)
    assert {name: ask(settings, pattern) for name, pattern in ITEMS.items()} == dict.fromkeys(ITEMS, False)
    assert ask(settings, "?x a pk:Article")  # the article itself (its text and metadata) is not a draft
    assert not ask(settings, "?x pk:reviewStatus ?status")
    assert read_manifest(current_build(Path(settings.build_dir))).get("include_drafts") is False


def test_with_include_drafts_every_draft_is_there_and_flagged(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, corpus_with(tmp_path, UNTOUCHED_DRAFT)).replace(include_drafts=True)
    build(settings)
    assert {name: ask(settings, pattern) for name, pattern in ITEMS.items()} == dict.fromkeys(ITEMS, True)
    unflagged = select(settings, FLAGGED + " FILTER NOT EXISTS { ?x pk:reviewStatus review:draft }")
    assert unflagged == set()
    assert len(select(settings, "?x pk:reviewStatus review:draft")) >= 10  # 3 statements, 5 mentions…


@pytest.mark.parametrize(
    "edits, served, drafts",
    [
        # a draft file with one reviewed statement
        (
            [("review: reviewed", "review: draft"), ("  - id: s2\n", "  - id: s2\n    review: reviewed\n")],
            {"statement/s2"},
            {"statement/s1", "statement/s3", "lakeside-plan", "role/0"},
        ),
        # a reviewed file with a draft statement and a draft mention
        (
            [
                ("  - id: s3\n", "  - id: s3\n    review: draft\n"),
                ("{quote: Ruritania, ref: ruritania}", "{quote: Ruritania, ref: ruritania, review: draft}"),
            ],
            {"statement/s1", "statement/s2", "lakeside-plan", "role/0"},
            {"statement/s3", "mention/70-79/ruritania"},
        ),
    ],
    ids=["draft-file-reviewed-item", "reviewed-file-draft-items"],
)
def test_mixed_file_and_item_review_statuses(tmp_path: Path, edits, served: set[str], drafts: set[str]) -> None:
    corpus = corpus_with(tmp_path, edits)
    default = settings_for(tmp_path, corpus, build_dir="default")
    build(default)
    present = select(default, FLAGGED)
    assert all(any(p.endswith(s) for p in present) for s in served), present
    assert not any(p.endswith(d) for p in present for d in drafts), present
    everything = settings_for(tmp_path, corpus, build_dir="drafts").replace(include_drafts=True)
    build(everything)
    flagged = select(everything, "?x pk:reviewStatus review:draft")
    assert {d for d in drafts if any(f.endswith(d) for f in flagged)} == drafts, flagged
    assert not any(f.endswith(s) for f in flagged for s in served), flagged


def test_a_build_with_drafts_is_never_reused_as_a_default_build(tmp_path: Path) -> None:
    corpus = corpus_with(tmp_path, [("  - id: s3\n", "  - id: s3\n    review: draft\n")])
    default = settings_for(tmp_path, corpus)
    everything = default.replace(include_drafts=True)
    first = build(default)
    assert sorted(first.rebuilt) == ["article/fx-001", "reference"]
    with_drafts = build(everything)
    assert not with_drafts.nothing_to_do
    assert with_drafts.rebuilt == ["article/fx-001"] and with_drafts.reused == ["reference"]  # no drafts there
    assert ask(everything, "?x pk:reviewStatus review:draft")
    back = build(default)
    assert not back.nothing_to_do and sorted(back.reused) == ["article/fx-001", "reference"]  # from the cache
    assert not ask(default, "?x pk:reviewStatus review:draft")
    assert build(default).nothing_to_do
    assert not build(everything).nothing_to_do


def test_the_build_command_takes_include_drafts(tmp_path: Path) -> None:
    corpus = corpus_with(tmp_path, UNTOUCHED_DRAFT)
    env = {"PEACEKG_CORPUS_DIR": str(corpus)}
    args = ["--build-dir", str(tmp_path / "build"), "build", "--include-drafts"]
    result = CliRunner().invoke(cli, args, env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert read_manifest(current_build(tmp_path / "build")).get("include_drafts") is True


# validate ≡ build on the shapes: (name, file edited, edits, where both tell the problem — file,
# line, field, message — or None, whether a default build, which leaves drafts out, succeeds).
NO_PROVISIONS = (
    "    provisions:\n      - {type: AllianceMembershipProvision, text: Freedonia stays out of the Northern Pact, "
    "alliance: northern-pact, candidate: [freedonia], membership_status: excluded}\n",
    "",
)
POSITION = "a position is about a target or a provision"
SHAPE_CASES = [
    ("valid", ANNOTATION, [], None, True),
    (
        "position-with-neither-target-nor-provisions",
        ANNOTATION,
        [NO_PROVISIONS],
        (ANNOTATION, 28, "statements[1]", POSITION),
        False,
    ),
    (
        "draft-position-with-neither-target-nor-provisions",
        ANNOTATION,
        [NO_PROVISIONS, ("  - id: s2\n", "  - id: s2\n    review: draft\n")],
        (ANNOTATION, 28, "statements[1]", POSITION),
        True,
    ),
    (
        "reference-guarantee-without-beneficiary",
        "reference/fixture.yaml",
        [(", beneficiary: [freedonia]", "")],
        ("reference/fixture.yaml", 14, "[6].commitments[0].beneficiary", "a security guarantee names its beneficiary"),
        False,
    ),
]


@pytest.mark.parametrize("case", SHAPE_CASES, ids=[c[0] for c in SHAPE_CASES])
def test_validate_fails_exactly_where_the_build_shapes_do(case, tmp_path: Path) -> None:
    _name, file, edits, expected, default_builds = case
    corpus = corpus_with(tmp_path, edits, file)
    settings = settings_for(tmp_path, corpus)
    validated: list[str] = []
    try:
        validate_corpus(settings)
    except AnnotationError as error:
        validated = error.details
    built: list[str] = []
    try:
        build(settings.replace(include_drafts=True))
    except ValidationError as error:
        built = error.details
    if expected is None:
        assert validated == built == []
    else:
        # the same problem, told at the same file, line and field by both
        where, line, field, message = expected
        [told] = validated
        assert told.startswith(f"{corpus / where}:{line}: {field}: {message}"), told
        assert any(b.startswith(told) for b in built), built
    fresh = settings_for(tmp_path, corpus, build_dir="default")
    if default_builds:
        build(fresh)
    else:
        with pytest.raises(ValidationError):
            build(fresh)


# --- stored queries: a draft column beside each statement they return ----------------------------

STATEMENT_COLUMNS = {"statement": "draft", "otherStatement": "otherDraft", "invocation": "draft", "figure": "draft"}


def projection(query: StoredQuery) -> list[str]:
    """The query's columns, as an empty store answers it (no SERVICE is called: none is federated)."""
    required = {p.name: "x" if p.type == "string" else RES + "x" for p in query.params if p.required}
    return execute(query, required, pyoxigraph.Store()).variables


@pytest.mark.parametrize("path", paths(), ids=lambda p: p.stem)
def test_a_query_returning_statements_has_a_documented_draft_column(path: Path) -> None:
    query = load(path)
    if "federated" in query.tags:
        return
    projected = set(projection(query))
    for statement, draft in STATEMENT_COLUMNS.items():
        if statement in projected:
            assert draft in projected, f"{query.name}: ?{statement} without ?{draft}"
    header = "\n".join(line for line in query.text.splitlines() if line.startswith("#"))
    for draft in {"draft", "otherDraft"} & projected:
        assert f"?{draft}" in header, f"{query.name}: ?{draft} is not documented in the header"


# (query, parameters, statement -> its ?draft) on the fixture with s2 (a Position by Exempla) a draft
QUERY_CASES = [
    ("cq06-demands", {}, {"s2": True}),
    ("cq08-actor-claims", {"actor": RES + "ana-exempla"}, {"s1": False, "s2": True}),
    ("contradictions", {}, {}),
]


@pytest.mark.parametrize("name, values, drafts", QUERY_CASES, ids=[c[0] for c in QUERY_CASES])
def test_stored_queries_show_which_statements_are_drafts(tmp_path: Path, name: str, values, drafts) -> None:
    corpus = corpus_with(tmp_path, [("  - id: s2\n", "  - id: s2\n    review: draft\n")])
    everything = settings_for(tmp_path, corpus, build_dir="drafts").replace(include_drafts=True)
    build(everything)
    query = find(name)
    column = next(c for c in ("statement", "item", "invocation", "figure") if c in projection(query))
    rows = execute(query, values, open_store(Path(everything.build_dir))).rows
    # ?draft is the review status IRI of a draft, unbound for a reviewed statement (docs/deployment.md)
    shown = {row[column].value.rsplit("/", 1)[-1]: row.get("draft") == DRAFT for row in rows if column in row}
    assert all(row.get("draft") in (None, DRAFT) for row in rows)
    assert {s: shown[s] for s in drafts} == drafts and all(s in shown for s in drafts), shown
    default = settings_for(tmp_path, corpus, build_dir="default")
    build(default)
    rows = execute(query, values, open_store(Path(default.build_dir))).rows
    assert all("draft" not in row for row in rows)
    assert not {row[column].value.rsplit("/", 1)[-1] for row in rows if column in row} & {
        s for s, draft in drafts.items() if draft
    }


# A focus node back to the annotation item that produced it: (node under the base, file, YAML path)
NODES = [
    ("article/fx-001/statement/s2", ANNOTATION, ("statements", 1)),
    ("article/fx-001/statement/s2/provision/0", ANNOTATION, ("statements", 1, "provisions", 0)),
    ("article/fx-001/statement/s3/time", ANNOTATION, ("statements", 2, "date")),
    ("article/fx-001/role/0", ANNOTATION, ("roles", 0)),
    ("article/fx-001/mention/70-79/ruritania", ANNOTATION, ("mentions", 2)),
    ("resource/lakeside-plan/provision/0", ANNOTATION, ("entities", 0, "provisions", 0)),
    ("resource/nowhere-non-aggression", "reference/fixture.yaml", (6, "commitments", 0)),
    ("resource/treaty-of-nowhere/violation/0", "reference/fixture.yaml", (6, "violations", 0)),
    ("article/fx-001", "articles/fx-001.yaml", ()),
    ("article/fx-001/region/comment-1", "articles/fx-001.yaml", ("regions", 3)),
]


@pytest.mark.parametrize("node, file, path", NODES, ids=[n[0] for n in NODES])
def test_a_node_is_located_at_the_item_that_produced_it(node: str, file: str, path: tuple, vocabulary) -> None:
    corpus = load_corpus(DATA / "corpus", vocabulary)
    base = "https://w3id.org/peacekg/"
    found = locate_node(base + node, corpus, base)
    assert found is not None and found[0].file.endswith(file) and found[1] == path, found


def test_validate_tells_a_failed_data_check_at_the_statement(tmp_path: Path) -> None:
    """Beyond the shapes: the build's data checks too (self-target: a position targeting its holder)."""
    corpus = corpus_with(
        tmp_path, [("    holder: [ruritania]\n", "    holder: [ruritania]\n    target: [ruritania]\n")]
    )
    settings = settings_for(tmp_path, corpus)
    with pytest.raises(AnnotationError) as validated:
        validate_corpus(settings)
    [told] = validated.value.details
    assert told.startswith(f"{corpus / ANNOTATION}:28: statements[1]: data check self-target: "), told
    with pytest.raises(ValidationError) as built:
        build(settings)
    assert any("self-target" in d and "statement/s2" in d for d in built.value.details)
