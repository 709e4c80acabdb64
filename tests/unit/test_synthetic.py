"""The synthetic corpus (kg.synthetic.corpus): valid against the annotation checks and the real build,
shaped like the hand-made corpus, skewed like news, and byte-identical for the same seed."""

from __future__ import annotations

import collections
import hashlib
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from kg.annotations.check import vocabulary_index
from kg.builder.pipeline import build
from kg.cli import cli
from kg.settings import load_settings
from kg.synthetic.corpus import generate

from helpers.paths import ROOT


def _settings(corpus: Path, build_dir: Path):
    """Synthetic annotations are drafts (``review: draft``): they are built with include_drafts."""
    return load_settings(
        config_file=None,
        environ={},
        overrides={
            "corpus_dir": corpus,
            "ontology_dir": ROOT / "ontology",
            "build_dir": build_dir,
            "include_drafts": True,
        },
    )


@pytest.fixture(scope="module")
def vocabulary():
    return vocabulary_index(_settings(ROOT / "corpus", ROOT / "build"))


def _synth(out: Path, articles: int, seed: int, vocabulary) -> Path:
    generate(out, articles, seed, reference_dir=ROOT / "corpus" / "reference", vocabulary=vocabulary)
    return out


def _tree_digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_twenty_articles_build_with_the_real_build(tmp_path: Path, vocabulary) -> None:
    corpus = _synth(tmp_path / "corpus", 20, 7, vocabulary)
    report = build(_settings(corpus, tmp_path / "build"))
    articles = {name: n for name, n in report.graphs.items() if name.startswith("article/")}
    assert len(articles) == 20 and report.build is not None
    # Each synthetic article maps to a few hundred triples (the seed articles: 3,000–7,000).
    assert all(40 <= n <= 1500 for n in articles.values()), articles
    assert 1_500 <= sum(articles.values()) <= 12_000
    # ontology (~2.4k) + reference (~1.7k real, plus generated) + articles + inferred
    assert 8_000 <= report.triples <= 25_000, report.graphs


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path, vocabulary) -> None:
    first = _tree_digest(_synth(tmp_path / "a", 30, 11, vocabulary))
    again = _tree_digest(_synth(tmp_path / "b", 30, 11, vocabulary))
    other = _tree_digest(_synth(tmp_path / "c", 30, 12, vocabulary))
    assert first == again
    assert first != other
    assert sum(1 for name in first if name.startswith("articles/") and name.endswith(".txt")) == 30


def test_shapes_like_the_real_corpus_and_skewed_like_news(tmp_path: Path, vocabulary) -> None:
    corpus = _synth(tmp_path / "corpus", 300, 5, vocabulary)
    kinds, speakers, provisions = collections.Counter(), collections.Counter(), collections.Counter()
    offsets_checked = 0
    for path in sorted((corpus / "annotations").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        text = (corpus / "articles" / f"{path.stem}.txt").read_text(encoding="utf-8")
        for statement in data.get("statements", []):
            kinds[statement["type"]] += 1
            speakers.update(statement.get("by", []))
            provisions.update(p["type"] for p in statement.get("provisions", []))
            for quote in statement["evidence"]:
                assert (quote if isinstance(quote, str) else quote["quote"]) in text
                offsets_checked += 1
        for entity in data.get("entities", []):
            provisions.update(p["type"] for p in entity.get("provisions", []))
    assert set(kinds) == {"Claim", "Position", "ReportedFigure", "PrecedentInvocation", "EventReport"}
    assert kinds["Claim"] > kinds["Position"] > kinds["PrecedentInvocation"]
    assert len(provisions) >= 7 and offsets_checked > 500
    # Zipf-like: a head of frequent speakers and a long tail of rare ones.
    counts = sorted(speakers.values(), reverse=True)
    assert counts[0] >= 8 * counts[len(counts) // 2]
    assert sum(1 for c in counts if c == 1) >= len(counts) // 4
    assert sum(counts[:10]) >= 0.3 * sum(counts)


def test_cli_writes_a_corpus_and_refuses_to_overwrite(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "synthetic"
    args = ["synth", "--articles", "3", "--seed", "2", "--out", str(out)]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "wrote 3 synthetic articles" in result.output
    assert len(list((out / "annotations").glob("*.yaml"))) == 3
    assert (out / "reference" / "synthetic.yaml").is_file()
    again = runner.invoke(cli, args)
    assert again.exit_code == 1 and "not empty" in again.output
    assert runner.invoke(cli, args + ["--force"]).exit_code == 0
