"""A rebuild on the previous store (kg.builder.incremental, DRed in kg.builder.dred) gives, quad for
quad, the store of a clean build: one test per DRed step, the failures (a local and a global data
check, worded as a full build words them, the previous store left current), and a seeded sequence
of random edits compared with a clean build after each."""

from __future__ import annotations

import random
import re
import shutil
from pathlib import Path

import pytest
from rdflib.plugins import sparql

from kg.builder import data_checks, dred
from kg.builder.pipeline import build
from kg.errors import ValidationError
from kg.ontology.load import OntologySources, load_ontology
from kg.store.builds import current_build, open_store

from helpers.corpora import make_corpus, settings_for
from helpers.paths import ROOT

BASE = "https://w3id.org/peacekg/"
PK = "https://w3id.org/peacekg/ontology/"
INFERRED = f"<{BASE}graph/inferred>"
ON_PREVIOUS = "made from the current build's store without the union in memory"
TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"


def served(settings) -> set[str]:
    return {str(q) for q in open_store(Path(settings.build_dir))}


def clean(tmp_path: Path, corpus: Path, name: str) -> set[str]:
    """The store a full build of ``corpus`` makes in a folder of its own (nothing reused)."""
    lines: list[str] = []
    fresh = settings_for(tmp_path, corpus, name)
    build(fresh, lines.append)
    assert not any(line.startswith(ON_PREVIOUS) for line in lines)
    return served(fresh)


def rebuilt(settings) -> tuple[set[str], str]:
    """Build; the store and the DRed line (fails unless the build was made on the previous store)."""
    lines: list[str] = []
    build(settings, lines.append)
    made = [line for line in lines if line.startswith(ON_PREVIOUS)]
    assert made, lines
    return served(settings), made[0]


def counts(line: str) -> dict[str, int]:
    return {k: int(v) for v, k in re.findall(r"(\d+) (?:inferred triple\(s\) )?(overdeleted|rederived|inserted)", line)}


def statement(sid: str, stance: str, target: str, by: str = "ana-exempla") -> str:
    return (
        f"  - id: {sid}\n    type: Claim\n    by: [{by}]\n    stance: {stance}\n    target: ['{target}']\n"
        f"    summary: Exempla on {target}.\n    evidence: [Peace is near]\n"
    )


def entity(key: str, kind: str = "PeacePlan", by: str = "freedonia") -> str:
    extra = (
        f"    proposed_by: [{by}]\n    provisions:\n      - {{type: CeasefireProvision, text: a ceasefire}}\n"
        if kind == "PeacePlan"
        else ""
    )
    return f"  - key: {key}\n    type: {kind}\n    label: {key.replace('-', ' ').title()}\n{extra}    evidence: [the Lakeside Plan]\n"


def annotation(corpus: Path, article: str) -> Path:
    return corpus / "annotations" / f"{article}.yaml"


def add_statement(corpus: Path, article: str, block: str) -> None:
    path = annotation(corpus, article)
    path.write_text(path.read_text(encoding="utf-8").replace("coverage_ignore:", block + "coverage_ignore:", 1))


def add_entity(corpus: Path, article: str, block: str) -> None:
    path = annotation(corpus, article)
    path.write_text(path.read_text(encoding="utf-8").replace("entities:\n", "entities:\n" + block, 1))


def remove(corpus: Path, article: str, block: str) -> None:
    path = annotation(corpus, article)
    text = path.read_text(encoding="utf-8")
    assert block in text
    path.write_text(text.replace(block, "", 1))


def add_article(corpus: Path, new: str) -> None:
    """fx-001 copied under ``new``, its own keys renamed (as helpers.corpora.make_corpus does)."""
    for sub, suffix in (("articles", ".txt"), ("articles", ".yaml"), ("annotations", ".yaml")):
        text = (corpus / sub / f"fx-001{suffix}").read_text(encoding="utf-8")
        if suffix == ".yaml":
            text = text.replace("fx-001", new).replace("key: lakeside-plan", f"key: lakeside-plan-{new}")
            text = text.replace("target: [lakeside-plan]", f"target: [lakeside-plan-{new}]")
        (corpus / sub / f"{new}{suffix}").write_text(text, encoding="utf-8")


def remove_article(corpus: Path, article: str) -> None:
    for path in (
        corpus / "articles" / f"{article}.txt",
        corpus / "articles" / f"{article}.yaml",
        annotation(corpus, article),
    ):
        path.unlink()


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return make_corpus(tmp_path, articles=3)


def test_a_removed_statement_whose_disputes_came_only_from_the_global_pass(tmp_path: Path, corpus: Path) -> None:
    settings = settings_for(tmp_path, corpus)
    denial = statement("s4", "denies", "fx-001#s1")
    add_statement(corpus, "fx-002", denial)
    build(settings)
    disputes = f"<{BASE}article/fx-002/statement/s4> <{PK}disputes> <{BASE}article/fx-001/statement/s1> {INFERRED}"
    assert disputes in served(settings)
    remove(corpus, "fx-002", denial)
    store, line = rebuilt(settings)
    assert disputes not in store and counts(line)["overdeleted"] > 0
    assert store == clean(tmp_path, corpus, "clean")


def test_a_triple_another_article_still_derives_is_rederived(tmp_path: Path, corpus: Path) -> None:
    """A fact that the edited article's triples derived and other articles derive too (Freedonia,
    proposer of a plan in fx-002 and in fx-003, is a pk:Voice, a pk:Agent…): overdeleted with the
    edited article's plan, it must come back by the rederive step."""
    settings = settings_for(tmp_path, corpus)
    plan2, plan3 = entity("harbour-accord"), entity("river-accord")
    add_entity(corpus, "fx-002", plan2)
    add_entity(corpus, "fx-003", plan3)
    build(settings)
    before = served(settings)
    remove(corpus, "fx-002", plan2)
    store, line = rebuilt(settings)
    assert counts(line)["rederived"] > 0, line
    river = f"<{BASE}resource/river-accord> <{PK}proposedBy> <{BASE}resource/freedonia>"
    assert any(q.startswith(river) for q in store)
    kept = {q for q in before & store if q.startswith(f"<{BASE}resource/freedonia> ") and q.endswith(INFERRED)}
    assert kept, "no inferred triple about Freedonia survived"
    assert store == clean(tmp_path, corpus, "clean")


def test_a_triple_derivable_only_through_the_edited_article_goes(tmp_path: Path, corpus: Path) -> None:
    settings = settings_for(tmp_path, corpus)
    plan = entity("harbour-accord")
    add_entity(corpus, "fx-002", plan)
    build(settings)
    accord = f"<{BASE}resource/harbour-accord> {TYPE} <{PK}Proposal> {INFERRED}"
    assert accord in served(settings)
    remove(corpus, "fx-002", plan)
    store, _line = rebuilt(settings)
    assert not any("harbour-accord" in q for q in store)
    assert store == clean(tmp_path, corpus, "clean")


def test_an_added_and_a_removed_article(tmp_path: Path, corpus: Path) -> None:
    settings = settings_for(tmp_path, corpus)
    add_statement(corpus, "fx-003", statement("s4", "denies", "fx-002#s1"))
    build(settings)
    add_article(corpus, "fx-004")
    add_statement(corpus, "fx-004", statement("s4", "supports", "fx-003#s4"))
    store, line = rebuilt(settings)
    endorses = f"<{BASE}article/fx-004/statement/s4> <{PK}endorses> <{BASE}article/fx-003/statement/s4> {INFERRED}"
    assert endorses in store and counts(line)["inserted"] > 0
    assert store == clean(tmp_path, corpus, "clean-added")
    remove_article(corpus, "fx-004")
    store, line = rebuilt(settings)
    assert not any("fx-004" in q for q in store)
    assert store == clean(tmp_path, corpus, "clean-removed")


def full_build_error(tmp_path: Path, corpus: Path, name: str) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        build(settings_for(tmp_path, corpus, name))
    return caught.value


def test_a_local_data_check_violation_fails_as_a_full_build_does(tmp_path: Path, corpus: Path) -> None:
    settings = settings_for(tmp_path, corpus)
    previous = build(settings).build
    add_statement(
        corpus, "fx-002", statement("s4", "criticises", "ana-exempla").replace("['ana-exempla']", "[ana-exempla]")
    )
    lines: list[str] = []
    with pytest.raises(ValidationError) as caught:
        build(settings, lines.append)
    assert not any(line.startswith("full build") for line in lines), lines  # failed on the previous store
    assert "self-target" in "\n".join(caught.value.details)
    full = full_build_error(tmp_path, corpus, "clean")
    assert (str(caught.value), caught.value.details) == (str(full), full.details)
    assert current_build(Path(settings.build_dir)) == previous


def test_a_global_data_check_violation_fails_as_a_full_build_does(tmp_path: Path, corpus: Path) -> None:
    """Typing an individual of fx-002 as a war makes a row of fx-003's statement that supports it."""
    settings = settings_for(tmp_path, corpus)
    event = entity("lakeside-talks", kind="Event")
    add_entity(corpus, "fx-002", event)
    add_statement(
        corpus,
        "fx-003",
        statement("s4", "supports", "lakeside-talks").replace("['lakeside-talks']", "[lakeside-talks]"),
    )
    previous = build(settings).build
    path = annotation(corpus, "fx-002")
    path.write_text(path.read_text(encoding="utf-8").replace(event, event.replace("type: Event", "type: War"), 1))
    lines: list[str] = []
    with pytest.raises(ValidationError) as caught:
        build(settings, lines.append)
    assert any(line.startswith("full build: the global data check stance-toward-war") for line in lines), lines
    assert "stance-toward-war" in "\n".join(caught.value.details) and "fx-003" in "\n".join(caught.value.details)
    full = full_build_error(tmp_path, corpus, "clean")
    assert (str(caught.value), caught.value.details) == (str(full), full.details)
    assert current_build(Path(settings.build_dir)) == previous


def test_a_seeded_sequence_of_random_edits(tmp_path: Path) -> None:
    """Edits drawn with a fixed seed (statements across articles added and removed with random
    stances, plans added and removed, articles added and removed, comments); after each, the
    store made on the previous one equals a clean build's."""
    rng = random.Random(17)
    corpus = make_corpus(tmp_path, articles=3)
    settings = settings_for(tmp_path, corpus)
    build(settings)
    articles = ["fx-001", "fx-002", "fx-003"]
    added: list[tuple[str, str, str]] = []  # (article, block, the article it targets)
    plans: list[tuple[str, str]] = []
    serial = 0
    for step in range(8):
        serial += 1
        choices = ["statement", "plan", "comment", "article"]
        choices += ["unstatement"] * bool(added) + ["unplan"] * bool(plans)
        choices += ["unarticle"] * (len(articles) > 3)
        op = rng.choice(choices)
        if op == "statement":
            source, target = rng.sample(articles, 2)
            stance = rng.choice(["denies", "supports", "criticises", "asserts", "doubts", "predicts"])
            block = statement(f"s{100 + serial}", stance, f"{target}#s1")
            add_statement(corpus, source, block)
            added.append((source, block, target))
        elif op == "unstatement":
            source, block, _target = added.pop(rng.randrange(len(added)))
            remove(corpus, source, block)
        elif op == "plan":
            source = rng.choice(articles)
            block = entity(f"accord-{serial}", by=rng.choice(["freedonia", "ruritania"]))
            add_entity(corpus, source, block)
            plans.append((source, block))
        elif op == "unplan":
            source, block = plans.pop(rng.randrange(len(plans)))
            remove(corpus, source, block)
        elif op == "comment":
            path = annotation(corpus, rng.choice(articles))
            path.write_text(path.read_text(encoding="utf-8") + f"\n# edit {serial}\n")
        elif op == "article":
            new = f"fx-{100 + serial:03d}"
            add_article(corpus, new)
            articles.append(new)
        else:
            referenced = {t for _s, _b, t in added} | {"fx-001", "fx-002", "fx-003"}
            gone = rng.choice([a for a in articles if a not in referenced] or [articles[-1]])
            if gone in referenced:
                continue
            remove_article(corpus, gone)
            articles.remove(gone)
            added = [a for a in added if a[0] != gone]
            plans = [p for p in plans if p[0] != gone]
        lines: list[str] = []
        build(settings, lines.append)
        store = served(settings)
        fresh = tmp_path / f"step-{step}"
        shutil.rmtree(fresh, ignore_errors=True)
        assert store == clean(tmp_path, corpus, f"step-{step}"), (step, op, lines)
        if op != "comment":
            assert any(line.startswith(ON_PREVIOUS) for line in lines), (step, op, lines)


def test_the_compiled_rules_are_kept_by_their_text_and_the_code(tmp_path: Path, monkeypatch) -> None:
    """kg.builder.dred.compile_rules with a cache folder: the same rules read back without parsing;
    a damaged file, or other code, compiles them again (and the other code's file goes)."""
    ontology = load_ontology(ROOT / "ontology")
    first = dred.compile_rules(ontology, tmp_path, "code-1")
    assert first == dred.compile_rules(ontology)
    parsed: list[str] = []
    real = sparql.prepareQuery  # imported where it is used (dred, data_checks): patched at its source
    monkeypatch.setattr(sparql, "prepareQuery", lambda text: parsed.append(text) or real(text))
    assert dred.compile_rules(ontology, tmp_path, "code-1") == first and parsed == []
    (kept,) = tmp_path.glob("rules-*.pickle")
    kept.write_bytes(kept.read_bytes()[:-10])  # torn: its seal no longer matches
    assert dred.compile_rules(ontology, tmp_path, "code-1") == first and len(parsed) == len(first)
    assert dred.compile_rules(ontology, tmp_path, "code-2") == first and len(parsed) == 2 * len(first)
    assert len(list(tmp_path.glob("rules-*.pickle"))) == 1


def test_the_shapes_of_the_global_checks_are_kept_by_their_text_and_the_code(tmp_path: Path, monkeypatch) -> None:
    """kg.builder.data_checks.bindable_checks with a cache folder, as the rules: read back without
    parsing while the texts and the code are the same; torn, or other code, parsed again."""
    checks = OntologySources.find(ROOT / "ontology").data_checks
    first = data_checks.bindable_checks(checks, tmp_path, "code-1")
    assert first == data_checks.bindable_checks(checks)
    assert any(shape is not None for shape in first.values()) and any(shape is None for shape in first.values())
    parsed: list[str] = []
    real = sparql.prepareQuery
    monkeypatch.setattr(sparql, "prepareQuery", lambda text: parsed.append(text) or real(text))
    assert data_checks.bindable_checks(checks, tmp_path, "code-1") == first and parsed == []
    (kept,) = tmp_path.glob("check-shapes-*.pickle")
    kept.write_bytes(kept.read_bytes()[:-10])
    assert data_checks.bindable_checks(checks, tmp_path, "code-1") == first and parsed
    parsed.clear()
    assert data_checks.bindable_checks(checks, tmp_path, "code-2") == first and parsed
    assert len(list(tmp_path.glob("check-shapes-*.pickle"))) == 1
