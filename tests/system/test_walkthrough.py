"""docs/walkthrough.md cannot go stale: its ```python blocks run in order, in one namespace, against
a build of the seed corpus (the block that queries a service gets a real one on 127.0.0.1), and its
`peacekg plot` lines run through the CLI."""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import cli

from helpers.paths import ROOT
from helpers.servers import running_service

pytestmark = pytest.mark.slow
WALKTHROUGH = ROOT / "docs" / "walkthrough.md"
DEFAULT_SERVICE = "http://127.0.0.1:8765"
_FENCE = re.compile(r"^```(\w+)\n(.*?)^```$", re.S | re.M)


def blocks(language: str) -> list[str]:
    return [code for lang, code in _FENCE.findall(WALKTHROUGH.read_text(encoding="utf-8")) if lang == language]


def cli_lines() -> list[str]:
    return [
        line.strip()
        for code in blocks("sh")
        for line in code.splitlines()
        if line.strip().startswith(("peacekg plot", "peacekg query"))
    ]


@pytest.fixture(scope="module")
def seed(seed_build):
    return seed_build


def test_the_walkthrough_answers_five_questions() -> None:
    text = WALKTHROUGH.read_text(encoding="utf-8")
    assert len(re.findall(r"^## [1-5]\. .+\?$", text, re.M)) == 5
    assert len(blocks("python")) >= 5 and cli_lines()


def test_python_blocks_run_against_the_seed_build(seed, tmp_path: Path, monkeypatch) -> None:
    for name in list(os.environ):
        if name.startswith("PEACEKG_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("PEACEKG_BUILD_DIR", str(seed.build_dir))
    monkeypatch.chdir(tmp_path)  # the blocks write plot files into the working directory
    namespace: dict = {"__name__": "walkthrough"}
    with running_service(Path(seed.build_dir), tmp_path / "server.log") as base:
        for number, code in enumerate(blocks("python"), 1):
            try:
                exec(
                    compile(code.replace(DEFAULT_SERVICE, base), f"walkthrough.md python block {number}", "exec"),
                    namespace,
                )
            except AssertionError as exc:
                pytest.fail(f"python block {number} of docs/walkthrough.md no longer holds: {exc}\n{code}")
    assert (tmp_path / "stance-matrix.svg").is_file()


@pytest.mark.parametrize("line", cli_lines())
def test_cli_lines_run(seed, tmp_path: Path, monkeypatch, line: str) -> None:
    monkeypatch.chdir(tmp_path)
    args = shlex.split(line, comments=True)[1:]
    redirect = args[args.index(">") + 1] if ">" in args else None
    args = args[: args.index(">")] if redirect else args
    result = CliRunner().invoke(cli, ["--build-dir", str(seed.build_dir), *args])
    assert result.exit_code == 0, f"{line}: {result.output}"
    if "--output" in args:
        assert (tmp_path / args[args.index("--output") + 1]).stat().st_size > 1000
    if args[0] == "query":
        assert len(result.output.splitlines()) > 3, f"{line}: too few rows:\n{result.output}"
