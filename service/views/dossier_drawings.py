"""The drawn parts of dossiers, computed on the server so that they need no script: an actor's
stance timeline and a proposal's lineage as SVG geometry (laid out by _dossier.html), and an
article's text cut into segments, each evidence span a link to its statement."""

from __future__ import annotations

import datetime
import itertools
import re
from typing import Any

from service.views.page_queries import Binding

STANCE_VOCAB = "https://w3id.org/peacekg/vocab/stance/"
POLARITY_COLOURS = {  # dark enough for 3:1 against white (WCAG 1.4.11, graphical objects)
    "positive": "#1b6e20",
    "negative": "#b71c1c",
    "epistemic": "#0d47a1",
    "directive": "#a84300",
}
TIMELINE = {"left": 230, "right": 20, "top": 26, "lane": 24, "width": 900}
LINEAGE = {"box_w": 250, "box_h": 44, "gap_x": 90, "gap_y": 18, "pad": 10}
_ANCHOR_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")
_DATE = re.compile(r"(-?\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


def anchor(iri: str, prefix: str = "st-") -> str:
    """An HTML id for a statement (``…/article/A/statement/s10`` -> ``st-A-statement-s10``)."""
    tail = iri.split("/article/", 1)[-1]
    return prefix + _ANCHOR_UNSAFE.sub("-", tail).strip("-")


def _day(value: str) -> int | None:
    """A date (or year, or year-month) as a day number, for placing it on an axis."""
    found = _DATE.match(value)
    if not found:
        return None
    year, month, day = int(found.group(1)), int(found.group(2) or 1), int(found.group(3) or 1)
    try:
        return datetime.date(year, month, day).toordinal()
    except ValueError:
        return None


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def timeline(rows: list[Binding], terms: Any) -> dict[str, Any] | None:
    """An actor's dated stances: one lane per target, a dot per statement coloured by the stance's
    polarity, each dot a link to its statement (with its summary as the dot's title)."""
    points: dict[str, dict[str, Any]] = {}
    for row in rows:
        if "date" not in row or "statement" not in row:
            continue
        day = _day(row["date"]["value"])
        statement = row["statement"]["value"]
        if day is None or statement in points:
            continue
        target = row.get("target", {}).get("value", "")
        polarity = row.get("polarity", {}).get("value", "").removeprefix(STANCE_VOCAB)
        points[statement] = {
            "day": day,
            "date": row["date"]["value"],
            "target": target,
            "colour": POLARITY_COLOURS.get(polarity, "#555555"),
            "polarity": polarity or "unknown",
            "stance": row.get("stanceLabel", row.get("stance", {})).get("value", ""),
            "summary": row.get("summary", {}).get("value", ""),
            "href": terms.iri(statement)["href"],
        }
    if not points:
        return None
    lanes: list[str] = []
    for point in sorted(points.values(), key=lambda p: p["day"]):
        if point["target"] not in lanes:
            lanes.append(point["target"])
    first, last = min(p["day"] for p in points.values()), max(p["day"] for p in points.values())
    span = max(last - first, 1)
    left, width, lane_h, top = TIMELINE["left"], TIMELINE["width"], TIMELINE["lane"], TIMELINE["top"]
    plot_w = width - left - TIMELINE["right"]
    for point in points.values():
        point["x"] = round(left + (point["day"] - first) / span * plot_w, 1)
        point["y"] = top + lanes.index(point["target"]) * lane_h + lane_h / 2
    years = range(datetime.date.fromordinal(first).year, datetime.date.fromordinal(last).year + 2)
    step = max(1, len(years) // 8)
    ticks = []
    for year in years[::step]:
        day = datetime.date(year, 1, 1).toordinal()
        if first <= day <= last or len(years) <= 2:
            ticks.append({"x": round(left + (day - first) / span * plot_w, 1), "text": str(year)})
    return {
        "width": width,
        "height": top + len(lanes) * lane_h + 8,
        "lanes": [
            {
                "y": top + i * lane_h + lane_h / 2,
                "label": _short(terms.labels.get(t) or (terms.iri(t)["text"] if t else "(no target)"), 34),
            }
            for i, t in enumerate(lanes)
        ],
        "points": sorted(points.values(), key=lambda p: (p["day"], p["y"])),
        "ticks": [t for t in ticks if left <= t["x"] <= width],
        "legend": [{"name": k, "colour": v} for k, v in POLARITY_COLOURS.items()],
        "first": datetime.date.fromordinal(first).isoformat(),
        "last": datetime.date.fromordinal(last).isoformat(),
    }


def lineage(rows: list[Binding], terms: Any, current: str) -> dict[str, Any] | None:
    """A proposal's lineage as boxes and arrows: a proposal stands right of the proposals it
    revises, counters or responds to; the dossier's own proposal is outlined."""
    edges = {(r["from"]["value"], r["to"]["value"], r.get("relationLabel", r["relation"])["value"]) for r in rows}
    if not edges:
        return None
    nodes = sorted({e[0] for e in edges} | {e[1] for e in edges})
    older = {n: [e[1] for e in edges if e[0] == n] for n in nodes}
    level: dict[str, int] = {}

    def depth(node: str, seen: frozenset[str] = frozenset()) -> int:
        if node not in level:
            level[node] = 1 + max((depth(o, seen | {node}) for o in older[node] if o not in seen), default=-1)
        return level[node]

    columns: dict[int, list[str]] = {}
    for node in nodes:
        columns.setdefault(depth(node), []).append(node)
    box_w, box_h, gap_x, gap_y, pad = (LINEAGE[k] for k in ("box_w", "box_h", "gap_x", "gap_y", "pad"))
    boxes = {}
    for col, members in columns.items():
        for row, node in enumerate(members):
            label = terms.labels.get(node) or terms.iri(node)["text"]
            boxes[node] = {
                "x": pad + col * (box_w + gap_x),
                "y": pad + row * (box_h + gap_y),
                "label": _short(label, 36),
                "full": label,
                "href": terms.iri(node)["href"],
                "current": node == current,
            }
    arrows = []
    for source, target, relation in sorted(edges):
        a, b = boxes[source], boxes[target]
        x1, y1, x2, y2 = a["x"], a["y"] + box_h / 2, b["x"] + box_w, b["y"] + box_h / 2
        arrows.append(
            {"x1": x1, "y1": y1, "x2": x2, "y2": y2, "label": relation, "lx": (x1 + x2) / 2, "ly": (y1 + y2) / 2 - 5}
        )
    return {
        "width": pad * 2 + (max(columns) + 1) * box_w + max(columns) * gap_x,
        "height": pad * 2 + max(len(m) for m in columns.values()) * (box_h + gap_y) - gap_y,
        "box_w": box_w,
        "box_h": box_h,
        "boxes": list(boxes.values()),
        "arrows": arrows,
    }


def _spans(rows: list[Binding]) -> list[tuple[int, int, str, str]]:
    spans = set()
    for row in rows:
        if "start" in row and "end" in row and "statement" in row:
            try:
                start, end = int(row["start"]["value"]), int(row["end"]["value"])
            except ValueError:
                continue
            spans.add((start, end, row["statement"]["value"], row.get("summary", {}).get("value", "")))
    return sorted(spans)


def marked_text(text: str, rows: list[Binding], highlight: str | None) -> dict[str, Any]:
    """The article's text as segments: plain, evidence (a link to the statement it supports; where
    spans overlap, the shortest), and the span asked for by ``?highlight=start-end`` (a ``mark``).
    Each span's start carries the anchor ``span-START-END`` that quotes elsewhere link to."""
    spans = [s for s in _spans(rows) if 0 <= s[0] < s[1] <= len(text)]
    marked = None
    found = re.fullmatch(r"(\d{1,9})-(\d{1,9})", highlight or "")
    if found and 0 <= int(found.group(1)) < int(found.group(2)) <= len(text):
        marked = (int(found.group(1)), int(found.group(2)))
    parts = [(0, len(text), False)]
    if marked:
        parts = [(0, marked[0], False), (marked[0], marked[1], True), (marked[1], len(text), False)]
    segments: list[dict[str, Any]] = []
    used: set[str] = set()
    for a, b, is_marked in parts:
        if is_marked:
            ident = f"span-{a}-{b}"
            used.add(ident)
            segments.append({"text": text[a:b], "mark": True, "id": ident, "anchors": []})
            continue
        cuts = sorted({a, b} | {x for s in spans for x in (s[0], s[1]) if a < x < b})
        for x, y in itertools.pairwise(cuts):
            covering = [s for s in spans if s[0] <= x and s[1] >= y]
            anchors = []
            for s in spans:
                ident = f"span-{s[0]}-{s[1]}"
                if s[0] == x and ident not in used:
                    used.add(ident)
                    anchors.append(ident)
            segment: dict[str, Any] = {"text": text[x:y], "mark": False, "anchors": anchors}
            if covering:
                shortest = min(covering, key=lambda s: (s[1] - s[0], s[2]))
                segment["href"] = "#" + anchor(shortest[2])
                segment["title"] = shortest[3]
            segments.append(segment)
    return {"segments": segments, "spans": len(spans)}
