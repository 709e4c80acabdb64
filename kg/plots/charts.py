"""Plots of the graph people would rather look at than read: who stands where on which proposal
(a stance matrix), who supports or opposes what (a network), and what happened when (a timeline).

    from kg.plots.charts import render, render_local
    svg = render_local("stance-matrix", "svg")               # from the current build
    png = render("timeline", "png", Client(url).query)       # from any source of DataFrames

Each plot is one SPARQL query (answered by kg.queries.client, so from the local store, the service, or
any endpoint holding the graph) and one drawing function (kg.plots.draw). SVG output is
byte-reproducible: text stays text (``svg.fonttype: none``, so names can be searched and copied),
fonts are fixed (DejaVu Sans, shipped with matplotlib, gives the layout), element ids come from a
fixed salt (``svg.hashsalt``), and no date is written (``metadata={'Date': None}``). PNG output is
rendered with the same settings. Rendering holds a lock: matplotlib's settings are process-wide,
and the service draws from several threads.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kg.errors import PeaceKGError
from kg.plots import draw as plots_draw

if TYPE_CHECKING:
    import pandas
    from matplotlib.figure import Figure
    from matplotlib.typing import RcKeyType

    from kg.settings import Settings

__all__ = ["FORMATS", "PLOTS", "Plot", "PlotError", "figure", "render", "render_local", "save"]

FORMATS = {"svg": "image/svg+xml", "png": "image/png"}
PNG_DPI = 110
STYLE: dict[RcKeyType, Any] = {
    "svg.fonttype": "none",
    "text.parse_math": False,  # labels come from the data: "$30 … $2.8" is text, not mathtext
    "svg.hashsalt": "peacekg",
    "svg.image_inline": True,
    "font.family": ["DejaVu Sans"],
    "font.size": 9,
    "path.simplify": True,
    "axes.unicode_minus": True,
}
METADATA = {"svg": {"Date": None, "Creator": "PeaceKG"}, "png": {"Software": "PeaceKG"}}
_LOCK = threading.RLock()

PREFIXES = """PREFIX pk: <https://w3id.org/peacekg/ontology/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX stance: <https://w3id.org/peacekg/vocab/stance/>
"""
# Claims (by their claimant) and positions (by their holder) toward proposals and commitments
# (security guarantees among them), counted by stance; the stance's polarity is its top concept.
STANCES = (
    PREFIXES
    + """
SELECT ?actor (SAMPLE(?aLabel) AS ?actorLabel) ?target (SAMPLE(?tLabel) AS ?targetLabel)
       ?stance (SAMPLE(?sLabel) AS ?stanceLabel) ?polarity (COUNT(DISTINCT ?statement) AS ?statements)
WHERE {
  ?statement pk:stance ?stance ; pk:target ?target .
  { ?statement a pk:Position ; pk:positionHolder ?actor } UNION { ?statement a pk:Claim ; pk:claimant ?actor }
  { ?target a pk:Proposal } UNION { ?target a pk:Commitment }
  ?stance skos:broader* ?top . ?top skos:topConceptOf <https://w3id.org/peacekg/vocab/stance> .
  BIND(STRAFTER(STR(?top), STR(stance:)) AS ?polarity)
  OPTIONAL { ?actor rdfs:label ?aLabel FILTER(LANGMATCHES(LANG(?aLabel), "en") || LANG(?aLabel) = "") }
  OPTIONAL { ?target rdfs:label ?tLabel FILTER(LANGMATCHES(LANG(?tLabel), "en") || LANG(?tLabel) = "") }
  OPTIONAL { ?stance skos:prefLabel ?sLabel FILTER(LANGMATCHES(LANG(?sLabel), "en")) }
}
GROUP BY ?actor ?target ?stance ?polarity
ORDER BY ?actor ?target ?stance
"""
)
# Everything with a time span: events, agreements, proposals, and statements (dated by what they
# report), by the span's earliest bound, with its precision.
TIMELINE = (
    PREFIXES
    + """
SELECT ?item ?kind ?date (SAMPLE(?prec) AS ?precision) (SAMPLE(?name) AS ?label)
       (GROUP_CONCAT(DISTINCT ?speaker; separator=", ") AS ?who)
WHERE {
  { ?item a pk:Statement . BIND("statement" AS ?kind) OPTIONAL { ?item pk:summary ?name }
    OPTIONAL { ?item pk:attributedTo/rdfs:label ?speaker FILTER(LANGMATCHES(LANG(?speaker), "en") || LANG(?speaker) = "") } }
  UNION { ?item a pk:Agreement . BIND("agreement" AS ?kind) }
  UNION { ?item a pk:Proposal . BIND("proposal" AS ?kind) }
  UNION { ?item a pk:Event . BIND("event" AS ?kind) FILTER NOT EXISTS { ?item a pk:Agreement } }
  ?item pk:hasTimeSpan ?span . ?span pk:earliest ?date .
  OPTIONAL { ?span pk:precision ?prec }
  OPTIONAL { ?item rdfs:label ?name FILTER(LANGMATCHES(LANG(?name), "en") || LANG(?name) = "") }
}
GROUP BY ?item ?kind ?date
ORDER BY ?date ?kind ?item
"""
)


class PlotError(PeaceKGError):
    """No such plot or format."""

    exit_code = 2


@dataclass(frozen=True)
class Plot:
    name: str
    title: str
    description: str
    query: str
    draw: Callable[[pandas.DataFrame], Figure]


def _timeline(frame: pandas.DataFrame) -> Figure:
    if "who" in frame:  # GROUP_CONCAT's order is not defined: sort the names
        frame = frame.assign(
            who=frame["who"].map(lambda w: ", ".join(sorted(w.split(", "))) if isinstance(w, str) else w)
        )
    return plots_draw.timeline(frame)


PLOTS = {
    p.name: p
    for p in (
        Plot(
            "stance-matrix",
            "Who stands where",
            "Actors × proposals and security guarantees: each cell names the stances reported, coloured from "
            "opposes (red) to supports (green).",
            STANCES,
            plots_draw.stance_matrix,
        ),
        Plot(
            "stance-network",
            "Who supports or opposes what",
            "Actors and the proposals and guarantees they support (green) or oppose (red); line width is the "
            "number of statements.",
            STANCES,
            plots_draw.stance_network,
        ),
        Plot(
            "timeline",
            "Timeline",
            "Dated events, agreements, proposals and statements, in date order.",
            TIMELINE,
            _timeline,
        ),
    )
}


def plot(name: str) -> Plot:
    try:
        return PLOTS[name]
    except KeyError:
        raise PlotError(f"no plot {name!r}; plots: {', '.join(sorted(PLOTS))}") from None


def figure(name: str, frames: Callable[[str], pandas.DataFrame]) -> Figure:
    """The figure of plot ``name``, its data from ``frames`` (a SPARQL SELECT -> DataFrame)."""
    chosen = plot(name)
    frame = frames(chosen.query)
    with _LOCK:
        import matplotlib

        with matplotlib.rc_context(STYLE):
            drawn = chosen.draw(frame)
            if frame.attrs.get("truncated"):
                drawn.text(
                    0.995,
                    0.003,
                    "incomplete: the service cut the query's rows at its max_result_rows",
                    ha="right",
                    va="bottom",
                    fontsize=7,
                    color="#a00000",
                )
            return drawn


def save(fig: Figure, fmt: str) -> bytes:
    if fmt not in FORMATS:
        raise PlotError(f"no format {fmt!r}; formats: {', '.join(FORMATS)}")
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.backends.backend_svg import FigureCanvasSVG

    buffer = io.BytesIO()
    with _LOCK, matplotlib.rc_context(STYLE):
        canvas = FigureCanvasSVG(fig) if fmt == "svg" else FigureCanvasAgg(fig)
        canvas.print_figure(buffer, format=fmt, dpi=PNG_DPI, metadata=METADATA[fmt])
    return buffer.getvalue()


def render(name: str, fmt: str, frames: Callable[[str], pandas.DataFrame]) -> bytes:
    """Plot ``name`` as ``fmt`` (svg or png) bytes."""
    if fmt not in FORMATS:
        raise PlotError(f"no format {fmt!r}; formats: {', '.join(FORMATS)}")
    return save(figure(name, frames), fmt)


def render_local(name: str, fmt: str = "svg", settings: Settings | None = None) -> bytes:
    """Plot ``name`` from the current build (the ``build_dir`` setting)."""
    from kg.queries.client import Client

    client = Client(settings=settings)
    return render(name, fmt, client.query)
