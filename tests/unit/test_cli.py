"""The thin CLI: commands call the library, print outcomes and exit with the documented codes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import cli

from helpers.paths import ROOT


def run(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


@pytest.mark.slow
def test_ontology_check_passes_on_the_repository() -> None:
    result = run("--ontology-dir", str(ROOT / "ontology"), "ontology", "check")
    assert result.exit_code == 0, result.output
    assert "ontology check passed" in result.output


def test_syntax_error_exits_4_with_file_and_line(tmp_path: Path) -> None:
    copy = tmp_path / "ontology"
    shutil.copytree(ROOT / "ontology", copy)
    main = copy / "peacekg.ttl"
    main.write_text(main.read_text(encoding="utf-8") + "\npk:Broken a owl:Class ;\n", encoding="utf-8")
    result = run("--ontology-dir", str(copy), "ontology", "check")
    assert result.exit_code == 4
    assert "peacekg.ttl:" in result.output and "Turtle syntax error" in result.output
    assert "Traceback" not in result.output


@pytest.mark.slow
def test_failing_quality_check_exits_5(tmp_path: Path) -> None:
    copy = tmp_path / "ontology"
    shutil.copytree(ROOT / "ontology", copy)
    main = copy / "peacekg.ttl"
    main.write_text(
        main.read_text(encoding="utf-8") + "\npk:Nameless a owl:Class ; rdfs:subClassOf pk:Agent .\n", encoding="utf-8"
    )
    result = run("--ontology-dir", str(copy), "ontology", "check")
    assert result.exit_code == 5
    assert "FAIL check missing-label" in result.output and "pk/" not in result.output.split("FAIL")[0][-1:]


def test_config_error_exits_3() -> None:
    result = run("settings", env={"PEACEKG_BASE_IRI": "not an iri"})
    assert result.exit_code == 3
    assert "base_iri" in result.output


def peacekg_subprocess(*args: str, hash_seed: int) -> subprocess.CompletedProcess:
    """Run the CLI in a fresh interpreter: set and dict orders differ between hash seeds."""
    env = {**os.environ, "PYTHONHASHSEED": str(hash_seed)}
    return subprocess.run(
        [sys.executable, "-m", "kg.cli", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )


def test_release_is_byte_for_byte_reproducible(tmp_path: Path) -> None:
    for seed, folder in ((1, "a"), (2, "b")):
        done = peacekg_subprocess("--build-dir", str(tmp_path / folder), "ontology", "release", hash_seed=seed)
        assert done.returncode == 0, done.stderr
    names = sorted(p.name for p in (tmp_path / "a" / "ontology").iterdir())
    assert names == ["peacekg.nt", "peacekg.owl", "peacekg.ttl", "shapes.ttl"]
    for name in names:
        assert (tmp_path / "a" / "ontology" / name).read_bytes() == (tmp_path / "b" / "ontology" / name).read_bytes(), (
            name
        )
    again = run("--ontology-dir", str(ROOT / "ontology"), "--build-dir", str(tmp_path / "a"), "ontology", "release")
    assert again.output.count("unchanged") == 4


def test_released_ontology_round_trips(tmp_path: Path, ontology_graph) -> None:
    import rdflib
    from rdflib.compare import isomorphic

    run("--ontology-dir", str(ROOT / "ontology"), "--build-dir", str(tmp_path), "ontology", "release")
    for name, fmt in (("peacekg.ttl", "turtle"), ("peacekg.nt", "nt"), ("peacekg.owl", "xml")):
        assert isomorphic(rdflib.Graph().parse(tmp_path / "ontology" / name, format=fmt), ontology_graph), name


@pytest.mark.parametrize("seed", [3, 4])
def test_committed_reference_page_is_up_to_date(tmp_path: Path, seed: int) -> None:
    """docs/ontology/index.html is generated (make ontology-docs), never edited by hand, and the
    same bytes come out whatever the interpreter's hash seed."""
    fresh = tmp_path / "index.html"
    done = peacekg_subprocess("ontology", "docs", "--out", str(fresh), hash_seed=seed)
    assert done.returncode == 0, done.stderr
    committed = ROOT / "docs" / "ontology" / "index.html"
    assert committed.read_bytes() == fresh.read_bytes(), "run `make ontology-docs`"
