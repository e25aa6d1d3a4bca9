"""Who pays whom in one plan: the lab's cost by line and every provider's revenue from the lab.

Flow (`accounts(scenario, plan, primary)`), exact `Decimal` throughout:
1. compute billed by each provider, from the plan's charges (`Plan.charges`): take-or-pay lines
   apart, every other line (usage, reservations, holder blocks) as billed compute;
2. shortfall penalties and revenue share, from the plan's ledger rows, to the row's provider;
3. the unmet-demand penalty (paid to nobody), unmet h100_eq-months and the training runs missed;
4. new build (`capex.new_build`): the capacity each provider brought online for the lab.
The books balance by construction of the plan: lab cost = sum of provider revenues + unmet penalty
(tests/unit/compare checks it against the ledger rows, not against these totals).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from tender.domain import Scenario
from tender.sourcing.compare.capex import Build, new_build
from tender.sourcing.types import Plan

ZERO = Decimal(0)


@dataclass(frozen=True)
class Revenue:
    """What one provider receives from the lab over the horizon."""

    party: str
    billed_compute_usd: Decimal = ZERO
    take_or_pay_usd: Decimal = ZERO
    shortfall_penalties_usd: Decimal = ZERO
    revenue_share_usd: Decimal = ZERO

    @property
    def revenue_usd(self) -> Decimal:
        return (
            self.billed_compute_usd
            + self.take_or_pay_usd
            + self.shortfall_penalties_usd
            + self.revenue_share_usd
        )


@dataclass(frozen=True)
class LabCost:
    compute_by_provider_usd: tuple[tuple[str, Decimal], ...]  # billed compute + take-or-pay
    shortfall_usd: Decimal
    revenue_share_usd: Decimal
    unmet_penalty_usd: Decimal

    @property
    def compute_usd(self) -> Decimal:
        return sum((v for _, v in self.compute_by_provider_usd), ZERO)

    @property
    def total_usd(self) -> Decimal:
        return self.compute_usd + self.shortfall_usd + self.revenue_share_usd + self.unmet_penalty_usd


@dataclass(frozen=True)
class Accounts:
    lab: LabCost
    providers: tuple[Revenue, ...]  # every provider of the scenario, in its order
    unmet_h100_eq_months: Decimal
    runs_made: tuple[str, ...]
    runs_missed: tuple[str, ...]
    build: Build


def accounts(sc: Scenario, p: Plan, primary: str | None) -> Accounts:
    compute: dict[str, Decimal] = {}
    take: dict[str, Decimal] = {}
    for c in p.charges:  # step 1
        book = take if c.kind == "take_or_pay" else compute
        book[c.provider] = book.get(c.provider, ZERO) + c.billed_usd
    shortfall: dict[str, Decimal] = {}
    share: dict[str, Decimal] = {}
    for r in p.ledger:  # step 2
        shortfall[r.provider] = shortfall.get(r.provider, ZERO) + r.shortfall_accrual_usd
        share[r.provider] = share.get(r.provider, ZERO) + r.revenue_share_usd
    others = (set(compute) | set(take) | set(shortfall) | set(share)) - set(sc.providers)
    names = [*sc.providers, *sorted(others)]
    revenues = tuple(
        Revenue(n, compute.get(n, ZERO), take.get(n, ZERO), shortfall.get(n, ZERO), share.get(n, ZERO))
        for n in names
    )
    lab = LabCost(
        tuple((r.party, r.billed_compute_usd + r.take_or_pay_usd) for r in revenues),
        sum((r.shortfall_penalties_usd for r in revenues), ZERO),
        sum((r.revenue_share_usd for r in revenues), ZERO),
        p.cost_breakdown_usd.get("unmet_penalty", ZERO),
    )
    missed = tuple(sorted({u.demand for u in p.unmet if u.gpus is not None}))  # step 3
    made = tuple(r.id for r in sc.training_runs if r.id not in missed)
    unmet = sum((u.h100_eq for u in p.unmet if u.h100_eq is not None), ZERO)
    return Accounts(lab, revenues, unmet, made, missed, new_build(sc, p, primary))
