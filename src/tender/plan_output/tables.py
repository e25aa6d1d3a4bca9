"""Terminal summary: cost by provider per quarter, commitments vs milestones, notices, unmet, gap."""

from __future__ import annotations

from decimal import Decimal

from rich.table import Table

from tender.domain import Scenario
from tender.sourcing import Plan

ZERO = Decimal(0)


def _m(amount: Decimal) -> str:
    return f"{amount / Decimal(1_000_000):,.1f}"


def plan_tables(plan: Plan, sc: Scenario) -> list[Table]:
    """The terminal tables of a plan: cost per provider and quarter, commitments, notices, unmet, result."""
    return [_cost(plan), _commitments(plan), _notices(plan), _unmet(plan, sc), _summary(plan)]


def _cost(plan: Plan) -> Table:
    quarters = [(q, q + 2) for q in range(1, plan.horizon + 1, 3)]
    cost = Table(title="Cost by provider per quarter (USD millions, billed)", title_justify="left")
    cost.add_column("provider")
    for lo, hi in quarters:
        cost.add_column(f"Q{(lo - 1) // 3 + 1} ({lo}-{min(hi, plan.horizon)})", justify="right")
    cost.add_column("total", justify="right")
    providers = sorted({r.provider for r in plan.ledger})
    for p in providers:
        cells = []
        for lo, hi in quarters:
            cells.append(
                sum((r.billed_cost_usd for r in plan.ledger if r.provider == p and lo <= r.month <= hi), ZERO)
            )
        cost.add_row(p, *(_m(c) for c in cells), _m(sum(cells, ZERO)))
    return cost


def _commitments(plan: Plan) -> Table:
    commits = Table(title="Commitments: drawdown vs milestones (USD millions)", title_justify="left")
    for col in ("contract", "provider", "by month", "due (cumulative)", "drawn", "shortfall"):
        commits.add_column(col, justify="right" if col not in ("contract", "provider") else "left")
    for ms in plan.milestones:
        commits.add_row(
            ms.contract,
            ms.provider,
            str(ms.by_month),
            _m(ms.cumulative_usd),
            _m(ms.drawdown_usd),
            _m(ms.shortfall_usd),
        )
    return commits


def _notices(plan: Plan) -> Table:
    notices = Table(title="ROFR notices and outcomes", title_justify="left")
    for col in (
        "notice",
        "need (demand/gpu/best third party)",
        "gpus",
        "price",
        "status",
        "exercised",
        "released",
    ):
        notices.add_column(col)
    for n in plan.notices:
        notices.add_row(
            n.id,
            n.need,
            f"{n.gpus:,}",
            format(n.price_usd_per_gpu_hour, "f"),
            n.status,
            f"{n.exercised_gpus:,}",
            f"{n.released_gpus:,}",
        )
    return notices


def _unmet(plan: Plan, sc: Scenario) -> Table:
    unmet = Table(title="Unmet demand", title_justify="left")
    for col in ("demand", "month", "h100_eq / gpus", "reasons"):
        unmet.add_column(col)
    for u in plan.unmet:
        amount = f"{u.h100_eq:,.1f} h100_eq" if u.h100_eq is not None else f"{u.gpus:,} GPUs"
        unmet.add_row(u.demand, f"{u.month} ({sc.calendar.label(u.month)})", amount, ", ".join(u.reasons))
    if not plan.unmet:
        unmet.add_row("-", "-", "-", "all demand met")
    return unmet


def _summary(plan: Plan) -> Table:
    summary = Table(title="Result", title_justify="left", show_header=False)
    summary.add_column("k")
    summary.add_column("v", justify="right")
    summary.add_row("status", plan.status)
    summary.add_row("plan cost (USD M, incl. penalties & revenue share)", _m(plan.cost_total_usd))
    for key, value in sorted(plan.cost_breakdown_usd.items()):
        summary.add_row(f"  {key}", _m(value))
    summary.add_row("lower bound (USD M)", _m(plan.lower_bound_usd))
    summary.add_row("optimality gap", f"{float(plan.gap) * 100:.3f} %")
    summary.add_row("contract-blind baseline (USD M)", _m(plan.baseline_cost_usd))
    summary.add_row("saving vs baseline (USD M)", _m(plan.baseline_cost_usd - plan.cost_total_usd))
    return summary
