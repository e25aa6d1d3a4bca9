"""Spec §7 items 1-4: the exact compute bill per (month, provider, spend category).

1. awards billed by use (contract, on-demand, spot, burst): gpus x rate x hours;
2. reservations: every month of their term (or the whole term up front when prepaid; nothing when
   the prepayment was settled before the plan's months);
3. holder blocks: exercised GPUs at the notice price in every block month, used or not;
4. take-or-pay: per (gpu, region) of the provider, max(used, minimum) GPU-hours at the committed rate.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal

from tender.check.context import Context
from tender.check.plan_doc import Award
from tender.check.timeline import in_force
from tender.domain import ReservedCapacity, TakeOrPay

CONTRACT = "compute_contract"
CATEGORY = {"contract": CONTRACT, "on_demand": "compute_on_demand", "spot": "compute_spot"}

SpendKey = tuple[int, str, str]  # month, provider, category
Charge = tuple[SpendKey, Decimal]


def _usage(ctx: Context, awards: list[Award]) -> Iterator[Charge]:
    for a in awards:
        if a.pricing in CATEGORY and a.rate is not None and ctx.block_notice(a) is None:
            yield (a.month, a.provider, CATEGORY[a.pricing]), a.gpus * a.rate * ctx.hours


def _reservation(ctx: Context, res: ReservedCapacity) -> Iterator[Charge]:
    rate = ctx.committed_rate(res.provider, res.gpu)
    if rate is None:
        return
    for m in ctx.calendar.months():
        if not (in_force(res, m) and res.start_month <= m <= res.end_month):
            continue
        if res.prepaid_settled:
            continue  # its prepayment was billed before the plan's months (re-based): nothing to bill
        if res.billing == "prepaid_upfront":
            if m == res.start_month:
                yield (m, res.provider, CONTRACT), res.gpus * ctx.hours * res.term_months * rate
        else:
            yield (m, res.provider, CONTRACT), res.gpus * rate * ctx.hours


def _holder_blocks(ctx: Context) -> Iterator[Charge]:
    for n in ctx.holder_blocks():
        for m in ctx.block_months(n):
            if 1 <= m <= ctx.scenario.horizon:
                yield (m, n.holder, CONTRACT), n.exercised_gpus * n.terms.price * ctx.hours


def _take_or_pay(
    ctx: Context, top: TakeOrPay, used: dict[tuple[str, str, str, int], int]
) -> Iterator[Charge]:
    provider = ctx.provider(top.provider)
    if provider is None:
        return
    term = range(top.effective_from_month, top.effective_from_month + top.term_months)
    for gpu, region in provider.gpu_region_pairs():
        rate = ctx.committed_rate(top.provider, gpu)
        if top.gpu not in (None, gpu) or rate is None:
            continue
        for m in ctx.calendar.months():
            if m in term and in_force(top, m):
                hours = used.get((top.provider, gpu, region, m), 0) * ctx.hours
                minimum = (
                    provider.existing_gpus(gpu, region, m)
                    * ctx.hours
                    * top.minimum_pct_of_delivered_capacity
                    / 100
                )
                yield (m, top.provider, CONTRACT), max(hours, minimum) * rate


def spend_lines(ctx: Context, awards: list[Award]) -> dict[SpendKey, Decimal]:
    """Exact billed compute per (month, provider, category), for every charge of items 1-4."""
    used: dict[tuple[str, str, str, int], int] = defaultdict(int)
    for a in awards:
        if a.pricing == "take_or_pay":
            used[(a.provider, a.gpu, a.region, a.month)] += a.gpus
    charges = [*_usage(ctx, awards), *_holder_blocks(ctx)]
    for version in ctx.timeline.versions():
        if isinstance(version, ReservedCapacity):
            charges += _reservation(ctx, version)
        elif isinstance(version, TakeOrPay):
            charges += _take_or_pay(ctx, version, used)
    lines: dict[SpendKey, Decimal] = defaultdict(Decimal)
    for key, amount in charges:
        lines[key] += amount
    return dict(lines)


def billed(lines: dict[SpendKey, Decimal]) -> dict[tuple[str, int], Decimal]:
    """Billed compute per (provider, month), every category together."""
    out: dict[tuple[str, int], Decimal] = defaultdict(Decimal)
    for (month, provider, _category), amount in lines.items():
        out[(provider, month)] += amount
    return dict(out)
