"""YAML that remembers where each value was written, so errors can name file, line and field.

Read by libyaml (PyYAML's C composer) when it reads a text as PyYAML's pure-Python composer does,
else by the latter, whose errors are the ones reported; the values are typed by PyYAML's rules."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor

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


# The scalar types the corpus uses, built straight from the node: the same constructors that
# ``safe_load`` would call on the scalar's text (str needs none: its value is the text).
_STR = "tag:yaml.org,2002:str"
_CONSTRUCTOR = SafeConstructor()
_DIRECT = {
    tag: SafeConstructor.yaml_constructors[tag]
    for tag in (f"tag:yaml.org,2002:{name}" for name in ("null", "bool", "int", "float", "timestamp"))
}
# libyaml composes the same nodes, marks and tags as PyYAML's pure-Python composer, 5x faster, except
# on two things it reads differently: a tab between tokens (PyYAML: a syntax error; libyaml: a space)
# and a '?' inside a plain scalar in a flow collection (PyYAML: a key indicator, mostly an error;
# libyaml: part of the scalar). A text with either is composed by PyYAML, as is any text libyaml
# rejects, so that every error is PyYAML's (tests/unit/test_yaml_loading.py compares the two).
_LIBYAML = getattr(yaml, "CSafeLoader", None)


class _ReadDifferently(Exception):
    """libyaml composed a plain scalar with '?' in a flow collection: PyYAML reads it otherwise."""


def _scalar(node: yaml.ScalarNode) -> Any:
    """The value ``safe_load`` gives the scalar (PyYAML's typing rules; a bad date stays text). An
    empty value is None: the previous loader serialised each scalar alone and loaded that, which
    raised on an empty one (an empty document, '...')."""
    if node.tag == _STR:
        return node.value
    try:
        construct = _DIRECT.get(node.tag)
        if construct is not None:
            return construct(_CONSTRUCTOR, node)
        return yaml.safe_load(yaml.serialize(node))  # any other tag: as written, by safe_load
    except ValueError:
        return node.value  # looks like a timestamp but is not a date (2025-13-02): keep the text


def _walk(node: yaml.Node, path: Path_, lines: dict[Path_, int], flow: bool = False) -> Any:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        inside = flow or bool(node.flow_style)
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):  # '? [a, b]': PyYAML composes it, no dict holds it
                raise SourceSyntaxError(
                    "a key is a plain word, not a list or a mapping",
                    line=key_node.start_mark.line + 1,
                    field=_dotted(path) or None,
                )
            key = key_node.value
            if inside and isinstance(key_node, yaml.ScalarNode) and not key_node.style and "?" in key:
                raise _ReadDifferently
            if key in result:
                raise SourceSyntaxError(
                    f"duplicate key {key!r}", line=key_node.start_mark.line + 1, field=_dotted(path + (key,))
                )
            result[key] = _walk(value_node, path + (key,), lines, inside)
            lines[path + (key,)] = key_node.start_mark.line + 1
        return result
    if isinstance(node, yaml.SequenceNode):
        inside = flow or bool(node.flow_style)
        return [_walk(item, path + (i,), lines, inside) for i, item in enumerate(node.value)]
    assert isinstance(node, yaml.ScalarNode)
    if flow and not node.style and "?" in node.value:
        raise _ReadDifferently
    try:
        return _scalar(node)
    except yaml.YAMLError:  # a tag safe_load has no constructor for ('!foo bar')
        raise SourceSyntaxError(
            f"unknown YAML tag {node.tag!r} (write the value without a tag)",
            line=node.start_mark.line + 1,
            field=_dotted(path) or None,
        ) from None


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
    if _LIBYAML is not None and "\t" not in text:
        try:
            return _document(name, yaml.compose(text, Loader=_LIBYAML))
        except (yaml.YAMLError, _ReadDifferently, SourceSyntaxError):
            pass  # PyYAML decides (it may read the text otherwise) and words the error as it always has
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
    except yaml.reader.ReaderError as exc:  # a control character: YAML allows none
        before = text[: exc.position]
        raise SourceSyntaxError(
            f"YAML syntax error: character U+{exc.character:04X} is not allowed ({exc.reason})",
            file=name,
            line=before.count("\n") + 1,
            column=exc.position - before.rfind("\n"),
            offset=len(before.encode("utf-8")),
        ) from None
    return _document(name, node)


def _document(name: str, node: yaml.Node | None) -> YamlDocument:
    lines: dict[Path_, int] = {}
    try:
        value = _walk(node, (), lines) if node is not None else None
    except SourceSyntaxError as exc:
        exc.file = name
        raise
    return YamlDocument(name, value, lines)
