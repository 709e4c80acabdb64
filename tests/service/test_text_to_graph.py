"""Issue 14's "done when": a new article goes from a plain text to ten reviewed statements in the
graph without a YAML file being opened — by the annotator or by this test.

On a private corpus with the repository's reference data and no articles: ``peacekg article add``
on a seed text (its metadata and regions written by the command), ``peacekg annotate suggest``
(the real drafter), then the review app's JSON API with the calls its page makes: ten drafted
statements accepted (accepting takes the drafter's "DRAFT: " off the texts it endorses; the drafted
entities they name are accepted with them), every other statement rejected, one save. The default
build then holds exactly those ten statements — counted with SPARQL — and no other."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from kg.builder.pipeline import build
from kg.cli import cli
from kg.store.builds import open_store
from service.review import create_review_app

from helpers.corpora import settings_for
from helpers.paths import ROOT

SEED = "001_8d381c327fafc0c6"  # a news analysis with a headline, its copy, a byline and a footer
TITLE = "Trump is fascinated by Putin, Russia continues to kill: How can Ukraine achieve peace?"
BASE = "https://w3id.org/peacekg/"
WANTED = 10


def strings(value: Any) -> set[str]:
    if isinstance(value, str):
        return {value}
    if isinstance(value, dict):
        return set().union(*(strings(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(strings(v) for v in value)) if value else set()
    return set()


def test_a_plain_text_becomes_ten_reviewed_statements_in_the_graph(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus" / "reference", corpus / "reference")
    source = tmp_path / "received.txt"
    shutil.copy(ROOT / "corpus" / "articles" / f"{SEED}.txt", source)
    env = {"PEACEKG_CORPUS_DIR": str(corpus), "PEACEKG_ONTOLOGY_DIR": str(ROOT / "ontology")}
    runner = CliRunner()

    # 1. the text and its metadata
    added = runner.invoke(
        cli,
        ["article", "add", str(source), "--title", TITLE, "--published", "2025-08-19..2025-08-31"]
        + ["--outlet", "unknown", "--genre", "analysis", "--translated"],
        env=env,
    )
    assert added.exit_code == 0, added.output
    (text_file,) = (corpus / "articles").glob("*.txt")
    article = text_file.stem
    assert "region headline-copy (duplicate)" in added.output and "region footer (non-article)" in added.output

    # 2. the draft
    drafted = runner.invoke(cli, ["annotate", "suggest", str(text_file)], env=env)
    assert drafted.exit_code == 0, drafted.output

    # 3. the review, through the app's API
    settings = settings_for(tmp_path, corpus)
    client = create_review_app(settings, article).test_client()
    state = client.get(f"/api/articles/{article}").get_json()
    assert state["errors"] == [] and state["date"] == "2025-08-31"
    statements, entities = state["sections"]["statements"], state["sections"]["entities"]
    assert all(s["_review"] == "draft" for s in statements)
    entity_at = {e["key"]: i for i, e in enumerate(entities)}
    chosen: list[int] = []
    needed: set[int] = set()
    for index, statement in enumerate(statements):
        names = strings({k: v for k, v in statement.items() if k not in ("summary", "evidence")})
        if any(name.startswith("#") or "#" in name for name in names):
            continue  # names another statement: left out, so that rejecting the rest breaks nothing
        chosen.append(index)
        needed |= {entity_at[name] for name in names if name in entity_at}
        if len(chosen) == WANTED:
            break
    assert len(chosen) == WANTED, f"the drafter gave {len(statements)} statements, fewer than {WANTED} usable"
    operations: list[dict[str, Any]] = []
    for index in chosen:
        assert statements[index]["summary"].startswith("DRAFT: ")  # what the accept below must take off
        operations.append({"op": "accept", "section": "statements", "index": index})
    operations += [{"op": "accept", "section": "entities", "index": i} for i in sorted(needed)]
    operations += [
        {"op": "reject", "section": "statements", "index": i} for i in range(len(statements)) if i not in chosen
    ]
    response = client.post(
        f"/api/articles/{article}/save", json={"version": state["version"], "operations": operations}
    )
    assert response.status_code == 200, response.get_json()
    saved = response.get_json()
    assert saved["errors"] == [], saved["errors"]  # the files' checks and the build's shapes and data checks
    kept = saved["sections"]["statements"]
    assert len(kept) == WANTED and all(s["_review"] == "reviewed" for s in kept)
    ids = {statements[i]["id"] for i in chosen}
    assert {s["id"] for s in kept} == ids

    # 4. the default build serves exactly those ten
    build(settings)
    store = open_store(Path(settings.build_dir))
    prefix = f"{BASE}article/{article}/statement/"
    rows = list(
        store.query(
            f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ GRAPH <{BASE}graph/article/{article}> {{ ?s ?p ?o }} "
            f"FILTER(REGEX(STR(?s), '^{prefix}[^/]+$')) }}"
        )
    )
    assert int(rows[0]["n"].value) == WANTED
    served = {
        str(row["s"].value).removeprefix(prefix)
        for row in store.query(
            f"SELECT DISTINCT ?s WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?s), '{prefix}')) "
            f"FILTER(!CONTAINS(SUBSTR(STR(?s), {len(prefix) + 1}), '/')) }}"
        )
    }
    assert served == ids
    assert not bool(store.query('ASK { ?s ?p ?o FILTER(isLiteral(?o) && STRSTARTS(STR(?o), "DRAFT:")) }'))
