"""Ledger projection, steps 1-4: what each provider bills, as charges with their FOCUS category.

Each step returns its `Lines` (its charges in billing order and the provider-months where something
was paid but not used); `ledger_projection.project` sums them. Exact `Decimal` money.
1. usage awards (contract / on-demand / spot, burst above a reservation) bill GPUs x rate x hours;
2. reservations bill through the contract engine's `reserved_cost` at the committed rate, used or not;
3. ROFR holder blocks bill every month of the block at the notice price, used or not;
4. take-or-pay bills max(used, minimum) through `take_or_pay`, in its term only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from tender.contracts import DeliveryMonth, reserved_cost, take_or_pay
from tender.domain import ReservedCapacity, TakeOrPay
from tender.sourcing.data import PlanData
from tender.sourcing.reservations import committed_rate
from tender.sourcing.types import HOLDER_NEW, Award, Charge, Offer

ZERO = Decimal(0)
CATEGORY = {
    "contract": "compute_contract",
    "reserved": "compute_contract",
    "take_or_pay": "compute_contract",
    "on_demand": "compute_on_demand",
    "spot": "compute_spot",
}
ProviderMonth = tuple[str, int]  # (provider, month)


@dataclass(frozen=True)
class Lines:
    """What one billing step found: its charges (each with its FOCUS category), in billing order, and
    the provider-months where something was paid but not used."""

    charges: tuple[tuple[Charge, str], ...]
    unused: frozenset[ProviderMonth] = frozenset()


def bill_usage(
    awards: Sequence[Award], blocks: set[tuple[str | None, str, str, str]], hours: Decimal
) -> Lines:
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
    return Lines(tuple(lines))


def bill_reservations(data: PlanData, awards: Sequence[Award], hours: Decimal) -> Lines:
    """Step 2: each reservation version, in its term and in force, paid whether used."""
    lines: list[tuple[Charge, str]] = []
    unused: set[ProviderMonth] = set()
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
    return Lines(tuple(lines), frozenset(unused))


def bill_holder_blocks(data: PlanData, awards: Sequence[Award], hours: Decimal) -> Lines:
    """Step 3: a ROFR holder block is paid every month of the block at the notice price."""
    lines: list[tuple[Charge, str]] = []
    used_by: dict[tuple[str | None, str, str, str, int], list[Decimal]] = {}  # in award order
    for award in awards:
        key = (award.notice, award.provider, award.gpu, award.region, award.month)
        used_by.setdefault(key, []).append(award.gpus * hours)
    for offer in data.offers:
        if offer.kind != HOLDER_NEW:
            continue
        for month in data.months:
            if offer.block_gpus[month - 1]:
                used = sum(used_by.get((offer.notice, *offer.site, month), ()), ZERO)
                lines.append((_block_charge(offer, month, used, hours), "compute_contract"))
    return Lines(tuple(lines))


def _block_charge(offer: Offer, month: int, used: Decimal, hours: Decimal) -> Charge:
    """One month of a holder block: its GPUs at the notice price, and the GPU-hours awards `used` of it."""
    rate = offer.rate[month - 1] or ZERO
    amount = offer.block_gpus[month - 1] * rate * hours
    return Charge(
        month, offer.provider, "holder_block", offer.clause[month - 1], offer.notice, amount, amount,
        max(ZERO, amount - used * rate), used, gpu=offer.site[1], region=offer.site[2], rate=rate,
    )  # fmt: skip


def bill_take_or_pay(data: PlanData, awards: Sequence[Award], hours: Decimal) -> Lines:
    """Step 4: in the term, max(take-or-pay GPU-hours used, minimum) at the committed rate."""
    used: dict[tuple[str, str, str, int], Decimal] = {}
    for award in awards:
        if award.pricing == "take_or_pay":
            key = (award.provider, award.gpu, award.region, award.month)
            used[key] = used.get(key, ZERO) + award.gpus * hours
    lines: list[tuple[Charge, str]] = []
    unused: set[ProviderMonth] = set()
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
    return Lines(tuple(lines), frozenset(unused))


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
