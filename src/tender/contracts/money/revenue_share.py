"""Revenue share: the lab owes `outbound_rate` of its revenue up to a cap; settled in arrears.

Flow (`revenue_share`), per month while the clause is in force:
1. accrued = revenue x `outbound_rate`, cut so the cumulative total never passes `outbound_cap_usd`;
2. inbound = the counterparty's shareable revenue x `inbound_rate` (what it owes the lab);
3. settlement: `monthly_in_arrears` pays each month's net in the next month; `quarterly_in_arrears`
   pays a calendar quarter of the horizon (months 1-3, 4-6, ...) in the month after it;
   `annually` pays months 1-12, 13-24, ... in the month after. `settled` is the net paid in that
   month (amounts that fall due after the horizon are not shown).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from tender.domain import RevenueShare

ZERO = Decimal(0)


@dataclass(frozen=True)
class RevenueShareMonth:
    """One month of one revenue share: the revenue, the share accrued (cumulative, capped or not),
    what comes back inbound and what is settled."""

    clause: str
    month: int
    revenue: Decimal
    accrued: Decimal
    cumulative: Decimal
    capped: bool
    inbound: Decimal
    settled: Decimal


def _period(settlement: str) -> int:
    return {"monthly_in_arrears": 1, "quarterly_in_arrears": 3, "annually": 12}.get(settlement, 1)


def revenue_share(
    clause: RevenueShare,
    revenue_by_month: Sequence[Decimal],
    inbound_base_by_month: Sequence[Decimal] = (),
) -> tuple[RevenueShareMonth, ...]:
    """One row per month of `revenue_by_month` (month 1 first)."""
    period = _period(clause.settlement)
    cumulative = ZERO
    net_by_month: list[Decimal] = []
    rows: list[RevenueShareMonth] = []
    for index, revenue in enumerate(revenue_by_month):
        month = index + 1
        active = clause.effective_in(month)
        accrued = revenue * clause.outbound_rate if active else ZERO
        capped = False
        if clause.outbound_cap_usd is not None and cumulative + accrued > clause.outbound_cap_usd:
            accrued = max(ZERO, clause.outbound_cap_usd - cumulative)
            capped = True
        cumulative += accrued
        base = inbound_base_by_month[index] if index < len(inbound_base_by_month) else ZERO
        inbound = base * clause.inbound_rate if active else ZERO
        net_by_month.append(accrued - inbound)
        settled = ZERO
        if month > 1 and (month - 1) % period == 0:
            settled = sum(net_by_month[month - 1 - period : month - 1], ZERO)
        rows.append(
            RevenueShareMonth(clause.id, month, revenue, accrued, cumulative, capped, inbound, settled)
        )
    return tuple(rows)


def revenue_share_versions(
    versions: Sequence[RevenueShare], revenue_by_month: Sequence[Decimal]
) -> tuple[RevenueShareMonth, ...]:
    """`revenue_share` for a clause amended mid-horizon: each month uses the version in force then
    (its rate and cap); the cap bounds the cumulative accrual over every version of the clause.
    Accrual only (no inbound, no settlement): the plan's ledger books what accrues each month."""
    cumulative = ZERO
    rows: list[RevenueShareMonth] = []
    for index, revenue in enumerate(revenue_by_month):
        month = index + 1
        live = next((v for v in versions if v.effective_in(month)), None)
        if live is None:
            continue
        accrued = revenue * live.outbound_rate
        capped = live.outbound_cap_usd is not None and cumulative + accrued > live.outbound_cap_usd
        if live.outbound_cap_usd is not None and capped:
            accrued = max(ZERO, live.outbound_cap_usd - cumulative)
        cumulative += accrued
        rows.append(RevenueShareMonth(live.id, month, revenue, accrued, cumulative, capped, ZERO, ZERO))
    return tuple(rows)
