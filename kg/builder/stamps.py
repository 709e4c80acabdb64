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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def input_files(settings: Settings) -> dict[str, Path]:
    """Every file a build reads, by a stable name: the corpus's article, metadata, reference
    and annotation files, and the ontology's sources (shapes and data checks included)."""
    corpus = Path(settings.corpus_dir)
    files: dict[str, Path] = {}
    for folder, suffixes in (("articles", (".txt", ".yaml")), ("reference", (".yaml",)), ("annotations", (".yaml",))):
        try:
            entries = list(os.scandir(corpus / folder))
        except FileNotFoundError:
            continue
        for entry in entries:
            if entry.name.endswith(suffixes) and entry.is_file():
                files[f"corpus/{folder}/{entry.name}"] = Path(entry.path)
    sources = OntologySources.find(Path(settings.ontology_dir))
    for path in (sources.main, *sources.vocab, *sources.shapes, *sources.data_checks):
        files[f"ontology/{path.relative_to(sources.root).as_posix()}"] = path
    return files


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


def take(settings: Settings, code: str, previous: Stamp | None = None) -> Stamp:
    """Stamp the inputs now; a file whose size and time match ``previous`` (and are not racy)
    keeps its recorded hash without being read."""
    now = time.time_ns()
    files: dict[str, list[Any]] = {}
    hashed = 0
    for name, path in sorted(input_files(settings).items()):
        st = path.stat()
        known = previous.files.get(name) if previous else None
        if (
            previous is not None
            and known is not None
            and known[0] == st.st_size
            and known[1] == st.st_mtime_ns
            and st.st_mtime_ns < previous.taken_ns - RACY_NS
        ):
            files[name] = [st.st_size, st.st_mtime_ns, known[2]]
        else:
            files[name] = [st.st_size, st.st_mtime_ns, _sha256(path)]
            hashed += 1
    return Stamp(files, context(settings, code), now, hashed=hashed)


def stamp_path(settings: Settings) -> Path:
    return Path(settings.build_dir) / "cache" / "inputs.json"


def read(settings: Settings) -> Stamp | None:
    """The stamp of the last build, or None (missing, unreadable, another format)."""
    try:
        data = json.loads(stamp_path(settings).read_text(encoding="utf-8"))
        stamp = Stamp(data["files"], data["context"], int(data["taken_ns"]), data["build"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return stamp if stamp.context.get("version") == str(STAMP_VERSION) else None


def write(settings: Settings, stamp: Stamp) -> None:
    """Record the stamp (atomically; a stamp that cannot be written only costs the next no-op)."""
    body = {"build": stamp.build, "taken_ns": stamp.taken_ns, "context": stamp.context, "files": stamp.files}
    try:
        write_atomic(stamp_path(settings), json.dumps(body, sort_keys=True))
    except OSError:
        with contextlib.suppress(OSError):
            stamp_path(settings).unlink(missing_ok=True)  # better no stamp than an old one


def same_inputs(a: Stamp, b: Stamp) -> bool:
    """The same files with the same content, the same code and settings."""
    return a.context == b.context and {k: v[2] for k, v in a.files.items()} == {k: v[2] for k, v in b.files.items()}
