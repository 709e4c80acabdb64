"""The code a build's output depends on, found by following imports, not listed by hand.

A cached graph may be reused only while the code that made it is the same. That code is every
``kg`` module reachable by imports from the modules that load, map, validate and infer (the
roots below), including imports inside functions and each package's ``__init__``. A module added
to the mapping's imports tomorrow is fingerprinted without anyone remembering to list it.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parents[1]  # the kg package
PACKAGE = PACKAGE_DIR.name

# What turns sources into graphs: loading and checking the corpus, mapping, SHACL, inference,
# and the pipeline that composes and caches them.
ROOTS = (
    "kg.annotations.check",
    "kg.mapping.dataset",
    "kg.ontology.shacl",
    "kg.builder.inference",
    "kg.builder.pipeline",
)


def module_file(module: str) -> Path | None:
    """The source file of a module of this package, or None (not ours, or not a module)."""
    parts = module.split(".")
    if parts[0] != PACKAGE:
        return None
    base = PACKAGE_DIR.joinpath(*parts[1:])
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _module_of(path: Path) -> str:
    relative = path.relative_to(PACKAGE_DIR).with_suffix("")
    parts = [PACKAGE, *relative.parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported(path: Path) -> set[str]:
    """Every module name an import statement of ``path`` may load (``from a import b`` names both
    ``a`` and ``a.b``, since ``b`` may be a submodule)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    here = _module_of(path).split(".")
    package = here if path.name == "__init__.py" else here[:-1]
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package[: len(package) - node.level + 1]
                base = ".".join([*anchor, base]) if base else ".".join(anchor)
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def _with_parents(module: str) -> list[str]:
    parts = module.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts) + 1)]


def build_code_files(roots: tuple[str, ...] = ROOTS) -> list[Path]:
    """The source files of every kg module the roots reach by imports, sorted."""
    seen: set[Path] = set()
    pending = [name for root in roots for name in _with_parents(root)]
    while pending:
        path = module_file(pending.pop())
        if path is None or path in seen:
            continue
        seen.add(path)
        for name in _imported(path):
            pending.extend(_with_parents(name))
    return sorted(seen)


def relative_name(path: Path) -> str:
    """A file's name relative to the package's parent, the same on every machine."""
    return path.relative_to(PACKAGE_DIR.parent).as_posix()
