"""Saving edits to the corpus (the review app's save): conditional, validated and atomic.

- **conditional**: each file is written only if its bytes still have the version (SHA-256) the
  caller read; otherwise nothing is written and :class:`StaleFileError` says which file changed
  (another tab, another editor), so the caller can reload without losing its own edits;
- **validated first**: the corpus as it would be after the save is loaded and checked as
  ``peacekg annotations validate`` checks it (:func:`~kg.annotations.corpus.load_corpus`, then
  the linking rules' warnings); a save that adds errors is refused with them
  (:class:`InvalidEditError`). Errors the files already had do not block a save that fixes
  something else (an annotator fixes a draft one thing at a time);
- **atomic**: each file is replaced by a rename (:func:`kg.serialize.write_atomic`).

The errors and warnings of the saved corpus are returned with file, line and field, for the app to
show at their span or field.
"""

from __future__ import annotations

import tempfile
import threading
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from kg.annotations.articles import shown
from kg.annotations.corpus import Corpus, load_corpus
from kg.annotations.editing import EditError, file_version
from kg.annotations.linking import linking_warnings
from kg.annotations.values import Issue
from kg.annotations.vocabulary import VocabularyIndex
from kg.serialize import write_atomic

CORPUS_FOLDERS = ("articles", "reference", "annotations")
_WRITING = threading.Lock()  # one save at a time in a process: the version check and the write go together


class StaleFileError(EditError):
    """A file changed on disk since the caller read it; nothing was written."""

    exit_code = 10


class InvalidEditError(EditError):
    """The save would add errors to the corpus; nothing was written. ``issues`` lists them."""

    def __init__(self, message: str, issues: list[Issue]):
        super().__init__(message, details=[str(i) for i in issues])
        self.issues = issues


@dataclass(frozen=True)
class PendingWrite:
    path: Path  # a file under corpus_dir/reference or corpus_dir/annotations
    expected_version: str  # file_version() when it was read ('' for a new file)
    text: str


@dataclass
class CorpusCheck:
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)


@dataclass
class SaveOutcome:
    versions: dict[Path, str]  # the new version of each file written
    check: CorpusCheck


def check_corpus(corpus: Corpus, vocabulary: VocabularyIndex, data_checks: Iterable[str] = ()) -> CorpusCheck:
    """What ``peacekg annotations validate`` reports of a loaded corpus: its errors, and (only once
    there are none) the warnings of the linking rules; ``data_checks`` names the build's data
    checks (linking rule 4: a pattern they do not check yet is a warning)."""
    if corpus.issues:
        return CorpusCheck(list(corpus.issues))
    return CorpusCheck([], linking_warnings(corpus, vocabulary, set(data_checks)))


def save_edits(
    corpus_dir: Path, writes: list[PendingWrite], vocabulary: VocabularyIndex, data_checks: Iterable[str] = ()
) -> SaveOutcome:
    """Write ``writes`` if every file is still at its expected version and the corpus they make has
    no error it did not have; return the new versions and the corpus's errors and warnings."""
    corpus_dir = Path(corpus_dir)
    for write in writes:
        _check_place(corpus_dir, write.path)
    _refuse_stale(writes)
    before = load_corpus(corpus_dir, vocabulary).issues
    with tempfile.TemporaryDirectory(prefix="peacekg-review-") as tmp:
        overlay = _overlay(corpus_dir, Path(tmp), writes)
        candidate = load_corpus(overlay, vocabulary)
        check = check_corpus(candidate, vocabulary, data_checks)
        rename = _renamer(overlay, corpus_dir)
        check = CorpusCheck([rename(i) for i in check.errors], [rename(i) for i in check.warnings])
    added = Counter((i.file, i.message) for i in check.errors) - Counter((i.file, i.message) for i in before)
    if added:
        new = [i for i in check.errors if (i.file, i.message) in added]
        raise InvalidEditError(f"the save would add {len(new)} error(s); nothing was written", new)
    versions: dict[Path, str] = {}
    with _WRITING:
        _refuse_stale(writes)
        for write in writes:
            write_atomic(write.path, write.text)
            versions[write.path] = file_version(write.path)
    return SaveOutcome(versions, check)


def _check_place(corpus_dir: Path, path: Path) -> None:
    parent = path.resolve().parent
    if parent not in {(corpus_dir / "reference").resolve(), (corpus_dir / "annotations").resolve()}:
        raise EditError(f"{path} is not a reference or annotation file of the corpus {corpus_dir}")
    if path.suffix != ".yaml":
        raise EditError(f"{path} is not a .yaml file")


def _refuse_stale(writes: list[PendingWrite]) -> None:
    changed = [w.path for w in writes if file_version(w.path) != w.expected_version]
    if changed:
        names = ", ".join(shown(p) for p in changed)
        raise StaleFileError(
            f"{names} changed on disk since it was opened (another tab or editor saved it); nothing was written: "
            "reload it and make your edits again"
        )


def _overlay(corpus_dir: Path, tmp: Path, writes: list[PendingWrite]) -> Path:
    """A corpus folder in ``tmp`` whose files link to ``corpus_dir``'s, except the files being
    written, which hold their new text."""
    new = {w.path.resolve(): w.text for w in writes}
    overlay = tmp / "corpus"
    for folder in CORPUS_FOLDERS:
        (overlay / folder).mkdir(parents=True)
        source = corpus_dir / folder
        names = {p.name for p in source.glob("*")} if source.is_dir() else set()
        names |= {p.name for p in new if p.parent == source.resolve()}
        for name in sorted(names):
            target = (source / name).resolve()
            if target in new:
                (overlay / folder / name).write_text(new[target], encoding="utf-8")
            elif target.is_file():
                (overlay / folder / name).symlink_to(target)
    return overlay


def _renamer(overlay: Path, corpus_dir: Path):
    """Issues name the overlay's new files by their temporary path: name the corpus's file instead
    (the linked files already resolve to the corpus's own)."""
    temporary = str(overlay.resolve())
    real = shown(corpus_dir)

    def rename(issue: Issue) -> Issue:
        file = real + issue.file[len(temporary) :] if issue.file.startswith(temporary) else issue.file
        return Issue(file, issue.line, issue.field, issue.message.replace(temporary, real))  # messages name files too

    return rename
