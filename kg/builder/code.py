"""The code a build's output depends on, found by following imports, not listed by hand.

A cached graph may be reused only while the code that made it is the same. That code is every
``kg`` module reachable by imports from the modules that load, map, validate and infer (the
roots below), including imports inside functions and each package's ``__init__``. A module added
to the mapping's imports tomorrow is fingerprinted without anyone remembering to list it.
"""

from __future__ import annotations

import io
import tokenize
from collections.abc import Iterator
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


def _logical_lines(source: str) -> Iterator[list[tokenize.TokenInfo]]:
    """The significant tokens of each logical line (a parenthesised import spans several lines)."""
    line: list[tokenize.TokenInfo] = []
    skip = {tokenize.COMMENT, tokenize.NL, tokenize.INDENT, tokenize.DEDENT, tokenize.ENCODING}
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type in (tokenize.NEWLINE, tokenize.ENDMARKER) or (token.type == tokenize.OP and token.string == ";"):
            if line:
                yield line
            line = []
        elif token.type not in skip:
            line.append(token)


def _dotted(tokens: list[tokenize.TokenInfo], start: int) -> str:
    """The dotted name (leading dots included) that starts at ``tokens[start]``."""
    parts, i = [], start
    while i < len(tokens) and (tokens[i].type == tokenize.NAME or tokens[i].string in (".", "...")):
        if tokens[i].string in ("import", "as"):
            break
        parts.append(tokens[i].string)
        i += 1
    return "".join(parts)


def _imported(path: Path) -> set[str]:
    """Every module name an import statement of ``path`` may load (``from a import b`` names both
    ``a`` and ``a.b``, since ``b`` may be a submodule). Read with the tokenizer, not ``ast``:
    CPython 3.11's AST constructor keeps a process-wide depth counter that concurrent or
    interrupted parses can leave wrong, after which every ``ast.parse`` in that process fails."""
    here = _module_of(path).split(".")
    package = here if path.name == "__init__.py" else here[:-1]
    names: set[str] = set()
    for line in _logical_lines(path.read_text(encoding="utf-8")):
        words = [t.string for t in line]
        if words[0] == "import":
            for chunk in " ".join(words[1:]).split(","):
                names.add(chunk.split(" as ")[0].replace(" ", ""))
        elif words[0] == "from" and "import" in words:
            base = _dotted(line, 1)
            level = len(base) - len(base.lstrip("."))
            base = base.lstrip(".")
            if level:
                anchor = package[: len(package) - level + 1]
                base = ".".join([*anchor, base]) if base else ".".join(anchor)
            names.add(base)
            imported = [w for w in words[words.index("import") + 1 :] if w not in ("(", ")")]
            for chunk in " ".join(imported).split(","):
                name = chunk.split(" as ")[0].strip()
                if name and name != "*":
                    names.add(f"{base}.{name}")
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
