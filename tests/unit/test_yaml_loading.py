"""The corpus loader's YAML (kg.annotations.yaml_source.load_yaml, libyaml where it reads as PyYAML
does) against the loader it replaced (PyYAML's pure-Python composer, every scalar typed by
``safe_load(serialize(node))``; kept verbatim below as the reference): the same values, types and
lines for every file of the seed corpus, the test corpus and a synthetic corpus, and the same
error (message, file, line, column, field, offset) or the same result for broken files — hand-made
ones for what libyaml reads differently, and thousands of seeded mutations of the real files.
Where the previous loader let a traceback through, the new one tells a located error (TRACEBACKS).
"""

from __future__ import annotations

import codecs
import random
from pathlib import Path
from typing import Any

import pytest
import yaml

from kg.annotations import yaml_source
from kg.annotations.articles import shown
from kg.annotations.check import vocabulary_index
from kg.annotations.corpus import load_corpus
from kg.annotations.yaml_source import Path_, YamlDocument, load_yaml
from kg.errors import SourceSyntaxError
from kg.settings import load_settings
from kg.synthetic.corpus import generate

from helpers.paths import DATA, ROOT

# -- the reference: the loader before libyaml (kg/annotations/yaml_source.py at 66512e4) ----------

NULL = "tag:yaml.org,2002:null"


def _previous_walk(node: yaml.Node, path: Path_, lines: dict[Path_, int]) -> Any:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = key_node.value
            if key in result:
                raise SourceSyntaxError(
                    f"duplicate key {key!r}",
                    line=key_node.start_mark.line + 1,
                    field=yaml_source.dotted(path + (key,)),
                )
            result[key] = _previous_walk(value_node, path + (key,), lines)
            lines[path + (key,)] = key_node.start_mark.line + 1
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_previous_walk(item, path + (i,), lines) for i, item in enumerate(node.value)]
    if node.tag == NULL and not node.value:
        return None  # the one change (see EMPTY_VALUES): the round trip below raised on this
    try:
        return yaml.safe_load(yaml.serialize(node))  # scalars: reuse PyYAML's typing rules
    except ValueError:
        return node.value  # looks like a timestamp but is not a date (2025-13-02): keep the text


def test_an_empty_value_was_a_traceback_and_is_none(tmp_path: Path) -> None:
    """The previous loader typed each scalar by serialising it alone and loading that; an empty
    value (``note:``, ``- ``, ``{a}``) serialises as an empty document, ``...``, which safe_load
    refuses, so a file with one was a ParserError traceback instead of a value the checks name.
    Now it is None, as safe_load reads it; the reference below differs from that loader only here."""
    path = tmp_path / "empty.yaml"
    path.write_text("note:\nlist:\n- \n- b\nflow: {a}\n", encoding="utf-8")
    assert (
        load_yaml(path).data
        == yaml.safe_load(path.read_text("utf-8"))
        == {
            "note": None,
            "list": [None, "b"],
            "flow": {"a": None},
        }
    )


def previous_load_yaml(path: Path, display: str | None = None) -> YamlDocument:
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
        value = _previous_walk(node, (), lines) if node is not None else None
    except SourceSyntaxError as exc:
        exc.file = name
        raise
    return YamlDocument(name, value, lines)


# -- comparing outcomes ----------------------------------------------------------------------------


def outcome(load, path: Path) -> tuple:
    """What a loader makes of a file: its values (repr keeps types apart: 1, 1.0, True, a date, a
    string; and NaN equals itself) and lines, or its error with every located field."""
    try:
        doc = load(path, "shown/name.yaml")
    except SourceSyntaxError as exc:
        return ("refused", exc.message, exc.file, exc.line, exc.column, exc.field, exc.offset)
    except Exception as exc:  # what the previous loader let through (a traceback) must stay the same
        return ("raised", type(exc).__name__, str(exc))
    return ("loaded", doc.file, repr(doc.data), sorted(doc.lines.items(), key=repr))


# What the previous loader let through as a traceback, now a located error (see
# test_what_was_a_traceback_is_an_error_at_its_line)
TRACEBACKS = {
    "ReaderError": "YAML syntax error: character U+",
    "ConstructorError": "unknown YAML tag",
    "TypeError": "a key is a plain word",
}


def assert_same(path: Path) -> tuple:
    new, old = outcome(load_yaml, path), outcome(previous_load_yaml, path)
    if old[0] == "raised" and old[1] in TRACEBACKS:
        assert new[0] == "refused" and new[1].startswith(TRACEBACKS[old[1]]), f"{path}: {new[:3]} after {old}"
        return new
    assert new == old, f"{path}: {new[:3]} != {old[:3]}"
    return new


@pytest.mark.parametrize(
    ("text", "line", "field", "message"),
    [
        ("a: 1\nb: x\x07y\n", 2, None, "YAML syntax error: character U+0007 is not allowed"),
        ("a: 1\nb:\n  c: !foo bar\n", 3, "b.c", "unknown YAML tag '!foo'"),
        ("a: 1\n? [x, y]\n: c\n", 2, None, "a key is a plain word, not a list or a mapping"),
        ("a:\n  - k: 1\n    ? {x: 1}\n    : c\n", 3, "a[0]", "a key is a plain word, not a list or a mapping"),
    ],
)
def test_what_was_a_traceback_is_an_error_at_its_line(text, line, field, message, tmp_path: Path) -> None:
    """A control character, a tag safe_load does not know, a key that is a list or a mapping: the
    previous loader raised PyYAML's or Python's exception (a traceback, no file or line); these
    are told as file, line and field now."""
    path = tmp_path / "file.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(Exception) as before:
        previous_load_yaml(path, "a/file.yaml")
    assert not isinstance(before.value, SourceSyntaxError)
    with pytest.raises(SourceSyntaxError) as now:
        load_yaml(path, "a/file.yaml")
    assert (now.value.file, now.value.line, now.value.field) == ("a/file.yaml", line, field)
    assert now.value.message.startswith(message)


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("synthetic") / "corpus"
    settings = load_settings(config_file=None, environ={}, overrides={"corpus_dir": ROOT / "corpus"})
    generate(out, 60, 3, reference_dir=ROOT / "corpus" / "reference", vocabulary=vocabulary_index(settings))
    return out


def corpus_files(*folders: Path) -> list[Path]:
    return [p for folder in folders for p in sorted(folder.rglob("*.yaml"))]


def test_libyaml_is_there() -> None:
    """Without it the loader is correct but 15x slower: the build's figures assume it."""
    assert yaml.__with_libyaml__ and yaml_source._LIBYAML is yaml.CSafeLoader


def test_every_file_of_the_seed_test_and_synthetic_corpora_loads_the_same(synthetic: Path) -> None:
    files = corpus_files(ROOT / "corpus", DATA / "corpus", synthetic)
    assert len(files) > 120
    kinds = {assert_same(path)[0] for path in files}
    assert kinds == {"loaded"}


def test_the_corpus_loads_the_same_with_either_loader(synthetic: Path, monkeypatch) -> None:
    """load_corpus over the seed and synthetic corpora: the same issues, keys and resolved spans."""
    vocabulary = vocabulary_index(load_settings(config_file=None, environ={}, overrides={}))

    def summary(folder: Path) -> tuple:
        corpus = load_corpus(folder, vocabulary)
        spans = {a: repr(sorted(n.spans.items())) for a, n in corpus.annotations.items()}
        return corpus.issues, corpus.keys, spans, {a: repr(n.data) for a, n in corpus.annotations.items()}

    new = [summary(ROOT / "corpus"), summary(synthetic)]
    for module in ("kg.annotations.corpus", "kg.annotations.articles"):
        monkeypatch.setattr(f"{module}.load_yaml", previous_load_yaml)
    assert [summary(ROOT / "corpus"), summary(synthetic)] == new


# Texts libyaml reads otherwise than PyYAML (the loader gives them to PyYAML), and other broken input.
BROKEN = {
    "tab-before-a-value": "article: x\nreview:\treviewed\n",
    "tab-indentation": "mentions:\n\t- quote: Kyiv\n",
    "tab-after-a-list-item": "mentions:\n  - {quote: Kyiv}\t\n",
    "question-mark-in-flow-scalar": "statements:\n  - {id: s1, claim: why ? not}\n",
    "question-mark-in-flow-key": "k: {a ? b: 1}\n",
    "question-mark-in-flow-list": "k: [a, b ? c]\n",
    "question-mark-block-is-fine": 'k: why? not\nl: ["why?"]\n',
    "colon-in-flow": "k: {a: b:c, d: e}\n",
    "duplicate-key": "a: 1\nb: 2\na: 3\n",
    "duplicate-key-then-flow-question": "a: 1\na: 2\nk: [x ? y]\n",
    "unclosed-quote": 'a: "open\nb: 2\n',
    "unclosed-flow": "a: [1, 2\nb: 3\n",
    "bad-indentation": "a:\n  b: 1\n c: 2\n",
    "control-character": "a: b\x07c\n",
    "bom": "\ufeffa: 1\nb: [x, y]\n",
    "bom-inside": "a: b\ufeffc\nd: 2\n",
    "line-separators": "a: x\u2028y\nb: z\x85w\n",
    "unknown-tag": "a: !foo bar\n",
    "unknown-tag-on-mapping": "a: !foo {b: 1}\n",
    "tagged-scalars": "a: !!int '7'\nb: !!str 7\nc: !!float 1\nd: !!binary aGVsbG8=\ne: !!int abc\n",
    "typed-scalars": "a: 2025-13-02\nb: 2025-01-02\nc: 0x1F\nd: 0o17\ne: .nan\nf: -.inf\ng: 1_000\nh: yes\ni: ~\nj: 1e3\n",
    "anchors-and-merge": "a: &x {b: 1}\nc: *x\nd:\n  <<: *x\n  e: 2\n",
    "unknown-alias": "a: *nowhere\n",
    "two-documents": "a: 1\n---\nb: 2\n",
    "empty": "",
    "comment-only": "# nothing\n",
    "a-scalar": "just text\n",
    "block-scalars": "a: |\n  one\n  two\nb: >-\n  three\n  four\n",
    "directive": "%YAML 1.1\n---\na: 1\n",
    "complex-key": "? [a, b]\n: c\n",
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_and_unusual_files_get_the_same_answer(name: str, tmp_path: Path) -> None:
    path = tmp_path / "file.yaml"
    path.write_text(BROKEN[name], encoding="utf-8")
    assert_same(path)


def test_bytes_that_are_not_utf8_get_the_same_error(tmp_path: Path) -> None:
    path = tmp_path / "file.yaml"
    path.write_bytes(codecs.BOM_UTF8 + "a: 1\nb: r\u00e9viewed\n".encode("latin-1"))
    assert assert_same(path)[0] == "refused"
    assert assert_same(tmp_path / "missing.yaml")[0] == "refused"


# What a mutation inserts: YAML's indicators, whitespace libyaml and PyYAML treat differently, and
# characters that are not allowed or count as line breaks.
INSERTS = (
    ":", "-", " ", "\t", "'", '"', "{", "}", "[", "]", "#", "&a ", "*a", "!", "!!int ", "!foo ", "? ", "|",
    ">", "\n", "\n  ", ",", "%", "@", "`", "\x07", "\ufeff", "\u2028", "\x85", "- - ", ": :", "<<: *a",
    "---\n", "...\n", "\r", "\\", "?", " ?x", "{a: b ? c}",
)  # fmt: skip


def mutated(texts: list[str], rng: random.Random) -> str:
    """One of ``texts`` with one to three insertions, deletions or copied fragments."""
    text = rng.choice(texts)
    for _ in range(rng.randint(1, 3)):
        at = rng.randrange(len(text) + 1)
        roll = rng.random()
        if roll < 0.6:
            text = text[:at] + rng.choice(INSERTS) + text[at:]
        elif roll < 0.9:
            text = text[:at] + text[at + rng.randint(1, 5) :]
        else:
            start = rng.randrange(len(text) + 1)
            text = text[:at] + text[start : start + 20] + text[at:]
    return text


@pytest.mark.parametrize("seed", range(4))
def test_mutated_corpus_files_get_the_same_answer(seed: int, synthetic: Path, tmp_path: Path) -> None:
    """500 seeded mutations of the test corpus's and synthetic corpus's files (small, so that the
    pure-Python reference stays quick): each loads to the same values and lines or fails with the
    same error; both kinds of answer occur."""
    texts = [p.read_text("utf-8") for p in corpus_files(DATA / "corpus", synthetic)[:80]]
    rng = random.Random(seed)
    kinds: dict[str, int] = {}
    path = tmp_path / "mutated.yaml"
    for _ in range(500):
        path.write_bytes(mutated(texts, rng).encode("utf-8", "surrogatepass"))
        kind = assert_same(path)[0]
        kinds[kind] = kinds.get(kind, 0) + 1
    assert kinds.get("loaded", 0) > 50 and kinds.get("refused", 0) > 50, kinds


def test_files_are_shown_by_the_same_names(tmp_path: Path, monkeypatch) -> None:
    """kg.annotations.articles.shown resolves each folder once: the names in messages (and in the
    parse cache's keys) are those of resolving each file, through symbolic links and '..'."""

    def previous(path: Path) -> str:
        try:
            return str(path.resolve().relative_to(Path.cwd().resolve()))
        except ValueError:
            return str(path)

    (tmp_path / "work" / "corpus" / "annotations").mkdir(parents=True)
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "work" / "linked").symlink_to(tmp_path / "work" / "corpus")
    (tmp_path / "work" / "out").symlink_to(tmp_path / "elsewhere")
    (tmp_path / "work" / "corpus" / "a.yaml").symlink_to(tmp_path / "elsewhere" / "b.yaml")
    monkeypatch.chdir(tmp_path / "work")
    names = [
        "corpus/annotations/x.yaml",
        "linked/annotations/x.yaml",
        "linked/../corpus/x.yaml",
        "out/x.yaml",
        "corpus/a.yaml",
        str(tmp_path / "work" / "corpus" / "x.yaml"),
        str(tmp_path / "elsewhere" / "x.yaml"),
        ".",
        "..",
        "x.yaml",
    ]
    for name in names:
        assert shown(Path(name)) == previous(Path(name)), name
