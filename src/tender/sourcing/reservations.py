"""Reservations as pools: what a `reserved_capacity` clause gives the lab in one month.

A reservation is a claim on capacity the provider lists, never capacity of its own:
1. in a month of its term (and in force), a reservation covers its region, or every region of the
   provider when it names none; it reserves at most what the provider lists there in all
   (`reserved` = min(gpus, listed)): the lab may use those GPUs in any covered region;
2. use above the reserved GPUs is burst, up to `burst.max_gpus` over all covered regions, at the
   provider's `burst.rate` (contract or on_demand) for that accelerator; no burst without a rate;
3. the reservation is priced at the committed rate (`committed_rate`): the contract rate, else the
   on-demand rate, else the spot rate; a reservation of an accelerator with no rate at all, or
   where the provider lists nothing that month, is no pool (the ledger still bills the clause).
The model adds one burst column per pool (`constraints.pricing.reserved_burst`); awards label the
first `reserved` GPUs of a pool, in award order, `reserved`, the rest burst.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from tender.domain import Provider, Rates, ReservedCapacity, Scenario
from tender.sourcing.clauses import ClauseView


@dataclass(frozen=True)
class Pool:
    """One reservation in one month, over every offer of the regions it covers."""

    clause: str
    month: int
    provider: str
    gpu: str
    reserved: int  # GPUs paid whether used (what the covered regions list, at most the clause's)
    burst: int  # GPUs above them, at `burst_rate`
    rate: Decimal  # the committed rate the reserved GPUs are paid at
    burst_rate: Decimal | None
    burst_pricing: str  # the award pricing label of burst: contract | on_demand


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


def covered_regions(provider: Provider, clause: ReservedCapacity) -> tuple[str, ...]:
    if clause.region is not None:
        return (clause.region,)
    return tuple(sorted(provider.regions))


def reservation_pools(
    scenario: Scenario, view: ClauseView
) -> tuple[list[Pool], dict[tuple[str, str, str, int], int]]:
    """Every pool, and for each (provider, gpu, region, month) the pool that governs it (the first
    reservation in force there, in clause order)."""
    pools: list[Pool] = []
    where: dict[tuple[str, str, str, int], int] = {}
    for month in scenario.calendar.months():
        for clause in view.of_kind(ReservedCapacity, month):
            if (
                not isinstance(clause, ReservedCapacity)
                or not clause.start_month <= month <= clause.end_month
            ):
                continue
            pool = _pool(scenario, clause, month)
            if pool is None:
                continue
            free = [
                r
                for r in covered_regions(scenario.providers[clause.provider], clause)
                if (clause.provider, clause.gpu, r, month) not in where
            ]
            if not free:
                continue
            pools.append(pool)
            for region in free:
                where[(clause.provider, clause.gpu, region, month)] = len(pools) - 1
    return pools, where


def _pool(scenario: Scenario, clause: ReservedCapacity, month: int) -> Pool | None:
    provider = scenario.providers[clause.provider]
    rates = provider.rates.get(clause.gpu)
    rate = committed_rate(rates) if rates is not None else None
    listed = sum(
        provider.existing_gpus(clause.gpu, region, month) for region in covered_regions(provider, clause)
    )
    if rates is None or rate is None or listed == 0:
        return None
    burst_rate, label = burst_terms(clause, rates)
    burst = clause.burst_max_gpus if burst_rate is not None else 0
    return Pool(
        clause.id,
        month,
        clause.provider,
        clause.gpu,
        min(clause.gpus, listed),
        burst,
        rate,
        burst_rate,
        label,
    )
