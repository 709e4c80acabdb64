"""The review app's JSON API (service/review) with Flask's test client, on a private copy of the
fixture corpus whose annotation file is a draft: what it shows, a good save, and bad input —
a stale save (another tab saved first), a save that would add validation errors, a malformed
file (shown read-only, never written), malformed requests, and a non-loopback host or bind."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient

from kg.annotations.corpus import load_corpus
from kg.annotations.saving import check_corpus
from kg.cli import cli
from kg.errors import ConfigError
from service.review import create_review_app, require_local_host
from service.review.session import ReviewSession

from helpers.corpora import make_corpus, settings_for
from helpers.paths import ROOT

ARTICLE = "fx-001"
HEADER = "# DRAFT for the review API tests\n"


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    corpus = make_corpus(tmp_path, articles=1)
    path = corpus / "annotations" / f"{ARTICLE}.yaml"
    path.write_text(
        HEADER + path.read_text(encoding="utf-8").replace("review: reviewed", "review: draft"), encoding="utf-8"
    )
    return corpus


@pytest.fixture()
def client(tmp_path: Path, corpus: Path) -> FlaskClient:
    return create_review_app(settings_for(tmp_path, corpus), ARTICLE).test_client()


def annotation(corpus: Path) -> Path:
    return corpus / "annotations" / f"{ARTICLE}.yaml"


def save(client: FlaskClient, version: str, *operations: dict):
    return client.post(f"/api/articles/{ARTICLE}/save", json={"version": version, "operations": list(operations)})


def test_state_has_the_items_their_spans_and_the_file_version(client: FlaskClient, corpus: Path) -> None:
    state = client.get(f"/api/articles/{ARTICLE}").get_json()
    assert state["review"] == "draft" and not state["readonly"] and state["errors"] == []
    assert [s["id"] for s in state["sections"]["statements"]] == ["s1", "s2", "s3"]
    assert all(s["_review"] == "draft" for s in state["sections"]["statements"])
    text = state["text"]
    for span in state["spans"]:  # every span is the text of its item's quote
        item = state["sections"][span["section"]][span["index"]]
        if span["section"] == "mentions":
            assert text[span["start"] : span["end"]] == item["quote"]
    kinds = {s["kind"] for s in state["spans"]}
    assert kinds == {"mention", "entity", "role", "statement"}
    assert len(state["version"]) == 64


def test_page_and_assets_are_local(client: FlaskClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and "default-src 'self'" in page.headers["Content-Security-Policy"]
    html = page.get_data(as_text=True)
    assert "/static/recogito/text-annotator.umd.js" in html and "http" not in html.split("<body>")[1].replace(
        "http://www.w3.org", ""
    )
    assert client.get("/static/review/review.js").status_code == 200
    assert client.get("/static/recogito/../../package.json").status_code == 404


def test_a_good_save_writes_and_validates(client: FlaskClient, corpus: Path, tmp_path: Path) -> None:
    version = client.get(f"/api/articles/{ARTICLE}").get_json()["version"]
    article_text = (corpus / "articles" / f"{ARTICLE}.txt").read_text(encoding="utf-8")
    start = article_text.index("a reader")
    said = article_text.index("said Exempla")  # a statement from a selection: "said Exempla." is unique
    response = save(
        client,
        version,
        {"op": "accept", "section": "entities", "index": 0},
        {"op": "accept", "section": "statements", "index": 0},
        {"op": "edit", "section": "statements", "index": 1, "changes": {"modality": "probable"}},
        {"op": "reject", "section": "statements", "index": 2},
        {
            "op": "add_reference",
            "type": "Person",
            "key": "a-reader",
            "label": "A reader",
            "wikidata": "Q42",
            "start": start,
            "end": start + 8,
        },
        {
            "op": "add_statement",
            "start": said,
            "end": said + len("said Exempla"),
            "fields": {
                "type": "Claim",
                "by": ["ana-exempla"],
                "stance": "asserts",
                "target": ["ruritania"],
                "summary": "Exempla speaks.",
                "review": "reviewed",
            },
        },
    )
    assert response.status_code == 200, response.get_json()
    state = response.get_json()
    assert state["errors"] == [] and state["version"] != version
    saved = annotation(corpus).read_text(encoding="utf-8")
    assert saved.startswith(HEADER) and "  - {quote: a reader, ref: a-reader, review: reviewed}\n" in saved
    assert [s["id"] for s in state["sections"]["statements"]] == ["s1", "s2", "s4"]  # s3 rejected; the new one is s4
    assert [s["_review"] for s in state["sections"]["statements"]] == ["reviewed", "draft", "reviewed"]
    assert state["sections"]["statements"][2]["evidence"] == ["said Exempla"]
    assert {"section": "statements", "index": 2, "kind": "statement", "start": said, "end": said + 12} in state["spans"]
    people = (corpus / "reference" / "people.yaml").read_text(encoding="utf-8")
    assert "- key: a-reader\n" in people and "    status: unverified\n" in people and "    article: fx-001\n" in people
    vocabulary = ReviewSession(settings_for(tmp_path, corpus)).vocabulary
    assert check_corpus(load_corpus(corpus, vocabulary), vocabulary).errors == []


def test_stale_save_from_a_second_tab_is_refused(client: FlaskClient, corpus: Path) -> None:
    first = client.get(f"/api/articles/{ARTICLE}").get_json()["version"]
    second = first  # a second tab opened the same version
    assert save(client, first, {"op": "accept", "section": "mentions", "index": 0}).status_code == 200
    written = annotation(corpus).read_bytes()
    response = save(client, second, {"op": "reject", "section": "statements", "index": 0})
    assert response.status_code == 409 and response.get_json()["stale"] is True
    assert "changed on disk" in response.get_json()["error"]
    assert annotation(corpus).read_bytes() == written  # the first tab's work is kept


@pytest.mark.parametrize(
    ("operation", "section", "index", "field", "message"),
    [
        (
            {"op": "edit", "section": "statements", "index": 0, "changes": {"stance": "adores"}},
            "statements",
            0,
            "stance",
            "stance scheme",
        ),
        (
            {"op": "edit", "section": "mentions", "index": 2, "changes": {"ref": "atlantis"}},
            "mentions",
            2,
            "ref",
            "atlantis",
        ),
        (
            {"op": "reject", "section": "statements", "index": 0},
            "statements",
            1,
            "target[0]",
            "no statement with id 's1'",
        ),
    ],
)
def test_invalid_save_is_refused_with_the_reasons_at_their_fields(
    client: FlaskClient, corpus: Path, operation: dict, section: str, index: int, field: str, message: str
) -> None:
    before = annotation(corpus).read_bytes()
    version = client.get(f"/api/articles/{ARTICLE}").get_json()["version"]
    response = save(client, version, operation)
    assert response.status_code == 422
    issues = response.get_json()["issues"]
    assert any(
        i["section"] == section and i["index"] == index and i["item_field"] == field and message in i["message"]
        for i in issues
    ), issues
    assert annotation(corpus).read_bytes() == before


def test_malformed_file_opens_read_only_and_is_never_written(client: FlaskClient, corpus: Path) -> None:
    broken = "article: fx-001\nreview: draft\nmentions:\n  - {quote: Ruritania, ref: ruritania\n"
    annotation(corpus).write_text(broken, encoding="utf-8")
    state = client.get(f"/api/articles/{ARTICLE}").get_json()
    assert state["readonly"] is True and state["text"]
    [error] = state["errors"]
    assert error["line"] == 5 and "YAML syntax error" in error["message"] and error["file"].endswith("fx-001.yaml")
    response = save(client, state["version"], {"op": "accept", "section": "mentions", "index": 0})
    assert response.status_code == 409 and response.get_json()["readonly"] is True
    assert annotation(corpus).read_text(encoding="utf-8") == broken


@pytest.mark.parametrize(
    ("body", "status", "says"),
    [
        ("not json", 400, "application/json"),
        ({"operations": []}, 400, "version"),
        ({"version": "", "operations": [{"op": "explode"}]}, 400, "unknown operation"),
        (
            {"version": "", "operations": [{"op": "add_mention", "start": 10, "end": 5000, "ref": "ruritania"}]},
            400,
            "not a range",
        ),
        (
            {"version": "", "operations": [{"op": "add_mention", "start": 150, "end": 160, "ref": "ruritania"}]},
            400,
            "duplicate region",
        ),
        ({"version": "", "operations": [{"op": "accept", "section": "articles", "index": 0}]}, 400, "unknown section"),
        (
            {
                "version": "",
                "operations": [{"op": "add_reference", "type": "Person", "key": "Not A Key", "label": "x"}],
            },
            400,
            "lower-case",
        ),
    ],
)
def test_malformed_requests_get_a_clear_400(client: FlaskClient, corpus: Path, body, status: int, says: str) -> None:
    before = annotation(corpus).read_bytes()
    if isinstance(body, dict) and body.get("version") == "":
        body["version"] = client.get(f"/api/articles/{ARTICLE}").get_json()["version"]
    response = (
        client.post(f"/api/articles/{ARTICLE}/save", data=body, content_type="text/plain")
        if isinstance(body, str)
        else client.post(f"/api/articles/{ARTICLE}/save", json=body)
    )
    assert response.status_code == status and says in response.get_json()["error"], response.get_json()
    assert annotation(corpus).read_bytes() == before


def test_reference_search_warns_for_the_articles_date(client: FlaskClient) -> None:
    matches = client.get("/api/reference/search?q=Exempla&date=2025-03-31").get_json()
    assert matches[0]["key"] == "ana-exempla" and matches[0]["rank"] == "alias"
    treaty = client.get("/api/reference/search?q=Treaty of Nowhere&date=2025-03-31").get_json()[0]
    assert any(w.startswith("out of era") for w in treaty["warnings"])
    assert client.get("/api/reference/search?q=x&date=March").status_code == 400


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "example.org", "::"])
def test_non_loopback_bind_is_refused(host: str) -> None:
    with pytest.raises(ConfigError, match=r"127\.0\.0\.1 only"):
        require_local_host(host)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "127.0.0.2"])
def test_loopback_bind_is_allowed(host: str) -> None:
    assert require_local_host(host) == host


def test_command_refuses_a_public_host(corpus: Path) -> None:
    result = CliRunner().invoke(cli, ["review", ARTICLE, "--host", "0.0.0.0"], env={"PEACEKG_CORPUS_DIR": str(corpus)})
    assert result.exit_code == 3 and "127.0.0.1 only" in result.output


def test_requests_for_another_host_name_are_refused(client: FlaskClient) -> None:
    """A page of another site that resolves its name to 127.0.0.1 (DNS rebinding) gets nothing."""
    assert client.get("/api/articles", headers={"Host": "attacker.example:8765"}).status_code == 403
    assert client.get("/api/articles", headers={"Host": "localhost:8765"}).status_code == 200


def test_unknown_article_is_a_404(client: FlaskClient) -> None:
    assert client.get("/api/articles/nope").status_code == 404


DRAFTED = """\
# people found by the drafter
- key: monday-speaker
  type: Person
  label: Monday Speaker
  review: draft
  drafted_from: {article: fx-001, quote: Monday}

- key: another-draft
  type: Person
  label: Another Draft
  review: draft
  drafted_from:
    article: fx-001
    quote: a reader
"""


@pytest.mark.parametrize(
    ("op", "key", "expected"),
    [
        (
            "accept_reference",
            "monday-speaker",
            DRAFTED.replace("  review: draft\n  drafted_from: {article", "  drafted_from: {article", 1),
        ),
        ("reject_reference", "monday-speaker", "# people found by the drafter\n" + DRAFTED.split("\n\n", 1)[1]),
        (
            "accept_reference",
            "another-draft",
            DRAFTED[: DRAFTED.rindex("  review: draft\n")] + DRAFTED[DRAFTED.rindex("  review: draft\n") + 16 :],
        ),
        ("reject_reference", "another-draft", DRAFTED.split("\n\n", 1)[0] + "\n"),
    ],
)
def test_drafted_reference_entries_are_accepted_or_rejected(
    client: FlaskClient, corpus: Path, op: str, key: str, expected: str
) -> None:
    people = corpus / "reference" / "people.yaml"
    people.write_text(DRAFTED, encoding="utf-8")
    state = client.get(f"/api/articles/{ARTICLE}").get_json()
    assert [(e["key"], e["review"]) for e in state["drafted_reference"]] == [
        ("monday-speaker", "draft"),
        ("another-draft", "draft"),
    ]
    response = save(client, state["version"], {"op": op, "key": key})
    assert response.status_code == 200, response.get_json()
    assert people.read_text(encoding="utf-8") == expected


def test_after_a_save_the_builds_checks_report_at_the_item(client: FlaskClient, corpus: Path) -> None:
    """A Position with neither target nor provisions is valid YAML and schema, but the build's shapes
    reject it: the save writes the file and reports the shape violation at the statement."""
    version = client.get(f"/api/articles/{ARTICLE}").get_json()["version"]
    response = save(
        client, version, {"op": "edit", "section": "statements", "index": 1, "changes": {"provisions": None}}
    )
    assert response.status_code == 200, response.get_json()
    errors = response.get_json()["errors"]
    assert errors and all(e["section"] == "statements" and e["index"] == 1 for e in errors), errors
    assert "provisions:" not in annotation(corpus).read_text(encoding="utf-8").split("id: s2")[1].split("id: s3")[0]


def test_an_article_without_annotation_file_gets_one_at_the_first_save(client: FlaskClient, corpus: Path) -> None:
    annotation(corpus).unlink()
    state = client.get(f"/api/articles/{ARTICLE}").get_json()
    assert state["exists"] is False and state["version"] == "" and state["sections"]["mentions"] == []
    start = state["text"].index("Ruritania")
    response = save(
        client, "", {"op": "add_mention", "start": start, "end": start + len("Ruritania"), "ref": "ruritania"}
    )
    assert response.status_code == 200, response.get_json()
    assert annotation(corpus).read_text(encoding="utf-8") == (
        "article: fx-001\nreview: draft\nmentions:\n  - {quote: Ruritania, ref: ruritania, review: reviewed}\n"
    )


def test_without_an_article_the_page_offers_the_list(tmp_path: Path, corpus: Path) -> None:
    client = create_review_app(settings_for(tmp_path, corpus)).test_client()
    assert '"article": ""' in client.get("/").get_data(as_text=True)
    assert client.get("/api/articles").get_json() == [
        {"id": ARTICLE, "title": "Minister calls Lakeside Plan a trap", "annotated": True}
    ]


def test_a_draft_of_annotate_suggest_opens_and_takes_a_review(tmp_path: Path) -> None:
    """The real drafter's output (kg.drafting) on its test article, with the repository's reference
    data: the app shows it, and accepting its mentions of reviewed individuals changes only those
    items (one `review: reviewed` each; the draft's comments and layout stay)."""
    from kg.drafting.suggest import suggest_annotations

    corpus = tmp_path / "corpus"
    (corpus / "articles").mkdir(parents=True)
    shutil.copytree(ROOT / "corpus" / "reference", corpus / "reference")
    for suffix in (".txt", ".yaml"):
        shutil.copy(ROOT / "tests" / "data" / "suggest" / f"article{suffix}", corpus / "articles" / f"article{suffix}")
    settings = settings_for(tmp_path, corpus)
    draft = suggest_annotations(settings, corpus / "articles" / "article.txt")
    before = draft.read_text(encoding="utf-8")
    client = create_review_app(settings, "article").test_client()
    state = client.get("/api/articles/article").get_json()
    assert state["review"] == "draft" and not state["readonly"] and state["spans"]
    drafted = {e["key"] for e in state["drafted_reference"]}
    defined_here = {e.get("key") for e in state["sections"]["entities"]}
    accepted = [
        i
        for i, m in enumerate(state["sections"]["mentions"])
        if m["ref"] not in drafted
        and m["ref"] not in defined_here
        and not any(e.get("section") == "mentions" and e.get("index") == i for e in state["errors"])
    ]
    assert accepted
    operations = [{"op": "accept", "section": "mentions", "index": i} for i in accepted]
    response = client.post("/api/articles/article/save", json={"version": state["version"], "operations": operations})
    assert response.status_code == 200, response.get_json()
    after = draft.read_text(encoding="utf-8")
    # the accepts are the only change: without the lines (block items) or fields (inline items) they
    # added, the file is the draft, byte for byte
    assert after.count("review: reviewed") - before.count("review: reviewed") == len(accepted)
    assert re.sub(r"\n +review: reviewed(?=\n)|, review: reviewed(?=\})", "", after) == before
    reviewed = [m for m in response.get_json()["sections"]["mentions"] if m["_review"] == "reviewed"]
    assert len(reviewed) == len(accepted)


def test_edit_forms_follow_the_field_table(client: FlaskClient) -> None:
    """Each statement type's form lists its own fields first (from kg.annotations.fields), then the
    common ones; what the app sets itself (id, type, evidence, review) is not offered."""
    fields = client.get("/api/vocabulary").get_json()["statement_fields"]
    assert [f["name"] for f in fields["Claim"][:5]] == ["stance", "target", "by", "modality", "summary"]
    assert fields["Claim"][0]["scheme"] == "stance" and fields["Claim"][0]["required"] is True
    assert [f["name"] for f in fields["EventReport"][:1]] == ["event"]
    assert [f["name"] for f in fields["ReportedFigure"] if not f["more"]][:4] == [
        "quantity",
        "measures",
        "category",
        "concerns",
    ]
    for kind in fields.values():
        assert not {"id", "type", "evidence", "review"} & {f["name"] for f in kind}


ALL_ITEMS = {"mentions": 5, "entities": 1, "roles": 1, "statements": 3}


@pytest.mark.parametrize(
    ("change", "left_as_drafts"),
    [
        (None, set()),
        # an error at s1: s1 stays a draft, and so does s3, which names '#s1'
        (("stance: criticises", "stance: adores"), {("statements", 0), ("statements", 2)}),
        # an error at the entity: it stays a draft, with s1 that targets it and s3 that names s1
        (
            ("proposed_by: [ruritania]", "proposed_by: [nobody-known]"),
            {("entities", 0), ("statements", 0), ("statements", 2)},
        ),
        # a reviewed mention is not a draft: nothing to accept there, the rest is accepted
        (("{quote: Ruritania, ref: ruritania}", "{quote: Ruritania, ref: ruritania, review: reviewed}"), set()),
    ],
)
def test_accept_all_valid_accepts_each_draft_without_an_error_in_one_save(
    client: FlaskClient, corpus: Path, change, left_as_drafts: set
) -> None:
    path = annotation(corpus)
    if change:
        text = path.read_text(encoding="utf-8")
        assert text.count(change[0]) == 1
        path.write_text(text.replace(change[0], change[1]), encoding="utf-8")
    draft = path.read_text(encoding="utf-8")
    before = client.get(f"/api/articles/{ARTICLE}").get_json()
    drafts = {(s, i) for s, items in before["sections"].items() for i, x in enumerate(items) if x["_review"] == "draft"}
    assert len(drafts) == sum(ALL_ITEMS.values()) - (1 if change and "review: reviewed" in change[1] else 0)
    response = save(client, before["version"], {"op": "accept_valid"})
    assert response.status_code == 200, response.get_json()
    state = response.get_json()
    assert state["accepted_valid"] == len(drafts - left_as_drafts)
    after = {(s, i) for s, items in state["sections"].items() for i, x in enumerate(items) if x["_review"] == "draft"}
    assert after == left_as_drafts
    assert {(e["section"], e["index"]) for e in state["errors"]} <= left_as_drafts  # no error was added
    # nothing but review marks changed: without them, the file is what it was
    saved = path.read_text(encoding="utf-8")
    marks = r"\n +review: reviewed(?=\n)|, review: reviewed(?=\})"
    assert re.sub(marks, "", saved) == re.sub(marks, "", draft)


def test_accept_all_valid_takes_the_drafted_reference_entries_and_respects_the_batch(
    client: FlaskClient, corpus: Path
) -> None:
    """Reference entries drafted from the article are accepted too, except one the same batch rejects;
    an item the batch rejects is not accepted (and what names it stays a draft)."""
    people = corpus / "reference" / "people.yaml"
    people.write_text(DRAFTED, encoding="utf-8")
    state = client.get(f"/api/articles/{ARTICLE}").get_json()
    response = save(
        client,
        state["version"],
        {"op": "reject_reference", "key": "another-draft"},
        {"op": "reject", "section": "mentions", "index": 4},
        {"op": "accept_valid"},
    )
    assert response.status_code == 200, response.get_json()
    state = response.get_json()
    assert [(e["key"], e["review"]) for e in state["drafted_reference"]] == [("monday-speaker", "reviewed")]
    assert "another-draft" not in people.read_text(encoding="utf-8")
    assert len(state["sections"]["mentions"]) == 4
    assert all(x["_review"] == "reviewed" for items in state["sections"].values() for x in items)
    assert state["accepted_valid"] == 1 + sum(ALL_ITEMS.values()) - 1  # monday-speaker, every item but the rejected


def test_the_page_modules_are_all_served_as_javascript(client: FlaskClient) -> None:
    """review.js is an ES module: every module it imports, directly or not, is served (as JavaScript,
    which a browser requires of a module under nosniff) and stays under 400 lines."""
    assert '<script type="module" src="/static/review/review.js">' in client.get("/").get_data(as_text=True)
    seen: set[str] = set()
    todo = ["review.js"]
    while todo:
        name = todo.pop()
        response = client.get(f"/static/review/{name}")
        assert response.status_code == 200 and response.mimetype == "text/javascript", name
        source = response.get_data(as_text=True)
        assert source.count("\n") < 400, name
        seen.add(name)
        todo += [m for m in re.findall(r'^import .* from "\./([\w-]+\.js)";$', source, re.M) if m not in seen]
    assert seen >= {"review-api.js", "review-cards.js", "review-spans.js", "review-forms.js", "review-autocomplete.js"}


def test_a_cross_site_preflight_is_never_granted(client: FlaskClient, corpus: Path) -> None:
    """A page of another origin must preflight a JSON save; the app answers without any
    Access-Control-Allow-* header, so the browser never sends the save."""
    before = annotation(corpus).read_bytes()
    response = client.options(
        f"/api/articles/{ARTICLE}/save",
        headers={
            "Origin": "https://attacker.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert not [name for name, _ in response.headers.items() if name.lower().startswith("access-control-")]
    form = client.post(f"/api/articles/{ARTICLE}/save", data={"version": "x", "operations": "[]"})
    assert form.status_code == 400  # what a cross-site form can send without a preflight
    assert annotation(corpus).read_bytes() == before
