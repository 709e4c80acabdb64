"""The corpus index on disk (kg.builder.corpus_index): every article's and annotation file's facts,
kept as a sealed base and a sealed delta, so that a build after a few edits writes a few entries.

``<build_dir>/cache/corpus-index.pickle`` (the base) holds every file's entry at some build;
``corpus-index-delta.pickle`` the entries that changed since then (and the files removed), with
the base's generation, a random id the base was written with: a delta applies only to its own
base. Rewriting the 11 MB base after a one-article edit took a quarter of a second at 10,000
articles; the delta is rewritten instead, and the base only when the delta would hold more than
``REBASE`` of the files.

Each file is written through a temporary file and a rename, sealed with its SHA-256
(kg.builder.sealed): one that is damaged (truncated, a flipped byte), of another format, loader or
vocabulary (``salt``) or naming (``shown``), or a delta of another base is not used, and the
index is rebuilt from the files' parses. One that cannot be written only costs the next build time.
"""

from __future__ import annotations

import contextlib
import os
import pickle
from dataclasses import dataclass, field
from pathlib import Path

from kg.annotations.facts import FileFacts
from kg.builder.sealed import read_sealed, write_sealed

INDEX_VERSION = 1
BASE = "corpus-index.pickle"
DELTA = "corpus-index-delta.pickle"
REBASE = 0.1  # the delta may hold this share of the files (at least MIN_DELTA) before the base is rewritten
MIN_DELTA = 256

# (the SHA-256 of every file its parse reads, its parse-cache entry's file name, its facts)
Entry = tuple[tuple[str | None, ...], str, FileFacts]


@dataclass
class Index:
    """The index as read: ``files`` by their name in the input stamp (the base with the delta
    applied), and the base's own entries (to tell what the next delta holds)."""

    files: dict[str, Entry] = field(default_factory=dict)
    base: dict[str, Entry] = field(default_factory=dict)
    generation: str = ""


def _load(path: Path, salt: str, shown: dict[str, str]) -> tuple | None:
    """An index file's fields after the header, if it is whole, of this format, salt and naming."""
    blob = read_sealed(path)
    if blob is None:
        return None
    try:
        version, stored_salt, stored_shown, *rest = pickle.loads(blob)
    except Exception:  # a blob that hashes right but was pickled by other code: not ours to trust
        return None
    if version != INDEX_VERSION or stored_salt != salt or stored_shown != shown:
        return None
    return tuple(rest)


def _entries(files: dict) -> dict[str, Entry]:
    return {name: (inputs, entry, FileFacts._make(facts)) for name, (inputs, entry, facts) in files.items()}


def read(folder: Path, salt: str, shown: dict[str, str]) -> Index | None:
    """The index of ``folder`` (a build's cache folder) if its base is usable; a delta that is
    not (damaged, of another base) is left out: the files it held are parsed again."""
    base = _load(folder / BASE, salt, shown)
    if base is None:
        return None
    try:
        generation, files = base
        index = Index(_entries(files), {}, generation)
    except (TypeError, ValueError, AttributeError):
        return None
    index.base = dict(index.files)
    delta = _load(folder / DELTA, salt, shown)
    if delta is not None:
        try:
            delta_generation, changed, removed = delta
            if delta_generation == generation:
                index.files.update(_entries(changed))
                for name in removed:
                    index.files.pop(name, None)
        except (TypeError, ValueError, AttributeError):
            index.files = dict(index.base)
    return index


def write(folder: Path, salt: str, shown: dict[str, str], files: dict[str, Entry], previous: Index | None) -> str:
    """Record ``files``: as a delta of the ``previous`` base when it is small enough, else as a
    new base. What was done: "updated", "rebased" or "unwritten"."""
    try:
        if previous is not None:
            changed = {name: entry for name, entry in files.items() if previous.base.get(name) is not entry}
            removed = [name for name in previous.base if name not in files]
            if len(changed) + len(removed) <= max(MIN_DELTA, REBASE * len(files)):
                _write(folder / DELTA, salt, shown, previous.generation, _plain(changed), removed)
                return "updated"
        generation = os.urandom(8).hex()
        with contextlib.suppress(FileNotFoundError):
            (folder / DELTA).unlink()  # before the new base: an old delta never meets it
        _write(folder / BASE, salt, shown, generation, _plain(files))
    except OSError:
        return "unwritten"
    return "rebased"


def _plain(files: dict[str, Entry]) -> dict:
    return {name: (inputs, entry, tuple(facts)) for name, (inputs, entry, facts) in files.items()}


def _write(path: Path, *fields: object) -> None:
    write_sealed(path, pickle.dumps((INDEX_VERSION, *fields), protocol=pickle.HIGHEST_PROTOCOL))
