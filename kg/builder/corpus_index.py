"""The build's load of the corpus: a file is parsed only when its bytes changed, and the checks
across files run over an index of every file's facts instead of every file's parse.

A build after a one-article edit used to read and hash all 30,000 files of a 10,000-article corpus
and unpickle 20,000 parse-cache entries only to run the checks across files (keys defined twice,
references, ``'<article>#sN'``, review status), which need a few plain values per file
(kg.annotations.facts.FileFacts). The build keeps those values for every article and annotation
file in one index (kg.builder.facts_index: a sealed base and a delta), each under the SHA-256s of
the files its parse read. The next build:

- takes each file's SHA-256 from the input stamp (kg.builder.stamps: a file whose size and
  modification time are those of the last stamp, and not racily so, keeps its recorded hash; any
  other file is read and hashed);
- takes the facts of every file whose inputs are the index's; parses the others (from the parse
  cache when an entry has their key, kg.builder.parse_cache) and takes their facts;
- runs every check across files over all the facts (kg.annotations.facts.check_across_files), and
  reads the reference data (one parse-cache entry while no reference file changed); the issues are
  the same, at the same file and line, as a clean load's (tests/unit/test_corpus_index.py compares
  them after each kind of edit);
- gives the corpus's articles and annotation files on demand (:class:`OnDemand`): what the rest of
  the build reads (the changed articles, to map them) is unpickled from the parse cache, verified,
  or parsed again when its entry is gone or damaged.

An index that is damaged, of another format, of another loader or vocabulary (the parse cache's
salt) or of other file naming is not used: every file's facts then come from its parse.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from kg.annotations.articles import Article, shown
from kg.annotations.corpus import (
    AnnotationError,
    Annotations,
    Corpus,
    load_reference,
    parse_annotation_file,
    parse_article,
)
from kg.annotations.facts import FileFacts, annotation_facts, article_facts, check_across_files, reference_refs
from kg.annotations.review import check_drafted_from, reference_draft_keys
from kg.annotations.values import Issue
from kg.annotations.vocabulary import VocabularyIndex
from kg.builder import facts_index
from kg.builder.frozen import long_lived
from kg.builder.parse_ahead import parse_ahead
from kg.builder.parse_cache import ParseCache
from kg.builder.stamps import Stamp

V = TypeVar("V")


def index_folder(build_dir: Path | str) -> Path:
    """Where a build keeps its corpus index (kg.builder.facts_index)."""
    return Path(build_dir) / "cache"


class OnDemand(Mapping[str, V]):
    """The parsed files of the corpus by id, each read when first asked for (iterating, ``in`` and
    ``len`` read nothing); those already parsed by this load are held."""

    def __init__(self, ids: list[str], read: Callable[[str], V], held: dict[str, V]):
        self._ids = ids
        self._known = set(ids)
        self._read = read
        self._held = held

    def __getitem__(self, key: str) -> V:
        if key in self._held:
            return self._held[key]
        if key not in self._known:
            raise KeyError(key)
        value = self._held[key] = self._read(key)
        return value

    def __contains__(self, key: object) -> bool:
        return key in self._known

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)


@dataclass
class Load:
    """A load's corpus, and what it took from where."""

    corpus: Corpus
    cache: ParseCache
    indexed: int = 0  # files whose facts came from the snapshot
    cached: int = 0  # files whose facts came from their parse-cache entry
    parsed: int = 0  # files parsed
    index: str = "used"  # used | updated (its delta) | rebased (written whole) | unwritten
    ahead: int = 0  # of the files parsed, those parsed by worker processes (kg.builder.parse_ahead)

    def summary(self) -> list[str]:
        """The progress lines: files parsed or not (as the parse cache says it), and the index."""
        text = f"parse cache: {self.indexed + self.cached} file(s) unchanged, {self.parsed} parsed"
        if self.ahead:
            text += f" ({self.ahead} in worker processes)"
        if self.cache.discarded:
            text += f", {self.cache.discarded} damaged or stale entr(y/ies) discarded"
        if self.cache.unwritten:
            text += f", {self.cache.unwritten} entr(y/ies) could not be written"
        return [text, f"corpus index: {self.indexed} file(s) checked from it, {self.index}"]


class _Names:
    """How each corpus file is named in messages (kg.annotations.articles.shown), without
    resolving 30,000 paths: a file that is not a symbolic link is shown as its folder is."""

    def __init__(self, corpus_dir: Path, links: frozenset[str]):
        self.corpus_dir = corpus_dir
        self.links = links
        probe = "x.yaml"
        self.prefix = {
            folder: shown(corpus_dir / folder / probe)[: -len(probe)]
            for folder in ("articles", "annotations", "reference")
        }

    def path(self, folder: str, name: str) -> Path:
        return self.corpus_dir / folder / name

    def shown(self, folder: str, name: str) -> str:
        if f"corpus/{folder}/{name}" in self.links:
            return shown(self.path(folder, name))
        return self.prefix[folder] + name


class _Loader:
    """One load: each file's facts from the snapshot, its cache entry or its parse."""

    def __init__(
        self,
        vocabulary: VocabularyIndex,
        stamp: Stamp,
        cache: ParseCache,
        names: _Names,
        previous: facts_index.Index | None,
    ):
        self.vocabulary = vocabulary
        self.stamp = stamp
        self.cache = cache
        self.names = names
        self.previous = previous.files if previous is not None else {}
        self.files: dict[str, facts_index.Entry] = {}
        self.indexed = self.cached = self.parsed = 0
        self.parsed_ahead: set[str] = set()  # keys whose entries kg.builder.parse_ahead wrote

    def inputs(self, files: list[tuple[str, str]]) -> tuple[str | None, ...]:
        """What a file's parse reads: each file's SHA-256 (None: missing), and where a file is a
        symbolic link, the name it is shown by (the folder's prefix is the index's ``shown``).
        Looked up inline: 20,000 files a build."""
        stamped, links = self.stamp.files, self.names.links
        out: list[str | None] = []
        for folder, name in files:
            known = stamped.get(f"corpus/{folder}/{name}")
            digest = known[2] if known else None
            if digest is not None and links and f"corpus/{folder}/{name}" in links:
                digest = f"{digest}\0{self.names.shown(folder, name)}"
            out.append(digest)
        return tuple(out)

    def key(self, kind: str, files: list[tuple[str, str]]) -> str:
        """The parse cache's key of a file: its kind, and the shown name and SHA-256 (or
        absence) of every file its parse reads."""
        h = hashlib.sha256(kind.encode("utf-8") + b"\0")
        for (folder, name), digest in zip(files, self.inputs(files), strict=True):
            h.update(f"{self.names.shown(folder, name)}\0{digest or 'missing'}\0".encode())
        return h.hexdigest()

    def facts(
        self,
        name: str,
        kind: str,
        files: list[tuple[str, str]],
        parse: Callable[[], tuple],
        facts: Callable[..., FileFacts],
    ) -> tuple[FileFacts, tuple | None]:
        """A file's facts, and its parse when this load made or read it."""
        inputs = self.inputs(files)
        known = self.previous.get(name)
        if known is not None and known[0] == inputs:
            self.files[name] = known
            self.indexed += 1
            return known[2], None
        key = self.key(kind, files)
        entry = self.cache.get(key)
        if entry is None:
            entry = parse()
            self.cache.put(key, entry)
            self.parsed += 1
        elif key in self.parsed_ahead:
            self.parsed += 1
        else:
            self.cached += 1
        self.files[name] = (inputs, self.cache.path(key).name, facts(*entry))
        return self.files[name][2], entry

    def ahead(
        self, kind: str, files: list[tuple[str, list[tuple[str, str]], Callable[[], tuple]]], workers: int
    ) -> None:
        """Parse in worker processes (kg.builder.parse_ahead) the ``(name, files, parse)`` that
        ``facts`` would parse: neither in the index nor in the cache."""
        jobs = []
        for name, inputs, parse in files:
            known = self.previous.get(name)
            if known is not None and known[0] == self.inputs(inputs):
                continue
            key = self.key(kind, inputs)
            if not self.cache.path(key).exists():
                jobs.append((key, parse))
        if parse_ahead(jobs, self.cache, workers):
            self.parsed_ahead.update(key for key, _parse in jobs)

    def reference(self, folder: Path, files: list[str]) -> tuple[list, dict[str, tuple[str, str]], list[Issue], list]:
        """The reference files read whole (kg.annotations.corpus.load_reference: individuals, keys
        defined, issues, references), from one cache entry while none of them changed (not
        counted in the summary's files, as a clean load does not cache them)."""
        key = self.key("reference", [("reference", name) for name in files])
        entry = self.cache.get(key)
        if entry is None:
            keys: dict[str, tuple[str, str]] = {}
            issues: list[Issue] = []
            refs: list = []
            reference = load_reference(folder, self.vocabulary, keys, issues, refs)
            entry = (reference, keys, issues, refs)
            self.cache.put(key, entry)
        return entry

    def on_demand(self, kind: str, files: list[tuple[str, str]], parse: Callable[[], tuple]) -> Any:
        """A file's parsed form (the first item of its parse): its verified cache entry, else
        parsed again (and cached). The index said it parsed; a file that no longer does was
        edited during the build."""
        key = self.key(kind, files)
        entry = self.cache.get(key)
        if entry is None:
            entry = parse()
            self.cache.put(key, entry)
        if entry[0] is None:
            path = self.names.path(*files[0])
            raise AnnotationError(
                f"{path} changed while the build read it; build again", details=[str(i) for i in entry[1]]
            )
        return entry[0]


def _article_files(article_id: str) -> list[tuple[str, str]]:
    return [("articles", f"{article_id}.txt"), ("articles", f"{article_id}.yaml")]


def _annotation_files(article_id: str) -> list[tuple[str, str]]:
    return [("annotations", f"{article_id}.yaml"), *_article_files(article_id)]


def load_for_build(
    corpus_dir: Path,
    vocabulary: VocabularyIndex,
    stamp: Stamp,
    cache: ParseCache,
    index_folder: Path,
    workers: int = 1,
) -> Load:
    """The corpus of ``corpus_dir`` with every problem a clean load (kg.annotations.corpus.load_corpus)
    finds, for the files listed in ``stamp``; see the module docstring. What it makes lives as long
    as the build: made with the garbage collector paused (kg.builder.frozen). Many files to parse
    are parsed first in ``workers`` processes (kg.builder.parse_ahead)."""
    with long_lived():
        return _load(Path(corpus_dir), vocabulary, stamp, cache, Path(index_folder), workers)


def _load(
    corpus_dir: Path, vocabulary: VocabularyIndex, stamp: Stamp, cache: ParseCache, folder: Path, workers: int
) -> Load:
    names = _Names(corpus_dir, stamp.links)
    previous = facts_index.read(folder, cache.salt, names.prefix)
    run = _Loader(vocabulary, stamp, cache, names, previous)
    listed = [name.split("/", 2)[1:] for name in stamp.files if name.startswith("corpus/")]
    texts = sorted(name[: -len(".txt")] for folder, name in listed if folder == "articles" and name.endswith(".txt"))
    annotated = sorted(name[: -len(".yaml")] for folder, name in listed if folder == "annotations")

    def article_of(article_id: str) -> Callable[[], tuple]:
        return lambda: parse_article(names.path("articles", f"{article_id}.txt"), vocabulary)

    run.ahead("article", [(f"corpus/articles/{a}.txt", _article_files(a), article_of(a)) for a in texts], workers)
    held_articles: dict[str, Article] = {}
    article_facts_list: list[FileFacts] = []
    for article_id in texts:
        facts, entry = run.facts(
            f"corpus/articles/{article_id}.txt",
            "article",
            _article_files(article_id),
            article_of(article_id),
            article_facts,
        )
        article_facts_list.append(facts)
        if entry is not None and entry[0] is not None:
            held_articles[entry[0].id] = entry[0]

    def read_article(article_id: str) -> Article:
        return run.on_demand("article", _article_files(article_id), article_of(article_id))

    articles: OnDemand[Article] = OnDemand(
        [f.loaded for f in article_facts_list if f.loaded is not None], read_article, held_articles
    )

    def annotations_of(article_id: str) -> Callable[[], tuple]:
        return lambda: parse_annotation_file(names.path("annotations", f"{article_id}.yaml"), articles, vocabulary)

    files = [(f"corpus/annotations/{a}.yaml", _annotation_files(a), annotations_of(a)) for a in annotated]
    run.ahead("annotations", files, workers)
    held_annotations: dict[str, Annotations] = {}
    annotation_facts_list: list[FileFacts] = []
    for name, inputs, parse in files:
        facts, entry = run.facts(name, "annotations", inputs, parse, annotation_facts)
        annotation_facts_list.append(facts)
        if entry is not None and entry[0] is not None:
            held_annotations[entry[0].article] = entry[0]

    def read_annotations(article_id: str) -> Annotations:
        return run.on_demand("annotations", _annotation_files(article_id), annotations_of(article_id))

    annotations: OnDemand[Annotations] = OnDemand(
        [f.loaded for f in annotation_facts_list if f.loaded is not None], read_annotations, held_annotations
    )
    reference_files = sorted(
        name for folder, name in listed if folder == "reference" and name != "identifier-checks.yaml"
    )
    reference, keys, issues, refs = run.reference(corpus_dir / "reference", reference_files)
    across = check_across_files(
        keys,
        reference_refs(refs),
        reference_draft_keys(reference),
        article_facts_list,
        annotation_facts_list,
        vocabulary,
    )
    issues += across.issues
    issues += check_drafted_from(reference, articles)
    for facts in (*article_facts_list, *annotation_facts_list):
        issues += facts.issues
    draft_counts = {f.loaded: f.drafts for f in annotation_facts_list if f.loaded is not None}
    corpus = Corpus(articles, reference, annotations, across.keys, sorted(set(issues)), draft_counts)
    load = Load(corpus, cache, run.indexed, run.cached, run.parsed, "used", len(run.parsed_ahead))
    cache.keep(entry for _inputs, entry, _facts in run.files.values())
    if previous is None or run.cached or run.parsed or len(previous.files) != len(run.files):
        load.index = facts_index.write(folder, cache.salt, names.prefix, run.files, previous)
    return load
