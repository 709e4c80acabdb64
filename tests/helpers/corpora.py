"""Small corpora and the settings to build them in a private folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from kg.settings import Settings, load_settings

from helpers.paths import DATA, ROOT


def make_corpus(tmp_path: Path, articles: int = 2) -> Path:
    """The fixture corpus, with its article copied under further ids (fx-002…)."""
    corpus = tmp_path / "corpus"
    shutil.copytree(DATA / "corpus", corpus)
    for n in range(2, articles + 1):
        new = f"fx-{n:03d}"
        for sub, suffix in (("articles", ".txt"), ("articles", ".yaml"), ("annotations", ".yaml")):
            text = (corpus / sub / f"fx-001{suffix}").read_text(encoding="utf-8")
            if suffix == ".yaml":
                text = text.replace("fx-001", new).replace("key: lakeside-plan", f"key: lakeside-plan-{n}")
                text = text.replace("target: [lakeside-plan]", f"target: [lakeside-plan-{n}]")
            (corpus / sub / f"{new}{suffix}").write_text(text, encoding="utf-8")
    return corpus


def settings_for(tmp_path: Path, corpus: Path, build_dir: str = "build", ontology: Path | None = None) -> Settings:
    return load_settings(
        config_file=None,
        environ={},
        overrides={
            "corpus_dir": corpus,
            "ontology_dir": ontology or ROOT / "ontology",
            "build_dir": tmp_path / build_dir,
        },
    )


def ontology_requiring_direct_quote(tmp_path: Path) -> Path:
    """A copy of the ontology whose statement shape requires pk:directQuote, which the small
    corpora's statements leave out: every build of them violates the shapes."""
    ontology = tmp_path / "ontology"
    shutil.copytree(ROOT / "ontology", ontology)
    shapes = ontology / "shapes" / "statements.ttl"
    shapes.write_text(
        shapes.read_text(encoding="utf-8").replace(
            "sh:property [ sh:path pk:directQuote ; sh:maxCount 1 ; sh:datatype xsd:boolean ] ;",
            "sh:property [ sh:path pk:directQuote ; sh:minCount 1 ; sh:datatype xsd:boolean ] ;",
        ),
        encoding="utf-8",
    )
    return ontology


def corpus_with_ids(tmp_path: Path, ids: dict[str, str]) -> Path:
    """The fixture corpus, with verified Wikidata ids (fictional, test-only) added to some individuals."""
    corpus = tmp_path / "corpus"
    shutil.copytree(DATA / "corpus", corpus)
    path = corpus / "reference" / "fixture.yaml"
    items = yaml.safe_load(path.read_text(encoding="utf-8"))
    for item in items:
        if item["key"] in ids:
            item["wikidata"] = {"id": ids[item["key"]], "status": "verified", "checked": "test fixture"}
    path.write_text(yaml.safe_dump(items, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return corpus
