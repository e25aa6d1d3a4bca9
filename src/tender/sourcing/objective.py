"""Step 4: the objective — billed compute, paid-but-unused commitments, shortfalls, unmet demand.

Costs per column (USD over the horizon):
1. base GPUs: rate x hours (0 inside a paid reservation or a holder block: those are fixed costs);
2. spot GPUs: spot rate x hours; burst above a reservation: burst rate x hours;
3. take-or-pay top-up (paid, unused): rate x hours;
4. committed-spend shortfall: penalty_pct/100 per USD short;
5. unmet demand: the scenario's penalty per h100_eq-hour (a training run left out: its whole size);
6. constants (objective offset): reservations and holder blocks paid whether used, revenue share.
"""

from __future__ import annotations

from decimal import Decimal

from tender.sourcing.data import PlanData
from tender.sourcing.variables import LinearModel, Vars

CONTRACT, ON_DEMAND, SPOT = "compute_contract", "compute_on_demand", "compute_spot"


def fixed_cost(data: PlanData, provider: str, month: int) -> Decimal:
    """Paid whether used or not: reserved blocks and ROFR holder blocks, in `month` (compute_contract)."""
    total = sum(
        (p.reserved * p.rate * data.hours for p in data.pools if (p.provider, p.month) == (provider, month)),
        Decimal(0),
    )
    for o in data.offers:
        if o.provider != provider:
            continue
        if o.block_gpus and o.block_gpus[month - 1] > 0:
            rate = o.rate[month - 1] or Decimal(0)
            total += o.block_gpus[month - 1] * rate * data.hours
    return total


def _category(pricing: str) -> str:
    return ON_DEMAND if pricing == "on_demand" else CONTRACT


def spend_terms(
    data: PlanData, v: Vars, provider: str, month: int, eligible: frozenset[str] | None
) -> tuple[list[tuple[int, float]], float]:
    """Billed spend with `provider` in `month` as (linear terms, constant), counting only the
    spend categories in `eligible` (None = every category), as the ledger's drawdown does."""

    def counts(category: str) -> bool:
        return eligible is None or category in eligible

    terms: list[tuple[int, float]] = []
    for o in data.offers:
        if o.provider != provider:
            continue
        unit = o.unit_cost(month, data.hours)
        base = counts(_category(o.pricing[month - 1]))
        for j, coef in v.usage_terms.get((o.idx, month), []):
            if j in v.spot:
                if counts(SPOT) and o.spot_rate is not None:
                    terms.append((j, float(o.spot_rate) * data.hours))
            elif unit and base:
                terms.append((j, coef * unit))
        if (o.idx, month) in v.topup and counts(CONTRACT):
            rate = o.rate[month - 1] or Decimal(0)
            terms.append((v.topup[(o.idx, month)], float(rate) * data.hours))
    for pool, j in v.burst.items():
        p = data.pools[pool]
        if (p.provider, p.month) == (provider, month) and counts(_category(p.burst_pricing)):
            terms.append((j, float(p.burst_rate or 0) * data.hours))
    fixed = float(fixed_cost(data, provider, month)) if counts(CONTRACT) else 0.0
    return terms, fixed


def set_objective(data: PlanData, model: LinearModel, v: Vars, constant: Decimal) -> None:
    """Put every cost on its column; `constant` (e.g. revenue share) goes to the offset."""
    hours = data.hours
    for (o, m), terms in v.usage_terms.items():
        unit = data.offers[o].unit_cost(m, hours)
        if not unit:
            continue
        for j, coef in terms:
            if j not in v.spot:
                model.add_cost(j, coef * unit)
    for (_i, o, _m), j in v.xs.items():
        rate = data.offers[o].spot_rate
        model.add_cost(j, float(rate or 0) * hours)
    for pool, j in v.burst.items():
        model.add_cost(j, float(data.pools[pool].burst_rate or 0) * hours)
    for (o, m), j in v.topup.items():
        model.add_cost(j, float(data.offers[o].rate[m - 1] or 0) * hours)
    pct = {c.clause.id: float(c.clause.penalty_pct_of_shortfall) / 100 for c in data.commitments}
    for (cid, _k), j in v.shortfall.items():
        model.add_cost(j, pct[cid])
    penalty = float(data.unmet_penalty) * hours
    for (_i, _m), j in v.unmet.items():
        model.add_cost(j, penalty)
    for r_idx, j in v.run_unmet.items():
        run = data.runs[r_idx]
        eq = max(
            float(data.scenario.accelerators[g].h100_eq)
            for g in run.gpu_types
            if g in data.scenario.accelerators
        )
        model.add_cost(j, penalty * run.gpus * eq * run.duration_months)
    fixed = sum(
        (fixed_cost(data, p, m) for p in sorted(data.scenario.providers) for m in data.months), Decimal(0)
    )
    model.offset = float(fixed + constant)
