"""``peacekg synth``: a deterministic synthetic corpus for benchmarks and scale tests.

Each article has a text with real character offsets (a headline, a body, sometimes a byline and a
reader comment with its like counter) and an annotation file of the same shape as the hand-made
ones: mentions, entities (proposals with provisions, security guarantees, propositions, one-off
sources), roles and statements (claims with stances, positions, figures, precedent invocations,
event reports), every statement evidenced by an exact quote. Actors and targets are drawn
Zipf-like from the real reference individuals plus generated ones (kg.synthetic.population).

The same (articles, seed) gives byte-identical files. The output is a corpus folder the build
takes as is (``PEACEKG_CORPUS_DIR`` or ``corpus_dir``); it never touches the real corpus.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from kg.annotations.vocabulary import VocabularyIndex
from kg.errors import PeaceKGError
from kg.synthetic.article import ArticleMaker
from kg.synthetic.population import Individual, Ranked, build_population

DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class SynthError(PeaceKGError):
    """The output folder cannot be used."""

    exit_code = 1


@dataclass
class SynthReport:
    out: Path
    articles: int
    statements: int
    mentions: int
    reference_individuals: int


def article_id(seed: int, index: int) -> str:
    return f"{index:06d}_{hashlib.sha256(f'synthetic:{seed}:{index}'.encode()).hexdigest()[:16]}"


def _dump(data: Any) -> str:
    return yaml.dump(data, Dumper=DUMPER, sort_keys=False, allow_unicode=True, width=100_000, default_flow_style=None)


def generate(
    out: Path,
    articles: int,
    seed: int,
    *,
    reference_dir: Path,
    vocabulary: VocabularyIndex,
    density: float = 2.0,
    force: bool = False,
    progress=lambda message: None,
) -> SynthReport:
    """Write a synthetic corpus of ``articles`` articles to ``out`` (see the module docstring)."""
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        if not force:
            raise SynthError(f"{out} is not empty (use --force to replace its articles, annotations and reference)")
        for sub in ("articles", "annotations", "reference"):
            shutil.rmtree(out / sub, ignore_errors=True)
    for sub in ("articles", "annotations", "reference"):
        (out / sub).mkdir(parents=True, exist_ok=True)
    pop = build_population(reference_dir, vocabulary, articles, seed)
    for path in sorted(reference_dir.glob("*.yaml")):
        shutil.copyfile(path, out / "reference" / path.name)
    header = (
        f"# Synthetic reference individuals (peacekg synth --articles {articles} --seed {seed}); generated, not real.\n"
    )
    (out / "reference" / "synthetic.yaml").write_text(header + _dump(pop.reference_yaml), encoding="utf-8")
    pool: list[Individual] = []
    statements = mentions = 0
    start = dt.date(2025, 1, 1)
    for i in range(articles):
        aid = article_id(seed, i)
        published = start + dt.timedelta(days=(i * 330) // max(articles, 1))
        maker = ArticleMaker(i, aid, random.Random(f"synthetic:{seed}:{i}"), pop, pool, published, density)
        text, meta, annotations = maker.make()
        (out / "articles" / f"{aid}.txt").write_bytes(text.encode("utf-8"))
        (out / "articles" / f"{aid}.yaml").write_text(_dump(meta), encoding="utf-8")
        (out / "annotations" / f"{aid}.yaml").write_text(_dump(annotations), encoding="utf-8")
        statements += len(annotations.get("statements", []))
        mentions += len(annotations.get("mentions", []))
        pool.extend(maker.proposals)
        del pool[:-200]  # later articles discuss recent proposals
        if (i + 1) % 1000 == 0:
            progress(f"{i + 1}/{articles} articles")
    return SynthReport(out, articles, statements, mentions, len(pop.reference_yaml))


__all__ = ["Ranked", "SynthError", "SynthReport", "article_id", "generate"]
