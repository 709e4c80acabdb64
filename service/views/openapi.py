"""The OpenAPI 3 description of the service's non-SPARQL HTTP surface (stored queries, entity
pages, dataset description and dumps, plots, health, metrics): the hand-written
service/openapi.yaml, served as it is at ``/openapi.yaml`` and converted at ``/openapi.json``.
tests/service/test_openapi.py checks the running service against it with schemathesis."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import yaml
from flask import Blueprint, Response

blueprint = Blueprint("openapi", __name__)
SOURCE = Path(__file__).resolve().parent.parent / "openapi.yaml"


@lru_cache(maxsize=1)
def _texts() -> tuple[bytes, bytes]:
    """The YAML bytes and their JSON form, read once (the file ships with the code)."""
    data = SOURCE.read_bytes()
    return data, json.dumps(yaml.safe_load(data), ensure_ascii=False, indent=1).encode("utf-8")


@blueprint.get("/openapi.yaml")
def openapi_yaml() -> Response:
    return Response(_texts()[0], status=200, content_type="application/yaml; charset=utf-8")


@blueprint.get("/openapi.json")
def openapi_json() -> Response:
    return Response(_texts()[1], status=200, content_type="application/json; charset=utf-8")
