"""Plotly chart specs (plain data + layout) for the dashboard, built from a stored plan's JSON.

Pure functions: the stored plan document (`tender plan --json`, schema tender.plan/1) in, `{"id", "title", "data", "layout"}` out; plotly.js (served from the
`plotly` wheel, no CDN) draws them in the browser. Money stays decimal text until the chart axis.
Layout and colours come from `plan_output.chart_style`, as the plan report's do: both axes titled, the
legend right of the plot (clear of the axis titles), a provider in the same colour as in the report.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from tender.plan_output.chart_style import PALETTE, layout, plan_providers, provider_colours, series_colours

Chart = dict[str, Any]


def _layout(title: str, y: str, stacked: bool = False) -> dict[str, Any]:
    return layout(title, "month", y, stacked=stacked, height=340)


def _colours(plan: dict[str, Any]) -> dict[str, str]:
    awards = (str(a["provider"]) for a in plan.get("awards", []))
    return provider_colours(plan_providers(awards, (str(r["provider"]) for r in plan.get("ledger", []))))


def _horizon(plan: dict[str, Any]) -> int:
    return int(plan.get("horizon_months", 0))


def capacity_by_provider(plan: dict[str, Any]) -> Chart:
    months = list(range(1, _horizon(plan) + 1))
    held: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for award in plan.get("awards", []):
        held[str(award["provider"])][int(award["month"])] += int(award["gpus"])
    colours = _colours(plan)
    data = [
        {
            "type": "bar",
            "name": provider,
            "x": months,
            "y": [held[provider][m] for m in months],
            "marker": {"color": colours[provider]},
        }
        for provider in sorted(held)
    ]
    return {
        "id": "chart-capacity",
        "title": "Capacity held by provider",
        "data": data,
        "layout": _layout("Capacity held by provider", "GPUs held", stacked=True),
    }


def spend_by_provider(plan: dict[str, Any]) -> Chart:
    months = list(range(1, _horizon(plan) + 1))
    spend: dict[str, dict[int, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for row in plan.get("ledger", []):
        spend[str(row["provider"])][int(row["month"])] += Decimal(str(row.get("billed_cost_usd", "0")))
    colours = _colours(plan)
    data = [
        {
            "type": "bar",
            "name": p,
            "x": months,
            "y": [float(spend[p][m]) for m in months],
            "marker": {"color": colours[p]},
        }
        for p in sorted(spend)
    ]
    return {
        "id": "chart-spend",
        "title": "Spend by provider and month",
        "data": data,
        "layout": _layout("Spend by provider and month", "billed (USD)", stacked=True),
    }


def commitments_burndown(plan: dict[str, Any]) -> Chart:
    months = list(range(1, _horizon(plan) + 1))
    drawn: dict[str, dict[int, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for row in plan.get("ledger", []):
        contract = row.get("contract_id")
        if contract and Decimal(str(row.get("commitment_drawdown_usd", "0"))) != 0:
            drawn[str(contract)][int(row["month"])] += Decimal(str(row["commitment_drawdown_usd"]))
    milestones = plan.get("milestones", [])
    totals: dict[str, Decimal] = {}
    for m in milestones:
        totals[str(m["contract"])] = max(
            totals.get(str(m["contract"]), Decimal(0)), Decimal(str(m["cumulative_usd"]))
        )
    data: list[dict[str, Any]] = []
    for i, contract in enumerate(sorted(set(drawn) | set(totals))):
        colour = PALETTE[i % len(PALETTE)]
        total = totals.get(contract, Decimal(0))
        remaining, ys = total, []
        for month in months:
            remaining -= drawn[contract][month]
            ys.append(float(max(remaining, Decimal(0))))
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": f"{contract} remaining",
                "x": months,
                "y": ys,
                "line": {"color": colour},
                "legendgroup": contract,
            }
        )
        marks = [m for m in milestones if str(m["contract"]) == contract]
        if marks:
            data.append(
                {
                    "type": "scatter",
                    "mode": "markers",
                    "name": f"{contract} milestones",
                    "x": [int(m["by_month"]) for m in marks],
                    "y": [float(total - Decimal(str(m["cumulative_usd"]))) for m in marks],
                    "marker": {"size": 12, "symbol": "diamond", "color": colour},
                    "legendgroup": contract,
                }
            )
    return {
        "id": "chart-burndown",
        "title": "Commitments burn-down vs milestones",
        "data": data,
        "layout": _layout("Commitments: remaining vs milestones", "remaining (USD)"),
    }


def unmet_demand(plan: dict[str, Any]) -> Chart:
    months = list(range(1, _horizon(plan) + 1))
    unmet: dict[str, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    for row in plan.get("unmet", []):
        amount = row.get("h100_eq") if row.get("h100_eq") is not None else row.get("gpus")
        unmet[str(row["demand"])][int(row["month"])] += float(Decimal(str(amount or 0)))
    colours = series_colours(unmet)
    data = [
        {
            "type": "bar",
            "name": d,
            "x": months,
            "y": [unmet[d][m] for m in months],
            "marker": {"color": colours[d]},
        }
        for d in sorted(unmet)
    ]
    if not data:
        data = [{"type": "bar", "name": "no unmet demand", "x": months, "y": [0 for _ in months]}]
    return {
        "id": "chart-unmet",
        "title": "Unmet demand",
        "data": data,
        "layout": _layout("Unmet demand", "unmet (h100_eq; runs in GPUs)", stacked=True),
    }


def all_charts(plan: dict[str, Any]) -> list[Chart]:
    return [
        capacity_by_provider(plan),
        spend_by_provider(plan),
        commitments_burndown(plan),
        unmet_demand(plan),
    ]
