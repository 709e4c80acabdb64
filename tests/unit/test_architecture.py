"""The architecture the tree promises (README.md, "Layout"), checked: the import contracts in
pyproject.toml ([tool.importlinter]), what import-linter cannot see (I/O calls in the pure
packages), and the shape of the packages themselves."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers.paths import ROOT

# Calls that reach files, processes or the network. Methods are matched by name, so a pure
# module may not even call a method of its own with one of these names.
IO_FUNCTIONS = {"open", "print", "input", "exec", "eval", "__import__"}
IO_METHODS = {
    "read_text", "write_text", "read_bytes", "write_bytes", "open", "mkdir", "rmdir", "unlink", "rename",
    "touch", "iterdir", "glob", "rglob", "exists", "is_file", "is_dir", "stat", "symlink_to", "urlopen",
    "system", "popen", "spawn", "connect", "send", "recv", "query", "update", "load", "dump", "fdopen", "fsync",
    "chmod", "mkstemp", "makedirs", "remove", "walk", "listdir", "scandir",
}  # fmt: skip
PURE = ["kg/mapping", "kg/sparql/lexer.py"]
TOP_LEVEL = {  # the only modules beside the packages: cross-cutting, each with its reason
    # kg.settings is the registry everything imports; kg.settings_sources reads its sources (file, env, flags)
    "kg": {"__init__.py", "settings.py", "settings_sources.py", "errors.py", "serialize.py"},
    "service": {"__init__.py", "errors.py", "auth.py", "cors.py", "health.py", "cli.py", "state.py"},
}


def _python_files(target: str) -> list[Path]:
    path = ROOT / target
    return sorted(path.rglob("*.py")) if path.is_dir() else [path]


def _io_calls(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if not isinstance(node, ast.Call):
            continue
        if isinstance(node.func, ast.Name) and node.func.id in IO_FUNCTIONS:
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.func.id}()")
        elif isinstance(node.func, ast.Attribute) and node.func.attr in IO_METHODS:
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}: .{node.func.attr}()")
    return found


def test_import_contracts_are_kept() -> None:
    """kg never imports service; mapping and the lexer import no I/O modules; views and protocol
    reach the engine only through service.execution; the library's layers point one way."""
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    if lint is None:
        pytest.fail("lint-imports (import-linter) is not installed: `make install` installs the test extra")
    done = subprocess.run([lint, "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "0 broken" in done.stdout


@pytest.mark.parametrize("target", PURE)
def test_pure_code_makes_no_io_calls(target: str) -> None:
    calls = [call for path in _python_files(target) for call in _io_calls(path)]
    assert not calls, "I/O in code that must stay pure:\n" + "\n".join(calls)


def test_the_io_check_finds_io() -> None:
    """The check above can fail: it finds the I/O of a module that does I/O."""
    found = {call.rsplit(": ", 1)[1] for call in _io_calls(ROOT / "kg" / "serialize.py")}
    assert {".mkdir()", ".read_bytes()", ".fdopen()", ".mkstemp()"} <= found, found


@pytest.mark.parametrize("package", sorted(TOP_LEVEL))
def test_top_level_holds_packages_and_a_few_cross_cutting_modules(package: str) -> None:
    modules = {p.name for p in (ROOT / package).glob("*.py")}
    assert modules == TOP_LEVEL[package], f"{package}/: move modules into the sub-package of their concept"


def test_every_package_says_what_it_is_for() -> None:
    """Each package's __init__.py opens with a docstring (what the package is for, what it exports)."""
    missing = []
    for init in sorted([*(ROOT / "kg").rglob("__init__.py"), *(ROOT / "service").rglob("__init__.py")]):
        if "web" in init.relative_to(ROOT).parts:
            continue
        docstring = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        if not docstring or len(docstring.split()) < 8:
            missing.append(str(init.relative_to(ROOT)))
    assert not missing, f"packages without a docstring saying what they are for: {missing}"


@pytest.mark.parametrize("folder", ["kg/mapping", "kg/sparql", "service/protocol", "service/views"])
def test_a_folder_with_a_rule_states_it_in_its_readme(folder: str) -> None:
    readme = ROOT / folder / "README.md"
    assert readme.is_file() and "Rule:" in readme.read_text(encoding="utf-8"), f"{folder}/README.md states its rule"
