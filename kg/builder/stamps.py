"""Answering "nothing changed" without reading the corpus: a stamp of every input file.

After a build, ``<build_dir>/cache/inputs.json`` records, for the build it made, each input file's
size, modification time and SHA-256 (taken *before* the build read the files, so an edit made
during a build is seen by the next one), the fingerprint of the build code and the settings that
shape the output. The next build lists the files again: a file whose size and time are the same
is taken as unchanged without reading it, unless its time is within ``RACY_NS`` of when the stamp
was taken (an edit in the same clock tick could keep both; such a file is hashed, as git does
for "racily clean" entries); any other file is hashed and compared. Same files, same hashes, same
code and settings, and the current store is the one stamped: nothing to do.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.builder import code as build_code
from kg.builder.frozen import long_lived
from kg.ontology.load import OntologySources
from kg.serialize import write_atomic
from kg.settings import Settings

STAMP_VERSION = 1
RACY_NS = 2_000_000_000  # a file modified this close to the stamp is hashed, not trusted by its time


@dataclass
class Stamp:
    """The inputs of a build: files (relative name -> [size, mtime_ns, sha256]) and the rest."""

    files: dict[str, list[Any]]
    context: dict[str, str]
    taken_ns: int
    build: str = ""
    hashed: int = field(default=0, compare=False)  # files read to decide (stat did not settle them)
    links: frozenset[str] = field(default=frozenset(), compare=False)  # files that are symbolic links
    code_files: dict[str, list[int]] = field(default_factory=dict, compare=False)  # kg/**.py -> [size, mtime_ns]

    def sha256(self, name: str) -> str | None:
        """The SHA-256 of the input file of that name (``corpus/articles/<id>.txt``,
        ``ontology/…``) when it was stamped, else None (no such file)."""
        known = self.files.get(name)
        return known[2] if known else None


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


CORPUS_FOLDERS = (("articles", (".txt", ".yaml")), ("reference", (".yaml",)), ("annotations", (".yaml",)))


def _input_entries(settings: Settings) -> list[tuple[str, os.DirEntry[str] | _File]]:
    """Every file a build reads, by a stable name: the corpus's article, metadata, reference and
    annotation files, and the ontology's sources (shapes and data checks included); as directory
    entries, not Paths (30,000 files at 10,000 articles)."""
    corpus = os.fspath(settings.corpus_dir)
    files: list[tuple[str, os.DirEntry[str] | _File]] = []
    for folder, suffixes in CORPUS_FOLDERS:
        try:
            with os.scandir(os.path.join(corpus, folder)) as entries:
                for entry in entries:
                    if entry.name.endswith(suffixes) and entry.is_file():
                        files.append((f"corpus/{folder}/{entry.name}", entry))
        except FileNotFoundError:
            continue
    sources = OntologySources.find(Path(settings.ontology_dir))
    for path in (sources.main, *sources.vocab, *sources.shapes, *sources.data_checks):
        files.append((f"ontology/{path.relative_to(sources.root).as_posix()}", _File(os.fspath(path))))
    return files


class _File:
    """A path that answers as a directory entry does (``path``, ``stat``, ``is_symlink``)."""

    def __init__(self, path: str):
        self.path = path

    def stat(self) -> os.stat_result:
        return os.stat(self.path)

    def is_symlink(self) -> bool:
        return os.path.islink(self.path)


def context(settings: Settings, code: str) -> dict[str, str]:
    """What besides the files decides the output: the code and the settings the build reads."""
    return {
        "version": str(STAMP_VERSION),
        "code": code,
        "base_iri": settings.base_iri,
        "include_drafts": str(settings.include_drafts).lower(),
        "corpus_dir": str(Path(settings.corpus_dir).resolve()),
        "ontology_dir": str(Path(settings.ontology_dir).resolve()),
    }


def take(settings: Settings, code: str | Callable[[], str], previous: Stamp | None = None) -> Stamp:
    """Stamp the inputs now; a file whose size and time match ``previous`` (and are not racy)
    keeps its recorded hash without being read. ``code`` is the build code's fingerprint, or the
    function that computes it (kg.builder.pipeline.code_fingerprint): then it is called only
    when a source file of the package differs in size or time from ``previous``'s record (or is
    racy), as for the input files (the import walk is 0.1-0.2 s of a one-article rebuild)."""
    with long_lived():
        now = time.time_ns()
        sources = _code_files()
        if callable(code):
            code = _known_code(previous, sources) or code()
        stamp = _take(settings, code, previous, now)
        stamp.code_files = sources
        return stamp


def _code_files() -> dict[str, list[int]]:
    """Every source file of the package (a superset of what the build's code reaches by imports)
    with its size and modification time."""
    package = build_code.PACKAGE_DIR
    files: dict[str, list[int]] = {}
    for folder, dirs, names in os.walk(package):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in names:
            if name.endswith(".py"):
                st = os.stat(os.path.join(folder, name))
                files[os.path.relpath(os.path.join(folder, name), package.parent)] = [st.st_size, st.st_mtime_ns]
    return files


def _known_code(previous: Stamp | None, sources: dict[str, list[int]]) -> str | None:
    """The code fingerprint ``previous`` recorded, when every source file is as it recorded it
    and none was modified racily close to it."""
    if previous is None or previous.code_files != sources:
        return None
    if any(mtime >= previous.taken_ns - RACY_NS for _size, mtime in sources.values()):
        return None
    return previous.context.get("code")


def _take(settings: Settings, code: str, previous: Stamp | None, now: int) -> Stamp:
    files: dict[str, list[Any]] = {}
    links: set[str] = set()
    hashed = 0
    known_files = previous.files if previous is not None else {}
    trusted_before = previous.taken_ns - RACY_NS if previous is not None else 0
    for name, entry in sorted(_input_entries(settings), key=lambda item: item[0]):
        st = entry.stat()  # follows a symbolic link, as reading the file does
        if entry.is_symlink():
            links.add(name)
        known = known_files.get(name)
        if (
            known is not None
            and known[0] == st.st_size
            and known[1] == st.st_mtime_ns
            and st.st_mtime_ns < trusted_before
        ):
            files[name] = [st.st_size, st.st_mtime_ns, known[2]]
        else:
            files[name] = [st.st_size, st.st_mtime_ns, _sha256(Path(entry.path))]
            hashed += 1
    return Stamp(files, context(settings, code), now, hashed=hashed, links=frozenset(links))


def stamp_path(settings: Settings) -> Path:
    return Path(settings.build_dir) / "cache" / "inputs.json"


def read(settings: Settings) -> Stamp | None:
    """The stamp of the last build, or None (missing, unreadable, another format)."""
    try:
        with long_lived():  # 30,000 files' entries
            data = json.loads(stamp_path(settings).read_text(encoding="utf-8"))
        stamp = Stamp(data["files"], data["context"], int(data["taken_ns"]), data["build"])
        stamp.code_files = data.get("code_files", {})
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return stamp if stamp.context.get("version") == str(STAMP_VERSION) else None


def write(settings: Settings, stamp: Stamp) -> None:
    """Record the stamp (atomically; a stamp that cannot be written only costs the next no-op)."""
    body = {
        "build": stamp.build,
        "taken_ns": stamp.taken_ns,
        "context": stamp.context,
        "files": stamp.files,
        "code_files": stamp.code_files,
    }
    try:
        write_atomic(stamp_path(settings), json.dumps(body, sort_keys=True))
    except OSError:
        with contextlib.suppress(OSError):
            stamp_path(settings).unlink(missing_ok=True)  # better no stamp than an old one


def same_inputs(a: Stamp, b: Stamp) -> bool:
    """The same files with the same content, the same code and settings."""
    return a.context == b.context and {k: v[2] for k, v in a.files.items()} == {k: v[2] for k, v in b.files.items()}
