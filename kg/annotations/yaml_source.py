"""YAML that remembers where each value was written, so errors can name file, line and field."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kg.errors import SourceSyntaxError

Path_ = tuple[str | int, ...]


@dataclass
class YamlDocument:
    """Parsed YAML plus the 1-based line of every mapping key and sequence item."""

    file: str
    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)

    def line(self, path: Path_) -> int | None:
        """The line of ``path``, or of its nearest parent that has one."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), None)


def _walk(node: yaml.Node, path: Path_, lines: dict[Path_, int]) -> Any:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = key_node.value
            if key in result:
                raise SourceSyntaxError(
                    f"duplicate key {key!r}", line=key_node.start_mark.line + 1, field=_dotted(path + (key,))
                )
            result[key] = _walk(value_node, path + (key,), lines)
            lines[path + (key,)] = key_node.start_mark.line + 1
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_walk(item, path + (i,), lines) for i, item in enumerate(node.value)]
    try:
        return yaml.safe_load(yaml.serialize(node))  # scalars: reuse PyYAML's typing rules
    except ValueError:
        return node.value  # looks like a timestamp but is not a date (2025-13-02): keep the text


def _dotted(path: Path_) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def dotted(path: Path_) -> str:
    """``statements[3].evidence[0].quote`` for a path."""
    return _dotted(path)


def load_yaml(path: Path, display: str | None = None) -> YamlDocument:
    """Parse one YAML file; syntax errors and non-UTF-8 bytes raise SourceSyntaxError with the line."""
    name = display or str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise SourceSyntaxError("file not found", file=name) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise SourceSyntaxError(
            f"not UTF-8 at byte {exc.start} ({exc.reason}); save the file as UTF-8",
            file=name,
            line=line,
            offset=exc.start,
        ) from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        raise SourceSyntaxError(
            f"YAML syntax error: {exc.problem}",
            file=name,
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
        ) from None
    lines: dict[Path_, int] = {}
    try:
        value = _walk(node, (), lines) if node is not None else None
    except SourceSyntaxError as exc:
        exc.file = name
        raise
    return YamlDocument(name, value, lines)
