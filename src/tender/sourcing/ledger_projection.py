"""Ledger projection: month x provider rows in FOCUS-style columns, exact `Decimal` money.

Flow (`project`), each step one function adding spend lines to one `_Books`:
1. usage awards (contract / on-demand / spot, burst above a reservation) bill GPUs x rate x hours;
2. reservations bill through the contract engine's `reserved_cost` at the committed rate (prepaid =
   whole term up front, effective cost spread over the term), used or not;
3. ROFR holder blocks bill every month of the block, used or not;
4. take-or-pay bills max(used, minimum) through `take_or_pay`, in its term only;
5. eligible spend draws down commitments through `drawdown`, the one attribution (in `drawdown_after`
   order, only eligible spend, never above a total; milestone shortfalls become penalties); each
   commitment's drawdown and penalty sit on its own row (month, provider, commitment), the drawdown
   in whole cents so that a commitment's rows up to a month add up to its rounded cumulative;
6. revenue share through `revenue_share_versions` on the counterparty's row;
7. rows: one per (month, provider) carrying the billing, under the provider's first contract, plus
   one per other commitment of the provider that draws or is penalised that month;
8. totals: billed + shortfall penalties + revenue share, and the unmet-demand penalty.
Every clause is read on the amended timeline: each version bills only in the months it is in force.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from tender.contracts import (
    DeliveryMonth,
    Spend,
    drawdown,
    reserved_cost,
    revenue_share_versions,
    take_or_pay,
)
from tender.domain import ReservedCapacity, RevenueShare, TakeOrPay
from tender.domain.money import cents
from tender.sourcing.data import HOLDER_NEW, PlanData
from tender.sourcing.reservations import committed_rate
from tender.sourcing.types import Award, Charge, LedgerRow, MilestoneStatus

ZERO = Decimal(0)
CATEGORY = {
    "contract": "compute_contract",
    "reserved": "compute_contract",
    "take_or_pay": "compute_contract",
    "on_demand": "compute_on_demand",
    "spot": "compute_spot",
}
PM = tuple[str, int]  # (provider, month)
CM = tuple[str, int]  # (commitment clause id, month)


@dataclass(frozen=True)
class Projection:
    rows: tuple[LedgerRow, ...]
    billed_usd: Decimal
    shortfall_usd: Decimal
    revenue_share_usd: Decimal
    unmet_penalty_usd: Decimal
    milestones: tuple[MilestoneStatus, ...]
    charges: tuple[Charge, ...] = ()

    @property
    def total_usd(self) -> Decimal:
        return self.billed_usd + self.shortfall_usd + self.revenue_share_usd + self.unmet_penalty_usd


@dataclass
class _Books:
    """Running per-(provider, month) amounts and the spend lines commitments draw down from."""

    hours: Decimal
    billed: dict[PM, Decimal] = field(default_factory=dict)
    effective: dict[PM, Decimal] = field(default_factory=dict)
    gpu_hours: dict[PM, Decimal] = field(default_factory=dict)
    unused: set[PM] = field(default_factory=set)
    spend: list[Spend] = field(default_factory=list)
    charges: list[Charge] = field(default_factory=list)

    def add(self, p: str, m: int, amount: Decimal, category: str, eff: Decimal | None = None) -> None:
        self.billed[(p, m)] = self.billed.get((p, m), ZERO) + amount
        self.effective[(p, m)] = self.effective.get((p, m), ZERO) + (amount if eff is None else eff)
        if amount:
            self.spend.append(Spend(m, p, category, amount))

    def charge(self, line: Charge, category: str) -> None:
        """`add` with the line kept as the ledger's detail."""
        self.add(line.provider, line.month, line.billed_usd, category, line.effective_usd)
        self.charges.append(line)


def project(
    data: PlanData,
    awards: Sequence[Award],
    unmet_h100_eq: Iterable[tuple[str, int, Decimal]],
    unplaced_runs: Iterable[str],
) -> Projection:
    books = _Books(Decimal(data.hours))
    blocks = {(o.notice, *o.site) for o in data.offers if o.kind == HOLDER_NEW}
    _usage(books, awards, blocks)
    _reservations(data, books, awards)
    _holder_blocks(data, books, awards)
    _take_or_pay(data, books, awards)
    drawn, penalty, milestones = _drawdown(data, books)
    share = _revenue_share(data)
    rows = _rows(data, books, drawn, penalty, share)
    return Projection(
        rows,
        sum(books.billed.values(), ZERO),
        sum(penalty.values(), ZERO),
        sum(share.values(), ZERO),
        unmet_penalty(data, unmet_h100_eq, unplaced_runs),
        milestones,
        tuple(books.charges),
    )


def _usage(books: _Books, awards: Sequence[Award], blocks: set[tuple[str | None, str, str, str]]) -> None:
    """Step 1: awards billed by use; reserved and take-or-pay GPUs and holder blocks bill as a whole."""
    for a in awards:
        pm = (a.provider, a.month)
        books.gpu_hours[pm] = books.gpu_hours.get(pm, ZERO) + a.gpus * books.hours
        block = (a.notice, a.provider, a.gpu, a.region) in blocks
        if a.pricing in ("contract", "on_demand", "spot") and not block:
            cost = a.gpus * a.rate_usd_per_gpu_hour * books.hours
            line = Charge(
                a.month, a.provider, "usage", a.clause, a.notice, cost, cost, ZERO, a.gpus * books.hours,
                demand=a.demand, gpu=a.gpu, region=a.region, pricing=a.pricing, rate=a.rate_usd_per_gpu_hour,
            )  # fmt: skip
            books.charge(line, CATEGORY[a.pricing])


def _reservations(data: PlanData, books: _Books, awards: Sequence[Award]) -> None:
    """Step 2: each reservation version, in its term and in force, paid whether used."""
    sc = data.scenario
    for c in data.view.versions():
        if not isinstance(c, ReservedCapacity):
            continue
        rates = sc.providers[c.provider].rates.get(c.gpu)
        rate = committed_rate(rates) if rates is not None else None
        if rate is None:
            continue
        used = {m: ZERO for m in data.months}
        for a in awards:
            if a.clause == c.id and a.pricing == "reserved" and a.month in used:
                used[a.month] += a.gpus * books.hours
        per_month = Decimal(c.gpus) * books.hours * rate
        for row in reserved_cost(c, used, rate, rate, data.hours, sc.horizon):
            if not row.reserved_gpu_hours:
                continue  # outside the term or not in force: use is billed from its awards
            idle = min(per_month, row.idle_gpu_hours * rate)
            line = Charge(
                row.month, c.provider, "reservation", c.id, None, row.reservation_charge, per_month, idle,
                row.used_gpu_hours, upfront=c.billing == "prepaid_upfront", gpu=c.gpu, region=c.region,
                rate=rate,
            )  # fmt: skip
            books.charge(line, "compute_contract")
            if row.idle_gpu_hours > 0:
                books.unused.add((c.provider, row.month))


def _holder_blocks(data: PlanData, books: _Books, awards: Sequence[Award]) -> None:
    """Step 3: a ROFR holder block is paid every month of the block at the notice price."""
    for o in data.offers:
        if o.kind != HOLDER_NEW:
            continue
        for m in data.months:
            if o.block_gpus[m - 1]:
                rate = o.rate[m - 1] or ZERO
                amount = o.block_gpus[m - 1] * rate * books.hours
                used = sum(
                    (
                        a.gpus * books.hours
                        for a in awards
                        if (a.notice, a.provider, a.gpu, a.region, a.month) == (o.notice, *o.site, m)
                    ),
                    ZERO,
                )
                line = Charge(
                    m, o.provider, "holder_block", o.clause[m - 1], o.notice, amount, amount,
                    max(ZERO, amount - used * rate), used, gpu=o.site[1], region=o.site[2], rate=rate,
                )  # fmt: skip
                books.charge(line, "compute_contract")


def _take_or_pay(data: PlanData, books: _Books, awards: Sequence[Award]) -> None:
    """Step 4: in the term, max(take-or-pay GPU-hours used, minimum) at the committed rate."""
    sc = data.scenario
    used: dict[tuple[str, str, str, int], Decimal] = {}
    for a in awards:
        if a.pricing == "take_or_pay":
            key = (a.provider, a.gpu, a.region, a.month)
            used[key] = used.get(key, ZERO) + a.gpus * books.hours
    for c in data.view.versions():
        if not isinstance(c, TakeOrPay):
            continue
        prov = sc.providers[c.provider]
        term = [
            m for m in data.months if c.effective_from_month <= m < c.effective_from_month + c.term_months
        ]
        for g, r in sorted(set(prov.gpu_region_pairs())):
            rate = committed_rate(prov.rates[g]) if g in prov.rates else None
            if (c.gpu is not None and c.gpu != g) or rate is None:
                continue
            months = [
                DeliveryMonth(
                    m,
                    Decimal(prov.existing_gpus(g, r, m)) * books.hours,
                    Decimal(prov.existing_gpus(g, r, m)) * books.hours,
                    used.get((c.provider, g, r, m), ZERO),
                    rate,
                )
                for m in term
                if c.effective_in(m)
            ]
            for row in take_or_pay(c, months):
                taken = next(d.used_gpu_hours for d in months if d.month == row.month)
                line = Charge(
                    row.month, c.provider, "take_or_pay", c.id, None, row.charge, row.charge,
                    row.unused_paid, taken, gpu=g, region=r, rate=rate,
                )  # fmt: skip
                books.charge(line, "compute_contract")
                if row.unused_paid > 0:
                    books.unused.add((c.provider, row.month))


def _drawdown(
    data: PlanData, books: _Books
) -> tuple[dict[CM, Decimal], dict[CM, Decimal], tuple[MilestoneStatus, ...]]:
    """Step 5: eligible spend against commitments (every version): per (commitment, month) what it
    drew and its penalty, and the milestones, all from the one `drawdown` attribution."""
    commitments = data.view.commitments()
    provider_of = {c.id: c.provider for c in commitments}
    drawn: dict[CM, Decimal] = {}
    penalty: dict[CM, Decimal] = {}
    milestones: list[MilestoneStatus] = []
    for row in drawdown(commitments, books.spend, data.scenario.horizon):
        key = (row.clause, row.month)
        if row.drawn:  # whole cents, telescoped: the rows up to a month sum to cents(cumulative)
            drawn[key] = cents(row.cumulative) - cents(row.cumulative - row.drawn)
        if row.penalty:
            penalty[key] = row.penalty
        if row.due is not None:
            milestones.append(
                MilestoneStatus(
                    row.clause, provider_of[row.clause], row.month, row.due, row.cumulative, row.shortfall
                )
            )
    return drawn, penalty, tuple(milestones)


def _revenue_share(data: PlanData) -> dict[PM, Decimal]:
    """Step 6: what each revenue-share clause accrues per month (amended rate and cap)."""
    sc = data.scenario
    versions: dict[str, list[RevenueShare]] = {}
    for rs in data.view.revenue_shares():
        versions.setdefault(rs.id, []).append(rs)
    share: dict[PM, Decimal] = {}
    for clause_versions in versions.values():
        for row in revenue_share_versions(clause_versions, sc.revenue_forecast_usd[: sc.horizon]):
            live = next(v for v in clause_versions if v.effective_in(row.month))
            key = (live.counterparty_id, row.month)
            share[key] = share.get(key, ZERO) + row.accrued
    return share


def _rows(
    data: PlanData,
    books: _Books,
    drawn: dict[CM, Decimal],
    penalty: dict[CM, Decimal],
    share: dict[PM, Decimal],
) -> tuple[LedgerRow, ...]:
    """Step 7: the provider-month rows (billing, under the provider's first contract) and a row for
    each other commitment that draws or is penalised that month; drawdown and penalty columns
    always belong to the row's `contract_id`."""
    contract_of: dict[str, str] = {}
    for c in data.view.all_clauses():
        cp = c.counterparty()
        if cp is not None and c.type.value in ("committed_spend", "reserved_capacity", "take_or_pay"):
            contract_of.setdefault(cp, c.id)
    provider_of = {c.id: c.provider for c in data.view.commitments()}
    keys = {*books.billed, *share, *books.gpu_hours}
    keys |= {(provider_of[c], m) for c, m in (*drawn, *penalty) if contract_of.get(provider_of[c]) == c}
    rows = [
        LedgerRow(
            month=m,
            provider=p,
            contract_id=contract_of.get(p),
            gpu_hours=books.gpu_hours.get((p, m), ZERO),
            billed_cost_usd=books.billed.get((p, m), ZERO),
            effective_cost_usd=books.effective.get((p, m), ZERO),
            commitment_status=("unused" if (p, m) in books.unused else "used")
            if p in contract_of
            else "none",
            commitment_drawdown_usd=drawn.get((contract_of.get(p, ""), m), ZERO),
            shortfall_accrual_usd=penalty.get((contract_of.get(p, ""), m), ZERO),
            revenue_share_usd=share.get((p, m), ZERO),
        )
        for p, m in keys
    ]
    rows += [
        LedgerRow(
            month=m,
            provider=provider_of[c],
            contract_id=c,
            gpu_hours=ZERO,
            billed_cost_usd=ZERO,
            effective_cost_usd=ZERO,
            commitment_status="used",
            commitment_drawdown_usd=drawn.get((c, m), ZERO),
            shortfall_accrual_usd=penalty.get((c, m), ZERO),
            revenue_share_usd=ZERO,
        )
        for c, m in sorted({*drawn, *penalty})
        if contract_of.get(provider_of[c]) != c
    ]
    return tuple(sorted(rows, key=_row_order(contract_of)))


def _row_order(contract_of: dict[str, str]) -> Callable[[LedgerRow], tuple[int, str, int, str]]:
    """Month, provider, the provider's billing row first, then its other commitments by id."""

    def key(r: LedgerRow) -> tuple[int, str, int, str]:
        own = r.contract_id is None or contract_of.get(r.provider) == r.contract_id
        return (r.month, r.provider, 0 if own else 1, r.contract_id or "")

    return key


def unmet_penalty(
    data: PlanData, unmet_h100_eq: Iterable[tuple[str, int, Decimal]], unplaced_runs: Iterable[str]
) -> Decimal:
    """Step 7: the scenario's price of unmet demand; an unplaced run costs its whole size."""
    sc = data.scenario
    penalty_rate = data.unmet_penalty * data.hours
    total = sum((q * penalty_rate for _d, _m, q in unmet_h100_eq), ZERO)
    for run_id in unplaced_runs:
        run = next(r for r in data.runs if r.id == run_id)
        eq = max(sc.accelerators[g].h100_eq for g in run.gpu_types if g in sc.accelerators)
        total += penalty_rate * run.gpus * eq * run.duration_months
    return total
