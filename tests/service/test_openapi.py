"""The OpenAPI description (service/openapi.yaml, served at /openapi.yaml and /openapi.json) holds:
schemathesis generates requests from it for every operation and checks each answer against it
(documented status codes, content types, headers and JSON schemas; never a 500; invalid input
rejected with a 4xx). Deterministic (derandomize) and bounded (max_examples per operation)."""

from __future__ import annotations

import json
from collections import Counter

import jsonschema
import pytest
import schemathesis
import yaml
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from kg.builder.pipeline import build
from kg.store.export import export
from service import create_app
from service.state import state

from helpers.corpora import make_corpus, settings_for
from helpers.paths import ROOT

EXAMPLES = 40  # per operation and phase (17 operations)
CASES: Counter[str] = Counter()  # requests sent, by operation
PHASES: Counter[str] = Counter()  # and by schemathesis phase / generation mode


@pytest.fixture(scope="module", autouse=True)
def report(request):
    yield
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None and CASES:
        with capture.global_and_fixture_disabled():  # shown without -s
            reporter.write_line("")
            reporter.write_line(
                f"schemathesis: {sum(CASES.values())} requests over {len(CASES)} operations ("
                + ", ".join(f"{k} {v}" for k, v in sorted(PHASES.items()))
                + "); "
                + ", ".join(f"{k} {v}" for k, v in sorted(CASES.items()))
            )


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("openapi")
    built = settings_for(tmp, make_corpus(tmp, articles=1)).replace(query_workers=2, query_timeout_s=5.0)
    build(built)
    export(built)
    app = create_app(built)
    yield app
    state(app).pool.close()


# Loaded from the source file (the served copy is checked equal to it below); the requests go to
# the module's app. (schemathesis.pytest.from_fixture would load it from the app, but reads
# request.node._nodeid, which pytest 9 no longer has.)
schema = schemathesis.openapi.from_path(ROOT / "service" / "openapi.yaml")


def test_the_yaml_and_json_forms_agree(app) -> None:
    client = app.test_client()
    served = client.get("/openapi.yaml")
    assert served.status_code == 200 and served.mimetype == "application/yaml"
    assert served.data == (ROOT / "service" / "openapi.yaml").read_bytes()
    assert (
        client.get("/openapi.json").json == yaml.safe_load(served.data) == json.loads(client.get("/openapi.json").data)
    )


def test_it_is_valid_openapi_3_0() -> None:
    """Against the OpenAPI 3.0 meta-schema (the copy schemathesis ships)."""
    from schemathesis.specs.openapi.definitions import OPENAPI_30

    spec = yaml.safe_load((ROOT / "service" / "openapi.yaml").read_text(encoding="utf-8"))
    errors = [
        f"{'/'.join(map(str, e.path))}: {e.message[:200]}"
        for e in jsonschema.validators.validator_for(OPENAPI_30)(OPENAPI_30).iter_errors(spec)
    ]
    assert not errors, errors


def test_every_route_outside_sparql_is_described(app) -> None:
    """A route added to the service without its description fails here (the SPARQL protocols,
    the query page and its static files are described elsewhere)."""
    described = set(yaml.safe_load((ROOT / "service" / "openapi.yaml").read_text(encoding="utf-8"))["paths"])
    undescribed = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint in (
            "static",
            "sparql.sparql",
            "graph_store.graph_store",
            "query_page.query_page",
        ) or rule.rule.startswith("/static/"):
            continue
        path = (
            rule.rule.replace("<any(svg, png):fmt>", "{fmt}").replace("<path:", "{").replace("<", "{").replace(">", "}")
        )
        if rule.endpoint == "pages.resource":
            continue  # /{path}: described by its kinds (/resource/{key}, /article/{id}, /graph/{name}, /ontology/{term})
        if rule.endpoint == "plots.plot_image":
            assert {"/plots/{name}.svg", "/plots/{name}.png"} <= described
            continue
        if rule.endpoint == "dataset.dump":
            assert {"/dumps/{file}", "/dumps/graphs/{file}"} <= described
            continue
        if path not in described:
            undescribed.add(path)
    assert not undescribed, f"routes missing from service/openapi.yaml: {sorted(undescribed)}"


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)
def test_the_service_keeps_its_description(case, app) -> None:
    # Which URL parameters /queries/{name} takes depends on the query named (GET /queries lists
    # them), so a schema-valid request may name one the query does not have: a documented 400.
    relax = [positive_data_acceptance] if case.operation.path == "/queries/{name}" else []
    CASES[case.operation.label] += 1
    if case.meta is not None:
        PHASES[f"{case.meta.phase.name.value} {case.meta.generation.mode.value}"] += 1
    case.call_and_validate(app=app, excluded_checks=relax)
