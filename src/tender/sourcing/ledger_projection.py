"""Ledger projection: month x provider rows in FOCUS-style columns, exact `Decimal` money.

Flow (`project`), each step one function returning what it found (steps 1-4 their charges, summed
into one `_Books`):
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
from dataclasses import dataclass
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
from tender.sourcing.data import PlanData
from tender.sourcing.reservations import committed_rate
from tender.sourcing.types import HOLDER_NEW, Award, Charge, LedgerRow, MilestoneStatus, Offer

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


@dataclass(frozen=True)
class _Lines:
    """What one billing step found: its charges (each with its FOCUS category), in billing order, and
    the provider-months where something was paid but not used."""

    charges: tuple[tuple[Charge, str], ...]
    unused: frozenset[PM] = frozenset()


@dataclass(frozen=True)
class _Books:
    """Per-(provider, month) amounts of every billing step, and the spend lines commitments draw
    down from."""

    billed: dict[PM, Decimal]
    effective: dict[PM, Decimal]
    gpu_hours: dict[PM, Decimal]
    unused: frozenset[PM]
    spend: tuple[Spend, ...]
    charges: tuple[Charge, ...]


def project(
    data: PlanData,
    awards: Sequence[Award],
    unmet_h100_eq: Iterable[tuple[str, int, Decimal]],
    unplaced_runs: Iterable[str],
) -> Projection:
    """The flow of the module docstring, one step per helper, each returning what it found."""
    hours = Decimal(data.hours)
    blocks = {(offer.notice, *offer.site) for offer in data.offers if offer.kind == HOLDER_NEW}
    steps = (
        _usage(awards, blocks, hours),  # 1.
        _reservations(data, awards, hours),  # 2.
        _holder_blocks(data, awards, hours),  # 3.
        _take_or_pay(data, awards, hours),  # 4.
    )
    books = _books(_gpu_hours(awards, hours), steps)
    drawn, penalty, milestones = _drawdown(data, books.spend)  # 5.
    share = _revenue_share(data)  # 6.
    rows = _rows(data, books, drawn, penalty, share)  # 7.
    return Projection(  # 8.
        rows,
        sum(books.billed.values(), ZERO),
        sum(penalty.values(), ZERO),
        sum(share.values(), ZERO),
        unmet_penalty(data, unmet_h100_eq, unplaced_runs),
        milestones,
        books.charges,
    )


def _gpu_hours(awards: Sequence[Award], hours: Decimal) -> dict[PM, Decimal]:
    """GPU-hours used per (provider, month), whatever the pricing."""
    used: dict[PM, Decimal] = {}
    for award in awards:
        key = (award.provider, award.month)
        used[key] = used.get(key, ZERO) + award.gpus * hours
    return used


def _books(gpu_hours: dict[PM, Decimal], steps: Sequence[_Lines]) -> _Books:
    """The billing steps' charges summed per (provider, month), in step order; a charge with a
    non-zero bill is a spend line too."""
    billed: dict[PM, Decimal] = {}
    effective: dict[PM, Decimal] = {}
    spend: list[Spend] = []
    for step in steps:
        for line, category in step.charges:
            key = (line.provider, line.month)
            billed[key] = billed.get(key, ZERO) + line.billed_usd
            effective[key] = effective.get(key, ZERO) + line.effective_usd
            if line.billed_usd:
                spend.append(Spend(line.month, line.provider, category, line.billed_usd))
    return _Books(
        billed=billed,
        effective=effective,
        gpu_hours=gpu_hours,
        unused=frozenset[PM]().union(*(step.unused for step in steps)),
        spend=tuple(spend),
        charges=tuple(line for step in steps for line, _category in step.charges),
    )


def _usage(awards: Sequence[Award], blocks: set[tuple[str | None, str, str, str]], hours: Decimal) -> _Lines:
    """Step 1: awards billed by use; reserved and take-or-pay GPUs and holder blocks bill as a whole."""
    lines: list[tuple[Charge, str]] = []
    for award in awards:
        block = (award.notice, award.provider, award.gpu, award.region) in blocks
        if award.pricing in ("contract", "on_demand", "spot") and not block:
            rate = award.rate_usd_per_gpu_hour
            cost = award.gpus * rate * hours
            line = Charge(
                award.month, award.provider, "usage", award.clause, award.notice, cost, cost, ZERO,
                award.gpus * hours, demand=award.demand, gpu=award.gpu, region=award.region,
                pricing=award.pricing, rate=rate,
            )  # fmt: skip
            lines.append((line, CATEGORY[award.pricing]))
    return _Lines(tuple(lines))


def _reservations(data: PlanData, awards: Sequence[Award], hours: Decimal) -> _Lines:
    """Step 2: each reservation version, in its term and in force, paid whether used."""
    lines: list[tuple[Charge, str]] = []
    unused: set[PM] = set()
    for clause in data.view.versions():
        if not isinstance(clause, ReservedCapacity):
            continue
        rates = data.scenario.providers[clause.provider].rates.get(clause.gpu)
        rate = committed_rate(rates) if rates is not None else None
        if rate is None:
            continue
        used = {month: ZERO for month in data.months}
        for award in awards:
            if award.clause == clause.id and award.pricing == "reserved" and award.month in used:
                used[award.month] += award.gpus * hours
        per_month = Decimal(clause.gpus) * hours * rate
        for row in reserved_cost(clause, used, rate, rate, data.hours, data.scenario.horizon):
            if not row.reserved_gpu_hours:
                continue  # outside the term or not in force: use is billed from its awards
            idle = min(per_month, row.idle_gpu_hours * rate)
            line = Charge(
                row.month, clause.provider, "reservation", clause.id, None, row.reservation_charge,
                per_month, idle, row.used_gpu_hours, upfront=clause.billing == "prepaid_upfront",
                gpu=clause.gpu, region=clause.region, rate=rate,
            )  # fmt: skip
            lines.append((line, "compute_contract"))
            if row.idle_gpu_hours > 0:
                unused.add((clause.provider, row.month))
    return _Lines(tuple(lines), frozenset(unused))


def _holder_blocks(data: PlanData, awards: Sequence[Award], hours: Decimal) -> _Lines:
    """Step 3: a ROFR holder block is paid every month of the block at the notice price."""
    lines: list[tuple[Charge, str]] = []
    for offer in data.offers:
        if offer.kind != HOLDER_NEW:
            continue
        for month in data.months:
            if offer.block_gpus[month - 1]:
                lines.append((_block_charge(offer, month, awards, hours), "compute_contract"))
    return _Lines(tuple(lines))


def _block_charge(offer: Offer, month: int, awards: Sequence[Award], hours: Decimal) -> Charge:
    """One month of a holder block: its GPUs at the notice price, and what awards used of it."""
    rate = offer.rate[month - 1] or ZERO
    amount = offer.block_gpus[month - 1] * rate * hours
    key = (offer.notice, *offer.site, month)
    used = sum(
        (
            award.gpus * hours
            for award in awards
            if (award.notice, award.provider, award.gpu, award.region, award.month) == key
        ),
        ZERO,
    )
    return Charge(
        month, offer.provider, "holder_block", offer.clause[month - 1], offer.notice, amount, amount,
        max(ZERO, amount - used * rate), used, gpu=offer.site[1], region=offer.site[2], rate=rate,
    )  # fmt: skip


def _take_or_pay(data: PlanData, awards: Sequence[Award], hours: Decimal) -> _Lines:
    """Step 4: in the term, max(take-or-pay GPU-hours used, minimum) at the committed rate."""
    used: dict[tuple[str, str, str, int], Decimal] = {}
    for award in awards:
        if award.pricing == "take_or_pay":
            key = (award.provider, award.gpu, award.region, award.month)
            used[key] = used.get(key, ZERO) + award.gpus * hours
    lines: list[tuple[Charge, str]] = []
    unused: set[PM] = set()
    for clause in data.view.versions():
        if not isinstance(clause, TakeOrPay):
            continue
        provider = data.scenario.providers[clause.provider]
        for gpu, region in sorted(set(provider.gpu_region_pairs())):
            rate = committed_rate(provider.rates[gpu]) if gpu in provider.rates else None
            if (clause.gpu is not None and clause.gpu != gpu) or rate is None:
                continue
            delivered = _delivered(data, clause, (gpu, region), used, rate, hours)
            for row in take_or_pay(clause, delivered):
                taken = next(delivery.used_gpu_hours for delivery in delivered if delivery.month == row.month)
                line = Charge(
                    row.month, clause.provider, "take_or_pay", clause.id, None, row.charge, row.charge,
                    row.unused_paid, taken, gpu=gpu, region=region, rate=rate,
                )  # fmt: skip
                lines.append((line, "compute_contract"))
                if row.unused_paid > 0:
                    unused.add((clause.provider, row.month))
    return _Lines(tuple(lines), frozenset(unused))


def _delivered(
    data: PlanData,
    clause: TakeOrPay,
    line: tuple[str, str],
    used: dict[tuple[str, str, str, int], Decimal],
    rate: Decimal,
    hours: Decimal,
) -> list[DeliveryMonth]:
    """The take-or-pay clause's months in its term and in force on one (accelerator, region) line:
    listed capacity delivered, and what was used of it."""
    gpu, region = line
    provider = data.scenario.providers[clause.provider]
    start, end = clause.effective_from_month, clause.effective_from_month + clause.term_months
    return [
        DeliveryMonth(
            month,
            Decimal(provider.existing_gpus(gpu, region, month)) * hours,
            Decimal(provider.existing_gpus(gpu, region, month)) * hours,
            used.get((clause.provider, gpu, region, month), ZERO),
            rate,
        )
        for month in data.months
        if start <= month < end and clause.effective_in(month)
    ]


def _drawdown(
    data: PlanData, spend: Sequence[Spend]
) -> tuple[dict[CM, Decimal], dict[CM, Decimal], tuple[MilestoneStatus, ...]]:
    """Step 5: eligible spend against commitments (every version): per (commitment, month) what it
    drew and its penalty, and the milestones, all from the one `drawdown` attribution."""
    commitments = data.view.commitments()
    provider_of = {c.id: c.provider for c in commitments}
    drawn: dict[CM, Decimal] = {}
    penalty: dict[CM, Decimal] = {}
    milestones: list[MilestoneStatus] = []
    for row in drawdown(commitments, spend, data.scenario.horizon):
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
