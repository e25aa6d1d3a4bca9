"""How a `reserved_capacity` clause lands on one offer-month: reserved GPUs, burst room, rates.

A reservation is a claim on capacity the provider lists, never capacity of its own:
1. in a month of its term, the reserved GPUs at (provider, accelerator, region) are at most what
   the provider lists there; a reservation without a region is spread over the provider's regions
   in name order, each taking what it lists, until the reservation is used up;
2. burst room (`burst.max_gpus`) is spread the same way over what is left after the reservation;
   burst needs a rate: the provider's `burst.rate` (contract or on_demand) for that accelerator;
3. the reservation is priced at the committed rate (`committed_rate`): the contract rate, else
   the on-demand rate, else the spot rate. A reservation of an accelerator the provider has no
   rate for at all is never an offer.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from tender.domain import Provider, Rates, ReservedCapacity


@dataclass(frozen=True)
class ReservedSlice:
    """One reservation's share of one offer-month."""

    clause: ReservedCapacity
    reserved: int  # GPUs paid whether used
    burst: int  # GPUs above the reservation, at `burst_rate`
    burst_rate: Decimal | None
    burst_pricing: str  # contract | on_demand (the award's pricing label for burst)


def committed_rate(rates: Rates) -> Decimal | None:
    """The rate a committed purchase (reservation, take-or-pay) is priced at: contract, on-demand, spot."""
    for value in (rates.contract, rates.on_demand, rates.spot):
        if value is not None:
            return value
    return None


def burst_terms(clause: ReservedCapacity, rates: Rates) -> tuple[Decimal | None, str]:
    if clause.burst_rate == "contract":
        return rates.contract, "contract"
    return rates.on_demand, "on_demand"


def _regions(provider: Provider, clause: ReservedCapacity) -> list[str]:
    if clause.region is not None:
        return [clause.region]
    return sorted(
        {line.region for line in provider.capacity if line.gpu == clause.gpu} | set(provider.regions)
    )


def reserved_slice(
    provider: Provider, clause: ReservedCapacity, rates: Rates, region: str, month: int
) -> ReservedSlice | None:
    """This region's share of `clause` in `month` (None when the clause does not cover the region)."""
    regions = _regions(provider, clause)
    if region not in regions:
        return None
    listed = {r: provider.existing_gpus(clause.gpu, r, month) for r in regions}
    reserved_left, burst_left = clause.gpus, clause.burst_max_gpus
    rate, label = burst_terms(clause, rates)
    if rate is None:
        burst_left = 0
    for r in regions:
        take = min(reserved_left, listed[r])
        extra = min(burst_left, listed[r] - take)
        if r == region:
            return ReservedSlice(clause, take, extra, rate, label)
        reserved_left -= take
        burst_left -= extra
    return None  # unreachable: `region` is in `regions`
