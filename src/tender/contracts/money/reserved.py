"""Reserved capacity: the reservation is paid whether used or not; use above it bursts at on-demand.

Flow (`reserved_cost`), per month:
1. inside the term (`start_month` .. `end_month`) the reserved GPU-hours are `gpus` x hours/month;
   `full_reservation_regardless_of_use` bills them every month, `prepaid_upfront` bills the whole
   term in `start_month` (later months show 0 charged for the reservation); a `prepaid_settled` one
   (re-based: paid before the plan's months) bills nothing;
2. hours used above the reservation are burst, up to `burst_max_gpus` x hours/month, billed at the
   burst rate (on-demand, or the contract rate when `burst_rate: contract`);
3. use beyond the burst cap is reported as `unserved_gpu_hours` (not billed here).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from tender.domain import ReservedCapacity

ZERO = Decimal(0)


@dataclass(frozen=True)
class ReservedMonth:
    """One month of one reservation: reserved, used, burst, unserved and idle GPU-hours, and the charges."""

    clause: str
    month: int
    reserved_gpu_hours: Decimal
    used_gpu_hours: Decimal
    reservation_charge: Decimal
    burst_gpu_hours: Decimal
    burst_charge: Decimal
    unserved_gpu_hours: Decimal
    idle_gpu_hours: Decimal

    @property
    def total(self) -> Decimal:
        return self.reservation_charge + self.burst_charge


def reserved_cost(
    clause: ReservedCapacity,
    used_gpu_hours: Mapping[int, Decimal],
    contract_rate: Decimal,
    on_demand_rate: Decimal,
    hours_per_month: int,
    horizon: int,
) -> tuple[ReservedMonth, ...]:
    """Rows for months 1..`horizon`; `used_gpu_hours[m]` is this provider/accelerator's use in month m."""
    hours = Decimal(hours_per_month)
    burst_rate = contract_rate if clause.burst_rate == "contract" else on_demand_rate
    rows: list[ReservedMonth] = []
    for month in range(1, horizon + 1):
        used = used_gpu_hours.get(month, ZERO)
        in_term = clause.start_month <= month <= clause.end_month and clause.effective_in(month)
        reserved = Decimal(clause.gpus) * hours if in_term else ZERO
        if clause.prepaid_settled:
            charge = ZERO  # paid before the plan's months (a re-based prepaid reservation)
        elif clause.billing == "prepaid_upfront":
            charge = (
                Decimal(clause.gpus) * hours * clause.term_months * contract_rate
                if month == clause.start_month
                else ZERO
            )
        else:
            charge = reserved * contract_rate
        over = max(ZERO, used - reserved)
        cap = Decimal(clause.burst_max_gpus) * hours if in_term else over
        burst = min(over, cap)
        rows.append(
            ReservedMonth(
                clause=clause.id,
                month=month,
                reserved_gpu_hours=reserved,
                used_gpu_hours=used,
                reservation_charge=charge,
                burst_gpu_hours=burst,
                burst_charge=burst * burst_rate,
                unserved_gpu_hours=over - burst,
                idle_gpu_hours=max(ZERO, reserved - used),
            )
        )
    return tuple(rows)
