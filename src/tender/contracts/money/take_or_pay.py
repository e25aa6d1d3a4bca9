"""Take-or-pay on delivered capacity, with delivery-slip relief.

Flow (`take_or_pay`), per month inside the term (`effective_from_month` .. + `term_months` - 1):
1. the base is the GPU-hours delivered; without `delivery_slip_relief` it is the GPU-hours that
   were scheduled, so a late delivery does not reduce what the lab owes;
2. the minimum is `minimum_pct_of_delivered_capacity` % of the base;
3. the lab pays for max(used, minimum) GPU-hours at the month's rate; `unused_paid` is what it
   pays for hours it did not use (the take-or-pay exposure).
Months outside the term are charged for use only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from tender.domain import TakeOrPay

ZERO = Decimal(0)
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class DeliveryMonth:
    """GPU-hours scheduled, delivered and used in horizon `month`, and the USD rate per GPU-hour."""

    month: int
    scheduled_gpu_hours: Decimal
    delivered_gpu_hours: Decimal
    used_gpu_hours: Decimal
    rate: Decimal


@dataclass(frozen=True)
class TakeOrPayMonth:
    """One month of one take-or-pay clause: the minimum and billed GPU-hours, the charge, what was
    paid unused and what delivery-slip relief waived."""

    clause: str
    month: int
    minimum_gpu_hours: Decimal
    billed_gpu_hours: Decimal
    charge: Decimal
    unused_paid: Decimal
    slip_relief: Decimal  # USD not owed thanks to delivery-slip relief


def take_or_pay(clause: TakeOrPay, months: Sequence[DeliveryMonth]) -> tuple[TakeOrPayMonth, ...]:
    """One row per input month, sorted by month. Exact Decimal; never rounds."""
    first = clause.effective_from_month
    last = first + clause.term_months - 1
    pct = clause.minimum_pct_of_delivered_capacity / HUNDRED
    rows: list[TakeOrPayMonth] = []
    for m in sorted(months, key=lambda m: m.month):
        in_term = first <= m.month <= last and clause.effective_in(m.month)
        base = m.delivered_gpu_hours if clause.delivery_slip_relief else m.scheduled_gpu_hours
        minimum = base * pct if in_term else ZERO
        billed = max(m.used_gpu_hours, minimum)
        relief = ZERO
        if in_term and clause.delivery_slip_relief:
            without = max(m.used_gpu_hours, m.scheduled_gpu_hours * pct)
            relief = (without - billed) * m.rate
        rows.append(
            TakeOrPayMonth(
                clause=clause.id,
                month=m.month,
                minimum_gpu_hours=minimum,
                billed_gpu_hours=billed,
                charge=billed * m.rate,
                unused_paid=(billed - m.used_gpu_hours) * m.rate,
                slip_relief=max(ZERO, relief),
            )
        )
    return tuple(rows)
