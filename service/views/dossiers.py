"""Dossiers: what the graph knows about one individual, as panels (:mod:`service.views.dossier_panels`),
each the result of a stored query with the individual bound as its typed parameter
(kg.queries.stored.bind: an RDF term, never pasted into the text), run through the worker pool
like any query. A panel whose query fails or times out carries its error and the others still
render. Rows become view models here; the templates only lay them out (_dossier.html).

Labels come from the rows themselves (the ``?xLabel`` column of ``?x``; a statement is named by
its ``?summary``), so a dossier needs no label look-up of its own."""

from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any
from urllib.parse import urlencode

from flask import copy_current_request_context, current_app, request

from kg.queries.paging import next_cursor
from kg.queries.stored import QUERIES_DIR, StoredQueryFileError, StoredQueryInputError, bind, find
from service.errors import ApiError
from service.execution.outcomes import collect
from service.execution.workers import Job
from service.views import dossier_cache as cache
from service.views import dossier_drawings as drawings
from service.views.dossier_drawings import anchor
from service.views.dossier_panels import Column, Kind, Panel, kind_of, panels_for
from service.views.page_queries import DRAFT, Binding

_SPAN_OFFSETS = re.compile(r"/span/(\d{1,9})-(\d{1,9})$")  # minted TextSpan IRIs end in start-end
XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
PANEL_THREADS = 2  # panels whose queries run at once (the service runs query_workers, 2 by default)
PANEL_MAX_ROWS = 500  # rows read per panel; "open as query" has them all
PANEL_MAX_ENTRIES = 60  # entries (merged rows) a panel shows


def queries_dir():
    return current_app.config.get("PEACEKG_QUERIES_DIR") or QUERIES_DIR


def run_panel(panel: Panel, iri: str) -> tuple[list[Binding], bool]:
    """The rows of the panel's stored query for ``iri`` and whether they were cut (kept per build:
    :mod:`service.views.dossier_cache`); ApiError when the query is broken, refused, busy or out
    of time."""
    try:
        query = find(panel.query, queries_dir())
        terms = bind(query, {panel.param: iri})
    except (StoredQueryFileError, StoredQueryInputError) as exc:
        raise ApiError(500, f"the stored query {panel.query} cannot run: {exc}") from None
    build = cache.build_id()
    cache_key = cache.key(panel.query, query.text, panel.param, iri)
    fresh = cache.fresh_requested()
    kept = cache.panel_cache().get(build, cache_key) if build is not None and not fresh else None
    if kept is not None:
        return kept
    settings = current_app.config["PEACEKG"]
    job = Job(
        query.text,
        "application/sparql-results+json",
        [],
        [],
        union=True,
        max_rows=min(settings.max_result_rows, PANEL_MAX_ROWS),
        bindings=terms,
    )
    data, truncated = collect(job, what=f"the panel's query {panel.query}", evaluation_status=500)
    rows = json.loads(data)["results"]["bindings"]
    if build is not None and cache.build_id() == build:  # a build switched mid-way: not kept
        cache.panel_cache().put(build, cache_key, (rows, truncated))
    return rows, truncated


Outcome = tuple[Panel, list[Binding] | None, bool, str | None]  # rows (None: failed), cut, error


def run_panels(panels: tuple[Panel, ...], iri: str) -> list[Outcome]:
    """Every panel's query, PANEL_THREADS at a time (the worker pool runs them side by side; fewer
    than max_queries_per_client, so one page never trips its own client's limit); a panel's
    failure is kept as its error."""

    def one(panel: Panel) -> Outcome:
        try:
            rows, truncated = run_panel(panel, iri)
            return panel, rows, truncated, None
        except ApiError as exc:
            return panel, None, False, f"{exc.status}: {exc.message}"

    threads = min(PANEL_THREADS, current_app.config["PEACEKG"].query_workers)
    if threads <= 1:
        return [one(panel) for panel in panels]
    # one copy of the request context per panel, made here: a context is pushed by one thread only
    calls = [copy_current_request_context(partial(one, panel)) for panel in panels]
    with ThreadPoolExecutor(max_workers=threads) as pool:
        return [future.result() for future in [pool.submit(call) for call in calls]]


_SUMMARY_OF = {"statement": "summary", "invocation": "summary", "otherStatement": "otherSummary"}


def labels_from(rows: list[Binding]) -> dict[str, str]:
    """IRI -> label, read from the rows: ``?xLabel`` beside ``?x``; a statement's ``?summary``
    (``?otherSummary`` for ``?otherStatement``)."""
    found: dict[str, str] = {}
    for row in rows:
        for name, term in row.items():
            if term["type"] != "uri":
                continue
            label = row.get(name + "Label") or row.get(_SUMMARY_OF.get(name, ""))
            if label is not None and label["type"] == "literal":
                found.setdefault(term["value"], label["value"])
    return found


class Shaper:
    """Turns a panel's rows into entries of cells (``terms``: a page_model.Terms with the labels)."""

    def __init__(self, terms: Any, article_href: Any):
        self.terms, self.article_href = terms, article_href

    def value(self, row: Binding, name: str) -> dict[str, Any] | None:
        term = row.get(name)
        if term is None:
            return None
        if term["type"] == "literal" and term.get("datatype") == XSD_BOOLEAN:
            return {"kind": "literal", "text": "yes" if term["value"] in ("true", "1") else "no"}
        if term["type"] == "literal" and name in ("kind", "relation", "side", "match", "targetKind"):
            return {"kind": "literal", "text": term["value"]}
        if term["type"] == "literal":
            return {**self.terms(term), "datatype": None, "lang": None}
        return self.terms(term)

    def quote(self, row: Binding, prefix: str) -> dict[str, Any] | None:
        names = ("article", "quote", "span") if not prefix else (prefix + "Article", prefix + "Quote", prefix + "Span")
        article, exact, span = (row.get(n) for n in names)
        if exact is None:
            return None
        href, key = None, exact["value"]
        if span is not None:
            key = span["value"]
            offsets = _SPAN_OFFSETS.search(span["value"])
            source = article["value"] if article is not None else span["value"].split("/span/")[0]
            base = self.article_href(source)
            if base and offsets:
                start, end = offsets.groups()
                href = f"{base}?highlight={start}-{end}#span-{start}-{end}"
            elif base:
                href = base
        return {"exact": exact["value"], "href": href, "key": key}

    def statement(self, row: Binding, prefix: str) -> dict[str, Any] | None:
        name = prefix + "Statement" if prefix else "statement"
        node = row.get(name) or row.get("invocation" if not prefix else "")
        if node is None:
            return None
        get = (lambda n: row.get(prefix + n[0].upper() + n[1:])) if prefix else row.get
        summary = get("summary")
        link = self.terms(node)
        local = node["value"].rsplit("/", 1)[-1]
        link = {**link, "text": summary["value"] if summary else f"statement {local} (no summary)"}
        return {
            "node": link,
            "anchor": anchor(node["value"]),
            "speaker": self.value(row, "speaker") if not prefix else None,
            "stance": self.terms(get("stance")) if get("stance") else None,
            "modality": self.terms(row["modality"]) if not prefix and "modality" in row else None,
            "draft": _is_draft(get("draft")),
        }


def _is_draft(term: dict[str, str] | None) -> bool:
    """A stored query's ?draft / ?otherDraft: the review status IRI of a draft, unbound when reviewed
    (an IRI, not a boolean: Virtuoso answers booleans as 0/1; docs/deployment.md)."""
    return term is not None and term.get("value") == DRAFT


def _merge_key(panel: Panel, row: Binding, index: int) -> str:
    term = row.get(panel.merge) if panel.merge else None
    return term["value"] if term is not None else f"#{index}"


def shape(panel: Panel, rows: list[Binding], shaper: Shaper) -> list[dict[str, Any]]:
    """The panel's groups: ``[{"heading": [cells], "entries": [{"cells", "draft", "anchor"}]}]``;
    rows with the same ``panel.merge`` value are one entry, their quotes and coded values gathered."""
    groups: dict[tuple, dict[str, Any]] = {}
    entries: dict[str, dict[str, Any]] = {}
    for index, row in enumerate(rows):
        key = _merge_key(panel, row, index)
        entry = entries.get(key)
        if entry is None and len(entries) >= PANEL_MAX_ENTRIES:
            continue  # shown: the first entries; the query has the rest
        if entry is None:
            group_key = tuple((row.get(v) or {}).get("value") for v in panel.group)
            group = groups.setdefault(
                group_key, {"heading": [shaper.value(row, v) for v in panel.group], "entries": []}
            )
            entry = {"cells": [_cell(column, row, shaper) for column in panel.columns], "draft": False}
            entries[key] = entry
            group["entries"].append(entry)
        else:
            for column, cell in zip(panel.columns, entry["cells"], strict=True):
                _gather(column, row, shaper, cell)
        entry["draft"] = entry["draft"] or any(_is_draft(row.get(v)) for v in ("draft", "otherDraft"))
    return list(groups.values())


def _cell(column: Column, row: Binding, shaper: Shaper) -> dict[str, Any]:
    if column.kind == "statement":
        found = shaper.statement(row, column.prefix)
        quote = shaper.quote(row, column.prefix)
        return {"kind": "statement", "statement": found, "quotes": [quote] if quote else []}
    if column.kind == "quote":
        quote = shaper.quote(row, column.prefix)
        return {"kind": "quotes", "quotes": [quote] if quote else []}
    if column.kind == "coded":
        cell: dict[str, Any] = {"kind": "coded", "pairs": []}
        _gather(column, row, shaper, cell)
        return cell
    return {"kind": "term", "term": shaper.value(row, column.var)}


def _gather(column: Column, row: Binding, shaper: Shaper, cell: dict[str, Any]) -> None:
    """Add a merged row's quote or coded value to the entry's cell (once each)."""
    if cell["kind"] in ("statement", "quotes"):
        quote = shaper.quote(row, column.prefix)
        if quote and all(q["key"] != quote["key"] for q in cell["quotes"]):
            cell["quotes"].append(quote)
    elif cell["kind"] == "coded" and column.var in row:
        pair = (shaper.value(row, column.var), shaper.value(row, column.value))
        key = tuple((part or {}).get("text") for part in pair)
        if all(tuple((part or {}).get("text") for part in p) != key for p in cell["pairs"]):
            cell["pairs"].append(pair)


def query_links(panel: Panel, iri: str, rows: list[Binding] | None = None, cut: bool = False) -> dict[str, str]:
    """Where the panel's query opens: the query page with the query and its parameter loaded,
    and the stored query's own result page; for a query that pages (``# page:``), whose panel
    shows its first page, the result page of the next one when ``rows`` has a cursor for it (not
    when the rows were ``cut`` at the panel's limit: the last key's rows may be incomplete, as the
    stored query's own page says, service.views.stored_queries)."""
    root = request.script_root
    links = {
        "edit": f"{root}/?" + urlencode({"stored": panel.query, panel.param: iri}),
        "results": f"{root}/queries/{panel.query}?" + urlencode({panel.param: iri}),
    }
    try:
        query = find(panel.query, queries_dir())
    except (StoredQueryFileError, StoredQueryInputError):  # the panel says so (run_panel)
        return links
    if query.page is not None and rows and not cut:
        last = rows[-1].get(query.page.variable)
        cursor = next_cursor(query, last["value"] if last and last.get("type") != "bnode" else None)
        if cursor is not None:
            links["next"] = links["results"] + "&" + urlencode({query.page.param: cursor})
    return links


def dossier(
    iri: str, types: set[str], terms: Any, article_href: Any, text: str | None, highlight: str | None
) -> dict[str, Any] | None:
    """The dossier of ``iri`` (None when its types make no dossier kind): every panel run and
    shaped, each with its query links and, when its query failed, the error instead of rows."""
    kind: Kind | None = kind_of(types)
    if kind is None:
        return None
    results = run_panels(panels_for(kind, types), iri)
    for _, found, _, _ in results:
        terms.labels.update({k: v for k, v in labels_from(found or []).items() if k not in terms.labels})
    shaper = Shaper(terms, article_href)
    panels = []
    for panel, panel_rows, truncated, error in results:
        view: dict[str, Any] = {
            "key": panel.key,
            "title": panel.title,
            "query": panel.query,
            "view": panel.view,
            "note": panel.note,
            "empty": panel.empty,
            "headers": [c.header for c in panel.columns],
            "links": query_links(panel, iri, panel_rows, truncated),
            "error": error,
            "truncated": truncated,
            "count": len(panel_rows or []),
        }
        if panel_rows is not None:
            rows = panel_rows
            view["groups"] = shape(panel, rows, shaper) if panel.columns else []
            shown = sum(len(g["entries"]) for g in view["groups"])
            view["truncated"] = truncated or (shown >= PANEL_MAX_ENTRIES and len(rows) > shown)
            if panel.view == "timeline":
                view["drawing"] = drawings.timeline(rows, terms)
            elif panel.view == "lineage":
                view["drawing"] = drawings.lineage(rows, terms, iri)
            elif panel.view == "text" and text is not None:
                view["text"] = drawings.marked_text(text, rows, highlight)
        panels.append(view)
    return {"kind": kind.name, "title": kind.title, "panels": panels}
