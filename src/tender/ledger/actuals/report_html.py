"""`tender actuals report --report`: one self-contained HTML page (plotly.js inlined, works offline).

Charts (`figures`, shared with the dashboard): planned vs actual spend per provider (lines by month),
planned vs actual GPU-hours, and each commitment's burn-down (planned, actual, projected cumulative
drawdown) against its milestones. Then the milestone table with the projected shortfall.
"""

from __future__ import annotations

import html
from typing import Any

import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from tender.domain import Scenario
from tender.ledger.actuals.variance import Comparison

M = 1_000_000


def _money(fig: go.Figure, c: Comparison, sc: Scenario, attr: str, title: str, scale: float) -> go.Figure:
    for p in sorted({r.provider for r in c.rows}):
        rows = [r for r in c.rows if r.provider == p]
        xs = [sc.calendar.label(r.month) for r in rows]
        planned = [float(getattr(r, f"planned_{attr}")) / scale for r in rows]
        fig.add_trace(go.Scatter(name=f"{p} planned", x=xs, y=planned, mode="lines"))
        done = [r for r in rows if getattr(r, f"actual_{attr}") is not None]
        fig.add_trace(
            go.Scatter(
                name=f"{p} actual",
                x=[sc.calendar.label(r.month) for r in done],
                y=[float(getattr(r, f"actual_{attr}")) / scale for r in done],
                mode="lines+markers",
            )
        )
    fig.update_layout(title=title)
    return fig


def _burn(c: Comparison, sc: Scenario) -> go.Figure:
    fig = go.Figure()
    for clause in sorted({b.clause for b in c.burn}):
        rows = [b for b in c.burn if b.clause == clause]
        xs = [sc.calendar.label(b.month) for b in rows]
        fig.add_trace(
            go.Scatter(name=f"{clause} planned", x=xs, y=[float(b.planned_cumulative) / M for b in rows])
        )
        done = [b for b in rows if b.actual_cumulative is not None]
        fig.add_trace(
            go.Scatter(
                name=f"{clause} actual",
                x=[sc.calendar.label(b.month) for b in done],
                y=[float(b.actual_cumulative or 0) / M for b in done],
                mode="lines+markers",
            )
        )
        fig.add_trace(
            go.Scatter(
                name=f"{clause} projected",
                x=xs,
                y=[float(b.projected_cumulative) / M for b in rows],
                line={"dash": "dot"},
            )
        )
        ms = [m for m in c.milestones if m.clause == clause]
        fig.add_trace(
            go.Scatter(
                name=f"{clause} milestones",
                x=[sc.calendar.label(m.by_month) for m in ms],
                y=[float(m.due_usd) / M for m in ms],
                mode="markers",
                marker={"size": 12, "symbol": "diamond"},
            )
        )
    fig.update_layout(title="Commitment burn-down from actuals vs milestones (USD millions, cumulative)")
    return fig


def figures(c: Comparison, sc: Scenario) -> list[go.Figure]:
    spend = _money(go.Figure(), c, sc, "usd", "Planned vs actual spend by provider (USD millions)", M)
    hours = _money(go.Figure(), c, sc, "gpu_hours", "Planned vs actual GPU-hours by provider", 1.0)
    return [spend, hours, _burn(c, sc)]


def figure_specs(c: Comparison, sc: Scenario) -> list[dict[str, Any]]:
    """The charts as plotly JSON specs ({data, layout}) for the dashboard."""
    return [fig.to_plotly_json() for fig in figures(c, sc)]


def _milestone_rows(c: Comparison, sc: Scenario) -> str:
    return "".join(
        f"<tr><td>{html.escape(m.clause)}</td><td>{html.escape(sc.calendar.label(m.by_month))}</td>"
        f"<td>{m.due_usd / M:,.1f}</td><td>{m.planned_shortfall / M:,.1f}</td>"
        f"<td>{m.projected_cumulative / M:,.1f}</td><td>{m.projected_shortfall / M:,.1f}</td></tr>"
        for m in c.milestones
    )


def report_html(c: Comparison, sc: Scenario) -> str:
    divs = [
        fig.to_html(
            full_html=False, include_plotlyjs=False, div_id=f"actuals-{i}", config={"displaylogo": False}
        )
        for i, fig in enumerate(figures(c, sc))
    ]
    as_of = html.escape(sc.calendar.label(c.as_of))
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Tender plan vs actual: {html.escape(c.scenario)}</title>
<script>{get_plotlyjs()}</script>
<style>body{{font-family:sans-serif;margin:2em;}} table{{border-collapse:collapse}} td,th{{border:1px solid #ccc;padding:4px 8px;text-align:right}}</style>
</head><body>
<h1>Plan vs actual: {html.escape(c.scenario)}</h1>
<p>Actuals fix the months before {as_of} (month {c.as_of}); from then on the plan holds.</p>
{"".join(f'<section class="chart">{d}</section>' for d in divs)}
<table id="milestones"><tr><th>commitment</th><th>milestone</th><th>due (USD M)</th>
<th>planned shortfall</th><th>projected drawdown</th><th>projected shortfall</th></tr>{_milestone_rows(c, sc)}</table>
</body></html>
"""
