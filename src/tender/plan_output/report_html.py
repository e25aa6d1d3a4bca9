"""`--report`: one self-contained HTML page (plotly.js inlined, works offline) with four charts.

Charts: capacity by provider stacked over months (h100_eq), spend vs commitment milestones, the
notices timeline, unmet demand by month. Then a cost summary with the baseline. Every chart titles
both axes and keeps its legend right of the plot (`chart_style.layout`); a provider has the colour
the dashboard gives it (`chart_style.provider_colours` over `plan_providers`); each legend entry is
listed once (a contract's drawdown line and its milestones share a colour and a legend group).
"""

from __future__ import annotations

import html
from decimal import Decimal

import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from tender.domain import Scenario
from tender.plan_output.chart_style import (
    PALETTE,
    STATUS_COLOURS,
    layout,
    plan_providers,
    provider_colours,
    series_colours,
)
from tender.sourcing import Plan

ZERO = Decimal(0)


def _when(iso: str) -> str:
    """`2026-07-31T00:00:00Z` as `2026-07-31 00:00 UTC` (other text unchanged)."""
    if len(iso) >= 16 and iso[10] == "T" and iso.endswith("Z"):
        return f"{iso[:10]} {iso[11:16]} UTC"
    return iso


def _capacity(plan: Plan, sc: Scenario) -> go.Figure:
    months = list(range(1, plan.horizon + 1))
    labels = [sc.calendar.label(m) for m in months]
    fig = go.Figure()
    colours = provider_colours(
        plan_providers((a.provider for a in plan.awards), (r.provider for r in plan.ledger))
    )
    for p in sorted({a.provider for a in plan.awards}):
        ys = [
            float(
                sum(
                    a.gpus * sc.accelerators[a.gpu].h100_eq
                    for a in plan.awards
                    if a.provider == p and a.month == m
                )
            )
            for m in months
        ]
        fig.add_trace(go.Bar(name=p, x=labels, y=ys, marker={"color": colours[p]}))
    fig.update_layout(layout("Capacity by provider", "month", "capacity (h100_eq)", stacked=True))
    return fig


def _commitments(plan: Plan, sc: Scenario) -> go.Figure:
    fig = go.Figure()
    months = list(range(1, plan.horizon + 1))
    labels = [sc.calendar.label(m) for m in months]
    for i, contract in enumerate(sorted({m.contract for m in plan.milestones})):
        colour = PALETTE[i % len(PALETTE)]
        cumulative = []
        total = ZERO
        for m in months:
            total += sum(
                (
                    r.commitment_drawdown_usd
                    for r in plan.ledger
                    if r.contract_id == contract and r.month == m
                ),
                ZERO,
            )
            cumulative.append(float(total) / 1e6)
        fig.add_trace(
            go.Scatter(
                name=f"{contract} drawdown",
                x=labels,
                y=cumulative,
                mode="lines",
                line={"color": colour},
                legendgroup=contract,
            )
        )
        ms = [m for m in plan.milestones if m.contract == contract]
        fig.add_trace(
            go.Scatter(
                name=f"{contract} milestones",
                x=[sc.calendar.label(m.by_month) for m in ms],
                y=[float(m.cumulative_usd) / 1e6 for m in ms],
                mode="markers",
                marker={"size": 12, "symbol": "diamond", "color": colour},
                legendgroup=contract,
            )
        )
    fig.update_layout(layout("Spend vs commitment milestones", "month", "cumulative drawdown (USD millions)"))
    return fig


def _notices(plan: Plan, sc: Scenario) -> go.Figure:
    fig = go.Figure()
    for status in sorted({n.status for n in plan.notices}):
        ns = [n for n in plan.notices if n.status == status]
        fig.add_trace(
            go.Bar(
                name=status,
                orientation="h",
                marker={"color": STATUS_COLOURS.get(status, "#4e79a7")},
                y=[n.need for n in ns],
                x=[n.duration_months for n in ns],
                base=[n.start_month - 1 for n in ns],
                hovertext=[
                    f"{n.id}: {n.gpus} {n.gpu}, exercised {n.exercised_gpus}, deadline {_when(n.deadline)}"
                    for n in ns
                ],
            )
        )
    fig.update_layout(layout("ROFR notices: needs by month window and outcome", "horizon month", "need"))
    fig.update_layout(barmode="overlay")
    return fig


def _unmet(plan: Plan, sc: Scenario) -> go.Figure:
    fig = go.Figure()
    months = list(range(1, plan.horizon + 1))
    colours = series_colours(u.demand for u in plan.unmet)
    for d in sorted({u.demand for u in plan.unmet}):
        ys = [
            float(
                sum((u.h100_eq or Decimal(u.gpus or 0)) for u in plan.unmet if u.demand == d and u.month == m)
            )
            for m in months
        ]
        labels = [sc.calendar.label(m) for m in months]
        fig.add_trace(go.Bar(name=d, x=labels, y=ys, marker={"color": colours[d]}))
    fig.update_layout(layout("Unmet demand", "month", "unmet (h100_eq; runs in GPUs)", stacked=True))
    return fig


def report_html(plan: Plan, sc: Scenario) -> str:
    figs = [_capacity(plan, sc), _commitments(plan, sc), _notices(plan, sc), _unmet(plan, sc)]
    divs = [
        fig.to_html(
            full_html=False, include_plotlyjs=False, div_id=f"chart-{i}", config={"displaylogo": False}
        )
        for i, fig in enumerate(figs)
    ]
    m = Decimal(1_000_000)
    rows = "".join(
        f"<tr><td>{html.escape(k)}</td><td>{v / m:,.1f}</td></tr>"
        for k, v in sorted(plan.cost_breakdown_usd.items())
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Tender plan: {html.escape(plan.scenario)}</title>
<script>{get_plotlyjs()}</script>
<style>body{{font-family:sans-serif;margin:2em;}} table{{border-collapse:collapse}} td,th{{border:1px solid #ccc;padding:4px 8px;text-align:right}}</style>
</head><body>
<h1>Tender plan: {html.escape(plan.scenario)}</h1>
<p>Seed {plan.seed}, status {html.escape(plan.status)}, optimality gap {float(plan.gap) * 100:.3f} %.</p>
<table id="summary"><tr><th>item</th><th>USD millions</th></tr>
<tr><td>plan total</td><td>{plan.cost_total_usd / m:,.1f}</td></tr>{rows}
<tr><td>lower bound</td><td>{plan.lower_bound_usd / m:,.1f}</td></tr>
<tr><td>contract-blind baseline</td><td>{plan.baseline_cost_usd / m:,.1f}</td></tr></table>
{"".join(f'<section class="chart">{d}</section>' for d in divs)}
</body></html>
"""
