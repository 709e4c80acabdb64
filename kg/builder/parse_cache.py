"""The parse cache: each corpus file's parsed and checked form, kept under the build folder so that
a build re-reads only the YAML that changed (kg.annotations.corpus.ParseCache).

An entry is found by the hash of its inputs (the file's bytes and its article's, from
kg.annotations.corpus.content_key) salted with the fingerprint of the code that produces it (every
kg module the loader reaches by imports, kg.builder.code) and of the ontology the values are
checked against. An entry is trusted only when it proves itself: the header, the length, the
SHA-256 of the payload, and, inside the payload, the same key and the same code salt. Anything
else — a truncated file, a flipped byte, an entry from an older code version, a file that cannot
be unpickled — is discarded and the file parsed again; a cache can make a build slower, never
wrong. Entries are written to a temporary file and renamed (a kill leaves no half entry under an
entry's name; without fsync, a crash may leave a torn one, which the hash rejects). A cache that
cannot be written (full disk, read-only folder) only costs time: the build goes on without it.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from kg.builder.code import build_code_files, relative_name
from kg.ontology.load import OntologySources

MAGIC = b"peacekg parse cache v1\n"
DIGEST = 32  # bytes of SHA-256
LENGTH = 8  # bytes of the payload's length

# What turns a corpus file into its parsed, checked form (its fingerprint salts every entry).
LOADER_ROOTS = ("kg.annotations.corpus", "kg.builder.parse_cache", "kg.builder.corpus_index")


def loader_fingerprint(ontology_dir: Path) -> str:
    """The code that parses and checks the files, and the ontology whose vocabulary they are
    checked against."""
    h = hashlib.sha256()
    for path in build_code_files(LOADER_ROOTS):
        h.update(relative_name(path).encode("utf-8") + b"\0" + path.read_bytes() + b"\0")
    sources = OntologySources.find(Path(ontology_dir))
    for path in (sources.main, *sources.vocab):
        h.update(path.name.encode("utf-8") + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def _salted(code: str, ontology_dir: Path) -> str:
    """A salt from the build code's fingerprint and the ontology whose vocabulary the files are
    checked against."""
    h = hashlib.sha256(b"build code\0" + code.encode("ascii") + b"\0")
    sources = OntologySources.find(Path(ontology_dir))
    for path in (sources.main, *sources.vocab):
        h.update(path.name.encode("utf-8") + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def encode_entry(salt: str, key: str, value: Any) -> bytes:
    payload = pickle.dumps((salt, key, value), protocol=pickle.HIGHEST_PROTOCOL)
    return MAGIC + hashlib.sha256(payload).digest() + len(payload).to_bytes(LENGTH, "big") + payload


def decode_entry(blob: bytes, salt: str, key: str) -> Any | None:
    """The value of an entry that proves itself, else None (see the module docstring)."""
    head = len(MAGIC) + DIGEST + LENGTH
    if len(blob) < head or not blob.startswith(MAGIC):
        return None
    digest = blob[len(MAGIC) : len(MAGIC) + DIGEST]
    length = int.from_bytes(blob[len(MAGIC) + DIGEST : head], "big")
    payload = blob[head:]
    if len(payload) != length or hashlib.sha256(payload).digest() != digest:
        return None
    try:
        stored_salt, stored_key, value = pickle.loads(payload)
    except Exception:  # a payload that hashes right but was written by other code: not ours to trust
        return None
    if stored_salt != salt or stored_key != key:
        return None
    return value


class ParseCache:
    """Entries under ``folder``, one file each, valid for the code and ontology of ``salt``."""

    def __init__(self, folder: Path, salt: str):
        self.folder = Path(folder)
        self.salt = salt
        self.hits = 0
        self.misses = 0
        self.discarded = 0
        self.unwritten = 0
        self._used: set[str] = set()

    @classmethod
    def for_build(cls, build_dir: Path, ontology_dir: Path, code: str | None = None) -> ParseCache:
        """The build's cache. With ``code``, the fingerprint of the whole build's code (whose
        modules include the loader's: kg.builder.code.ROOTS reach kg.builder.pipeline, which
        imports this module), the salt is made from it instead of walking the loader's imports
        again (0.1 s of a one-article rebuild)."""
        salt = loader_fingerprint(ontology_dir) if code is None else _salted(code, ontology_dir)
        return cls(Path(build_dir) / "cache" / "parse", salt)

    def path(self, key: str) -> Path:
        name = hashlib.sha256(f"{self.salt}\0{key}".encode()).hexdigest()
        return self.folder / name[:2] / f"{name}.entry"

    def get(self, key: str) -> Any | None:
        path = self.path(key)
        self._used.add(path.name)
        try:
            blob = path.read_bytes()
        except OSError:
            self.misses += 1
            return None
        value = decode_entry(blob, self.salt, key)
        if value is None:
            self.discarded += 1
            self.misses += 1
            path.unlink(missing_ok=True)
            return None
        self.hits += 1
        return value

    def keep(self, names: Iterable[str]) -> None:
        """Count the entries of these file names (``path(key).name``) as used by this run, though
        it did not read them (their files' facts came from the corpus index): not pruned."""
        self._used.update(names)

    def put(self, key: str, value: Any) -> None:
        path = self.path(key)
        self._used.add(path.name)
        tmp = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".entry.", dir=path.parent)
            with os.fdopen(fd, "wb") as handle:
                handle.write(encode_entry(self.salt, key, value))
            os.replace(tmp, path)
            tmp = None
        except OSError:
            self.unwritten += 1  # a full disk or a read-only folder: the build goes on uncached
        finally:
            if tmp is not None:
                Path(tmp).unlink(missing_ok=True)

    def prune(self) -> int:
        """Remove the entries this run did not use (files gone or changed, older code); the
        number removed."""
        removed = 0
        if not self.folder.is_dir():
            return 0
        for sub in self.folder.iterdir():
            if not sub.is_dir():
                continue
            for entry in sub.iterdir():
                if entry.name not in self._used:
                    entry.unlink(missing_ok=True)
                    removed += 1
        return removed

    def summary(self) -> str:
        text = f"parse cache: {self.hits} file(s) unchanged, {self.misses} parsed"
        if self.discarded:
            text += f", {self.discarded} damaged or stale entr(y/ies) discarded"
        if self.unwritten:
            text += f", {self.unwritten} entr(y/ies) could not be written"
        return text
