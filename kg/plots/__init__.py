"""Plots of the graph (stance matrix, support network, timeline), each one SPARQL query and one
drawing function, byte-reproducible as SVG.

- :mod:`~kg.plots.charts`: the plots, their queries, :func:`render` and :func:`render_local`;
- :mod:`~kg.plots.draw`: the matplotlib drawing.

Exports :func:`render`, :func:`render_local`, ``PLOTS`` and ``FORMATS``.
"""

from kg.plots.charts import FORMATS, PLOTS, render, render_local

__all__ = ["FORMATS", "PLOTS", "render", "render_local"]
