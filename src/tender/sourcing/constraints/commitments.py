"""Committed spend: eligible spend per provider and month, cumulative milestones with shortfall."""

from __future__ import annotations

from decimal import Decimal

from tender.domain import Milestone
from tender.sourcing.data import Commitment, PlanData
from tender.sourcing.objective import fixed_costs, spend_terms
from tender.sourcing.variables import LinearModel, Vars


def provider_spend(data: PlanData, model: LinearModel, cols: Vars) -> None:
    """spend[c, m] = the billed spend with c's provider in month m that c's `eligible_spend` counts."""
    costs = fixed_costs(data)
    for commitment in data.commitments:
        eligible = frozenset(commitment.clause.eligible_spend) if commitment.clause.eligible_spend else None
        provider = commitment.clause.provider
        for month in data.months:
            fixed = costs.get((provider, month), Decimal(0))
            terms, const = spend_terms(data, cols, provider, month, eligible, fixed)
            spend_col = model.var(f"spend[{commitment.clause.id},{month}]")
            cols.spend[(commitment.clause.id, month)] = spend_col
            model.row(
                f"spend_def[{commitment.clause.id},{month}]",
                [(spend_col, 1.0), *((col, -coef) for col, coef in terms)],
                lb=const,
                ub=const,
            )


def committed_spend(data: PlanData, model: LinearModel, cols: Vars) -> None:
    """For each milestone k: eligible spend up to `by_month` + shortfalls so far >= cumulative target.

    A shortfall is invoiced (`penalty_pct_of_shortfall`) and counts as paid toward later milestones.
    A commitment with `drawdown_after` counts only spend beyond the earlier commitment's total
    (`drawdown` <= its eligible spend in its months, and <= max(0, the earlier commitment's eligible
    spend - the earlier total), one binary per milestone: exact when both count the same
    categories, as the ledger does).
    """
    by_id = {c.clause.id: c for c in data.commitments}
    for commitment in data.commitments:
        cid = commitment.clause.id
        shortfalls: list[tuple[int, float]] = []
        for k, milestone in enumerate(sorted(commitment.clause.milestones, key=lambda entry: entry.by_month)):
            shortfall_col = model.var(
                f"shortfall[{commitment.clause.id},{k}]", ub=float(milestone.cumulative_usd)
            )
            cols.shortfall[(commitment.clause.id, k)] = shortfall_col
            shortfalls.append((shortfall_col, 1.0))
            window = [
                (cols.spend[(cid, month)], 1.0) for month in commitment.months if month <= milestone.by_month
            ]
            if commitment.after_total is None or commitment.clause.drawdown_after not in by_id:
                model.row(
                    f"milestone[{commitment.clause.id},{k}]",
                    [*window, *shortfalls],
                    lb=float(milestone.cumulative_usd),
                )
                continue
            _drawn_after(
                model,
                cols,
                commitment,
                by_id[commitment.clause.drawdown_after],
                (k, milestone),
                window,
                shortfalls,
            )


def _drawn_after(
    model: LinearModel,
    cols: Vars,
    commitment: Commitment,
    first: Commitment,
    milestone_k: tuple[int, Milestone],
    window: list[tuple[int, float]],
    shortfalls: list[tuple[int, float]],
) -> None:
    """Milestone `k` (`milestone_k`) of a commitment drawn down after `first`: drawdown d <= its eligible spend in
    the window, d <= max(0, S - T) (S = `first`'s eligible spend so far, T its total: `full` = 1 once
    S reaches T, then d <= S - T, else d <= 0), and d + shortfalls so far >= the cumulative target."""
    cid = commitment.clause.id
    k, milestone = milestone_k
    drawdown_col = model.var(f"drawdown[{cid},{k}]")
    cols.drawdown[f"{cid}:{k}"] = drawdown_col
    model.row(f"dd_window[{cid},{k}]", [(drawdown_col, 1.0), *((col, -coef) for col, coef in window)], ub=0.0)
    full = model.var(f"dd_full[{cid},{k}]", ub=1.0, integer=True)
    total = float(commitment.after_total or 0)
    earlier = [
        (cols.spend[(first.clause.id, month)], -1.0) for month in first.months if month <= milestone.by_month
    ]
    model.row(f"dd_after[{cid},{k}]", [(drawdown_col, 1.0), (full, total), *earlier], ub=0.0)
    model.row(f"dd_gate[{cid},{k}]", [(drawdown_col, 1.0), (full, -float(milestone.cumulative_usd))], ub=0.0)
    model.row(f"milestone[{cid},{k}]", [(drawdown_col, 1.0), *shortfalls], lb=float(milestone.cumulative_usd))
