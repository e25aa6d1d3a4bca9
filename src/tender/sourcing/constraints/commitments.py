"""Committed spend: eligible spend per provider and month, cumulative milestones with shortfall."""

from __future__ import annotations

from tender.sourcing.data import PlanData
from tender.sourcing.objective import spend_terms
from tender.sourcing.variables import LinearModel, Vars


def provider_spend(data: PlanData, model: LinearModel, v: Vars) -> None:
    """spend[p, m] = eligible billed spend with provider p in month m (only for committed providers)."""
    providers = sorted({c.clause.provider for c in data.commitments})
    include_spot = {
        c.clause.provider for c in data.commitments if any("spot" in e for e in c.clause.eligible_spend)
    }
    for p in providers:
        for m in data.months:
            terms, const = spend_terms(data, v, p, m, include_spot=p in include_spot)
            s = model.var(f"spend[{p},{m}]")
            v.spend[(p, m)] = s
            model.row(f"spend_def[{p},{m}]", [(s, 1.0), *((j, -a) for j, a in terms)], lb=const, ub=const)


def committed_spend(data: PlanData, model: LinearModel, v: Vars) -> None:
    """For each milestone k: eligible spend up to `by_month` + shortfalls so far >= cumulative target.

    A shortfall is invoiced (`penalty_pct_of_shortfall`) and counts as paid toward later milestones.
    A commitment with `drawdown_after` counts only spend beyond the earlier commitment's total
    (`drawdown` <= spend in its months, and <= all spend + earlier shortfalls - earlier total).
    """
    by_id = {c.clause.id: c for c in data.commitments}
    for c in data.commitments:
        p = c.clause.provider
        shortfalls: list[tuple[int, float]] = []
        for k, ms in enumerate(sorted(c.clause.milestones, key=lambda x: x.by_month)):
            sh = model.var(f"shortfall[{c.clause.id},{k}]", ub=float(ms.cumulative_usd))
            v.shortfall[(c.clause.id, k)] = sh
            shortfalls.append((sh, 1.0))
            window = [(v.spend[(p, m)], 1.0) for m in c.months if m <= ms.by_month]
            if c.after_total is None or c.clause.drawdown_after not in by_id:
                model.row(
                    f"milestone[{c.clause.id},{k}]", [*window, *shortfalls], lb=float(ms.cumulative_usd)
                )
                continue
            first = by_id[c.clause.drawdown_after]
            d = model.var(f"drawdown[{c.clause.id},{k}]")
            v.drawdown[f"{c.clause.id}:{k}"] = d
            model.row(f"dd_window[{c.clause.id},{k}]", [(d, 1.0), *((j, -a) for j, a in window)], ub=0.0)
            all_months = sorted({*first.months, *c.months})
            earlier = [
                (v.shortfall[(first.clause.id, i)], -1.0)
                for i in range(len(first.clause.milestones))
                if (first.clause.id, i) in v.shortfall
            ]
            model.row(
                f"dd_after[{c.clause.id},{k}]",
                [(d, 1.0), *((v.spend[(p, m)], -1.0) for m in all_months if m <= ms.by_month), *earlier],
                ub=-float(c.after_total),
            )
            model.row(f"milestone[{c.clause.id},{k}]", [(d, 1.0), *shortfalls], lb=float(ms.cumulative_usd))
