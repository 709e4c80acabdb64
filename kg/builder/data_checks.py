"""The data checks of a build (``ontology/data-checks/*-violation.rq``): every row fails the build.

A full build runs every check over the union of the asserted graphs. A one-article rebuild
(kg.builder.incremental) runs each by its locality, which the check's header declares
(``# locality: local`` or ``global``; ontology/data-checks/README.md): a *local* check over the
changed article graphs with the reference and the ontology (every row it can return is made of
one article's triples with those); a *global* one over the store on disk, with one data premise
bound to the changed graphs' triples when its query allows it (a monotone pattern: a row of the
new union that uses none of them was a row of the previous build, which had none), else whole.
On disk the union also holds the inferred graph, so a global check's rows there are a superset
of its rows over the asserted graphs: none means it passes; a row sends the decision (and the
error, with its exact text) to the full build.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph
import rdflib

from kg.builder import dred
from kg.builder.sealed import cached_pickle
from kg.errors import ValidationError
from kg.ontology.quality import CheckResult, run_check
from kg.ontology.sources import header_fields, read_sparql

LOCALITIES = ("local", "global")


def locality(path: Path) -> str:
    """A check's ``# locality:`` header (its first word); a check without one is global (read over
    the whole union: never wrong, only slower)."""
    declared = header_fields(read_sparql(path)).get("locality", "global").split()
    word = declared[0].rstrip(":;,.") if declared else "global"
    if word not in LOCALITIES:
        raise ValidationError(f"{path.name}: locality must be one of {', '.join(LOCALITIES)}, not {word!r}")
    return word


def raise_for(failed: list[CheckResult], located: Callable[[str], str]) -> None:
    """The build's error for failed checks (the same text whichever way they ran)."""
    if failed:
        details = [located(f"{c.name}: {line}") for c in failed for line in c.describe_rows()]
        raise ValidationError(f"{len(failed)} data check(s) failed", details=details)


@dataclass(frozen=True)
class Bindable:
    """A check's data patterns, when every row uses one of them (a monotone basic pattern)."""

    text: str
    patterns: tuple[dred.Pattern, ...]


def bindable(text: str) -> Bindable | None:
    """The check's data patterns, or None when it must run whole: negation or OPTIONAL (a removed
    triple can make a row), or a property path over data predicates."""
    if re.search(r"\b(NOT\s+EXISTS|MINUS|OPTIONAL)\b", text, re.IGNORECASE):
        return None
    from rdflib.plugins.sparql import prepareQuery  # as in dred._compiled: not with the module

    positive: list[dred.Pattern] = []
    try:
        dred.patterns(prepareQuery(text).algebra, False, positive, [], "check")
    except ValueError:
        return None
    for _s, p, _o in positive:
        if isinstance(p, rdflib.paths.Path) and not set(dred.path_iris(p)) <= dred.SCHEMA_PREDICATES:
            return None
    data = tuple(dict.fromkeys(t for t in positive if not dred.is_schema(t)))
    return Bindable(text, data) if data else None


def bindable_checks(paths: Iterable[Path], cache: Path | None = None, code: str = "") -> dict[str, Bindable | None]:
    """:func:`bindable` of each check's text, by text; with ``cache`` (a folder) kept there by the
    texts and ``code`` (the build code's fingerprint): a one-article rebuild then needs no SPARQL
    parser (its import and the parses were 0.1 s of it at 10,000 articles)."""
    texts = sorted({read_sparql(path) for path in paths})

    def make() -> dict[str, Bindable | None]:
        return {text: bindable(text) for text in texts}

    return make() if cache is None else cached_pickle(cache, "check-shapes", (texts, code), make)


def global_rows(
    store: pyoxigraph.Store,
    path: Path,
    added: set[pyoxigraph.Triple],
    shapes: Mapping[str, Bindable | None] | None = None,
) -> int:
    """How many rows a global check may have over ``store``'s union, bound to ``added`` when it can
    be (``shapes``: :func:`bindable_checks`, else the check is parsed here)."""
    text = read_sparql(path)
    shape = shapes[text] if shapes is not None and text in shapes else bindable(text)
    if shape is None:
        return len(run_check(path, store, union=True).rows)
    rows = 0
    for pattern in shape.patterns:
        names, values = dred.matches(pattern, added)
        head = "(" + " ".join(f"?{n}" for n in names) + ")"
        for i in range(0, len(values), dred.CHUNK):
            block = " ".join("(" + " ".join(row) + ")" for row in values[i : i + dred.CHUNK])
            where = re.search(r"WHERE\s*\{", text)
            assert where is not None  # a SELECT with a group pattern: bindable() parsed it
            query = f"{text[: where.start()]}WHERE {{ VALUES {head} {{ {block} }} {text[where.end() :]}"
            result = store.query(query, use_default_graph_as_union=True)
            assert isinstance(result, pyoxigraph.QuerySolutions)
            rows += sum(1 for _row in result)
    return rows


def run_local(
    paths: Iterable[Path], store: pyoxigraph.Store, graphs: Sequence[pyoxigraph.NamedNode] = ()
) -> list[CheckResult]:
    """The failed checks of ``paths`` over ``store``'s union, or over the union of ``graphs`` alone."""
    return [r for r in (run_check(p, store, union=True, graphs=graphs) for p in paths) if not r.passed]
