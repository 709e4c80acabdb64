"""Plots: each one renders from `peacekg plot` to SVG and PNG with the seed graph's content in it;
SVG output is byte-identical across processes; the service serves the same images under /plots
with caching headers, and its /plots page links them."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas
import pyoxigraph
import pytest
from click.testing import CliRunner
from PIL import Image

from kg.cli import cli
from kg.plots.charts import PLOTS, render
from kg.queries.client import Client
from service import create_app
from service.state import state

from helpers.paths import ROOT

SVG = "{http://www.w3.org/2000/svg}"
# What each plot must show from the seed graph (labels of actors, targets, events).
EXPECTED = {
    "stance-matrix": ["Volodymyr Zelensky", "Poland", "Russia", "supports", "refuses"],
    "stance-network": [
        "Vladimir Putin",
        "Olaf Scholz",
        "NATO membership for Ukraine",
        "Western troops on Ukrainian soil",
    ],
    "timeline": [
        "Alaska summit 2025",
        "Budapest Memorandum on Security Assurances",
        "23 Aug 1939",
        "Molotov–Ribbentrop Pact",
    ],
}


@pytest.fixture(scope="module")
def seed(seed_build):
    return seed_build


@pytest.fixture(scope="module")
def cli_output(seed, tmp_path_factory) -> dict[tuple[str, str], bytes]:
    """Every plot in every format, written by the CLI."""
    out = tmp_path_factory.mktemp("plots")
    written = {}
    for name in PLOTS:
        for fmt in ("svg", "png"):
            path = out / f"{name}.{fmt}"
            result = CliRunner().invoke(
                cli, ["--build-dir", str(seed.build_dir), "plot", name, "--format", fmt, "--output", str(path)]
            )
            assert result.exit_code == 0, result.output
            assert f"wrote {path}" in result.output
            written[name, fmt] = path.read_bytes()
    return written


@pytest.fixture(scope="module")
def service(seed):
    app = create_app(seed)
    yield app.test_client()
    state(app).pool.close()


def svg_text(data: bytes) -> str:
    """All text of an SVG document (svg.fonttype none keeps text as <text> elements)."""
    root = ET.fromstring(data)
    return "\n".join("".join(node.itertext()) for node in root.iter(SVG + "text"))


def test_plots_are_listed_with_their_queries() -> None:
    assert set(PLOTS) == set(EXPECTED)
    for plot in PLOTS.values():
        assert plot.title and plot.description and "SELECT" in plot.query


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_svg_from_the_cli_shows_the_seed_graph(cli_output, name: str) -> None:
    text = svg_text(cli_output[name, "svg"])
    for expected in EXPECTED[name]:
        assert expected in text, f"{name}: {expected!r} is not in the SVG's text"
    assert b"<dc:date>" not in cli_output[name, "svg"]  # no timestamp: reproducible


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_png_from_the_cli_is_an_image(cli_output, name: str) -> None:
    image = Image.open(io.BytesIO(cli_output[name, "png"]))
    assert image.format == "PNG" and image.width > 600 and image.height > 300
    assert len(image.convert("RGB").resize((64, 64)).getcolors(64 * 64)) > 8  # drawn, not blank


def test_svg_is_byte_identical_across_runs(seed, cli_output, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PEACEKG_")}
    for name in sorted(PLOTS):
        path = tmp_path / f"{name}.svg"
        subprocess.run(
            [sys.executable, "-m", "kg.cli", "--build-dir", str(seed.build_dir), "plot", name, "--output", str(path)],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        assert path.read_bytes() == cli_output[name, "svg"], f"{name}: the SVG differs between runs"


def test_cli_refuses_unknown_plots_and_writes_to_stdout(seed) -> None:
    unknown = CliRunner().invoke(cli, ["--build-dir", str(seed.build_dir), "plot", "pie"])
    assert unknown.exit_code == 2 and "stance-matrix" in unknown.output
    stdout = CliRunner().invoke(cli, ["--build-dir", str(seed.build_dir), "plot", "timeline", "--output", "-"])
    assert stdout.exit_code == 0 and stdout.stdout_bytes.startswith(b"<?xml")


def test_cli_without_a_store_exits_11(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["--build-dir", str(tmp_path / "none"), "plot", "timeline", "--output", str(tmp_path / "t.svg")]
    )
    assert result.exit_code == 11 and "peacekg build" in result.output


@pytest.mark.parametrize("name", sorted(PLOTS))
def test_an_empty_graph_draws_a_note(name: str) -> None:
    text = svg_text(render(name, "svg", Client(store=pyoxigraph.Store()).query))
    assert "no " in text or "nothing" in text


def test_labels_are_text_not_mathtext() -> None:
    frame = pandas.DataFrame(
        {
            "item": ["urn:x"],
            "kind": ["statement"],
            "date": pandas.to_datetime(["2021-01-01"]),
            "precision": [None],
            "label": ["exports fell from $30 billion to $2.8 billion"],
            "who": ["an author"],
        }
    ).astype({"item": "string", "label": "string", "who": "string"})
    text = svg_text(render("timeline", "svg", lambda query: frame))
    assert "$30 billion to $2.8 billion" in text


def test_service_serves_the_images(service, cli_output) -> None:
    for name in PLOTS:
        svg = service.get(f"/plots/{name}.svg")
        assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
        assert svg.data == cli_output[name, "svg"]  # the worker pool's answer draws the same picture
        png = service.get(f"/plots/{name}.png")
        assert png.status_code == 200 and png.mimetype == "image/png" and png.data.startswith(b"\x89PNG")
        etag = svg.headers["ETag"]
        assert etag.startswith('"') and svg.headers["Cache-Control"] == "no-cache"
        assert "default-src 'none'" in svg.headers["Content-Security-Policy"]
        again = service.get(f"/plots/{name}.svg", headers={"If-None-Match": etag})
        assert again.status_code == 304 and not again.data and again.headers["ETag"] == etag


def test_service_refuses_unknown_plots(service) -> None:
    response = service.get("/plots/pie.svg")
    assert (
        response.status_code == 404 and response.json["status"] == 404 and "stance-matrix" in response.json["message"]
    )


def test_plots_page_links_every_image(service) -> None:
    page = service.get("/plots")
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    html = page.get_data(as_text=True)
    for name, plot in PLOTS.items():
        assert f'<img src="/plots/{name}.svg"' in html
        assert f'href="/plots/{name}.png"' in html and f'href="/plots/{name}.svg"' in html
        assert plot.title in html


def test_a_cut_result_is_marked_on_the_plot() -> None:
    frame = pandas.DataFrame(
        {
            "item": ["urn:x"],
            "kind": ["event"],
            "date": pandas.to_datetime(["2025-08-15"]),
            "precision": [None],
            "label": ["A summit"],
            "who": [None],
        }
    )
    frame.attrs["truncated"] = True
    assert "incomplete" in svg_text(render("timeline", "svg", lambda query: frame))
