"""Files of the build cache (``<build_dir>/cache/``) sealed with their own SHA-256: a cached
graph or a cached inference is either whole or not used, never read as a shorter graph."""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from kg.store.builds import StoreError

SEAL = b"# sha256 "  # the last line of a cached file: the hash of every byte before it
T = TypeVar("T")


def write_sealed(path: Path, data: bytes) -> None:
    """Write a cached file with its hash, through a temporary file and a rename. No fsync: a torn
    or damaged file fails its hash and is rebuilt, never read as a shorter graph."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(seal(data))
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)


def seal(data: bytes) -> bytes:
    """The bytes with their hash as a last line (``unseal`` checks it)."""
    return b"".join(sealed_parts(data))


def sealed_parts(data: bytes) -> tuple[bytes, bytes]:
    """``seal(data)`` as the data and its last line, to be written one after the other without
    copying the data (the inferred graph is 200 MB at 10,000 articles)."""
    return data, SEAL + hashlib.sha256(data).hexdigest().encode("ascii") + b"\n"


def unseal(blob: bytes) -> bytes | None:
    """What ``seal`` sealed, or None when the blob is not whole."""
    cut = blob.rfind(SEAL)
    if cut >= 0 and blob.endswith(b"\n"):
        data = blob[:cut]
        if hashlib.sha256(data).hexdigest().encode("ascii") == blob[cut + len(SEAL) : -1]:
            return data
    return None


def read_sealed(path: Path) -> bytes | None:
    """A cached file's bytes if it is whole (its hash matches), else None; a damaged file is
    removed, so what it held is computed again."""
    try:
        data = unseal(path.read_bytes())
    except OSError:
        return None
    if data is None:
        path.unlink(missing_ok=True)
    return data


def write_bytes(path: Path, data: bytes) -> None:
    """Cache bytes, sealed; a full disk or a read-only build folder is a store error (exit 11),
    not a traceback."""
    try:
        write_sealed(path, data)
    except OSError as exc:
        raise StoreError(f"cannot write the build cache {path}: {exc.strerror or exc}", file=str(path.parent)) from None


def cached_pickle(cache: Path, kind: str, key: object, make: Callable[[], T]) -> T:
    """``make()``, kept in ``cache`` as ``<kind>-<hash of key>.pickle``, sealed: read back while
    ``key`` is the same (it must name everything the value depends on, the code that makes it
    included), made again when the file is missing, torn or damaged. Older files of that kind go.
    Unwritable, the value is only made again next time."""
    name = hashlib.sha256(repr(key).encode("utf-8")).hexdigest()[:32]
    path = cache / f"{kind}-{name}.pickle"
    data = read_sealed(path)
    if data is not None:
        return pickle.loads(data)  # whole (its hash matched), made for this key
    value = make()
    with contextlib.suppress(OSError):
        write_sealed(path, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        for old in cache.glob(f"{kind}-*.pickle"):
            if old != path:
                old.unlink(missing_ok=True)
    return value
