"""Builds of the test-data corpus with drafts in it, shared by the draft and dossier page tests
(tests/service/test_draft_pages.py, tests/service/test_dossier_pages.py): statement s2 of
fx-001 (Exempla's position, Ruritania's demand) and the mention of Ruritania are marked
``review: draft``, everything else stays reviewed; built with or without ``include_drafts``."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

from flask.testing import FlaskClient

from kg.builder.pipeline import build
from service import create_app
from service.state import state

from helpers.corpora import settings_for
from helpers.paths import DATA

# how every HTML page marks a draft
DRAFT_BADGE = re.compile(r'<span class="badge draft"[^>]*>draft</span>')


def draft_corpus_client(tmp_path: Path, include_drafts: bool) -> Iterator[FlaskClient]:
    """A test client of the service over the corpus with its drafts (a generator, for a fixture to
    ``yield from``: the service's worker pool is closed when the fixture ends)."""
    corpus = tmp_path / "corpus"
    shutil.copytree(DATA / "corpus", corpus)
    path = corpus / "annotations" / "fx-001.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("  - id: s2\n", "  - id: s2\n    review: draft\n", 1)
    text = text.replace("{quote: Ruritania, ref: ruritania}", "{quote: Ruritania, ref: ruritania, review: draft}", 1)
    path.write_text(text, encoding="utf-8")
    settings = settings_for(tmp_path, corpus).replace(include_drafts=include_drafts)
    build(settings)
    app = create_app(settings)
    yield app.test_client()
    state(app).pool.close()
