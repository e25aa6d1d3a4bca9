"""Committed spend: eligible spend per provider and month, cumulative milestones with shortfall."""

from __future__ import annotations

from tender.sourcing.data import PlanData
from tender.sourcing.objective import spend_terms
from tender.sourcing.variables import LinearModel, Vars


def provider_spend(data: PlanData, model: LinearModel, v: Vars) -> None:
    """spend[c, m] = the billed spend with c's provider in month m that c's `eligible_spend` counts."""
    for c in data.commitments:
        eligible = frozenset(c.clause.eligible_spend) if c.clause.eligible_spend else None
        for m in data.months:
            terms, const = spend_terms(data, v, c.clause.provider, m, eligible)
            s = model.var(f"spend[{c.clause.id},{m}]")
            v.spend[(c.clause.id, m)] = s
            model.row(
                f"spend_def[{c.clause.id},{m}]", [(s, 1.0), *((j, -a) for j, a in terms)], lb=const, ub=const
            )


def committed_spend(data: PlanData, model: LinearModel, v: Vars) -> None:
    """For each milestone k: eligible spend up to `by_month` + shortfalls so far >= cumulative target.

    A shortfall is invoiced (`penalty_pct_of_shortfall`) and counts as paid toward later milestones.
    A commitment with `drawdown_after` counts only spend beyond the earlier commitment's total
    (`drawdown` <= its eligible spend in its months, and <= max(0, the earlier commitment's eligible
    spend - the earlier total), one binary per milestone: exact when both count the same
    categories, as the ledger does).
    """
    by_id = {c.clause.id: c for c in data.commitments}
    for c in data.commitments:
        cid = c.clause.id
        shortfalls: list[tuple[int, float]] = []
        for k, ms in enumerate(sorted(c.clause.milestones, key=lambda x: x.by_month)):
            sh = model.var(f"shortfall[{c.clause.id},{k}]", ub=float(ms.cumulative_usd))
            v.shortfall[(c.clause.id, k)] = sh
            shortfalls.append((sh, 1.0))
            window = [(v.spend[(cid, m)], 1.0) for m in c.months if m <= ms.by_month]
            if c.after_total is None or c.clause.drawdown_after not in by_id:
                model.row(
                    f"milestone[{c.clause.id},{k}]", [*window, *shortfalls], lb=float(ms.cumulative_usd)
                )
                continue
            first = by_id[c.clause.drawdown_after]
            d = model.var(f"drawdown[{c.clause.id},{k}]")
            v.drawdown[f"{c.clause.id}:{k}"] = d
            model.row(f"dd_window[{c.clause.id},{k}]", [(d, 1.0), *((j, -a) for j, a in window)], ub=0.0)
            # d <= max(0, S - T), S = the earlier commitment's eligible spend so far, T its total:
            # `full` = 1 once S reaches T (then d <= S - T), else d <= 0.
            full = model.var(f"dd_full[{cid},{k}]", ub=1.0, integer=True)
            total = float(c.after_total)
            earlier = [(v.spend[(first.clause.id, m)], -1.0) for m in first.months if m <= ms.by_month]
            model.row(f"dd_after[{cid},{k}]", [(d, 1.0), (full, total), *earlier], ub=0.0)
            model.row(f"dd_gate[{cid},{k}]", [(d, 1.0), (full, -float(ms.cumulative_usd))], ub=0.0)
            model.row(f"milestone[{c.clause.id},{k}]", [(d, 1.0), *shortfalls], lb=float(ms.cumulative_usd))
