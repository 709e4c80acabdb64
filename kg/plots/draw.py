"""Drawing the plots of kg.plots.charts from query results (pandas DataFrames from kg.queries.client). Every
function takes a frame and returns a matplotlib Figure built without pyplot (no global figure
state); layouts are computed from the data alone, with every order fixed by explicit sort keys, so
the same graph always gives the same picture."""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas
    from matplotlib.figure import Figure

POLARITY_COLOURS = {"positive": "#1a9850", "negative": "#d73027", "directive": "#4575b4", "epistemic": "#8c8c8c"}
POLARITY_WORDS = {
    "positive": "supports, accepts, proposes, offers, considers, trusts",
    "negative": "opposes, rejects, refuses, criticises, distrusts",
    "directive": "demands, urges, warns",
    "epistemic": "asserts, denies, doubts, predicts",
}
KIND_STYLE = {
    "event": ("#4575b4", "o"),
    "agreement": ("#7b3294", "s"),
    "proposal": ("#e66101", "D"),
    "statement": ("#8c8c8c", "."),
}
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def _figure(width: float, height: float) -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=100)


def short(text: str, width: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def local_name(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def labelled(frame: pandas.DataFrame, iri: str, label: str) -> pandas.Series:
    """The label column, else the IRI's local name."""
    return frame[label].fillna(frame[iri].map(local_name)).astype("string")


def empty(title: str, message: str) -> Figure:
    figure = _figure(6, 1.6)
    figure.text(0.5, 0.62, title, ha="center", va="center", fontsize=12, weight="bold")
    figure.text(0.5, 0.32, message, ha="center", va="center", fontsize=10, color="#555")
    return figure


def _ranked(frame: pandas.DataFrame, key: str, label: str, other: str, limit: int) -> list[str]:
    """The ``limit`` keys with the most distinct partners, then most statements, then by label."""
    stats = frame.groupby(key, sort=True).agg(
        partners=(other, "nunique"), statements=("statements", "sum"), label=(label, "first")
    )
    stats = stats.reset_index().sort_values(
        ["partners", "statements", "label", key], ascending=[False, False, True, True], kind="mergesort"
    )
    return list(stats[key][:limit])


def stance_matrix(frame: pandas.DataFrame, max_actors: int = 30, max_targets: int = 16) -> Figure:
    """Actors (rows) × proposals and guarantees (columns); each cell names the stances reported
    and is coloured by its net polarity, (positive − negative) / (positive + negative)."""
    import numpy
    from matplotlib.colors import ListedColormap, TwoSlopeNorm
    from matplotlib.patches import Patch

    title = "Who stands where: actors × proposals and guarantees"
    if frame.empty:
        return empty(title, "no stances toward proposals or guarantees in this graph")
    frame = frame.assign(
        actorName=labelled(frame, "actor", "actorLabel"),
        targetName=labelled(frame, "target", "targetLabel"),
        stanceName=labelled(frame, "stance", "stanceLabel"),
    )
    targets = _ranked(frame, "target", "targetName", "actor", max_targets)
    frame = frame[frame["target"].isin(targets)]
    actors = _ranked(frame, "actor", "actorName", "target", max_actors)
    frame = frame[frame["actor"].isin(actors)]
    # A target whose every stance comes from actors left out above has nothing left to draw.
    targets = [t for t in targets if t in set(frame["target"])]
    scores = numpy.full((len(actors), len(targets)), numpy.nan)
    shade = numpy.zeros((len(actors), len(targets)))
    texts: dict[tuple[int, int], str] = {}
    for (actor, target), cell in frame.groupby(["actor", "target"], sort=True):
        i, j = actors.index(actor), targets.index(target)
        weight = cell.groupby("polarity")["statements"].sum()
        positive, negative = weight.get("positive", 0), weight.get("negative", 0)
        if positive + negative:
            scores[i, j] = (positive - negative) / (positive + negative)
        else:
            shade[i, j] = 1
        texts[i, j] = "\n".join(sorted(set(cell["stanceName"]))[:3])
    actor_names = dict(zip(frame["actor"], frame["actorName"], strict=True))
    target_names = dict(zip(frame["target"], frame["targetName"], strict=True))

    figure = _figure(3.2 + 0.95 * len(targets), 2.6 + 0.36 * len(actors))
    axes = figure.add_axes(
        (
            2.9 / figure.get_figwidth(),
            2.1 / figure.get_figheight(),
            1 - 3.2 / figure.get_figwidth(),
            1 - 2.6 / figure.get_figheight(),
        )
    )
    axes.imshow(
        numpy.where(shade > 0, 1.0, numpy.nan),
        cmap=ListedColormap(["#dde6f0"]),
        vmin=0,
        vmax=1,
        aspect="auto",
        interpolation="nearest",
    )
    image = axes.imshow(scores, cmap="RdYlGn", norm=TwoSlopeNorm(0, -1, 1), aspect="auto", interpolation="nearest")
    for (i, j), text in sorted(texts.items()):
        dark = not numpy.isnan(scores[i, j]) and abs(scores[i, j]) > 0.6
        axes.text(
            j, i, text, ha="center", va="center", fontsize=6.5, linespacing=1.0, color="white" if dark else "#1c1c1c"
        )
    axes.set_xticks(
        range(len(targets)),
        [wrap(target_names[t], 28) for t in targets],
        rotation=35,
        ha="right",
        rotation_mode="anchor",
        fontsize=7.5,
        linespacing=1.0,
        multialignment="right",
    )
    axes.set_yticks(range(len(actors)), [short(actor_names[a], 40) for a in actors], fontsize=8)
    axes.set_xticks(numpy.arange(-0.5, len(targets)), minor=True)
    axes.set_yticks(numpy.arange(-0.5, len(actors)), minor=True)
    axes.grid(which="minor", color="white", linewidth=1.5)
    axes.tick_params(which="minor", length=0)
    axes.set_title(title, fontsize=12, weight="bold", loc="left")
    scale = figure.add_axes((0.62, 0.25 / figure.get_figheight(), 0.3, 0.12 / figure.get_figheight()))
    colourbar = figure.colorbar(image, cax=scale, orientation="horizontal")
    colourbar.set_ticks([-1, 0, 1], labels=["opposes", "mixed", "supports"], fontsize=7)
    figure.legend(
        handles=[Patch(color="#dde6f0", label="only demands, warnings or factual claims")],
        loc="lower left",
        bbox_to_anchor=(0.01, 0.0),
        fontsize=7,
        frameon=False,
    )
    return figure


def _barycentre_order(
    nodes: list[str], partners: dict[str, list[str]], positions: dict[str, int], labels: dict[str, str]
) -> list[str]:
    def key(node: str) -> tuple:
        places = [positions[p] for p in partners.get(node, []) if p in positions]
        return (sum(places) / len(places) if places else float("inf"), labels[node], node)

    return sorted(nodes, key=key)


def stance_network(frame: pandas.DataFrame, max_actors: int = 32, max_targets: int = 16) -> Figure:
    """A two-column network: actors on the left, proposals and guarantees on the right, an edge
    for each reported support (green) or opposition (red), its width the number of statements.
    Both columns are ordered by the barycentre heuristic (each node near the mean position of its
    neighbours, a few sweeps from a sorted start) to keep crossings few; ties break by label."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import PathPatch
    from matplotlib.path import Path

    title = "Who supports or opposes what"
    frame = frame[frame["polarity"].isin(["positive", "negative"])] if not frame.empty else frame
    if frame.empty:
        return empty(title, "no support or opposition toward proposals or guarantees in this graph")
    frame = frame.assign(
        actorName=labelled(frame, "actor", "actorLabel"), targetName=labelled(frame, "target", "targetLabel")
    )
    targets = _ranked(frame, "target", "targetName", "actor", max_targets)
    frame = frame[frame["target"].isin(targets)]
    actors = _ranked(frame, "actor", "actorName", "target", max_actors)
    frame = frame[frame["actor"].isin(actors)]
    # A target whose every stance comes from actors left out above has nothing left to draw.
    targets = [t for t in targets if t in set(frame["target"])]
    edges = frame.groupby(["actor", "target", "polarity"], sort=True)["statements"].sum().reset_index()
    labels = {
        **dict(zip(frame["actor"], frame["actorName"], strict=True)),
        **dict(zip(frame["target"], frame["targetName"], strict=True)),
    }
    of_actor: dict[str, list[str]] = {}
    of_target: dict[str, list[str]] = {}
    for actor, target in zip(edges["actor"], edges["target"], strict=True):
        of_actor.setdefault(actor, []).append(target)
        of_target.setdefault(target, []).append(actor)
    targets = sorted(targets, key=lambda t: (-len(of_target.get(t, [])), labels[t], t))
    for _ in range(4):
        actors = _barycentre_order(actors, of_actor, {t: i for i, t in enumerate(targets)}, labels)
        targets = _barycentre_order(targets, of_target, {a: i for i, a in enumerate(actors)}, labels)

    def spread(nodes: list[str]) -> dict[str, float]:
        step = 1.0 / max(len(nodes), 1)
        return {n: 1 - step * (i + 0.5) for i, n in enumerate(nodes)}

    left, right = spread(actors), spread(targets)
    figure = _figure(12, 1.4 + 0.27 * max(len(actors), len(targets)))
    axes = figure.add_axes((0.01, 0.06, 0.98, 0.88))
    axes.set_xlim(-0.6, 1.75)
    axes.set_ylim(0, 1)
    axes.axis("off")
    for row in edges.itertuples(index=False):
        y0, y1 = left[row.actor], right[row.target]
        path = Path([(0, y0), (0.5, y0), (0.5, y1), (1, y1)], [Path.MOVETO, Path.CURVE4, Path.CURVE4, Path.CURVE4])
        axes.add_patch(
            PathPatch(
                path,
                facecolor="none",
                edgecolor=POLARITY_COLOURS[row.polarity],
                linewidth=0.8 + 0.9 * min(row.statements, 4),
                alpha=0.65,
            )
        )
    for nodes, places, x, side in ((actors, left, 0, "right"), (targets, right, 1, "left")):
        degree = of_actor if x == 0 else of_target
        for node in nodes:
            axes.scatter([x], [places[node]], s=18 + 10 * len(degree.get(node, [])), color="#333", zorder=3)
            axes.text(
                x - 0.03 if x == 0 else x + 0.03,
                places[node],
                short(labels[node], 44 if x == 0 else 52),
                ha=side,
                va="center",
                fontsize=8,
            )
    axes.text(0, 1.0, "actors", ha="center", va="bottom", fontsize=9, weight="bold", color="#555")
    axes.text(1, 1.0, "proposals and guarantees", ha="center", va="bottom", fontsize=9, weight="bold", color="#555")
    figure.suptitle(title, x=0.01, ha="left", fontsize=12, weight="bold")
    figure.legend(
        handles=[
            Line2D([], [], color=POLARITY_COLOURS[p], linewidth=2.5, label=f"{p}: {POLARITY_WORDS[p]}")
            for p in ("positive", "negative")
        ],
        loc="lower left",
        bbox_to_anchor=(0.01, 0.0),
        fontsize=7.5,
        frameon=False,
        ncol=2,
    )
    return figure


def date_text(stamp: pandas.Timestamp, precision: str | None) -> str:
    precision = local_name(precision) if isinstance(precision, str) else "day"
    if precision == "century":
        return f"{stamp.year // 100 + 1}th c."
    if precision == "decade":
        return f"{stamp.year // 10 * 10}s"
    if precision == "year":
        return str(stamp.year)
    if precision == "month":
        return f"{MONTHS[stamp.month - 1]} {stamp.year}"
    return f"{stamp.day} {MONTHS[stamp.month - 1]} {stamp.year}"


def timeline(frame: pandas.DataFrame, gap_years: int = 5) -> Figure:
    """One row per dated thing, in date order: events, agreements and proposals (coloured, by
    their labels) and the statements that date what they report (grey, summary and speaker). A
    dashed rule marks a jump of more than ``gap_years`` years between neighbouring rows."""
    from matplotlib.lines import Line2D

    title = "Timeline: dated events, agreements, proposals and statements"
    frame = frame.dropna(subset=["date"]) if not frame.empty else frame
    if frame.empty:
        return empty(title, "nothing dated in this graph")
    order = {kind: i for i, kind in enumerate(KIND_STYLE)}
    frame = frame.assign(name=labelled(frame, "item", "label"), rank=frame["kind"].map(order))
    frame = frame.sort_values(["date", "rank", "name", "item"], kind="mergesort")
    frame = frame.drop_duplicates(subset=["item"], keep="first")
    rows = list(frame.itertuples(index=False))
    figure = _figure(12, 1.2 + 0.2 * len(rows))
    axes = figure.add_axes((0.0, 0.3 / figure.get_figheight(), 1.0, 1 - 0.9 / figure.get_figheight()))
    axes.set_xlim(0, 1)
    axes.set_ylim(len(rows) - 0.5, -0.5)
    axes.axis("off")
    axes.axvline(0.155, color="#ccc", linewidth=1, zorder=0)
    previous = None
    for y, row in enumerate(rows):
        colour, marker = KIND_STYLE.get(row.kind, KIND_STYLE["statement"])
        if previous is not None and row.date.year - previous.year > gap_years:
            axes.axhline(y - 0.5, xmin=0.02, xmax=0.98, color="#bbb", linewidth=0.8, linestyle=(0, (4, 3)))
        previous = row.date
        axes.text(0.14, y, date_text(row.date, row.precision), ha="right", va="center", fontsize=7.5, color="#333")
        axes.scatter([0.155], [y], s=26 if marker != "." else 40, marker=marker, color=colour, zorder=3)
        if row.kind == "statement":
            who = f" — {short(row.who, 40)}" if isinstance(row.who, str) and row.who else ""
            text, style = short(row.name, 125 - len(who)) + who, "italic"
        else:
            text, style = short(row.name, 110), "normal"
        axes.text(
            0.17,
            y,
            text,
            ha="left",
            va="center",
            fontsize=7.5,
            color=colour if row.kind != "statement" else "#555",
            style=style,
            weight="bold" if row.kind in ("agreement", "proposal") else "normal",
        )
    figure.suptitle(title, x=0.01, ha="left", fontsize=12, weight="bold")
    figure.legend(
        handles=[
            Line2D([], [], color=c, marker=m, linestyle="none", label=k + "s") for k, (c, m) in KIND_STYLE.items()
        ],
        loc="lower left",
        bbox_to_anchor=(0.01, 0.0),
        fontsize=7.5,
        frameon=False,
        ncol=4,
    )
    return figure


def wrap(text: str, width: int, lines: int = 2) -> str:
    return "\n".join(textwrap.wrap(" ".join(text.split()), width, max_lines=lines, placeholder=" …"))
