"""The look shared by every chart (the plan report, the dashboard, the simulate report).

Colours: one per provider, the same in every chart.
1. the names are de-duplicated and sorted (so the colour of a provider does not depend on the order a
   chart meets it);
2. the i-th name takes the i-th colour of `PALETTE` (Tableau 10, then 10 lighter companions), cycling
   past 20 names.

The report and the dashboard pass the same set, `plan_providers` of the plan (award and ledger
providers), so a provider keeps its colour from one to the other.

Layout (plotly charts): `layout` titles both axes and puts the legend at the right of the plot, inside
the figure and clear of the axis titles (a horizontal legend under the plot covered the x title).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

PALETTE = (
    "#4e79a7",
    "#f28e2b",
    "#e15759",
    "#76b7b2",
    "#59a14f",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#bab0ac",
    "#1f4e79",
    "#b35900",
    "#8c1c1e",
    "#3c7a75",
    "#2e6b27",
    "#a68a00",
    "#6f4468",
    "#c2525f",
    "#5e4433",
    "#6e6661",
)


# A notice's outcome, the same in the report and wherever notices are drawn.
STATUS_COLOURS = {
    "open": "#bab0ac",
    "exercised": "#59a14f",
    "partially_exercised": "#edc948",
    "declined": "#e15759",
    "expired": "#9c755f",
    "withdrawn": "#76b7b2",
}


def series_colours(names: Iterable[str]) -> dict[str, str]:
    """Colours for series that are not providers (demands, contracts): by rank, from the palette's end."""
    ranked = sorted(set(names))
    return {name: PALETTE[(len(PALETTE) - 1 - i) % len(PALETTE)] for i, name in enumerate(ranked)}


def provider_colours(names: Iterable[str]) -> dict[str, str]:
    """name -> colour (hex), by the name's rank among the distinct names."""
    return {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(sorted(set(names)))}


def plan_providers(awards: Iterable[str], ledger: Iterable[str]) -> list[str]:
    """The providers a plan names: those of its awards and of its ledger rows, sorted."""
    return sorted(set(awards) | set(ledger))


def layout(
    title: str, x_title: str, y_title: str, *, stacked: bool = False, height: int = 360
) -> dict[str, Any]:
    """A plotly layout: both axis titles, round ticks left to plotly, the legend right of the plot."""
    out: dict[str, Any] = {
        "title": {"text": title, "x": 0.01, "xanchor": "left"},
        "xaxis": {"title": {"text": x_title}, "automargin": True},
        "yaxis": {"title": {"text": y_title}, "automargin": True, "rangemode": "tozero"},
        "showlegend": True,
        "legend": {"orientation": "v", "x": 1.02, "xanchor": "left", "y": 1.0, "yanchor": "top"},
        "margin": {"t": 48, "r": 16, "b": 48, "l": 64},
        "height": height,
    }
    if stacked:
        out["barmode"] = "stack"
    return out
