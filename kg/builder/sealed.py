"""Files of the build cache (``<build_dir>/cache/``) sealed with their own SHA-256: a cached
graph or a cached inference is either whole or not used, never read as a shorter graph."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from kg.store.builds import StoreError

SEAL = b"# sha256 "  # the last line of a cached file: the hash of every byte before it


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
