"""The drawing functions of kg.plots.draw on small frames (the plots over a real build are tested
in tests/service/test_plots.py)."""

from __future__ import annotations

import pandas
import pytest
from matplotlib.text import Text

from kg.plots import draw

R = "https://w3id.org/peacekg/resource/"


def _stances(rows: list[tuple[str, str, str, int]]) -> pandas.DataFrame:
    return pandas.DataFrame(
        [
            {
                "actor": R + actor,
                "actorLabel": actor.title(),
                "target": R + target,
                "targetLabel": target.title(),
                "stance": "https://w3id.org/peacekg/vocab/stance/" + stance,
                "stanceLabel": stance,
                "polarity": "positive" if stance == "supports" else "negative",
                "statements": n,
            }
            for actor, target, stance, n in rows
        ]
    )


@pytest.mark.parametrize("plot", [draw.stance_matrix, draw.stance_network])
def test_a_target_only_left_out_actors_speak_of_is_left_out_too(plot) -> None:
    """Targets are ranked before actors; a target whose every stance comes from an actor outside
    the top actors has nothing to draw and must not break the plot (it did, with a KeyError)."""
    frame = _stances(
        [
            ("alpha", "plan-a", "supports", 3),
            ("alpha", "plan-b", "opposes", 2),
            ("beta", "plan-a", "opposes", 1),
            ("beta", "plan-b", "supports", 1),
            ("gamma", "plan-c", "supports", 1),  # gamma is ranked out with max_actors=2
        ]
    )
    figure = plot(frame, max_actors=2, max_targets=3)
    shown = " ".join(text.get_text() for text in figure.findobj(Text))
    assert "Plan-A" in shown and "Plan-B" in shown and "Alpha" in shown
    assert "Plan-C" not in shown and "Gamma" not in shown
