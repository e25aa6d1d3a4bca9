"""Ledger projection: month x provider rows in FOCUS-style columns, exact `Decimal` money.

Flow:
1. usage awards (contract / on-demand / spot) bill GPUs x rate x hours;
2. reservations bill through the contract engine's `reserved_cost` (prepaid = whole term up front,
   effective cost spread over the term); ROFR holder blocks bill every month of the block;
3. take-or-pay bills max(used, minimum) through `take_or_pay`;
4. eligible spend draws down commitments through `drawdown` (milestone shortfalls become penalties);
5. revenue share through `revenue_share` on the counterparty's row;
6. totals: billed + shortfall penalties + revenue share, and the unmet-demand penalty.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from tender.contracts import DeliveryMonth, Spend, drawdown, reserved_cost, revenue_share, take_or_pay
from tender.domain import ReservedCapacity, TakeOrPay
from tender.sourcing.data import HOLDER_NEW, PlanData
from tender.sourcing.types import Award, LedgerRow, MilestoneStatus

ZERO = Decimal(0)
CATEGORY = {
    "contract": "compute_contract",
    "reserved": "compute_contract",
    "take_or_pay": "compute_contract",
    "on_demand": "compute_on_demand",
    "spot": "compute_spot",
}


@dataclass(frozen=True)
class Projection:
    rows: tuple[LedgerRow, ...]
    billed_usd: Decimal
    shortfall_usd: Decimal
    revenue_share_usd: Decimal
    unmet_penalty_usd: Decimal
    milestones: tuple[MilestoneStatus, ...]

    @property
    def total_usd(self) -> Decimal:
        return self.billed_usd + self.shortfall_usd + self.revenue_share_usd + self.unmet_penalty_usd


def project(
    data: PlanData,
    awards: Sequence[Award],
    unmet_h100_eq: Iterable[tuple[str, int, Decimal]],
    unplaced_runs: Iterable[str],
) -> Projection:
    sc = data.scenario
    hours = Decimal(data.hours)
    billed: dict[tuple[str, int], Decimal] = {}
    effective: dict[tuple[str, int], Decimal] = {}
    gpu_hours: dict[tuple[str, int], Decimal] = {}
    unused: set[tuple[str, int]] = set()
    spend: list[Spend] = []

    def add(p: str, m: int, amount: Decimal, category: str, eff: Decimal | None = None) -> None:
        billed[(p, m)] = billed.get((p, m), ZERO) + amount
        effective[(p, m)] = effective.get((p, m), ZERO) + (amount if eff is None else eff)
        if amount:
            spend.append(Spend(m, p, category, amount))

    used: dict[tuple[str, str, str, int], Decimal] = {}
    clauses = data.view.all_clauses()
    reserved_ids = {c.id for c in clauses if isinstance(c, ReservedCapacity)}
    for a in awards:
        gpu_hours[(a.provider, a.month)] = gpu_hours.get((a.provider, a.month), ZERO) + a.gpus * hours
        key = (a.provider, a.gpu, a.region, a.month)
        used[key] = used.get(key, ZERO) + a.gpus * hours
        if (
            a.pricing in ("contract", "on_demand", "spot")
            and a.clause not in reserved_ids
            and not _in_block(data, a)
        ):
            add(a.provider, a.month, a.gpus * a.rate_usd_per_gpu_hour * hours, CATEGORY[a.pricing])
    for o in data.offers:
        if o.kind == HOLDER_NEW:
            for m in data.months:
                if o.block_gpus[m - 1]:
                    add(
                        o.provider,
                        m,
                        o.block_gpus[m - 1] * (o.rate[m - 1] or ZERO) * hours,
                        "compute_contract",
                    )
    for c in clauses:
        if isinstance(c, ReservedCapacity):
            rates = sc.providers[c.provider].rates.get(c.gpu)
            if rates is None:
                continue
            mine = {
                m: sum(
                    (
                        v
                        for (p, g, r, mm), v in used.items()
                        if (p, g, mm) == (c.provider, c.gpu, m) and (c.region in (None, r))
                    ),
                    ZERO,
                )
                for m in data.months
            }
            rows = reserved_cost(
                c, mine, rates.contract or ZERO, rates.on_demand or ZERO, data.hours, sc.horizon
            )
            per_month = Decimal(c.gpus) * hours * (rates.contract or ZERO)
            for res_row in rows:
                if not res_row.reserved_gpu_hours:
                    continue  # outside the term: use is billed from its awards at their own rate
                m = res_row.month
                add(c.provider, m, res_row.reservation_charge, "compute_contract", per_month)
                add(c.provider, m, res_row.burst_charge, "compute_on_demand")
                if res_row.idle_gpu_hours > 0:
                    unused.add((c.provider, m))
        elif isinstance(c, TakeOrPay):
            prov = sc.providers[c.provider]
            for g, r in sorted(set(prov.gpu_region_pairs())):
                if c.gpu is not None and c.gpu != g:
                    continue
                rate = prov.rates[g].contract if g in prov.rates else None
                if rate is None:
                    continue
                months = [
                    DeliveryMonth(
                        m,
                        Decimal(prov.existing_gpus(g, r, m)) * hours,
                        Decimal(prov.existing_gpus(g, r, m)) * hours,
                        used.get((c.provider, g, r, m), ZERO),
                        rate,
                    )
                    for m in data.months
                ]
                for top_row in take_or_pay(c, months):
                    add(c.provider, top_row.month, top_row.charge, "compute_contract")
                    if top_row.unused_paid > 0:
                        unused.add((c.provider, top_row.month))
    commitments = [c.clause for c in data.commitments]
    dd = drawdown(commitments, spend, sc.horizon)
    drawn: dict[tuple[str, int], Decimal] = {}
    penalty: dict[tuple[str, int], Decimal] = {}
    provider_of = {c.id: c.provider for c in commitments}
    milestones: list[MilestoneStatus] = []
    for dd_row in dd:
        p = provider_of[dd_row.clause]
        pm = (p, dd_row.month)
        drawn[pm] = drawn.get(pm, ZERO) + dd_row.drawn
        if dd_row.penalty:
            penalty[pm] = penalty.get(pm, ZERO) + dd_row.penalty
        if dd_row.due is not None:
            milestones.append(
                MilestoneStatus(
                    dd_row.clause, p, dd_row.month, dd_row.due, dd_row.cumulative, dd_row.shortfall
                )
            )
    share: dict[tuple[str, int], Decimal] = {}
    for rs in data.view.revenue_shares():
        for srow in revenue_share(rs, sc.revenue_forecast_usd[: sc.horizon]):
            sk = (rs.counterparty_id, srow.month)
            share[sk] = share.get(sk, ZERO) + srow.accrued
    contract_of: dict[str, str] = {}
    for c in clauses:
        cp = c.counterparty()
        if cp is not None and c.type.value in ("committed_spend", "reserved_capacity", "take_or_pay"):
            contract_of.setdefault(cp, c.id)
    keys = sorted({*billed, *share, *penalty, *gpu_hours}, key=lambda k: (k[1], k[0]))
    rows_out = tuple(
        LedgerRow(
            month=m,
            provider=p,
            contract_id=contract_of.get(p),
            gpu_hours=gpu_hours.get((p, m), ZERO),
            billed_cost_usd=billed.get((p, m), ZERO),
            effective_cost_usd=effective.get((p, m), ZERO),
            commitment_status=("unused" if (p, m) in unused else "used") if p in contract_of else "none",
            commitment_drawdown_usd=drawn.get((p, m), ZERO),
            shortfall_accrual_usd=penalty.get((p, m), ZERO),
            revenue_share_usd=share.get((p, m), ZERO),
        )
        for p, m in keys
    )
    penalty_rate = data.unmet_penalty * hours
    unmet_pen = sum((q * penalty_rate for _d, _m, q in unmet_h100_eq), ZERO)
    for run_id in unplaced_runs:
        run = next(r for r in data.runs if r.id == run_id)
        eq = max(sc.accelerators[g].h100_eq for g in run.gpu_types if g in sc.accelerators)
        unmet_pen += penalty_rate * run.gpus * eq * run.duration_months
    return Projection(
        rows_out,
        sum(billed.values(), ZERO),
        sum(penalty.values(), ZERO),
        sum(share.values(), ZERO),
        unmet_pen,
        tuple(milestones),
    )


def _in_block(data: PlanData, a: Award) -> bool:
    """Awards drawn from a ROFR holder block are billed through the block itself."""
    return a.notice is not None and any(
        o.kind == HOLDER_NEW and o.notice == a.notice and o.site == (a.provider, a.gpu, a.region)
        for o in data.offers
    )
