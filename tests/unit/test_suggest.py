"""``peacekg annotate suggest``: the draft for a new article validates as written, maps known
names to reference keys, proposes unknown people, organisations and places as draft reference
entries, drafts statements with their speakers and figures for numbers with units, lists dates —
and never overwrites a reviewed file."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from kg.annotations.corpus import load_corpus
from kg.annotations.vocabulary import VocabularyIndex
from kg.cli import cli
from kg.drafting.gazetteer import Gazetteer, apply_metonyms, nlp
from kg.drafting.proposals import guess_type, slug
from kg.drafting.suggest import AnnotationExistsError, suggest_annotations
from kg.ontology.load import load_ontology
from kg.settings import Settings, load_settings

from helpers.paths import DATA, ROOT

ARTICLE = DATA / "suggest" / "article.txt"
TEXT = ARTICLE.read_text(encoding="utf-8")


def make_corpus(root: Path) -> Path:
    """A corpus with the repository's reference data and the test article only."""
    corpus = root / "corpus"
    (corpus / "reference").mkdir(parents=True)
    (corpus / "articles").mkdir()
    for path in sorted((ROOT / "corpus" / "reference").glob("*.yaml")):
        shutil.copy(path, corpus / "reference" / path.name)
    shutil.copy(ARTICLE, corpus / "articles" / "article.txt")
    shutil.copy(ARTICLE.with_suffix(".yaml"), corpus / "articles" / "article.yaml")
    return corpus


def settings_for(corpus: Path) -> Settings:
    return load_settings(None, environ={}, overrides={"corpus_dir": corpus, "ontology_dir": ROOT / "ontology"})


@pytest.fixture(scope="module")
def vocabulary() -> VocabularyIndex:
    return VocabularyIndex.from_graph(load_ontology(ROOT / "ontology"))


@pytest.fixture(scope="module")
def drafted(tmp_path_factory) -> tuple[Path, Path]:
    """(corpus folder, draft path) after one run of suggest on the test article."""
    corpus = make_corpus(tmp_path_factory.mktemp("suggest"))
    path = suggest_annotations(settings_for(corpus), corpus / "articles" / "article.txt")
    return corpus, path


@pytest.fixture(scope="module")
def draft(drafted) -> dict[str, Any]:
    return yaml.safe_load(drafted[1].read_text(encoding="utf-8"))


def statements(draft: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [s for s in draft["statements"] if s["type"] == kind]


def quote_of(evidence: Any) -> str:
    return evidence if isinstance(evidence, str) else evidence["quote"]


# -- the draft ------------------------------------------------------------------------------------


def test_draft_is_written_to_the_corpus_and_validates(drafted, vocabulary) -> None:
    corpus_dir, path = drafted
    assert path == corpus_dir / "annotations" / "article.yaml"
    corpus = load_corpus(corpus_dir, vocabulary)
    assert corpus.issues == []
    annotations = corpus.annotations["article"]
    spans = annotations.all_spans()
    assert spans and all(TEXT[s.start : s.end] == s.exact for s in spans)


def test_draft_header_fields(draft) -> None:
    assert draft["article"] == "article"
    assert draft["review"] == "draft" and "status" not in draft
    assert draft["annotators"] == ["peacekg annotate suggest"]
    assert list(draft)[:5] == ["article", "review", "annotators", "note", "mentions"]


def test_yaml_is_block_style_and_deterministic(drafted, tmp_path) -> None:
    corpus_dir, path = drafted
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# DRAFT annotations of article article")
    assert "annotators:\n  - peacekg annotate suggest\n" in text
    assert not any(line.lstrip("- ").startswith(("{", "[")) or line.endswith(("}", "]")) for line in text.splitlines())
    assert "\n  - quote: Zelensky\n    ref: volodymyr-zelenskyy\n    occurrence: all\n" in text
    again = suggest_annotations(settings_for(corpus_dir), corpus_dir / "articles" / "article.txt", force=True)
    assert again == path and again.read_text(encoding="utf-8") == text


def test_known_names_map_to_reference_keys(draft, drafted, vocabulary) -> None:
    refs = {(m["quote"], m["ref"]) for m in draft["mentions"]}
    assert {
        ("Volodymyr Zelensky", "volodymyr-zelenskyy"),
        ("Zelensky", "volodymyr-zelenskyy"),
        ("Putin", "vladimir-putin"),
        ("NATO", "nato"),
        ("Kremlin", "kremlin"),  # matched as "The Kremlin", quoted as annotators do
        ("EU", "european-union"),
        ("Budapest Memorandum", "budapest-memorandum"),
        ("Donald Trump", "donald-trump"),
        ("Kellogg", "keith-kellogg"),
        ("Russian forces", "russian-armed-forces"),
        ("Kyiv", "kyiv"),
    } <= refs
    zelensky = next(m for m in draft["mentions"] if m["quote"] == "Zelensky")
    assert zelensky["occurrence"] == "all"  # recurring name
    # every "Zelensky" of the text is a resolved span of Zelensky
    corpus = load_corpus(drafted[0], vocabulary)
    annotations = corpus.annotations["article"]
    mentions = annotations.data["mentions"]
    zelensky_spans = {
        (s.start, s.end)
        for i, m in enumerate(mentions)
        if m["ref"] == "volodymyr-zelenskyy"
        for s in annotations.spans[("mentions", i)]
    }
    starts = [i for i in range(len(TEXT)) if TEXT.startswith("Zelensky", i)]
    assert len(starts) == 3
    assert all(any(lo <= s and s + 8 <= hi for lo, hi in zelensky_spans) for s in starts)


def test_ambiguous_name_has_a_note_and_the_first_candidate(draft) -> None:
    """A name two individuals share is drafted as the first (label before alias) with a note;
    "Moscow wants a neutral Ukraine" names the state, not the city (linking rule 1)."""
    [moscow] = [m for m in draft["mentions"] if m["quote"] == "Moscow"]
    assert moscow["ref"] == "russia" and "linking rule 1" in moscow["note"]
    gazetteer = Gazetteer(
        [{"key": "moscow", "label": "Moscow"}, {"key": "kremlin", "label": "Kremlin", "aliases": ["Moscow"]}]
    )
    assert gazetteer.note("Moscow") == "ambiguous: 'Moscow' names moscow, kremlin; chose moscow (check)"
    assert gazetteer.note("Kremlin") is None


@pytest.mark.parametrize(
    ("sentence", "ref"),
    [
        ("Moscow has continued to find workarounds.", "russia"),
        ("Putin offers Kyiv two options.", "ukraine"),
        ("The attack on Kyiv was the largest.", "kyiv"),
        ("Talks were held in Moscow.", "moscow"),
    ],
)
def test_capitals_named_for_the_state_link_to_it(sentence: str, ref: str) -> None:
    capitals = {"moscow": "russia", "kyiv": "ukraine"}
    gazetteer = Gazetteer([{"key": "moscow", "label": "Moscow"}, {"key": "kyiv", "label": "Kyiv"}])
    hits = apply_metonyms(nlp()(sentence), gazetteer.match(sentence, [(0, len(sentence))]), capitals)
    assert [h.key for h in hits if sentence[h.start : h.end] in ("Moscow", "Kyiv")] == [ref]


def test_whole_words_and_longest_match_first() -> None:
    gazetteer = Gazetteer(
        [
            {"key": "united-states", "label": "United States", "aliases": ["US"]},
            {"key": "kyiv", "label": "Kyiv"},
            {"key": "kyiv-independent", "label": "The Kyiv Independent", "aliases": ["Kyiv Independent"]},
        ]
    )
    text = "USA and US: the Kyiv Independent reports from Kyiv; the United States and us."
    hits = gazetteer.match(text, [(0, len(text))])
    assert [(text[h.start : h.end], h.key) for h in hits] == [
        ("US", "united-states"),
        ("Kyiv Independent", "kyiv-independent"),
        ("Kyiv", "kyiv"),
        ("United States", "united-states"),  # "the United States" is matched, the name is the mention
    ]


def reference_drafts(corpus: Path) -> dict[str, tuple[str, dict[str, Any]]]:
    """Draft reference entries of the corpus, by key, with their file name."""
    out = {}
    for path in sorted((corpus / "reference").glob("*.yaml")):
        for entry in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            if isinstance(entry, dict) and entry.get("review") == "draft":
                out[entry["key"]] = (path.name, entry)
    return out


def test_unknown_names_are_drafted_as_reference_entries(draft, drafted) -> None:
    """New people, organisations and places go to the reference file of their type, marked draft,
    with where they were found; the files' own text is kept byte for byte before them."""
    entries = reference_drafts(drafted[0])
    file, kovalenko = entries["marta-kovalenko"]
    assert file == "people.yaml" and kovalenko["type"] == "Person" and kovalenko["label"] == "Marta Kovalenko"
    assert kovalenko["drafted_from"] == {"article": "article", "quote": "Marta Kovalenko"}
    assert kovalenko["note"] == "proposed by spaCy (PERSON); check type, merge with reference data"
    assert entries["dmitry-peskov"][0] == "people.yaml"
    assert entries["odesa-centre-for-strategic-studies"] == (
        "organisations.yaml",
        entries["odesa-centre-for-strategic-studies"][1],
    )
    assert entries["henrik-solberg"][1]["aliases"] == ["Solberg"]  # the surname found alone
    assert all(TEXT.count(e["drafted_from"]["quote"]) >= 1 for _, e in entries.values())
    refs = {(m["quote"], m["ref"]) for m in draft["mentions"]}
    assert ("Marta Kovalenko", "marta-kovalenko") in refs
    assert ("Solberg", "henrik-solberg") in refs
    # known individuals are never proposed again, and no person is an article entity
    assert not {"zelensky", "volodymyr-zelensky", "nato", "putin", "kremlin"} & set(entries)
    assert all(key == slug(e["label"]) for key, (_, e) in entries.items())
    assert not [e for e in draft.get("entities", []) if e["type"] in ("Person", "Organisation", "State", "City")]
    for path in sorted((ROOT / "corpus" / "reference").glob("*.yaml")):
        assert (
            (drafted[0] / "reference" / path.name)
            .read_text(encoding="utf-8")
            .startswith(path.read_text(encoding="utf-8").rstrip("\n"))
        )


def test_places_are_typed_by_geonames(drafted) -> None:
    _, geneva = reference_drafts(drafted[0])["geneva"]
    assert geneva["type"] == "City"  # spaCy says GPE; GeoNames knows a city
    assert guess_type("GPE", [], "Poland")[0] == "State" and guess_type("GPE", [], "Eurasia")[0] == "Region"


def test_law_entities_fall_back_to_a_type_without_required_fields() -> None:
    klass, extra, why = guess_type("LAW", [])
    assert (klass, extra) == ("Document", {}) and "parties" in why
    assert guess_type("LAW", ["ukraine", "russia"])[:2] == ("Agreement", {"parties": ["ukraine", "russia"]})
    assert guess_type("GPE", [])[0] == "State" and guess_type("NORP", [])[0] == "Group"


def test_every_sentence_gets_a_statement_with_its_speaker(draft) -> None:
    """Speakers from the parse: "said X", "X said", "according to X", "X, the envoy, said",
    "X told", "X added", and "he added" for the last speaker; no statement targets its speaker."""
    first = {quote_of(s["evidence"][0]): s for s in draft["statements"] if s["type"] != "ReportedFigure"}
    by_evidence = {q: (s.get("by") or [None])[0] for q, s in first.items()}
    said_x = next(q for q in first if "said Marta Kovalenko" in q)
    assert by_evidence[said_x] == "marta-kovalenko"
    assert by_evidence["“We will not trade our people for a piece of paper,” Zelensky said."] == "volodymyr-zelenskyy"
    assert by_evidence["According to Dmitry Peskov, Moscow wants a neutral Ukraine."] == "dmitry-peskov"
    assert (
        by_evidence["Kellogg, the US envoy, said no date had been set for a meeting between Donald Trump and Putin."]
        == "keith-kellogg"
    )
    assert (
        by_evidence["The EU added that its sanctions would stay in place until a settlement is signed."]
        == "european-union"
    )
    he_added = next(s for q, s in first.items() if q.startswith("He added"))
    assert he_added["by"] == ["henrik-solberg"] and "taken to be the last" in he_added["note"]
    assert by_evidence[next(q for q in first if q.startswith("The economic stakes"))] is None  # the author's
    for statement in draft["statements"]:
        assert not set(statement.get("target") or []) & set(statement.get("by") or []), statement
    ids = [s["id"] for s in draft["statements"]]
    assert ids == [f"s{i}" for i in range(1, len(ids) + 1)]


def test_positions_have_stance_and_holder_from_the_verb(draft) -> None:
    positions = {quote_of(s["evidence"][0]): s for s in statements(draft, "Position")}
    demanded = positions["The Kremlin has demanded that Ukraine renounce NATO membership."]
    assert (demanded["holder"], demanded["stance"], demanded["position_type"]) == (["kremlin"], "demands", "demand")
    claims = {quote_of(s["evidence"][0]): s for s in statements(draft, "Claim")}
    told = claims["Volodymyr Zelensky told reporters in Kyiv that his country would not give up any land."]
    assert told["stance"] == "predicts"
    [target] = told["target"]
    [proposition] = [e for e in draft["entities"] if e["key"] == target]
    assert proposition["type"] == "Proposition" and quote_of(proposition["evidence"][0]) in TEXT


def test_roles_from_appositions(draft) -> None:
    roles = {r["holder"]: r for r in draft["roles"]}
    kovalenko = roles["marta-kovalenko"]
    assert kovalenko["label"] == "security analyst at the Odesa Centre for Strategic Studies"
    assert kovalenko["role_type"] == "expert" and kovalenko["status"] == "current"
    assert kovalenko["in"] == ["odesa-centre-for-strategic-studies"]
    assert (
        quote_of(kovalenko["evidence"][0])
        == "Marta Kovalenko, a security analyst at the Odesa Centre for Strategic Studies"
    )
    assert roles["keith-kellogg"]["role_type"] == "envoy" and roles["keith-kellogg"]["in"] == ["united-states"]


def test_figures_give_reported_figures(draft) -> None:
    figures = [(quote_of(f["evidence"][0]), f["quantity"], f["category"]) for f in statements(draft, "ReportedFigure")]
    assert ("18%", {"value": 18, "unit": "percent", "qualifier": "approximate"}, "territory-share") in figures
    assert ("1,000 kilometers", {"value": 1000, "unit": "kilometre", "qualifier": "more-than"}, "distance") in figures
    assert (
        "40,000 to 50,000 troops",
        {"min": 40000, "max": 50000, "unit": "count", "count_of": "troops"},
        "troop-strength",
    ) in figures
    assert ("$2.8 billion", {"value": 2_800_000_000, "unit": "usd"}, "money") in figures
    assert ("9.5 percent", {"value": 9.5, "unit": "percent"}, "economic-indicator") in figures
    soldiers = [f for f in statements(draft, "ReportedFigure") if quote_of(f["evidence"][0]) == "200,000 soldiers"]
    assert [f["evidence"][0]["occurrence"] for f in soldiers] == [1, 2]  # made unique
    assert all(f["quantity"] == {"value": 200000, "unit": "count", "count_of": "soldiers"} for f in soldiers)
    assert len(figures) == 7  # dates and years are not figures
    for f in statements(draft, "ReportedFigure"):
        assert f["measures"].startswith("DRAFT: ") and "check category" in f["note"]


def test_dates_are_listed_in_the_note(draft) -> None:
    note = draft["note"]
    for written in ("15 August 2025", "April 17th", "1994", "2014", "August 23rd"):
        assert f"date: {written} at offset {TEXT.index(written)}" in note
    assert "(2025-08-15)" in note


# -- never overwrite a reviewed file ---------------------------------------------------------------


def test_reviewed_file_is_never_overwritten(tmp_path) -> None:
    corpus = make_corpus(tmp_path)
    target = corpus / "annotations" / "article.yaml"
    target.parent.mkdir()
    reviewed = "article: article\nstatus: reviewed\nannotators: [someone]\nmentions:\n  - {quote: NATO, ref: nato}\n"
    target.write_text(reviewed, encoding="utf-8")
    for force in (False, True):
        with pytest.raises(AnnotationExistsError) as error:
            suggest_annotations(settings_for(corpus), corpus / "articles" / "article.txt", force=force)
        assert error.value.exit_code == 10 and "reviewed" in str(error.value)
        assert target.read_text(encoding="utf-8") == reviewed
    result = CliRunner().invoke(
        cli,
        [
            "--ontology-dir",
            str(ROOT / "ontology"),
            "annotate",
            "suggest",
            str(corpus / "articles" / "article.txt"),
            "--force",
        ],
        env={"PEACEKG_CORPUS_DIR": str(corpus)},
    )
    assert result.exit_code == 10, result.output
    assert "never overwritten" in result.output and "Traceback" not in result.output
    assert target.read_text(encoding="utf-8") == reviewed


def test_unreviewed_draft_is_overwritten_only_with_force(tmp_path) -> None:
    corpus = make_corpus(tmp_path)
    article = corpus / "articles" / "article.txt"
    out = tmp_path / "drafts" / "article.yaml"
    args = ["--ontology-dir", str(ROOT / "ontology"), "annotate", "suggest", str(article), "--out", str(out)]
    env = {"PEACEKG_CORPUS_DIR": str(corpus)}
    first = CliRunner().invoke(cli, args, env=env)
    assert first.exit_code == 0, first.output
    assert f"wrote draft {out}" in first.output
    out.write_text(out.read_text(encoding="utf-8") + "# hand edit\n", encoding="utf-8")
    edited = out.read_text(encoding="utf-8")
    second = CliRunner().invoke(cli, args, env=env)
    assert second.exit_code == 10 and "--force" in second.output
    assert out.read_text(encoding="utf-8") == edited
    third = CliRunner().invoke(cli, args + ["--force"], env=env)
    assert third.exit_code == 0, third.output
    assert "# hand edit" not in out.read_text(encoding="utf-8")
    assert not (corpus / "annotations").exists()  # --out was honoured


def test_article_must_be_utf8(tmp_path) -> None:
    corpus = make_corpus(tmp_path)
    article = corpus / "articles" / "article.txt"
    article.write_bytes("Kiev café".encode("latin-1"))
    result = CliRunner().invoke(
        cli,
        ["--ontology-dir", str(ROOT / "ontology"), "annotate", "suggest", str(article)],
        env={"PEACEKG_CORPUS_DIR": str(corpus)},
    )
    assert result.exit_code == 4, result.output
    assert "not UTF-8" in result.output and "article.txt" in result.output and "Traceback" not in result.output
    assert not (corpus / "annotations" / "article.yaml").exists()


def test_unparseable_file_marked_reviewed_is_not_overwritten(tmp_path) -> None:
    corpus = make_corpus(tmp_path)
    out = tmp_path / "article.yaml"
    broken = "article: article\nstatus: reviewed\nmentions:\n  - {quote: NATO, ref: nato\n"
    out.write_text(broken, encoding="utf-8")
    with pytest.raises(AnnotationExistsError):
        suggest_annotations(settings_for(corpus), corpus / "articles" / "article.txt", out=out, force=True)
    assert out.read_text(encoding="utf-8") == broken


def test_article_without_metadata_is_searched_whole(tmp_path) -> None:
    corpus = make_corpus(tmp_path)
    article = tmp_path / "new.txt"
    article.write_text("NATO met in Brussels. “No deal yet,” said Ilse Brandt, an official.\n", encoding="utf-8")
    draft = yaml.safe_load(
        suggest_annotations(settings_for(corpus), article, out=tmp_path / "new.yaml").read_text(encoding="utf-8")
    )
    assert draft["article"] == "new" and "no metadata file new.yaml" in draft["note"]
    assert {"quote": "NATO", "ref": "nato"} in draft["mentions"]
    [claim] = statements(draft, "Claim")
    assert claim["by"] == ["ilse-brandt"]


def test_draft_is_the_same_under_every_hash_seed(tmp_path) -> None:
    import os
    import subprocess
    import sys

    corpus = make_corpus(tmp_path)
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / f"draft-{seed}.yaml"
        env = {
            **os.environ,
            "PYTHONHASHSEED": seed,
            "PEACEKG_CORPUS_DIR": str(corpus),
            "PEACEKG_ONTOLOGY_DIR": str(ROOT / "ontology"),
        }
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "kg.cli",
                "annotate",
                "suggest",
                str(corpus / "articles" / "article.txt"),
                "--out",
                str(out),
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
