"""``peacekg link``: candidate Wikidata items for the reference individuals that have none yet.

For every actor, organisation, state, place, event and agreement of ``corpus/reference`` without a
*verified* Wikidata id, the endpoint (the ``link_endpoint`` setting; Wikidata's query service by
default, or any SPARQL endpoint holding Wikidata-shaped data) is asked which items carry one of
its names — label or alias — as an ``rdfs:label`` or ``skos:altLabel`` in the languages asked for
(default ``en`` and ``mul``, Wikidata's language-independent labels). Each candidate comes with its
label, ``schema:description``, ``wdt:P31`` classes and a score with its reasons
(:mod:`kg.link.scoring`), and everything goes into a review file, in a fixed order. **Nothing is
applied**: a reviewer checks a candidate and moves the accepted id into ``corpus/reference`` with
``status: verified`` and what was checked (docs/links.md).

Politeness toward public endpoints: names go in batches (``link_batch_size`` individuals per
request, their names in one VALUES block), requests start at least ``link_interval_s`` apart,
each carries a User-Agent naming PeaceKG and its address, a 429/503 answer is retried after its
Retry-After (at most twice, at most 60 s), and each request times out after ``link_timeout_s``.
Failures — unreachable, timed out, an HTTP error, an answer that is not SPARQL JSON — raise
:class:`LinkError` (exit code 14).
"""

from __future__ import annotations

import json
import re
import time
import urllib.error
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from SPARQLWrapper import JSON, POST, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from kg.errors import ConfigError, PeaceKGError
from kg.link.scoring import Match
from kg.mapping.links import verified_id
from kg.settings import Settings

WD_ENTITY = "http://www.wikidata.org/entity/"
LINKABLE = ("Agent", "Place", "Event", "Agreement")  # kinds of individuals that can be in Wikidata
NOT_LINKABLE = ("AnonymousSource",)
RETRY_STATUSES, MAX_RETRIES, MAX_RETRY_WAIT_S = (429, 503), 2, 60.0
_LANGUAGE = re.compile(r"[a-z]{2,3}(-[a-z0-9]+)*")


class LinkError(PeaceKGError):
    """The reconciliation endpoint could not be queried: unreachable, timed out, HTTP error, bad answer."""

    exit_code = 14


@dataclass(frozen=True)
class Entity:
    key: str
    type: str
    label: str
    aliases: tuple[str, ...]
    file: str
    unverified_id: str | None  # a Wikidata id in the reference data that is not verified

    @property
    def names(self) -> list[tuple[str, str]]:
        """(name, "label" | "alias"), the label first, without repeats."""
        out, seen = [(self.label, "label")], {self.label}
        for alias in self.aliases:
            if alias not in seen:
                seen.add(alias)
                out.append((alias, "alias"))
        return out


@dataclass
class Candidate:
    qid: str
    label: str | None = None
    description: str | None = None
    types: dict[str, str] = field(default_factory=dict)  # P31 QID -> label ('' when it has none)
    matches: set[Match] = field(default_factory=set)


def linkable_entities(
    corpus: Any, classes: dict[str, frozenset[str]], keys: Iterable[str] | None = None
) -> list[Entity]:
    """Reference individuals of a linkable kind without a verified Wikidata id, sorted by key.
    ``keys`` picks some (each must be a reference individual)."""
    found: dict[str, Entity] = {}
    for doc, _index, item in corpus.reference:
        ancestors = classes.get(item["type"], frozenset({item["type"]}))
        if not any(a in ancestors for a in LINKABLE) or any(a in ancestors for a in NOT_LINKABLE):
            continue
        wikidata = item.get("wikidata") or {}
        if verified_id(wikidata) is not None:
            continue
        found[item["key"]] = Entity(
            item["key"],
            item["type"],
            str(item["label"]),
            tuple(str(a) for a in item.get("aliases") or []),
            Path(doc.file).name,
            str(wikidata["id"]) if wikidata.get("id") else None,
        )
    if keys is None:
        return [found[k] for k in sorted(found)]
    wanted = sorted(set(keys))
    known = {item["key"]: item for _doc, _i, item in corpus.reference}
    unknown = [k for k in wanted if k not in known]
    if unknown:
        raise ConfigError(f"not reference individuals: {', '.join(unknown)}", field="key")
    skipped = [k for k in wanted if k not in found]
    if skipped:
        raise ConfigError(
            f"already linked (verified Wikidata id) or not a linkable kind: {', '.join(skipped)}", field="key"
        )
    return [found[k] for k in wanted]


def _literal(text: str, language: str) -> str:
    escaped = (
        text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    )
    return f'"{escaped}"@{language}'


def candidates_query(names: Iterable[str], languages: tuple[str, ...]) -> str:
    """One request for many names: which items have one of them as a label or an alias, with
    their labels, descriptions and classes in the languages asked for."""
    values = " ".join(_literal(n, lang) for n in sorted(set(names)) for lang in languages)
    wanted = ", ".join(f'"{lang}"' for lang in languages)
    return f"""PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX schema: <http://schema.org/>
PREFIX wdt: <http://www.wikidata.org/prop/direct/>
SELECT ?name ?on ?item ?label ?description ?type ?typeLabel WHERE {{
  VALUES ?name {{ {values} }}
  {{ ?item rdfs:label ?name . BIND("label" AS ?on) }} UNION {{ ?item skos:altLabel ?name . BIND("alias" AS ?on) }}
  FILTER(STRSTARTS(STR(?item), "{WD_ENTITY}Q"))
  OPTIONAL {{ ?item rdfs:label ?label . FILTER(LANG(?label) IN ({wanted})) }}
  OPTIONAL {{ ?item schema:description ?description . FILTER(LANG(?description) IN ({wanted})) }}
  OPTIONAL {{ ?item wdt:P31 ?type . OPTIONAL {{ ?type rdfs:label ?typeLabel . FILTER(LANG(?typeLabel) IN ({wanted})) }} }}
}}"""


@dataclass
class Endpoint:
    """A SPARQL endpoint asked politely: a User-Agent, a least interval between requests, a
    timeout, and Retry-After honoured on 429/503."""

    url: str
    user_agent: str
    interval_s: float
    timeout_s: float
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    _last: float | None = None

    def _wait_turn(self) -> None:
        if self._last is not None:
            wait = self.interval_s - (self.clock() - self._last)
            if wait > 0:
                self.sleep(wait)
        self._last = self.clock()

    def select(self, query: str) -> list[dict[str, Any]]:
        for attempt in range(MAX_RETRIES + 1):
            self._wait_turn()
            sparql = SPARQLWrapper(self.url, agent=self.user_agent)
            sparql.setQuery(query)
            sparql.setMethod(POST)
            sparql.setReturnFormat(JSON)
            sparql.setOnlyConneg(True)
            sparql.setTimeout(int(max(1, round(self.timeout_s))))
            try:
                result = sparql.queryAndConvert()
                if not isinstance(result, dict):  # JSON was asked for: anything else is not SPARQL JSON
                    raise TypeError(type(result).__name__)
                return result["results"]["bindings"]
            except urllib.error.HTTPError as exc:  # statuses SPARQLWrapper does not wrap (429, 503…)
                if exc.code in RETRY_STATUSES and attempt < MAX_RETRIES:
                    self.sleep(_retry_after(exc.headers.get("Retry-After"), self.interval_s))
                    continue
                raise LinkError(
                    f"{self.url} answered HTTP {exc.code} {exc.reason}"
                    + (" (still, after retrying)" if exc.code in RETRY_STATUSES else "")
                ) from None
            except SPARQLWrapperException as exc:  # 400, 401, 404, 414, 500 from the endpoint
                raise LinkError(f"{self.url} refused the query: {str(exc).splitlines()[0]}") from None
            except TimeoutError:
                raise LinkError(f"{self.url} did not answer within {self.timeout_s:g} s (link_timeout_s)") from None
            except urllib.error.URLError as exc:
                if isinstance(exc.reason, TimeoutError):
                    raise LinkError(f"{self.url} did not answer within {self.timeout_s:g} s (link_timeout_s)") from None
                raise LinkError(f"cannot reach {self.url}: {exc.reason}") from None
            except OSError as exc:  # connection reset or closed mid-answer
                raise LinkError(f"cannot reach {self.url}: {exc}") from None
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise LinkError(
                    f"{self.url} did not answer with SPARQL JSON results ({exc.__class__.__name__})"
                ) from None
        raise AssertionError("unreachable")


def _retry_after(header: str | None, default: float) -> float:
    try:
        return min(MAX_RETRY_WAIT_S, max(default, float(header))) if header else default
    except ValueError:  # an HTTP date: wait the default interval
        return default


def _qid(iri: str) -> str | None:
    return (
        iri[len(WD_ENTITY) :]
        if iri.startswith(WD_ENTITY) and re.fullmatch(r"Q[1-9][0-9]*", iri[len(WD_ENTITY) :])
        else None
    )


def _prefer(current: tuple[int, str] | None, value: str, language: str, languages: tuple[str, ...]) -> tuple[int, str]:
    rank = languages.index(language) if language in languages else len(languages)
    return min(current, (rank, value)) if current else (rank, value)


def collect(
    rows: list[dict[str, Any]], batch: list[Entity], languages: tuple[str, ...]
) -> dict[str, dict[str, Candidate]]:
    """The candidates of each entity of ``batch`` (key -> QID -> candidate) from the answer rows."""
    by_name: dict[str, list[tuple[Entity, str]]] = {}
    for entity in batch:
        for name, role in entity.names:
            by_name.setdefault(name, []).append((entity, role))
    items: dict[str, dict[str, Any]] = {}
    hits: list[tuple[str, str, str, str]] = []  # (qid, name, theirs, language)
    for row in rows:
        qid = _qid(row["item"]["value"])
        if qid is None:
            continue
        info = items.setdefault(qid, {"label": None, "description": None, "types": {}})
        for part in ("label", "description"):
            if part in row:
                info[part] = _prefer(info[part], row[part]["value"], row[part].get("xml:lang", ""), languages)
        if "type" in row and (type_qid := _qid(row["type"]["value"])) is not None:
            label = row.get("typeLabel")
            known = info["types"].get(type_qid)
            info["types"][type_qid] = (
                _prefer(known, label["value"], label.get("xml:lang", ""), languages) if label else known
            )
        hits.append((qid, row["name"]["value"], row["on"]["value"], row["name"].get("xml:lang", "")))
    out: dict[str, dict[str, Candidate]] = {e.key: {} for e in batch}
    for qid, name, theirs, language in hits:
        for entity, ours in by_name.get(name, []):
            info = items[qid]
            candidate = out[entity.key].setdefault(
                qid,
                Candidate(
                    qid,
                    info["label"][1] if info["label"] else None,
                    info["description"][1] if info["description"] else None,
                    {q: (label[1] if label else "") for q, label in info["types"].items()},
                ),
            )
            candidate.matches.add(Match(name, ours, theirs, language))
    return out


def user_agent(settings: Settings) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        mine = version("peacekg")
    except PackageNotFoundError:
        mine = "dev"
    return f"PeaceKG/{mine} (peacekg link; {settings.base_iri}) SPARQLWrapper"


def check_languages(languages: Iterable[str]) -> tuple[str, ...]:
    out = tuple(dict.fromkeys(languages))
    bad = [lang for lang in out if not _LANGUAGE.fullmatch(lang)]
    if not out or bad:
        raise ConfigError(f"not a language tag: {', '.join(bad) or '(none given)'}", field="language")
    return out


def reconcile(
    settings: Settings,
    *,
    endpoint: str | None = None,
    keys: Iterable[str] | None = None,
    languages: Iterable[str] = ("en", "mul"),
    max_candidates: int = 5,
    progress: Callable[[str], None] = lambda _m: None,
    client: Endpoint | None = None,
) -> dict[str, Any]:
    """Look up candidates for every linkable individual without a verified Wikidata id; returns
    the review document (see :func:`kg.link.review.review_document`)."""
    from kg.annotations.check import vocabulary_index
    from kg.annotations.corpus import load_corpus
    from kg.link.review import review_document

    for name, least in (("link_batch_size", 1), ("link_interval_s", 0), ("link_timeout_s", 1)):
        if settings[name] < least:
            raise ConfigError(f"setting {name!r}: must be at least {least}", field=name)
    languages = check_languages(languages)
    url = endpoint or settings.link_endpoint
    if not re.match(r"https?://[^/\s]+", url):
        raise ConfigError(f"the endpoint must be an http(s) URL, got {url!r}", field="link_endpoint")
    vocabulary = vocabulary_index(settings)
    entities = linkable_entities(load_corpus(Path(settings.corpus_dir), vocabulary), vocabulary.classes, keys)
    client = client or Endpoint(url, user_agent(settings), settings.link_interval_s, settings.link_timeout_s)
    found: dict[str, dict[str, Candidate]] = {}
    size = settings.link_batch_size
    for start in range(0, len(entities), size):
        batch = entities[start : start + size]
        progress(
            f"[{min(start + size, len(entities))}/{len(entities)}] asking {url} about {', '.join(e.key for e in batch)}"
        )
        rows = client.select(candidates_query([n for e in batch for n, _ in e.names], languages))
        found.update(collect(rows, batch, languages))
    return review_document(url, languages, entities, found, vocabulary.classes, max_candidates)
